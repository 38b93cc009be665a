# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the exposure audit's plan and findings."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.audit_findings import FilterModule as FindingsFilters
from ansible_collections.moat.nodered.plugins.filter.audit_findings import audit_findings
from ansible_collections.moat.nodered.plugins.filter.audit_plan import FilterModule as PlanFilters
from ansible_collections.moat.nodered.plugins.filter.audit_plan import audit_plan
from ansible_collections.moat.nodered.plugins.module_utils.routes import build_route_model

ROUTE_SETTINGS = {
    "admin_root": "/",
    "node_root": "/",
    "dashboards": [{"type": "dashboard1", "path": "ui"}, {"type": "dashboard2", "path": "dashboard"}],
    "websocket_endpoints": [{"name": "echo", "path": "ws/echo"}],
    "http_endpoints": [{"name": "hello", "path": "hello"}, {"name": "status", "path": "status"}],
    "static_root": "/static/",
    "public_routes": ["http-in:status"],
}

HEADERS = [
    {"name": "Strict-Transport-Security", "value": "max-age=31536000"},
    {"name": "X-Frame-Options", "value": "SAMEORIGIN"},
]


def settings(**changes) -> dict:
    base = {
        "domain": "nodered.example.test",
        "address": "192.0.2.10",
        "https_port": 443,
        "http_port": 80,
        "routes": build_route_model(ROUTE_SETTINGS)["routes"],
        "security_headers": HEADERS,
        "allowed_ports": [22, 80, 443],
        "required_ports": [80, 443],
        "forbidden_ports": [1880, 8402],
        "scan_ports": [8080],
    }
    base.update(changes)
    return base


def checks_by_id(**changes) -> dict[str, dict]:
    return {check["id"]: check for check in audit_plan(settings(**changes))}


def test_filters_are_registered():
    assert PlanFilters().filters()["audit_plan"] is audit_plan
    assert FindingsFilters().filters()["audit_findings"] is audit_findings


def test_every_https_route_has_a_check():
    routes = build_route_model(ROUTE_SETTINGS)["routes"]
    checked = {check.get("route") for check in audit_plan(settings())}
    assert {route["name"] for route in routes} - checked == set()


def test_login_runs_before_token_checks():
    plan = audit_plan(settings())
    modes = [check["mode"] for check in plan]
    first_bearer = next(index for index, check in enumerate(plan) if check.get("auth") == "bearer")
    assert modes.index("login") < first_bearer


def test_one_wrong_basic_auth_request():
    wrong = [check for check in audit_plan(settings()) if check.get("auth") == "basic-wrong"]
    assert len(wrong) == 1


def test_failed_login_uses_unknown_user():
    check = checks_by_id()["route admin-login: login with a wrong password refused"]
    assert check["form"]["username"] == "moat-audit-unknown-user"


@pytest.mark.parametrize(
    ("check_id", "expect"),
    [
        ("tls: TLS 1.0 refused", {"handshake": False}),
        ("tls: TLS 1.1 refused", {"handshake": False}),
        ("tls: TLS 1.3 accepted", {"handshake": True, "version": "TLSv1.3"}),
        ("route dashboard1: anonymous request", {"status": [401]}),
        ("route http-in:status: public without credentials", {"status_not": [None, 401]}),
        ("route websocket-in:echo: anonymous upgrade refused", {"status": [401]}),
        ("route websocket-in:echo: cross-site Origin refused", {"status": [403]}),
        ("route editor-comms: no data without a token", {"status": [101], "received": []}),
        ("route dashboard2-debug: always refused", {"status": [403]}),
        ("route static: anonymous request", {"status": [401]}),
        ("redirect: HTTP responds with a permanent redirect to HTTPS",
         {"status": [301, 308], "location": "https://nodered.example.test/moat-audit/redirect?probe=1"}),
        ("ports: only the declared TCP ports accept connections",
         {"allowed": [22, 80, 443], "required": [80, 443], "forbidden": [1880, 8402]}),
    ],
)
def test_expectations(check_id, expect):
    assert checks_by_id()[check_id]["expect"] == expect


