# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: raspberry_pi_facts
short_description: Identify Raspberry Pi OS and Raspberry Pi boards from the files that mark them
version_added: 0.1.0
description:
  - Ansible reports Raspberry Pi OS as C(Debian), in its 32-bit and its 64-bit edition, so the
    distribution facts cannot tell the two apart. This filter reads the output of a probe that prints
    sections headed C([rpi-issue]), C([os-release]), C([device-tree-model]) and C([apt-sources]).
    A section is missing when its file is missing.
  - The host runs Raspberry Pi OS when C(/etc/rpi-issue) exists (the Raspberry Pi OS image builder
    writes it), when C(/etc/os-release) has C(ID=raspbian) (the 32-bit edition), or when an enabled
    apt source points at the Raspberry Pi archives (C(raspberrypi.com), C(raspberrypi.org) or
    C(raspbian.org)).
  - The host is a Raspberry Pi board when C(/proc/device-tree/model) starts with C(Raspberry Pi).
options:
  _input:
    description: The probe's output.
    type: str
    required: true
author:
  - moat.nodered developers
"""

EXAMPLES = r"""
- name: Identify the platform
  ansible.builtin.set_fact:
    platform: "{{ probe.stdout | moat.nodered.raspberry_pi_facts }}"
"""

RETURN = r"""
_value:
  description: What the probe found.
  type: dict
  contains:
    raspberry_pi_os:
      description: Whether the host runs Raspberry Pi OS.
      type: bool
    evidence:
      description: The findings that identified Raspberry Pi OS, such as C(/etc/rpi-issue).
      type: list
      elements: str
    board_model:
      description: The board's model from the device tree, or an empty string.
      type: str
    raspberry_pi_board:
      description: Whether the board is a Raspberry Pi.
      type: bool
"""

import re
import typing as t
from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError

FILTER_NAME = "raspberry_pi_facts"
SECTION = re.compile(r"^\[(rpi-issue|os-release|device-tree-model|apt-sources)\]$")
URI = re.compile(r"^[a-z][a-z0-9+.-]*://")
ARCHIVE_DOMAINS = ("raspberrypi.com", "raspberrypi.org", "raspbian.org")


def _split_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = SECTION.match(line.strip())
        if match:
            current = sections.setdefault(match.group(1), [])
        elif current is not None:
            current.append(line)
    return sections


def _os_release_id(lines: list[str]) -> str:
    for line in lines:
        key, _separator, value = line.strip().partition("=")
        if key == "ID":
            return value.strip().strip("\"'").lower()
    return ""


def _apt_source_uris(lines: list[str]) -> list[str]:
    """Return the URIs of enabled one-line and deb822 apt sources."""
    uris: list[str] = []
    stanza_uris: list[str] = []
    stanza_enabled = True

    def close_stanza() -> None:
        nonlocal stanza_uris, stanza_enabled
        if stanza_enabled:
            uris.extend(stanza_uris)
        stanza_uris = []
        stanza_enabled = True

    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            # A blank line ends a deb822 stanza.
            close_stanza()
            continue
        words = line.split()
        if words[0] in ("deb", "deb-src"):
            # The options in square brackets contain no URI, so the first
            # word with a scheme is the archive.
            uri = next((word for word in words[1:] if URI.match(word)), None)
            if uri:
                uris.append(uri)
        elif line.lower().startswith("uris:"):
            stanza_uris.extend(line.split(":", 1)[1].split())
        elif line.lower().startswith("enabled:"):
            stanza_enabled = line.split(":", 1)[1].strip().lower() not in ("no", "false", "0")
    close_stanza()
    return uris


def _is_raspberry_pi_archive(uri: str) -> bool:
    host = (urlsplit(uri).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in ARCHIVE_DOMAINS)


def raspberry_pi_facts(probe_output: object) -> dict[str, t.Any]:
    if not isinstance(probe_output, str):
        raise AnsibleFilterError(f"{FILTER_NAME}: expected the probe's output as a string, got {type(probe_output).__name__}")
    sections = _split_sections(probe_output)

    evidence: list[str] = []
    if "rpi-issue" in sections:
        evidence.append("/etc/rpi-issue")
    if _os_release_id(sections.get("os-release", [])) == "raspbian":
        evidence.append("/etc/os-release ID=raspbian")
    for uri in _apt_source_uris(sections.get("apt-sources", [])):
        if _is_raspberry_pi_archive(uri) and f"apt source {uri}" not in evidence:
            evidence.append(f"apt source {uri}")

    model = " ".join(line.replace("\x00", "").strip() for line in sections.get("device-tree-model", [])).strip()
    return {
        "raspberry_pi_os": bool(evidence),
        "evidence": evidence,
        "board_model": model,
        "raspberry_pi_board": model.startswith("Raspberry Pi"),
    }


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., object]]:
        return {"raspberry_pi_facts": raspberry_pi_facts}
