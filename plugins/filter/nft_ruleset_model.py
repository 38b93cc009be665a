# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nft_ruleset_model
short_description: Compute the nftables sets and input rules of the moat.nodered firewall
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Validate the variables of the nftables role and derive from them the named sets and the
    TCP rules of the input chain, which the role's template prints.
  - The open ports follow the services, never a hand-kept list. SSH is open on
    C(nftables_ssh_port), from C(nftables_ssh_sources) when that list is not empty, with an
    optional per-source limit on new connections. The proxy's HTTPS port is open, and its HTTP
    port too while the HTTP to HTTPS redirect or the ACME HTTP-01 challenge is on. With
    C(nftables_cloudflare_only), both web ports accept only Cloudflare's ranges.
  - Node-RED's port is never opened. The filter fails when SSH or a web port equals
    C(nftables_nodered_port), or when two open services share a port.
  - The sets C(banned_v4) and C(banned_v6) are always present and empty, for fail2ban to fill.
  - Every error names the variable (and the collection-wide setting it defaults from), the bad
    value and the fix.
options:
  _input:
    description:
      - A mapping with the values of these role variables, after templating
        C(nftables_table), C(nftables_ssh_port), C(nftables_ssh_sources),
        C(nftables_ssh_rate_per_minute), C(nftables_ssh_rate_burst), C(nftables_https_port),
        C(nftables_http_port), C(nftables_http_redirect), C(nftables_acme_challenge),
        C(nftables_nodered_port), C(nftables_cloudflare_only), C(nftables_log_drops_per_minute).
      - Also C(nftables_cloudflare_ranges), Cloudflare's ranges as a mapping with the keys
        C(date), C(ipv4) and C(ipv6). They are validated only when C(nftables_cloudflare_only) is
        true.
      - Ports may be integers or strings of digits; the booleans must be true booleans.
    type: dict
    required: true
"""

EXAMPLES = r"""
---
- name: Compute the ruleset model from the role variables
  ansible.builtin.set_fact:
    __nftables_model: >-
      {{ {
           'nftables_table': nftables_table,
           'nftables_ssh_port': nftables_ssh_port,
           'nftables_ssh_sources': nftables_ssh_sources,
           'nftables_ssh_rate_per_minute': nftables_ssh_rate_per_minute,
           'nftables_ssh_rate_burst': nftables_ssh_rate_burst,
           'nftables_https_port': nftables_https_port,
           'nftables_http_port': nftables_http_port,
           'nftables_http_redirect': nftables_http_redirect | bool,
           'nftables_acme_challenge': nftables_acme_challenge | bool,
           'nftables_nodered_port': nftables_nodered_port,
           'nftables_cloudflare_only': nftables_cloudflare_only | bool,
           'nftables_cloudflare_ranges': nftables_cloudflare_ranges,
           'nftables_log_drops_per_minute': nftables_log_drops_per_minute,
         } | moat.nodered.nft_ruleset_model }}
"""

RETURN = r"""
_value:
  description: The ruleset model.
  type: dict
  contains:
    table:
      description: Name of the table in the C(inet) family.
      type: string
    sets:
      description:
        - Named sets, each with C(name), C(type) (C(ipv4_addr) or C(ipv6_addr)), C(flags) (a list),
          C(elements) (a list of addresses and networks) and, for the SSH rate meters, C(timeout)
          and C(size).
      type: list
      elements: dict
    ssh_rate_limits:
      description:
        - One meter per address family for new SSH connections, each with C(match) (C(ip) or
          C(ip6)), C(set), C(port), C(per_minute) and C(burst). Empty when
          C(nftables_ssh_rate_per_minute) is 0.
      type: list
      elements: dict
    accept_rules:
      description:
        - TCP accept rules in order, each with C(match) (null, C(ip) or C(ip6)), C(set) (null or
          the name of a source set), C(port) and C(comment). A rule with a null C(match) accepts
          the port from any source.
      type: list
      elements: dict
    log_per_minute:
      description: The maximum number of dropped packets logged per minute; 0 turns logging off.
      type: int
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.nft_model import NftInputError, build_ruleset_model

FILTER_NAME = "moat.nodered.nft_ruleset_model"


def nft_ruleset_model(settings: object) -> dict[str, t.Any]:
    """Validate the nftables role's variables and return the ruleset model."""
    if not isinstance(settings, t.Mapping):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: the input must be a mapping of role variables, got {type(settings).__name__}"
        )

    try:
        return build_ruleset_model(settings)
    except NftInputError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None


class FilterModule:
    """moat.nodered nftables ruleset filter."""

    def filters(self) -> dict[str, t.Callable[..., dict[str, t.Any]]]:
        return {"nft_ruleset_model": nft_ruleset_model}
