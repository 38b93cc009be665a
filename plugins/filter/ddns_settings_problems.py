# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
name: ddns_settings_problems
short_description: List what is wrong with the ddns role's settings
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Check the variables of the C(moat.nodered.ddns) role against the rules that its argument
    specification cannot express, and against the configuration grammar of ddclient and inadyn.
  - Return one sentence per problem. Each sentence names the variable and the fix, and never
    contains the value of a password, token or TSIG secret.
  - Characters that a client's grammar cannot carry are rejected here, for example a line break
    in a password, or a C(:) in a dyndns2 user name, which HTTP Basic authentication cannot carry.
options:
  _input:
    description: The role's variables as a dict keyed by variable name, such as C(ddns_protocol).
    type: dict
    required: true
  ddclient_version:
    description:
      - The installed or candidate ddclient package version, such as C(3.10.0-2).
      - When set, the filter also reports combinations that this version cannot do, such as
        IPv4 and IPv6 updates together before ddclient 3.11.
    type: string
    default: ""
"""

EXAMPLES = r"""
---
- name: Check the settings
  ansible.builtin.assert:
    that: __ddns_problems | length == 0
    fail_msg: "{{ __ddns_problems | join(' ') }}"
  vars:
    __ddns_problems: "{{ __ddns_settings | moat.nodered.ddns_settings_problems }}"
"""

RETURN = r"""
_value:
  description: One sentence per problem, empty when the settings are valid.
  type: list
  elements: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.ddns import DdnsSettingsError, check_settings

FILTER_NAME = "moat.nodered.ddns_settings_problems"


def ddns_settings_problems(settings: object, ddclient_version: object = "") -> list[str]:
    """Return the problems of the ddns settings, naming variables and never secret values."""
    if not isinstance(ddclient_version, str):
        raise AnsibleFilterError(f"{FILTER_NAME}: ddclient_version must be a string, got {type(ddclient_version).__name__}")
    try:
        return check_settings(dict(settings) if isinstance(settings, t.Mapping) else settings, ddclient_version or None)
    except DdnsSettingsError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None


class FilterModule:
    """moat.nodered dynamic DNS settings filter."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"ddns_settings_problems": ddns_settings_problems}
