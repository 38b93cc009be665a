# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import bcrypt
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.bcrypt_hash import FilterModule, bcrypt_hash
from ansible_collections.moat.nodered.tests.unit.hostile_inputs import bcrypt_passwords

# Cost 8 is the lowest the filter allows. One hash took about 15 ms with pyca/bcrypt 5.0 on a
# 2-core AMD EPYC virtual machine.
TEST_COST = 8
PREFIX = "moat.nodered.bcrypt_hash: "
EXPECTED_FORM = (
    "expected a bcrypt hash of the form $2b$NN$ followed by 53 characters of ./A-Za-z0-9, "
    "with the prefix $2a$, $2b$ or $2y$ and a two-digit cost NN from 04 to 31"
)
TOO_LONG = (
    PREFIX + "the password is longer than 72 bytes in UTF-8; non-ASCII characters take 2 to 4 bytes "
    "each, so use fewer characters"
)

# A valid $2b$ hash of "correct horse" at cost 4, made once with pyca/bcrypt.
KNOWN_PASSWORD = "correct horse"
KNOWN_HASH_BODY = "04$xEVOuAca.giU1MbqkKKqauErsOBLcqERPaQEdX4rEa.PUaIqeyeZG"
KNOWN_HASH = "$2b$" + KNOWN_HASH_BODY

VALID_PASSWORDS = dict(bcrypt_passwords())
VALID_PASSWORDS.update(
    {
        "72 ASCII bytes": "a" * 72,
        "36 two-byte letters, 72 bytes": "é" * 36,
        "18 four-byte emoji, 72 bytes": "😀" * 18,
        "24 three-byte letters, 72 bytes": "日" * 24,
    }
)


def check_hash(password: str, hash_value: str, bcryptjs) -> None:
    assert bcrypt.checkpw(password.encode("utf-8"), hash_value.encode("ascii"))
    assert bcryptjs.verifies(password, hash_value)
    # A different first character keeps the wrong password different within the first 72 bytes.
    assert not bcryptjs.verifies("x" + password, hash_value)


def test_known_hash_fixture_is_valid() -> None:
    assert bcrypt.checkpw(KNOWN_PASSWORD.encode(), KNOWN_HASH.encode())


@pytest.mark.parametrize("password", VALID_PASSWORDS.values(), ids=VALID_PASSWORDS.keys())
def test_bcrypt_hash_accepts_password(password: str, bcryptjs) -> None:
    result = bcrypt_hash(password, cost=TEST_COST)

    assert result.startswith("$2b$08$")
    assert len(result) == 60
    check_hash(password, result, bcryptjs)


def test_bcrypt_hash_default_cost_is_10(bcryptjs) -> None:
    result = bcrypt_hash("default cost")

    assert result.startswith("$2b$10$")
    check_hash("default cost", result, bcryptjs)


def test_bcrypt_hash_highest_cost() -> None:
    # The only test at cost 14. It takes about a second with pyca/bcrypt, so bcryptjs does not check it.
    result = bcrypt_hash("highest cost", cost=14)

    assert result.startswith("$2b$14$")
    assert bcrypt.checkpw(b"highest cost", result.encode())


def test_bcrypt_hash_salts_differ() -> None:
    assert bcrypt_hash("same", cost=TEST_COST) != bcrypt_hash("same", cost=TEST_COST)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (12345, PREFIX + "the password must be a string, got int"),
        (None, PREFIX + "the password must be a string, got NoneType"),
        (b"bytes", PREFIX + "the password must be a string, got bytes"),
        (["list"], PREFIX + "the password must be a string, got list"),
        ("", PREFIX + "the password is empty"),
        (
            "secret\x00tail",
            PREFIX + "the password contains a NUL character, which C implementations of bcrypt and "
            "crypt(3) treat as the end of the password",
        ),
        (
            "secret\ud800",
            PREFIX + "the password is not valid Unicode text: it contains a lone surrogate code point",
        ),
        ("a" * 73, TOO_LONG),
        ("é" * 37, TOO_LONG),
        ("a" * 71 + "é", TOO_LONG),
        ("😀" * 18 + "a", TOO_LONG),
    ],
    ids=[
        "int",
        "None",
        "bytes",
        "list",
        "empty",
        "NUL",
        "lone surrogate",
        "73 ASCII bytes",
        "37 two-byte letters, 74 bytes",
        "71 ASCII and one two-byte letter, 73 bytes",
        "18 emoji and one letter, 73 bytes",
    ],
)
def test_bcrypt_hash_rejects_password(password: object, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        bcrypt_hash(password, cost=TEST_COST)

    assert str(caught.value) == message
    if isinstance(password, str) and password:
        assert password not in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"cost": 7}, PREFIX + "cost must be from 8 to 14, got 7"),
        ({"cost": 15}, PREFIX + "cost must be from 8 to 14, got 15"),
        ({"cost": 31}, PREFIX + "cost must be from 8 to 14, got 31"),
        ({"cost": "10"}, PREFIX + "cost must be an integer from 8 to 14, got str"),
        ({"cost": 10.0}, PREFIX + "cost must be an integer from 8 to 14, got float"),
        ({"cost": True}, PREFIX + "cost must be an integer from 8 to 14, got bool"),
        ({"cost": None}, PREFIX + "cost must be an integer from 8 to 14, got NoneType"),
        ({"current": 5}, PREFIX + "current must be a string or null, got int"),
        ({"current": ["$2b$"]}, PREFIX + "current must be a string or null, got list"),
        ({"prehashed": "yes"}, PREFIX + "prehashed must be a boolean, got str"),
        ({"prehashed": 1}, PREFIX + "prehashed must be a boolean, got int"),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else "",
)
def test_bcrypt_hash_rejects_argument(arguments: dict, message: str) -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        bcrypt_hash("password", **arguments)

    assert str(caught.value) == message


