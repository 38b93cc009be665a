# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Loopback servers for the tests of the front-door client and the frontdoor_probe module."""

from __future__ import annotations

import socket
import ssl
import threading
import typing as t


def serve(handler: t.Callable[[socket.socket], None], context: ssl.SSLContext | None = None) -> tuple[int, threading.Event]:
    """Accept connections on 127.0.0.1 in a thread and pass each to HANDLER.

    Returns the port and the event that stops the thread.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()

    def loop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except socket.timeout:
                continue
            connection.settimeout(5)
            try:
                if context is not None:
                    try:
                        connection = context.wrap_socket(connection, server_side=True)
                    except (ssl.SSLError, OSError):
                        connection.close()
                        continue
                handler(connection)
            except OSError:
                pass
            finally:
                connection.close()
        listener.close()

    threading.Thread(target=loop, daemon=True).start()
    return listener.getsockname()[1], stop


def read_request(connection: socket.socket) -> tuple[str, dict[str, str], str]:
    """Read one HTTP request: the request line, the headers by lower-case name, and the body."""
    stream = connection.makefile("rb")
    request_line = stream.readline().decode()
    headers = {}
    while True:
        line = stream.readline().decode()
        if line in ("\r\n", ""):
            break
        name, _separator, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = stream.read(int(headers.get("content-length", 0))).decode()
    return request_line, headers, body
