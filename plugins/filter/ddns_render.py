# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
name: ddns_render
short_description: Render the configuration of ddclient or inadyn, or nsupdate's TSIG key file
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Return the text of a dynamic DNS client's configuration file for the C(moat.nodered.ddns)
    role's settings. Templates print it unchanged.
  - For ddclient, the grammar follows O(ddclient_version). Before 3.11 the address source is set
    with C(use=web) or C(use=if); from 3.11 on with C(usev4=webv4|ifv4) and C(usev6=webv6|ifv6),
    except for the nsupdate protocol, which reads only C(use=) in both versions.
  - Passwords and tokens are written as C(password='VALUE'), which ddclient 3.10 and 3.11 take
    literally up to the last single quote on the line. Other values are written in double quotes
    with backslash escapes. For inadyn, every value is single-quoted with C(\\) and C(') escaped.
  - The settings are checked first, as P(moat.nodered.ddns_settings_problems#filter) would; invalid
    settings raise an error whose message names the variables but never a secret value.
options:
  _input:
    description: The role's variables as a dict keyed by variable name.
    type: dict
    required: true
  target:
    description: What to render.
    type: string
    choices: [ddclient, inadyn, tsig_key]
    required: true
  ddclient_version:
    description: The installed or candidate ddclient version, such as C(3.11.2-2). Required for C(ddclient).
    type: string
    default: ""
  tsig_key_file:
    description: Path of the TSIG key file that ddclient passes to C(nsupdate -k).
    type: string
    default: /etc/ddclient/moat-nodered-tsig.key
  nsupdate_binary:
    description: Path of the nsupdate program.
    type: string
    default: /usr/bin/nsupdate
"""

EXAMPLES = r"""
---
- name: Write ddclient's configuration, readable only by root from the first write
  ansible.builtin.template:
    src: ddclient.conf.j2
    dest: /etc/ddclient.conf
    owner: root
    group: root
    mode: "0600"
  no_log: true
  # ddclient.conf.j2 prints: {{ __ddns_settings | moat.nodered.ddns_render('ddclient', ddclient_version='3.11.2-2') }}
"""

RETURN = r"""
_value:
  description: The file's text, ending with a line break.
  type: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.ddns import (
    DdnsSettingsError,
    render_ddclient,
    render_inadyn,
    render_tsig_key,
)

FILTER_NAME = "moat.nodered.ddns_render"


def ddns_render(
    settings: object,
    target: object,
    ddclient_version: object = "",
    tsig_key_file: object = "/etc/ddclient/moat-nodered-tsig.key",
    nsupdate_binary: object = "/usr/bin/nsupdate",
) -> str:
    """Render a ddclient or inadyn configuration, or a TSIG key file, from the ddns settings."""
    for option, value in (("ddclient_version", ddclient_version), ("tsig_key_file", tsig_key_file), ("nsupdate_binary", nsupdate_binary)):
        if not isinstance(value, str):
            raise AnsibleFilterError(f"{FILTER_NAME}: {option} must be a string, got {type(value).__name__}")
    for option, path in (("tsig_key_file", tsig_key_file), ("nsupdate_binary", nsupdate_binary)):
        if not t.cast(str, path).startswith("/") or any(character in t.cast(str, path) for character in "'\"\\#\n\r\t "):
            raise AnsibleFilterError(f"{FILTER_NAME}: {option} must be an absolute path without quotes, backslashes, '#' or whitespace")
    plain_settings = dict(settings) if isinstance(settings, t.Mapping) else settings

    try:
        if target == "ddclient":
            return render_ddclient(plain_settings, ddclient_version, t.cast(str, tsig_key_file), t.cast(str, nsupdate_binary))
        if target == "inadyn":
            return render_inadyn(plain_settings)
        if target == "tsig_key":
            return render_tsig_key(plain_settings)
    except DdnsSettingsError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None
    raise AnsibleFilterError(f"{FILTER_NAME}: target must be ddclient, inadyn or tsig_key, got {target!r}")


class FilterModule:
    """moat.nodered dynamic DNS configuration filter."""

    def filters(self) -> dict[str, t.Callable[..., str]]:
        return {"ddns_render": ddns_render}
