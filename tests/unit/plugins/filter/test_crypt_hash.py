# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for crypt_hash. Every hash is checked with the system's crypt(3), which nginx and HAProxy call."""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.crypt_hash import FilterModule, crypt_hash
from ansible_collections.moat.nodered.tests.unit.hostile_inputs import crypt_passwords

PREFIX = "moat.nodered.crypt_hash: "
TOO_LONG = (
    PREFIX + "the password is longer than 511 bytes in UTF-8; non-ASCII characters take 2 to 4 bytes "
    "each, so use fewer characters"
)
DEFAULT_ROUNDS_PATTERN = re.compile(r"\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}")

VALID_PASSWORDS = dict(crypt_passwords())
VALID_PASSWORDS.update(
    {
        "511 ASCII bytes": "a" * 511,
        "255 two-byte letters and one ASCII letter, 511 bytes": "é" * 255 + "a",
        "one character": "x",
    }
)


class SystemCrypt:
    """crypt(3) from libcrypt.so.1 (libxcrypt on Debian 12 and 13), called through ctypes."""

    def __init__(self) -> None:
        library = ctypes.CDLL("libcrypt.so.1")
        self._crypt = library.crypt
        self._crypt.restype = ctypes.c_char_p
        self._crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]

    def crypt(self, password: bytes, setting: str) -> str:
        """Return crypt(3)'s output, which starts with * when it fails."""
        result = self._crypt(password, setting.encode("ascii"))
        return "*" if result is None else result.decode("ascii")

    def verifies(self, password: str, hash_value: str) -> bool:
        return self.crypt(password.encode("utf-8"), hash_value) == hash_value


@pytest.fixture(scope="module")
def system_crypt() -> SystemCrypt:
    try:
        return SystemCrypt()
    except OSError as error:
        pytest.fail(f"libcrypt.so.1 could not be loaded, but these tests check hashes with it: {error}")


