# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check the ddns role's settings and render the configuration of ddclient, inadyn and nsupdate.

The settings are a dict keyed by the role's variable names (ddns_protocol, ddns_hostnames, ...),
so that every problem message names the variable to fix. No message ever contains the value of
a secret (passwords, tokens, TSIG keys).

Facts about the clients, read in their source code:
- ddclient 3.10.0 and 3.11.2 (Debian 12 and 13) read a line that sets a key ending in
  "password" apart from the rest. A value in single quotes is taken literally up to the last
  single quote on the line, with no escapes.
- Every other ddclient value goes through a parser where a backslash escapes the next
  character and quotes group characters. Before that parser runs, "#" starts a comment and
  runs of whitespace collapse to one space. A value that contains "password" followed by "="
  would be mistaken for a password line.
- ddclient silently replaces a "server" value without a dot by the protocol's default server,
  and rounds a daemon interval below 60 seconds up to 60.
- ddclient before 3.11 detects one address per host with use=web or use=if. 3.11 added
  usev4=webv4|ifv4 and usev6=webv6|ifv6, which its dyndns2, DuckDNS and Cloudflare code read.
  The nsupdate code of both versions sends only the address that use= detects, as an A or
  AAAA record, and records only that one in the cache.
- inadyn 2.10 and 2.11 read libConfuse syntax: in single quotes, a backslash escapes a
  backslash or a single quote and every other character is literal.
"""

from __future__ import annotations

import base64
import binascii
import re
import typing as t
import urllib.parse

from ansible_collections.moat.nodered.plugins.module_utils.netaddr_checks import parse_networks

PROVIDERS = ("ddclient", "inadyn")
PROTOCOLS = ("dyndns2", "duckdns", "cloudflare", "nsupdate")
DETECTIONS = ("web", "interface")
TSIG_ALGORITHMS = ("hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512")

# ddclient raises a shorter daemon interval to 60 seconds, and inadyn accepts at most 10 days.
MIN_INTERVAL = 60
MAX_INTERVAL = 864000

# ddclient's usev4/usev6 options, read by its dyndns2, DuckDNS and Cloudflare code, arrived in 3.11.
DDCLIENT_USEV_VERSION = (3, 11)

SECRET_VARIABLES = (
    "ddns_dyndns2_password",
    "ddns_duckdns_token",
    "ddns_cloudflare_api_token",
    "ddns_nsupdate_key_secret",
)

_DNS_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
_HOST_PORT = re.compile(r"(?P<host>(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+)(?::(?P<port>[0-9]{1,5}))?")
_INTERFACE = re.compile(r"[A-Za-z0-9:._-]{1,15}")
_URL_TOKEN = re.compile(r"[A-Za-z0-9._~-]+")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_SCRIPT_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+;=:@%/-]*")
# Characters that ddclient's parser drops or splits on before any quoting applies (comment
# start, whitespace), that a URL cannot carry unencoded, or that HTTP headers cannot carry.
_UNSAFE_VALUE = re.compile(r"[\x00-\x20\x7f#\"'\\,]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class DdnsSettingsError(ValueError):
    """Invalid ddns settings. The message names the variables and never contains a secret."""


def parse_version(version: object) -> tuple[int, ...] | None:
    """Return (major, minor, ...) of a Debian package version such as 3.11.2-2, or None."""
    if not isinstance(version, str):
        return None
    match = re.match(r"(?:[0-9]+:)?([0-9]+(?:\.[0-9]+)*)", version.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def ddclient_uses_usev(version: object) -> bool:
    """Return True when ddclient VERSION reads usev4/usev6 (3.11 and later), False for 3.10 and older."""
    parsed = parse_version(version)
    if parsed is None:
        raise DdnsSettingsError(f"the ddclient version {version!r} is not a version number such as 3.11.2")
    return parsed[:2] >= DDCLIENT_USEV_VERSION


def is_dns_name(value: object) -> bool:
    """Return True for a DNS name of at least two labels, as ddclient and inadyn expect."""
    if not isinstance(value, str) or len(value) > 253 or value.endswith("."):
        return False
    labels = value.split(".")
    return len(labels) >= 2 and all(_DNS_LABEL.fullmatch(label) for label in labels)


def is_in_zone(name: str, zone: str) -> bool:
    name, zone = name.lower(), zone.lower()
    return name == zone or name.endswith("." + zone)


def split_web_url(url: str) -> tuple[str, str, str]:
    """Return (scheme, host[:port], path with query) of an http or https URL."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.netloc, path


