#!/usr/bin/env python3
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send one HTTP request or open one WebSocket, as an outside client would.

The Molecule verify playbooks call this from the controller and assert on the
JSON it prints. Unlike the uri module it connects to an address given apart
from the URL (``--connect``), so that TLS SNI and the Host header carry the
public name while the TCP connection goes to a test container, like
``curl --resolve``.

    probe.py http URL [--connect HOST:PORT] [--method M] [--header 'K: V']
                      [--data TEXT | --form K=V ...] [--cafile F | --insecure]
    probe.py ws URL [--connect HOST:PORT] [--origin O] [--header 'K: V']
                    [--send TEXT ...] [--receive N] [--cafile F | --insecure]

Both print one JSON object. They exit 0 when a response arrived, whatever its
status code, and 1 when no HTTP response came back at all.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import ssl
import sys
import urllib.parse

from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect as ws_connect

BODY_LIMIT = 65536


def build_tls_context(args: argparse.Namespace) -> ssl.SSLContext:
    """Return a client TLS context that verifies against --cafile, or nothing with --insecure."""
    if args.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=args.cafile)


def split_target(url: str, connect: str | None) -> tuple[urllib.parse.SplitResult, str, int]:
    """Return the parsed URL and the address and port to open the TCP connection to."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        raise SystemExit(f"probe: unsupported URL scheme in {url!r}; use http, https, ws or wss")
    default_port = 443 if parts.scheme in ("https", "wss") else 80
    port = parts.port or default_port
    address = parts.hostname
    if connect:
        address, _, connect_port = connect.rpartition(":")
        if not address:
            raise SystemExit(f"probe: --connect {connect!r} must be HOST:PORT")
        address = address.strip("[]")
        port = int(connect_port)
    return parts, address, port


def parse_headers(values: list[str]) -> list[tuple[str, str]]:
    headers = []
    for value in values:
        name, sep, content = value.partition(":")
        if not sep:
            raise SystemExit(f"probe: --header {value!r} must be 'Name: value'")
        headers.append((name.strip(), content.strip()))
    return headers


def open_tls_socket(parts, address, port, context, timeout):
    raw = socket.create_connection((address, port), timeout=timeout)
    if parts.scheme in ("https", "wss"):
        return context.wrap_socket(raw, server_hostname=parts.hostname)
    return raw


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection whose socket is opened by the caller."""

    def __init__(self, host_header, opener, timeout):
        super().__init__(host_header, timeout=timeout)
        self._opener = opener

    def connect(self):
        self.sock = self._opener()


def run_http(args: argparse.Namespace) -> dict:
    parts, address, port = split_target(args.url, args.connect)
    context = build_tls_context(args)
    connection = _PinnedConnection(
        parts.netloc, lambda: open_tls_socket(parts, address, port, context, args.timeout), args.timeout
    )

    headers = dict(parse_headers(args.header))
    body = None
    if args.form:
        body = urllib.parse.urlencode([tuple(item.split("=", 1)) for item in args.form]).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif args.data is not None:
        body = args.data.encode()
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))

    try:
        connection.request(args.method, path, body=body, headers=headers)
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as error:
        return {"status": None, "error": f"{type(error).__name__}: {error}"}

    payload = response.read(BODY_LIMIT)
    result = {
        "status": response.status,
        "headers": {name.lower(): value for name, value in response.getheaders()},
        "body": payload.decode("utf-8", errors="replace"),
    }
    if isinstance(connection.sock, ssl.SSLSocket):
        result["tls"] = {"version": connection.sock.version(), "cipher": connection.sock.cipher()[0]}
    connection.close()
    return result


def run_websocket(args: argparse.Namespace) -> dict:
    parts, address, port = split_target(args.url, args.connect)
    context = build_tls_context(args)
    try:
        sock = socket.create_connection((address, port), timeout=args.timeout)
    except OSError as error:
        return {"status": None, "error": f"{type(error).__name__}: {error}"}

    options = {
        "sock": sock,
        "additional_headers": parse_headers(args.header),
        "open_timeout": args.timeout,
        "proxy": None,
    }
    if parts.scheme == "wss":
        options["ssl"] = context
        options["server_hostname"] = parts.hostname
    if args.origin:
        options["origin"] = args.origin

    try:
        websocket = ws_connect(args.url, **options)
    except InvalidStatus as error:
        response = error.response
        return {
            "status": response.status_code,
            "headers": {name.lower(): value for name, value in response.headers.raw_items()},
            "body": response.body.decode("utf-8", errors="replace") if response.body else "",
        }
    except (OSError, WebSocketException) as error:
        return {"status": None, "error": f"{type(error).__name__}: {error}"}

    received = []
    error_text = None
    with websocket:
        try:
            for message in args.send:
                websocket.send(message)
            for _ in range(args.receive):
                message = websocket.recv(timeout=args.timeout)
                received.append(message if isinstance(message, str) else message.decode("utf-8", "replace"))
        except TimeoutError:
            error_text = f"timed out after {args.timeout} s waiting for message {len(received) + 1}"
        except WebSocketException as error:
            error_text = f"{type(error).__name__}: {error}"
    result = {"status": websocket.response.status_code, "received": received}
    if error_text:
        result["error"] = error_text
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    for mode in ("http", "ws"):
        command = sub.add_parser(mode)
        command.add_argument("url")
        command.add_argument("--connect", help="HOST:PORT to open instead of the URL's host")
        command.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
        command.add_argument("--timeout", type=float, default=10.0, help="seconds per step")
        trust = command.add_mutually_exclusive_group()
        trust.add_argument("--cafile", help="PEM file of CA certificates to trust")
        trust.add_argument("--insecure", action="store_true", help="skip certificate verification")
    http_command = sub.choices["http"]
    http_command.add_argument("--method", default="GET")
    body = http_command.add_mutually_exclusive_group()
    body.add_argument("--data", help="request body as text")
    body.add_argument("--form", action="append", help="K=V form field, repeatable")
    ws_command = sub.choices["ws"]
    ws_command.add_argument("--origin", help="Origin header to send")
    ws_command.add_argument("--send", action="append", default=[], help="text message to send, repeatable")
    ws_command.add_argument("--receive", type=int, default=0, help="number of messages to wait for")

    args = parser.parse_args(argv)
    result = run_http(args) if args.mode == "http" else run_websocket(args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0 if result.get("status") is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
