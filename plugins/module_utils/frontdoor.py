# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Client side of the front-door checks: HTTP, WebSocket, Engine.IO, TLS and TCP.

Every function opens its own connection to an address given apart from the URL, so that TLS
SNI and the Host header carry the public name while the TCP connection goes to a chosen
address, like ``curl --resolve``. Only the Python standard library is used. The exception is
the ``cryptography`` package, which ansible-core depends on: it reads the expiry date of a
certificate that does not verify.

Results are plain dicts. A function returns ``{"status": None, "error": ...}`` when no
response arrived at all, and never raises for network errors. Secrets (passwords, tokens)
never appear in a result.
"""

from __future__ import annotations

import base64
import concurrent.futures
import datetime
import errno
import hashlib
import http.client
import json
import os
import socket
import ssl
import struct
import typing as t
import urllib.parse
import warnings

BODY_LIMIT = 65536
HEADER_LIMIT = 65536
FRAME_LIMIT = 1048576
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

TLS_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}

# OpenSSL reasons that mean this client could not offer what the check asked for, so the
# server's answer is unknown (for example an OpenSSL built without TLS 1.0).
CLIENT_UNSUPPORTED_REASONS = frozenset({"NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE", "NO_CIPHER_MATCH"})


class CheckError(ValueError):
    """A check is malformed; the message names the key and the valid values."""


class Endpoint(t.NamedTuple):
    """The URL's parts and the TCP address to open for one request."""

    scheme: str
    host: str
    port: int
    path: str
    netloc: str
    address: str
    address_port: int

    @property
    def secure(self) -> bool:
        return self.scheme in ("https", "wss")


