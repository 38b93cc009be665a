#!/usr/bin/env python3
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mock dynamic DNS provider and address-detection service for the ddns Molecule scenarios.

It replaces a dyndns2 provider and a "what is my address" web service, so that no
test request leaves the test network. Every request is recorded, and the verify playbook reads
the records back as JSON.

    GET /nic/update?hostname=H[,H2]&myip=IP   dyndns2 update with HTTP Basic authentication.
                                              Returns one line per host name: "good IP" when
                                              the address is new for that name, "nochg IP" when
                                              it is the one recorded last, "badauth" without
                                              credentials, "notfqdn" without a host name.
    GET /ip                                   the client's source address, as a detection
                                              service sees it
    GET /ip/ADDRESS                           ADDRESS, whatever the client's address is, to
                                              simulate a host behind NAT or CGNAT
    GET /requests                             every recorded request as a JSON list
    POST /reset                               forget every recorded request and address

    ddns_mock.py [--listen ADDRESS] [--port PORT]

Each record holds: kind ("update" or "detect"), path, query (a dict of lists), client,
username and password (decoded from the Basic credentials as UTF-8; null when absent),
authorization (the raw header), response (the body sent back) and time (seconds since the epoch).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import http.server
import json
import threading
import time
import urllib.parse

_lock = threading.Lock()
_records: list[dict] = []
_last_address: dict[str, str] = {}


def decode_basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    """Return the user name and password of a Basic Authorization header, or (None, None)."""
    if not header or not header.startswith("Basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[len("Basic "):], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    username, separator, password = decoded.partition(":")
    if not separator:
        return None, None
    return username, password


def update_response(query: dict[str, list[str]], username: str | None) -> str:
    """Return the dyndns2 response body for an update request and remember the new addresses."""
    if username is None:
        return "badauth"
    hostnames = [name for value in query.get("hostname", []) for name in value.split(",") if name]
    if not hostnames:
        return "notfqdn"
    address = query.get("myip", [""])[0]
    lines = []
    for hostname in hostnames:
        status = "nochg" if _last_address.get(hostname) == address else "good"
        _last_address[hostname] = address
        lines.append(f"{status} {address}")
    return "\n".join(lines)


class MockHandler(http.server.BaseHTTPRequestHandler):
    server_version = "ddns-mock/1"

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        client = self.client_address[0]
        if client.startswith("::ffff:"):
            client = client[len("::ffff:"):]

        if url.path == "/requests":
            with _lock:
                body = json.dumps(_records)
            self._send(200, body, "application/json")
            return

        authorization = self.headers.get("Authorization")
        username, password = decode_basic_credentials(authorization)
        if url.path == "/nic/update":
            kind = "update"
            with _lock:
                response = update_response(query, username)
        elif url.path == "/ip":
            kind, response = "detect", client
        elif url.path.startswith("/ip/"):
            kind, response = "detect", urllib.parse.unquote(url.path[len("/ip/"):])
        else:
            self._send(404, "not found\n", "text/plain")
            return

        record = {
            "kind": kind,
            "path": url.path,
            "query": query,
            "client": client,
            "username": username,
            "password": password,
            "authorization": authorization,
            "response": response,
            "time": time.time(),
        }
        with _lock:
            _records.append(record)
        self._send(200, response + "\n", "text/plain")

    def do_POST(self) -> None:
        if self.path != "/reset":
            self._send(404, "not found\n", "text/plain")
            return
        with _lock:
            _records.clear()
            _last_address.clear()
        self._send(200, "[]", "application/json")

    def _send(self, status: int, body: str, content_type: str) -> None:
        encoded = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: object) -> None:
        # The journal gets one line per request. Credentials stay in /requests only.
        print(f"{self.client_address[0]} {self.command} {urllib.parse.urlsplit(self.path).path}", flush=True)


class MockServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port to listen on (default 8080)")
    args = parser.parse_args()
    server = MockServer((args.listen, args.port), MockHandler)
    print(f"ddns mock listening on {args.listen}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
