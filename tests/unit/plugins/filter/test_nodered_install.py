# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for newest_compatible and palette_installs."""

from __future__ import annotations

import base64
import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.nodered_install import (
    newest_compatible,
    palette_installs,
    range_satisfied,
)

# The shape that npm 9 prints for `npm view node-red@* engines.node --json`, abridged.
ENGINES = {
    "3.1.15": ">=14",
    "4.0.9": ">=18.5",
    "4.1.15": ">=18.5",
    "5.0.0-beta.6": ">=22.9",
    "5.0.7": ">=22.9",
}


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ("18.19.0", "4.1.15"),
        ("v20.19.2", "4.1.15"),
        ("22.9.0", "5.0.7"),
        ("22.8.9", "4.1.15"),
        ("16.20.2", "3.1.15"),
        ("12.0.0", ""),
    ],
)
def test_newest_compatible_release(node, expected):
    assert newest_compatible(ENGINES, node) == expected


def test_newest_compatible_accepts_json_text():
    assert newest_compatible(json.dumps(ENGINES), "20.0.0") == "4.1.15"


# npm 10 prints a list of objects for `npm view "node-red@>=0" version engines.node --json`.
# This is that output for the releases in ENGINES, plus a release without an engines field.
NPM10_OUTPUT = """[
  {"version": "3.1.15", "engines.node": ">=14"},
  {"version": "4.0.9", "engines.node": ">=18.5"},
  {"version": "4.1.15", "engines.node": ">=18.5"},
  {"version": "4.2.0"},
  {"version": "5.0.0-beta.6", "engines.node": ">=22.9"},
  {"version": "5.0.7", "engines.node": ">=22.9"}
]"""


@pytest.mark.parametrize(("node", "expected"), [("18.19.0", "4.1.15"), ("22.23.5", "5.0.7"), ("12.0.0", "")])
def test_newest_compatible_npm10_list(node, expected):
    # A release without engines.node is never chosen, because nothing states that it runs.
    assert newest_compatible(NPM10_OUTPUT, node) == expected


def test_newest_compatible_single_object():
    assert newest_compatible('{"version": "5.0.7", "engines.node": ">=22.9"}', "22.9.0") == "5.0.7"
    assert newest_compatible('{"version": "5.0.7", "engines.node": ">=22.9"}', "20.0.0") == ""


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ('">=22.9"', "newest_compatible: the input must list releases with their engines.node ranges, got str"),
        ("npm warn config", "newest_compatible: the input is not JSON from npm view: Expecting value: line 1 column 1 (char 0)"),
        ('[{"engines.node": ">=18"}]', "newest_compatible: item 0 of the input has no version"),
    ],
)
def test_newest_compatible_invalid_output(output, message):
    with pytest.raises(AnsibleFilterError) as error:
        newest_compatible(output, "22.9.0")
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("spec", "version", "expected"),
    [
        (">=18.5", (18, 5, 0), True),
        (">=18.5", (18, 4, 9), False),
        (">= 18.5", (18, 5, 0), True),
        ("^18.5.0", (18, 9, 0), True),
        ("^18.5.0", (19, 0, 0), False),
        ("~18.5.0", (18, 5, 9), True),
        ("~18.5.0", (18, 6, 0), False),
        (">=14 <21", (20, 1, 0), True),
        (">=14 <21", (21, 0, 0), False),
        ("^14.18 || >=16", (22, 0, 0), True),
        ("18.x", (18, 2, 0), True),
        ("18.x", (19, 0, 0), False),
        ("*", (1, 0, 0), True),
        ("latest", (22, 0, 0), False),
    ],
)
def test_range_satisfied(spec, version, expected):
    assert range_satisfied(spec, version) is expected


@pytest.mark.parametrize("node", ["22", "v22.x", "", None])
def test_newest_compatible_rejects_partial_version(node):
    with pytest.raises(AnsibleFilterError) as error:
        newest_compatible(ENGINES, node)
    assert str(error.value) == f"newest_compatible: node_version must be X.Y.Z, got {node!r}"


def slurp_result(name, version, installed=None):
    result = {"item": {"name": name, "version": version}}
    if installed is not None:
        result["content"] = base64.b64encode(json.dumps({"version": installed}).encode()).decode()
    return result


def test_palette_installs_lists_missing_and_outdated():
    results = [
        slurp_result("node-red-dashboard", "3.6.6", installed="3.6.6"),
        slurp_result("@flowfuse/node-red-dashboard", "1.31.0"),
        slurp_result("node-red-node-ping", "0.3.3", installed="0.3.1"),
    ]
    assert palette_installs(results) == ["@flowfuse/node-red-dashboard@1.31.0", "node-red-node-ping@0.3.3"]


def test_palette_installs_rejects_results_without_items():
    with pytest.raises(AnsibleFilterError) as error:
        palette_installs([{"content": ""}])
    assert str(error.value) == "palette_installs: result 0 has no item with name and version"