def parse_endpoint(url: str, connect: str | None = None) -> Endpoint:
    """Split URL and the optional HOST:PORT (or [IPv6]:PORT) to connect to instead of its host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        raise CheckError(f"url {url!r} must be an absolute http, https, ws or wss URL")
    port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
    address, address_port = parts.hostname, port
    if connect:
        host, separator, port_text = connect.rpartition(":")
        if not separator or not host or not port_text.isdigit():
            raise CheckError(f"connect {connect!r} must be HOST:PORT or [IPv6]:PORT")
        address, address_port = host.strip("[]"), int(port_text)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return Endpoint(parts.scheme, parts.hostname, port, path, parts.netloc, address, address_port)


def tls_context(cafile: str | None = None, verify: bool = True) -> ssl.SSLContext:
    """Return a client context that verifies against CAFILE (or the system's CAs), or not at all."""
    context = ssl.create_default_context(cafile=cafile or None)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _failure(error: BaseException) -> dict[str, t.Any]:
    return {"status": None, "error": f"{type(error).__name__}: {error}"}


def open_connection(endpoint: Endpoint, context: ssl.SSLContext | None, timeout: float) -> socket.socket:
    """Open a TCP connection to the endpoint's address, with TLS and SNI for https and wss."""
    raw = socket.create_connection((endpoint.address, endpoint.address_port), timeout=timeout)
    if not endpoint.secure:
        return raw
    try:
        return (context or tls_context()).wrap_socket(raw, server_hostname=endpoint.host)
    except BaseException:
        raw.close()
        raise


def basic_authorization(username: str, password: str) -> str:
    """Return the value of an Authorization header for HTTP Basic authentication in UTF-8."""
    token = base64.b64encode(f"{username}:{password}".encode("utf-8")).decode("ascii")
    return f"Basic {token}"


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket comes from open_connection()."""

    def __init__(self, endpoint: Endpoint, context: ssl.SSLContext | None, timeout: float) -> None:
        super().__init__(endpoint.netloc, timeout=timeout)
        self._endpoint = endpoint
        self._context = context

    def connect(self) -> None:
        self.sock = open_connection(self._endpoint, self._context, self.timeout)


def http_request(
    url: str,
    connect: str | None = None,
    method: str = "GET",
    headers: t.Mapping[str, str] | None = None,
    body: bytes | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 10.0,
) -> dict[str, t.Any]:
    """Send one request and return its status, lower-case headers, body text and TLS parameters."""
    endpoint = parse_endpoint(url, connect)
    connection = _PinnedConnection(endpoint, context, timeout)
    try:
        try:
            connection.request(method, endpoint.path, body=body, headers=dict(headers or {}))
        except (BrokenPipeError, ConnectionResetError):
            # A server may answer (413, for example) and close before the whole body is sent.
            pass
        response = connection.getresponse()
        payload = response.read(BODY_LIMIT)
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        return _failure(error)
    result: dict[str, t.Any] = {
        "status": response.status,
        "headers": {name.lower(): value for name, value in response.getheaders()},
        "body": payload.decode("utf-8", errors="replace"),
    }
    if isinstance(connection.sock, ssl.SSLSocket):
        result["tls"] = {"version": connection.sock.version(), "cipher": connection.sock.cipher()[0]}
    connection.close()
    return result


# WebSocket (RFC 6455), client side.


def websocket_accept(key: str) -> str:
    """Return the Sec-WebSocket-Accept value that a server must send for KEY."""
    digest = hashlib.sha1((key + WEBSOCKET_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def encode_frame(text: str, opcode: int = 0x1, mask: bytes | None = None) -> bytes:
    """Encode one final, masked client frame (text by default)."""
    payload = text.encode("utf-8")
    mask = os.urandom(4) if mask is None else mask
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return header + mask + masked


def read_frame(stream: t.BinaryIO) -> tuple[int, bytes]:
    """Read one frame from a server and return its opcode and payload.

    Raises EOFError when the stream ends inside a frame and ValueError when the frame is
    masked (servers must not mask) or longer than FRAME_LIMIT.
    """

    def read_exactly(count: int) -> bytes:
        data = stream.read(count)
        if data is None or len(data) < count:
            raise EOFError("the connection closed inside a WebSocket frame")
        return data

    first, second = read_exactly(2)
    opcode = first & 0x0F
    length = second & 0x7F
    if second & 0x80:
        raise ValueError("the server sent a masked frame")
    if length == 126:
        (length,) = struct.unpack("!H", read_exactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", read_exactly(8))
    if length > FRAME_LIMIT:
        raise ValueError(f"the server sent a frame of {length} bytes, more than {FRAME_LIMIT}")
    return opcode, read_exactly(length) if length else b""


def read_http_head(stream: t.BinaryIO) -> tuple[int, dict[str, str]]:
    """Read a status line and headers; return the status code and lower-case headers."""
    status_line = stream.readline(HEADER_LIMIT)
    parts = status_line.decode("iso-8859-1").split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"invalid HTTP status line {status_line[:80]!r}")
    headers: dict[str, str] = {}
    size = len(status_line)
    while True:
        line = stream.readline(HEADER_LIMIT)
        size += len(line)
        if size > HEADER_LIMIT:
            raise ValueError(f"the response headers are longer than {HEADER_LIMIT} bytes")
        if line in (b"\r\n", b"\n", b""):
            break
        name, _separator, value = line.decode("iso-8859-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


def websocket_session(
    url: str,
    connect: str | None = None,
    origin: str | None = None,
    headers: t.Mapping[str, str] | None = None,
    send: t.Sequence[str] = (),
    receive: int = 0,
    receive_timeout: float | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 10.0,
) -> dict[str, t.Any]:
    """Open a WebSocket, send text messages, wait for RECEIVE messages, and report what happened.

    The result has the handshake's status. A rejected handshake adds the headers and the
    body. An accepted one adds the text messages received, and "error" when fewer than
    RECEIVE arrived within RECEIVE_TIMEOUT seconds each.
    """
    endpoint = parse_endpoint(url, connect)
    key = base64.b64encode(os.urandom(16)).decode("ascii")
    request_headers = {
        "Host": endpoint.netloc,
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Version": "13",
    }
    if origin:
        request_headers["Origin"] = origin
    request_headers.update(headers or {})
    request = f"GET {endpoint.path} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in request_headers.items()
    )
    try:
        sock = open_connection(endpoint, context, timeout)
    except OSError as error:
        return _failure(error)

    # Reads go through a buffered reader over the socket, because an SSL socket can hold
    # decrypted bytes that select() would not report.
    with sock, sock.makefile("rb") as stream:
        try:
            sock.sendall(request.encode("utf-8") + b"\r\n")
            status, response_headers = read_http_head(stream)
        except (OSError, ValueError) as error:
            return _failure(error)

        if status != 101:
            length = response_headers.get("content-length", "")
            body = b""
            if length.isdigit():
                try:
                    body = stream.read(min(int(length), BODY_LIMIT)) or b""
                except OSError:
                    body = b""
            return {"status": status, "headers": response_headers, "body": body.decode("utf-8", errors="replace")}

        result: dict[str, t.Any] = {"status": 101, "headers": response_headers, "received": []}
        if response_headers.get("sec-websocket-accept") != websocket_accept(key):
            result["error"] = "the server's Sec-WebSocket-Accept does not match the request's key"
            return result
        try:
            for message in send:
                sock.sendall(encode_frame(message))
            sock.settimeout(receive_timeout or timeout)
            while len(result["received"]) < receive:
                opcode, payload = read_frame(stream)
                if opcode == 0x8:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    result["error"] = f"the server closed the WebSocket (code {code})"
                    break
                if opcode in (0x1, 0x2):
                    result["received"].append(payload.decode("utf-8", errors="replace"))
                # Ping, pong and continuation frames carry no message of their own.
        except (socket.timeout, TimeoutError):
            waited = receive_timeout or timeout
            result["error"] = f"timed out after {waited} s waiting for message {len(result['received']) + 1}"
        except (OSError, EOFError, ValueError) as error:
            result["error"] = f"{type(error).__name__}: {error}"
        try:
            sock.sendall(encode_frame("", opcode=0x8))
        except OSError:
            pass
        return result


def add_query(url: str, **params: str) -> str:
    """Return URL with PARAMS appended to its query string."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def engineio_open(
    url: str,
    connect: str | None = None,
    headers: t.Mapping[str, str] | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 10.0,
) -> dict[str, t.Any]:
    """Start an Engine.IO 4 long-polling session at URL, the path of a socket.io server.

    The result has the HTTP status and "open": true when the body is an Engine.IO open packet.
    """
    response = http_request(add_query(url, EIO="4", transport="polling"), connect, headers=headers,
                            context=context, timeout=timeout)
    result = {key: response[key] for key in ("status", "error") if key in response}
    body = response.get("body", "")
    if response.get("status") == 200:
        try:
            result["open"] = body.startswith("0") and "sid" in json.loads(body[1:])
        except ValueError:
            result["open"] = False
    return result


