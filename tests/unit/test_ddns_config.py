# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the ddns role's settings checks and its ddclient, inadyn and TSIG key renderers.

Besides exact texts, the tests read every rendered value back with models of the clients'
parsers: ddclient 3.10 and 3.11 (_read_config and parse_assignment in /usr/bin/ddclient of the
Debian packages 3.10.0-2 and 3.11.2-2) and libConfuse 3.3 (src/lexer.l), which inadyn uses.
The models work on UTF-8 bytes, as ddclient does, so that \\s means ASCII whitespace.
The Molecule scenarios ddns-dyndns2 and ddns-nsupdate check the same values against the real
clients.
"""

from __future__ import annotations

import re
import typing as t

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.ddns_render import FilterModule as RenderFilterModule
from ansible_collections.moat.nodered.plugins.filter.ddns_render import ddns_render
from ansible_collections.moat.nodered.plugins.filter.ddns_settings_problems import FilterModule as ProblemsFilterModule
from ansible_collections.moat.nodered.plugins.filter.ddns_settings_problems import ddns_settings_problems
from ansible_collections.moat.nodered.plugins.module_utils.ddns import (
    SECRET_VARIABLES,
    DdnsSettingsError,
    check_settings,
    ddclient_quote,
    ddclient_uses_usev,
    inadyn_quote,
    parse_version,
    render_ddclient,
    render_inadyn,
    render_tsig_key,
)
from ansible_collections.moat.nodered.tests.unit.hostile_inputs import HOSTILE_STRINGS

DDCLIENT_310 = "3.10.0-2"
DDCLIENT_311 = "3.11.2-2"
TSIG_SECRET = "3q2+7wQmJ0nT1xZ8c5VbYkq0Zp9nC2yQvH8s4LdE6aU="
CLOUDFLARE_TOKEN = "Abc_defGHIjkl-0123456789mnopQRSTuvwx-yz"
DUCKDNS_TOKEN = "a7c4d0ad-114e-40ef-ba1d-d217904a50f2"

# The passwords that users reported as mangled, and two more with spaces at the ends.
REPORTED_PASSWORDS = ["p,ss", "pa'ss", 'pa"ss', "pa\\ss", "pa$s#x", "a b", "x=y", " lead", "trail "]
CONTROL_CHARACTERS = {name: text for name, text in HOSTILE_STRINGS.items() if re.search(r"[\x00-\x1f\x7f]", text)}
CARRIED_PASSWORDS = {
    name: text for name, text in HOSTILE_STRINGS.items() if text and name not in CONTROL_CHARACTERS
}
CARRIED_PASSWORDS.update({f"reported {text!r}": text for text in REPORTED_PASSWORDS})


def base_settings(**overrides: t.Any) -> dict[str, t.Any]:
    """Return valid dyndns2 settings, as the role passes them, with overrides applied."""
    settings = {
        "ddns_provider": "ddclient",
        "ddns_protocol": "dyndns2",
        "ddns_hostnames": ["nodered.example.com"],
        "ddns_ipv4": True,
        "ddns_ipv6": False,
        "ddns_detection": "web",
        "ddns_web_url_ipv4": "https://api.ipify.org/",
        "ddns_web_url_ipv6": "https://api6.ipify.org/",
        "ddns_interface": "eth0",
        "ddns_interval": 300,
        "ddns_allowed_networks": [],
        "ddns_dyndns2_server": "members.example.net",
        "ddns_dyndns2_script": "/nic/update",
        "ddns_dyndns2_ssl": True,
        "ddns_dyndns2_username": "moat-user",
        "ddns_dyndns2_password": "correct horse",
        "ddns_duckdns_token": "",
        "ddns_cloudflare_zone": "",
        "ddns_cloudflare_api_token": "",
        "ddns_cloudflare_ttl": 1,
        "ddns_nsupdate_server": "",
        "ddns_nsupdate_zone": "",
        "ddns_nsupdate_ttl": 300,
        "ddns_nsupdate_key_name": "",
        "ddns_nsupdate_key_algorithm": "hmac-sha256",
        "ddns_nsupdate_key_secret": "",
    }
    settings.update(overrides)
    return settings


def duckdns_settings(**overrides: t.Any) -> dict[str, t.Any]:
    values = {
        "ddns_protocol": "duckdns",
        "ddns_hostnames": ["moat.duckdns.org"],
        "ddns_duckdns_token": DUCKDNS_TOKEN,
    }
    values.update(overrides)
    return base_settings(**values)


def cloudflare_settings(**overrides: t.Any) -> dict[str, t.Any]:
    values = {
        "ddns_protocol": "cloudflare",
        "ddns_cloudflare_zone": "example.com",
        "ddns_cloudflare_api_token": CLOUDFLARE_TOKEN,
    }
    values.update(overrides)
    return base_settings(**values)


def nsupdate_settings(**overrides: t.Any) -> dict[str, t.Any]:
    values = {
        "ddns_protocol": "nsupdate",
        "ddns_hostnames": ["nodered.dyn.example.com"],
        "ddns_detection": "interface",
        "ddns_nsupdate_server": "ns1.example.com",
        "ddns_nsupdate_zone": "dyn.example.com",
        "ddns_nsupdate_ttl": 60,
        "ddns_nsupdate_key_name": "ddns-key.example.com",
        "ddns_nsupdate_key_secret": TSIG_SECRET,
    }
    values.update(overrides)
    return base_settings(**values)


# ---------------------------------------------------------------- models of the clients' parsers


def _ddclient_parse_assignment(rest: bytes) -> tuple[bytes | None, bytes, bytes]:
    match = re.match(rb"[,\s]*([a-z][0-9a-z_-]*)=(.*)", rest, re.IGNORECASE)
    if match is None:
        return None, b"", rest
    name, rest = match.group(1), match.group(2)
    value, escape, quote = b"", False, b""
    while rest:
        character = rest[:1]
        if escape:
            value += character
            escape = False
        elif character == b"\\":
            escape = True
        elif quote and character == quote:
            quote = b""
        elif not quote and character in (b"'", b'"'):
            quote = character
        elif not quote and re.match(rb"[\s,]", character):
            break
        else:
            value += character
        rest = rest[1:]
    return name, value, rest


def parse_ddclient(text: str, version: str) -> tuple[dict[str, str], list[str]]:
    """Read a ddclient configuration the way ddclient VERSION does; return (options, hosts)."""
    key = rb"[^#]*?password\S*?" if not ddclient_uses_usev(version) else rb"[^#]*?password"
    password_line = re.compile(rb"([^#]*\s)?(" + key + rb")\s*=\s*('.*'|[^']\S*)(.*)")
    options: dict[str, str] = {}
    hosts: list[str] = []
    continuation = b""
    for line in text.encode("utf-8").split(b"\n"):
        passwords = {}
        match = password_line.match(line)
        if match:
            head, name, value, tail = match.group(1) or b"", match.group(2), match.group(3), match.group(4)
            quoted = re.fullmatch(rb"'(.*)'", value)
            passwords[name] = quoted.group(1) if quoted else value
            line = head + name + b"=dummy" + tail
        line = re.sub(rb"#.*", b"", line)
        line = continuation + line
        if line.endswith(b"\\"):
            continuation = line[:-1]
            continue
        continuation = b""
        line = re.sub(rb"\s+", b" ", line.strip())
        if not line:
            continue
        assigned = {}
        while True:
            name, value, line = _ddclient_parse_assignment(line)
            line = re.sub(rb"^[,\s]+", b"", line)
            if name is None:
                break
            assigned[name] = value
        for name, value in assigned.items():
            options[name.decode()] = passwords.get(name, value).decode("utf-8")
        arguments = re.sub(rb"\s*,\s*", b",", line).split()
        if arguments:
            hosts += arguments[0].decode().split(",")
    return options, hosts


def _confuse_single_quoted(text: str) -> str:
    """Unquote a libConfuse single-quoted string: \\\\ and \\' are escapes, other backslashes stay."""
    assert text.startswith("'"), text
    assert text.endswith("'"), text
    body, result, index = text[1:-1], "", 0
    while index < len(body):
        if body[index] == "\\" and index + 1 < len(body) and body[index + 1] in "\\'":
            result += body[index + 1]
            index += 2
        else:
            assert body[index] != "'", f"unescaped quote in {text!r}"
            result += body[index]
            index += 1
    return result