def _text(settings: t.Mapping[str, t.Any], name: str) -> str:
    value = settings.get(name)
    return value if isinstance(value, str) else ""


def _problems_web_url(settings: t.Mapping[str, t.Any], name: str, https_required: bool) -> list[str]:
    url = settings.get(name)
    if not isinstance(url, str) or url == "":
        return [f"{name} is empty: set the URL of a web service that answers with the caller's address."]
    if _UNSAFE_VALUE.search(url) or "password" in url:
        return [
            f"{name} ({url!r}) contains whitespace, a control character, one of # \" ' \\ , or the word "
            "'password', which the clients' configuration grammar cannot carry: percent-encode them."
        ]
    scheme, netloc, _path = split_web_url(url)
    if scheme not in ("http", "https") or not _HOST_PORT.fullmatch(netloc):
        return [f"{name} ({url!r}) must be an http:// or https:// URL with a host name or IPv4 address, such as https://api.ipify.org/."]
    if https_required and scheme != "https":
        return [
            f"{name} ({url!r}) uses http://, but ddclient fetches every detection URL over HTTPS when the "
            "update itself uses HTTPS: use an https:// URL, or set ddns_dyndns2_ssl: false for a plain-HTTP provider."
        ]
    return []


def _problems_server(settings: t.Mapping[str, t.Any], name: str, purpose: str) -> list[str]:
    server = settings.get(name)
    if not isinstance(server, str) or server == "":
        return [f"{name} is empty: set the {purpose} as a host name or IPv4 address, optionally with :PORT."]
    match = _HOST_PORT.fullmatch(server)
    if match is None or (match.group("port") and not 0 < int(match.group("port")) < 65536):
        return [
            f"{name} ({server!r}) must be a host name with at least one dot, or an IPv4 address, optionally "
            "followed by :PORT (1-65535). ddclient replaces a server without a dot by the protocol's default "
            "server, so a short container or LAN name would send the update elsewhere."
        ]
    return []


def _problems_secret(settings: t.Mapping[str, t.Any], name: str, *, url_token: bool) -> list[str]:
    value = settings.get(name)
    if not isinstance(value, str) or value == "":
        return [f"{name} is empty or not a string: set it, preferably from Ansible Vault."]
    if url_token and not _URL_TOKEN.fullmatch(value):
        return [
            f"{name} contains characters other than letters, digits and . _ ~ -, which the client would "
            "send unencoded in a URL or header: check that the whole token was copied."
        ]
    if _CONTROL.search(value):
        return [
            f"{name} contains a line break or another control character, which neither ddclient's nor "
            "inadyn's configuration grammar can carry: choose a password without control characters."
        ]
    return []


def _problems_common(settings: t.Mapping[str, t.Any]) -> list[str]:
    problems = []
    provider = settings.get("ddns_provider")
    protocol = settings.get("ddns_protocol")
    if provider not in PROVIDERS:
        problems.append(f"ddns_provider must be one of {', '.join(PROVIDERS)}, got {provider!r}.")
    if protocol not in PROTOCOLS:
        problems.append(f"ddns_protocol must be one of {', '.join(PROTOCOLS)}, got {protocol!r}.")
    if provider == "inadyn" and protocol == "nsupdate":
        problems.append(
            "ddns_protocol nsupdate (RFC 2136) is not supported by inadyn: set ddns_provider: ddclient."
        )

    hostnames = settings.get("ddns_hostnames")
    if not isinstance(hostnames, list) or not hostnames:
        problems.append("ddns_hostnames is empty: list the DNS names to update, or set moat_domain.")
    else:
        bad = [name for name in hostnames if not is_dns_name(name)]
        if bad:
            problems.append(
                f"ddns_hostnames contains {', '.join(repr(name) for name in bad)}, which are not DNS names of "
                "at least two labels of letters, digits, hyphens and underscores (no trailing dot)."
            )
        if len({str(name).lower() for name in hostnames}) != len(hostnames):
            problems.append("ddns_hostnames lists a name twice: list each name once.")

    if settings.get("ddns_ipv4") is not True and settings.get("ddns_ipv6") is not True:
        problems.append("ddns_ipv4 and ddns_ipv6 are both false: enable at least one address family.")

    detection = settings.get("ddns_detection")
    if detection not in DETECTIONS:
        problems.append(f"ddns_detection must be one of {', '.join(DETECTIONS)}, got {detection!r}.")
    elif detection == "web":
        https_required = provider == "ddclient" and (
            protocol in ("duckdns", "cloudflare") or (protocol == "dyndns2" and settings.get("ddns_dyndns2_ssl") is True)
        )
        for family in ("ipv4", "ipv6"):
            if settings.get(f"ddns_{family}") is True:
                problems += _problems_web_url(settings, f"ddns_web_url_{family}", https_required)
    else:
        interface = settings.get("ddns_interface")
        if not isinstance(interface, str) or not _INTERFACE.fullmatch(interface):
            problems.append(
                f"ddns_interface ({interface!r}) must be a network interface name of up to 15 letters, "
                "digits and : . _ -, or empty for the interface of the default route."
            )

    interval = settings.get("ddns_interval")
    if isinstance(interval, bool) or not isinstance(interval, int) or not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        problems.append(
            f"ddns_interval must be a number of seconds from {MIN_INTERVAL} to {MAX_INTERVAL}, got {interval!r}. "
            "ddclient raises shorter intervals to 60 seconds on its own."
        )

    allowed = settings.get("ddns_allowed_networks", [])
    try:
        parse_networks(allowed if isinstance(allowed, list) else [allowed])
    except ValueError as error:
        problems.append(f"ddns_allowed_networks: {error}.")
    return problems


