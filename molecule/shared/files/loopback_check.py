#!/usr/bin/env python3
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open a WebSocket or socket.io connection to Node-RED on loopback, bypassing the proxy.

Runs inside the test host with the standard library only and prints JSON:

    loopback_check.py websocket PATH [--user U] [--origin O]
        {"status": 101 | 401 | 403 | ...}
    loopback_check.py socketio PATH [--user U] [--origin O]
        {"handshake": 200, "connect": "40..." | "44..."}

The password for --user comes from the environment variable
LOOPBACK_CHECK_PASSWORD, so it stays out of the process list. PATH for
socketio is the socket.io endpoint, e.g. /ui/socket.io/. The socket.io
check opens an engine.io polling session and asks to join the default
namespace; a middleware that rejects the client answers with a "44" packet.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import sys


def auth_headers(args):
    headers = {}
    if args.user is not None:
        password = os.environ.get("LOOPBACK_CHECK_PASSWORD", "")
        token = base64.b64encode(f"{args.user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    if args.origin:
        headers["Origin"] = args.origin
    return headers


def check_websocket(args):
    headers = auth_headers(args)
    headers.update(
        {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        }
    )
    connection = http.client.HTTPConnection(args.host, args.port, timeout=60)
    connection.request("GET", args.path, headers=headers)
    response = connection.getresponse()
    return {"status": response.status}


def check_socketio(args):
    headers = auth_headers(args)
    base = args.path + "?EIO=4&transport=polling"
    connection = http.client.HTTPConnection(args.host, args.port, timeout=60)
    connection.request("GET", base, headers=headers)
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    result = {"handshake": response.status}
    if response.status != 200 or not body.startswith("0"):
        result["body"] = body[:200]
        return result

    session = json.loads(body[1:])["sid"]
    connection.request("POST", f"{base}&sid={session}", body="40", headers=headers)
    connection.getresponse().read()
    connection.request("GET", f"{base}&sid={session}", headers=headers)
    reply = connection.getresponse().read().decode("utf-8", "replace")
    # Several packets in one polling response are separated by U+001E.
    result["connect"] = next((packet for packet in reply.split("\x1e") if packet.startswith("4")), reply)[:200]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["websocket", "socketio"])
    parser.add_argument("path")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1880)
    parser.add_argument("--user")
    parser.add_argument("--origin")
    args = parser.parse_args()
    result = check_websocket(args) if args.mode == "websocket" else check_socketio(args)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
