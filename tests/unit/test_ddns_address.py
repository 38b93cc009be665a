# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the address checks of the ddns role: which addresses a public DNS record may hold."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.ddns_address_check import FilterModule, ddns_address_check
from ansible_collections.moat.nodered.plugins.module_utils.netaddr_checks import (
    check_address,
    describe_problem,
    extract_address,
)

SOURCE = "the web service https://ip.example.net/"

# (address, category, special-purpose network)
IPV4_NOT_PUBLISHABLE = [
    ("0.0.0.0", "unspecified", "0.0.0.0/8"),
    ("10.0.0.1", "private", "10.0.0.0/8"),
    ("10.255.255.255", "private", "10.0.0.0/8"),
    ("100.64.0.0", "cgnat", "100.64.0.0/10"),
    ("100.64.12.34", "cgnat", "100.64.0.0/10"),
    ("100.127.255.255", "cgnat", "100.64.0.0/10"),
    ("127.0.0.1", "loopback", "127.0.0.0/8"),
    ("127.255.255.254", "loopback", "127.0.0.0/8"),
    ("169.254.1.1", "link-local", "169.254.0.0/16"),
    ("172.16.0.1", "private", "172.16.0.0/12"),
    ("172.31.255.255", "private", "172.16.0.0/12"),
    ("192.0.0.9", "protocol-assignment", "192.0.0.0/24"),
    ("192.0.2.10", "documentation", "192.0.2.0/24"),
    ("192.88.99.1", "deprecated", "192.88.99.0/24"),
    ("192.168.1.20", "private", "192.168.0.0/16"),
    ("198.18.0.1", "benchmarking", "198.18.0.0/15"),
    ("198.19.255.255", "benchmarking", "198.18.0.0/15"),
    ("198.51.100.7", "documentation", "198.51.100.0/24"),
    ("203.0.113.9", "documentation", "203.0.113.0/24"),
    ("224.0.0.1", "multicast", "224.0.0.0/4"),
    ("239.255.255.250", "multicast", "224.0.0.0/4"),
    ("240.0.0.1", "reserved", "240.0.0.0/4"),
    ("255.255.255.255", "broadcast", "255.255.255.255/32"),
]

IPV6_NOT_PUBLISHABLE = [
    ("::", "unspecified", "::/128"),
    ("::1", "loopback", "::1/128"),
    ("::ffff:192.0.2.1", "ipv4-mapped", "::ffff:0:0/96"),
    ("::ffff:81.2.69.160", "ipv4-mapped", "::ffff:0:0/96"),
    ("64:ff9b::c000:201", "nat64", "64:ff9b::/96"),
    ("64:ff9b:1::1", "nat64", "64:ff9b:1::/48"),
    ("100::1", "discard", "100::/64"),
    ("2001::1", "protocol-assignment", "2001::/23"),
    ("2001:2::1", "protocol-assignment", "2001::/23"),
    ("2001:db8::1", "documentation", "2001:db8::/32"),
    ("2001:DB8:FFFF::1", "documentation", "2001:db8::/32"),
    ("3fff::1", "documentation", "3fff::/20"),
    ("fc00::1", "unique-local", "fc00::/7"),
    ("fd12:3456:789a::1", "unique-local", "fc00::/7"),
    ("fe80::1", "link-local", "fe80::/10"),
    ("febf::1", "link-local", "fe80::/10"),
    ("fec0::1", "site-local", "fec0::/10"),
    ("ff02::1", "multicast", "ff00::/8"),
    ("ff0e::101", "multicast", "ff00::/8"),
]

# Outside 2000::/3 there is no global unicast space at all.
IPV6_OUTSIDE_GLOBAL_UNICAST = ["4000::1", "5f00::1", "1234::1", "::192.0.2.1", "e000::1"]

PUBLISHABLE = [
    "1.1.1.1",
    "8.8.4.4",
    "81.2.69.160",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.1",
    "192.0.1.255",
    "192.0.3.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "2001:4860:4860::8888",
    "2001:200::1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:81b::200e",
    "2002:5102:45a0::1",
    "3ffe::1",
]


@pytest.mark.parametrize(("address", "category", "network"), IPV4_NOT_PUBLISHABLE + IPV6_NOT_PUBLISHABLE)
def test_special_address_not_publishable(address: str, category: str, network: str) -> None:
    result = check_address(address)
    assert result.publishable is False
    assert result.category == category
    assert result.network == network
    assert result.allowed_by is None


@pytest.mark.parametrize("address", IPV6_OUTSIDE_GLOBAL_UNICAST)
def test_ipv6_outside_2000_slash_3_not_publishable(address: str) -> None:
    result = check_address(address)
    assert result.publishable is False
    assert result.category == "not-global-unicast"
    assert result.network is None


