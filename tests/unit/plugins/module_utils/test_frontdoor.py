# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the front-door client against servers on the loopback address."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import socket
import ssl
import struct
import typing as t

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.moat.nodered.plugins.module_utils import frontdoor
from ansible_collections.moat.nodered.tests.unit.loopback_server import read_request, serve

DOMAIN = "nodered.example.test"


# Servers, from tests/unit/loopback_server.py.


@pytest.fixture
def servers():
    stops = []

    def start(handler, context=None) -> int:
        port, stop = serve(handler, context)
        stops.append(stop)
        return port

    yield start
    for stop in stops:
        stop.set()


def http_echo(connection: socket.socket) -> None:
    """Respond with 200 and the request line and the Host header as the body."""
    request_line, headers, _body = read_request(connection)
    body = f"{request_line.strip()} host={headers.get('host')}".encode()
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Test: yes\r\nConnection: close\r\n\r\n%s"
                       % (len(body), body))


def websocket_echo(connection: socket.socket) -> None:
    """Accept the upgrade unless the Origin is cross-site; echo one text frame, then close."""
    _request_line, headers, _body = read_request(connection)
    if headers.get("origin", "").endswith("attacker.example.net"):
        connection.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden")
        return
    accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + frontdoor.WEBSOCKET_GUID).encode()).digest())
    connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    stream = connection.makefile("rb")
    first, second = stream.read(2)
    length = second & 0x7F
    mask = stream.read(4)
    payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(stream.read(length)))
    connection.sendall(struct.pack("!BB", 0x81, len(payload)) + payload)
    connection.sendall(struct.pack("!BBH", 0x88, 2, 1000))


def websocket_silent(connection: socket.socket) -> None:
    """Accept the upgrade and send nothing, like Node-RED's /comms before a token arrives."""
    _request_line, headers, _body = read_request(connection)
    accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + frontdoor.WEBSOCKET_GUID).encode()).digest())
    connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    connection.recv(1024)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> dict[str, t.Any]:
    """A CA and a server certificate for DOMAIN that expires in 10 days."""
    directory = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "moat test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DOMAIN)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=10, hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(DOMAIN)]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (directory / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (directory / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (directory / "key.pem").write_bytes(key_pem)
    return {"ca": str(directory / "ca.pem"), "leaf": str(directory / "leaf.pem"), "key": str(directory / "key.pem")}


