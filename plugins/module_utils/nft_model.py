# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Address lists and the nftables ruleset model of the nftables role.

The filters nft_addresses and nft_ruleset_model call these functions. Invalid input raises
NftInputError with a message that names the role variable, the bad value and the fix. The
filters add their own name in front of it.
"""

from __future__ import annotations

import ipaddress
import re
import typing as t

TABLE_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")

# Set names of the ruleset. The reverse_proxy role's fail2ban action adds bans to the
# banned_* sets, so these two names are an interface and must not change.
BANNED_SET = {"ipv4": "banned_v4", "ipv6": "banned_v6"}
SSH_SOURCES_SET = {"ipv4": "ssh_sources_v4", "ipv6": "ssh_sources_v6"}
SSH_RATE_SET = {"ipv4": "ssh_rate_v4", "ipv6": "ssh_rate_v6"}
CLOUDFLARE_SET = {"ipv4": "cloudflare_v4", "ipv6": "cloudflare_v6"}

ADDRESS_TYPE = {"ipv4": "ipv4_addr", "ipv6": "ipv6_addr"}
FAMILY_MATCH = {"ipv4": "ip", "ipv6": "ip6"}
FAMILIES = ("ipv4", "ipv6")

# Entries of a per-source SSH rate meter expire this long after the source's last new
# connection, and the meter contains at most this many sources.
SSH_RATE_TIMEOUT = "1m"
SSH_RATE_SET_SIZE = 65536

ADDRESS_EXAMPLES = "for example 192.0.2.10, 198.51.100.0/24, 2001:db8::5 or 2001:db8::/48"

# Every key that nft_ruleset_model reads from its input mapping.
MODEL_INPUT_KEYS = (
    "nftables_table",
    "nftables_ssh_port",
    "nftables_ssh_sources",
    "nftables_ssh_rate_per_minute",
    "nftables_ssh_rate_burst",
    "nftables_https_port",
    "nftables_http_port",
    "nftables_http_redirect",
    "nftables_acme_challenge",
    "nftables_nodered_port",
    "nftables_cloudflare_only",
    "nftables_cloudflare_ranges",
    "nftables_log_drops_per_minute",
)

# Collection-wide setting that each role variable defaults from, named in error messages
# because users usually set that one.
COLLECTION_SETTING = {
    "nftables_https_port": "moat_https_port",
    "nftables_http_port": "moat_http_port",
    "nftables_http_redirect": "moat_http_redirect",
    "nftables_acme_challenge": "moat_acme_challenge",
    "nftables_nodered_port": "moat_nodered_port",
    "nftables_cloudflare_only": "moat_cloudflare_only",
    "nftables_cloudflare_ranges": "moat_cloudflare_ranges",
    "nftables_ssh_port": "ansible_port",
}


class NftInputError(ValueError):
    """An input of the nftables role is invalid; the message names the variable and the fix."""


class AddressFamilies(t.NamedTuple):
    """Networks of one address list, split by family, collapsed and sorted."""

    ipv4: list[str]
    ipv6: list[str]


def _setting_name(variable: str) -> str:
    source = COLLECTION_SETTING.get(variable)
    return f"{variable} (default from {source})" if source else variable


def _format_network(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    """Print a single-address network as the plain address, the way nft lists it."""
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def _parse_network(value: object, label: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not isinstance(value, str):
        raise NftInputError(
            f"{label} has the type {type(value).__name__}, but it must be a string with an IPv4 or IPv6 address "
            f"or a network in CIDR form, {ADDRESS_EXAMPLES}"
        )

    # ipaddress accepts "fe80::1%eth0" since Python 3.9, but nft has no zone syntax.
    if "%" in value:
        raise NftInputError(
            f"{label} is {value!r}, which has an IPv6 zone index (%...); nft sets take addresses without a zone, "
            f"so remove the part from % on"
        )

    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise NftInputError(
                f"{label} is {value!r}, which is not an IPv4 or IPv6 address or a network in CIDR form; "
                f"write it {ADDRESS_EXAMPLES}"
            ) from None
        raise NftInputError(
            f"{label} is {value!r}, which has host bits set after the prefix; write the network as {loose} "
            f"or the single address without a prefix length"
        ) from None

    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped is not None:
        mapped = network.network_address.ipv4_mapped
        raise NftInputError(
            f"{label} is {value!r}, an IPv4-mapped IPv6 address; IPv4 packets never carry it, "
            f"so write the IPv4 form {mapped}"
        )

    return network


def split_address_list(values: object, variable: str) -> AddressFamilies:
    """Validate a list of addresses and CIDR networks and split it into IPv4 and IPv6.

    Overlapping and adjacent networks are merged, because nft rejects overlapping intervals in
    one set. The result is sorted, so the rendered file does not change when the input order does.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise NftInputError(
            f"{variable} must be a list of IPv4 or IPv6 addresses or CIDR networks, got {type(values).__name__}"
        )

    networks: dict[str, list[t.Any]] = {"ipv4": [], "ipv6": []}
    for index, value in enumerate(values):
        network = _parse_network(value, f"{variable}[{index}]")
        networks["ipv4" if network.version == 4 else "ipv6"].append(network)

    return AddressFamilies(
        ipv4=[_format_network(network) for network in ipaddress.collapse_addresses(networks["ipv4"])],
        ipv6=[_format_network(network) for network in ipaddress.collapse_addresses(networks["ipv6"])],
    )


