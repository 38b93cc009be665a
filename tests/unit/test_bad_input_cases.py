# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the case files of the bad-input scenario and their table in docs/reliability.md."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPOSITORY_ROOT / "molecule" / "bad-input" / "cases.py"
DOCUMENT = REPOSITORY_ROOT / "docs" / "reliability.md"


def load_script():
    loader = importlib.machinery.SourceFileLoader("moat_bad_input_cases", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module
    loader.exec_module(module)
    return module


cases_script = load_script()
CASES = cases_script.load_cases()
# A collection-wide or role variable, such as moat_domain or nodered_admin_users.
VARIABLE_NAME = re.compile(r"\b(?:moat|nodered|reverse_proxy|nftables|certbot|ddns)_[a-z0-9_]+")
BASE = yaml.safe_load(cases_script.BASE_FILE.read_text(encoding="utf-8"))


def test_suite_has_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case_secret_is_numbered(case):
    number = case["name"].split("-", 1)[0]
    assert case["secret"] == f"Sekr1t-case-{number}"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case_inventory_carries_secret(case):
    # The scenario's check that the output lacks the secret proves nothing when
    # the inventory never contained it.
    variables = json.dumps(cases_script.case_variables(case, BASE), ensure_ascii=False)
    assert case["secret"] in variables


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case_expects_variable_name(case):
    assert any(VARIABLE_NAME.search(item) for item in case["expect"])


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case_expects_no_secret(case):
    assert all(case["secret"] not in item for item in case["expect"])


def test_case_secrets_are_distinct():
    secrets = [case["secret"] for case in CASES]
    assert len(set(secrets)) == len(secrets)


def test_case_variables_unset_and_override():
    case = {"name": "demo", "secret": "Sekr1t-demo", "unset": ["b"], "vars": {"c": "@CASE_SECRET@"}}
    variables = cases_script.case_variables(case, {"a": ["@CASE_SECRET@"], "b": 1})
    assert variables == {"a": ["Sekr1t-demo"], "c": "Sekr1t-demo"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "the file must be a YAML mapping"),
        ("description: x\nexpect: [a, b]\nsecret: Sekr1t-00\nvars: {}\nextra: 1\n", "unknown keys ['extra']"),
        ("description: x\nexpect: [only_one]\nsecret: Sekr1t-00\nvars: {}\n", "'expect' must list at least two"),
        ("description: x\nexpect: [a, b]\nsecret: short\nvars: {}\n", "'secret' must be a string of at least 8"),
        ("description: x\nexpect: [a, b]\nsecret: Sekr1t-00\nvars: []\n", "'vars' must be a mapping"),
        ("description: ''\nexpect: [a, b]\nsecret: Sekr1t-00\nvars: {}\n", "'description' must be a non-empty string"),
    ],
)
def test_load_case_rejects_invalid_file(tmp_path, text, message):
    path = tmp_path / "99-invalid.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cases_script.CaseError) as error:
        cases_script.load_case(path)
    assert message in str(error.value)


def test_table_escapes_pipe():
    table = cases_script.render_table([{"name": "01-x", "description": "a | b", "expect": ["c|d", "e"]}])
    assert "| `01-x.yml` | a \\| b | `c\\|d`, `e` |" in table


def test_document_table_matches_cases():
    document = DOCUMENT.read_text(encoding="utf-8")
    expected = cases_script.replace_table(document, cases_script.render_table(CASES))
    assert document == expected, "docs/reliability.md is out of date: run molecule/bad-input/cases.py table --update docs/reliability.md"
