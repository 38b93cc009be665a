# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decide whether a public DNS record may point at an IP address.

A dynamic DNS client must never publish an address that the Internet cannot reach: private,
loopback, link-local, carrier-grade NAT, documentation and other special-purpose ranges. The
tables below list those ranges explicitly instead of relying on ipaddress.is_global, whose
result for some ranges changed between Python releases.

Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890) and the RFCs
named in each entry.
"""

from __future__ import annotations

import ipaddress
import re
import typing as t

IPAddress = t.Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = t.Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

CATEGORY_PUBLIC = "public"
CATEGORY_CGNAT = "cgnat"


class SpecialRange(t.NamedTuple):
    network: IPNetwork
    category: str
    description: str


def _range(cidr: str, category: str, description: str) -> SpecialRange:
    return SpecialRange(ipaddress.ip_network(cidr), category, description)


# Ranges that no public A record may contain. More specific entries come first, so that
# 255.255.255.255 is reported as broadcast rather than as part of 240.0.0.0/4.
IPV4_SPECIAL_RANGES: tuple[SpecialRange, ...] = (
    _range("0.0.0.0/8", "unspecified", '"this network" (RFC 791), never a host address'),
    _range("10.0.0.0/8", "private", "private-use network (RFC 1918)"),
    _range(
        "100.64.0.0/10",
        CATEGORY_CGNAT,
        "shared address space of carrier-grade NAT (RFC 6598)",
    ),
    _range("127.0.0.0/8", "loopback", "loopback network (RFC 1122)"),
    _range("169.254.0.0/16", "link-local", "link-local network (RFC 3927)"),
    _range("172.16.0.0/12", "private", "private-use network (RFC 1918)"),
    _range("192.0.0.0/24", "protocol-assignment", "IETF protocol assignments (RFC 6890)"),
    _range("192.0.2.0/24", "documentation", "documentation network TEST-NET-1 (RFC 5737)"),
    _range("192.88.99.0/24", "deprecated", "former 6to4 relay anycast network (RFC 7526)"),
    _range("192.168.0.0/16", "private", "private-use network (RFC 1918)"),
    _range("198.18.0.0/15", "benchmarking", "network for benchmarking tests (RFC 2544)"),
    _range("198.51.100.0/24", "documentation", "documentation network TEST-NET-2 (RFC 5737)"),
    _range("203.0.113.0/24", "documentation", "documentation network TEST-NET-3 (RFC 5737)"),
    _range("224.0.0.0/4", "multicast", "multicast range (RFC 5771)"),
    _range("255.255.255.255/32", "broadcast", "limited broadcast address (RFC 919)"),
    _range("240.0.0.0/4", "reserved", "reserved range (RFC 1112)"),
)

# Every global unicast IPv6 address lies in 2000::/3. The entries outside it name the usual
# suspects precisely; GLOBAL_UNICAST_V6 catches the rest.
IPV6_SPECIAL_RANGES: tuple[SpecialRange, ...] = (
    _range("::/128", "unspecified", "unspecified address (RFC 4291)"),
    _range("::1/128", "loopback", "loopback address (RFC 4291)"),
    _range("::ffff:0:0/96", "ipv4-mapped", "IPv4-mapped address range (RFC 4291)"),
    _range("64:ff9b::/96", "nat64", "NAT64 translation prefix (RFC 6052)"),
    _range("64:ff9b:1::/48", "nat64", "local-use NAT64 translation prefix (RFC 8215)"),
    _range("100::/64", "discard", "discard-only prefix (RFC 6666)"),
    _range("2001:db8::/32", "documentation", "documentation prefix (RFC 3849)"),
    _range(
        "2001::/23",
        "protocol-assignment",
        "IETF protocol assignments such as Teredo and ORCHID (RFC 2928)",
    ),
    _range("3fff::/20", "documentation", "documentation prefix (RFC 9637)"),
    _range("fc00::/7", "unique-local", "unique local address range (RFC 4193)"),
    _range("fe80::/10", "link-local", "link-local prefix (RFC 4291)"),
    _range("fec0::/10", "site-local", "deprecated site-local prefix (RFC 3879)"),
    _range("ff00::/8", "multicast", "multicast range (RFC 4291)"),
)

GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")

# Candidate tokens in a web service reply. Each candidate is then parsed with ipaddress, so
# these patterns only need to find the spans, not to validate them.
_IPV4_CANDIDATE = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.])")
_IPV6_CANDIDATE = re.compile(r"(?<![0-9A-Fa-f:.])[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?![0-9A-Fa-f:.])")


class AddressCheck(t.NamedTuple):
    """Result of check_address."""

    address: str
    version: int
    publishable: bool
    category: str
    network: str | None
    description: str
    allowed_by: str | None


def parse_address(value: object) -> IPAddress:
    """Parse an IPv4 or IPv6 address, raising ValueError with a message that quotes the value.

    Addresses are not secret, so the message may show them. Zone indexes (fe80::1%eth0) and
    prefixes (192.0.2.1/24) are rejected, because a DNS record contains a bare address.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected an IP address as a string, got {type(value).__name__}")
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise ValueError(f"'{value}' is not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
        raise ValueError(f"'{value}' is not an IPv4 or IPv6 address: a zone index such as %eth0 is not allowed")
    return address


def parse_networks(values: t.Iterable[object]) -> list[IPNetwork]:
    """Parse CIDR networks such as 192.168.0.0/16, raising ValueError for the first invalid one."""
    networks = []
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"expected a network in CIDR notation as a string, got {type(value).__name__}")
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"'{value}' is not a network in CIDR notation such as 192.168.0.0/16") from None
    return networks