def parse_inadyn(text: str) -> list[dict[str, t.Any]]:
    """Read the sections of an inadyn configuration that render_inadyn writes."""
    quoted = r"'(?:[^'\\]|\\.)*'"
    sections: list[dict[str, t.Any]] = []
    for line in text.split("\n"):
        line = line.strip(" ")
        header = re.fullmatch(r"(custom|provider) (\S+) \{", line)
        if header:
            sections.append({"_kind": header.group(1), "_name": header.group(2)})
            continue
        setting = re.fullmatch(rf"([a-z-]+) = ({quoted}|\S+)", line)
        names = re.fullmatch(rf"hostname = \{{ ({quoted}(?:, {quoted})*) \}}", line)
        if names:
            sections[-1]["hostname"] = [_confuse_single_quoted(name) for name in re.findall(quoted, names.group(1))]
        elif setting and sections:
            value = setting.group(2)
            sections[-1][setting.group(1)] = _confuse_single_quoted(value) if value.startswith("'") else value
    return sections


# ---------------------------------------------------------------- settings checks


@pytest.mark.parametrize(
    "settings",
    [
        base_settings(),
        base_settings(ddns_provider="inadyn"),
        base_settings(ddns_dyndns2_server="192.0.2.10:8080", ddns_dyndns2_ssl=False, ddns_web_url_ipv4="http://ip.example.net/"),
        base_settings(ddns_ipv4=False, ddns_ipv6=True),
        base_settings(ddns_detection="interface", ddns_interface="enp3s0.100"),
        base_settings(ddns_allowed_networks=["192.168.0.0/16", "fd00::/8"]),
        duckdns_settings(),
        cloudflare_settings(),
        cloudflare_settings(ddns_hostnames=["example.com", "nodered.example.com"], ddns_cloudflare_ttl=120),
        nsupdate_settings(),
        nsupdate_settings(ddns_nsupdate_server="192.0.2.53:5353", ddns_detection="web"),
    ],
    ids=[
        "dyndns2",
        "dyndns2 inadyn",
        "dyndns2 plain HTTP to IPv4 server",
        "IPv6 only",
        "interface",
        "allowed networks",
        "duckdns",
        "cloudflare",
        "cloudflare apex and ttl",
        "nsupdate",
        "nsupdate IPv4 server with port",
    ],
)
def test_valid_settings_have_no_problems(settings: dict[str, t.Any]) -> None:
    assert check_settings(settings) == []
    assert check_settings(settings, DDCLIENT_310) == []
    assert check_settings(settings, DDCLIENT_311) == []


