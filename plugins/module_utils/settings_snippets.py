# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Generated JavaScript for settings.js: connection checks for WebSockets and socket.io, and
the status that the admin API sends for a missing permission.

A settings mapping requests a snippet with {"moat_snippet": NAME, "options": {...}}. The only
code in a snippet is the fixed text below, and its options enter it only as JSON literals.

Both snippets run the same check on the HTTP request that opens a connection:
- If an Origin or Sec-WebSocket-Origin header is present, it must equal one of
  allowed_origins, or the request is rejected with 403. Browsers send Origin on every
  WebSocket handshake and cross-origin request, so cross-site pages are rejected.
  Same-origin polling requests may lack the header, and so may non-browser clients.
- If users is not empty, the request must carry HTTP Basic credentials whose password
  matches that user's bcrypt hash, or it is rejected with 401.
- bcryptjs is loaded from Node-RED's own installation, which depends on it (node-red 4.1.15
  on bcryptjs 3.0.3). If it cannot be loaded and users is not empty, every request that
  passes the origin check is rejected with 500.

Where each snippet goes, as read in Node-RED's nodes/core/network/22-websocket.js,
node-red-dashboard's ui.js and the @flowfuse/node-red-dashboard settings documentation:
- websocket_verify_client is a value for webSocketNodeVerifyClient. Node-RED passes it as the
  verifyClient option of the ws servers behind its WebSocket-in nodes, and ws calls a
  two-parameter verifyClient as (info, callback).
- socketio_middleware is a value for ui.ioMiddleware (node-red-dashboard) and
  dashboard.ioMiddleware (@flowfuse/node-red-dashboard, which reads ui when dashboard is
  missing). Both dashboards pass it to io.use(), which calls it as (socket, next) once per
  connection. Setting it replaces the dashboards' default middleware, whose cross-domain
  check the origin check here takes over.
- ui.middleware and dashboard.middleware take an Express middleware (req, res, next) for the
  dashboard's HTTP requests. Neither snippet fits there.

admin_permission_status is a value for httpAdminMiddleware, which Node-RED's editor-api
mounts before its own admin routes. It takes no options ({}). Node-RED 4.1.15's
needsPermission (lib/auth/index.js of @node-red/editor-api) calls res.status(401) when a
logged-in user's token lacks the permission, such as a read-only user deploying flows, the
same status as for a missing or wrong token. The middleware wraps res.status so that a 401
sent for a request with a signed-in, non-anonymous req.user becomes 403. Passport 0.7.0's own
rejections set res.statusCode directly and stay 401.

NOTE: every connection attempt with a Basic header costs one bcryptjs comparison, so
limiting the request rate is left to the reverse proxy. With bcryptjs 3.0.3 on Node.js 20 on
a 2-core AMD EPYC virtual machine, one comparison took 76 ms at cost 10.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Mapping

from ansible_collections.moat.nodered.plugins.module_utils.jsrender import (
    SNIPPET_KEY,
    PathElement,
    RenderError,
    js_string_literal,
    render_literal,
)
from ansible_collections.moat.nodered.plugins.module_utils.passwords import (
    BCRYPT_EXPECTED_FORM,
    BCRYPT_MAX_PASSWORD_BYTES,
    describe_bcrypt_hash_problem,
    normalize_bcrypt_prefix,
)

OPTION_NAMES = ("allowed_origins", "users")
USER_KEYS = ("username", "password")

# A serialized origin as browsers send it: scheme, lower-case host or bracketed IPv6
# address, and a port only when it is not the scheme's default.
_ORIGIN_PATTERN = re.compile(
    r"(?P<scheme>https?)://"
    r"(?P<host>\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ORIGIN_FORM = (
    "an origin is http:// or https://, a lower-case host name (IDNs in punycode) or [IPv6 address], "
    "and an optional port, with no path and no trailing slash, such as https://nodered.example.com "
    "or https://nodered.example.com:8443"
)


class AccessOptions(t.NamedTuple):
    allowed_origins: list[str]
    users: list[dict[str, str]]


