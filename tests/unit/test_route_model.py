# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the route model filter: route names, matchers, dispatch order, policy and input errors."""

from __future__ import annotations

import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.route_model import FilterModule, route_model
from ansible_collections.moat.nodered.plugins.module_utils.routes import ROUTE_FIELDS
from ansible_collections.moat.nodered.tests.unit.hostile_inputs import HOSTILE_STRINGS

PREFIX = "moat.nodered.route_model: "
# Inserted between two valid characters, so the empty string would leave a valid value.
HOSTILE_INFIXES = {name: text for name, text in HOSTILE_STRINGS.items() if text}

FULL = {
    "admin_root": "/",
    "node_root": "/",
    "dashboards": [{"type": "dashboard1", "path": "ui"}, {"type": "dashboard2", "path": "/dashboard/"}],
    "websocket_endpoints": [{"name": "echo", "path": "/ws/echo"}],
    "http_endpoints": [{"name": "hello", "path": "hello"}, {"name": "status", "path": "api/status"}],
    "static_root": "/static",
    "public_routes": ["http-in:status"],
    "editor_allowed_sources": ["192.0.2.0/24", "2001:db8::/32"],
    "editor_basic_auth": False,
}


def routes_by_name(settings: dict) -> dict[str, dict]:
    return {route["name"]: route for route in route_model(settings)["routes"]}


def resolve(settings: dict, path: str) -> str:
    """Return the route that a proxy following "dispatch" picks for a request path."""
    for entry in route_model(settings)["dispatch"]:
        if entry["match"] == "exact" and path.lower() == entry["path"].lower():
            return entry["route"]
        if entry["match"] == "prefix" and path.lower().startswith(entry["path"].lower()):
            return entry["route"]
    raise AssertionError(f"no route for {path}")


def test_filter_is_registered():
    assert FilterModule().filters()["route_model"] is route_model


def test_every_route_has_every_field():
    for route in route_model(FULL)["routes"]:
        assert tuple(route) == ROUTE_FIELDS, route["name"]


def test_route_names_of_full_configuration():
    assert list(routes_by_name(FULL)) == [
        "editor",
        "admin-login",
        "admin-api",
        "editor-comms",
        "dashboard1-admin",
        "dashboard2-admin",
        "dashboard1",
        "dashboard1-socketio",
        "dashboard2",
        "dashboard2-socketio",
        "dashboard2-debug",
        "http-in:hello",
        "http-in:status",
        "websocket-in:echo",
        "static",
        "http-in",
        "acme-challenge",
    ]


def test_minimal_configuration_routes():
    assert list(routes_by_name({})) == ["editor", "admin-login", "admin-api", "editor-comms", "http-in",
                                        "acme-challenge"]


def test_sub_path_adds_unrouted_catch_all():
    routes = routes_by_name({"admin_root": "/nodered/", "node_root": "/nodered/"})
    assert routes["unrouted"]["action"] == "not-found"
    assert routes["unrouted"]["matchers"] == [{"match": "prefix", "path": "/", "regex": "^/"}]


def test_acme_route_can_be_left_out():
    assert "acme-challenge" not in routes_by_name({"acme_challenge": False})


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/", "editor"),
        ("/red/main.min.js", "editor"),
        ("/vendor/vendor.js", "editor"),
        ("/debug/view/view.html", "editor"),
        ("/auth/token", "admin-login"),
        ("/AUTH/TOKEN", "admin-login"),
        ("/auth/login", "admin-api"),
        ("/flows", "admin-api"),
        ("/flows/state", "admin-api"),
        ("/debug/abc/enable", "admin-api"),
        ("/comms", "editor-comms"),
        ("/uisettings", "dashboard1-admin"),
        ("/dashboard/api/v1/x/flows", "dashboard2-admin"),
        ("/ui", "dashboard1"),
        ("/ui/", "dashboard1"),
        ("/UI/index.html", "dashboard1"),
        ("/ui/socket.io/", "dashboard1-socketio"),
        ("/dashboard/page1", "dashboard2"),
        ("/dashboard/socket.io/", "dashboard2-socketio"),
        ("/dashboard/_debug", "dashboard2-debug"),
        ("/dashboard/_debug/datastore/1", "dashboard2-debug"),
        ("/hello", "http-in:hello"),
        ("/hello/", "http-in:hello"),
        ("/hello/other", "http-in"),
        ("/api/status", "http-in:status"),
        ("/api/status/more", "http-in"),
        ("/ws/echo", "websocket-in:echo"),
        ("/static/logo.png", "static"),
        ("/flowsx", "http-in"),
        ("/settingsfile", "http-in"),
        ("/commsx", "http-in"),
        ("/unnamed", "http-in"),
    ],
)
def test_dispatch_with_shared_root(path, route):
    assert resolve(FULL, path) == route


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/", "unrouted"),
        ("/flows", "unrouted"),
        ("/nodered", "editor"),
        ("/nodered/", "editor"),
        ("/nodered/flows", "admin-api"),
        ("/nodered/comms", "editor-comms"),
        ("/nodered/ui/", "dashboard1"),
        ("/nodered/hello", "http-in:hello"),
        ("/nodered/other", "http-in"),
    ],
)
def test_dispatch_with_sub_path(path, route):
    settings = dict(FULL, admin_root="/nodered/", node_root="/nodered/")
    assert resolve(settings, path) == route


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/admin/", "editor"),
        ("/admin/anything-a-node-registers", "editor"),
        ("/admin/flows", "admin-api"),
        ("/admin/comms", "editor-comms"),
        ("/", "http-in"),
        ("/flows", "http-in"),
        ("/ui/", "dashboard1"),
    ],
)
def test_dispatch_with_separate_roots(path, route):
    settings = dict(FULL, admin_root="/admin/", node_root="/")
    assert resolve(settings, path) == route


