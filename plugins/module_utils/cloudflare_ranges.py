# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validate the address lists that Cloudflare publishes for its edge servers.

Cloudflare publishes each list as plain text with one network in CIDR notation per line, IPv4 at
https://www.cloudflare.com/ips-v4 and IPv6 at https://www.cloudflare.com/ips-v6. A list fetched
through a captive portal or a broken proxy can be an HTML page or empty, and a firewall built
from such a list would lock out every visitor, so every line is checked before it is used.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import typing as t
from urllib.parse import urlsplit

FAMILIES = ("ipv4", "ipv6")
FAMILY_NAMES = {"ipv4": "IPv4", "ipv6": "IPv6"}
FAMILY_VERSIONS = {"ipv4": 4, "ipv6": 6}
CIDR_EXAMPLES = {"ipv4": "173.245.48.0/20", "ipv6": "2400:cb00::/32"}

# A page that starts with a tag or names one of these elements is HTML, whatever its media type.
_HTML_MARKERS = re.compile(r"<\s*(?:!doctype|html|head|body|title|meta|script)\b", re.IGNORECASE)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class CloudflareRangesError(ValueError):
    """Invalid fetched list, source URL or date. The message names the value and the fix."""


def check_source_url(url: object, label: str) -> str:
    """Return URL unchanged when it is an http or https URL with a host, else raise CloudflareRangesError."""
    if not isinstance(url, str) or url.strip() == "":
        raise CloudflareRangesError(
            f"{label} is {url!r}, but it must be an http:// or https:// URL such as https://www.cloudflare.com/ips-v4"
        )
    # The URL is written into the data file's header comment, so a line break would end the comment.
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise CloudflareRangesError(f"{label} is {url!r}, which contains whitespace or a control character. Remove it")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CloudflareRangesError(
            f"{label} is {url!r}, which is not an http:// or https:// URL with a host name. Set it to the address "
            "of Cloudflare's list, such as https://www.cloudflare.com/ips-v4, or of a mirror that serves the same text"
        )
    return url


def parse_range_list(text: object, family: str, source: str) -> list[str]:
    """Parse one published list into networks of FAMILY ("ipv4" or "ipv6") in canonical form.

    Blank lines, surrounding whitespace and Windows line endings are ignored. Duplicates are
    dropped and the published order is kept, so that an unchanged list renders the same file.
    Raises CloudflareRangesError, naming SOURCE and the line, for an HTML page, an empty list,
    a line that is not a network in CIDR notation, and a network of the other family.
    """
    if family not in FAMILIES:
        raise CloudflareRangesError(f"family must be 'ipv4' or 'ipv6', got {family!r}")
    name = FAMILY_NAMES[family]
    if not isinstance(text, str):
        raise CloudflareRangesError(f"{source} returned {type(text).__name__} in place of the text of the {name} list")

    if text.lstrip().startswith("<") or _HTML_MARKERS.search(text):
        raise CloudflareRangesError(
            f"{source} returned an HTML page in place of the {name} list, one network per line. A captive portal, "
            "a login page or a proxy probably answered. Open the URL in a browser from the controller, complete "
            "any login, and run the playbook again"
        )

    networks: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if entry == "":
            continue
        network = _parse_network(entry, family, f"{source} line {number}")
        if network not in networks:
            networks.append(network)

    if not networks:
        raise CloudflareRangesError(
            f"{source} returned no {name} networks, but the list must contain at least one. Check the URL and "
            "run the playbook again later. The firewall would reject every request from Cloudflare with an empty list"
        )
    return networks


def _parse_network(entry: str, family: str, label: str) -> str:
    name = FAMILY_NAMES[family]
    example = CIDR_EXAMPLES[family]
    if "/" not in entry or "%" in entry:
        raise CloudflareRangesError(
            f"{label} is {entry!r}, which is not a network in CIDR notation such as {example}. Check that the URL "
            f"serves Cloudflare's {name} list"
        )
    try:
        network = ipaddress.ip_network(entry, strict=True)
    except ValueError as error:
        raise CloudflareRangesError(
            f"{label} is {entry!r}, which is not a network in CIDR notation such as {example} ({error}). Check that "
            f"the URL serves Cloudflare's {name} list"
        ) from None
    if network.version != FAMILY_VERSIONS[family]:
        other = "ipv6" if family == "ipv4" else "ipv4"
        raise CloudflareRangesError(
            f"{label} is {entry!r}, which is an {FAMILY_NAMES[other]} network, but the {name} list must contain "
            f"only {name} networks. Check that the ipv4 and ipv6 URLs are not swapped"
        )
    return str(network)


def build_ranges(texts: object, urls: object, date: object) -> dict[str, t.Any]:
    """Validate both fetched lists and return the data of cloudflare_ranges.yml.

    TEXTS and URLS are mappings with the keys ipv4 and ipv6. DATE is the day of the fetch as
    YYYY-MM-DD. The result has the keys date, source (the two URLs), ipv4 and ipv6.
    """
    if not isinstance(urls, t.Mapping):
        raise CloudflareRangesError(f"urls must be a mapping with the keys ipv4 and ipv6, got {type(urls).__name__}")
    if not isinstance(texts, t.Mapping):
        raise CloudflareRangesError(
            f"the input must be a mapping with the keys ipv4 and ipv6 and the fetched texts, got {type(texts).__name__}"
        )
    _check_date(date)

    result: dict[str, t.Any] = {"date": date, "source": []}
    for family in FAMILIES:
        if family not in urls:
            raise CloudflareRangesError(f"urls is missing the key {family}")
        if family not in texts:
            raise CloudflareRangesError(f"the input is missing the key {family}")
        url = check_source_url(urls[family], f"urls.{family}")
        result["source"].append(url)
        result[family] = parse_range_list(texts[family], family, url)
    return result


def _check_date(date: object) -> None:
    if isinstance(date, str) and _DATE.match(date):
        try:
            datetime.date.fromisoformat(date)
            return
        except ValueError:
            pass
    raise CloudflareRangesError(f"date is {date!r}, but it must be a day in the form YYYY-MM-DD such as 2026-12-04")
