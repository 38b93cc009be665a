# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the nft_addresses and nft_ruleset_model filters and their shared module."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.nft_addresses import FilterModule as AddressesModule
from ansible_collections.moat.nodered.plugins.filter.nft_addresses import nft_addresses
from ansible_collections.moat.nodered.plugins.filter.nft_ruleset_model import FilterModule as ModelModule
from ansible_collections.moat.nodered.plugins.filter.nft_ruleset_model import nft_ruleset_model
from ansible_collections.moat.nodered.plugins.module_utils.nft_model import MODEL_INPUT_KEYS
from ansible_collections.moat.nodered.tests.unit.hostile_inputs import HOSTILE_STRINGS
from ansible_collections.moat.nodered.tests.unit.nft_settings import NFTABLES_DEFAULTS

ADDRESSES_PREFIX = "moat.nodered.nft_addresses: "
MODEL_PREFIX = "moat.nodered.nft_ruleset_model: "
EXAMPLES = "for example 192.0.2.10, 198.51.100.0/24, 2001:db8::5 or 2001:db8::/48"
NOT_A_STRING = (
    "nftables_ssh_sources[{index}] has the type {type}, but it must be a string with an IPv4 or IPv6 address or a "
    f"network in CIDR form, {EXAMPLES}"
)

CLOUDFLARE = {
    "date": "2026-12-04",
    "ipv4": ["198.51.100.0/24", "203.0.113.0/24"],
    "ipv6": ["2001:db8:cf::/48"],
}

DEFAULT_SETTINGS = NFTABLES_DEFAULTS


def settings(**changes: object) -> dict[str, object]:
    result = copy.deepcopy(DEFAULT_SETTINGS)
    result.update(changes)
    return result


def accept_rules(model: dict) -> list[tuple]:
    return [(rule["match"], rule["set"], rule["port"], rule["comment"]) for rule in model["accept_rules"]]


def set_names(model: dict) -> list[str]:
    return [entry["name"] for entry in model["sets"]]


def set_elements(model: dict, name: str) -> list[str]:
    return next(entry["elements"] for entry in model["sets"] if entry["name"] == name)


# nft_addresses: valid input

VALID_ADDRESS_LISTS = {
    "empty": ([], [], []),
    "one IPv4 address": (["192.0.2.10"], ["192.0.2.10"], []),
    "IPv4 /32 prints as address": (["192.0.2.10/32"], ["192.0.2.10"], []),
    "IPv4 network": (["198.51.100.0/24"], ["198.51.100.0/24"], []),
    "one IPv6 address": (["2001:db8::5"], [], ["2001:db8::5"]),
    "IPv6 /128 prints as address": (["2001:db8::5/128"], [], ["2001:db8::5"]),
    "IPv6 network": (["2001:db8::/48"], [], ["2001:db8::/48"]),
    "IPv6 upper case and long form": (["2001:DB8:0:0:0:0:0:5"], [], ["2001:db8::5"]),
    "mixed families": (
        ["2001:db8::/48", "192.0.2.10", "198.51.100.0/24"],
        ["192.0.2.10", "198.51.100.0/24"],
        ["2001:db8::/48"],
    ),
    "address inside a listed network": (["198.51.100.7", "198.51.100.0/24"], ["198.51.100.0/24"], []),
    "adjacent halves merge": (["198.51.100.0/25", "198.51.100.128/25"], ["198.51.100.0/24"], []),
    "duplicates": (["192.0.2.10", "192.0.2.10"], ["192.0.2.10"], []),
    "sorted output": (["203.0.113.1", "192.0.2.1"], ["192.0.2.1", "203.0.113.1"], []),
    "every IPv4 source": (["0.0.0.0/0"], ["0.0.0.0/0"], []),
    "every IPv6 source": (["::/0"], [], ["::/0"]),
    "tuple input": (("192.0.2.10",), ["192.0.2.10"], []),
}


@pytest.mark.parametrize(("values", "ipv4", "ipv6"), VALID_ADDRESS_LISTS.values(), ids=VALID_ADDRESS_LISTS.keys())
def test_addresses_valid(values, ipv4, ipv6):
    assert nft_addresses(values, variable="nftables_ssh_sources") == {"ipv4": ipv4, "ipv6": ipv6}


# nft_addresses: invalid input, with the exact message

