#!/usr/bin/python
# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: frontdoor_probe
short_description: Send HTTP, WebSocket, TLS and TCP checks to a host as an outside client would
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Runs a list of checks against a host's front door and returns what came back, one result per
    check, in order. The C(moat.nodered.audit_plan) filter builds such a list and the
    C(moat.nodered.audit_findings) filter compares the results with the expectations.
  - Each check connects to an address given apart from its URL, so TLS SNI and the Host header carry
    the public name while the connection goes to a chosen address.
  - Run it on the controller, with C(delegate_to) set to C(localhost). It needs only the Python standard library;
    the C(cryptography) package, which ansible-core depends on, is used to read the expiry date of
    a certificate that does not verify.
  - Results never contain the passwords or the access token.
options:
  checks:
    description:
      - The checks. Each is a mapping with C(id) and C(mode), and the keys that its mode reads.
      - C(mode=http) sends one request. Keys C(url), C(connect) (C(HOST:PORT)), C(method), C(headers),
        C(form) (a mapping sent as C(application/x-www-form-urlencoded)), C(auth).
      - C(mode=ws) opens one WebSocket. Keys C(url), C(connect), C(origin), C(headers), C(auth),
        C(send_token) (C(right) or C(wrong) sends the access token, or a wrong one, as the first message, as Node-RED's editor does),
        C(receive) (number of messages to wait for), C(receive_timeout).
      - C(mode=engineio) starts an Engine.IO 4 long-polling session at a socket.io path. Keys C(url),
        C(connect), C(headers), C(auth).
      - C(mode=login) posts the admin user's password to Node-RED's C(auth/token) URL and keeps the
        access token for later checks with C(auth=bearer). Keys C(url), C(connect), C(auth).
      - C(mode=tls) runs one TLS handshake. Keys C(address), C(port), C(server_name) (null sends no
        SNI), C(min_version), C(max_version) (C(TLSv1) to C(TLSv1.3)), C(ciphers) (an OpenSSL cipher
        string for TLS 1.2 and older), C(alpn).
      - C(mode=certificate) fetches the served certificate. Keys C(address), C(port), C(server_name).
      - C(mode=ports) tries a TCP connection to each port. Keys C(address), C(ports).
      - C(mode=none) runs nothing and returns an empty result.
      - C(auth) is C(basic) or C(basic-wrong) (the basic-auth user, with its password or a wrong one),
        C(bearer) or C(bearer-wrong) (the access token from the last login, or a wrong one), or absent.
        A check that needs credentials or a token the module does not have is skipped.
      - C(timeout) sets the seconds per network step of one check.
    type: list
    elements: dict
    required: true
  basic_user:
    description: The user for C(auth=basic), one of the proxy's basic-auth users.
    type: dict
    suboptions:
      username:
        description: The user name.
        type: str
        required: true
      password:
        description: The password.
        type: str
        required: true
  admin_user:
    description: The Node-RED admin user for C(mode=login).
    type: dict
    suboptions:
      username:
        description: The user name.
        type: str
        required: true
      password:
        description: The password.
        type: str
        required: true
  cafile:
    description: PEM file of the CA certificates to trust; the system's CAs when absent.
    type: path
  scan_workers:
    description: Number of ports tried at the same time by C(mode=ports).
    type: int
    default: 64
notes:
  - Requests with wrong credentials count towards fail2ban's limit for the controller's address.
  - Supports check mode; the checks only read, so they run in check mode too.
"""

EXAMPLES = r"""
---
- name: Check that the admin API refuses a request without a token
  moat.nodered.frontdoor_probe:
    checks:
      - id: admin API without a token
        mode: http
        url: https://nodered.example.com/flows
        connect: 192.0.2.10:443
  delegate_to: localhost
  register: probe

- name: Check which ports answer
  moat.nodered.frontdoor_probe:
    checks:
      - id: ports
        mode: ports
        address: 192.0.2.10
        ports: [22, 80, 443, 1880]
  delegate_to: localhost
"""

RETURN = r"""
results:
  description:
    - One result per check, in the order of O(checks), each with the check's C(id), C(mode) and
      C(seconds) (the time it took).
    - HTTP, WebSocket and Engine.IO results have C(status) (the HTTP status, or null when no response
      came), C(headers) (lower-case names) and C(error) when something failed. HTTP results also have
      C(body) (its first 2048 characters); WebSocket results C(received), the text messages; Engine.IO results
      C(open), true when the server opened a session; login results C(token), true when an access
      token came back.
    - TLS results have C(status) C(handshake) or null, and C(version), C(cipher), C(alpn), or C(error),
      C(reason) and C(client_unsupported) (true when this controller cannot offer the requested
      versions or ciphers), and C(connected), false when the TCP connection failed.
    - Certificate results have C(trusted), C(not_after), C(days_left), C(subject), C(issuer) and
      C(dns_names).
    - Port results have C(ports), a mapping of each port to C(open), C(closed) or C(filtered).
    - A skipped check has C(skipped), the reason.
  returned: always
  type: list
  elements: dict
"""

import json
import os
import secrets
import time
import typing as t
import urllib.parse

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.moat.nodered.plugins.module_utils.frontdoor import (
    CheckError,
    basic_authorization,
    certificate_status,
    engineio_open,
    http_request,
    scan_ports,
    tls_context,
    tls_handshake,
    websocket_session,
)


# Characters of a response body kept in a result; the audit needs none, a reader a few.
BODY_EXCERPT = 2048


class Credentials:
    """The basic-auth user, the admin user and the access token of one module run."""

    def __init__(self, basic_user: dict | None, admin_user: dict | None) -> None:
        self.basic_user = basic_user
        self.admin_user = admin_user
        self.token: str | None = None
        # Random, so that a wrong value can never be a real one.
        self.wrong_suffix = "-moat-audit-" + secrets.token_hex(4)

    def headers(self, auth: str | None) -> tuple[dict[str, str], str | None]:
        """Return the Authorization header for AUTH, or the reason the check must be skipped."""
        if not auth:
            return {}, None
        if auth in ("basic", "basic-wrong"):
            if not self.basic_user:
                return {}, "needs a basic-auth user (moat_ui_users), which the inventory does not define"
            password = self.basic_user["password"] + (self.wrong_suffix if auth == "basic-wrong" else "")
            return {"Authorization": basic_authorization(self.basic_user["username"], password)}, None
        if auth == "bearer":
            if not self.token:
                return {}, "needs an access token, but the admin login failed or was skipped"
            return {"Authorization": f"Bearer {self.token}"}, None
        if auth == "bearer-wrong":
            return {"Authorization": "Bearer wrong" + self.wrong_suffix}, None
        raise CheckError(f"auth {auth!r} must be basic, basic-wrong, bearer or bearer-wrong")


def run_check(check: dict[str, t.Any], credentials: Credentials, cafile: str | None, workers: int) -> dict[str, t.Any]:
    """Run one check and return its result, without the check's id."""
    mode = check.get("mode")
    timeout = float(check.get("timeout", 10))
    context = tls_context(cafile, True)
    auth = check.get("auth")
    if mode == "login" and auth != "basic":
        # An Authorization header on the login request is the proxy's, never the bearer token.
        auth = None
    auth_headers, skip = credentials.headers(auth)
    if skip:
        return {"skipped": skip}
    headers = dict(check.get("headers") or {})
    headers.update(auth_headers)

    if mode == "http":
        body = None
        if check.get("form"):
            body = urllib.parse.urlencode(check["form"]).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif check.get("data") is not None:
            body = str(check["data"]).encode("utf-8")
        result = http_request(check["url"], check.get("connect"), check.get("method", "GET"), headers, body,
                              context, timeout)
        if "body" in result:
            result["body"] = result["body"][:BODY_EXCERPT]
        return result

    if mode == "login":
        if not credentials.admin_user:
            return {"skipped": "needs an admin user (nodered_admin_users), which the inventory does not define"}
        form = {"client_id": "node-red-editor", "grant_type": "password", "scope": "*",
                "username": credentials.admin_user["username"], "password": credentials.admin_user["password"]}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = http_request(check["url"], check.get("connect"), "POST", headers,
                                urllib.parse.urlencode(form).encode("utf-8"), context, timeout)
        result = {key: response[key] for key in ("status", "error") if key in response}
        try:
            credentials.token = json.loads(response.get("body") or "{}").get("access_token")
        except (ValueError, AttributeError):
            credentials.token = None
        result["token"] = bool(credentials.token)
        return result

    if mode == "ws":
        send = list(check.get("send") or [])
        if check.get("send_token") == "right":
            if not credentials.token:
                return {"skipped": "needs an access token, but the admin login failed or was skipped"}
            send.append(json.dumps({"auth": credentials.token}))
        elif check.get("send_token") == "wrong":
            send.append(json.dumps({"auth": "wrong" + credentials.wrong_suffix}))
        result = websocket_session(check["url"], check.get("connect"), check.get("origin"), headers, send,
                                   int(check.get("receive", 0)), check.get("receive_timeout"), context, timeout)
        result.pop("body", None)
        return result

    if mode == "engineio":
        return engineio_open(check["url"], check.get("connect"), headers, context, timeout)

    if mode == "tls":
        return tls_handshake(check["address"], int(check["port"]), check.get("server_name"),
                             check.get("max_version"), check.get("min_version"), check.get("ciphers"),
                             check.get("alpn") or (), cafile, False, timeout)

    if mode == "certificate":
        return certificate_status(check["address"], int(check["port"]), check["server_name"], cafile, timeout)

    if mode == "ports":
        states = scan_ports(check["address"], check["ports"], timeout, workers)
        return {"status": "scanned", "ports": {str(port): state for port, state in states.items()}}

    if mode == "none":
        return {"status": None}

    raise CheckError(f"mode {mode!r} must be http, ws, engineio, login, tls, certificate, ports or none")


def main() -> None:
    user_spec = {"username": {"type": "str", "required": True}, "password": {"type": "str", "required": True, "no_log": True}}
    module = AnsibleModule(
        argument_spec={
            "checks": {"type": "list", "elements": "dict", "required": True},
            "basic_user": {"type": "dict", "options": user_spec},
            "admin_user": {"type": "dict", "options": user_spec},
            "cafile": {"type": "path"},
            "scan_workers": {"type": "int", "default": 64},
        },
        supports_check_mode=True,
    )
    cafile = module.params["cafile"]
    if cafile and not os.path.isfile(cafile):
        module.fail_json(msg=f"cafile {cafile} is not a file; give the PEM file of the CA that signs the host's certificate")
    credentials = Credentials(module.params["basic_user"], module.params["admin_user"])

    results = []
    for index, check in enumerate(module.params["checks"]):
        if "id" not in check or "mode" not in check:
            module.fail_json(msg=f"checks[{index}] needs 'id' and 'mode'", results=results)
        started = time.monotonic()
        try:
            result = run_check(check, credentials, cafile, module.params["scan_workers"])
        except (CheckError, KeyError, TypeError, ValueError) as error:
            module.fail_json(msg=f"checks[{index}] ({check['id']}) is invalid: {type(error).__name__}: {error}",
                             results=results)
        result.update(id=check["id"], mode=check["mode"], seconds=round(time.monotonic() - started, 3))
        results.append(result)
    module.exit_json(changed=False, results=results)


if __name__ == "__main__":
    main()