def _problems_dyndns2(settings: t.Mapping[str, t.Any]) -> list[str]:
    problems = _problems_server(settings, "ddns_dyndns2_server", "dyndns2 update server")
    script = settings.get("ddns_dyndns2_script")
    if not isinstance(script, str) or not _SCRIPT_PATH.fullmatch(script) or "password" in script:
        problems.append(
            f"ddns_dyndns2_script ({script!r}) must be a URL path such as /nic/update, without a query, "
            "spaces, quotes, commas, backslashes or the word 'password'."
        )
    username = settings.get("ddns_dyndns2_username")
    if not isinstance(username, str) or username == "":
        problems.append("ddns_dyndns2_username is empty: set the account name of the dyndns2 service.")
    elif re.search(r"[\x00-\x20\x7f#:]", username) or "password" in username:
        problems.append(
            "ddns_dyndns2_username contains whitespace, a control character, '#', ':' or the word "
            "'password'. ddclient's grammar cannot carry the first ones, and HTTP Basic authentication "
            "ends the user name at the first ':'."
        )
    problems += _problems_secret(settings, "ddns_dyndns2_password", url_token=False)
    if not isinstance(settings.get("ddns_dyndns2_ssl"), bool):
        problems.append("ddns_dyndns2_ssl must be true or false.")
    return problems


def _problems_duckdns(settings: t.Mapping[str, t.Any]) -> list[str]:
    problems = _problems_secret(settings, "ddns_duckdns_token", url_token=True)
    hostnames = settings.get("ddns_hostnames")
    if isinstance(hostnames, list):
        bad = [name for name in hostnames if not re.fullmatch(r"[A-Za-z0-9-]+\.duckdns\.org", str(name))]
        if bad:
            problems.append(
                f"ddns_hostnames contains {', '.join(repr(name) for name in bad)}: DuckDNS names have the "
                "form NAME.duckdns.org with one label before duckdns.org."
            )
    return problems


def _problems_cloudflare(settings: t.Mapping[str, t.Any]) -> list[str]:
    problems = _problems_secret(settings, "ddns_cloudflare_api_token", url_token=True)
    zone = settings.get("ddns_cloudflare_zone")
    if not is_dns_name(zone):
        problems.append(f"ddns_cloudflare_zone ({zone!r}) must be the DNS zone name at Cloudflare, such as example.com.")
    else:
        problems += _problems_names_in_zone(settings, "ddns_cloudflare_zone", t.cast(str, zone))
    ttl = settings.get("ddns_cloudflare_ttl")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not (ttl == 1 or 60 <= ttl <= 86400):
        problems.append(f"ddns_cloudflare_ttl must be 1 (automatic) or 60 to 86400 seconds, got {ttl!r}.")
    return problems