# TLS and certificates.


def _ssl_reason(error: BaseException) -> str | None:
    reason = getattr(error, "reason", None)
    return str(reason) if reason else None


def tls_handshake(
    address: str,
    port: int,
    server_name: str | None,
    max_version: str | None = None,
    min_version: str | None = None,
    ciphers: str | None = None,
    alpn: t.Sequence[str] = (),
    cafile: str | None = None,
    verify: bool = False,
    timeout: float = 10.0,
) -> dict[str, t.Any]:
    """Run one TLS handshake offering only what the arguments allow, and report the outcome.

    "status" is "handshake" or None. A failure has "error", and "reason" when OpenSSL gave
    one. "client_unsupported" is true when this client could not offer the requested
    versions or ciphers at all, and "connected" is false when the TCP connection failed
    (an unresolved name, a refused or filtered port). In both cases the server's support
    is unknown.
    """
    context = tls_context(cafile, verify)
    if server_name is None:
        context.check_hostname = False
    try:
        if max_version or min_version or ciphers:
            # OpenSSL's default security level forbids TLS 1.0, 1.1 and weak ciphers before any
            # byte is sent. Level 0 lets the client offer them, so the server must reject them.
            context.set_ciphers((ciphers or "ALL") + ":@SECLEVEL=0")
            with warnings.catch_warnings():
                # Python deprecates TLS 1.0 and 1.1, but offering them is the point of the check.
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = TLS_VERSIONS[min_version] if min_version else ssl.TLSVersion.MINIMUM_SUPPORTED
                if max_version:
                    context.maximum_version = TLS_VERSIONS[max_version]
        if alpn:
            context.set_alpn_protocols(list(alpn))
    except (ssl.SSLError, ValueError) as error:
        return {"status": None, "error": f"this client cannot offer it: {error}", "client_unsupported": True}
    except KeyError as error:
        raise CheckError(f"unknown TLS version {error}; use one of {', '.join(TLS_VERSIONS)}") from None

    try:
        raw = socket.create_connection((address, port), timeout=timeout)
    except OSError as error:
        return {**_failure(error), "connected": False}
    try:
        with context.wrap_socket(raw, server_hostname=server_name) as connection:
            return {
                "status": "handshake",
                "version": connection.version(),
                "cipher": connection.cipher()[0],
                "alpn": connection.selected_alpn_protocol(),
            }
    except (OSError, ssl.SSLError) as error:
        result = _failure(error)
        reason = _ssl_reason(error)
        if reason:
            result["reason"] = reason
        if reason in CLIENT_UNSUPPORTED_REASONS:
            result["client_unsupported"] = True
        return result
    finally:
        raw.close()