def test_dispatch_is_most_specific_first():
    dispatch = route_model(FULL)["dispatch"]
    keys = [(-len(entry["path"]), entry["match"] != "exact") for entry in dispatch]
    assert keys == sorted(keys)


def test_dispatch_leaves_out_http_listener_routes():
    assert "acme-challenge" not in {entry["route"] for entry in route_model(FULL)["dispatch"]}


@pytest.mark.parametrize(
    ("path", "match", "regex"),
    [("/red/", "prefix", "^/red/"), ("/favicon.ico", "exact", r"^/favicon\.ico$")],
)
def test_matcher_regex(path, match, regex):
    matchers = [matcher for route in route_model(FULL)["routes"] for matcher in route["matchers"]]
    assert {"match": match, "path": path, "regex": regex} in matchers


@pytest.mark.parametrize(
    ("name", "node_red_auth", "proxy_auth", "public", "rate_limit"),
    [
        ("editor", True, False, False, "none"),
        ("admin-login", True, False, False, "login"),
        ("admin-api", True, False, False, "none"),
        ("editor-comms", True, False, False, "none"),
        ("dashboard1", False, True, False, "basic"),
        ("dashboard2-socketio", False, True, False, "basic"),
        ("http-in:hello", False, True, False, "basic"),
        ("http-in:status", False, False, True, "none"),
        ("websocket-in:echo", False, True, False, "basic"),
        ("static", False, True, False, "basic"),
        ("http-in", False, True, False, "basic"),
        ("acme-challenge", False, False, True, "none"),
    ],
)
def test_authentication_policy(name, node_red_auth, proxy_auth, public, rate_limit):
    route = routes_by_name(FULL)[name]
    assert route["node_red_auth"] is node_red_auth
    assert route["proxy_auth"] is proxy_auth
    assert route["public"] is public
    assert route["rate_limit"] == rate_limit


@pytest.mark.parametrize(
    ("name", "websocket", "origin_check", "buffering"),
    [
        ("editor", False, "none", True),
        ("editor-comms", True, "all", False),
        ("dashboard1-socketio", True, "all", False),
        ("dashboard2-socketio", True, "all", False),
        ("websocket-in:echo", True, "all", False),
        ("http-in", True, "upgrade", True),
        ("http-in:hello", False, "none", True),
    ],
)
def test_websocket_policy(name, websocket, origin_check, buffering):
    route = routes_by_name(FULL)[name]
    assert route["websocket"] is websocket
    assert route["origin_check"] == origin_check
    assert route["buffering"] is buffering


def test_editor_sources_apply_to_editor_routes_only():
    routes = routes_by_name(FULL)
    for name in ("editor", "admin-login", "admin-api", "editor-comms", "dashboard1-admin"):
        assert routes[name]["sources"] == ["192.0.2.0/24", "2001:db8::/32"], name
    for name in ("dashboard1", "http-in", "websocket-in:echo"):
        assert routes[name]["sources"] == [], name


def test_editor_basic_auth():
    routes = routes_by_name(dict(FULL, editor_basic_auth=True))
    for name in ("editor", "admin-login", "admin-api", "editor-comms"):
        assert routes[name]["proxy_auth"] is True, name
    assert routes["admin-api"]["bearer_bypass"] is True
    assert routes["editor"]["bearer_bypass"] is False
    assert routes["admin-login"]["rate_limit"] == "login"
    assert routes["editor"]["rate_limit"] == "basic"