def _problems_nsupdate(settings: t.Mapping[str, t.Any]) -> list[str]:
    problems = _problems_server(settings, "ddns_nsupdate_server", "DNS server that accepts the updates")
    zone = settings.get("ddns_nsupdate_zone")
    if not is_dns_name(zone):
        problems.append(f"ddns_nsupdate_zone ({zone!r}) must be the name of the zone to update, such as example.com.")
    else:
        problems += _problems_names_in_zone(settings, "ddns_nsupdate_zone", t.cast(str, zone))
    ttl = settings.get("ddns_nsupdate_ttl")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= 2147483647:
        problems.append(f"ddns_nsupdate_ttl must be a number of seconds from 0 to 2147483647, got {ttl!r}.")
    if not is_dns_name(settings.get("ddns_nsupdate_key_name")):
        problems.append(
            f"ddns_nsupdate_key_name ({settings.get('ddns_nsupdate_key_name')!r}) must be the TSIG key name "
            "that the DNS server knows, a DNS name such as ddns-key.example.com."
        )
    algorithm = settings.get("ddns_nsupdate_key_algorithm")
    if algorithm not in TSIG_ALGORITHMS:
        problems.append(f"ddns_nsupdate_key_algorithm must be one of {', '.join(TSIG_ALGORITHMS)}, got {algorithm!r}.")
    secret = settings.get("ddns_nsupdate_key_secret")
    if not isinstance(secret, str) or secret == "":
        problems.append("ddns_nsupdate_key_secret is empty: set the base64 TSIG secret, preferably from Ansible Vault.")
    elif not _BASE64.fullmatch(secret) or not _decodes(secret):
        problems.append(
            "ddns_nsupdate_key_secret is not base64 text as written by tsig-keygen (letters, digits, + and /, "
            "padded with = to a multiple of 4 characters)."
        )
    return problems


def _decodes(secret: str) -> bool:
    try:
        return len(base64.b64decode(secret, validate=True)) > 0
    except binascii.Error:
        return False


def _problems_names_in_zone(settings: t.Mapping[str, t.Any], zone_variable: str, zone: str) -> list[str]:
    hostnames = settings.get("ddns_hostnames")
    if not isinstance(hostnames, list):
        return []
    outside = [name for name in hostnames if isinstance(name, str) and not is_in_zone(name, zone)]
    if not outside:
        return []
    return [f"ddns_hostnames contains {', '.join(repr(name) for name in outside)}, which are not in {zone_variable} ({zone})."]


def _problems_capabilities(settings: t.Mapping[str, t.Any], ddclient_version: object) -> list[str]:
    """Return the combinations that the installed client cannot do."""
    provider = settings.get("ddns_provider")
    protocol = settings.get("ddns_protocol")
    both = settings.get("ddns_ipv4") is True and settings.get("ddns_ipv6") is True
    ipv6_by_interface = settings.get("ddns_ipv6") is True and settings.get("ddns_detection") == "interface"
    problems = []
    if provider == "ddclient":
        if protocol == "nsupdate" and both:
            problems.append(
                "ddns_ipv4 and ddns_ipv6 are both true, but ddclient's nsupdate protocol sends one address per "
                "name (an A or an AAAA record): enable one family, or list the AAAA names in a second play."
            )
        if protocol == "nsupdate" and ipv6_by_interface:
            problems.append(
                "ddclient's nsupdate protocol detects IPv6 addresses only with ddns_detection: web; set "
                "ddns_detection: web and ddns_web_url_ipv6."
            )
        if protocol != "nsupdate" and ddclient_version and not ddclient_uses_usev(ddclient_version):
            if both:
                problems.append(
                    f"ddns_ipv4 and ddns_ipv6 are both true, but ddclient {ddclient_version} sends one address per "
                    "update: enable one family, or use ddns_provider: inadyn, or a distribution with ddclient 3.11 "
                    "or later (Debian 13)."
                )
            if ipv6_by_interface:
                problems.append(
                    f"ddclient {ddclient_version} reads only IPv4 addresses from an interface: set ddns_detection: web "
                    "for IPv6, or use a distribution with ddclient 3.11 or later (Debian 13)."
                )
    elif provider == "inadyn" and ipv6_by_interface:
        problems.append(
            "inadyn reads IPv6 addresses from an interface only as a fallback without a choice of address: "
            "set ddns_detection: web and ddns_web_url_ipv6 for IPv6."
        )
    return problems