INVALID_ADDRESS_LISTS = {
    "a string, not a list": (
        "192.0.2.10",
        "nftables_ssh_sources must be a list of IPv4 or IPv6 addresses or CIDR networks, got str",
    ),
    "a mapping": (
        {"address": "192.0.2.10"},
        "nftables_ssh_sources must be a list of IPv4 or IPv6 addresses or CIDR networks, got dict",
    ),
    "null": (None, "nftables_ssh_sources must be a list of IPv4 or IPv6 addresses or CIDR networks, got NoneType"),
    "an integer element": (
        ["192.0.2.10", 3232235521],
        NOT_A_STRING.format(index=1, type="int"),
    ),
    "a null element": (
        [None],
        NOT_A_STRING.format(index=0, type="NoneType"),
    ),
    "a boolean element": (
        [True],
        NOT_A_STRING.format(index=0, type="bool"),
    ),
    "a host name": (
        ["admin.example.com"],
        "nftables_ssh_sources[0] is 'admin.example.com', which is not an IPv4 or IPv6 address or a network in "
        f"CIDR form; write it {EXAMPLES}",
    ),
    "host bits set": (
        ["192.0.2.10/24"],
        "nftables_ssh_sources[0] is '192.0.2.10/24', which has host bits set after the prefix; write the network "
        "as 192.0.2.0/24 or the single address without a prefix length",
    ),
    "IPv6 host bits set": (
        ["2001:db8::5/48"],
        "nftables_ssh_sources[0] is '2001:db8::5/48', which has host bits set after the prefix; write the network "
        "as 2001:db8::/48 or the single address without a prefix length",
    ),
    "zone index": (
        ["fe80::1%eth0"],
        "nftables_ssh_sources[0] is 'fe80::1%eth0', which has an IPv6 zone index (%...); nft sets take addresses "
        "without a zone, so remove the part from % on",
    ),
    "IPv4-mapped IPv6": (
        ["::ffff:192.0.2.10"],
        "nftables_ssh_sources[0] is '::ffff:192.0.2.10', an IPv4-mapped IPv6 address; IPv4 packets never carry "
        "it, so write the IPv4 form 192.0.2.10",
    ),
    "newline injection": (
        ["192.0.2.10 }\nflush ruleset"],
        "nftables_ssh_sources[0] is '192.0.2.10 }\\nflush ruleset', which is not an IPv4 or IPv6 address or a "
        f"network in CIDR form; write it {EXAMPLES}",
    ),
}


@pytest.mark.parametrize(("values", "message"), INVALID_ADDRESS_LISTS.values(), ids=INVALID_ADDRESS_LISTS.keys())
def test_addresses_invalid_message(values, message):
    with pytest.raises(AnsibleFilterError) as error:
        nft_addresses(values, variable="nftables_ssh_sources")
    assert error.value.message == ADDRESSES_PREFIX + message


MALFORMED_ADDRESSES = [
    "",
    " 192.0.2.10",
    "192.0.2.10 ",
    "192.0.2.256",
    "192.0.2",
    "010.0.2.1",
    "192.0.2.10/33",
    "192.0.2.10/-1",
    "2001:db8::/129",
    "2001:db8:::5",
    "١٩٢.٠.٢.١",
    "192.0.2.10; drop",
    "1" * 10000,
    *HOSTILE_STRINGS.values(),
]


@pytest.mark.parametrize("value", MALFORMED_ADDRESSES, ids=range(len(MALFORMED_ADDRESSES)))
def test_addresses_malformed_rejected(value):
    with pytest.raises(AnsibleFilterError) as error:
        nft_addresses(["192.0.2.1", value], variable="nftables_ssh_sources")
    assert error.value.message.startswith(ADDRESSES_PREFIX + "nftables_ssh_sources[1] is ")


def test_addresses_default_variable_name():
    with pytest.raises(AnsibleFilterError) as error:
        nft_addresses(["nonsense"])
    assert error.value.message.startswith(ADDRESSES_PREFIX + "the address list[0] is 'nonsense'")


def test_addresses_variable_must_be_string():
    with pytest.raises(AnsibleFilterError) as error:
        nft_addresses([], variable=5)
    assert error.value.message == ADDRESSES_PREFIX + "variable must be a string, got int"


# nft_ruleset_model: the derived rules


def test_model_defaults():
    model = nft_ruleset_model(settings())
    assert model["table"] == "moat_nodered"
    assert set_names(model) == ["banned_v4", "banned_v6", "ssh_rate_v4", "ssh_rate_v6"]
    assert accept_rules(model) == [(None, None, 22, "SSH"), (None, None, 443, "HTTPS"), (None, None, 80, "HTTP")]
    assert model["log_per_minute"] == 10