def test_non_default_port_in_origin_and_connect():
    check = checks_by_id(https_port=8443, address="2001:db8::10")["route dashboard1: anonymous request"]
    assert check["url"] == "https://nodered.example.test:8443/ui/"
    assert check["connect"] == "[2001:db8::10]:8443"


def test_sub_path_catch_all_probe():
    routes = build_route_model(dict(ROUTE_SETTINGS, admin_root="/nodered/", node_root="/nodered/"))["routes"]
    check = checks_by_id(routes=routes, node_root="/nodered/")["route http-in: anonymous request"]
    assert check["url"] == "https://nodered.example.test/nodered/moat-audit-probe"


def test_restricted_editor_accepts_403():
    routes = build_route_model(dict(ROUTE_SETTINGS, editor_allowed_sources=["198.51.100.0/24"]))["routes"]
    assert checks_by_id(routes=routes)["route editor: anonymous request"]["expect"]["status"] == [200, 403]


def test_redirect_off_and_acme_off_expects_closed_http():
    plan = checks_by_id(http_redirect=False, acme_challenge=False)
    assert plan["redirect: HTTP port closed when neither redirect nor ACME is on"]["expect"] == {"status": [None]}


def test_scan_includes_declared_and_forbidden_ports():
    check = checks_by_id()["ports: only the declared TCP ports accept connections"]
    assert check["ports"] == [22, 80, 443, 1880, 8080, 8402]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"domain": ""}, "'domain' and 'address' must not be empty"),
        ({"https_port": 0}, "'https_port' must be a TCP port from 1 to 65535, got 0"),
        ({"http_port": "eighty"}, "'http_port' must be a TCP port from 1 to 65535, got 'eighty'"),
        ({"https_port": True}, "'https_port' must be a TCP port from 1 to 65535, got True"),
        ({"routes": "editor"}, "'routes' must be list, got str"),
        ({"routes": [{"kind": "editor"}]}, "every route must be a mapping with 'name' and 'kind', got {'kind': 'editor'}"),
        ({"security_headers": [{"value": "x"}]},
         "every security header must be a mapping with 'name' and 'value', got {'value': 'x'}"),
        ({"allowed_ports": "22"}, "'allowed_ports' must be a list of TCP ports, got str"),
        ({"forbidden_ports": [80]}, "ports [80] are both forbidden and allowed; remove them from one list"),
        ({"certificate_warning_days": 3, "certificate_critical_days": 7},
         "'certificate_warning_days' (3) must be at least 'certificate_critical_days' (7), which must be 0 or more"),
        ({"port_timeout": "abc"}, "'port_timeout' must be a number of seconds above 0, got 'abc'"),
        ({"port_timeout": 0}, "'port_timeout' must be a number of seconds above 0, got 0"),
        ({"timeout": -1}, "'timeout' must be a number of seconds above 0, got -1"),
        ({"timeout": None}, "'timeout' must be a number of seconds above 0, got None"),
        ({"timeout": True}, "'timeout' must be a number of seconds above 0, got True"),
    ],
)
def test_plan_rejects(changes, message):
    with pytest.raises(AnsibleFilterError) as error:
        audit_plan(settings(**changes))
    assert str(error.value) == f"moat.nodered.audit_plan: {message}"


def test_plan_rejects_missing_key():
    bad = settings()
    del bad["routes"]
    with pytest.raises(AnsibleFilterError, match="the audit settings lack 'routes'"):
        audit_plan(bad)


def test_unknown_route_kind_warns():
    routes = copy.deepcopy(build_route_model(ROUTE_SETTINGS)["routes"]) + [
        {"name": "future", "kind": "future-kind", "listener": "https", "action": "proxy"}
    ]
    plan = [check for check in audit_plan(settings(routes=routes)) if check.get("route") == "future"]
    findings = audit_findings(plan, [{"id": plan[0]["id"], "status": None}])
    assert findings[0]["outcome"] == "warning"


# Findings.


