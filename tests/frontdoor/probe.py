#!/usr/bin/env python3
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send one HTTP request or open one WebSocket, as an outside client would.

The Molecule verify playbooks call this from the controller and assert on the
JSON it prints. Unlike the uri module it connects to an address given apart
from the URL (``--connect``), so that TLS SNI and the Host header carry the
public name while the TCP connection goes to a test container, like
``curl --resolve``.

    probe.py http URL [--connect HOST:PORT] [--method M] [--header 'K: V']
                      [--data TEXT | --form K=V ...] [--read-all]
                      [--cafile F | --insecure]
    probe.py ws URL [--connect HOST:PORT] [--origin O] [--header 'K: V']
                    [--send TEXT ...] [--receive N] [--cafile F | --insecure]
    probe.py socketio URL [--connect HOST:PORT] [--origin O] [--header 'K: V']
                          [--cafile F | --insecure]
    probe.py tls URL [--connect HOST:PORT] [--server-name NAME | --no-server-name]
                     [--alpn P ...] [--tls-max VERSION] [--cafile F | --insecure]
    probe.py batch FILE

http, ws, socketio and tls print one JSON object. They exit 0 when a response
arrived, whatever its status code, and 1 when no HTTP response came back at
all (for tls: when the handshake failed).

socketio runs an Engine.IO 4 session against a socket.io server whose path is
URL: a long-polling handshake, a connect packet for the main namespace, then
the WebSocket upgrade with its probe. It stops at the first step that fails.

batch reads a JSON list of checks from FILE ("-" for standard input). Each
check is an object with "id", "mode" (http, ws, socketio or tls) and "url".
The options above are keys too ("connect", "method", "headers" as an object,
"data", "form" as an object, "origin", "send", "receive", "receive_timeout", "timeout",
"cafile", "insecure", "server_name", "no_server_name", "alpn", "tls_max",
"read_all").
"data_size": N sends a body of N bytes.
"basic": [USER, PASSWORD] adds an Authorization header. It prints a JSON list
of results, each with the check's "id", and always exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import json
import pathlib
import socket
import ssl
import sys
import time
import urllib.parse

from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.asyncio.client import connect as ws_connect