def check_settings(settings: object, ddclient_version: object = None) -> list[str]:
    """Return every problem of the settings as a sentence that names the variable, or [] if none.

    With a ddclient_version (such as "3.10.0-2"), the checks also cover what that version of
    ddclient cannot do. Without one, they cover only what no ddclient version can do.
    Messages never contain the value of a variable in SECRET_VARIABLES.
    """
    if not isinstance(settings, dict):
        raise DdnsSettingsError(f"the settings must be a dict of the role's variables, got {type(settings).__name__}")
    problems = _problems_common(settings)
    protocol_checks = {
        "dyndns2": _problems_dyndns2,
        "duckdns": _problems_duckdns,
        "cloudflare": _problems_cloudflare,
        "nsupdate": _problems_nsupdate,
    }
    protocol = settings.get("ddns_protocol")
    if protocol in protocol_checks:
        problems += protocol_checks[t.cast(str, protocol)](settings)
    try:
        problems += _problems_capabilities(settings, ddclient_version)
    except DdnsSettingsError as error:
        problems.append(f"{error}.")
    return problems


def _require_valid(settings: object, ddclient_version: object = None) -> t.Mapping[str, t.Any]:
    problems = check_settings(settings, ddclient_version)
    if problems:
        raise DdnsSettingsError(" ".join(problems))
    return t.cast(t.Mapping[str, t.Any], settings)


# ---------------------------------------------------------------- ddclient


