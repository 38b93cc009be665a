# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for nodered_settings: the settings object the nodered role renders into settings.js."""

from __future__ import annotations

import json
import subprocess

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.nodered_settings import nodered_settings
from ansible_collections.moat.nodered.plugins.filter.settings_js import settings_js
from ansible_collections.moat.nodered.tests.unit.js_helpers import HARNESS_SCRIPT, node_environment

HASH = "$2b$04$xEVOuAca.giU1MbqkKKqauErsOBLcqERPaQEdX4rEa.PUaIqeyeZG"
PREFIX = "nodered_settings: "


def base_inputs(**changes):
    inputs = {
        "listen_address": "127.0.0.1",
        "port": 1880,
        "credential_secret": "0123456789abcdef",
        "admin_users": [{"username": "admin", "password": HASH, "permissions": "*", "scope": "admin"}],
        "allowed_origins": ["https://nodered.example.com"],
    }
    inputs.update(changes)
    return inputs


def test_preset_defaults():
    settings = nodered_settings(base_inputs())
    assert settings["uiHost"] == "127.0.0.1"
    assert settings["uiPort"] == 1880
    assert settings["httpAdminRoot"] == "/"
    assert settings["httpNodeRoot"] == "/"
    assert settings["credentialSecret"] == "0123456789abcdef"
    assert settings["externalModules"]["palette"] == {"allowInstall": False, "allowUpload": False}
    assert settings["externalModules"]["modules"] == {"allowInstall": False}
    assert settings["functionExternalModules"] is False
    assert settings["diagnostics"] == {"enabled": False, "ui": False}
    assert settings["runtimeState"] == {"enabled": False, "ui": False}
    assert settings["telemetry"] == {"enabled": False, "updateNotification": False}
    assert settings["tlsConfigDisableLocalFiles"] is True
    assert settings["logging"]["console"]["audit"] is True
    assert settings["httpServerOptions"] == {"trust proxy": "loopback"}
    assert "httpNodeAuth" not in settings
    assert "httpStatic" not in settings
    assert "ui" not in settings


def test_admin_users_keep_only_node_red_keys():
    settings = nodered_settings(base_inputs())
    assert settings["adminAuth"]["users"] == [{"username": "admin", "password": HASH, "permissions": "*"}]
    assert settings["adminAuth"]["sessionExpiryTime"] == 86400


def test_websocket_check_carries_origins_and_users():
    ui_users = [{"username": "viewer", "password": HASH, "scope": "ui"}]
    settings = nodered_settings(base_inputs(ui_users=ui_users))
    assert settings["webSocketNodeVerifyClient"] == {
        "moat_snippet": "websocket_verify_client",
        "options": {"allowed_origins": ["https://nodered.example.com"], "users": [{"username": "viewer", "password": HASH}]},
    }


@pytest.mark.parametrize(
    ("dashboards", "keys"),
    [
        ([{"type": "dashboard1", "path": "ui"}], ["ui"]),
        ([{"type": "dashboard2", "path": "dashboard"}], ["dashboard"]),
        ([{"type": "dashboard1", "path": "/ui/"}, {"type": "dashboard2", "path": "dashboard"}], ["ui", "dashboard"]),
    ],
)
def test_dashboards_get_socketio_checks(dashboards, keys):
    settings = nodered_settings(base_inputs(dashboards=dashboards))
    for key in keys:
        assert settings[key]["ioMiddleware"]["moat_snippet"] == "socketio_middleware"
    if "ui" in keys:
        assert settings["ui"]["path"] == "ui"


