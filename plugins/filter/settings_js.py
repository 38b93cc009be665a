# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
name: settings_js
short_description: Render a Node-RED settings mapping as the text of settings.js
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Return the complete text of a CommonJS C(settings.js) for Node-RED,
    C(module.exports = {...};) followed by a newline.
  - Every string becomes a double-quoted JavaScript literal and every key a quoted string,
    so no input text can become code. Control characters, line and paragraph separators
    (U+2028, U+2029) and invisible format characters such as bidirectional controls are
    written as C(\uXXXX) escapes.
  - The output is pretty-printed with 4-space indentation and keeps the order of every
    mapping, so that the same input always gives the same text. Node.js itself enumerates
    integer-like keys such as C("10") first, in numeric order.
  - >-
    The only generated code comes from named snippets. A mapping of exactly the form
    C({"moat_snippet": NAME, "options": {...}}), at any depth, is replaced by the code of
    the snippet NAME. Any other mapping with the key C(moat_snippet) is an error.
  - Snippet C(websocket_verify_client) is a function for Node-RED's C(webSocketNodeVerifyClient)
    setting, which checks the handshakes of WebSocket-in nodes.
  - Snippet C(socketio_middleware) is a socket.io middleware for C(ui.ioMiddleware)
    (node-red-dashboard) and C(dashboard.ioMiddleware) (@flowfuse/node-red-dashboard).
    It does not fit C(ui.middleware) or C(dashboard.middleware), which take Express middleware.
  - Both snippets take the options C(allowed_origins) and C(users) and reject a connection
    with 403 when an C(Origin) header is present but not in C(allowed_origins), and with 401
    when C(users) is not empty and the request lacks valid HTTP Basic credentials. They verify
    passwords with the C(bcryptjs) package from Node-RED's installation, and reject every
    request with 500 when it cannot be loaded.
options:
  _input:
    description:
      - The settings, as a mapping from setting name to value.
      - Values may be strings, integers within JavaScript's safe range (up to 2^53 - 1 in size),
        finite floats, booleans, null, lists and mappings, nested to any depth. Keys must be
        strings other than C(__proto__), which would set the object's prototype.
      - Strings must be valid Unicode, so lone surrogates are rejected.
      - Errors name the key path of the bad value, such as C(adminAuth.users[1].password).
        They print no values except snippet names and allowed origins, which are not secret.
    type: dict
    required: true
"""

EXAMPLES = r"""
---
- name: Render settings.js with a checked WebSocket-in handshake
  ansible.builtin.copy:
    dest: /srv/nodered/settings.js
    content: "{{ __nodered_settings | moat.nodered.settings_js }}"
    mode: "0640"
    validate: node --check %s
  vars:
    __nodered_settings:
      uiHost: 127.0.0.1
      uiPort: 1880
      adminAuth:
        type: credentials
        users:
          - username: admin
            password: "{{ __nodered_admin_hash }}"
            permissions: "*"
      webSocketNodeVerifyClient:
        moat_snippet: websocket_verify_client
        options:
          allowed_origins:
            - https://nodered.example.com
          users:
            - username: admin
              password: "{{ __nodered_admin_hash }}"
      ui:
        ioMiddleware:
          moat_snippet: socketio_middleware
          options:
            allowed_origins:
              - https://nodered.example.com
            users: []
  no_log: true
"""

RETURN = r"""
_value:
  description:
    - The text of C(settings.js), ending with a newline.
  type: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.jsrender import (
    RenderError,
    render_settings_module,
)
from ansible_collections.moat.nodered.plugins.module_utils.settings_snippets import (
    render_snippet,
)

FILTER_NAME = "moat.nodered.settings_js"


def settings_js(settings: object) -> str:
    """Render the settings mapping as the text of settings.js."""
    try:
        return render_settings_module(settings, render_snippet)
    except RenderError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None


class FilterModule:
    """moat.nodered settings.js filter."""

    def filters(self) -> dict[str, t.Callable[..., str]]:
        return {"settings_js": settings_js}