def test_both_families_valid_with_ddclient_311() -> None:
    settings = base_settings(ddns_ipv6=True)
    assert check_settings(settings, DDCLIENT_311) == []


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        (
            {"ddns_provider": "ddns-go"},
            "ddns_provider must be one of ddclient, inadyn, got 'ddns-go'.",
        ),
        (
            {"ddns_hostnames": []},
            "ddns_hostnames is empty: list the DNS names to update, or set moat_domain.",
        ),
        (
            {"ddns_hostnames": ["nodered"]},
            "ddns_hostnames contains 'nodered', which are not DNS names of at least two labels of letters, "
            "digits, hyphens and underscores (no trailing dot).",
        ),
        (
            {"ddns_hostnames": ["a.example.com", "A.example.com"]},
            "ddns_hostnames lists a name twice: list each name once.",
        ),
        (
            {"ddns_ipv4": False},
            "ddns_ipv4 and ddns_ipv6 are both false: enable at least one address family.",
        ),
        (
            {"ddns_web_url_ipv4": "http://ip.example.net/"},
            "ddns_web_url_ipv4 ('http://ip.example.net/') uses http://, but ddclient fetches every detection URL "
            "over HTTPS when the update itself uses HTTPS: use an https:// URL, or set ddns_dyndns2_ssl: false "
            "for a plain-HTTP provider.",
        ),
        (
            {"ddns_web_url_ipv4": "https://ip.example.net/#x"},
            "ddns_web_url_ipv4 ('https://ip.example.net/#x') contains whitespace, a control character, one of "
            "# \" ' \\ , or the word 'password', which the clients' configuration grammar cannot carry: "
            "percent-encode them.",
        ),
        (
            {"ddns_web_url_ipv4": "https://ip.example.net/?password=1"},
            "ddns_web_url_ipv4 ('https://ip.example.net/?password=1') contains whitespace, a control character, "
            "one of # \" ' \\ , or the word 'password', which the clients' configuration grammar cannot carry: "
            "percent-encode them.",
        ),
        (
            {"ddns_web_url_ipv4": "ftp://ip.example.net/"},
            "ddns_web_url_ipv4 ('ftp://ip.example.net/') must be an http:// or https:// URL with a host name or "
            "IPv4 address, such as https://api.ipify.org/.",
        ),
        (
            {"ddns_detection": "interface", "ddns_interface": "eth0; rm -rf /"},
            "ddns_interface ('eth0; rm -rf /') must be a network interface name of up to 15 letters, digits and "
            ": . _ -, or empty for the interface of the default route.",
        ),
        (
            {"ddns_interval": 59},
            "ddns_interval must be a number of seconds from 60 to 864000, got 59. ddclient raises shorter "
            "intervals to 60 seconds on its own.",
        ),
        (
            {"ddns_interval": True},
            "ddns_interval must be a number of seconds from 60 to 864000, got True. ddclient raises shorter "
            "intervals to 60 seconds on its own.",
        ),
        (
            {"ddns_allowed_networks": ["192.168.0.0/33"]},
            "ddns_allowed_networks: '192.168.0.0/33' is not a network in CIDR notation such as 192.168.0.0/16.",
        ),
        (
            {"ddns_dyndns2_server": "dyndns"},
            "ddns_dyndns2_server ('dyndns') must be a host name with at least one dot, or an IPv4 address, "
            "optionally followed by :PORT (1-65535). ddclient replaces a server without a dot by the protocol's "
            "default server, so a short container or LAN name would send the update elsewhere.",
        ),
        (
            {"ddns_dyndns2_server": "members.example.net:70000"},
            "ddns_dyndns2_server ('members.example.net:70000') must be a host name with at least one dot, or an "
            "IPv4 address, optionally followed by :PORT (1-65535). ddclient replaces a server without a dot by "
            "the protocol's default server, so a short container or LAN name would send the update elsewhere.",
        ),
        (
            {"ddns_dyndns2_server": ""},
            "ddns_dyndns2_server is empty: set the dyndns2 update server as a host name or IPv4 address, "
            "optionally with :PORT.",
        ),
        (
            {"ddns_dyndns2_script": "/nic/update?system=dyndns"},
            "ddns_dyndns2_script ('/nic/update?system=dyndns') must be a URL path such as /nic/update, without "
            "a query, spaces, quotes, commas, backslashes or the word 'password'.",
        ),
        (
            {"ddns_dyndns2_username": ""},
            "ddns_dyndns2_username is empty: set the account name of the dyndns2 service.",
        ),
        (
            {"ddns_dyndns2_password": ""},
            "ddns_dyndns2_password is empty or not a string: set it, preferably from Ansible Vault.",
        ),
    ],
)
def test_invalid_setting_problem(overrides: dict[str, t.Any], problem: str) -> None:
    assert check_settings(base_settings(**overrides)) == [problem]