def test_single_user_auth_uses_node_red_form():
    user = {"username": "api", "password": HASH, "scope": "node"}
    settings = nodered_settings(base_inputs(http_node_auth=user, http_static="/srv/static", http_static_auth=user))
    assert settings["httpNodeAuth"] == {"user": "api", "pass": HASH}
    assert settings["httpStatic"] == [{"path": "/srv/static", "root": "/"}]
    assert settings["httpStaticAuth"] == {"user": "api", "pass": HASH}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"credential_secret": ""}, "missing required inputs: credential_secret"),
        ({"admin_users": []}, "admin_users must be a non-empty list, or the editor would be open to everyone"),
        ({"admin_root": "nodered"}, "admin_root must be a URL path that starts and ends with '/', such as '/' or '/nodered/'; got 'nodered'"),
        ({"node_root": "/a b/"}, "node_root must be a URL path that starts and ends with '/', such as '/' or '/nodered/'; got '/a b/'"),
        (
            {"admin_users": [{"username": "admin", "password": "plain text"}]},
            "admin_users[0] (admin) needs 'password' as a bcrypt hash; hash it with moat.nodered.bcrypt_hash",
        ),
        (
            {"admin_users": [{"username": "admin", "password": HASH, "permissions": "write"}]},
            "admin_users[0] (admin) has permissions 'write'; use '*', 'read' or a list of permission scopes",
        ),
        ({"dashboards": [{"type": "dashboard3"}]}, "dashboards[0] has type 'dashboard3'; use one of dashboard1, dashboard2"),
    ],
)
def test_invalid_inputs_rejected(changes, message):
    with pytest.raises(AnsibleFilterError) as error:
        nodered_settings(base_inputs(**changes))
    assert str(error.value) == PREFIX + message


def test_rendered_settings_load_in_node(node_executable, tmp_path):
    inputs = base_inputs(
        ui_users=[{"username": "viewer", "password": HASH}],
        dashboards=[{"type": "dashboard1", "path": "ui"}, {"type": "dashboard2", "path": "dashboard"}],
        admin_root="/nodered/",
        node_root="/nodered/",
    )
    path = tmp_path / "settings.js"
    path.write_text(settings_js(nodered_settings(inputs)), encoding="utf-8")

    subprocess.run([node_executable, "--check", str(path)], check=True)
    script = (
        "const s = require(process.argv[1]);"
        "console.log(JSON.stringify({admin: s.httpAdminRoot, verify: typeof s.webSocketNodeVerifyClient,"
        " ui: typeof s.ui.ioMiddleware, dashboard: typeof s.dashboard.ioMiddleware, users: s.adminAuth.users}));"
    )
    loaded = json.loads(subprocess.run([node_executable, "-e", script, str(path)], check=True, capture_output=True, text=True).stdout)
    assert loaded["admin"] == "/nodered/"
    assert loaded["verify"] == "function"
    assert loaded["ui"] == "function"
    assert loaded["dashboard"] == "function"
    assert loaded["users"] == [{"username": "admin", "password": HASH, "permissions": "*"}]


def test_admin_middleware_permission_status(node_executable, js_packages, tmp_path):
    path = tmp_path / "settings.js"
    path.write_text(settings_js(nodered_settings(base_inputs())), encoding="utf-8")
    calls = [
        # needsPermission for a read-only user deploying flows
        {"user": {"username": "viewer", "permissions": "read"}, "status": 401},
        # no token, or a wrong one: passport found no user
        {"user": None, "status": 401},
        # Node-RED's anonymous user (adminAuth.default) must still sign in
        {"user": {"anonymous": True, "permissions": "read"}, "status": 401},
        # other statuses pass unchanged
        {"user": {"username": "admin", "permissions": "*"}, "status": 200},
        {"user": {"username": "admin", "permissions": "*"}, "status": 400},
        {"user": None, "status": 403},
    ]
    result = subprocess.run(
        [node_executable, str(HARNESS_SCRIPT), "admin", str(path)],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        check=False,
        env=node_environment(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"next": 1, "sent": 403},
        {"next": 1, "sent": 401},
        {"next": 1, "sent": 401},
        {"next": 1, "sent": 200},
        {"next": 1, "sent": 400},
        {"next": 1, "sent": 403},
    ]