# The TLS handshake is the one that playbooks/audit.yml runs through the
# frontdoor_probe module, so the tests and the audit judge TLS the same way.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "plugins" / "module_utils"))
from frontdoor import TLS_VERSIONS, tls_handshake  # noqa: E402

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
        address, _separator, connect_port = connect.rpartition(":")
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
        try:
            connection.request(args.method, path, body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            # A server may answer (413, for example) and close before the whole body is sent.
            pass
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as error:
        return {"status": None, "error": f"{type(error).__name__}: {error}"}

    # --read-all reads the whole body, so the transfer completes and a proxy
    # cache can store it. The output keeps the size and the first BODY_LIMIT
    # bytes.
    payload = response.read() if args.read_all else response.read(BODY_LIMIT)
    result = {
        "status": response.status,
        "headers": {name.lower(): value for name, value in response.getheaders()},
        "body": payload[:BODY_LIMIT].decode("utf-8", errors="replace"),
        "body_bytes": len(payload),
    }
    if isinstance(connection.sock, ssl.SSLSocket):
        result["tls"] = {"version": connection.sock.version(), "cipher": connection.sock.cipher()[0]}
    connection.close()
    return result


def run_websocket(args: argparse.Namespace) -> dict:
    """Open one WebSocket, send and receive messages, and return what happened."""
    return asyncio.run(_run_websocket(args))


# websockets' threaded client waits for data with select() on the socket. When a rejected
# handshake's headers and body arrive as two TLS records at once, OpenSSL buffers the second,
# so select() never reports it and the handshake times out. The asyncio client reads TLS
# through a memory buffer and does not wait on the socket for buffered data.
async def _run_websocket(args: argparse.Namespace) -> dict:
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
        websocket = await ws_connect(args.url, **options)
    except InvalidStatus as error:
        response = error.response
        return {
            "status": response.status_code,
            "headers": {name.lower(): value for name, value in response.headers.raw_items()},
            "body": response.body.decode("utf-8", errors="replace") if response.body else "",
        }
    except (OSError, TimeoutError, WebSocketException) as error:
        sock.close()
        return {"status": None, "error": f"{type(error).__name__}: {error}"}

    received = []
    error_text = None
    waited = getattr(args, "receive_timeout", None) or args.timeout
    async with websocket:
        try:
            for message in args.send:
                await websocket.send(message)
            for _message in range(args.receive):
                message = await asyncio.wait_for(websocket.recv(), waited)
                received.append(message if isinstance(message, str) else message.decode("utf-8", "replace"))
        except TimeoutError:
            error_text = f"timed out after {waited} s waiting for message {len(received) + 1}"
        except WebSocketException as error:
            error_text = f"{type(error).__name__}: {error}"
    result = {"status": websocket.response.status_code, "received": received}
    if error_text:
        result["error"] = error_text
    return result


def _add_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _sub_args(args: argparse.Namespace, **changes) -> argparse.Namespace:
    values = dict(vars(args))
    values.update(changes)
    return argparse.Namespace(**values)


def run_socketio(args: argparse.Namespace) -> dict:
    """Run an Engine.IO 4 session: polling handshake, namespace connect, WebSocket upgrade."""
    headers = list(args.header)
    if args.origin:
        headers.append(f"Origin: {args.origin}")
    base = urllib.parse.urlsplit(args.url)
    http_url = urllib.parse.urlunsplit(base._replace(scheme="https" if base.scheme in ("https", "wss") else "http"))
    ws_url = urllib.parse.urlunsplit(base._replace(scheme="wss" if base.scheme in ("https", "wss") else "ws"))

    handshake = run_http(_sub_args(args, url=_add_query(http_url, EIO="4", transport="polling"),
                                   method="GET", header=headers, form=None, data=None))
    result = {"status": handshake.get("status"), "polling_status": handshake.get("status")}
    if handshake.get("status") != 200:
        result["error"] = handshake.get("error") or handshake.get("body", "")[:200]
        return result
    body = handshake.get("body", "")
    if not body.startswith("0"):
        result["error"] = f"expected an Engine.IO open packet, got {body[:200]!r}"
        return result
    sid = json.loads(body[1:])["sid"]
    result["open"] = True

    connect = run_http(_sub_args(args, url=_add_query(http_url, EIO="4", transport="polling", sid=sid),
                                 method="POST", header=headers + ["Content-Type: text/plain;charset=UTF-8"],
                                 form=None, data="40"))
    result["connect_status"] = connect.get("status")
    reply = run_http(_sub_args(args, url=_add_query(http_url, EIO="4", transport="polling", sid=sid),
                               method="GET", header=headers, form=None, data=None))
    # The reply contains the namespace response: "40{...}" accepts, "44{...}" rejects the connection.
    packets = reply.get("body", "").split("\x1e")
    result["namespace"] = next((packet[:2] for packet in packets if packet.startswith("4")), None)

    upgrade = run_websocket(_sub_args(args, url=_add_query(ws_url, EIO="4", transport="websocket", sid=sid),
                                      header=args.header, send=["2probe"], receive=1))
    result["upgrade_status"] = upgrade.get("status")
    result["upgrade_received"] = upgrade.get("received", [])
    if upgrade.get("error"):
        result["upgrade_error"] = upgrade["error"]
    return result


def run_tls(args: argparse.Namespace) -> dict:
    """Run one TLS handshake and report the protocol, cipher and ALPN protocol, or the failure."""
    parts, address, port = split_target(args.url, args.connect)
    server_name = None if args.no_server_name else (args.server_name or parts.hostname)
    return tls_handshake(
        address,
        port,
        server_name,
        max_version=args.tls_max,
        alpn=args.alpn or (),
        cafile=args.cafile,
        verify=not args.insecure,
        timeout=args.timeout,
    )


RUNNERS = {"http": run_http, "ws": run_websocket, "socketio": run_socketio, "tls": run_tls}


def _check_to_args(check: dict) -> argparse.Namespace:
    headers = [f"{name}: {value}" for name, value in (check.get("headers") or {}).items()]
    if check.get("basic"):
        username, password = check["basic"]
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        headers.append(f"Authorization: Basic {token}")
    form = check.get("form")
    return argparse.Namespace(
        url=check["url"],
        connect=check.get("connect"),
        header=headers,
        timeout=float(check.get("timeout", 10.0)),
        cafile=check.get("cafile"),
        insecure=bool(check.get("insecure", False)),
        method=check.get("method", "GET"),
        data="x" * int(check["data_size"]) if "data_size" in check else check.get("data"),
        form=[f"{key}={value}" for key, value in form.items()] if form else None,
        origin=check.get("origin"),
        send=list(check.get("send", [])),
        receive=int(check.get("receive", 0)),
        receive_timeout=float(check["receive_timeout"]) if "receive_timeout" in check else None,
        server_name=check.get("server_name"),
        no_server_name=bool(check.get("no_server_name", False)),
        alpn=list(check.get("alpn", [])),
        tls_max=check.get("tls_max"),
        read_all=bool(check.get("read_all", False)),
    )


def run_batch(path: str) -> list[dict]:
    """Run every check of a JSON list and return the results in the same order."""
    with (sys.stdin if path == "-" else open(path, encoding="utf-8")) as handle:
        checks = json.load(handle)
    results = []
    for check in checks:
        started = time.monotonic()
        try:
            result = RUNNERS[check["mode"]](_check_to_args(check))
        except (KeyError, ValueError, TypeError) as error:
            result = {"status": None, "error": f"invalid check: {type(error).__name__}: {error}"}
        result["id"] = check.get("id")
        result["seconds"] = round(time.monotonic() - started, 3)
        results.append(result)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    batch_command = sub.add_parser("batch")
    batch_command.add_argument("file", help="JSON list of checks, or - for standard input")
    for mode in ("http", "ws", "socketio", "tls"):
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
    http_command.add_argument("--read-all", action="store_true", help="read the whole response body")
    body = http_command.add_mutually_exclusive_group()
    body.add_argument("--data", help="request body as text")
    body.add_argument("--form", action="append", help="K=V form field, repeatable")
    ws_command = sub.choices["ws"]
    ws_command.add_argument("--origin", help="Origin header to send")
    ws_command.add_argument("--send", action="append", default=[], help="text message to send, repeatable")
    ws_command.add_argument("--receive", type=int, default=0, help="number of messages to wait for")
    ws_command.add_argument("--receive-timeout", type=float, help="seconds to wait for each message (default: --timeout)")
    sub.choices["socketio"].add_argument("--origin", help="Origin header to send on every request")
    tls_command = sub.choices["tls"]
    server_name = tls_command.add_mutually_exclusive_group()
    server_name.add_argument("--server-name", help="TLS SNI to send instead of the URL's host")
    server_name.add_argument("--no-server-name", action="store_true", help="send no SNI")
    tls_command.add_argument("--alpn", action="append", default=[], help="ALPN protocol to offer, repeatable")
    tls_command.add_argument("--tls-max", choices=sorted(TLS_VERSIONS), help="highest TLS version to offer")

    args = parser.parse_args(argv)
    if args.mode == "batch":
        json.dump(run_batch(args.file), sys.stdout)
        sys.stdout.write("\n")
        return 0
    if args.mode == "socketio":
        # run_http and run_websocket read these, which the socketio command does not define.
        args = _sub_args(args, method="GET", data=None, form=None, send=[], receive=0)
    result = RUNNERS[args.mode](args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0 if result.get("status") is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