def _certificate_details(der: bytes) -> dict[str, t.Any]:
    """Read expiry, subject, issuer and DNS names from a DER certificate with cryptography."""
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID
    except ImportError:
        return {}
    certificate = x509.load_der_x509_certificate(der)
    not_after = getattr(certificate, "not_valid_after_utc", None)
    if not_after is None:
        not_after = certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = names.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        dns_names = []

    def common_name(name: x509.Name) -> str:
        values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(values[0].value) if values else name.rfc4514_string()

    return {
        "not_after": not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "subject": common_name(certificate.subject),
        "issuer": common_name(certificate.issuer),
        "dns_names": list(dns_names),
    }


def certificate_status(
    address: str,
    port: int,
    server_name: str,
    cafile: str | None = None,
    timeout: float = 10.0,
    now: datetime.datetime | None = None,
) -> dict[str, t.Any]:
    """Fetch the certificate served for SERVER_NAME and report trust, expiry and days left.

    "trusted" is true when the chain verifies against CAFILE (or the system's CAs) and the
    certificate names SERVER_NAME. The other keys describe the certificate even when it
    does not verify: "not_after" (UTC, ISO 8601), "days_left" (whole days, negative once
    expired), "subject", "issuer" and "dns_names".
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    result: dict[str, t.Any] = {"status": None, "trusted": False}
    try:
        raw = socket.create_connection((address, port), timeout=timeout)
    except OSError as error:
        return _failure(error)
    try:
        with tls_context(cafile, True).wrap_socket(raw, server_hostname=server_name) as connection:
            der = connection.getpeercert(binary_form=True)
            result.update(status="handshake", trusted=True)
    except ssl.SSLCertVerificationError as error:
        result["error"] = f"the certificate does not verify: {error.verify_message or error}"
        der = None
    except (OSError, ssl.SSLError) as error:
        return _failure(error)
    finally:
        raw.close()

    if der is None:
        # Fetch the certificate again without verification, to describe it.
        try:
            with socket.create_connection((address, port), timeout=timeout) as raw_again:
                with tls_context(None, False).wrap_socket(raw_again, server_hostname=server_name) as connection:
                    der = connection.getpeercert(binary_form=True)
                    result["status"] = "handshake"
        except (OSError, ssl.SSLError) as error:
            result["error"] = f"{result['error']}; fetching it unverified failed too: {error}"
            return result
    details = _certificate_details(der) if der else {}
    result.update(details)
    if "not_after" in details:
        not_after = datetime.datetime.strptime(details["not_after"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc
        )
        result["days_left"] = int((not_after - now).total_seconds() // 86400)
    return result


# TCP ports.


def tcp_port_state(address: str, port: int, timeout: float) -> str:
    """Return "open" when a TCP connection is accepted, "closed" when refused, else "filtered"."""
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return "open"
    except ConnectionRefusedError:
        return "closed"
    except (socket.timeout, TimeoutError):
        return "filtered"
    except OSError as error:
        if error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM):
            return "filtered"
        return "closed" if error.errno == errno.ECONNREFUSED else "filtered"


def scan_ports(address: str, ports: t.Iterable[int], timeout: float = 2.0, workers: int = 64) -> dict[int, str]:
    """Try a TCP connection to every port, WORKERS at a time, and return each port's state."""
    ports = sorted(set(int(port) for port in ports))
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(workers, len(ports) or 1))) as pool:
        states = pool.map(lambda port: tcp_port_state(address, port, timeout), ports)
        return dict(zip(ports, states))