@pytest.mark.parametrize("address", PUBLISHABLE)
def test_public_address_publishable(address: str) -> None:
    result = check_address(address)
    assert result.publishable is True
    assert result.category == "public"
    assert result.network is None


@pytest.mark.parametrize(
    ("address", "canonical", "version"),
    [
        (" 81.2.69.160\n", "81.2.69.160", 4),
        ("2A00:1450:4001:081B:0:0:0:200E", "2a00:1450:4001:81b::200e", 6),
    ],
)
def test_check_address_canonical_form(address: str, canonical: str, version: int) -> None:
    result = check_address(address)
    assert result.address == canonical
    assert result.version == version


@pytest.mark.parametrize(
    ("address", "allowed", "allowed_by"),
    [
        ("10.1.2.3", ["10.0.0.0/8"], "10.0.0.0/8"),
        ("172.18.0.2", ["172.18.0.0/16"], "172.18.0.0/16"),
        ("172.18.0.2", ["172.18.0.7/16"], "172.18.0.0/16"),
        ("100.64.1.1", ["100.64.0.0/10"], "100.64.0.0/10"),
        ("fd00::5", ["fd00::/8"], "fd00::/8"),
        ("192.168.1.5", ["10.0.0.0/8", "192.168.1.0/24"], "192.168.1.0/24"),
    ],
)
def test_allowed_network_makes_address_publishable(address: str, allowed: list[str], allowed_by: str) -> None:
    result = check_address(address, allowed)
    assert result.publishable is True
    assert result.allowed_by == allowed_by
    assert result.category != "public"


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("10.1.2.3", ["192.168.0.0/16"]),
        ("100.64.1.1", ["10.0.0.0/8"]),
        ("fd00::5", ["fe80::/10"]),
        ("::ffff:10.0.0.1", ["10.0.0.0/8"]),
    ],
)
def test_other_allowed_network_keeps_address_unpublishable(address: str, allowed: list[str]) -> None:
    assert check_address(address, allowed).publishable is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not an address", "'not an address' is not an IPv4 or IPv6 address"),
        ("192.0.2.1/24", "'192.0.2.1/24' is not an IPv4 or IPv6 address"),
        ("fe80::1%eth0", "'fe80::1%eth0' is not an IPv4 or IPv6 address: a zone index such as %eth0 is not allowed"),
        ("256.1.1.1", "'256.1.1.1' is not an IPv4 or IPv6 address"),
        ("", "'' is not an IPv4 or IPv6 address"),
        (42, "expected an IP address as a string, got int"),
        (None, "expected an IP address as a string, got NoneType"),
    ],
)
def test_check_address_rejects_invalid_input(value: object, message: str) -> None:
    with pytest.raises(ValueError) as error:
        check_address(value)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("allowed", "message"),
    [
        (["10.0.0.0/33"], "'10.0.0.0/33' is not a network in CIDR notation such as 192.168.0.0/16"),
        (["lan"], "'lan' is not a network in CIDR notation such as 192.168.0.0/16"),
        ([10], "expected a network in CIDR notation as a string, got int"),
    ],
)
def test_check_address_rejects_invalid_allowed_network(allowed: list[object], message: str) -> None:
    with pytest.raises(ValueError) as error:
        check_address("192.0.2.1", allowed)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "version", "expected"),
    [
        ("81.2.69.160", 4, "81.2.69.160"),
        ("81.2.69.160\n", 4, "81.2.69.160"),
        ("Current IP Address: 81.2.69.160", 4, "81.2.69.160"),
        ("<html><body>Current IP Address: 81.2.69.160</body></html>", 4, "81.2.69.160"),
        ("ip=81.2.69.160\nts=1700000000.123", 4, "81.2.69.160"),
        ("999.1.1.1 then 81.2.69.160", 4, "81.2.69.160"),
        ("1.2.3.4.5 then 81.2.69.160", 4, "81.2.69.160"),
        ("2a00:1450:4001:81b::200e", 4, None),
        ("", 4, None),
        ("no address here", 4, None),
        ("2a00:1450:4001:81b::200e\n", 6, "2a00:1450:4001:81b::200e"),
        ("ip=2001:db8::1\nvisit_scheme=https", 6, "2001:db8::1"),
        ("time 12:30, then 2606:4700:4700::1111", 6, "2606:4700:4700::1111"),
        ("81.2.69.160", 6, None),
        ("::ffff:81.2.69.160", 6, "::ffff:5102:45a0"),
    ],
)
def test_extract_address(text: str, version: int, expected: str | None) -> None:
    assert extract_address(text, version) == expected