def test_debug_route_is_denied():
    route = routes_by_name(FULL)["dashboard2-debug"]
    assert route["action"] == "deny"
    assert route["sample"] == "/dashboard/_debug/datastore/probe"


def test_dashboard_admin_methods():
    routes = routes_by_name(FULL)
    assert routes["dashboard2-admin"]["methods"] == ["PATCH", "POST"]
    assert routes["dashboard1-admin"]["methods"] == ["GET", "HEAD"]


def test_admin_extra_paths():
    routes = routes_by_name(dict(FULL, admin_extra_paths=["/serialports"]))
    assert {"match": "exact", "path": "/serialports", "regex": "^/serialports$"} in routes["admin-api"]["matchers"]
    assert resolve(dict(FULL, admin_extra_paths=["serialports"]), "/serialports/x") == "admin-api"


@pytest.mark.parametrize(
    ("name", "sample"),
    [
        ("editor", "/nodered/"),
        ("admin-api", "/nodered/flows"),
        ("admin-login", "/nodered/auth/token"),
        ("editor-comms", "/nodered/comms"),
        ("dashboard1", "/nodered/ui/"),
        ("dashboard1-socketio", "/nodered/ui/socket.io/"),
        ("http-in:hello", "/nodered/hello"),
        ("websocket-in:echo", "/nodered/ws/echo"),
        ("http-in", "/nodered/"),
    ],
)
def test_samples_under_sub_path(name, sample):
    assert routes_by_name(dict(FULL, admin_root="/nodered/", node_root="/nodered/"))[name]["sample"] == sample


def test_sources_are_normalised():
    routes = routes_by_name({"editor_allowed_sources": ["2001:DB8:0::/32", "198.51.100.7/32"]})
    assert routes["editor"]["sources"] == ["2001:db8::/32", "198.51.100.7/32"]


def test_output_is_deterministic():
    assert route_model(FULL) == route_model(FULL)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("/", "the input must be a dict of route settings; got '/' (str)"),
        (
            {"admin": "/"},
            "unknown settings ['admin']; valid settings are ['acme_challenge', 'admin_extra_paths', 'admin_root', "
            "'dashboards', 'editor_allowed_sources', 'editor_basic_auth', 'http_endpoints', 'node_root', "
            "'public_routes', 'static_root', 'websocket_endpoints']",
        ),
        (
            {"admin_root": "/nodered"},
            "moat_nodered_admin_root must be a URL path that starts and ends with '/' and has segments of "
            "letters, digits and '.', '_', '~', '-' only, such as '/' or '/nodered/'; got '/nodered' (str)",
        ),
        (
            {"node_root": "/a/../"},
            "moat_nodered_node_root must not contain '.' or '..' segments; got '/a/../'",
        ),
        (
            {"dashboards": {"type": "dashboard1"}},
            "moat_dashboards must be a list; got {'type': 'dashboard1'} (dict)",
        ),
        (
            {"dashboards": [{"type": "dashboard3", "path": "ui"}]},
            "moat_dashboards[0].type must be one of ['dashboard1', 'dashboard2']; got 'dashboard3' (str)",
        ),
        (
            {"dashboards": [{"type": "dashboard1", "path": "ui", "theme": "dark"}]},
            "moat_dashboards[0] has unknown keys ['theme']; only 'type' and 'path' are valid",
        ),
        (
            {"dashboards": [{"type": "dashboard1", "path": "ui"}, {"type": "dashboard1", "path": "ui2"}]},
            "moat_dashboards lists ['dashboard1'] more than once: each dashboard type can appear once",
        ),
        (
            {"http_endpoints": [{"name": "user", "path": "user/:id"}]},
            "moat_http_endpoints[0].path must be a literal path of segments made of letters, digits and '.', "
            "'_', '~', '-' (no ':param' or '*' parts, no query string), such as 'ui' or 'ws/events'; "
            "got 'user/:id' (str)",
        ),
        (
            {"http_endpoints": [{"name": "Hello", "path": "hello"}]},
            "moat_http_endpoints[0].name must be 1 to 64 lower-case letters, digits, '-' or '_', starting and "
            "ending with a letter or digit; got 'Hello' (str)",
        ),
        (
            {"websocket_endpoints": [{"name": "a", "path": "x"}, {"name": "a", "path": "y"}]},
            "moat_websocket_endpoints has duplicate names ['a']: give each endpoint its own name",
        ),
        (
            {"websocket_endpoints": ["ws/echo"]},
            "moat_websocket_endpoints[0] must be a dict with 'name' and 'path'; got 'ws/echo' (str)",
        ),
        (
            {"static_root": "/"},
            "moat_static_root must be a literal path of segments made of letters, digits and '.', '_', '~', '-' "
            "(no ':param' or '*' parts, no query string), such as 'ui' or 'ws/events'; got '/' (str)",
        ),
        (
            {"public_routes": ["dashboard1"]},
            "moat_public_routes names 'dashboard1', which is not a route of this configuration; routes that can "
            "be public: ['http-in']",
        ),
        (
            {"public_routes": ["editor"]},
            "moat_public_routes names 'editor', which cannot be public: the editor and admin API always "
            "authenticate through Node-RED, and denied or ACME routes have no authentication to remove; "
            "routes that can be public: ['http-in']",
        ),
        (
            {"public_routes": [1]},
            "moat_public_routes[0] must be a route name string; got 1 (int)",
        ),
        (
            {"editor_allowed_sources": ["192.0.2.1/24"]},
            "moat_editor_allowed_sources[0] must be an IPv4 or IPv6 address or network in CIDR form with no host "
            "bits set, such as 192.0.2.0/24 or 2001:db8::/32; got '192.0.2.1/24' (192.0.2.1/24 has host bits set)",
        ),
        (
            {"editor_basic_auth": "yes"},
            "editor_basic_auth must be true or false; got 'yes' (str)",
        ),
        (
            {"http_endpoints": [{"name": "flows", "path": "flows"}]},
            "routes 'admin-api' and 'http-in:flows' both claim the exact path '/flows': move one of them, for "
            "example by changing a dashboard or endpoint path",
        ),
        (
            {"dashboards": [{"type": "dashboard1", "path": "ui"}], "websocket_endpoints": [{"name": "a", "path": "UI"}]},
            "routes 'dashboard1' and 'websocket-in:a' both claim the exact path '/UI': move one of them, for "
            "example by changing a dashboard or endpoint path",
        ),
        (
            {"admin_extra_paths": ["serial/*"]},
            "reverse_proxy_admin_extra_paths[0] must be a literal path of segments made of letters, digits and "
            "'.', '_', '~', '-' (no ':param' or '*' parts, no query string), such as 'ui' or 'ws/events'; "
            "got 'serial/*' (str)",
        ),
    ],
)
def test_invalid_settings(settings, message):
    with pytest.raises(AnsibleFilterError) as error:
        route_model(settings)
    assert str(error.value) == PREFIX + message


