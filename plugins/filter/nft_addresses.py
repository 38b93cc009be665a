# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nft_addresses
short_description: Validate a list of IP addresses and CIDR networks and split it by family
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Check that every element of the input is an IPv4 or IPv6 address or a network in CIDR form,
    and return the IPv4 and IPv6 networks as two lists that nftables sets, nginx and HAProxy accept.
  - Overlapping and adjacent networks are merged and the lists are sorted, so the output does not
    depend on the input order and never contains the overlapping intervals that nft rejects.
  - Single addresses (C(/32), C(/128)) are returned without a prefix length.
  - The filter fails, naming O(variable), the index and the value, on an element that is not a
    string, is not an address, has host bits set after the prefix (C(192.0.2.1/24)), has an IPv6
    zone index (C(fe80::1%eth0)), or is an IPv4-mapped IPv6 address (C(::ffff:192.0.2.1)).
options:
  _input:
    description: The addresses and networks.
    type: list
    elements: string
    required: true
  variable:
    description: The name of the variable that contains the input, used in error messages.
    type: string
    default: the address list
"""

EXAMPLES = r"""
---
- name: Split the SSH sources into IPv4 and IPv6 networks
  ansible.builtin.set_fact:
    __nftables_ssh_networks: >-
      {{ nftables_ssh_sources | moat.nodered.nft_addresses(variable='nftables_ssh_sources') }}
  # ['198.51.100.7', '2001:db8::/48', '198.51.100.0/24']
  # gives {'ipv4': ['198.51.100.0/24'], 'ipv6': ['2001:db8::/48']}
"""

RETURN = r"""
_value:
  description: The networks of each family.
  type: dict
  contains:
    ipv4:
      description: IPv4 addresses and networks.
      type: list
      elements: string
    ipv6:
      description: IPv6 addresses and networks.
      type: list
      elements: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.nft_model import NftInputError, split_address_list

FILTER_NAME = "moat.nodered.nft_addresses"


def nft_addresses(values: object, variable: object = "the address list") -> dict[str, list[str]]:
    """Validate addresses and CIDR networks and return them split into ipv4 and ipv6 lists."""
    if not isinstance(variable, str):
        raise AnsibleFilterError(f"{FILTER_NAME}: variable must be a string, got {type(variable).__name__}")

    try:
        families = split_address_list(values, variable)
    except NftInputError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None

    return {"ipv4": families.ipv4, "ipv6": families.ipv6}


class FilterModule:
    """moat.nodered address list filter."""

    def filters(self) -> dict[str, t.Callable[..., dict[str, list[str]]]]:
        return {"nft_addresses": nft_addresses}
