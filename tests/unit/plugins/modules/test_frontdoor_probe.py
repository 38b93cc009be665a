# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the frontdoor_probe module's credential handling against a loopback server."""

from __future__ import annotations

import base64
import json
import socket

import pytest

from ansible_collections.moat.nodered.plugins.module_utils.frontdoor import CheckError
from ansible_collections.moat.nodered.plugins.modules.frontdoor_probe import Credentials, run_check
from ansible_collections.moat.nodered.tests.unit.loopback_server import read_request, serve

BASIC = {"username": "viewer", "password": "Vi'ew\"er $ü Pa55"}
ADMIN = {"username": "admin", "password": "editor-Pa55word"}
TOKEN = "token-Zq81"


def answer_token_requests(connection: socket.socket) -> None:
    """Return a token for ADMIN on POST /auth/token, and echo the Authorization header otherwise."""
    request_line, headers, body = read_request(connection)
    if request_line.startswith("POST /auth/token"):
        good = f"username={ADMIN['username']}" in body and "password=editor-Pa55word" in body
        payload = json.dumps({"access_token": TOKEN}) if good else "{}"
        status = "200 OK" if good else "403 Forbidden"
    else:
        payload = headers.get("authorization", "none")
        status = "200 OK"
    connection.sendall(f"HTTP/1.1 {status}\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n{payload}".encode())


@pytest.fixture
def server():
    port, stop = serve(answer_token_requests)
    yield port
    stop.set()


def check(port: int, **options) -> dict:
    base = {"id": "probe", "mode": "http", "url": "http://nodered.example.test/flows",
            "connect": f"127.0.0.1:{port}", "timeout": 5}
    base.update(options)
    return base


def test_basic_credentials_sent(server):
    result = run_check(check(server, auth="basic"), Credentials(BASIC, None), None, 4)
    user, _separator, password = base64.b64decode(result["body"].split()[1]).decode("utf-8").partition(":")
    assert (user, password) == (BASIC["username"], BASIC["password"])


def test_wrong_basic_password_differs(server):
    result = run_check(check(server, auth="basic-wrong"), Credentials(BASIC, None), None, 4)
    _user, _separator, password = base64.b64decode(result["body"].split()[1]).decode("utf-8").partition(":")
    assert password.startswith(BASIC["password"])
    assert password != BASIC["password"]


def test_login_keeps_token_out_of_result(server):
    credentials = Credentials(None, ADMIN)
    login = run_check(check(server, mode="login", url="http://nodered.example.test/auth/token"), credentials, None, 4)
    bearer = run_check(check(server, auth="bearer"), credentials, None, 4)
    assert login == {"status": 200, "token": True}
    assert bearer["body"] == f"Bearer {TOKEN}"


def test_failed_login_skips_token_checks(server):
    credentials = Credentials(None, {"username": "admin", "password": "wrong"})
    login = run_check(check(server, mode="login", url="http://nodered.example.test/auth/token"), credentials, None, 4)
    bearer = run_check(check(server, auth="bearer"), credentials, None, 4)
    assert login == {"status": 403, "token": False}
    assert bearer == {"skipped": "needs an access token, but the admin login failed or was skipped"}


@pytest.mark.parametrize(
    ("auth", "reason"),
    [
        ("basic", "needs a basic-auth user (moat_ui_users), which the inventory does not define"),
        ("bearer", "needs an access token, but the admin login failed or was skipped"),
    ],
)
def test_missing_credentials_skip(server, auth, reason):
    assert run_check(check(server, auth=auth), Credentials(None, None), None, 4) == {"skipped": reason}


def test_login_without_admin_skips(server):
    result = run_check(check(server, mode="login"), Credentials(None, None), None, 4)
    assert result == {"skipped": "needs an admin user (nodered_admin_users), which the inventory does not define"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "gopher"}, "mode 'gopher' must be http, ws, engineio, login, tls, certificate, ports or none"),
        ({"auth": "digest"}, "auth 'digest' must be basic, basic-wrong, bearer or bearer-wrong"),
    ],
)
def test_invalid_check_rejected(server, options, message):
    with pytest.raises(CheckError) as error:
        run_check(check(server, **options), Credentials(BASIC, ADMIN), None, 4)
    assert str(error.value) == message