USERNAME_PROBLEM = (
    "ddns_dyndns2_username contains whitespace, a control character, '#', ':' or the word 'password'. "
    "ddclient's grammar cannot carry the first ones, and HTTP Basic authentication ends the user name at "
    "the first ':'."
)


@pytest.mark.parametrize("username", ["user:name", "user name", "user#1", "tab\tname", "mypassword", "new\nline"])
def test_username_that_grammar_cannot_carry(username: str) -> None:
    assert check_settings(base_settings(ddns_dyndns2_username=username)) == [USERNAME_PROBLEM]


@pytest.mark.parametrize("name", sorted(CONTROL_CHARACTERS), ids=sorted(CONTROL_CHARACTERS))
def test_password_with_control_character_rejected(name: str) -> None:
    password = CONTROL_CHARACTERS[name]
    problems = check_settings(base_settings(ddns_dyndns2_password=password))
    assert problems == [
        "ddns_dyndns2_password contains a line break or another control character, which neither ddclient's "
        "nor inadyn's configuration grammar can carry: choose a password without control characters."
    ]


@pytest.mark.parametrize("secret_variable", SECRET_VARIABLES)
@pytest.mark.parametrize("secret", ["top\nsecret-tail", "\x00secret-tail", "tab\tsecret-tail"])
def test_problems_never_contain_secret(secret_variable: str, secret: str) -> None:
    settings = {
        "ddns_dyndns2_password": base_settings,
        "ddns_duckdns_token": duckdns_settings,
        "ddns_cloudflare_api_token": cloudflare_settings,
        "ddns_nsupdate_key_secret": nsupdate_settings,
    }[secret_variable](**{secret_variable: secret})
    problems = check_settings(settings, DDCLIENT_311)
    assert [problem.split(" ", 1)[0] for problem in problems] == [secret_variable]
    assert "secret-tail" not in problems[0]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (
            duckdns_settings(ddns_duckdns_token="abc&def"),
            "ddns_duckdns_token contains characters other than letters, digits and . _ ~ -, which the client would "
            "send unencoded in a URL or header: check that the whole token was copied.",
        ),
        (
            duckdns_settings(ddns_hostnames=["moat.example.com"]),
            "ddns_hostnames contains 'moat.example.com': DuckDNS names have the form NAME.duckdns.org with one "
            "label before duckdns.org.",
        ),
        (
            cloudflare_settings(ddns_hostnames=["nodered.example.org"]),
            "ddns_hostnames contains 'nodered.example.org', which are not in ddns_cloudflare_zone (example.com).",
        ),
        (
            cloudflare_settings(ddns_cloudflare_zone="com"),
            "ddns_cloudflare_zone ('com') must be the DNS zone name at Cloudflare, such as example.com.",
        ),
        (
            cloudflare_settings(ddns_cloudflare_ttl=30),
            "ddns_cloudflare_ttl must be 1 (automatic) or 60 to 86400 seconds, got 30.",
        ),
        (
            cloudflare_settings(ddns_cloudflare_api_token=""),
            "ddns_cloudflare_api_token is empty or not a string: set it, preferably from Ansible Vault.",
        ),
        (
            nsupdate_settings(ddns_nsupdate_key_secret="not base64!"),
            "ddns_nsupdate_key_secret is not base64 text as written by tsig-keygen (letters, digits, + and /, "
            "padded with = to a multiple of 4 characters).",
        ),
        (
            nsupdate_settings(ddns_nsupdate_key_secret="abc"),
            "ddns_nsupdate_key_secret is not base64 text as written by tsig-keygen (letters, digits, + and /, "
            "padded with = to a multiple of 4 characters).",
        ),
        (
            nsupdate_settings(ddns_nsupdate_key_algorithm="hmac-md5"),
            "ddns_nsupdate_key_algorithm must be one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, "
            "hmac-sha512, got 'hmac-md5'.",
        ),
        (
            nsupdate_settings(ddns_nsupdate_key_name='key" { secret'),
            "ddns_nsupdate_key_name ('key\" { secret') must be the TSIG key name that the DNS server knows, a DNS "
            "name such as ddns-key.example.com.",
        ),
        (
            nsupdate_settings(ddns_nsupdate_server="[2001:db8::53]"),
            "ddns_nsupdate_server ('[2001:db8::53]') must be a host name with at least one dot, or an IPv4 "
            "address, optionally followed by :PORT (1-65535). ddclient replaces a server without a dot by the "
            "protocol's default server, so a short container or LAN name would send the update elsewhere.",
        ),
        (
            nsupdate_settings(ddns_hostnames=["nodered.example.com"]),
            "ddns_hostnames contains 'nodered.example.com', which are not in ddns_nsupdate_zone (dyn.example.com).",
        ),
        (
            nsupdate_settings(ddns_provider="inadyn"),
            "ddns_protocol nsupdate (RFC 2136) is not supported by inadyn: set ddns_provider: ddclient.",
        ),
    ],
)
def test_protocol_setting_problem(settings: dict[str, t.Any], problem: str) -> None:
    assert check_settings(settings) == [problem]