def ddclient_quote(value: str) -> str:
    """Quote a checked non-password value for ddclient: double quotes, with \\ and " escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ddclient_password_line(key: str, value: str) -> str:
    """Return KEY='VALUE' for ddclient, which takes a quoted password literally to the last quote."""
    return f"{key}='{value}'"


def _ddclient_detection_lines(settings: t.Mapping[str, t.Any], usev: bool) -> list[str]:
    web = settings["ddns_detection"] == "web"
    interface = settings.get("ddns_interface", "")
    lines = []
    for family in ("ipv4", "ipv6"):
        if settings.get(f"ddns_{family}") is not True:
            continue
        url = settings.get(f"ddns_web_url_{family}", "")
        # ddclient's nsupdate code sends the address that use= finds and records it in the
        # cache as "ip". With usev4= in 3.11 it still sends the address, but the cache compares
        # "ipv4", which nsupdate never records, so every cycle would count as a change and
        # update again once min-error-interval (5 minutes) has passed.
        if not usev or settings["ddns_protocol"] == "nsupdate":
            # One address per host name: use=web with the URL of the enabled family, or use=if.
            lines.append(f"use=web, web={ddclient_quote(url)}" if web else f"use=if, if={ddclient_quote(interface)}")
        else:
            suffix = family[-2:]
            source = f"web{suffix}" if web else f"if{suffix}"
            value = url if web else interface
            lines.append(f"use{suffix}={source}, {source}={ddclient_quote(value)}")
    return lines


def render_ddclient(
    settings: object,
    ddclient_version: object,
    tsig_key_file: str = "/etc/ddclient/moat-nodered-tsig.key",
    nsupdate_binary: str = "/usr/bin/nsupdate",
) -> str:
    """Return the text of /etc/ddclient.conf for the settings, in the grammar of ddclient_version."""
    if not ddclient_version:
        raise DdnsSettingsError("the ddclient version is missing: pass the installed or candidate version, such as 3.11.2-2")
    usev = ddclient_uses_usev(ddclient_version)
    checked = _require_valid(settings, ddclient_version)
    protocol = checked["ddns_protocol"]

    detection = "use=" if not usev or protocol == "nsupdate" else "usev4= and usev6="
    lines = [f"# Written for ddclient {ddclient_version}, address detection with {detection}"]
    if protocol == "dyndns2":
        ssl = checked["ddns_dyndns2_ssl"]
    else:
        # DuckDNS and Cloudflare updates always use HTTPS. nsupdate does not use HTTP, so the
        # detection URL keeps its own scheme.
        ssl = protocol in ("duckdns", "cloudflare")
    lines.append(f"ssl={'yes' if ssl else 'no'}")
    lines += _ddclient_detection_lines(checked, usev)
    lines.append(f"protocol={protocol}")

    hostnames = list(checked["ddns_hostnames"])
    if protocol == "dyndns2":
        lines += [
            f"server={ddclient_quote(checked['ddns_dyndns2_server'])}",
            f"script={ddclient_quote(checked['ddns_dyndns2_script'])}",
            f"login={ddclient_quote(checked['ddns_dyndns2_username'])}",
            ddclient_password_line("password", checked["ddns_dyndns2_password"]),
        ]
    elif protocol == "duckdns":
        # ddclient sends DuckDNS the name without .duckdns.org.
        hostnames = [name[: -len(".duckdns.org")] for name in hostnames]
        lines.append(ddclient_password_line("password", checked["ddns_duckdns_token"]))
    elif protocol == "cloudflare":
        lines += [
            f"zone={ddclient_quote(checked['ddns_cloudflare_zone'])}",
            f"ttl={checked['ddns_cloudflare_ttl']}",
            'login="token"',
            ddclient_password_line("password", checked["ddns_cloudflare_api_token"]),
        ]
    else:
        lines += [
            f"server={ddclient_quote(checked['ddns_nsupdate_server'])}",
            f"zone={ddclient_quote(checked['ddns_nsupdate_zone'])}",
            f"ttl={checked['ddns_nsupdate_ttl']}",
            f"login={ddclient_quote(nsupdate_binary)}",
            # For nsupdate, ddclient passes the "password" to nsupdate -k as the key file.
            ddclient_password_line("password", tsig_key_file),
        ]
    lines.append(",".join(hostnames))
    return "\n".join(lines) + "\n"


def render_tsig_key(settings: object) -> str:
    """Return a key file for nsupdate -k with the TSIG key of the settings."""
    checked = _require_valid(settings)
    if checked["ddns_protocol"] != "nsupdate":
        raise DdnsSettingsError("a TSIG key file is only needed with ddns_protocol: nsupdate")
    return (
        f'key "{checked["ddns_nsupdate_key_name"]}" {{\n'
        f"\talgorithm {checked['ddns_nsupdate_key_algorithm']};\n"
        f'\tsecret "{checked["ddns_nsupdate_key_secret"]}";\n'
        "};\n"
    )


# ---------------------------------------------------------------- inadyn


def inadyn_quote(value: str) -> str:
    """Quote a value for inadyn's libConfuse parser: single quotes, with \\ and ' escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _inadyn_section(settings: t.Mapping[str, t.Any], family: str, index: int) -> list[str]:
    protocol = settings["ddns_protocol"]
    quote = inadyn_quote
    if protocol == "dyndns2":
        header = f"custom dyndns2:{index} {{"
        body = [
            f"username = {quote(settings['ddns_dyndns2_username'])}",
            f"password = {quote(settings['ddns_dyndns2_password'])}",
            f"ssl = {'true' if settings['ddns_dyndns2_ssl'] else 'false'}",
            f"ddns-server = {quote(settings['ddns_dyndns2_server'])}",
            f"ddns-path = {quote(settings['ddns_dyndns2_script'] + '?hostname=%h&myip=%i')}",
        ]
    elif protocol == "duckdns":
        header = f"provider default@duckdns.org:{index} {{"
        body = [f"username = {quote(settings['ddns_duckdns_token'])}"]
    else:
        header = f"provider default@cloudflare.com:{index} {{"
        body = [
            f"username = {quote(settings['ddns_cloudflare_zone'])}",
            f"password = {quote(settings['ddns_cloudflare_api_token'])}",
            f"ttl = {settings['ddns_cloudflare_ttl']}",
            "proxied = false",
        ]

    if settings["ddns_detection"] == "web":
        scheme, server, path = split_web_url(settings[f"ddns_web_url_{family}"])
        body += [
            f"checkip-server = {quote(server)}",
            f"checkip-path = {quote(path)}",
            f"checkip-ssl = {'true' if scheme == 'https' else 'false'}",
        ]
    else:
        body.append(f"iface = {quote(settings['ddns_interface'])}")

    names = ", ".join(quote(name) for name in settings["ddns_hostnames"])
    body.append(f"hostname = {{ {names} }}")
    return [header] + [f"    {line}" for line in body] + ["}"]


def render_inadyn(settings: object) -> str:
    """Return the text of inadyn's configuration file for the settings."""
    checked = _require_valid(settings)
    if checked["ddns_provider"] != "inadyn":
        raise DdnsSettingsError("render_inadyn needs ddns_provider: inadyn")
    lines = [f"period = {checked['ddns_interval']}"]
    if checked.get("ddns_ipv6") is True:
        lines.append("allow-ipv6 = true")
    index = 0
    for family in ("ipv4", "ipv6"):
        if checked.get(f"ddns_{family}") is True:
            index += 1
            lines.append("")
            lines += _inadyn_section(checked, family, index)
    return "\n".join(lines) + "\n"


RENDERERS = {
    "ddclient": render_ddclient,
    "inadyn": render_inadyn,
    "tsig_key": render_tsig_key,
}