def test_current_is_kept_for_same_password(bcryptjs) -> None:
    current = bcrypt_hash("unchanged password", cost=TEST_COST)

    result = bcrypt_hash("unchanged password", cost=TEST_COST, current=current)

    assert result == current
    check_hash("unchanged password", result, bcryptjs)


@pytest.mark.parametrize("password", bcrypt_passwords().values(), ids=bcrypt_passwords().keys())
def test_current_is_kept_for_hostile_password(password: str) -> None:
    current = bcrypt_hash(password, cost=TEST_COST)

    assert bcrypt_hash(password, cost=TEST_COST, current=current) == current


def test_current_is_replaced_for_changed_password(bcryptjs) -> None:
    old = bcrypt_hash("old password", cost=TEST_COST)

    new = bcrypt_hash("new password", cost=TEST_COST, current=old)

    assert new != old
    assert new.startswith("$2b$08$")
    assert bcryptjs.verifies("new password", new)
    assert not bcryptjs.verifies("old password", new)
    assert bcrypt.checkpw(b"new password", new.encode())
    assert not bcrypt.checkpw(b"old password", new.encode())


def test_current_is_replaced_for_changed_cost(bcryptjs) -> None:
    old = bcrypt_hash("same password", cost=TEST_COST)

    new = bcrypt_hash("same password", cost=9, current=old)

    assert new.startswith("$2b$09$")
    assert bcryptjs.verifies("same password", new)


def test_current_2y_is_returned_as_2b(bcryptjs) -> None:
    current_2b = bcrypt_hash(KNOWN_PASSWORD, cost=TEST_COST)
    current_2y = "$2y$" + current_2b[4:]

    result = bcrypt_hash(KNOWN_PASSWORD, cost=TEST_COST, current=current_2y)

    assert result == current_2b
    assert bcryptjs.verifies(KNOWN_PASSWORD, result)


def test_current_2a_is_kept() -> None:
    current_2a = "$2a$" + bcrypt_hash(KNOWN_PASSWORD, cost=TEST_COST)[4:]

    assert bcrypt_hash(KNOWN_PASSWORD, cost=TEST_COST, current=current_2a) == current_2a


MALFORMED_CURRENT = {
    "None": None,
    "empty": "",
    "plain text": "not a hash",
    "2x prefix": "$2x$" + KNOWN_HASH[4:],
    "2 prefix": "$2$" + KNOWN_HASH[4:],
    "SHA-512 crypt": "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
    "one character short": KNOWN_HASH[:-1],
    "one character long": KNOWN_HASH + "a",
    "trailing newline": KNOWN_HASH + "\n",
    "non-canonical salt end": KNOWN_HASH[:28] + "P" + KNOWN_HASH[29:],
    "invalid character": KNOWN_HASH[:40] + "!" + KNOWN_HASH[41:],
}


@pytest.mark.parametrize("current", MALFORMED_CURRENT.values(), ids=MALFORMED_CURRENT.keys())
def test_malformed_current_is_replaced(current: object, bcryptjs) -> None:
    result = bcrypt_hash(KNOWN_PASSWORD, cost=TEST_COST, current=current)

    assert result != current
    assert result.startswith("$2b$08$")
    check_hash(KNOWN_PASSWORD, result, bcryptjs)


def test_current_at_other_cost_is_replaced() -> None:
    # KNOWN_HASH has cost 4, which the filter never emits.
    result = bcrypt_hash(KNOWN_PASSWORD, cost=TEST_COST, current=KNOWN_HASH)

    assert result.startswith("$2b$08$")


PREHASHED_ACCEPTED = {
    "2a": ("$2a$" + KNOWN_HASH_BODY, "$2a$" + KNOWN_HASH_BODY),
    "2b": ("$2b$" + KNOWN_HASH_BODY, "$2b$" + KNOWN_HASH_BODY),
    "2y": ("$2y$" + KNOWN_HASH_BODY, "$2b$" + KNOWN_HASH_BODY),
    "cost 31": ("$2b$31$" + KNOWN_HASH[7:], "$2b$31$" + KNOWN_HASH[7:]),
}