@pytest.mark.parametrize(
    ("settings", "version", "problem"),
    [
        (
            base_settings(ddns_ipv6=True),
            DDCLIENT_310,
            "ddns_ipv4 and ddns_ipv6 are both true, but ddclient 3.10.0-2 sends one address per update: enable "
            "one family, or use ddns_provider: inadyn, or a distribution with ddclient 3.11 or later (Debian 13).",
        ),
        (
            base_settings(ddns_ipv4=False, ddns_ipv6=True, ddns_detection="interface"),
            DDCLIENT_310,
            "ddclient 3.10.0-2 reads only IPv4 addresses from an interface: set ddns_detection: web for IPv6, or "
            "use a distribution with ddclient 3.11 or later (Debian 13).",
        ),
        (
            nsupdate_settings(ddns_ipv6=True, ddns_detection="web"),
            DDCLIENT_311,
            "ddns_ipv4 and ddns_ipv6 are both true, but ddclient's nsupdate protocol sends one address per name "
            "(an A or an AAAA record): enable one family, or list the AAAA names in a second play.",
        ),
        (
            nsupdate_settings(ddns_ipv4=False, ddns_ipv6=True),
            DDCLIENT_311,
            "ddclient's nsupdate protocol detects IPv6 addresses only with ddns_detection: web; set "
            "ddns_detection: web and ddns_web_url_ipv6.",
        ),
        (
            base_settings(ddns_provider="inadyn", ddns_ipv6=True, ddns_detection="interface"),
            None,
            "inadyn reads IPv6 addresses from an interface only as a fallback without a choice of address: set "
            "ddns_detection: web and ddns_web_url_ipv6 for IPv6.",
        ),
        (
            base_settings(),
            "unknown",
            "the ddclient version 'unknown' is not a version number such as 3.11.2.",
        ),
    ],
)
def test_capability_problem(settings: dict[str, t.Any], version: str | None, problem: str) -> None:
    assert check_settings(settings, version) == [problem]


def test_version_checks_need_ddclient_version() -> None:
    assert check_settings(base_settings(ddns_ipv6=True)) == []
    assert check_settings(nsupdate_settings(ddns_ipv6=True, ddns_detection="web")) != []


@pytest.mark.parametrize(
    ("version", "expected"),
    [("3.10.0-2", (3, 10, 0)), ("3.11.2-2", (3, 11, 2)), ("1:4.0.0-1", (4, 0, 0)), ("3.9", (3, 9)), ("x", None), (3, None)],
)
def test_parse_version(version: object, expected: tuple[int, ...] | None) -> None:
    assert parse_version(version) == expected


@pytest.mark.parametrize(("version", "usev"), [("3.9.1-1", False), ("3.10.0-2", False), ("3.11.0-1", True), ("3.11.2-2", True), ("4.0.0-1", True)])
def test_ddclient_grammar_by_version(version: str, usev: bool) -> None:
    assert ddclient_uses_usev(version) is usev


# ---------------------------------------------------------------- ddclient rendering


def test_render_ddclient_310_dyndns2() -> None:
    assert render_ddclient(base_settings(), DDCLIENT_310) == (
        "# Written for ddclient 3.10.0-2, address detection with use=\n"
        "ssl=yes\n"
        'use=web, web="https://api.ipify.org/"\n'
        "protocol=dyndns2\n"
        'server="members.example.net"\n'
        'script="/nic/update"\n'
        'login="moat-user"\n'
        "password='correct horse'\n"
        "nodered.example.com\n"
    )


