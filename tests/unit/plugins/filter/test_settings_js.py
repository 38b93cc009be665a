# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for settings_js: exact output in Python, then loading and calling the output in Node.js."""

from __future__ import annotations

import base64
import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.bcrypt_hash import bcrypt_hash
from ansible_collections.moat.nodered.plugins.filter.settings_js import FilterModule, settings_js
from ansible_collections.moat.nodered.tests.unit.js_helpers import HARNESS_SCRIPT, node_environment
from ansible_collections.moat.nodered.tests.unit.hostile_inputs import HOSTILE_STRINGS

PREFIX = "moat.nodered.settings_js: "
KNOWN_HASH = "$2b$04$xEVOuAca.giU1MbqkKKqauErsOBLcqERPaQEdX4rEa.PUaIqeyeZG"
UNSUPPORTED = (
    "settings.js values must be strings, integers, finite floats, booleans, null, lists or mappings"
)
ORIGIN_FORM = (
    "an origin is http:// or https://, a lower-case host name (IDNs in punycode) or [IPv6 address], "
    "and an optional port, with no path and no trailing slash, such as https://nodered.example.com "
    "or https://nodered.example.com:8443"
)
EXPECTED_BCRYPT_FORM = (
    "expected a bcrypt hash of the form $2b$NN$ followed by 53 characters of ./A-Za-z0-9, "
    "with the prefix $2a$, $2b$ or $2y$ and a two-digit cost NN from 04 to 31"
)


def single_setting(literal: str) -> str:
    return f'module.exports = {{\n    "value": {literal}\n}};\n'


def snippet(name: str, allowed_origins: list, users: list) -> dict:
    return {"moat_snippet": name, "options": {"allowed_origins": allowed_origins, "users": users}}


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-42, "-42"),
        (9007199254740991, "9007199254740991"),
        (-9007199254740991, "-9007199254740991"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (1e-05, "1e-05"),
        (1e16, "1e+16"),
        (-0.0, "-0.0"),
        ("", '""'),
        ('say "hello"', '"say \\"hello\\""'),
        ("it's", '"it\'s"'),
        ("C:\\new\\", '"C:\\\\new\\\\"'),
        ("${process.exit(1)}", '"${process.exit(1)}"'),
        ("`id`", '"`id`"'),
        ("a\nb\rc\td\be\ff", '"a\\nb\\rc\\td\\be\\ff"'),
        ("a\x00b", '"a\\u0000b"'),
        ("\x1b[31m", '"\\u001b[31m"'),
        ("\x7f\x85\x9f", '"\\u007f\\u0085\\u009f"'),
        ("a\u2028b\u2029c", '"a\\u2028b\\u2029c"'),
        ("admin\u202etxt", '"admin\\u202etxt"'),
        ("a\u200bb\ufeff", '"a\\u200bb\\ufeff"'),
        ("Grüße Ω 日本", '"Grüße Ω 日本"'),
        ("😀", '"😀"'),
        ("</script><!--", '"</script><!--"'),
        ("*/", '"*/"'),
    ],
    ids=repr,
)
def test_settings_js_renders_literal(value: object, literal: str) -> None:
    assert settings_js({"value": value}) == single_setting(literal)


def test_settings_js_renders_empty_mapping() -> None:
    assert settings_js({}) == "module.exports = {};\n"


def test_settings_js_renders_nested_layout() -> None:
    settings = {
        "uiPort": 1880,
        "adminAuth": {
            "type": "credentials",
            "users": [{"username": "admin", "permissions": "*"}],
        },
        "empty": {"mapping": {}, "list": [], "tuple": ()},
        "matrix": [[1, 2], ["a"]],
    }

    expected = """module.exports = {
    "uiPort": 1880,
    "adminAuth": {
        "type": "credentials",
        "users": [
            {
                "username": "admin",
                "permissions": "*"
            }
        ]
    },
    "empty": {
        "mapping": {},
        "list": [],
        "tuple": []
    },
    "matrix": [
        [
            1,
            2
        ],
        [
            "a"
        ]
    ]
};
"""
    assert settings_js(settings) == expected


def test_settings_js_keeps_key_order() -> None:
    output = settings_js({"zeta": 1, "alpha": 2, "mid": 3})

    assert output.index('"zeta"') < output.index('"alpha"') < output.index('"mid"')


