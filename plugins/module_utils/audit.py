# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exposure audit of a live host: the checks to run, and the findings from their results.

build_audit_plan() turns the route model and the inventory's settings into a list of checks
for the moat.nodered.frontdoor_probe module. They cover TLS versions and cipher suites, the
certificate, the HTTP to HTTPS redirect and the security headers. They also cover the security
contract of every route (WebSockets included), unknown host names, and the TCP ports that
accept connections.
Each check carries the result it expects. audit_findings() compares the module's results
with those expectations and returns one finding per check: passed, failed, warning or
skipped, with what was expected and what came back.

Checks that need credentials name them in "auth" (basic or bearer); the module skips them
when the inventory has no such user. Only two requests per run carry wrong credentials (one
basic-auth request and one login), because fail2ban counts those against the controller.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping, Sequence


class AuditInputError(ValueError):
    """Invalid input for the audit plan; the message names the key and the fix."""


# Cipher suites offered over TLS 1.2 that a server with Mozilla's intermediate settings
# refuses, as OpenSSL cipher strings (OpenSSL 3.0 names).
WEAK_CIPHER_GROUPS = (
    ("finite-field DHE key exchange", "kDHE"),
    ("RSA key exchange without forward secrecy", "kRSA"),
    ("CBC and other non-AEAD suites", "ALL:COMPLEMENTOFALL:!AESGCM:!CHACHA20:!AESCCM:!ARIAGCM"),
    ("anonymous and NULL suites", "aNULL:eNULL"),
)

# A path below httpNodeRoot that no flow is expected to serve; it reaches the "http-in"
# catch-all route.
CATCH_ALL_PROBE_PATH = "moat-audit-probe"
# A user name that no inventory defines, for the failed-login check; Node-RED limits
# failed logins per user name, so the audit never guesses a real admin's password.
UNKNOWN_LOGIN_USER = "moat-audit-unknown-user"
DASHBOARD1_SETTINGS_NOTE = (
    "node-red-dashboard serves GET uisettings without authentication, by its own design; "
    "the response contains only the dashboard's path"
)