def test_render_ddclient_311_both_families() -> None:
    settings = base_settings(ddns_ipv6=True, ddns_hostnames=["example.com", "nodered.example.com"])
    assert render_ddclient(settings, DDCLIENT_311) == (
        "# Written for ddclient 3.11.2-2, address detection with usev4= and usev6=\n"
        "ssl=yes\n"
        'usev4=webv4, webv4="https://api.ipify.org/"\n'
        'usev6=webv6, webv6="https://api6.ipify.org/"\n'
        "protocol=dyndns2\n"
        'server="members.example.net"\n'
        'script="/nic/update"\n'
        'login="moat-user"\n'
        "password='correct horse'\n"
        "example.com,nodered.example.com\n"
    )


@pytest.mark.parametrize(
    ("version", "detection_lines"),
    [
        (DDCLIENT_310, ['use=if, if="eth0"']),
        (DDCLIENT_311, ['usev4=ifv4, ifv4="eth0"', 'usev6=ifv6, ifv6="eth0"']),
    ],
)
def test_render_ddclient_interface_detection(version: str, detection_lines: list[str]) -> None:
    settings = base_settings(ddns_detection="interface", ddns_ipv6=version == DDCLIENT_311)
    lines = render_ddclient(settings, version).splitlines()
    assert lines[2 : 2 + len(detection_lines)] == detection_lines


@pytest.mark.parametrize("version", [DDCLIENT_310, DDCLIENT_311])
def test_render_ddclient_nsupdate_uses_use_in_every_version(version: str) -> None:
    assert render_ddclient(nsupdate_settings(), version, tsig_key_file="/etc/ddclient/k.key") == (
        f"# Written for ddclient {version}, address detection with use=\n"
        "ssl=no\n"
        'use=if, if="eth0"\n'
        "protocol=nsupdate\n"
        'server="ns1.example.com"\n'
        'zone="dyn.example.com"\n'
        "ttl=60\n"
        'login="/usr/bin/nsupdate"\n'
        "password='/etc/ddclient/k.key'\n"
        "nodered.dyn.example.com\n"
    )


def test_render_ddclient_nsupdate_aaaa_with_web_detection() -> None:
    settings = nsupdate_settings(ddns_ipv4=False, ddns_ipv6=True, ddns_detection="web")
    lines = render_ddclient(settings, DDCLIENT_311).splitlines()
    assert lines[2] == 'use=web, web="https://api6.ipify.org/"'


def test_render_ddclient_duckdns_sends_short_name() -> None:
    assert render_ddclient(duckdns_settings(), DDCLIENT_311) == (
        "# Written for ddclient 3.11.2-2, address detection with usev4= and usev6=\n"
        "ssl=yes\n"
        'usev4=webv4, webv4="https://api.ipify.org/"\n'
        "protocol=duckdns\n"
        f"password='{DUCKDNS_TOKEN}'\n"
        "moat\n"
    )


def test_render_ddclient_cloudflare_uses_api_token() -> None:
    assert render_ddclient(cloudflare_settings(ddns_cloudflare_ttl=120), DDCLIENT_310) == (
        "# Written for ddclient 3.10.0-2, address detection with use=\n"
        "ssl=yes\n"
        'use=web, web="https://api.ipify.org/"\n'
        "protocol=cloudflare\n"
        'zone="example.com"\n'
        "ttl=120\n"
        'login="token"\n'
        f"password='{CLOUDFLARE_TOKEN}'\n"
        "nodered.example.com\n"
    )


@pytest.mark.parametrize("version", [DDCLIENT_310, DDCLIENT_311])
@pytest.mark.parametrize("name", sorted(CARRIED_PASSWORDS), ids=sorted(CARRIED_PASSWORDS))
def test_ddclient_reads_back_password(name: str, version: str) -> None:
    password = CARRIED_PASSWORDS[name]
    text = render_ddclient(base_settings(ddns_dyndns2_password=password), version)
    options, hosts = parse_ddclient(text, version)
    assert options["password"] == password
    assert options["login"] == "moat-user"
    assert options["server"] == "members.example.net"
    assert hosts == ["nodered.example.com"]


@pytest.mark.parametrize("version", [DDCLIENT_310, DDCLIENT_311])
@pytest.mark.parametrize("username", ["moat,o'user\"x\\", "a\\", '"', "'", "user@example.com", "x=y", "Grüße"])
def test_ddclient_reads_back_username(username: str, version: str) -> None:
    text = render_ddclient(base_settings(ddns_dyndns2_username=username), version)
    options, _hosts = parse_ddclient(text, version)
    assert options["login"] == username
    assert options["password"] == "correct horse"


