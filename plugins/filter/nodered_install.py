# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: newest_compatible
short_description: Pick the newest release whose engines.node range a Node.js version satisfies
version_added: 0.1.0
description:
  - Takes the output of C(npm view "PACKAGE@>=0" version engines.node --json), a list of objects with
    C(version) and C(engines.node) (a single object when one release matches), and returns the newest
    release, pre-releases excluded, whose range the given Node.js version satisfies. A mapping of release
    to range, as older npm releases print for C(npm view PACKAGE@* engines.node --json), works too.
  - Ranges may combine comparators (C(>=), C(>), C(<=), C(<), C(=)), plain versions, C(^) and C(~)
    ranges, spaces (and) and C(||) (or). A range in any other syntax counts as not satisfied.
  - The same file provides C(palette_installs), which turns the results of a looped C(slurp) of
    C(node_modules/NAME/package.json) over items with C(name) and C(version) into the C(NAME@VERSION)
    specifications that npm still has to install.
options:
  _input:
    description: The releases with their engines.node ranges, as npm prints them.
    type: raw
    required: true
  node_version:
    description: The installed Node.js version, with or without a leading C(v).
    type: str
    required: true
author:
  - moat.nodered developers
"""

EXAMPLES = r"""
- name: Choose Node-RED
  ansible.builtin.set_fact:
    release: "{{ npm_view.stdout | moat.nodered.newest_compatible('18.19.0') }}"
"""

RETURN = r"""
_value:
  description: The newest compatible release, or an empty string when none is.
  type: str
"""

import base64
import json
import re
import typing as t
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

VERSION = re.compile(r"^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$")
RELEASE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
COMPARATOR = re.compile(r"^(>=|<=|>|<|=|\^|~)?\s*(.+)$")


def _release_key(release: str) -> tuple[int, int, int] | None:
    match = RELEASE.match(release)
    return tuple(int(part) for part in match.groups()) if match else None


def _partial(text: str) -> tuple[int, ...] | None:
    """Return the numeric parts of a possibly partial version such as 18, 18.5 or 18.x."""
    match = VERSION.match(text.strip())
    if not match:
        return None
    parts = []
    for part in match.groups():
        if part is None or part in ("x", "*"):
            break
        parts.append(int(part))
    return tuple(parts)


def _pad(parts: tuple[int, ...]) -> tuple[int, int, int]:
    return (tuple(parts) + (0, 0, 0))[:3]


def _comparator_holds(comparator: str, version: tuple[int, int, int]) -> bool | None:
    match = COMPARATOR.match(comparator)
    if not match:
        return None
    operator, operand = match.group(1) or "=", match.group(2)
    parts = _partial(operand)
    if parts is None:
        return None
    low = _pad(parts)
    if operator == ">=":
        return version >= low
    if operator == ">":
        return version > low
    if operator == "<=":
        return version <= low
    if operator == "<":
        return version < low
    if operator == "^":
        # ^1.2.3 allows everything below the next change of the first non-zero part.
        index = next((i for i, value in enumerate(parts) if value != 0), len(parts) - 1)
        high = list(parts[: index + 1])
        high[-1] += 1
        return low <= version < _pad(tuple(high))
    if operator == "~":
        high = list(parts[:2] if len(parts) > 1 else parts)
        high[-1] += 1
        return low <= version < _pad(tuple(high))
    # "=" or a bare version: a partial version matches every release it names.
    return version[: len(parts)] == parts


def range_satisfied(spec: str, version: tuple[int, int, int]) -> bool:
    """Return whether a version satisfies an npm range; unknown syntax counts as not satisfied."""
    for alternative in spec.split("||"):
        alternative = re.sub(r"(>=|<=|>|<|=|\^|~)\s+", r"\1", alternative.strip())
        comparators = alternative.split()
        if not comparators or comparators == ["*"]:
            return True
        results = [_comparator_holds(comparator, version) for comparator in comparators]
        if None not in results and all(results):
            return True
    return False


def _engines_by_release(engines: object) -> Mapping:
    """Return release to range from any of the shapes npm view prints."""
    if isinstance(engines, str):
        try:
            engines = json.loads(engines)
        except ValueError as error:
            raise AnsibleFilterError(f"newest_compatible: the input is not JSON from npm view: {error}") from error
    # npm 7 and later print one object, not a list, when one release matches.
    if isinstance(engines, Mapping) and "version" in engines:
        engines = [engines]
    if isinstance(engines, list):
        by_release = {}
        for index, item in enumerate(engines):
            if not isinstance(item, Mapping) or "version" not in item:
                raise AnsibleFilterError(f"newest_compatible: item {index} of the input has no version")
            by_release[str(item["version"])] = item.get("engines.node")
        return by_release
    if isinstance(engines, Mapping):
        return engines
    raise AnsibleFilterError(
        f"newest_compatible: the input must list releases with their engines.node ranges, got {type(engines).__name__}"
    )


def newest_compatible(engines: object, node_version: object) -> str:
    """Return the newest non-pre-release version whose engines range node_version satisfies."""
    engines = _engines_by_release(engines)
    installed = _partial(str(node_version))
    if installed is None or len(installed) != 3:
        raise AnsibleFilterError(f"newest_compatible: node_version must be X.Y.Z, got {node_version!r}")

    best: tuple[tuple[int, int, int], str] | None = None
    for release, spec in engines.items():
        key = _release_key(str(release))
        if key is None or not isinstance(spec, str):
            continue
        if range_satisfied(spec, installed) and (best is None or key > best[0]):
            best = (key, str(release))
    return best[1] if best else ""


def palette_installs(results: object) -> list[str]:
    """Return NAME@VERSION for each looped slurp result whose package is missing or at another version."""
    if not isinstance(results, list):
        raise AnsibleFilterError(f"palette_installs: the input must be a list of slurp results, got {type(results).__name__}")
    specs = []
    for index, result in enumerate(results):
        item = result.get("item") if isinstance(result, Mapping) else None
        if not isinstance(item, Mapping) or not item.get("name") or not item.get("version"):
            raise AnsibleFilterError(f"palette_installs: result {index} has no item with name and version")
        installed = None
        if result.get("content"):
            installed = json.loads(base64.b64decode(result["content"])).get("version")
        if installed != str(item["version"]):
            specs.append(f"{item['name']}@{item['version']}")
    return specs


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., object]]:
        return {"newest_compatible": newest_compatible, "palette_installs": palette_installs}
