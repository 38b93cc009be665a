# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Route model of the reverse proxy: which URL paths reach Node-RED, and who authenticates them.

build_route_model() turns Node-RED's paths (httpAdminRoot, httpNodeRoot, dashboards,
WebSocket-in and HTTP-in endpoints, httpStatic) and the access policy into a list of routes.
The nginx and HAProxy templates print that list, and the Molecule verify walks it, so both
proxies enforce the same rules and the tests check exactly those rules.

Matching rules shared by both renderers:
- A matcher is an exact path or a path prefix, compared without regard to case, because
  Express (and so Node-RED) routes paths case-insensitively.
- "dispatch" lists every matcher, longest path first and exact before prefix at equal
  length. The first matcher that matches a request decides its route, which is the same
  result as longest-prefix matching.

When httpAdminRoot and httpNodeRoot are the same path, Node-RED serves the editor and the
HTTP-in endpoints side by side. The model then lists the editor's own paths one by one, as
read from @node-red/editor-api 4.1 and the core nodes that register admin endpoints. Every
other path under that root belongs to the "http-in" catch-all route.
"""

from __future__ import annotations

import ipaddress
import re
import typing as t
from collections.abc import Mapping, Sequence


class RouteModelError(ValueError):
    """Invalid input for the route model; the message names the input and the fix."""


DASHBOARD_TYPES = ("dashboard1", "dashboard2")

# Characters allowed in paths. They need no quoting in nginx or HAProxy configuration,
# and only "." needs escaping in a regular expression.
_SEGMENT = r"[A-Za-z0-9._~-]+"
_ROOT_PATTERN = re.compile(rf"^/(?:{_SEGMENT}/)*$")
_RELATIVE_PATTERN = re.compile(rf"^{_SEGMENT}(?:/{_SEGMENT})*$")
_NAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")
MAX_PATH_LENGTH = 200

# Paths of Node-RED 4.1's editor and admin API below httpAdminRoot, as registered in
# @node-red/editor-api (lib/editor/index.js, lib/admin/index.js, lib/index.js) and by the
# core nodes inject, debug and udp. Each entry is (path, match).
EDITOR_PATHS = (
    ("", "exact"),
    ("favicon.ico", "exact"),
    ("red/", "prefix"),
    ("vendor/", "prefix"),
    ("types/", "prefix"),
    ("icons/", "prefix"),
    ("resources/", "prefix"),
    ("locales/", "prefix"),
    ("theme", "exact"),
    ("theme/", "prefix"),
    ("debug/view/", "prefix"),
)
ADMIN_API_PATHS = (
    ("auth/", "prefix"),
    ("flows", "exact"),
    ("flows/", "prefix"),
    ("flow", "exact"),
    ("flow/", "prefix"),
    ("nodes", "exact"),
    ("nodes/", "prefix"),
    ("settings", "exact"),
    ("settings/", "prefix"),
    ("plugins", "exact"),
    ("plugins/", "prefix"),
    ("diagnostics", "exact"),
    ("context/", "prefix"),
    ("library/", "prefix"),
    ("credentials/", "prefix"),
    ("projects", "exact"),
    ("projects/", "prefix"),
    ("icons", "exact"),
    ("inject/", "prefix"),
    ("debug/", "prefix"),
    ("udp-ports/", "prefix"),
)
# Admin endpoints that the dashboards register on httpAdminRoot (node-red-dashboard 3.6
# nodes/ui_base.js; @flowfuse/node-red-dashboard 1.x nodes/config/ui_base.js and
# nodes/widgets/ui_chart.js). Dashboard 2's paths are fixed and do not follow its own path.
DASHBOARD_ADMIN_PATHS = {
    "dashboard1": (("uisettings", "exact"), ("ui_base/", "prefix")),
    "dashboard2": (("dashboard/api/v1/", "prefix"), ("dashboard/chart/", "prefix")),
}
DASHBOARD_ADMIN_METHODS = {"dashboard1": ("GET", "HEAD"), "dashboard2": ("PATCH", "POST")}

ROUTE_FIELDS = (
    "name",
    "kind",
    "description",
    "listener",
    "action",
    "matchers",
    "node_red_auth",
    "proxy_auth",
    "bearer_bypass",
    "public",
    "websocket",
    "origin_check",
    "buffering",
    "rate_limit",
    "sources",
    "methods",
    "sample",
)


class Settings(t.NamedTuple):
    admin_root: str
    node_root: str
    dashboards: list[dict[str, str]]
    websocket_endpoints: list[dict[str, str]]
    http_endpoints: list[dict[str, str]]
    static_root: str | None
    public_routes: list[str]
    editor_allowed_sources: list[str]
    editor_basic_auth: bool
    admin_extra_paths: list[str]
    acme_challenge: bool


def _describe(value: t.Any) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def _reject_dot_segments(path: str, variable: str, value: str) -> None:
    """Raise RouteModelError naming variable and its value when a segment of path is '.' or '..'."""
    if any(segment in (".", "..") for segment in path.split("/")):
        raise RouteModelError(f"{variable} must not contain '.' or '..' segments; got {value!r}")


def _check_root(value: t.Any, variable: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_PATH_LENGTH or not _ROOT_PATTERN.match(value):
        raise RouteModelError(
            f"{variable} must be a URL path that starts and ends with '/' and has segments of letters, digits "
            f"and '.', '_', '~', '-' only, such as '/' or '/nodered/'; got {_describe(value)}"
        )
    _reject_dot_segments(value, variable, value)
    return value


def _check_relative(value: t.Any, variable: str) -> str:
    """Return a path relative to a root: leading and trailing slashes removed, then checked."""
    if not isinstance(value, str):
        raise RouteModelError(f"{variable} must be a string path such as 'ui' or 'ws/events'; got {_describe(value)}")
    path = value.strip("/")
    if len(path) > MAX_PATH_LENGTH or not _RELATIVE_PATTERN.match(path):
        raise RouteModelError(
            f"{variable} must be a literal path of segments made of letters, digits and '.', '_', '~', '-' "
            f"(no ':param' or '*' parts, no query string), such as 'ui' or 'ws/events'; got {_describe(value)}"
        )
    _reject_dot_segments(path, variable, value)
    return path


def _check_list(value: t.Any, variable: str) -> list:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise RouteModelError(f"{variable} must be a list; got {_describe(value)}")
    return list(value)


def _check_named_paths(value: t.Any, variable: str) -> list[dict[str, str]]:
    items = []
    for index, item in enumerate(_check_list(value, variable)):
        where = f"{variable}[{index}]"
        if not isinstance(item, Mapping):
            raise RouteModelError(f"{where} must be a dict with 'name' and 'path'; got {_describe(item)}")
        unknown = sorted(set(item) - {"name", "path"})
        if unknown:
            raise RouteModelError(f"{where} has unknown keys {unknown}; only 'name' and 'path' are valid")
        name = item.get("name")
        if not isinstance(name, str) or not _NAME_PATTERN.match(name):
            raise RouteModelError(
                f"{where}.name must be 1 to 64 lower-case letters, digits, '-' or '_', starting and ending with a "
                f"letter or digit; got {_describe(name)}"
            )
        items.append({"name": name, "path": _check_relative(item.get("path"), f"{where}.path")})
    names = [item["name"] for item in items]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RouteModelError(f"{variable} has duplicate names {duplicates}: give each endpoint its own name")
    return items


def _check_dashboards(value: t.Any) -> list[dict[str, str]]:
    variable = "moat_dashboards"
    items = []
    for index, item in enumerate(_check_list(value, variable)):
        where = f"{variable}[{index}]"
        if not isinstance(item, Mapping):
            raise RouteModelError(f"{where} must be a dict with 'type' and 'path'; got {_describe(item)}")
        unknown = sorted(set(item) - {"type", "path"})
        if unknown:
            raise RouteModelError(f"{where} has unknown keys {unknown}; only 'type' and 'path' are valid")
        kind = item.get("type")
        if kind not in DASHBOARD_TYPES:
            raise RouteModelError(f"{where}.type must be one of {list(DASHBOARD_TYPES)}; got {_describe(kind)}")
        items.append({"type": kind, "path": _check_relative(item.get("path"), f"{where}.path")})
    types = [item["type"] for item in items]
    duplicates = sorted({kind for kind in types if types.count(kind) > 1})
    if duplicates:
        raise RouteModelError(f"{variable} lists {duplicates} more than once: each dashboard type can appear once")
    return items


def _check_sources(value: t.Any) -> list[str]:
    variable = "moat_editor_allowed_sources"
    sources = []
    for index, item in enumerate(_check_list(value, variable)):
        if not isinstance(item, str):
            raise RouteModelError(f"{variable}[{index}] must be a string; got {_describe(item)}")
        try:
            network = ipaddress.ip_network(item, strict=True)
        except ValueError as error:
            raise RouteModelError(
                f"{variable}[{index}] must be an IPv4 or IPv6 address or network in CIDR form with no host bits "
                f"set, such as 192.0.2.0/24 or 2001:db8::/32; got {item!r} ({error})"
            ) from None
        sources.append(str(network))
    return sources


def normalize_settings(raw: t.Any) -> Settings:
    """Check the filter input and return it with defaults filled in and paths normalised."""
    if not isinstance(raw, Mapping):
        raise RouteModelError(f"the input must be a dict of route settings; got {_describe(raw)}")
    known = set(Settings._fields)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise RouteModelError(f"unknown settings {unknown}; valid settings are {sorted(known)}")

    admin_root = _check_root(raw.get("admin_root", "/"), "moat_nodered_admin_root")
    node_root = _check_root(raw.get("node_root", "/"), "moat_nodered_node_root")

    static_root = raw.get("static_root")
    if static_root is not None:
        static_root = "/" + _check_relative(static_root, "moat_static_root") + "/"

    public_routes = _check_list(raw.get("public_routes"), "moat_public_routes")
    for index, name in enumerate(public_routes):
        if not isinstance(name, str):
            raise RouteModelError(f"moat_public_routes[{index}] must be a route name string; got {_describe(name)}")

    extra_paths = []
    for index, item in enumerate(_check_list(raw.get("admin_extra_paths"), "reverse_proxy_admin_extra_paths")):
        variable = f"reverse_proxy_admin_extra_paths[{index}]"
        extra_paths.append(_check_relative(item, variable))

    for flag in ("editor_basic_auth", "acme_challenge"):
        if not isinstance(raw.get(flag, False), bool):
            raise RouteModelError(f"{flag} must be true or false; got {_describe(raw.get(flag))}")

    return Settings(
        admin_root=admin_root,
        node_root=node_root,
        dashboards=_check_dashboards(raw.get("dashboards")),
        websocket_endpoints=_check_named_paths(raw.get("websocket_endpoints"), "moat_websocket_endpoints"),
        http_endpoints=_check_named_paths(raw.get("http_endpoints"), "moat_http_endpoints"),
        static_root=static_root,
        public_routes=public_routes,
        editor_allowed_sources=_check_sources(raw.get("editor_allowed_sources")),
        editor_basic_auth=raw.get("editor_basic_auth", False),
        admin_extra_paths=extra_paths,
        acme_challenge=raw.get("acme_challenge", True),
    )


def path_regex(path: str, match: str) -> str:
    """Return an anchored regular expression for a matcher; paths contain no other metacharacters."""
    escaped = path.replace(".", r"\.")
    return f"^{escaped}$" if match == "exact" else f"^{escaped}"


def _matcher(path: str, match: str) -> dict[str, str]:
    return {"match": match, "path": path, "regex": path_regex(path, match)}


def _under(root: str, entries: t.Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [_matcher(root + path, match) for path, match in entries]


def _folder(root: str, relative: str) -> list[dict[str, str]]:
    """Return matchers for a folder: the path itself (Node-RED redirects it) and everything below it."""
    return [_matcher(root + relative, "exact"), _matcher(root + relative + "/", "prefix")]


def _endpoint(root: str, relative: str) -> list[dict[str, str]]:
    """Return matchers for one endpoint: Express also routes the path with a trailing slash."""
    return [_matcher(root + relative, "exact"), _matcher(root + relative + "/", "exact")]


def _route(name: str, kind: str, description: str, matchers: list[dict[str, str]], **fields: t.Any) -> dict:
    route = {
        "name": name,
        "kind": kind,
        "description": description,
        "listener": "https",
        "action": "proxy",
        "matchers": matchers,
        "node_red_auth": False,
        "proxy_auth": False,
        "bearer_bypass": False,
        "public": False,
        "websocket": False,
        "origin_check": "none",
        "buffering": True,
        "rate_limit": "none",
        "sources": [],
        "methods": [],
        "sample": matchers[0]["path"] if matchers else "",
    }
    route.update(fields)
    return route


def _editor_routes(settings: Settings) -> list[dict]:
    root = settings.admin_root
    shared_root = settings.admin_root == settings.node_root
    editor_fields = {
        "node_red_auth": True,
        "proxy_auth": settings.editor_basic_auth,
        "sources": list(settings.editor_allowed_sources),
    }

    editor_matchers = _under(root, EDITOR_PATHS)
    if root != "/":
        # Node-RED redirects the root without its trailing slash to the root with it.
        editor_matchers.insert(1, _matcher(root[:-1], "exact"))
    if not shared_root:
        # The editor owns its whole root, so anything not listed below still reaches it.
        editor_matchers.append(_matcher(root, "prefix"))

    admin_matchers = _under(root, ADMIN_API_PATHS) + [
        _matcher(root + path, "exact") for path in settings.admin_extra_paths
    ] + [_matcher(root + path + "/", "prefix") for path in settings.admin_extra_paths]

    routes = [
        _route(
            "editor",
            "editor",
            "Editor page and its static assets; Node-RED shows its login page to anyone",
            editor_matchers,
            sample=root,
            **editor_fields,
        ),
        _route(
            "admin-login",
            "admin-login",
            "Node-RED's token endpoint (editor login), rate-limited per client address",
            [_matcher(root + "auth/token", "exact")],
            rate_limit="login",
            **editor_fields,
        ),
        _route(
            "admin-api",
            "admin-api",
            "Admin HTTP API; Node-RED requires a bearer token from adminAuth",
            admin_matchers,
            sample=root + "flows",
            bearer_bypass=settings.editor_basic_auth,
            **editor_fields,
        ),
        _route(
            "editor-comms",
            "editor-comms",
            "Editor WebSocket; Node-RED expects the bearer token as the first message",
            [_matcher(root + "comms", "exact")],
            websocket=True,
            origin_check="all",
            buffering=False,
            **editor_fields,
        ),
    ]
    for dashboard in settings.dashboards:
        kind = dashboard["type"]
        routes.append(
            _route(
                f"{kind}-admin",
                "admin-api",
                f"Admin endpoints that {kind} adds to the editor",
                _under(root, DASHBOARD_ADMIN_PATHS[kind]),
                methods=list(DASHBOARD_ADMIN_METHODS[kind]),
                bearer_bypass=settings.editor_basic_auth,
                **editor_fields,
            )
        )
    if settings.editor_basic_auth:
        for route in routes:
            if route["rate_limit"] == "none":
                route["rate_limit"] = "basic"
    return routes


def _node_routes(settings: Settings) -> list[dict]:
    root = settings.node_root
    protected = {"proxy_auth": True, "rate_limit": "basic"}
    routes = []
    for dashboard in settings.dashboards:
        kind, path = dashboard["type"], dashboard["path"]
        label = "node-red-dashboard" if kind == "dashboard1" else "@flowfuse/node-red-dashboard"
        routes.append(
            _route(kind, "dashboard", f"Pages and assets of {label}", _folder(root, path),
                   sample=f"{root}{path}/", **protected)
        )
        routes.append(
            _route(
                f"{kind}-socketio",
                "dashboard-socketio",
                f"socket.io of {label}, long polling and WebSocket upgrade",
                [_matcher(f"{root}{path}/socket.io/", "prefix")],
                websocket=True,
                origin_check="all",
                buffering=False,
                **protected,
            )
        )
        if kind == "dashboard2":
            routes.append(
                _route(
                    "dashboard2-debug",
                    "dashboard-debug",
                    "Debug views of @flowfuse/node-red-dashboard, which show the dashboard's state: denied",
                    [_matcher(f"{root}{path}/_debug", "prefix")],
                    action="deny",
                    sample=f"{root}{path}/_debug/datastore/probe",
                )
            )
    for endpoint in settings.http_endpoints:
        routes.append(
            _route(f"http-in:{endpoint['name']}", "http-in", "HTTP-in endpoint named in moat_http_endpoints",
                   _endpoint(root, endpoint["path"]), **protected)
        )
    for endpoint in settings.websocket_endpoints:
        routes.append(
            _route(
                f"websocket-in:{endpoint['name']}",
                "websocket-in",
                "WebSocket-in endpoint named in moat_websocket_endpoints",
                _endpoint(root, endpoint["path"]),
                websocket=True,
                origin_check="all",
                buffering=False,
                **protected,
            )
        )
    if settings.static_root is not None:
        routes.append(
            _route("static", "static", "Files of httpStatic", [_matcher(settings.static_root, "prefix")],
                   **protected)
        )
    routes.append(
        _route(
            "http-in",
            "http-in",
            "Every other path under httpNodeRoot: HTTP-in and WebSocket-in endpoints that are not named",
            [_matcher(root, "prefix")],
            websocket=True,
            origin_check="upgrade",
            sample=root,
            **protected,
        )
    )
    return routes


def _acme_route() -> dict:
    return _route(
        "acme-challenge",
        "acme-challenge",
        "ACME HTTP-01 challenge files on the HTTP port, without redirect or authentication",
        [_matcher("/.well-known/acme-challenge/", "prefix")],
        listener="http",
        action="acme",
        public=True,
        sample="/.well-known/acme-challenge/",
    )


def _apply_public_routes(routes: list[dict], public_routes: list[str]) -> None:
    by_name = {route["name"]: route for route in routes}
    can_be_public = sorted(
        route["name"] for route in routes if route["proxy_auth"] and route["kind"] not in
        ("editor", "admin-login", "admin-api", "editor-comms")
    )
    for name in public_routes:
        if name not in by_name:
            raise RouteModelError(
                f"moat_public_routes names {name!r}, which is not a route of this configuration; "
                f"routes that can be public: {can_be_public}"
            )
        if name not in can_be_public:
            raise RouteModelError(
                f"moat_public_routes names {name!r}, which cannot be public: the editor and admin API always "
                f"authenticate through Node-RED, and denied or ACME routes have no authentication to remove; "
                f"routes that can be public: {can_be_public}"
            )
        route = by_name[name]
        route["proxy_auth"] = False
        route["public"] = True
        route["rate_limit"] = "none"


def _dispatch(routes: list[dict]) -> list[dict[str, str]]:
    """Return every HTTPS matcher with its route, in the order in which they must be tried."""
    entries = []
    seen: dict[tuple[str, str], str] = {}
    for route in routes:
        if route["listener"] != "https":
            continue
        for matcher in route["matchers"]:
            key = (matcher["match"], matcher["path"].lower())
            if key in seen and seen[key] != route["name"]:
                raise RouteModelError(
                    f"routes {seen[key]!r} and {route['name']!r} both claim the {matcher['match']} path "
                    f"{matcher['path']!r}: move one of them, for example by changing a dashboard or endpoint path"
                )
            if key in seen:
                continue
            seen[key] = route["name"]
            entries.append({"route": route["name"], **matcher})
    entries.sort(key=lambda entry: (-len(entry["path"]), entry["match"] != "exact", entry["path"]))
    return entries


def build_route_model(raw: t.Any) -> dict[str, list[dict]]:
    """Compute the route model: {"routes": [...], "dispatch": [...]}.

    Raises RouteModelError with a message that names the variable at fault.
    """
    settings = normalize_settings(raw)
    routes = _editor_routes(settings) + _node_routes(settings)

    if not any(matcher["path"] == "/" and matcher["match"] == "prefix"
               for route in routes for matcher in route["matchers"]):
        routes.append(
            _route("unrouted", "unrouted", "Paths outside Node-RED's roots: not forwarded",
                   [_matcher("/", "prefix")], action="not-found", sample="/")
        )
    if settings.acme_challenge:
        routes.append(_acme_route())

    _apply_public_routes(routes, settings.public_routes)
    dispatch = _dispatch(routes)
    return {"routes": routes, "dispatch": dispatch}