def test_ddclient_misreads_password_word() -> None:
    # A value with "password" and "=" on the line would be read as a password line: the login
    # below would come back as "apassword=dummy" in ddclient 3.10.
    options, _hosts = parse_ddclient('login="apassword=b"\nh.example.com\n', DDCLIENT_310)
    assert options["login"] != "apassword=b"


@pytest.mark.parametrize(
    ("value", "quoted"),
    [("plain", '"plain"'), ('say "hi"', '"say \\"hi\\""'), ("back\\slash", '"back\\\\slash"'), ("it's", '"it\'s"')],
)
def test_ddclient_quote(value: str, quoted: str) -> None:
    assert ddclient_quote(value) == quoted


# ---------------------------------------------------------------- inadyn rendering


def test_render_inadyn_dyndns2_both_families() -> None:
    settings = base_settings(ddns_provider="inadyn", ddns_ipv6=True, ddns_interval=600)
    section = (
        "    username = 'moat-user'\n"
        "    password = 'correct horse'\n"
        "    ssl = true\n"
        "    ddns-server = 'members.example.net'\n"
        "    ddns-path = '/nic/update?hostname=%h&myip=%i'\n"
    )
    assert render_inadyn(settings) == (
        "period = 600\n"
        "allow-ipv6 = true\n"
        "\n"
        "custom dyndns2:1 {\n"
        f"{section}"
        "    checkip-server = 'api.ipify.org'\n"
        "    checkip-path = '/'\n"
        "    checkip-ssl = true\n"
        "    hostname = { 'nodered.example.com' }\n"
        "}\n"
        "\n"
        "custom dyndns2:2 {\n"
        f"{section}"
        "    checkip-server = 'api6.ipify.org'\n"
        "    checkip-path = '/'\n"
        "    checkip-ssl = true\n"
        "    hostname = { 'nodered.example.com' }\n"
        "}\n"
    )


def test_render_inadyn_interface_and_plain_http_server() -> None:
    settings = base_settings(
        ddns_provider="inadyn",
        ddns_detection="interface",
        ddns_dyndns2_ssl=False,
        ddns_dyndns2_server="192.0.2.10:8080",
        ddns_hostnames=["a.example.com", "b.example.com"],
    )
    sections = parse_inadyn(render_inadyn(settings))
    assert len(sections) == 1
    assert sections[0]["iface"] == "eth0"
    assert sections[0]["ssl"] == "false"
    assert sections[0]["ddns-server"] == "192.0.2.10:8080"
    assert sections[0]["hostname"] == ["a.example.com", "b.example.com"]
    assert "checkip-server" not in sections[0]


def test_render_inadyn_checkip_from_url_parts() -> None:
    settings = base_settings(
        ddns_provider="inadyn", ddns_dyndns2_ssl=False, ddns_web_url_ipv4="http://ip.example.net:8080/ip?format=text"
    )
    section = parse_inadyn(render_inadyn(settings))[0]
    assert section["checkip-server"] == "ip.example.net:8080"
    assert section["checkip-path"] == "/ip?format=text"
    assert section["checkip-ssl"] == "false"


def test_render_inadyn_duckdns() -> None:
    sections = parse_inadyn(render_inadyn(duckdns_settings(ddns_provider="inadyn")))
    assert sections[0]["_kind"] == "provider"
    assert sections[0]["_name"] == "default@duckdns.org:1"
    assert sections[0]["username"] == DUCKDNS_TOKEN
    assert sections[0]["hostname"] == ["moat.duckdns.org"]


def test_render_inadyn_cloudflare() -> None:
    sections = parse_inadyn(render_inadyn(cloudflare_settings(ddns_provider="inadyn")))
    assert sections[0]["_name"] == "default@cloudflare.com:1"
    assert sections[0]["username"] == "example.com"
    assert sections[0]["password"] == CLOUDFLARE_TOKEN
    assert sections[0]["ttl"] == "1"
    assert sections[0]["proxied"] == "false"


@pytest.mark.parametrize("name", sorted(CARRIED_PASSWORDS), ids=sorted(CARRIED_PASSWORDS))
def test_inadyn_reads_back_password(name: str) -> None:
    password = CARRIED_PASSWORDS[name]
    settings = base_settings(ddns_provider="inadyn", ddns_dyndns2_password=password, ddns_dyndns2_username="o'user\\")
    section = parse_inadyn(render_inadyn(settings))[0]
    assert section["password"] == password
    assert section["username"] == "o'user\\"


@pytest.mark.parametrize(("value", "quoted"), [("plain", "'plain'"), ("it's", "'it\\'s'"), ("a\\b", "'a\\\\b'"), ('"', "'\"'")])
def test_inadyn_quote(value: str, quoted: str) -> None:
    assert inadyn_quote(value) == quoted


def test_render_inadyn_needs_inadyn_provider() -> None:
    with pytest.raises(DdnsSettingsError) as error:
        render_inadyn(base_settings())
    assert str(error.value) == "render_inadyn needs ddns_provider: inadyn"