def test_extract_address_rejects_other_versions() -> None:
    with pytest.raises(ValueError) as error:
        extract_address("81.2.69.160", 5)
    assert str(error.value) == "version must be 4 or 6, got 5"


def test_cgnat_message_points_to_tunnels() -> None:
    message = describe_problem(check_address("100.64.12.34"), "interface wwan0", ["nodered.example.com"])
    assert "The IPv4 address 100.64.12.34 reported by interface wwan0 is in 100.64.0.0/10" in message
    assert "carrier-grade NAT (RFC 6598)" in message
    assert "A record of nodered.example.com" in message
    assert "Cloudflare Tunnel" in message
    assert "ngrok" in message


def test_private_interface_message_suggests_web_detection() -> None:
    message = describe_problem(check_address("192.168.1.20"), "interface eth0", ["nodered.example.com"])
    assert "private-use network (RFC 1918)" in message
    assert "ddns_detection: web" in message
    assert "ddns_allowed_networks" in message


def test_unique_local_message_names_aaaa_record() -> None:
    message = describe_problem(check_address("fd12::1"), "interface eth0", ["nodered.example.com"])
    assert "The IPv6 address fd12::1 reported by interface eth0 is in fc00::/7" in message
    assert "AAAA record of nodered.example.com" in message


def test_documentation_message_from_web_service() -> None:
    message = describe_problem(check_address("203.0.113.9"), SOURCE)
    assert f"reported by {SOURCE} is in 203.0.113.0/24, the documentation network TEST-NET-3 (RFC 5737)" in message
    assert "the configured names" in message
    assert "ddns_web_url_*" in message


def test_outside_global_unicast_message() -> None:
    message = describe_problem(check_address("4000::1"), SOURCE)
    assert "is in the space outside the global unicast range 2000::/3 (RFC 4291)" in message


def test_publishable_address_has_no_message() -> None:
    assert describe_problem(check_address("81.2.69.160"), SOURCE) == ""


def test_filter_returns_check_result() -> None:
    result = ddns_address_check("100.64.1.2", source=SOURCE, hostnames=["nodered.example.com"])
    assert result["address"] == "100.64.1.2"
    assert result["version"] == 4
    assert result["publishable"] is False
    assert result["category"] == "cgnat"
    assert result["network"] == "100.64.0.0/10"
    assert result["allowed_by"] is None
    assert "ngrok" in result["message"]


def test_filter_extracts_address_from_reply() -> None:
    result = ddns_address_check("Current IP Address: 81.2.69.160\n", source=SOURCE, version=4)
    assert result["address"] == "81.2.69.160"
    assert result["publishable"] is True
    assert result["message"] == ""


def test_filter_reports_reply_without_address() -> None:
    result = ddns_address_check("<html>busy</html>", source=SOURCE, version=6)
    assert result["address"] is None
    assert result["publishable"] is False
    assert result["category"] == "missing"
    assert result["message"].startswith(f"{SOURCE} reported no IPv6 address.")
    assert "ddns_ipv6: false" in result["message"]


def test_filter_applies_allowed_networks() -> None:
    result = ddns_address_check("172.18.0.2", source="interface eth0", allowed_networks=["172.18.0.0/16"])
    assert result["publishable"] is True
    assert result["allowed_by"] == "172.18.0.0/16"
    assert result["message"] == ""


@pytest.mark.parametrize(
    ("value", "options", "message"),
    [
        ("81.2.69.160", {"source": ""}, "invalid source '': give a non-empty string that names where the address came from"),
        ("81.2.69.160", {"source": SOURCE, "version": 5}, "version must be 4 or 6, got 5"),
        ("81.2.69.160", {"source": SOURCE, "version": True}, "version must be 4 or 6, got True"),
        ("81.2.69.160", {"source": SOURCE, "hostnames": "nodered.example.com"}, "hostnames must be a list of strings, got str"),
        ("81.2.69.160", {"source": SOURCE, "allowed_networks": [1]}, "allowed_networks must be a list of strings, got list"),
        (["81.2.69.160"], {"source": SOURCE, "version": 4}, "the input must be the reply text, got list"),
        ("a.b.c.d", {"source": SOURCE}, "'a.b.c.d' is not an IPv4 or IPv6 address"),
        ("81.2.69.160", {"source": SOURCE, "allowed_networks": ["lan"]}, "'lan' is not a network in CIDR notation such as 192.168.0.0/16"),
    ],
)
def test_filter_rejects_invalid_arguments(value: object, options: dict, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as error:
        ddns_address_check(value, **options)
    assert str(error.value) == f"moat.nodered.ddns_address_check: {message}"


def test_filter_module_exports_filter() -> None:
    assert FilterModule().filters() == {"ddns_address_check": ddns_address_check}