def find_special_range(address: IPAddress) -> SpecialRange | None:
    """Return the special-purpose range that contains the address, or None for a public address."""
    if isinstance(address, ipaddress.IPv4Address):
        ranges = IPV4_SPECIAL_RANGES
    else:
        ranges = IPV6_SPECIAL_RANGES
    for special in ranges:
        if address in special.network:
            return special
    if isinstance(address, ipaddress.IPv6Address) and address not in GLOBAL_UNICAST_V6:
        return SpecialRange(
            GLOBAL_UNICAST_V6,
            "not-global-unicast",
            "space outside the global unicast range 2000::/3 (RFC 4291)",
        )
    return None


def check_address(value: object, allowed_networks: t.Iterable[object] = ()) -> AddressCheck:
    """Classify an address and decide whether a public DNS record may point at it.

    An address in a special-purpose range is publishable only when one of allowed_networks
    contains it. That is how an internal zone or a lab opts in to private addresses.
    """
    address = parse_address(value)
    networks = parse_networks(allowed_networks)
    special = find_special_range(address)
    if special is None:
        return AddressCheck(str(address), address.version, True, CATEGORY_PUBLIC, None, "public address", None)

    network = special.network
    if special.category == "not-global-unicast":
        network_text = None
    else:
        network_text = str(network)
    allowed_by = next((str(net) for net in networks if net.version == address.version and address in net), None)
    return AddressCheck(
        str(address),
        address.version,
        allowed_by is not None,
        special.category,
        network_text,
        special.description,
        allowed_by,
    )


def extract_address(text: object, version: int) -> str | None:
    """Return the first IPv4 (version 4) or IPv6 (version 6) address in a web service reply.

    ddclient and inadyn read the reply of an address detection service the same way: they take
    the first token that is a valid address of the wanted family.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected the reply as a string, got {type(text).__name__}")
    if version not in (4, 6):
        raise ValueError(f"version must be 4 or 6, got {version!r}")
    pattern = _IPV4_CANDIDATE if version == 4 else _IPV6_CANDIDATE
    for match in pattern.finditer(text):
        candidate = match.group(0)
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if address.version == version:
            return str(address)
    return None


def describe_problem(check: AddressCheck, source: str, hostnames: t.Sequence[str] = ()) -> str:
    """Return why the checked address must not be published and what to do instead, or "".

    source names where the address came from, for example "the web service https://..." or
    "interface eth0".
    """
    if check.publishable:
        return ""

    family = "IPv4" if check.version == 4 else "IPv6"
    record = "A" if check.version == 4 else "AAAA"
    names = ", ".join(hostnames) if hostnames else "the configured names"
    where = f"in {check.network}, the {check.description}" if check.network else f"in the {check.description}"
    opening = (
        f"The {family} address {check.address} reported by {source} is {where}. "
        f"Publishing it as the {record} record of {names} would not make this host reachable from the Internet."
    )
    if check.category == CATEGORY_CGNAT:
        return (
            f"{opening} The host is behind carrier-grade NAT: the provider shares one public address among "
            "many customers and does not forward inbound connections, so no DNS record can reach this host. "
            "Use a tunnel that connects outwards instead, such as Cloudflare Tunnel or ngrok, or ask the "
            "provider for a public IPv4 address, or publish IPv6 only (ddns_ipv4: false, ddns_ipv6: true) "
            "if the line has native IPv6."
        )
    if check.category in ("private", "unique-local", "link-local") and source.startswith("interface"):
        return (
            f"{opening} The host is probably behind a NAT router: set ddns_detection: web so that an "
            "address detection service reports the router's public address, and forward the ports on the "
            "router. For an internal zone that should hold this address, list its network in "
            "ddns_allowed_networks."
        )
    return (
        f"{opening} Check ddns_detection, ddns_interface and the ddns_web_url_* settings. For an internal "
        "zone that should hold this address, list its network in ddns_allowed_networks."
    )