def test_settings_js_is_deterministic() -> None:
    settings = {"a": [1, {"b": "c"}], "d": snippet("websocket_verify_client", ["https://nodered.example.com"], [])}

    assert settings_js(settings) == settings_js(settings)


def test_settings_js_quotes_hostile_keys() -> None:
    output = settings_js({'a"b': 1, "c\nd": 2, "${e}": 3, "": 4})

    assert output == 'module.exports = {\n    "a\\"b": 1,\n    "c\\nd": 2,\n    "${e}": 3,\n    "": 4\n};\n'


class Opaque:
    pass


def build_cycle() -> dict:
    inner: dict = {}
    inner["again"] = inner
    return {"outer": {"inner": inner}}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ([1, 2], "the input must be a mapping of settings, got list"),
        ("text", "the input must be a mapping of settings, got str"),
        (None, "the input must be a mapping of settings, got NoneType"),
        (
            snippet("socketio_middleware", [], []),
            "the input must be a mapping of settings, not a snippet",
        ),
        (
            {"adminAuth": {"users": [{}, {"password": {"set"}}]}},
            f"adminAuth.users[1].password: unsupported type set; {UNSUPPORTED}",
        ),
        ({"value": b"bytes"}, f"value: unsupported type bytes; {UNSUPPORTED}"),
        ({"value": frozenset()}, f"value: unsupported type frozenset; {UNSUPPORTED}"),
        ({"value": Opaque()}, f"value: unsupported type Opaque; {UNSUPPORTED}"),
        ({"value": 1j}, f"value: unsupported type complex; {UNSUPPORTED}"),
        ({"my key": [0, b""]}, f'["my key"][1]: unsupported type bytes; {UNSUPPORTED}'),
        ({"value": math.nan}, "value: the float is NaN or infinite; only finite numbers can be written"),
        ({"value": math.inf}, "value: the float is NaN or infinite; only finite numbers can be written"),
        ({"value": -math.inf}, "value: the float is NaN or infinite; only finite numbers can be written"),
        (
            {"value": 2**53},
            "value: the integer is outside JavaScript's safe range of -9007199254740991 to "
            "9007199254740991; write it as a string",
        ),
        (
            {"value": -(2**53)},
            "value: the integer is outside JavaScript's safe range of -9007199254740991 to "
            "9007199254740991; write it as a string",
        ),
        ({"ui": {1: "one"}}, "ui: a mapping key has the type int; settings.js keys must be strings"),
        ({"ui": {None: "none"}}, "ui: a mapping key has the type NoneType; settings.js keys must be strings"),
        (
            {"ui": {"__proto__": {"polluted": True}}},
            "ui.__proto__: the key __proto__ is not allowed, because it would set the object's prototype",
        ),
        (
            {"__proto__": {}},
            "__proto__: the key __proto__ is not allowed, because it would set the object's prototype",
        ),
        (
            {"value": "bad \ud800"},
            "value: the string contains a lone surrogate U+D800, which is not valid Unicode text",
        ),
        (
            {"list": ["ok", "bad \udfff"]},
            "list[1]: the string contains a lone surrogate U+DFFF, which is not valid Unicode text",
        ),
        (
            {"bad \ud800 key": 1},
            '["bad \\ud800 key"]: the string contains a lone surrogate U+D800, which is not valid Unicode text',
        ),
        (build_cycle(), "outer.inner.again: the value contains itself (a reference cycle)"),
    ],
    ids=[
        "list input",
        "string input",
        "None input",
        "snippet input",
        "set in list",
        "bytes",
        "frozenset",
        "object",
        "complex",
        "quoted path",
        "NaN",
        "infinity",
        "negative infinity",
        "2**53",
        "-2**53",
        "int key",
        "None key",
        "nested __proto__",
        "top-level __proto__",
        "lone surrogate value",
        "lone surrogate in list",
        "lone surrogate key",
        "cycle",
    ],
)
def test_settings_js_rejects_value(settings: object, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        settings_js(settings)

    assert str(caught.value) == PREFIX + message


def test_settings_js_error_omits_value() -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        settings_js({"credentialSecret": b"secret-bytes-value"})

    assert "secret-bytes-value" not in str(caught.value)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"moat_snippet": "socketio_middleware", "options": {"allowed_origins": [], "users": []}, "extra": 1},
            "ui.ioMiddleware: a snippet mapping must have exactly the keys moat_snippet and options, "
            "got moat_snippet, options, extra",
        ),
        (
            {"moat_snippet": "socketio_middleware"},
            "ui.ioMiddleware: a snippet mapping must have exactly the keys moat_snippet and options, got moat_snippet",
        ),
        (
            {"moat_snippet": "eval", "options": {}},
            "ui.ioMiddleware.moat_snippet: unknown snippet 'eval'; known snippets: admin_permission_status, "
            "socketio_middleware, websocket_verify_client",
        ),
        (
            {"moat_snippet": "Socketio_Middleware", "options": {}},
            "ui.ioMiddleware.moat_snippet: unknown snippet 'Socketio_Middleware'; known snippets: "
            "admin_permission_status, socketio_middleware, websocket_verify_client",
        ),
        (
            {"moat_snippet": 1, "options": {}},
            "ui.ioMiddleware.moat_snippet: unknown snippet of type int; known snippets: admin_permission_status, "
            "socketio_middleware, websocket_verify_client",
        ),
        (
            {"moat_snippet": "admin_permission_status", "options": {"users": []}},
            "ui.ioMiddleware.options: the snippet admin_permission_status takes no options; give an empty mapping",
        ),
        (
            {"moat_snippet": "socketio_middleware", "options": ["https://nodered.example.com"]},
            "ui.ioMiddleware.options: the snippet options must be a mapping, got list",
        ),
        (
            {"moat_snippet": "socketio_middleware", "options": {"allowed_origins": [], "users": [], "code": "x"}},
            "ui.ioMiddleware.options: unknown option code; valid options: allowed_origins, users",
        ),
        (
            {"moat_snippet": "socketio_middleware", "options": {"allowed_origins": []}},
            "ui.ioMiddleware.options: the required option users is missing",
        ),
        (
            {"moat_snippet": "socketio_middleware", "options": {"users": []}},
            "ui.ioMiddleware.options: the required option allowed_origins is missing",
        ),
    ],
    ids=[
        "extra key",
        "no options",
        "unknown name",
        "name in wrong case",
        "name not a string",
        "options for a snippet without options",
        "options not a mapping",
        "unknown option",
        "users missing",
        "allowed_origins missing",
    ],
)
def test_settings_js_rejects_snippet(mapping: dict, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        settings_js({"ui": {"ioMiddleware": mapping}})

    assert str(caught.value) == PREFIX + message


@pytest.mark.parametrize(
    ("origin", "problem"),
    [
        ("https://nodered.example.com/", f"invalid origin 'https://nodered.example.com/': {ORIGIN_FORM}"),
        ("https://nodered.example.com/ui", f"invalid origin 'https://nodered.example.com/ui': {ORIGIN_FORM}"),
        ("https://NodeRED.example.com", f"invalid origin 'https://NodeRED.example.com': {ORIGIN_FORM}"),
        ("nodered.example.com", f"invalid origin 'nodered.example.com': {ORIGIN_FORM}"),
        ("ftp://nodered.example.com", f"invalid origin 'ftp://nodered.example.com': {ORIGIN_FORM}"),
        ("*", f"invalid origin '*': {ORIGIN_FORM}"),
        ("null", f"invalid origin 'null': {ORIGIN_FORM}"),
        ("", f"invalid origin '': {ORIGIN_FORM}"),
        ("https://user@nodered.example.com", f"invalid origin 'https://user@nodered.example.com': {ORIGIN_FORM}"),
        ("https://nodered.example.com?x=1", f"invalid origin 'https://nodered.example.com?x=1': {ORIGIN_FORM}"),
        ("https://nodered.example.com:0", f"invalid origin 'https://nodered.example.com:0': {ORIGIN_FORM}"),
        ("https://bücher.example", f"invalid origin 'https://bücher.example': {ORIGIN_FORM}"),
        ('https://"x".example', f"invalid origin 'https://\"x\".example': {ORIGIN_FORM}"),
        (
            "https://nodered.example.com:70000",
            "invalid origin 'https://nodered.example.com:70000': the port must be from 1 to 65535",
        ),
        (
            "https://nodered.example.com:443",
            "invalid origin 'https://nodered.example.com:443': remove the default port 443, because browsers "
            "leave it out of the Origin header",
        ),
        (
            "http://nodered.example.com:80",
            "invalid origin 'http://nodered.example.com:80': remove the default port 80, because browsers "
            "leave it out of the Origin header",
        ),
        (443, "an allowed origin must be a string, got int"),
    ],
    ids=repr,
)
def test_settings_js_rejects_origin(origin: object, problem: str) -> None:
    settings = {"verify": snippet("websocket_verify_client", ["https://ok.example", origin], [])}

    with pytest.raises(AnsibleFilterError) as caught:
        settings_js(settings)

    assert str(caught.value) == f"{PREFIX}verify.options.allowed_origins[1]: {problem}"


@pytest.mark.parametrize(
    "origin",
    [
        "https://nodered.example.com",
        "https://nodered.example.com:8443",
        "http://localhost:1880",
        "http://127.0.0.1:1880",
        "https://[2001:db8::1]",
        "https://[2001:db8::1]:8443",
        "https://xn--bcher-kva.example",
    ],
)
def test_settings_js_accepts_origin(origin: str) -> None:
    output = settings_js({"verify": snippet("websocket_verify_client", [origin], [])})

    assert json.dumps(origin) in output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"allowed_origins": "https://nodered.example.com", "users": []},
            "verify.options.allowed_origins: allowed_origins must be a list of origins, got str",
        ),
        (
            {"allowed_origins": [], "users": {"admin": KNOWN_HASH}},
            "verify.options.users: users must be a list of mappings, got dict",
        ),
        (
            {"allowed_origins": [], "users": ["admin"]},
            "verify.options.users[0]: a user must be a mapping with the keys username and password, got str",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "admin", "password": KNOWN_HASH, "permissions": "*"}]},
            "verify.options.users[0]: unknown user key permissions; valid keys: username, password",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "admin"}]},
            "verify.options.users[0]: the user has no password",
        ),
        (
            {"allowed_origins": [], "users": [{"password": KNOWN_HASH}]},
            "verify.options.users[0]: the user has no username",
        ),
        (
            {"allowed_origins": [], "users": [{"username": 7, "password": KNOWN_HASH}]},
            "verify.options.users[0].username: the user name must be a string, got int",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "", "password": KNOWN_HASH}]},
            "verify.options.users[0].username: the user name is empty",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "ad:min", "password": KNOWN_HASH}]},
            "verify.options.users[0].username: the user name contains a colon, which HTTP Basic credentials "
            "cannot carry",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "ad\nmin", "password": KNOWN_HASH}]},
            "verify.options.users[0].username: the user name contains a control character",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "admin", "password": None}]},
            "verify.options.users[0].password: the password must be a bcrypt hash string, got NoneType",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "admin", "password": snippet("socketio_middleware", [], [])}]},
            "verify.options.users[0].password: the password must be a bcrypt hash string, got dict",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "admin", "password": "plain text password"}]},
            "verify.options.users[0].password: invalid bcrypt hash: the value does not start with $2a$, $2b$ or "
            "$2y$ (other schemes, such as $2x$ from the buggy crypt_blowfish or $1$, $5$ and $6$, are not "
            f"supported); {EXPECTED_BCRYPT_FORM}; use moat.nodered.bcrypt_hash to make one",
        ),
        (
            {"allowed_origins": [], "users": [{"username": "admin", "password": KNOWN_HASH[:-1]}]},
            "verify.options.users[0].password: invalid bcrypt hash: the value is 59 characters long, but a "
            f"bcrypt hash is exactly 60; {EXPECTED_BCRYPT_FORM}; use moat.nodered.bcrypt_hash to make one",
        ),
        (
            {
                "allowed_origins": [],
                "users": [
                    {"username": "admin", "password": KNOWN_HASH},
                    {"username": "other", "password": KNOWN_HASH},
                    {"username": "admin", "password": KNOWN_HASH},
                ],
            },
            "verify.options.users[2].username: the user name is already used by users[0]",
        ),
    ],
    ids=[
        "origins not a list",
        "users not a list",
        "user not a mapping",
        "unknown user key",
        "no password",
        "no username",
        "username not a string",
        "empty username",
        "colon in username",
        "newline in username",
        "password None",
        "password is a snippet",
        "plain password",
        "short hash",
        "duplicate username",
    ],
)
def test_settings_js_rejects_snippet_option(options: dict, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        settings_js({"verify": {"moat_snippet": "websocket_verify_client", "options": options}})

    assert str(caught.value) == PREFIX + message


def test_settings_js_bcrypt_error_omits_password() -> None:
    options = {"allowed_origins": [], "users": [{"username": "admin", "password": "plain text password"}]}

    with pytest.raises(AnsibleFilterError) as caught:
        settings_js({"verify": {"moat_snippet": "websocket_verify_client", "options": options}})

    assert "plain text password" not in str(caught.value)


def test_settings_js_normalizes_2y_user_hash() -> None:
    users = [{"username": "admin", "password": "$2y$" + KNOWN_HASH[4:]}]

    output = settings_js({"verify": snippet("websocket_verify_client", [], users)})

    assert json.dumps(KNOWN_HASH) in output
    assert "$2y$" not in output


def test_filter_module_lists_settings_js() -> None:
    assert FilterModule().filters() == {"settings_js": settings_js}


# Tests below run the output in Node.js.


def run_node(node: str, arguments: list[str], home: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [node, *arguments],
        input=stdin.encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
        env=node_environment(home),
    )


def write_settings(directory: Path, settings: dict) -> Path:
    path = directory / "settings.js"
    path.write_text(settings_js(settings), encoding="utf-8")
    return path


def node_check(node: str, path: Path, home: Path) -> None:
    result = run_node(node, ["--check", str(path)], home)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")


def hostile_settings() -> dict:
    return {
        "values": dict(HOSTILE_STRINGS),
        "keys": {text: name for name, text in HOSTILE_STRINGS.items()},
        "list": list(HOSTILE_STRINGS.values()),
        "nested": {"level1": {"level2": [{"deep": HOSTILE_STRINGS["NUL"]}, [], {}, [[]]]}},
        "numbers": [0, -1, 1880, 9007199254740991, -9007199254740991],
        "constants": [True, False, None],
        "object keys": {
            "constructor": "c",
            "prototype": "p",
            "toString": "t",
            "hasOwnProperty": "h",
            "__proto__x": "x",
            "__PROTO__": "P",
            "__defineGetter__": "g",
        },
        "adminAuth": {
            "type": "credentials",
            "users": [{"username": text, "password": KNOWN_HASH, "permissions": "*"} for text in HOSTILE_STRINGS.values()],
        },
    }


def test_hostile_settings_load_in_node(node_executable: str, js_packages: Path, tmp_path: Path) -> None:
    settings = hostile_settings()
    path = write_settings(tmp_path, settings)
    node_check(node_executable, path, tmp_path)

    result = run_node(node_executable, [str(HARNESS_SCRIPT), "dump", str(path)], tmp_path)

    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    expected = json.dumps(settings, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert result.stdout.decode("utf-8") == expected


def test_floats_load_in_node(node_executable: str, js_packages: Path, tmp_path: Path) -> None:
    floats = [1.5, 0.1, 1e-05, 1e16, 1e300, 5e-324, -2.5, 123456789.125, 1.7976931348623157e308]
    path = write_settings(tmp_path, {"floats": floats})
    node_check(node_executable, path, tmp_path)

    result = run_node(node_executable, [str(HARNESS_SCRIPT), "dump", str(path)], tmp_path)

    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert json.loads(result.stdout)["floats"] == floats


def test_proto_lookalike_keys_stay_properties(node_executable: str, js_packages: Path, tmp_path: Path) -> None:
    path = write_settings(tmp_path, {"__proto__x": {"polluted": True}, "constructor": {"prototype": 1}})
    script = (
        f"const s = require({json.dumps(str(path))});"
        "process.stdout.write(JSON.stringify([Object.getPrototypeOf(s) === Object.prototype, "
        "Object.keys(s), ({}).polluted === undefined]));"
    )

    result = run_node(node_executable, ["-e", script], tmp_path)

    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert json.loads(result.stdout) == [True, ["__proto__x", "constructor"], True]


# Connection checks in Node.js.

ALLOWED_ORIGIN = "https://nodered.example.com"
ALLOWED_ORIGIN_WITH_PORT = "https://nodered.example.com:8443"
ADMIN_PASSWORD = "correct horse 'battery' \"staple\" ${x} `y` \\ é 😀"
HOSTILE_USERNAME = "O'Brien \"${name}\" `id` \\ Ω 😀 </script>"
HOSTILE_USER_PASSWORD = "second\tuser \u2028 password"
LONG_USERNAME = "long"
LONG_PASSWORD = "p" * 72


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode("utf-8")).decode("ascii")


@pytest.fixture(scope="module")
def access_users() -> list[dict]:
    return [
        {"username": "admin", "password": bcrypt_hash(ADMIN_PASSWORD, cost=8)},
        {"username": HOSTILE_USERNAME, "password": bcrypt_hash(HOSTILE_USER_PASSWORD, cost=8)},
        {"username": LONG_USERNAME, "password": bcrypt_hash(LONG_PASSWORD, cost=8)},
    ]


@pytest.fixture(scope="module")
def access_settings(access_users: list[dict]) -> dict:
    origins = [ALLOWED_ORIGIN, ALLOWED_ORIGIN_WITH_PORT]
    return {
        "webSocketNodeVerifyClient": snippet("websocket_verify_client", origins, access_users),
        "ui": {"ioMiddleware": snippet("socketio_middleware", origins, access_users)},
        "dashboard": {"ioMiddleware": [snippet("socketio_middleware", origins, access_users)]},
        "openWebSocket": snippet("websocket_verify_client", origins, []),
        "openSocketio": snippet("socketio_middleware", origins, []),
    }


CHECKED_SETTINGS = {
    "websocket_verify_client": ("websocket", ["webSocketNodeVerifyClient"]),
    "socketio_middleware in ui": ("socketio", ["ui", "ioMiddleware"]),
    "socketio_middleware in a dashboard list": ("socketio", ["dashboard", "ioMiddleware", 0]),
}
OPEN_SETTINGS = {
    "websocket_verify_client": ("websocket", ["openWebSocket"]),
    "socketio_middleware": ("socketio", ["openSocketio"]),
}

ACCESS_CASES = {
    "allowed origin and right credentials": ({"origin": ALLOWED_ORIGIN, "authorization": basic("admin", ADMIN_PASSWORD)}, 0),
    "second origin with port": ({"origin": ALLOWED_ORIGIN_WITH_PORT, "authorization": basic("admin", ADMIN_PASSWORD)}, 0),
    "no origin and right credentials": ({"authorization": basic("admin", ADMIN_PASSWORD)}, 0),
    "hostile user name and password": (
        {"origin": ALLOWED_ORIGIN, "authorization": basic(HOSTILE_USERNAME, HOSTILE_USER_PASSWORD)},
        0,
    ),
    "72-byte password": ({"origin": ALLOWED_ORIGIN, "authorization": basic(LONG_USERNAME, LONG_PASSWORD)}, 0),
    "lower-case scheme": ({"authorization": "basic " + basic("admin", ADMIN_PASSWORD)[6:]}, 0),
    "cross-site origin": ({"origin": "https://evil.example", "authorization": basic("admin", ADMIN_PASSWORD)}, 403),
    "origin null": ({"origin": "null", "authorization": basic("admin", ADMIN_PASSWORD)}, 403),
    "origin with trailing slash": (
        {"origin": ALLOWED_ORIGIN + "/", "authorization": basic("admin", ADMIN_PASSWORD)},
        403,
    ),
    "origin with other port": (
        {"origin": "https://nodered.example.com:9443", "authorization": basic("admin", ADMIN_PASSWORD)},
        403,
    ),
    "origin with plain http": (
        {"origin": "http://nodered.example.com", "authorization": basic("admin", ADMIN_PASSWORD)},
        403,
    ),
    "empty origin": ({"origin": "", "authorization": basic("admin", ADMIN_PASSWORD)}, 403),
    "cross-site Sec-WebSocket-Origin": (
        {"sec-websocket-origin": "https://evil.example", "authorization": basic("admin", ADMIN_PASSWORD)},
        403,
    ),
    "cross-site origin without credentials": ({"origin": "https://evil.example"}, 403),
    "no credentials": ({"origin": ALLOWED_ORIGIN}, 401),
    "no headers at all": ({}, 401),
    "wrong password": ({"origin": ALLOWED_ORIGIN, "authorization": basic("admin", "wrong")}, 401),
    "empty password": ({"origin": ALLOWED_ORIGIN, "authorization": basic("admin", "")}, 401),
    "password of another user": ({"origin": ALLOWED_ORIGIN, "authorization": basic("admin", HOSTILE_USER_PASSWORD)}, 401),
    "unknown user": ({"origin": ALLOWED_ORIGIN, "authorization": basic("root", ADMIN_PASSWORD)}, 401),
    "user name in other case": ({"origin": ALLOWED_ORIGIN, "authorization": basic("Admin", ADMIN_PASSWORD)}, 401),
    "73-byte password with right 72-byte start": (
        {"origin": ALLOWED_ORIGIN, "authorization": basic(LONG_USERNAME, LONG_PASSWORD + "x")},
        401,
    ),
    "bearer scheme": ({"origin": ALLOWED_ORIGIN, "authorization": "Bearer " + basic("admin", ADMIN_PASSWORD)[6:]}, 401),
    "invalid base64": ({"origin": ALLOWED_ORIGIN, "authorization": "Basic !!!"}, 401),
    "no colon": (
        {"origin": ALLOWED_ORIGIN, "authorization": "Basic " + base64.b64encode(b"admin").decode()},
        401,
    ),
    "invalid UTF-8": (
        {"origin": ALLOWED_ORIGIN, "authorization": "Basic " + base64.b64encode(b"admin:\xff\xfe").decode()},
        401,
    ),
}

OPEN_CASES = {
    "allowed origin without credentials": ({"origin": ALLOWED_ORIGIN}, 0),
    "no origin without credentials": ({}, 0),
    "cross-site origin": ({"origin": "https://evil.example"}, 403),
}

WWW_AUTHENTICATE = {"WWW-Authenticate": 'Basic realm="Node-RED", charset="UTF-8"'}
REASONS = {401: "Unauthorized", 403: "Forbidden", 500: "Internal Server Error", 400: "Bad Request"}


def call_checks(node: str, harness: Path, settings_path: Path, calls: list[dict], home: Path) -> tuple[list[dict], str]:
    result = run_node(node, [str(harness), "call", str(settings_path)], home, json.dumps(calls))
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr
    return json.loads(result.stdout), stderr


def expected_outcome(kind: str, status: int) -> dict:
    if status == 0:
        return {"calls": 1, "accepted": True, "status": None, "message": None, "headers": None}
    headers = WWW_AUTHENTICATE if kind == "websocket" and status == 401 else None
    return {"calls": 1, "accepted": False, "status": status, "message": REASONS[status], "headers": headers}


@pytest.fixture(scope="module")
def access_outcomes(node_executable: str, js_packages: Path, access_settings: dict, tmp_path_factory) -> dict:
    """Run every case against every setting in one node process and return the outcomes by case."""
    directory = tmp_path_factory.mktemp("access")
    path = write_settings(directory, access_settings)
    node_check(node_executable, path, directory)

    keys = []
    calls = []
    for setting_name, (kind, setting) in CHECKED_SETTINGS.items():
        for case_name, (headers, _status) in ACCESS_CASES.items():
            keys.append((setting_name, case_name))
            calls.append({"setting": setting, "kind": kind, "headers": headers})
    for setting_name, (kind, setting) in OPEN_SETTINGS.items():
        for case_name, (headers, _status) in OPEN_CASES.items():
            keys.append(("open " + setting_name, case_name))
            calls.append({"setting": setting, "kind": kind, "headers": headers})
    for setting_name, (kind, setting) in CHECKED_SETTINGS.items():
        keys.append((setting_name, "request without headers"))
        calls.append({"setting": setting, "kind": kind, "headers": None})

    outcomes, stderr = call_checks(node_executable, HARNESS_SCRIPT, path, calls, directory)
    assert stderr == ""
    return dict(zip(keys, outcomes))


@pytest.mark.parametrize("setting_name", CHECKED_SETTINGS.keys())
@pytest.mark.parametrize("case_name", ACCESS_CASES.keys())
def test_connection_check_outcome(setting_name: str, case_name: str, access_outcomes: dict) -> None:
    kind = CHECKED_SETTINGS[setting_name][0]
    status = ACCESS_CASES[case_name][1]

    assert access_outcomes[(setting_name, case_name)] == expected_outcome(kind, status)


@pytest.mark.parametrize("setting_name", OPEN_SETTINGS.keys())
@pytest.mark.parametrize("case_name", OPEN_CASES.keys())
def test_open_connection_check_outcome(setting_name: str, case_name: str, access_outcomes: dict) -> None:
    kind = OPEN_SETTINGS[setting_name][0]
    status = OPEN_CASES[case_name][1]

    assert access_outcomes[("open " + setting_name, case_name)] == expected_outcome(kind, status)


@pytest.mark.parametrize("setting_name", CHECKED_SETTINGS.keys())
def test_connection_check_rejects_request_without_headers(setting_name: str, access_outcomes: dict) -> None:
    kind = CHECKED_SETTINGS[setting_name][0]

    assert access_outcomes[(setting_name, "request without headers")] == expected_outcome(kind, 400)


def test_connection_check_without_bcryptjs_rejects(
    node_executable: str, js_packages: Path, access_settings: dict, tmp_path: Path
) -> None:
    # A copy of the harness outside tests/unit/js finds no node_modules with bcryptjs, which
    # stands for a Node-RED installation that lacks it.
    isolated = tmp_path / "isolated"
    isolated.mkdir()
    harness = isolated / "harness.js"
    shutil.copyfile(HARNESS_SCRIPT, harness)
    path = write_settings(isolated, access_settings)
    good = {"origin": ALLOWED_ORIGIN, "authorization": basic("admin", ADMIN_PASSWORD)}
    calls = [
        {"setting": ["webSocketNodeVerifyClient"], "kind": "websocket", "headers": good},
        {"setting": ["ui", "ioMiddleware"], "kind": "socketio", "headers": good},
        {"setting": ["webSocketNodeVerifyClient"], "kind": "websocket", "headers": {"origin": "https://evil.example"}},
        {"setting": ["openWebSocket"], "kind": "websocket", "headers": {"origin": ALLOWED_ORIGIN}},
    ]

    outcomes, stderr = call_checks(node_executable, harness, path, calls, tmp_path)

    assert outcomes[0] == expected_outcome("websocket", 500)
    assert outcomes[1] == expected_outcome("socketio", 500)
    assert outcomes[2] == expected_outcome("websocket", 403)
    assert outcomes[3] == expected_outcome("websocket", 0)
    assert "moat.nodered websocket_verify_client: cannot load bcryptjs from the Node-RED installation" in stderr
    assert "moat.nodered socketio_middleware: cannot load bcryptjs from the Node-RED installation" in stderr


def test_snippet_embeds_options_as_literals(access_users: list[dict]) -> None:
    output = settings_js({"verify": snippet("websocket_verify_client", [ALLOWED_ORIGIN], access_users)})

    literal = '"username": ' + json.dumps(HOSTILE_USERNAME, ensure_ascii=False)
    assert literal in output
    assert output.count("O'Brien") == 1


def test_connection_check_error_rejects_and_logs_once(node_executable: str, tmp_path: Path) -> None:
    path = write_settings(tmp_path, {"check": snippet("websocket_verify_client", [ALLOWED_ORIGIN], [])})
    script = tmp_path / "throwing_headers.js"
    # Headers whose origin getter throws stand for any unexpected error inside the check.
    script.write_text(
        f"const check = require({json.dumps(str(path))}).check;\n"
        "const headers = { get origin() { throw new Error('broken header'); } };\n"
        "const statuses = [];\n"
        "for (let i = 0; i < 3; i++) {\n"
        "    check({ req: { headers: headers } }, (accepted, status) => statuses.push([accepted, status]));\n"
        "}\n"
        "process.stdout.write(JSON.stringify(statuses));\n",
        encoding="utf-8",
    )

    result = run_node(node_executable, [str(script)], tmp_path)

    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr
    assert json.loads(result.stdout) == [[False, 500], [False, 500], [False, 500]]
    assert stderr.count("moat.nodered websocket_verify_client: connection check failed") == 1
    assert "(failures so far: 1): Error: broken header" in stderr


def test_throwing_callback_does_not_end_node(
    node_executable: str, js_packages: Path, access_users: list[dict], tmp_path: Path
) -> None:
    # bcryptjs calls back outside the check's try block, so a throwing callback is caught there.
    (tmp_path / "node_modules").symlink_to(js_packages / "node_modules", target_is_directory=True)
    path = write_settings(tmp_path, {"check": snippet("websocket_verify_client", [], access_users)})
    script = tmp_path / "throwing_callback.js"
    script.write_text(
        f"const check = require({json.dumps(str(path))}).check;\n"
        f"const headers = {{ authorization: {json.dumps(basic('admin', ADMIN_PASSWORD))} }};\n"
        "check({ req: { headers: headers } }, () => { throw new Error('callback failed'); });\n"
        "setTimeout(() => process.stdout.write('still running'), 1000);\n",
        encoding="utf-8",
    )

    result = run_node(node_executable, [str(script)], tmp_path)

    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr
    assert result.stdout == b"still running"
    assert "(failures so far: 1): Error: callback failed" in stderr