# ---------------------------------------------------------------- TSIG key and errors


def test_render_tsig_key() -> None:
    assert render_tsig_key(nsupdate_settings()) == (
        'key "ddns-key.example.com" {\n'
        "\talgorithm hmac-sha256;\n"
        f'\tsecret "{TSIG_SECRET}";\n'
        "};\n"
    )


def test_render_tsig_key_needs_nsupdate() -> None:
    with pytest.raises(DdnsSettingsError) as error:
        render_tsig_key(base_settings())
    assert str(error.value) == "a TSIG key file is only needed with ddns_protocol: nsupdate"


def test_render_rejects_invalid_settings_without_secret() -> None:
    with pytest.raises(DdnsSettingsError) as error:
        render_ddclient(base_settings(ddns_dyndns2_password="line\nsecret-tail"), DDCLIENT_311)
    assert str(error.value).startswith("ddns_dyndns2_password contains a line break")
    assert "secret-tail" not in str(error.value)


def test_render_ddclient_needs_version() -> None:
    with pytest.raises(DdnsSettingsError) as error:
        render_ddclient(base_settings(), "")
    assert str(error.value) == "the ddclient version is missing: pass the installed or candidate version, such as 3.11.2-2"


def test_render_ddclient_rejects_what_version_cannot_do() -> None:
    with pytest.raises(DdnsSettingsError) as error:
        render_ddclient(base_settings(ddns_ipv6=True), DDCLIENT_310)
    assert "ddclient 3.10.0-2 sends one address per update" in str(error.value)


def test_check_settings_needs_dict() -> None:
    with pytest.raises(DdnsSettingsError) as error:
        check_settings(["ddns_protocol"])
    assert str(error.value) == "the settings must be a dict of the role's variables, got list"


# ---------------------------------------------------------------- filters


def test_settings_problems_filter() -> None:
    assert ddns_settings_problems(base_settings(ddns_ipv6=True), ddclient_version=DDCLIENT_310) == [
        "ddns_ipv4 and ddns_ipv6 are both true, but ddclient 3.10.0-2 sends one address per update: enable one "
        "family, or use ddns_provider: inadyn, or a distribution with ddclient 3.11 or later (Debian 13)."
    ]
    assert ddns_settings_problems(base_settings(ddns_ipv6=True)) == []


@pytest.mark.parametrize(
    ("settings", "version", "message"),
    [
        ("text", "", "the settings must be a dict of the role's variables, got str"),
        (base_settings(), 3.11, "ddclient_version must be a string, got float"),
    ],
)
def test_settings_problems_filter_rejects_bad_arguments(settings: object, version: object, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as error:
        ddns_settings_problems(settings, ddclient_version=version)
    assert str(error.value) == f"moat.nodered.ddns_settings_problems: {message}"


def test_render_filter_targets() -> None:
    assert ddns_render(base_settings(), "ddclient", ddclient_version=DDCLIENT_311).startswith("# Written for ddclient 3.11.2-2")
    assert ddns_render(base_settings(ddns_provider="inadyn"), "inadyn").startswith("period = 300\n")
    assert ddns_render(nsupdate_settings(), "tsig_key").startswith('key "ddns-key.example.com" {')


@pytest.mark.parametrize(
    ("settings", "target", "options", "message"),
    [
        (base_settings(), "ddclient.conf", {}, "target must be ddclient, inadyn or tsig_key, got 'ddclient.conf'"),
        (base_settings(), "ddclient", {}, "the ddclient version is missing: pass the installed or candidate version, such as 3.11.2-2"),
        (nsupdate_settings(), "ddclient", {"ddclient_version": DDCLIENT_311, "tsig_key_file": "relative.key"},
         "tsig_key_file must be an absolute path without quotes, backslashes, '#' or whitespace"),
        (nsupdate_settings(), "ddclient", {"ddclient_version": DDCLIENT_311, "nsupdate_binary": "/usr/bin/ns update"},
         "nsupdate_binary must be an absolute path without quotes, backslashes, '#' or whitespace"),
        (base_settings(), "ddclient", {"ddclient_version": 3}, "ddclient_version must be a string, got int"),
        (base_settings(ddns_dyndns2_password="a\rsecret-tail"), "inadyn", {},
         "ddns_dyndns2_password contains a line break or another control character, which neither ddclient's "
         "nor inadyn's configuration grammar can carry: choose a password without control characters."),
    ],
)
def test_render_filter_rejects_bad_arguments(settings: object, target: object, options: dict, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as error:
        ddns_render(settings, target, **options)
    assert str(error.value) == f"moat.nodered.ddns_render: {message}"


def test_filter_modules_export_filters() -> None:
    assert ProblemsFilterModule().filters() == {"ddns_settings_problems": ddns_settings_problems}
    assert RenderFilterModule().filters() == {"ddns_render": ddns_render}
