# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: cloudflare_ranges
short_description: Validate Cloudflare's published IPv4 and IPv6 lists and build the ranges data
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Parse the texts of Cloudflare's two address lists, as served at U(https://www.cloudflare.com/ips-v4) and
    U(https://www.cloudflare.com/ips-v6) (text/plain, one network in CIDR notation per line), and return the data
    of the collection's file C(cloudflare_ranges.yml), which C(moat_cloudflare_ranges) takes.
  - Blank lines, surrounding whitespace and Windows line endings are ignored. Networks are written in canonical
    form in the published order, and duplicates are dropped.
  - The filter fails, naming the URL and the line, when a text is an HTML page (as a captive portal returns),
    contains no network, contains a line that is not a network in CIDR notation (a bare address, host bits set
    after the prefix, any other text), or contains a network of the other family. It also fails when a URL is not
    http or https, or O(date) is not YYYY-MM-DD.
options:
  _input:
    description: The fetched texts, with the keys C(ipv4) and C(ipv6).
    type: dict
    required: true
  urls:
    description: The URLs that the texts came from, with the keys C(ipv4) and C(ipv6), for messages and C(source).
    type: dict
    required: true
  date:
    description: The day of the fetch, as C(YYYY-MM-DD).
    type: string
    required: true
"""

EXAMPLES = r"""
---
- name: Validate the fetched lists
  ansible.builtin.set_fact:
    __ranges: >-
      {{ {'ipv4': __ipv4_reply.content, 'ipv6': __ipv6_reply.content}
         | moat.nodered.cloudflare_ranges(urls=__urls, date=now(utc=true, fmt='%Y-%m-%d')) }}
  # {'ipv4': '173.245.48.0/20\n103.21.244.0/22\n', 'ipv6': '2400:cb00::/32\n'} gives
  # {'date': '2026-12-04', 'source': [URL, URL], 'ipv4': ['173.245.48.0/20', '103.21.244.0/22'],
  #  'ipv6': ['2400:cb00::/32']}
"""

RETURN = r"""
_value:
  description: The data of C(cloudflare_ranges.yml).
  type: dict
  contains:
    date:
      description: O(date).
      type: string
    source:
      description: The IPv4 URL and the IPv6 URL.
      type: list
      elements: string
    ipv4:
      description: IPv4 networks in CIDR notation.
      type: list
      elements: string
    ipv6:
      description: IPv6 networks in CIDR notation.
      type: list
      elements: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.cloudflare_ranges import CloudflareRangesError, build_ranges

FILTER_NAME = "moat.nodered.cloudflare_ranges"


def cloudflare_ranges(texts: object, urls: object = None, date: object = None) -> dict[str, t.Any]:
    """Validate the fetched IPv4 and IPv6 lists and return date, source, ipv4 and ipv6."""
    try:
        return build_ranges(texts, urls, date)
    except CloudflareRangesError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None


class FilterModule:
    """moat.nodered Cloudflare ranges filter."""

    def filters(self) -> dict[str, t.Callable[..., dict[str, t.Any]]]:
        return {"cloudflare_ranges": cloudflare_ranges}