def finding(check_id: str, result: dict, **changes) -> dict:
    check = checks_by_id(**changes)[check_id]
    return audit_findings([check], [dict(result, id=check_id)])[0]


@pytest.mark.parametrize(
    ("check_id", "result", "outcome", "details"),
    [
        ("route dashboard1: anonymous request", {"status": 401}, "passed", []),
        ("route dashboard1: anonymous request", {"status": 200}, "failed", ["expected status 401, got 200"]),
        ("route dashboard1: anonymous request", {"status": None, "error": "ConnectionRefusedError: refused"},
         "failed", ["expected status 401, got no response (ConnectionRefusedError: refused)"]),
        ("route http-in:status: public without credentials", {"status": 404}, "passed", []),
        ("route http-in:status: public without credentials", {"status": 401}, "failed",
         ["expected a response other than 401, got 401"]),
        ("route editor-comms: no data without a token", {"status": 101, "received": []}, "passed", []),
        ("route editor-comms: no data without a token", {"status": 101, "received": ['{"topic":"x"}']}, "failed",
         ["expected the messages [], got ['{\"topic\":\"x\"}']"]),
        ("tls: TLS 1.1 refused", {"status": None, "reason": "TLSV1_ALERT_PROTOCOL_VERSION"}, "passed", []),
        ("tls: TLS 1.1 refused",
         {"status": None, "error": "gaierror: [Errno -2] Name or service not known", "connected": False}, "failed",
         ["expected the server to refuse the handshake, but the TCP connection failed "
          "(gaierror: [Errno -2] Name or service not known)"]),
        ("host: unknown TLS server name refused",
         {"status": None, "error": "ConnectionRefusedError: [Errno 111] Connection refused", "connected": False},
         "failed", ["expected the server to refuse the handshake, but the TCP connection failed "
                    "(ConnectionRefusedError: [Errno 111] Connection refused)"]),
        ("tls: TLS 1.1 refused", {"status": "handshake", "version": "TLSv1.1", "cipher": "ECDHE-RSA-AES128-SHA"},
         "failed", ["expected the handshake to fail, but the server accepted TLSv1.1 with ECDHE-RSA-AES128-SHA"]),
        ("tls: TLS 1.2 accepted with an ECDHE AEAD suite",
         {"status": "handshake", "version": "TLSv1.2", "cipher": "ECDHE-ECDSA-AES128-GCM-SHA256"}, "passed", []),
        ("tls: TLS 1.2 accepted with an ECDHE AEAD suite",
         {"status": "handshake", "version": "TLSv1.2", "cipher": "ECDHE-RSA-AES128-SHA256"}, "failed",
         ["expected an ECDHE suite with AEAD encryption, got ECDHE-RSA-AES128-SHA256"]),
        ("redirect: HTTP responds with a permanent redirect to HTTPS",
         {"status": 301, "headers": {"location": "https://nodered.example.test/moat-audit/redirect?probe=1"}},
         "passed", []),
        ("redirect: HTTP responds with a permanent redirect to HTTPS",
         {"status": 301, "headers": {"location": "http://nodered.example.test/"}}, "failed",
         ["expected Location https://nodered.example.test/moat-audit/redirect?probe=1, got http://nodered.example.test/"]),
        ("headers: editor page",
         {"status": 200, "headers": {"strict-transport-security": "max-age=31536000", "x-frame-options": "SAMEORIGIN",
                                     "server": "nginx"}}, "passed", []),
        ("headers: editor page",
         {"status": 200, "headers": {"x-frame-options": "DENY", "x-powered-by": "Express", "server": "nginx/1.22.1"}},
         "failed",
         ["strict-transport-security is 'missing', expected 'max-age=31536000'",
          "x-frame-options is 'DENY', expected 'SAMEORIGIN'", "X-Powered-By is present: 'Express'",
          "Server discloses a version: 'nginx/1.22.1'"]),
    ],
)
def test_findings(check_id, result, outcome, details):
    found = finding(check_id, result)
    assert found["outcome"] == outcome
    assert found["details"] == details