@pytest.mark.parametrize(("value", "expected"), PREHASHED_ACCEPTED.values(), ids=PREHASHED_ACCEPTED.keys())
def test_prehashed_is_accepted(value: str, expected: str) -> None:
    assert bcrypt_hash(value, prehashed=True) == expected


def test_prehashed_output_verifies_in_bcryptjs(bcryptjs) -> None:
    for prefix in ("$2a$", "$2b$", "$2y$"):
        result = bcrypt_hash(prefix + KNOWN_HASH_BODY, prehashed=True)
        assert bcryptjs.verifies(KNOWN_PASSWORD, result), prefix


def test_prehashed_ignores_current() -> None:
    other = bcrypt_hash("other", cost=TEST_COST)

    assert bcrypt_hash(KNOWN_HASH, prehashed=True, current=other) == KNOWN_HASH


PREHASHED_REJECTED = {
    "2x prefix": (
        "$2x$" + KNOWN_HASH_BODY,
        "the value does not start with $2a$, $2b$ or $2y$ (other schemes, such as $2x$ from the buggy "
        "crypt_blowfish or $1$, $5$ and $6$, are not supported)",
    ),
    "2 prefix": (
        "$2$" + KNOWN_HASH_BODY,
        "the value does not start with $2a$, $2b$ or $2y$ (other schemes, such as $2x$ from the buggy "
        "crypt_blowfish or $1$, $5$ and $6$, are not supported)",
    ),
    "MD5 crypt": (
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
        "the value does not start with $2a$, $2b$ or $2y$ (other schemes, such as $2x$ from the buggy "
        "crypt_blowfish or $1$, $5$ and $6$, are not supported)",
    ),
    "SHA-512 crypt": (
        MALFORMED_CURRENT["SHA-512 crypt"],
        "the value does not start with $2a$, $2b$ or $2y$ (other schemes, such as $2x$ from the buggy "
        "crypt_blowfish or $1$, $5$ and $6$, are not supported)",
    ),
    "upper-case prefix": (
        "$2B$" + KNOWN_HASH_BODY,
        "the value does not start with $2a$, $2b$ or $2y$ (other schemes, such as $2x$ from the buggy "
        "crypt_blowfish or $1$, $5$ and $6$, are not supported)",
    ),
    "plain password": (
        "hunter2",
        "the value does not start with $2a$, $2b$ or $2y$ (other schemes, such as $2x$ from the buggy "
        "crypt_blowfish or $1$, $5$ and $6$, are not supported)",
    ),
    "empty": (
        "",
        "the value does not start with $2a$, $2b$ or $2y$ (other schemes, such as $2x$ from the buggy "
        "crypt_blowfish or $1$, $5$ and $6$, are not supported)",
    ),
    "one-digit cost": ("$2b$4$" + KNOWN_HASH[7:], "the cost field after the prefix is not two digits followed by $"),
    "letter in cost": ("$2b$1a$" + KNOWN_HASH[7:], "the cost field after the prefix is not two digits followed by $"),
    "prefix only": ("$2b$", "the cost field after the prefix is not two digits followed by $"),
    "cost 03": ("$2b$03$" + KNOWN_HASH[7:], "the cost 03 is outside the range 04 to 31"),
    "cost 32": ("$2b$32$" + KNOWN_HASH[7:], "the cost 32 is outside the range 04 to 31"),
    "59 characters": (KNOWN_HASH[:-1], "the value is 59 characters long, but a bcrypt hash is exactly 60"),
    "61 characters": (KNOWN_HASH + "W", "the value is 61 characters long, but a bcrypt hash is exactly 60"),
    "trailing newline": (KNOWN_HASH + "\n", "the value is 61 characters long, but a bcrypt hash is exactly 60"),
    "character outside alphabet": (
        KNOWN_HASH[:40] + "+" + KNOWN_HASH[41:],
        "the salt and checksum contain characters outside ./A-Za-z0-9",
    ),
    "non-canonical salt end": (
        KNOWN_HASH[:28] + "P" + KNOWN_HASH[29:],
        "the last character of the salt or the checksum has unused bits set, so bcrypt implementations "
        "reject the hash or never verify a password against it",
    ),
    "non-canonical checksum end": (
        KNOWN_HASH[:-1] + "X",
        "the last character of the salt or the checksum has unused bits set, so bcrypt implementations "
        "reject the hash or never verify a password against it",
    ),
}


@pytest.mark.parametrize(("value", "problem"), PREHASHED_REJECTED.values(), ids=PREHASHED_REJECTED.keys())
def test_prehashed_is_rejected(value: str, problem: str) -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        bcrypt_hash(value, prehashed=True)

    assert str(caught.value) == f"{PREFIX}invalid pre-hashed input: {problem}; {EXPECTED_FORM}"


def test_prehashed_non_string_is_rejected() -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        bcrypt_hash(60, prehashed=True)

    assert str(caught.value) == PREFIX + "with prehashed=true the input must be a string, got int"


def test_filter_module_lists_bcrypt_hash() -> None:
    assert FilterModule().filters() == {"bcrypt_hash": bcrypt_hash}