# The check shared by both snippets. checkRequest(headers, done) calls done(status, reason)
# exactly once, with status 0 to accept the connection.
_ACCESS_CHECK_JS = r"""var bcrypt = null;
if (users.length > 0) {
    try {
        bcrypt = require(require.resolve("bcryptjs", { paths: [require.main.path] }));
    } catch (error) {
        console.error("moat.nodered " + snippetName + ": cannot load bcryptjs from the Node-RED installation, " +
            "so every connection is rejected: " + error.message);
    }
}
var unexpectedErrorCount = 0;

function reportUnexpectedError(error) {
    unexpectedErrorCount += 1;
    // Log the first error and every 1000th after it, so that clients cannot flood the log.
    if (unexpectedErrorCount % 1000 === 1) {
        console.error("moat.nodered " + snippetName + ": connection check failed, so the connection was rejected (failures so far: " +
            unexpectedErrorCount + "): " + (error && error.stack ? error.stack : String(error)));
    }
}

function parseBasicCredentials(header) {
    if (typeof header !== "string") {
        return null;
    }
    var match = /^Basic +([A-Za-z0-9+\/]+={0,2}) *$/i.exec(header);
    if (match === null) {
        return null;
    }
    var raw = Buffer.from(match[1], "base64");
    var text = raw.toString("utf8");
    // Invalid UTF-8 would be decoded with replacement characters, so reject it instead.
    if (!Buffer.from(text, "utf8").equals(raw)) {
        return null;
    }
    var colon = text.indexOf(":");
    if (colon < 0) {
        return null;
    }
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function checkAccess(headers, done) {
    var origins = [headers["origin"], headers["sec-websocket-origin"]];
    for (var i = 0; i < origins.length; i++) {
        if (origins[i] !== undefined && allowedOrigins.indexOf(origins[i]) === -1) {
            done(403, "Forbidden");
            return;
        }
    }

    if (users.length === 0) {
        done(0, "");
        return;
    }
    if (bcrypt === null) {
        done(500, "Internal Server Error");
        return;
    }

    var credentials = parseBasicCredentials(headers["authorization"]);
    // bcrypt ignores the bytes after the 72nd, so a longer password could match a shorter one.
    if (credentials === null || Buffer.byteLength(credentials.password, "utf8") > maxPasswordBytes) {
        done(401, "Unauthorized");
        return;
    }

    var user = null;
    for (var j = 0; j < users.length; j++) {
        if (users[j].username === credentials.username) {
            user = users[j];
        }
    }

    // An unknown user name is compared with the first hash, so that the response time does
    // not tell which user names exist.
    var hash = user !== null ? user.password : users[0].password;
    bcrypt.compare(credentials.password, hash, function (error, same) {
        // This callback runs outside checkRequest's try block, and an uncaught exception
        // would end the Node.js process by default, so it is caught and logged.
        try {
            if (error) {
                reportUnexpectedError(error);
            }
            if (!error && same === true && user !== null) {
                done(0, "");
            } else {
                done(401, "Unauthorized");
            }
        } catch (callbackError) {
            reportUnexpectedError(callbackError);
        }
    });
}

function checkRequest(headers, done) {
    var finished = false;
    function finish(status, reason) {
        if (!finished) {
            finished = true;
            done(status, reason);
        }
    }
    if (headers === null || typeof headers !== "object") {
        finish(400, "Bad Request");
        return;
    }
    try {
        checkAccess(headers, finish);
    } catch (error) {
        reportUnexpectedError(error);
        finish(500, "Internal Server Error");
    }
}
"""

_WEBSOCKET_ADAPTER_JS = r"""// ws calls a two-parameter verifyClient as (info, callback) and sends the status,
// message and headers given to callback(false, ...) as the handshake response.
return function (info, callback) {
    checkRequest(info && info.req ? info.req.headers : null, function (status, reason) {
        if (status === 0) {
            callback(true);
        } else if (status === 401) {
            callback(false, status, reason, { "WWW-Authenticate": 'Basic realm="Node-RED", charset="UTF-8"' });
        } else {
            callback(false, status, reason);
        }
    });
};
"""

