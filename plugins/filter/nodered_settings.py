# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nodered_settings
short_description: Build Node-RED's settings object from the nodered role's inputs
version_added: 0.1.0
description:
  - Returns the mapping that C(moat.nodered.settings_js) renders into C(settings.js).
  - Applies the Internet-exposure preset (no module installs from the editor or Function nodes, no
    diagnostics or runtime-state endpoints, no telemetry or update notification, no local files for TLS
    configuration nodes, audit logging on, Express C(trust proxy) limited to loopback) and lets the
    inputs switch single parts back on.
  - Adds generated connection checks for WebSocket-in nodes and for the socket.io endpoints of the
    dashboards listed in O(_input.dashboards), so that they reject cross-site and unauthenticated
    clients even when Node-RED is reached without the reverse proxy.
  - All passwords must already be bcrypt hashes (see C(moat.nodered.bcrypt_hash)).
options:
  _input:
    description: The role's inputs.
    type: dict
    required: true
    suboptions:
      listen_address:
        description: Address Node-RED listens on (uiHost).
        type: str
        required: true
      port:
        description: TCP port (uiPort).
        type: int
        required: true
      admin_root:
        description: httpAdminRoot, a path that starts and ends with C(/).
        type: str
        default: /
      node_root:
        description: httpNodeRoot, a path that starts and ends with C(/).
        type: str
        default: /
      flow_file:
        description: File name of the flows in the userDir.
        type: str
        default: flows.json
      credential_secret:
        description: Key that encrypts the flow credentials.
        type: str
        required: true
      admin_users:
        description: adminAuth users, each with C(username), C(password) (a bcrypt hash) and C(permissions).
        type: list
        elements: dict
        required: true
      session_expiry:
        description: Editor session lifetime in seconds.
        type: int
        default: 86400
      http_node_auth:
        description: One user (C(username), C(password) hash) for httpNodeAuth, or null.
        type: dict
      http_static_auth:
        description: One user (C(username), C(password) hash) for httpStaticAuth, or null.
        type: dict
      http_static:
        description: Directory served by httpStatic, or null.
        type: str
      static_root:
        description: URL path under which O(_input.http_static) is served.
        type: str
        default: /
      allowed_origins:
        description: Origins that WebSocket and socket.io clients may come from.
        type: list
        elements: str
        default: []
      ui_users:
        description: Users (C(username), C(password) hash) that WebSocket-in and dashboard socket.io clients
          must authenticate as with HTTP Basic credentials; empty checks only the origin.
        type: list
        elements: dict
        default: []
      dashboards:
        description: Installed dashboards, each with C(type) (C(dashboard1) or C(dashboard2)) and C(path).
        type: list
        elements: dict
        default: []
      api_max_length:
        description: Largest admin API request body, in Node-RED's size syntax.
        type: str
        default: 5mb
      allow_palette_install:
        description: Let editor users install and upload palette modules.
        type: bool
        default: false
      allow_function_modules:
        description: Let Function nodes load external npm modules.
        type: bool
        default: false
author:
  - moat.nodered developers
"""

EXAMPLES = r"""
- name: Render settings.js
  ansible.builtin.copy:
    content: "{{ inputs | moat.nodered.nodered_settings | moat.nodered.settings_js }}"
    dest: /etc/node-red/settings.js
  vars:
    inputs:
      listen_address: 127.0.0.1
      port: 1880
      credential_secret: "{{ vault_credential_secret }}"
      admin_users:
        - username: admin
          password: "$2b$10$..."
          permissions: "*"
      allowed_origins: ["https://nodered.example.com"]
"""

RETURN = r"""
_value:
  description: Node-RED's settings object, with C(moat_snippet) mappings where generated code belongs.
  type: dict
"""

import re
import typing as t
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

PATH_PATTERN = re.compile(r"^/([A-Za-z0-9._~-]+/)*$")
PERMISSION_WORDS = {"*", "read"}
DASHBOARD_TYPES = ("dashboard1", "dashboard2")
REQUIRED_KEYS = ("listen_address", "port", "credential_secret", "admin_users")


def _fail(message: str) -> t.NoReturn:
    raise AnsibleFilterError(f"nodered_settings: {message}")


def _check_path(name: str, value: object) -> str:
    if not isinstance(value, str) or not PATH_PATTERN.match(value):
        _fail(f"{name} must be a URL path that starts and ends with '/', such as '/' or '/nodered/'; got {value!r}")
    return value


def _check_user(name: str, user: object) -> dict[str, str]:
    if not isinstance(user, Mapping) or not isinstance(user.get("username"), str) or not user.get("username"):
        _fail(f"{name} must be a mapping with a non-empty string 'username'")
    password = user.get("password")
    if not isinstance(password, str) or not password.startswith("$2"):
        _fail(f"{name} ({user['username']}) needs 'password' as a bcrypt hash; hash it with moat.nodered.bcrypt_hash")
    return {"username": user["username"], "password": password}


def _admin_user(index: int, user: object) -> dict[str, object]:
    checked = _check_user(f"admin_users[{index}]", user)
    permissions = user.get("permissions", "*")
    valid_list = isinstance(permissions, list) and permissions and all(isinstance(p, str) and p for p in permissions)
    if permissions not in PERMISSION_WORDS and not valid_list:
        _fail(
            f"admin_users[{index}] ({checked['username']}) has permissions {permissions!r}; "
            "use '*', 'read' or a list of permission scopes"
        )
    return {"username": checked["username"], "password": checked["password"], "permissions": permissions}


def _single_user_auth(name: str, user: object) -> dict[str, str] | None:
    """Return Node-RED's {user, pass} form of httpNodeAuth or httpStaticAuth."""
    if user is None:
        return None
    checked = _check_user(name, user)
    return {"user": checked["username"], "pass": checked["password"]}


