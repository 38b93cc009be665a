# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the hashlib SHA-512 crypt, with libxcrypt's crypt(3) as the reference."""

from __future__ import annotations

import ctypes

import pytest

from ansible_collections.moat.nodered.plugins.module_utils.sha512_crypt import (
    CRYPT_ALPHABET,
    Sha512CryptHash,
    compute_sha512_crypt,
    generate_salt,
    parse_sha512_crypt_hash,
    verify_sha512_crypt,
)


@pytest.fixture(scope="module")
def system_crypt():
    try:
        library = ctypes.CDLL("libcrypt.so.1")
    except OSError as error:
        pytest.fail(f"libcrypt.so.1 could not be loaded, but these tests compare with it: {error}")
    function = library.crypt
    function.restype = ctypes.c_char_p
    function.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    return lambda password, setting: function(password, setting.encode("ascii")).decode("ascii")


# Password lengths around the 64-byte blocks that the algorithm repeats digests over.
LENGTH_CASES = [1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200, 511]


@pytest.mark.parametrize("length", LENGTH_CASES)
def test_compute_matches_crypt_for_length(length: int, system_crypt) -> None:
    password = bytes((index * 7 + 1) % 255 + 1 for index in range(length))
    salt = "Ab3./xyz"

    result = compute_sha512_crypt(password, salt)

    assert result == system_crypt(password, f"$6${salt}$")


@pytest.mark.parametrize("salt", ["a", "ab", "./", "0123456789abcdef", "ZZZZZZZZZZZZZZZ", "zyx.wvu/tsr"])
def test_compute_matches_crypt_for_salt(salt: str, system_crypt) -> None:
    result = compute_sha512_crypt(b"salt test", salt)

    assert result == system_crypt(b"salt test", f"$6${salt}$")


@pytest.mark.parametrize(
    ("rounds", "explicit_rounds", "setting_prefix"),
    [
        (5000, None, "$6$"),
        (5000, True, "$6$rounds=5000$"),
        (1000, None, "$6$rounds=1000$"),
        (1001, None, "$6$rounds=1001$"),
        (12345, True, "$6$rounds=12345$"),
    ],
)
def test_compute_matches_crypt_for_rounds(rounds: int, explicit_rounds: bool | None, setting_prefix: str, system_crypt) -> None:
    result = compute_sha512_crypt(b"rounds test", "saltsalt", rounds, explicit_rounds)

    assert result.startswith(setting_prefix + "saltsalt$")
    assert result == system_crypt(b"rounds test", setting_prefix + "saltsalt$")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"salt": "abc", "rounds": 999}, "rounds must be from 1000 to 999999999, got 999"),
        ({"salt": "", "rounds": 5000}, f"the salt must be 1 to 16 characters of {CRYPT_ALPHABET}"),
        ({"salt": "a" * 17, "rounds": 5000}, f"the salt must be 1 to 16 characters of {CRYPT_ALPHABET}"),
        ({"salt": "ab$", "rounds": 5000}, f"the salt must be 1 to 16 characters of {CRYPT_ALPHABET}"),
    ],
)
def test_compute_rejects_argument(arguments: dict, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        compute_sha512_crypt(b"password", **arguments)

    assert str(caught.value) == message


def test_generate_salt_uses_alphabet() -> None:
    salts = {generate_salt() for _attempt in range(20)}

    assert len(salts) == 20
    for salt in salts:
        assert len(salt) == 16
        assert set(salt) <= set(CRYPT_ALPHABET)


CHECKSUM = "qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"$6$saltsalt${CHECKSUM}", Sha512CryptHash("saltsalt", 5000, False)),
        (f"$6$rounds=5000$saltsalt${CHECKSUM}", Sha512CryptHash("saltsalt", 5000, True)),
        (f"$6$rounds=999999999$s${CHECKSUM}", Sha512CryptHash("s", 999999999, True)),
        (f"$6$rounds=999$saltsalt${CHECKSUM}", None),
        (f"$6$rounds=0$saltsalt${CHECKSUM}", None),
        (f"$6$rounds=1000000000$saltsalt${CHECKSUM}", None),
        (f"$6$rounds=$saltsalt${CHECKSUM}", None),
        (f"$6$${CHECKSUM}", None),
        (f"$6$salt:salt${CHECKSUM}", None),
        (f"$6$saltsalt${CHECKSUM}x", None),
        (f"$6$saltsalt${CHECKSUM}\n", None),
        (f"$5$saltsalt${CHECKSUM}", None),
        ("", None),
        (None, None),
        (6, None),
    ],
)
def test_parse_hash(value: object, expected: Sha512CryptHash | None) -> None:
    assert parse_sha512_crypt_hash(value) == expected


def test_verify_accepts_matching_password() -> None:
    assert verify_sha512_crypt(b"password", f"$6$saltsalt${CHECKSUM}")


def test_verify_rejects_other_password() -> None:
    assert not verify_sha512_crypt(b"Password", f"$6$saltsalt${CHECKSUM}")


def test_verify_rejects_malformed_hash() -> None:
    assert not verify_sha512_crypt(b"password", f"$6$saltsalt${CHECKSUM[:-1]}")