_SOCKETIO_ADAPTER_JS = r"""// socket.io calls a middleware as (socket, next) once per connection. An Error passed
// to next() rejects the connection, and its data property reaches the client.
return function (socket, next) {
    checkRequest(socket && socket.request ? socket.request.headers : null, function (status, reason) {
        if (status === 0) {
            next();
            return;
        }
        var error = new Error(reason);
        error.data = { status: status };
        next(error);
    });
};
"""

SNIPPET_ADAPTERS = {
    "socketio_middleware": _SOCKETIO_ADAPTER_JS,
    "websocket_verify_client": _WEBSOCKET_ADAPTER_JS,
}

_ADMIN_PERMISSION_STATUS_JS = r"""// Express calls an admin middleware as (req, res, next) for every admin request.
return function (req, res, next) {
    var setStatus = res.status;
    res.status = function (code) {
        var signedIn = Boolean(req.user) && !req.user.anonymous;
        return setStatus.call(this, code === 401 && signedIn ? 403 : code);
    };
    next();
};
"""

# Snippets without options: name to the code that returns the function.
PLAIN_SNIPPETS = {
    "admin_permission_status": _ADMIN_PERMISSION_STATUS_JS,
}


def _reject_nested_snippet(mapping: Mapping, path: tuple[PathElement, ...]) -> str:
    raise RenderError(path, "a snippet cannot be used inside snippet options")


def _check_origin(value: object, path: tuple[PathElement, ...]) -> str:
    if not isinstance(value, str):
        raise RenderError(path, f"an allowed origin must be a string, got {type(value).__name__}")

    match = _ORIGIN_PATTERN.fullmatch(value)
    if match is None:
        raise RenderError(path, f"invalid origin {value!r}: {_ORIGIN_FORM}")

    port = match.group("port")
    if port is not None:
        if int(port) > 65535:
            raise RenderError(path, f"invalid origin {value!r}: the port must be from 1 to 65535")
        default_port = _DEFAULT_PORTS[match.group("scheme")]
        if int(port) == default_port:
            raise RenderError(
                path,
                f"invalid origin {value!r}: remove the default port {default_port}, because browsers "
                "leave it out of the Origin header",
            )

    return value


def _check_user(user: object, path: tuple[PathElement, ...]) -> dict[str, str]:
    if not isinstance(user, Mapping):
        raise RenderError(path, f"a user must be a mapping with the keys username and password, got {type(user).__name__}")

    unknown = [str(key) for key in user if key not in USER_KEYS]
    if unknown:
        raise RenderError(path, f"unknown user key {', '.join(unknown)}; valid keys: username, password")
    for key in USER_KEYS:
        if key not in user:
            raise RenderError(path, f"the user has no {key}")

    username = user["username"]
    username_path = path + ("username",)
    if not isinstance(username, str):
        raise RenderError(username_path, f"the user name must be a string, got {type(username).__name__}")
    if username == "":
        raise RenderError(username_path, "the user name is empty")
    if ":" in username:
        raise RenderError(username_path, "the user name contains a colon, which HTTP Basic credentials cannot carry")
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in username):
        raise RenderError(username_path, "the user name contains a control character")

    password = user["password"]
    password_path = path + ("password",)
    if not isinstance(password, str):
        raise RenderError(password_path, f"the password must be a bcrypt hash string, got {type(password).__name__}")
    problem = describe_bcrypt_hash_problem(password)
    if problem is not None:
        raise RenderError(
            password_path,
            f"invalid bcrypt hash: {problem}; {BCRYPT_EXPECTED_FORM}; use moat.nodered.bcrypt_hash to make one",
        )

    return {"username": username, "password": normalize_bcrypt_prefix(password)}