def test_tls_observed_without_connection():
    found = finding("tls: TLS 1.0 refused", {"status": None, "error": "TimeoutError: timed out", "connected": False})
    assert found["observed"] == "no connection (TimeoutError: timed out)"


@pytest.mark.parametrize(
    ("result", "outcome", "details"),
    [
        ({"status": "handshake", "trusted": True, "days_left": 60, "not_after": "2026-09-01T00:00:00Z"}, "passed", []),
        ({"status": "handshake", "trusted": True, "days_left": 10, "not_after": "2026-09-01T00:00:00Z"}, "warning",
         ["10 days left, fewer than 21 (expires 2026-09-01T00:00:00Z)"]),
        ({"status": "handshake", "trusted": True, "days_left": 3, "not_after": "2026-09-01T00:00:00Z"}, "failed",
         ["3 days left, fewer than 7 (expires 2026-09-01T00:00:00Z)"]),
        ({"status": "handshake", "trusted": True, "days_left": -1, "not_after": "2026-09-01T00:00:00Z"}, "failed",
         ["the certificate expired on 2026-09-01T00:00:00Z"]),
        ({"status": "handshake", "trusted": False, "error": "the certificate does not verify: self-signed",
          "dns_names": ["other.example.test"], "days_left": 60}, "failed",
         ["the certificate does not verify: self-signed",
          "the certificate does not name nodered.example.test (it names ['other.example.test'])"]),
        ({"status": None, "error": "ConnectionRefusedError: refused"}, "failed",
         ["no certificate could be fetched (ConnectionRefusedError: refused)"]),
    ],
)
def test_certificate_findings(result, outcome, details):
    found = finding("certificate: trusted, names the domain, not expiring", result)
    assert found["outcome"] == outcome
    assert found["details"] == details


@pytest.mark.parametrize(
    ("states", "details"),
    [
        ({"22": "closed", "80": "open", "443": "open", "1880": "closed", "8080": "filtered", "8402": "closed"}, []),
        ({"22": "open", "80": "open", "443": "open", "1880": "open", "8080": "closed", "8402": "closed"},
         ["forbidden ports accept connections: 1880"]),
        ({"22": "closed", "80": "open", "443": "open", "1880": "closed", "8080": "open", "8402": "closed"},
         ["undeclared ports accept connections: 8080"]),
        ({"22": "closed", "80": "filtered", "443": "open", "1880": "closed", "8080": "closed", "8402": "closed"},
         ["declared ports do not accept connections: 80"]),
        ({}, ["the port scan returned nothing", "declared ports do not accept connections: 80, 443"]),
    ],
)
def test_port_findings(states, details):
    found = finding("ports: only the declared TCP ports accept connections", {"status": "scanned", "ports": states})
    assert found["details"] == details
    assert found["outcome"] == ("failed" if details else "passed")


def test_skipped_and_missing_results():
    plan = audit_plan(settings())[:2]
    findings = audit_findings(plan, [{"id": plan[0]["id"], "skipped": "needs a basic-auth user"}])
    assert [(item["outcome"], item["details"]) for item in findings] == [
        ("skipped", ["needs a basic-auth user"]),
        ("failed", ["the probe returned no result for this check"]),
    ]


def test_client_unsupported_is_skipped():
    found = finding("tls: TLS 1.0 refused", {"status": None, "client_unsupported": True, "error": "no protocols"})
    assert found["outcome"] == "skipped"


def test_findings_reject_result_without_id():
    with pytest.raises(AnsibleFilterError) as error:
        audit_findings(audit_plan(settings()), [{"status": 200}])
    assert str(error.value) == "moat.nodered.audit_findings: every result must be a mapping with an 'id', got {'status': 200}"


@pytest.mark.parametrize(("status", "outcome"), [(401, "passed"), (200, "warning"), (404, "failed")])
def test_dashboard1_settings_endpoint(status, outcome):
    found = finding("route dashboard1-admin: anonymous request", {"status": status})
    assert found["outcome"] == outcome