def test_model_ban_sets_are_empty_timeout_sets():
    model = nft_ruleset_model(settings())
    bans = [entry for entry in model["sets"] if entry["name"].startswith("banned_")]
    assert bans == [
        {"name": "banned_v4", "type": "ipv4_addr", "flags": ["timeout"], "elements": []},
        {"name": "banned_v6", "type": "ipv6_addr", "flags": ["timeout"], "elements": []},
    ]


def test_model_ssh_rate_limits():
    model = nft_ruleset_model(settings(nftables_ssh_rate_per_minute=6, nftables_ssh_rate_burst=3))
    assert model["ssh_rate_limits"] == [
        {"match": "ip", "set": "ssh_rate_v4", "port": 22, "per_minute": 6, "burst": 3},
        {"match": "ip6", "set": "ssh_rate_v6", "port": 22, "per_minute": 6, "burst": 3},
    ]
    meter = next(entry for entry in model["sets"] if entry["name"] == "ssh_rate_v4")
    assert meter == {
        "name": "ssh_rate_v4",
        "type": "ipv4_addr",
        "flags": ["dynamic", "timeout"],
        "elements": [],
        "timeout": "1m",
        "size": 65536,
    }


def test_model_ssh_rate_limit_off():
    model = nft_ruleset_model(settings(nftables_ssh_rate_per_minute=0))
    assert model["ssh_rate_limits"] == []
    assert set_names(model) == ["banned_v4", "banned_v6"]


def test_model_ssh_sources_both_families():
    model = nft_ruleset_model(settings(nftables_ssh_sources=["2001:db8::/48", "198.51.100.0/24"]))
    assert set_elements(model, "ssh_sources_v4") == ["198.51.100.0/24"]
    assert set_elements(model, "ssh_sources_v6") == ["2001:db8::/48"]
    assert accept_rules(model)[:2] == [("ip", "ssh_sources_v4", 22, "SSH"), ("ip6", "ssh_sources_v6", 22, "SSH")]


def test_model_ssh_sources_ipv4_only_close_ipv6():
    model = nft_ruleset_model(settings(nftables_ssh_sources=["198.51.100.0/24"]))
    assert "ssh_sources_v6" not in set_names(model)
    assert [rule for rule in accept_rules(model) if rule[3] == "SSH"] == [("ip", "ssh_sources_v4", 22, "SSH")]


def test_model_ssh_sources_ipv6_only_close_ipv4():
    model = nft_ruleset_model(settings(nftables_ssh_sources=["2001:db8::5"]))
    assert "ssh_sources_v4" not in set_names(model)
    assert [rule for rule in accept_rules(model) if rule[3] == "SSH"] == [("ip6", "ssh_sources_v6", 22, "SSH")]


@pytest.mark.parametrize(
    ("redirect", "challenge", "http_open"),
    [(True, True, True), (True, False, True), (False, True, True), (False, False, False)],
)
def test_model_http_port_follows_redirect_and_challenge(redirect, challenge, http_open):
    model = nft_ruleset_model(settings(nftables_http_redirect=redirect, nftables_acme_challenge=challenge))
    assert ((None, None, 80, "HTTP") in accept_rules(model)) is http_open


def test_model_closed_http_port_may_equal_nodered_port():
    model = nft_ruleset_model(
        settings(nftables_http_redirect=False, nftables_acme_challenge=False, nftables_http_port=1880)
    )
    assert [rule[2] for rule in accept_rules(model)] == [22, 443]


def test_model_ports_follow_settings():
    model = nft_ruleset_model(settings(nftables_ssh_port=2200, nftables_https_port=8443, nftables_http_port=8080))
    assert [rule[2] for rule in accept_rules(model)] == [2200, 8443, 8080]
    assert {limit["port"] for limit in model["ssh_rate_limits"]} == {2200}


def test_model_ports_as_digit_strings():
    model = nft_ruleset_model(settings(nftables_ssh_port="22", nftables_https_port="443", nftables_nodered_port="1880"))
    assert [rule[2] for rule in accept_rules(model)] == [22, 443, 80]


def test_model_never_opens_nodered_port():
    for redirect in (True, False):
        model = nft_ruleset_model(settings(nftables_http_redirect=redirect, nftables_nodered_port=1880))
        assert 1880 not in [rule[2] for rule in accept_rules(model)]


