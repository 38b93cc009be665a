# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
name: ddns_address_check
short_description: Decide whether a dynamic DNS record may point at an address
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Classify an IPv4 or IPv6 address and decide whether a public A or AAAA record may hold it.
  - Private (RFC 1918), carrier-grade NAT (100.64.0.0/10, RFC 6598), loopback, link-local,
    documentation, benchmarking, multicast, reserved and other special-purpose IPv4 ranges are
    not publishable, nor are IPv6 addresses outside 2000::/3 (unique local C(fc00::/7),
    link-local, loopback, IPv4-mapped, NAT64) and the documentation and protocol-assignment
    prefixes inside it.
  - With O(version), the input is the reply of an address detection web service, and the
    filter takes the first address of that family in it, as ddclient and inadyn do.
options:
  _input:
    description:
      - An IPv4 or IPv6 address, or with O(version) the text that a detection service returned.
    type: string
    required: true
  source:
    description:
      - Where the address came from, for the message, such as C(the web service https://api.ipify.org/)
        or C(interface eth0).
    type: string
    required: true
  hostnames:
    description: The DNS names that would get the address, for the message.
    type: list
    elements: string
    default: []
  allowed_networks:
    description:
      - Networks in CIDR notation whose addresses are publishable although they are special-purpose,
        for an internal zone or a test network.
    type: list
    elements: string
    default: []
  version:
    description:
      - 4 or 6 to extract the first address of that family from the input text.
      - Leave unset when the input is a bare address.
    type: int
"""

EXAMPLES = r"""
---
- name: Check the address that the detection service reports
  ansible.builtin.assert:
    that: __ddns_check.publishable
    fail_msg: "{{ __ddns_check.message }}"
  vars:
    __ddns_check: >-
      {{ __ddns_reply.content | moat.nodered.ddns_address_check(
           source='the web service https://api.ipify.org/', version=4, hostnames=['nodered.example.com']) }}
"""

RETURN = r"""
_value:
  description: The result of the check.
  type: dict
  contains:
    address:
      description: The address in canonical form, or null when the text contained none.
      type: string
    version:
      description: 4 or 6.
      type: int
    publishable:
      description: Whether a public DNS record may hold the address.
      type: bool
    category:
      description:
        - C(public), C(missing) when no address was found, or the kind of special-purpose range,
          such as C(private), C(cgnat), C(loopback), C(link-local), C(documentation) or C(unique-local).
      type: string
    network:
      description: The special-purpose network that contains the address, or null.
      type: string
    allowed_by:
      description: The entry of O(allowed_networks) that allowed a special-purpose address, or null.
      type: string
    message:
      description:
        - Why the address must not be published and what to do instead, or an empty string.
        - For carrier-grade NAT it points to tunnels such as Cloudflare Tunnel or ngrok.
      type: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.netaddr_checks import (
    check_address,
    describe_problem,
    extract_address,
)

FILTER_NAME = "moat.nodered.ddns_address_check"


def _string_list(value: object, option: str) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise AnsibleFilterError(f"{FILTER_NAME}: {option} must be a list of strings, got {type(value).__name__}")
    return list(value)


def ddns_address_check(
    value: object,
    source: object,
    hostnames: object = (),
    allowed_networks: object = (),
    version: object = None,
) -> dict[str, t.Any]:
    """Check an address, or the first address of a family in a detection service's reply."""
    if not isinstance(source, str) or source == "":
        raise AnsibleFilterError(f"{FILTER_NAME}: invalid source {source!r}: give a non-empty string that names where the address came from")
    names = _string_list(hostnames, "hostnames")
    networks = _string_list(allowed_networks, "allowed_networks")

    if version is not None:
        if version not in (4, 6) or isinstance(version, bool):
            raise AnsibleFilterError(f"{FILTER_NAME}: version must be 4 or 6, got {version!r}")
        if not isinstance(value, str):
            raise AnsibleFilterError(f"{FILTER_NAME}: the input must be the reply text, got {type(value).__name__}")
        address = extract_address(value, t.cast(int, version))
        if address is None:
            family = f"IPv{version}"
            return {
                "address": None,
                "version": version,
                "publishable": False,
                "category": "missing",
                "network": None,
                "allowed_by": None,
                "message": (
                    f"{source} reported no {family} address. A detection service must answer with the caller's "
                    f"{family} address, and an interface needs a {family} address of global scope. Check the "
                    f"host's {family} connectivity, or set ddns_ipv{version}: false."
                ),
            }
        value = address

    try:
        checked = check_address(value, networks)
    except ValueError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None
    return {
        "address": checked.address,
        "version": checked.version,
        "publishable": checked.publishable,
        "category": checked.category,
        "network": checked.network,
        "allowed_by": checked.allowed_by,
        "message": describe_problem(checked, source, names),
    }


class FilterModule:
    """moat.nodered dynamic DNS address filter."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"ddns_address_check": ddns_address_check}