@pytest.fixture
def tls_server_context(certificate) -> ssl.SSLContext:
    """A server context like the proxy's: TLS 1.2 and 1.3, ECDHE with AEAD only."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate["leaf"], certificate["key"])
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    return context


# Endpoints.


@pytest.mark.parametrize(
    ("url", "connect", "expected"),
    [
        ("https://nodered.example.test/flows?x=1", None, ("nodered.example.test", 443, "/flows?x=1", "nodered.example.test", 443)),
        ("http://nodered.example.test:8080", "192.0.2.1:80", ("nodered.example.test", 8080, "/", "192.0.2.1", 80)),
        ("wss://nodered.example.test/comms", "[2001:db8::1]:8443", ("nodered.example.test", 443, "/comms", "2001:db8::1", 8443)),
    ],
)
def test_parse_endpoint(url, connect, expected):
    endpoint = frontdoor.parse_endpoint(url, connect)
    assert (endpoint.host, endpoint.port, endpoint.path, endpoint.address, endpoint.address_port) == expected


@pytest.mark.parametrize(
    ("url", "connect", "message"),
    [
        ("ftp://nodered.example.test/", None, "url 'ftp://nodered.example.test/' must be an absolute http, https, ws or wss URL"),
        ("/flows", None, "url '/flows' must be an absolute http, https, ws or wss URL"),
        ("https://nodered.example.test/", "192.0.2.1", "connect '192.0.2.1' must be HOST:PORT or [IPv6]:PORT"),
        ("https://nodered.example.test/", "192.0.2.1:https", "connect '192.0.2.1:https' must be HOST:PORT or [IPv6]:PORT"),
    ],
)
def test_parse_endpoint_rejects(url, connect, message):
    with pytest.raises(frontdoor.CheckError) as error:
        frontdoor.parse_endpoint(url, connect)
    assert str(error.value) == message


# WebSocket frames.


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536])
def test_frame_round_trip(size):
    text = "x" * size
    frame = frontdoor.encode_frame(text, mask=b"\x01\x02\x03\x04")
    mask = frame[frame.index(b"\x01\x02\x03\x04"):][:4]
    header_length = {0: 2, 1: 2, 125: 2, 126: 4, 65535: 4, 65536: 10}[size]
    payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(frame[header_length + 4:]))
    assert payload.decode() == text
    assert frame[0] == 0x81
    assert frame[1] & 0x80


@pytest.mark.parametrize("size", [0, 5, 200, 70000])
def test_read_frame_lengths(size):
    payload = b"y" * size
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 65536:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    assert frontdoor.read_frame(io.BytesIO(header + payload)) == (1, payload)


def test_read_frame_rejects_masked_frame():
    with pytest.raises(ValueError, match="masked frame"):
        frontdoor.read_frame(io.BytesIO(b"\x81\x81abcdx"))


def test_read_frame_rejects_oversized_frame():
    with pytest.raises(ValueError, match="more than 1048576"):
        frontdoor.read_frame(io.BytesIO(struct.pack("!BBQ", 0x81, 127, 1048577)))


def test_read_frame_reports_truncation():
    with pytest.raises(EOFError):
        frontdoor.read_frame(io.BytesIO(b"\x81\x05abc"))


def test_websocket_accept_matches_rfc_example():
    # The example key and answer of RFC 6455, section 1.3.
    assert frontdoor.websocket_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


# HTTP and WebSocket against loopback servers.


def test_http_request_sends_public_host(servers):
    port = servers(http_echo)
    result = frontdoor.http_request(f"http://{DOMAIN}/flows?probe=1", f"127.0.0.1:{port}")
    assert result["status"] == 200
    assert result["body"] == f"GET /flows?probe=1 HTTP/1.1 host={DOMAIN}"
    assert result["headers"]["x-test"] == "yes"


def test_http_request_without_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = frontdoor.http_request(f"http://{DOMAIN}/", f"127.0.0.1:{port}", timeout=2)
    assert result["status"] is None
    assert result["error"].startswith("ConnectionRefusedError")


def test_websocket_echo(servers):
    port = servers(websocket_echo)
    result = frontdoor.websocket_session(f"ws://{DOMAIN}/ws/echo", f"127.0.0.1:{port}", origin=f"https://{DOMAIN}",
                                         send=["héllo \"probe\""], receive=1)
    assert result["status"] == 101
    assert result["received"] == ["héllo \"probe\""]
    assert "error" not in result


def test_websocket_rejected_origin(servers):
    port = servers(websocket_echo)
    result = frontdoor.websocket_session(f"ws://{DOMAIN}/ws/echo", f"127.0.0.1:{port}",
                                         origin="https://attacker.example.net")
    assert result["status"] == 403
    assert result["body"] == "forbidden"


def test_websocket_close_before_message(servers):
    port = servers(websocket_echo)
    result = frontdoor.websocket_session(f"ws://{DOMAIN}/ws/echo", f"127.0.0.1:{port}", send=["one"], receive=2)
    assert result["received"] == ["one"]
    assert result["error"] == "the server closed the WebSocket (code 1000)"


def test_websocket_silence_times_out(servers):
    port = servers(websocket_silent)
    result = frontdoor.websocket_session(f"ws://{DOMAIN}/comms", f"127.0.0.1:{port}", receive=1, receive_timeout=0.5)
    assert result["status"] == 101
    assert result["received"] == []
    assert result["error"] == "timed out after 0.5 s waiting for message 1"


def test_basic_authorization_encodes_utf8():
    header = frontdoor.basic_authorization("viewer", "Vi'ew\"er $ü Pa55")
    assert base64.b64decode(header.split()[1]).decode("utf-8") == "viewer:Vi'ew\"er $ü Pa55"


# TLS and certificates.


def test_tls_old_versions_refused(servers, tls_server_context):
    port = servers(lambda connection: None, tls_server_context)
    for version in ("TLSv1", "TLSv1.1"):
        result = frontdoor.tls_handshake("127.0.0.1", port, DOMAIN, max_version=version)
        assert result["status"] is None, version
        # Either the server refused it, or this OpenSSL cannot offer it at all; never a handshake.
        assert result.get("client_unsupported") or result.get("reason"), result


def test_tls_weak_ciphers_refused(servers, tls_server_context):
    port = servers(lambda connection: None, tls_server_context)
    result = frontdoor.tls_handshake("127.0.0.1", port, DOMAIN, min_version="TLSv1.2", max_version="TLSv1.2",
                                     ciphers="kRSA")
    assert result["status"] is None


def test_tls_modern_versions_accepted(servers, tls_server_context):
    port = servers(lambda connection: None, tls_server_context)
    tls12 = frontdoor.tls_handshake("127.0.0.1", port, DOMAIN, min_version="TLSv1.2", max_version="TLSv1.2")
    tls13 = frontdoor.tls_handshake("127.0.0.1", port, DOMAIN, min_version="TLSv1.3")
    assert (tls12["status"], tls12["version"]) == ("handshake", "TLSv1.2")
    assert tls12["cipher"].startswith("ECDHE-ECDSA-")
    assert (tls13["status"], tls13["version"]) == ("handshake", "TLSv1.3")


def test_tls_closed_port_not_connected():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    # Nothing listens on the port any more, so the connection is refused before TLS starts.
    result = frontdoor.tls_handshake("127.0.0.1", port, DOMAIN)
    assert result["status"] is None
    assert result["connected"] is False
    assert "reason" not in result


def test_tls_cipher_string_this_client_lacks():
    result = frontdoor.tls_handshake("127.0.0.1", 9, DOMAIN, max_version="TLSv1.2", ciphers="NO-SUCH-CIPHER")
    assert result["client_unsupported"] is True
    assert result["status"] is None


def test_certificate_trusted_with_days_left(servers, tls_server_context, certificate):
    port = servers(lambda connection: None, tls_server_context)
    result = frontdoor.certificate_status("127.0.0.1", port, DOMAIN, cafile=certificate["ca"])
    assert result["trusted"] is True
    assert result["days_left"] == 10
    assert result["dns_names"] == [DOMAIN]
    assert result["issuer"] == "moat test CA"


def test_certificate_untrusted_still_described(servers, tls_server_context):
    port = servers(lambda connection: None, tls_server_context)
    result = frontdoor.certificate_status("127.0.0.1", port, DOMAIN)
    assert result["trusted"] is False
    assert result["status"] == "handshake"
    assert "does not verify" in result["error"]
    assert result["days_left"] == 10


def test_certificate_wrong_name_untrusted(servers, tls_server_context, certificate):
    port = servers(lambda connection: None, tls_server_context)
    result = frontdoor.certificate_status("127.0.0.1", port, "other.example.test", cafile=certificate["ca"])
    assert result["trusted"] is False
    assert result["dns_names"] == [DOMAIN]


# Ports.


def test_scan_ports_open_and_closed():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
    open_port = listener.getsockname()[1]
    try:
        states = frontdoor.scan_ports("127.0.0.1", [open_port, closed, open_port], timeout=1)
    finally:
        listener.close()
    assert states == dict(sorted({open_port: "open", closed: "closed"}.items()))
