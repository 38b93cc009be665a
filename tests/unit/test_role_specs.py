# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep each role's meta/argument_specs.yml and defaults/main.yml in step."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROLES_DIR = Path(__file__).resolve().parents[2] / "roles"
ROLES = sorted(path.name for path in ROLES_DIR.iterdir() if (path / "defaults" / "main.yml").is_file())

# A default such as "{{ moat_https_port | default(443) }}" takes a collection
# setting when it is set; the literal in default(...) is the role's own default.
FALLBACK = re.compile(r"\|\s*default\((?P<literal>[^()]*)\)\s*}}\s*$")


def load_yaml(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def role_defaults(role: str) -> dict:
    return load_yaml(ROLES_DIR / role / "defaults" / "main.yml") or {}


def role_options(role: str) -> dict:
    return load_yaml(ROLES_DIR / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]


def effective_default(value):
    """Return the role's own default, resolving a collection-setting fallback."""
    if isinstance(value, str) and "{{" in value:
        match = FALLBACK.search(value)
        if match:
            # default(X) or default(X, true): the first argument is the fallback.
            arguments = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", match.group("literal")))
            return ast.literal_eval(f"({arguments},)")[0]
        return None
    if isinstance(value, list) and any(isinstance(item, str) and "{{" in item for item in value):
        return None
    return value


@pytest.mark.parametrize("role", ROLES)
def test_spec_lists_every_default(role):
    missing = sorted(set(role_defaults(role)) - set(role_options(role)))
    assert missing == [], f"{role}: defaults without an argument_specs entry: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_every_option_has_a_default_or_is_required(role):
    defaults = role_defaults(role)
    orphans = sorted(
        name for name, spec in role_options(role).items() if name not in defaults and not spec.get("required")
    )
    assert orphans == [], f"{role}: options neither in defaults/main.yml nor required: {orphans}"


@pytest.mark.parametrize("role", ROLES)
def test_spec_defaults_match_defaults_file(role):
    options = role_options(role)
    mismatches = []
    for name, value in role_defaults(role).items():
        if "default" not in options[name]:
            continue
        expected = effective_default(value)
        spec_default = options[name]["default"]
        if expected is None:
            continue
        if options[name].get("type") == "int":
            expected = int(expected)
        if expected != spec_default:
            mismatches.append(f"{name}: defaults/main.yml {expected!r}, argument_specs {spec_default!r}")
    assert mismatches == [], f"{role}: " + "; ".join(mismatches)


@pytest.mark.parametrize("role", ROLES)
def test_every_option_has_type_and_description(role):
    incomplete = sorted(
        name for name, spec in role_options(role).items() if "type" not in spec or "description" not in spec
    )
    assert incomplete == [], f"{role}: options without type or description: {incomplete}"