@pytest.mark.parametrize("text", list(HOSTILE_STRINGS.values()), ids=list(HOSTILE_STRINGS))
@pytest.mark.parametrize("field", ["admin_root", "node_root"])
def test_hostile_roots_are_rejected(field, text):
    with pytest.raises(AnsibleFilterError, match=re.escape(f"moat_nodered_{field}")):
        route_model({field: f"/{text}/"})


@pytest.mark.parametrize("text", list(HOSTILE_INFIXES.values()), ids=list(HOSTILE_INFIXES))
def test_hostile_endpoint_paths_are_rejected(text):
    with pytest.raises(AnsibleFilterError, match=re.escape("moat_http_endpoints[0].path")):
        route_model({"http_endpoints": [{"name": "x", "path": f"a{text}b"}]})


@pytest.mark.parametrize("text", list(HOSTILE_INFIXES.values()), ids=list(HOSTILE_INFIXES))
def test_hostile_endpoint_names_are_rejected(text):
    with pytest.raises(AnsibleFilterError, match=re.escape("moat_websocket_endpoints[0].name")):
        route_model({"websocket_endpoints": [{"name": f"a{text}b", "path": "ws"}]})


@pytest.mark.parametrize("field", ["name", "path"])
def test_empty_endpoint_field_is_rejected(field):
    endpoint = {"name": "x", "path": "ws", field: ""}
    with pytest.raises(AnsibleFilterError, match=re.escape(f"moat_websocket_endpoints[0].{field}")):
        route_model({"websocket_endpoints": [endpoint]})


def test_over_long_path_is_rejected():
    with pytest.raises(AnsibleFilterError, match=re.escape("moat_http_endpoints[0].path")):
        route_model({"http_endpoints": [{"name": "x", "path": "a" * 201}]})


def test_longest_accepted_path():
    routes = routes_by_name({"http_endpoints": [{"name": "x", "path": "a" * 200}]})
    assert routes["http-in:x"]["sample"] == "/" + "a" * 200