def _require_port(settings: t.Mapping[str, object], variable: str) -> int:
    value = settings[variable]
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise NftInputError(f"{_setting_name(variable)} is {value!r}, but it must be a TCP port from 1 to 65535")
    return value


def _require_count(settings: t.Mapping[str, object], variable: str, minimum: int, maximum: int) -> int:
    value = settings[variable]
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise NftInputError(f"{variable} is {value!r}, but it must be an integer from {minimum} to {maximum}")
    return value


def _require_bool(settings: t.Mapping[str, object], variable: str) -> bool:
    value = settings[variable]
    if not isinstance(value, bool):
        raise NftInputError(f"{_setting_name(variable)} is {value!r}, but it must be true or false")
    return value


def _cloudflare_families(settings: t.Mapping[str, object]) -> AddressFamilies:
    origin = _setting_name("nftables_cloudflare_ranges")
    ranges = settings["nftables_cloudflare_ranges"]
    if not isinstance(ranges, t.Mapping):
        raise NftInputError(
            f"{origin} must be a mapping with the keys date, ipv4 and ipv6, got {type(ranges).__name__}"
        )

    missing = [key for key in ("date", "ipv4", "ipv6") if key not in ranges]
    if missing:
        raise NftInputError(f"{origin} is missing these keys: {', '.join(missing)}")

    families = {}
    for family in FAMILIES:
        label = f"nftables_cloudflare_ranges.{family}"
        parsed = split_address_list(ranges[family], label)
        other = "ipv6" if family == "ipv4" else "ipv4"
        if getattr(parsed, other):
            raise NftInputError(
                f"{label} contains {getattr(parsed, other)[0]}, which is an "
                f"{'IPv6' if other == 'ipv6' else 'IPv4'} network; move it to the {other} list"
            )
        if not getattr(parsed, family):
            raise NftInputError(f"{label} is empty, so Cloudflare could not reach the proxy over {family}")
        families[family] = getattr(parsed, family)

    return AddressFamilies(ipv4=families["ipv4"], ipv6=families["ipv6"])


def _check_port_conflicts(ports: dict[str, int], nodered_port: int) -> None:
    for variable, port in ports.items():
        if port == nodered_port:
            raise NftInputError(
                f"{_setting_name(variable)} is {port}, which is Node-RED's port "
                f"({_setting_name('nftables_nodered_port')}). Node-RED listens on loopback behind the reverse "
                f"proxy and its port is never opened, so give {variable} another port"
            )

    seen: dict[int, str] = {}
    for variable, port in ports.items():
        if port in seen:
            raise NftInputError(
                f"{_setting_name(seen[port])} and {_setting_name(variable)} are both {port}, but two services "
                f"cannot listen on one port; give one of them another port"
            )
        seen[port] = variable


def _address_set(name: str, family: str, elements: list[str], flags: list[str]) -> dict[str, t.Any]:
    return {"name": name, "type": ADDRESS_TYPE[family], "flags": flags, "elements": elements}