def parse_access_options(options: object, path: tuple[PathElement, ...]) -> AccessOptions:
    """Check the options of a connection check snippet and raise RenderError naming the bad one."""
    if not isinstance(options, Mapping):
        raise RenderError(path, f"the snippet options must be a mapping, got {type(options).__name__}")

    unknown = [str(key) for key in options if key not in OPTION_NAMES]
    if unknown:
        raise RenderError(path, f"unknown option {', '.join(unknown)}; valid options: {', '.join(OPTION_NAMES)}")
    for name in OPTION_NAMES:
        if name not in options:
            raise RenderError(path, f"the required option {name} is missing")

    origins = options["allowed_origins"]
    origins_path = path + ("allowed_origins",)
    if not isinstance(origins, (list, tuple)):
        raise RenderError(origins_path, f"allowed_origins must be a list of origins, got {type(origins).__name__}")
    allowed_origins = [_check_origin(origin, origins_path + (index,)) for index, origin in enumerate(origins)]

    users = options["users"]
    users_path = path + ("users",)
    if not isinstance(users, (list, tuple)):
        raise RenderError(users_path, f"users must be a list of mappings, got {type(users).__name__}")
    checked_users = []
    for index, user in enumerate(users):
        checked = _check_user(user, users_path + (index,))
        for earlier_index, earlier in enumerate(checked_users):
            if earlier["username"] == checked["username"]:
                raise RenderError(
                    users_path + (index, "username"), f"the user name is already used by users[{earlier_index}]"
                )
        checked_users.append(checked)

    return AccessOptions(allowed_origins=allowed_origins, users=checked_users)


def _indent_block(code: str, prefix: str) -> list[str]:
    return [prefix + line if line else line for line in code.rstrip("\n").split("\n")]


def render_snippet(mapping: Mapping, path: tuple[PathElement, ...]) -> str:
    """Return the JavaScript expression for a {"moat_snippet": NAME, "options": {...}} mapping.

    The expression is an immediately invoked function that returns the middleware function.
    Raises RenderError naming the key path when the mapping or its options are invalid.
    """
    keys = set(mapping)
    if keys != {SNIPPET_KEY, "options"}:
        found = ", ".join(str(key) for key in mapping)
        raise RenderError(path, f"a snippet mapping must have exactly the keys moat_snippet and options, got {found}")

    name = mapping[SNIPPET_KEY]
    known = sorted({**SNIPPET_ADAPTERS, **PLAIN_SNIPPETS})
    if not isinstance(name, str) or name not in known:
        described_name = repr(name) if isinstance(name, str) else f"of type {type(name).__name__}"
        raise RenderError(
            path + (SNIPPET_KEY,),
            f"unknown snippet {described_name}; known snippets: {', '.join(known)}",
        )

    indent = "    "
    if name in PLAIN_SNIPPETS:
        if mapping["options"] != {}:
            raise RenderError(path + ("options",), f"the snippet {name} takes no options; give an empty mapping")
        lines = [
            "(function () {",
            indent + '"use strict";',
            indent + f"// Generated by moat.nodered.settings_js from the snippet {name}.",
        ]
        lines += _indent_block(PLAIN_SNIPPETS[name], indent)
        lines.append("})()")
        return "\n".join(lines)

    options_path = path + ("options",)
    options = parse_access_options(mapping["options"], options_path)
    origins_literal = render_literal(options.allowed_origins, _reject_nested_snippet, options_path + ("allowed_origins",), 1)
    users_literal = render_literal(options.users, _reject_nested_snippet, options_path + ("users",), 1)

    lines = [
        "(function () {",
        indent + '"use strict";',
        indent + f"// Generated by moat.nodered.settings_js from the snippet {name}.",
        indent + f"var snippetName = {js_string_literal(name, path)};",
        indent + f"var allowedOrigins = {origins_literal};",
        indent + f"var users = {users_literal};",
        indent + f"var maxPasswordBytes = {BCRYPT_MAX_PASSWORD_BYTES};",
    ]
    lines += _indent_block(_ACCESS_CHECK_JS, indent)
    lines.append("")
    lines += _indent_block(SNIPPET_ADAPTERS[name], indent)
    lines.append("})()")
    return "\n".join(lines)