def _require(settings: Mapping[str, t.Any], key: str, kind: type | tuple[type, ...]) -> t.Any:
    if key not in settings:
        raise AuditInputError(f"the audit settings lack '{key}'")
    value = settings[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise AuditInputError(f"'{key}' must be {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def _port(settings: Mapping[str, t.Any], key: str) -> int:
    value = settings.get(key)
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise AuditInputError(f"'{key}' must be a TCP port from 1 to 65535, got {value!r}") from None
    if isinstance(value, bool) or not 1 <= port <= 65535:
        raise AuditInputError(f"'{key}' must be a TCP port from 1 to 65535, got {value!r}")
    return port


def _seconds(settings: Mapping[str, t.Any], key: str, default: float) -> float:
    value = settings.get(key, default)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = None
    if isinstance(value, bool) or seconds is None or not seconds > 0:
        raise AuditInputError(f"'{key}' must be a number of seconds above 0, got {value!r}")
    return seconds


def _ports(settings: Mapping[str, t.Any], key: str) -> list[int]:
    values = settings.get(key) or []
    if not isinstance(values, Sequence) or isinstance(values, (str, bytes)):
        raise AuditInputError(f"'{key}' must be a list of TCP ports, got {type(values).__name__}")
    return sorted({_port({key: value}, key) for value in values})


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class _Plan:
    """Collects checks with their category, route and expectation."""

    def __init__(self, connect: str, timeout: float) -> None:
        self.checks: list[dict[str, t.Any]] = []
        self.connect = connect
        self.timeout = timeout

    def add(self, category: str, check_id: str, mode: str, expect: dict[str, t.Any], **options: t.Any) -> None:
        check = {"id": check_id, "category": category, "mode": mode, "expect": expect, "timeout": self.timeout}
        if mode in ("http", "ws", "engineio", "login"):
            check["connect"] = self.connect
        check.update({key: value for key, value in options.items() if value is not None})
        self.checks.append(check)


def build_audit_plan(settings: Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    """Return the checks of an exposure audit; see the module docstring for what they cover."""
    if not isinstance(settings, Mapping):
        raise AuditInputError(f"the audit settings must be a mapping, got {type(settings).__name__}")
    domain = _require(settings, "domain", str)
    address = _require(settings, "address", str)
    if not domain or not address:
        raise AuditInputError("'domain' and 'address' must not be empty")
    https_port = _port(settings, "https_port")
    http_port = _port(settings, "http_port")
    routes = _require(settings, "routes", list)
    headers = _require(settings, "security_headers", list)
    timeout = _seconds(settings, "timeout", 10)

    origin = f"https://{domain}" + ("" if https_port == 443 else f":{https_port}")
    plan = _Plan(_host_port(address, https_port), timeout)
    _tls_checks(plan, settings, origin, address, https_port, domain)
    _redirect_checks(plan, settings, domain, origin, address, http_port)
    _route_checks(plan, settings, routes, origin)
    _header_checks(plan, settings, routes, headers, origin)
    _host_checks(plan, origin, address, https_port)
    _port_checks(plan, settings, address)
    # The login keeps the access token for the checks that send it, so it runs first.
    return sorted(plan.checks, key=lambda check: check["mode"] != "login")


def _tls_checks(plan: _Plan, settings, origin: str, address: str, port: int, domain: str) -> None:
    common = {"address": address, "port": port, "server_name": domain}
    for version, label in (("TLSv1", "TLS 1.0"), ("TLSv1.1", "TLS 1.1")):
        plan.add("tls", f"tls: {label} refused", "tls", {"handshake": False}, max_version=version, **common)
    plan.add("tls", "tls: TLS 1.2 accepted with an ECDHE AEAD suite", "tls",
             {"handshake": True, "version": "TLSv1.2", "cipher_forward_secret_aead": True},
             min_version="TLSv1.2", max_version="TLSv1.2", **common)
    plan.add("tls", "tls: TLS 1.3 accepted", "tls", {"handshake": True, "version": "TLSv1.3"},
             min_version="TLSv1.3", **common)
    for description, ciphers in WEAK_CIPHER_GROUPS:
        plan.add("tls", f"tls: {description} refused", "tls", {"handshake": False},
                 min_version="TLSv1.2", max_version="TLSv1.2", ciphers=ciphers, **common)

    warning_days = int(settings.get("certificate_warning_days", 21))
    critical_days = int(settings.get("certificate_critical_days", 7))
    if critical_days < 0 or warning_days < critical_days:
        raise AuditInputError(
            f"'certificate_warning_days' ({warning_days}) must be at least 'certificate_critical_days' "
            f"({critical_days}), which must be 0 or more"
        )
    plan.add("certificate", "certificate: trusted, names the domain, not expiring", "certificate",
             {"trusted": True, "names": [domain], "critical_days": critical_days, "warning_days": warning_days},
             **common)


def _redirect_checks(plan: _Plan, settings, domain: str, origin: str, address: str, http_port: int) -> None:
    http_origin = f"http://{domain}" + ("" if http_port == 80 else f":{http_port}")
    connect = _host_port(address, http_port)
    if settings.get("http_redirect", True):
        path = "/moat-audit/redirect?probe=1"
        plan.add("redirect", "redirect: HTTP responds with a permanent redirect to HTTPS", "http",
                 {"status": [301, 308], "location": origin + path}, url=http_origin + path, connect=connect)
    elif not settings.get("acme_challenge", True):
        plan.add("redirect", "redirect: HTTP port closed when neither redirect nor ACME is on", "http",
                 {"status": [None]}, url=http_origin + "/", connect=connect)


def _route_checks(plan: _Plan, settings, routes: list, origin: str) -> None:
    ws_origin = "wss://" + origin.split("//", 1)[1]
    cross_origin = settings.get("cross_origin") or "https://moat-audit.example.net"
    node_root = settings.get("node_root", "/")
    wrong_basic_sent = False
    http_origin_for_acme = None

    for route in routes:
        if not isinstance(route, Mapping) or "name" not in route or "kind" not in route:
            raise AuditInputError(f"every route must be a mapping with 'name' and 'kind', got {route!r}")
        name, kind = route["name"], route["kind"]
        if route.get("listener") == "http":
            if kind == "acme-challenge":
                http_origin_for_acme = route
            continue

        url = origin + route.get("sample", "/")
        ws_url = ws_origin + route.get("sample", "/")
        proxy_auth = bool(route.get("proxy_auth"))
        # A route limited to some source networks returns 403 to every other client, which
        # is as safe as the contract, so 403 is accepted there too.
        restricted = bool(route.get("sources"))
        extra = [403] if restricted else []
        basic = "basic" if proxy_auth else None
        anonymous = [401] if proxy_auth else [200]

        def add(case: str, mode: str, expect: dict[str, t.Any], **options: t.Any) -> None:
            if restricted and "status" in expect:
                expect = dict(expect, status=list(expect["status"]) + extra)
            plan.add("routes", f"route {name}: {case}", mode, expect, route=name, **options)

        def wrong_basic_once(target: str, mode: str) -> None:
            nonlocal wrong_basic_sent
            if proxy_auth and not wrong_basic_sent:
                add("wrong credentials refused", mode, {"status": [401]}, url=target, auth="basic-wrong",
                    origin=origin if mode == "ws" else None)
                wrong_basic_sent = True

        action = route.get("action", "proxy")
        if action == "deny":
            add("always refused", "http", {"status": [403]}, url=url)
        elif action == "not-found":
            add("not forwarded", "http", {"status": [404]}, url=url)
        elif kind == "editor":
            add("anonymous request", "http", {"status": anonymous}, url=url)
            wrong_basic_once(url, "http")
        elif kind == "admin-login":
            form = {"client_id": "node-red-editor", "grant_type": "password", "scope": "*",
                    "username": UNKNOWN_LOGIN_USER, "password": "moat-audit-wrong-password"}
            add("login with a wrong password refused", "http", {"status": [400, 401, 403, 429, 500]}, url=url,
                method="POST", form=form, auth=basic)
            add("login of the inventory's admin", "login", {"status": [200], "token": True}, url=url, auth=basic)
        elif name == "dashboard1-admin":
            # node-red-dashboard 3.6 registers GET uisettings without an authentication check
            # (nodes/ui_base.js); it returns only the dashboard's path, so it is a warning.
            add("anonymous request", "http", {"status": [401, 200], "warn_status": [[200, DASHBOARD1_SETTINGS_NOTE]]},
                url=url)
            add("right token accepted", "http", {"status": [200]}, url=url, auth="bearer")
        elif kind == "admin-api":
            methods = route.get("methods") or []
            if methods and "GET" not in methods:
                add("GET refused", "http", {"status": [401, 403]}, url=url, auth="bearer")
            else:
                add("anonymous request", "http", {"status": [401]}, url=url)
                add("wrong token refused", "http", {"status": [401]}, url=url, auth="bearer-wrong")
                add("right token accepted", "http", {"status": [200]}, url=url, auth="bearer")
        elif kind == "editor-comms":
            if proxy_auth:
                add("anonymous upgrade refused", "ws", {"status": [401]}, url=ws_url, origin=origin)
            add("no data without a token", "ws", {"status": [101], "received": []}, url=ws_url, origin=origin,
                auth=basic, receive=1, receive_timeout=2)
            add("wrong token refused", "ws", {"status": [101], "received": ['{"auth":"fail"}']}, url=ws_url,
                origin=origin, auth=basic, send_token="wrong", receive=1)
            add("right token accepted", "ws", {"status": [101], "received": ['{"auth":"ok"}']}, url=ws_url,
                origin=origin, auth=basic, send_token="right", receive=1)
            add("cross-site Origin refused", "ws", {"status": [403]}, url=ws_url, origin=cross_origin, auth=basic)
        elif kind == "dashboard":
            add("anonymous request", "http", {"status": anonymous}, url=url)
            if proxy_auth:
                wrong_basic_once(url, "http")
                add("right credentials accepted", "http", {"status": [200]}, url=url, auth=basic)
        elif kind == "dashboard-socketio":
            add("anonymous polling", "engineio", {"status": [401] if proxy_auth else [200]}, url=url)
            if proxy_auth:
                add("anonymous upgrade refused", "ws", {"status": [401]},
                    url=ws_url + "?EIO=4&transport=websocket", origin=origin)
            add("polling with right credentials", "engineio", {"status": [200], "open": True}, url=url, auth=basic)
            add("cross-site polling refused", "engineio", {"status": [403]}, url=url, auth=basic,
                headers={"Origin": cross_origin})
            add("cross-site upgrade refused", "ws", {"status": [403]}, url=ws_url + "?EIO=4&transport=websocket",
                origin=cross_origin, auth=basic)
        elif kind == "http-in":
            target = url
            if name == "http-in":
                target = origin + node_root + CATCH_ALL_PROBE_PATH
            if proxy_auth:
                add("anonymous request", "http", {"status": [401]}, url=target)
                wrong_basic_once(target, "http")
                add("right credentials pass the proxy", "http", {"status_not": [None, 401]}, url=target, auth=basic)
            else:
                add("public without credentials", "http", {"status_not": [None, 401]}, url=target)
            if name == "http-in":
                ws_target = ws_origin + node_root + CATCH_ALL_PROBE_PATH
                if proxy_auth:
                    add("anonymous upgrade refused", "ws", {"status": [401]}, url=ws_target, origin=origin)
                add("cross-site upgrade refused", "ws", {"status": [403]}, url=ws_target, origin=cross_origin,
                    auth=basic)
        elif kind == "websocket-in":
            if proxy_auth:
                add("anonymous upgrade refused", "ws", {"status": [401]}, url=ws_url, origin=origin)
                wrong_basic_once(ws_url, "ws")
                add("upgrade with right credentials", "ws", {"status": [101]}, url=ws_url, origin=origin, auth=basic)
            else:
                add("public upgrade without credentials", "ws", {"status": [101]}, url=ws_url, origin=origin)
            add("cross-site Origin refused", "ws", {"status": [403]}, url=ws_url, origin=cross_origin, auth=basic)
        elif kind == "static":
            if proxy_auth:
                add("anonymous request", "http", {"status": [401]}, url=url)
            else:
                add("public without credentials", "http", {"status_not": [None]}, url=url)
        else:
            add(f"no audit check for route kind {kind}", "none", {"unchecked": True})

    if http_origin_for_acme is not None:
        http_port = _port(settings, "http_port")
        domain = settings["domain"]
        http_origin = f"http://{domain}" + ("" if http_port == 80 else f":{http_port}")
        sample = http_origin_for_acme.get("sample", "/.well-known/acme-challenge/")
        plan.add("routes", "route acme-challenge: served on HTTP without redirect or authentication", "http",
                 {"status": [404]}, url=http_origin + sample + "moat-audit-missing",
                 connect=_host_port(settings["address"], http_port), route="acme-challenge")


def _header_checks(plan: _Plan, settings, routes: list, headers: list, origin: str) -> None:
    expected = {}
    for header in headers:
        if not isinstance(header, Mapping) or not header.get("name"):
            raise AuditInputError(f"every security header must be a mapping with 'name' and 'value', got {header!r}")
        expected[str(header["name"]).lower()] = str(header.get("value", ""))
    admin_root = settings.get("admin_root", "/")
    plan.add("headers", "headers: editor page", "http", {"headers": expected, "no_version_disclosure": True},
             url=origin + admin_root)
    protected = next((route for route in routes if isinstance(route, Mapping) and route.get("proxy_auth")
                      and route.get("listener") == "https" and route.get("action") == "proxy"
                      and not route.get("websocket")), None)
    if protected is not None:
        plan.add("headers", f"headers: proxy's 401 response ({protected['name']})", "http",
                 {"status": [401], "headers": expected, "no_version_disclosure": True},
                 url=origin + protected.get("sample", "/"))


def _host_checks(plan: _Plan, origin: str, address: str, port: int) -> None:
    plan.add("host", "host: unknown Host header refused", "http", {"status": [421, 400, 403, 404]},
             url=origin + "/", headers={"Host": "moat-audit-unknown.example.net"})
    plan.add("host", "host: unknown TLS server name refused", "tls", {"handshake": False},
             address=address, port=port, server_name="moat-audit-unknown.example.net")
    plan.add("host", "host: TLS without a server name refused", "tls", {"handshake": False},
             address=address, port=port, server_name=None)


def _port_checks(plan: _Plan, settings, address: str) -> None:
    allowed = _ports(settings, "allowed_ports")
    required = _ports(settings, "required_ports")
    forbidden = _ports(settings, "forbidden_ports")
    scan = sorted(set(_ports(settings, "scan_ports")) | set(allowed) | set(required) | set(forbidden))
    overlap = sorted(set(forbidden) & (set(allowed) | set(required)))
    if overlap:
        raise AuditInputError(f"ports {overlap} are both forbidden and allowed; remove them from one list")
    plan.add("ports", "ports: only the declared TCP ports accept connections", "ports",
             {"allowed": sorted(set(allowed) | set(required)), "required": required, "forbidden": forbidden},
             address=address, ports=scan, timeout=_seconds(settings, "port_timeout", 2))


# Evaluation.


def _describe(value: t.Any) -> str:
    if value is None:
        return "no response"
    return str(value)


def _problems(check: Mapping[str, t.Any], result: Mapping[str, t.Any]) -> tuple[list[str], list[str]]:
    """Return the failures and the warnings of one result against its check's expectation."""
    expect = check.get("expect", {})
    failures: list[str] = []
    warnings: list[str] = []
    status = result.get("status")
    error = f" ({result['error']})" if result.get("error") else ""

    if "status" in expect and status not in expect["status"]:
        expected_text = " or ".join(_describe(value) for value in expect["status"])
        failures.append(f"expected status {expected_text}, got {_describe(status)}{error}")
    for warned_status, message in expect.get("warn_status", []):
        if status == warned_status:
            warnings.append(message)
    if "status_not" in expect and status in expect["status_not"]:
        excluded = " or ".join(str(value) for value in expect["status_not"] if value is not None)
        failures.append(f"expected a response other than {excluded}, got {_describe(status)}{error}")
    if "received" in expect and status == 101 and result.get("received", []) != expect["received"]:
        failures.append(f"expected the messages {expect['received']}, got {result.get('received', [])}{error}")
    if "location" in expect and status in (301, 302, 307, 308):
        location = result.get("headers", {}).get("location")
        if location != expect["location"]:
            failures.append(f"expected Location {expect['location']}, got {location}")
    if expect.get("open") and status == 200 and not result.get("open"):
        failures.append("expected an Engine.IO open packet in the polling response")
    if expect.get("token") and status == 200 and not result.get("token"):
        failures.append("expected an access token in the login response")

    if "handshake" in expect:
        shook = result.get("status") == "handshake"
        if expect["handshake"] and not shook:
            failures.append(f"expected a TLS handshake, got none{error}")
        elif not expect["handshake"] and shook:
            failures.append(f"expected the handshake to fail, but the server accepted "
                            f"{result.get('version')} with {result.get('cipher')}")
        elif not expect["handshake"] and result.get("connected") is False:
            # Without a TCP connection the server never saw the offer, so nothing was refused.
            failures.append(f"expected the server to refuse the handshake, but the TCP connection failed{error}")
        if shook and "version" in expect and result.get("version") != expect["version"]:
            failures.append(f"expected {expect['version']}, got {result.get('version')}")
        cipher = result.get("cipher") or ""
        if shook and expect.get("cipher_forward_secret_aead") and not (
            cipher.startswith("ECDHE-") and any(part in cipher for part in ("GCM", "CHACHA20", "CCM"))
        ):
            failures.append(f"expected an ECDHE suite with AEAD encryption, got {cipher}")

    if "headers" in expect and status is not None:
        received = result.get("headers", {})
        for name, value in expect["headers"].items():
            if received.get(name) != value:
                failures.append(f"{name} is {received.get(name, 'missing')!r}, expected {value!r}")
        if "x-powered-by" in received:
            failures.append(f"X-Powered-By is present: {received['x-powered-by']!r}")
        if expect.get("no_version_disclosure") and any(ch.isdigit() for ch in received.get("server", "")):
            failures.append(f"Server discloses a version: {received['server']!r}")
    elif "headers" in expect:
        failures.append(f"expected a response, got none{error}")

    if "trusted" in expect:
        if result.get("status") != "handshake":
            failures.append(f"no certificate could be fetched{error}")
        else:
            if expect["trusted"] and not result.get("trusted"):
                failures.append(result.get("error") or "the certificate does not verify")
            names = result.get("dns_names")
            if names is not None:
                missing = [name for name in expect.get("names", []) if name not in names]
                if missing and result.get("trusted") is not True:
                    failures.append(f"the certificate does not name {', '.join(missing)} (it names {names})")
            days = result.get("days_left")
            if days is None:
                warnings.append("the expiry date could not be read")
            elif days < 0:
                failures.append(f"the certificate expired on {result.get('not_after')}")
            elif days < expect.get("critical_days", 7):
                failures.append(f"{days} days left, fewer than {expect['critical_days']} "
                                f"(expires {result.get('not_after')})")
            elif days < expect.get("warning_days", 21):
                warnings.append(f"{days} days left, fewer than {expect['warning_days']} "
                                f"(expires {result.get('not_after')})")

    if "allowed" in expect:
        states = {int(port): state for port, state in (result.get("ports") or {}).items()}
        if not states:
            failures.append(f"the port scan returned nothing{error}")
        open_ports = sorted(port for port, state in states.items() if state == "open")
        unexpected = [port for port in open_ports if port not in expect["allowed"]]
        forbidden = [port for port in open_ports if port in expect.get("forbidden", [])]
        silent = [port for port in expect.get("required", []) if states.get(port) != "open"]
        if forbidden:
            failures.append(f"forbidden ports accept connections: {', '.join(map(str, forbidden))}")
        others = [port for port in unexpected if port not in forbidden]
        if others:
            failures.append(f"undeclared ports accept connections: {', '.join(map(str, others))}")
        if silent:
            failures.append(f"declared ports do not accept connections: {', '.join(map(str, silent))}")

    if expect.get("unchecked"):
        warnings.append("the audit has no check for this kind of route; check it by hand")
    return failures, warnings


def _observed(check: Mapping[str, t.Any], result: Mapping[str, t.Any]) -> str:
    """Summarise a result in a few words for the report."""
    mode = check.get("mode")
    if result.get("skipped"):
        return "-"
    if mode == "ports":
        states = result.get("ports") or {}
        open_ports = sorted(int(port) for port, state in states.items() if state == "open")
        return f"open: {', '.join(map(str, open_ports)) or 'none'} of {len(states)} scanned"
    if mode == "certificate":
        if result.get("status") != "handshake":
            return result.get("error", "no certificate")
        parts = ["trusted" if result.get("trusted") else "not trusted"]
        if result.get("not_after"):
            parts.append(f"expires {result['not_after']} ({result.get('days_left')} days)")
        if result.get("issuer"):
            parts.append(f"issuer {result['issuer']}")
        return ", ".join(parts)
    if mode == "tls":
        if result.get("status") == "handshake":
            return f"{result.get('version')} {result.get('cipher')}"
        if result.get("connected") is False:
            return f"no connection ({result.get('error')})"
        return f"refused ({result.get('reason') or result.get('error', 'no handshake')})"
    status = result.get("status")
    text = _describe(status)
    if mode == "ws" and status == 101:
        text += f", received {result.get('received', [])}"
    if status is None and result.get("error"):
        text += f" ({result['error']})"
    return text


def audit_findings(plan: Sequence[Mapping[str, t.Any]], results: Sequence[Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    """Compare each result with its check and return one finding per check, in plan order."""
    if not isinstance(plan, Sequence) or not isinstance(results, Sequence):
        raise AuditInputError("the plan and the results must be lists")
    by_id = {}
    for result in results:
        if not isinstance(result, Mapping) or "id" not in result:
            raise AuditInputError(f"every result must be a mapping with an 'id', got {result!r}")
        by_id[result["id"]] = result

    findings = []
    for check in plan:
        result = by_id.get(check["id"])
        finding = {
            "id": check["id"],
            "category": check.get("category", "other"),
            "route": check.get("route"),
            "observed": "-",
            "details": [],
        }
        if result is None:
            finding.update(outcome="failed", details=["the probe returned no result for this check"])
        elif result.get("skipped"):
            finding.update(outcome="skipped", details=[result["skipped"]])
        elif result.get("client_unsupported"):
            finding.update(outcome="skipped", observed=_observed(check, result),
                           details=[f"the controller's TLS library cannot offer this: {result.get('error')}"])
        else:
            failures, warnings = _problems(check, result)
            if failures:
                outcome = "failed"
            elif warnings:
                outcome = "warning"
            else:
                outcome = "passed"
            finding.update(outcome=outcome, observed=_observed(check, result), details=failures + warnings)
        findings.append(finding)
    return findings