def test_model_cloudflare_only():
    model = nft_ruleset_model(settings(nftables_cloudflare_only=True, nftables_cloudflare_ranges=CLOUDFLARE))
    assert set_elements(model, "cloudflare_v4") == ["198.51.100.0/24", "203.0.113.0/24"]
    assert set_elements(model, "cloudflare_v6") == ["2001:db8:cf::/48"]
    assert accept_rules(model) == [
        (None, None, 22, "SSH"),
        ("ip", "cloudflare_v4", 443, "HTTPS from Cloudflare"),
        ("ip6", "cloudflare_v6", 443, "HTTPS from Cloudflare"),
        ("ip", "cloudflare_v4", 80, "HTTP from Cloudflare"),
        ("ip6", "cloudflare_v6", 80, "HTTP from Cloudflare"),
    ]


def test_model_cloudflare_ranges_ignored_when_off():
    model = nft_ruleset_model(settings(nftables_cloudflare_ranges={"nonsense": True}))
    assert "cloudflare_v4" not in set_names(model)


def test_model_log_off():
    assert nft_ruleset_model(settings(nftables_log_drops_per_minute=0))["log_per_minute"] == 0


def test_model_filter_registration():
    assert ModelModule().filters() == {"nft_ruleset_model": nft_ruleset_model}
    assert AddressesModule().filters() == {"nft_addresses": nft_addresses}


def test_model_input_keys_match_defaults():
    assert sorted(MODEL_INPUT_KEYS) == sorted(DEFAULT_SETTINGS)


# nft_ruleset_model: invalid input, with the exact message

NODERED_CONFLICT = (
    "is 1880, which is Node-RED's port (nftables_nodered_port (default from moat_nodered_port)). Node-RED listens "
    "on loopback behind the reverse proxy and its port is never opened, so give {variable} another port"
)