def build_ruleset_model(settings: t.Mapping[str, object]) -> dict[str, t.Any]:
    """Validate the role's inputs and compute the sets and rules of the input chain.

    The returned mapping has these keys:
    table: the table name in the inet family.
    sets: named sets, each with name, type, flags, elements and optionally timeout and size.
    ssh_rate_limits: per-family meters for new SSH connections, each with match, set, port,
      per_minute and burst. Empty when the rate limit is off.
    accept_rules: TCP accept rules, each with match (None, "ip" or "ip6"), set (None or a set
      name), port and comment. A rule with match None accepts the port from any source.
    log_per_minute: the maximum number of logged drops per minute, 0 for no logging.
    """
    missing = [key for key in MODEL_INPUT_KEYS if key not in settings]
    if missing:
        raise NftInputError(f"the input is missing these keys: {', '.join(missing)}")

    table = settings["nftables_table"]
    if not isinstance(table, str) or not TABLE_NAME_PATTERN.fullmatch(table):
        raise NftInputError(
            f"nftables_table is {table!r}, but it must be 1 to 32 ASCII letters, digits and underscores "
            f"starting with a letter"
        )

    ssh_port = _require_port(settings, "nftables_ssh_port")
    https_port = _require_port(settings, "nftables_https_port")
    http_port = _require_port(settings, "nftables_http_port")
    nodered_port = _require_port(settings, "nftables_nodered_port")
    http_redirect = _require_bool(settings, "nftables_http_redirect")
    acme_challenge = _require_bool(settings, "nftables_acme_challenge")
    http_open = http_redirect or acme_challenge
    cloudflare_only = _require_bool(settings, "nftables_cloudflare_only")
    rate_per_minute = _require_count(settings, "nftables_ssh_rate_per_minute", 0, 10000)
    rate_burst = _require_count(settings, "nftables_ssh_rate_burst", 1, 10000)
    log_per_minute = _require_count(settings, "nftables_log_drops_per_minute", 0, 10000)
    ssh_sources = split_address_list(settings["nftables_ssh_sources"], "nftables_ssh_sources")

    ports = {"nftables_ssh_port": ssh_port, "nftables_https_port": https_port}
    if http_open:
        ports["nftables_http_port"] = http_port
    _check_port_conflicts(ports, nodered_port)

    sets = [_address_set(BANNED_SET[family], family, [], ["timeout"]) for family in FAMILIES]

    ssh_accept = []
    if ssh_sources.ipv4 or ssh_sources.ipv6:
        for family in FAMILIES:
            elements = getattr(ssh_sources, family)
            if elements:
                sets.append(_address_set(SSH_SOURCES_SET[family], family, elements, ["interval"]))
                ssh_accept.append(
                    {"match": FAMILY_MATCH[family], "set": SSH_SOURCES_SET[family], "port": ssh_port, "comment": "SSH"}
                )
    else:
        ssh_accept.append({"match": None, "set": None, "port": ssh_port, "comment": "SSH"})

    ssh_rate_limits = []
    if rate_per_minute:
        for family in FAMILIES:
            rate_set = _address_set(SSH_RATE_SET[family], family, [], ["dynamic", "timeout"])
            rate_set.update({"timeout": SSH_RATE_TIMEOUT, "size": SSH_RATE_SET_SIZE})
            sets.append(rate_set)
            ssh_rate_limits.append(
                {
                    "match": FAMILY_MATCH[family],
                    "set": SSH_RATE_SET[family],
                    "port": ssh_port,
                    "per_minute": rate_per_minute,
                    "burst": rate_burst,
                }
            )

    web_ports = [(https_port, "HTTPS")]
    if http_open:
        web_ports.append((http_port, "HTTP"))

    web_accept = []
    if cloudflare_only:
        cloudflare = _cloudflare_families(settings)
        for family in FAMILIES:
            sets.append(_address_set(CLOUDFLARE_SET[family], family, getattr(cloudflare, family), ["interval"]))
        for port, name in web_ports:
            for family in FAMILIES:
                web_accept.append(
                    {
                        "match": FAMILY_MATCH[family],
                        "set": CLOUDFLARE_SET[family],
                        "port": port,
                        "comment": f"{name} from Cloudflare",
                    }
                )
    else:
        web_accept = [{"match": None, "set": None, "port": port, "comment": name} for port, name in web_ports]

    return {
        "table": table,
        "sets": sets,
        "ssh_rate_limits": ssh_rate_limits,
        "accept_rules": ssh_accept + web_accept,
        "log_per_minute": log_per_minute,
    }