def openssl_sha512_crypt(password: str, setting: str) -> str:
    """Return `openssl passwd -6` for the password with the salt and rounds of setting."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is not on PATH, but these tests compare hashes with openssl passwd -6")
    salt = setting.split("$")[2] if "rounds=" not in setting else "$".join(setting.split("$")[2:4])
    result = subprocess.run(
        [openssl, "passwd", "-6", "-salt", salt, "-stdin"],
        input=(password + "\n").encode("utf-8"),
        capture_output=True,
        timeout=30,
        check=True,
    )
    return result.stdout.decode("ascii").strip()


@pytest.mark.parametrize("password", VALID_PASSWORDS.values(), ids=VALID_PASSWORDS.keys())
def test_crypt_hash_accepts_password(password: str, system_crypt: SystemCrypt) -> None:
    result = crypt_hash(password)

    assert DEFAULT_ROUNDS_PATTERN.fullmatch(result)
    assert system_crypt.verifies(password, result)
    assert not system_crypt.verifies("x" + password, result)


@pytest.mark.parametrize("password", crypt_passwords().values(), ids=crypt_passwords().keys())
def test_crypt_hash_matches_openssl(password: str) -> None:
    result = crypt_hash(password)

    assert openssl_sha512_crypt(password, result) == result


def test_crypt_hash_with_rounds_matches_openssl(system_crypt: SystemCrypt) -> None:
    result = crypt_hash("rounds test", rounds=6000)

    assert result.startswith("$6$rounds=6000$")
    assert system_crypt.verifies("rounds test", result)
    assert openssl_sha512_crypt("rounds test", result) == result


@pytest.mark.parametrize("rounds", [1000, 4999, 5001, 100000])
def test_crypt_hash_writes_rounds_field(rounds: int, system_crypt: SystemCrypt) -> None:
    result = crypt_hash("rounds test", rounds=rounds)

    assert result.startswith(f"$6$rounds={rounds}$")
    assert system_crypt.verifies("rounds test", result)


def test_crypt_hash_default_rounds_omit_field() -> None:
    assert "rounds=" not in crypt_hash("default rounds")


def test_crypt_hash_salts_differ() -> None:
    assert crypt_hash("same") != crypt_hash("same")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (12345, PREFIX + "the password must be a string, got int"),
        (None, PREFIX + "the password must be a string, got NoneType"),
        (b"bytes", PREFIX + "the password must be a string, got bytes"),
        ("", PREFIX + "the password is empty"),
        (
            "secret\x00tail",
            PREFIX + "the password contains a NUL character, which C implementations of bcrypt and "
            "crypt(3) treat as the end of the password",
        ),
        (
            "first\nsecond",
            PREFIX + "the password contains a line break (CR or LF), which would split its line in the "
            "proxy's user list",
        ),
        (
            "first\rsecond",
            PREFIX + "the password contains a line break (CR or LF), which would split its line in the "
            "proxy's user list",
        ),
        (
            "trailing newline\n",
            PREFIX + "the password contains a line break (CR or LF), which would split its line in the "
            "proxy's user list",
        ),
        (
            "secret\udfff",
            PREFIX + "the password is not valid Unicode text: it contains a lone surrogate code point",
        ),
        ("a" * 512, TOO_LONG),
        ("é" * 256, TOO_LONG),
        ("😀" * 128, TOO_LONG),
    ],
    ids=[
        "int",
        "None",
        "bytes",
        "empty",
        "NUL",
        "LF",
        "CR",
        "trailing LF",
        "lone surrogate",
        "512 ASCII bytes",
        "256 two-byte letters, 512 bytes",
        "128 emoji, 512 bytes",
    ],
)
def test_crypt_hash_rejects_password(password: object, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        crypt_hash(password)

    assert str(caught.value) == message
    if isinstance(password, str) and password:
        assert password not in str(caught.value)


def test_system_crypt_fails_above_511_bytes(system_crypt: SystemCrypt) -> None:
    # The reason for the filter's limit: libxcrypt cannot hash longer passwords at all.
    assert system_crypt.crypt(b"a" * 511, VALID_CURRENT).startswith("$6$saltsalt$")
    assert system_crypt.crypt(b"a" * 512, VALID_CURRENT).startswith("*")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"rounds": 999}, PREFIX + "rounds must be from 1000 to 100000, got 999"),
        ({"rounds": 100001}, PREFIX + "rounds must be from 1000 to 100000, got 100001"),
        ({"rounds": 0}, PREFIX + "rounds must be from 1000 to 100000, got 0"),
        ({"rounds": "5000"}, PREFIX + "rounds must be an integer from 1000 to 100000, got str"),
        ({"rounds": 5000.0}, PREFIX + "rounds must be an integer from 1000 to 100000, got float"),
        ({"rounds": True}, PREFIX + "rounds must be an integer from 1000 to 100000, got bool"),
        ({"current": 5}, PREFIX + "current must be a string or null, got int"),
        ({"current": {"hash": "$6$"}}, PREFIX + "current must be a string or null, got dict"),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else "",
)
def test_crypt_hash_rejects_argument(arguments: dict, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        crypt_hash("password", **arguments)

    assert str(caught.value) == message


@pytest.mark.parametrize("password", crypt_passwords().values(), ids=crypt_passwords().keys())
def test_current_is_kept_for_same_password(password: str) -> None:
    current = crypt_hash(password)

    assert crypt_hash(password, current=current) == current


def test_current_with_rounds_is_kept() -> None:
    current = crypt_hash("same password", rounds=20000)

    assert crypt_hash("same password", current=current, rounds=20000) == current


def test_current_with_explicit_default_rounds_is_kept(system_crypt: SystemCrypt) -> None:
    current = openssl_sha512_crypt("same password", "$6$rounds=5000$AbCdEfGhIjKlMnOp$")
    assert current.startswith("$6$rounds=5000$")

    assert crypt_hash("same password", current=current) == current


def test_current_from_openssl_is_kept() -> None:
    current = openssl_sha512_crypt("made by openssl", "$6$q1w2e3r4t5y6u7i8$")

    assert crypt_hash("made by openssl", current=current) == current


def test_current_is_replaced_for_changed_password(system_crypt: SystemCrypt) -> None:
    old = crypt_hash("old password")

    new = crypt_hash("new password", current=old)

    assert new != old
    assert system_crypt.verifies("new password", new)
    assert not system_crypt.verifies("old password", new)


@pytest.mark.parametrize(("current_rounds", "rounds"), [(5000, 6000), (6000, 5000), (6000, 7000)])
def test_current_is_replaced_for_changed_rounds(current_rounds: int, rounds: int, system_crypt: SystemCrypt) -> None:
    current = crypt_hash("same password", rounds=current_rounds)

    result = crypt_hash("same password", current=current, rounds=rounds)

    assert result != current
    assert system_crypt.verifies("same password", result)
    assert ("rounds=" in result) == (rounds != 5000)


VALID_CURRENT = "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/"
MALFORMED_CURRENT = {
    "None": None,
    "empty": "",
    "plain text": "password",
    "bcrypt": "$2b$04$xEVOuAca.giU1MbqkKKqauErsOBLcqERPaQEdX4rEa.PUaIqeyeZG",
    "SHA-256 crypt": "$5$saltsalt$Gcm6FsVtF/Qa77ZKD.iwsJlCVPY0XSMgLJL0Hnww/c1",
    "one character short": VALID_CURRENT[:-1],
    "trailing newline": VALID_CURRENT + "\n",
    "with user name": "admin:" + VALID_CURRENT,
    "rounds below 1000": "$6$rounds=999$saltsalt$" + VALID_CURRENT[12:],
    "rounds with leading zero": "$6$rounds=05000$saltsalt$" + VALID_CURRENT[12:],
    "salt longer than 16": "$6$saltsaltsaltsaltsalt$" + VALID_CURRENT[12:],
    "checksum changed": VALID_CURRENT[:-2] + "./",
}


@pytest.mark.parametrize("current", MALFORMED_CURRENT.values(), ids=MALFORMED_CURRENT.keys())
def test_malformed_current_is_replaced(current: object, system_crypt: SystemCrypt) -> None:
    result = crypt_hash("password", current=current)

    assert result != current
    assert DEFAULT_ROUNDS_PATTERN.fullmatch(result)
    assert system_crypt.verifies("password", result)


def test_valid_current_fixture_verifies(system_crypt: SystemCrypt) -> None:
    assert system_crypt.verifies("password", VALID_CURRENT)
    assert crypt_hash("password", current=VALID_CURRENT) == VALID_CURRENT


def test_filter_module_lists_crypt_hash() -> None:
    assert FilterModule().filters() == {"crypt_hash": crypt_hash}