INVALID_SETTINGS = {
    "HTTPS on Node-RED's port": (
        {"nftables_https_port": 1880},
        "nftables_https_port (default from moat_https_port) " + NODERED_CONFLICT.format(variable="nftables_https_port"),
    ),
    "open HTTP on Node-RED's port": (
        {"nftables_http_port": 1880},
        "nftables_http_port (default from moat_http_port) " + NODERED_CONFLICT.format(variable="nftables_http_port"),
    ),
    "SSH on Node-RED's port": (
        {"nftables_ssh_port": 1880},
        "nftables_ssh_port (default from ansible_port) " + NODERED_CONFLICT.format(variable="nftables_ssh_port"),
    ),
    "moved Node-RED port still checked": (
        {"nftables_nodered_port": 8443, "nftables_https_port": 8443},
        "nftables_https_port (default from moat_https_port) is 8443, which is Node-RED's port "
        "(nftables_nodered_port (default from moat_nodered_port)). Node-RED listens on loopback behind the "
        "reverse proxy and its port is never opened, so give nftables_https_port another port",
    ),
    "HTTP and HTTPS on one port": (
        {"nftables_http_port": 443},
        "nftables_https_port (default from moat_https_port) and nftables_http_port (default from moat_http_port) "
        "are both 443, but two services cannot listen on one port; give one of them another port",
    ),
    "SSH and HTTPS on one port": (
        {"nftables_ssh_port": 443},
        "nftables_ssh_port (default from ansible_port) and nftables_https_port (default from moat_https_port) "
        "are both 443, but two services cannot listen on one port; give one of them another port",
    ),
    "port 0": (
        {"nftables_https_port": 0},
        "nftables_https_port (default from moat_https_port) is 0, but it must be a TCP port from 1 to 65535",
    ),
    "port 65536": (
        {"nftables_ssh_port": 65536},
        "nftables_ssh_port (default from ansible_port) is 65536, but it must be a TCP port from 1 to 65535",
    ),
    "port as words": (
        {"nftables_http_port": "eighty"},
        "nftables_http_port (default from moat_http_port) is 'eighty', but it must be a TCP port from 1 to 65535",
    ),
    "port as boolean": (
        {"nftables_nodered_port": True},
        "nftables_nodered_port (default from moat_nodered_port) is True, but it must be a TCP port from 1 to 65535",
    ),
    "port as negative string": (
        {"nftables_https_port": "-443"},
        "nftables_https_port (default from moat_https_port) is '-443', but it must be a TCP port from 1 to 65535",
    ),
    "boolean as string": (
        {"nftables_http_redirect": "yes"},
        "nftables_http_redirect (default from moat_http_redirect) is 'yes', but it must be true or false",
    ),
    "Cloudflare switch as string": (
        {"nftables_cloudflare_only": "false"},
        "nftables_cloudflare_only (default from moat_cloudflare_only) is 'false', but it must be true or false",
    ),
    "table name with a space": (
        {"nftables_table": "moat nodered"},
        "nftables_table is 'moat nodered', but it must be 1 to 32 ASCII letters, digits and underscores "
        "starting with a letter",
    ),
    "table name with a brace": (
        {"nftables_table": "x}; flush ruleset; table inet y {"},
        "nftables_table is 'x}; flush ruleset; table inet y {', but it must be 1 to 32 ASCII letters, digits "
        "and underscores starting with a letter",
    ),
    "table name too long": (
        {"nftables_table": "t" * 33},
        f"nftables_table is '{'t' * 33}', but it must be 1 to 32 ASCII letters, digits and underscores "
        "starting with a letter",
    ),
    "rate out of range": (
        {"nftables_ssh_rate_per_minute": -1},
        "nftables_ssh_rate_per_minute is -1, but it must be an integer from 0 to 10000",
    ),
    "burst zero": (
        {"nftables_ssh_rate_burst": 0},
        "nftables_ssh_rate_burst is 0, but it must be an integer from 1 to 10000",
    ),
    "log rate as float": (
        {"nftables_log_drops_per_minute": 2.5},
        "nftables_log_drops_per_minute is 2.5, but it must be an integer from 0 to 10000",
    ),
    "bad SSH source": (
        {"nftables_ssh_sources": ["192.0.2.0/24", "192.0.2.300"]},
        "nftables_ssh_sources[1] is '192.0.2.300', which is not an IPv4 or IPv6 address or a network in CIDR "
        f"form; write it {EXAMPLES}",
    ),
    "Cloudflare ranges not a mapping": (
        {"nftables_cloudflare_only": True, "nftables_cloudflare_ranges": ["198.51.100.0/24"]},
        "nftables_cloudflare_ranges (default from moat_cloudflare_ranges) must be a mapping with the keys date, "
        "ipv4 and ipv6, got list",
    ),
    "Cloudflare ranges without date": (
        {"nftables_cloudflare_only": True, "nftables_cloudflare_ranges": {"ipv4": [], "ipv6": []}},
        "nftables_cloudflare_ranges (default from moat_cloudflare_ranges) is missing these keys: date",
    ),
    "Cloudflare IPv6 range in the IPv4 list": (
        {
            "nftables_cloudflare_only": True,
            "nftables_cloudflare_ranges": {"date": "x", "ipv4": ["2001:db8::/32"], "ipv6": ["2001:db8::/32"]},
        },
        "nftables_cloudflare_ranges.ipv4 contains 2001:db8::/32, which is an IPv6 network; move it to the ipv6 list",
    ),
    "Cloudflare IPv6 list empty": (
        {
            "nftables_cloudflare_only": True,
            "nftables_cloudflare_ranges": {"date": "x", "ipv4": ["198.51.100.0/24"], "ipv6": []},
        },
        "nftables_cloudflare_ranges.ipv6 is empty, so Cloudflare could not reach the proxy over ipv6",
    ),
    "Cloudflare bad range": (
        {
            "nftables_cloudflare_only": True,
            "nftables_cloudflare_ranges": {"date": "x", "ipv4": ["198.51.100.1/24"], "ipv6": ["2001:db8::/32"]},
        },
        "nftables_cloudflare_ranges.ipv4[0] is '198.51.100.1/24', which has host bits set after the prefix; write "
        "the network as 198.51.100.0/24 or the single address without a prefix length",
    ),
}


@pytest.mark.parametrize(("changes", "message"), INVALID_SETTINGS.values(), ids=INVALID_SETTINGS.keys())
def test_model_invalid_message(changes, message):
    with pytest.raises(AnsibleFilterError) as error:
        nft_ruleset_model(settings(**changes))
    assert error.value.message == MODEL_PREFIX + message


def test_model_missing_key():
    incomplete = settings()
    del incomplete["nftables_nodered_port"]
    with pytest.raises(AnsibleFilterError) as error:
        nft_ruleset_model(incomplete)
    assert error.value.message == MODEL_PREFIX + "the input is missing these keys: nftables_nodered_port"


def test_model_input_must_be_mapping():
    with pytest.raises(AnsibleFilterError) as error:
        nft_ruleset_model(["nftables_table"])
    assert error.value.message == MODEL_PREFIX + "the input must be a mapping of role variables, got list"