def _connection_check(snippet: str, origins: list[str], users: list[dict[str, str]]) -> dict[str, object]:
    return {"moat_snippet": snippet, "options": {"allowed_origins": origins, "users": users}}


def nodered_settings(inputs: object) -> dict[str, object]:
    """Return Node-RED's settings object for the given role inputs."""
    if not isinstance(inputs, Mapping):
        _fail(f"the input must be a mapping, got {type(inputs).__name__}")
    missing = [key for key in REQUIRED_KEYS if inputs.get(key) in (None, "")]
    if missing:
        _fail(f"missing required inputs: {', '.join(missing)}")

    admin_users = inputs["admin_users"]
    if not isinstance(admin_users, list) or not admin_users:
        _fail("admin_users must be a non-empty list, or the editor would be open to everyone")
    origins = list(inputs.get("allowed_origins") or [])
    ui_users = [_check_user(f"ui_users[{i}]", user) for i, user in enumerate(inputs.get("ui_users") or [])]

    settings: dict[str, object] = {
        "uiHost": inputs["listen_address"],
        "uiPort": int(inputs["port"]),
        "httpAdminRoot": _check_path("admin_root", inputs.get("admin_root", "/")),
        "httpNodeRoot": _check_path("node_root", inputs.get("node_root", "/")),
        "flowFile": inputs.get("flow_file", "flows.json"),
        "flowFilePretty": True,
        "credentialSecret": inputs["credential_secret"],
        "adminAuth": {
            "type": "credentials",
            "sessionExpiryTime": int(inputs.get("session_expiry", 86400)),
            "users": [_admin_user(i, user) for i, user in enumerate(admin_users)],
        },
        "apiMaxLength": inputs.get("api_max_length", "5mb"),
        # Express reads X-Forwarded-For only from the proxy on loopback, so
        # Node-RED's logs carry the client's address.
        "httpServerOptions": {"trust proxy": "loopback"},
        "externalModules": {
            "autoInstall": False,
            "palette": {
                "allowInstall": bool(inputs.get("allow_palette_install", False)),
                "allowUpload": bool(inputs.get("allow_palette_install", False)),
            },
            "modules": {"allowInstall": bool(inputs.get("allow_function_modules", False))},
        },
        "functionExternalModules": bool(inputs.get("allow_function_modules", False)),
        "tlsConfigDisableLocalFiles": True,
        "diagnostics": {"enabled": False, "ui": False},
        "runtimeState": {"enabled": False, "ui": False},
        "telemetry": {"enabled": False, "updateNotification": False},
        "logging": {"console": {"level": "info", "metrics": False, "audit": True}},
        "editorTheme": {"projects": {"enabled": False}},
        "webSocketNodeVerifyClient": _connection_check("websocket_verify_client", origins, ui_users),
        # 403 instead of 401 when a signed-in user lacks a permission.
        "httpAdminMiddleware": {"moat_snippet": "admin_permission_status", "options": {}},
    }

    node_auth = _single_user_auth("http_node_auth", inputs.get("http_node_auth"))
    if node_auth:
        settings["httpNodeAuth"] = node_auth

    static_dir = inputs.get("http_static")
    if static_dir:
        static_root = _check_path("static_root", inputs.get("static_root", "/"))
        settings["httpStatic"] = [{"path": static_dir, "root": static_root}]
        static_auth = _single_user_auth("http_static_auth", inputs.get("http_static_auth"))
        if static_auth:
            settings["httpStaticAuth"] = static_auth

    for index, dashboard in enumerate(inputs.get("dashboards") or []):
        kind = dashboard.get("type") if isinstance(dashboard, Mapping) else None
        if kind not in DASHBOARD_TYPES:
            _fail(f"dashboards[{index}] has type {kind!r}; use one of {', '.join(DASHBOARD_TYPES)}")
        middleware = _connection_check("socketio_middleware", origins, ui_users)
        if kind == "dashboard1":
            settings["ui"] = {"path": str(dashboard.get("path", "ui")).strip("/"), "ioMiddleware": middleware}
        else:
            settings["dashboard"] = {"ioMiddleware": middleware}

    return settings


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., dict[str, object]]]:
        return {"nodered_settings": nodered_settings}
