# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SHA-512 crypt ($6$), as glibc and libxcrypt implement it for crypt(3).

The algorithm follows Ulrich Drepper's specification "Unix crypt using SHA-256 and SHA-512"
(https://www.akkadia.org/drepper/SHA-crypt.txt). It is written with hashlib because Python 3.13
removed the crypt module and passlib 1.7.4 still imports it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import typing as t

CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

DEFAULT_ROUNDS = 5000
# libxcrypt 4.4 returns an error for rounds outside this range instead of clamping them.
MIN_ROUNDS = 1000
MAX_ROUNDS = 999_999_999
SALT_LENGTH = 16

_HASH_PATTERN = re.compile(
    r"\$6\$(?:rounds=(?P<rounds>[1-9][0-9]{0,8})\$)?(?P<salt>[./0-9A-Za-z]{1,16})\$(?P<checksum>[./0-9A-Za-z]{86})"
)


class Sha512CryptHash(t.NamedTuple):
    salt: str
    rounds: int
    explicit_rounds: bool


def _repeat_to_length(block: bytes, length: int) -> bytes:
    return block * (length // len(block)) + block[: length % len(block)]


def _encode_checksum(digest: bytes) -> str:
    characters = []

    def append_group(value: int, count: int) -> None:
        for _group in range(count):
            characters.append(CRYPT_ALPHABET[value & 0x3F])
            value >>= 6

    # The specification permutes the 64 digest bytes into 21 groups of three:
    # (0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), ... rotating by one each step.
    for index in range(21):
        first, second, third = index, index + 21, index + 42
        group = ((first, second, third), (second, third, first), (third, first, second))[index % 3]
        append_group((digest[group[0]] << 16) | (digest[group[1]] << 8) | digest[group[2]], 4)
    append_group(digest[63], 2)

    return "".join(characters)


def compute_sha512_crypt(password: bytes, salt: str, rounds: int = DEFAULT_ROUNDS, explicit_rounds: bool | None = None) -> str:
    """Return the $6$ crypt(3) hash of the password with the given salt and rounds.

    The rounds=N$ field is written when explicit_rounds is true, or when it is None and the
    rounds differ from the default 5000. This is what glibc does for a setting without and
    with that field.
    """
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise ValueError(f"rounds must be from {MIN_ROUNDS} to {MAX_ROUNDS}, got {rounds}")
    if not 1 <= len(salt) <= SALT_LENGTH or any(character not in CRYPT_ALPHABET for character in salt):
        raise ValueError(f"the salt must be 1 to {SALT_LENGTH} characters of {CRYPT_ALPHABET}")
    if explicit_rounds is None:
        explicit_rounds = rounds != DEFAULT_ROUNDS

    salt_bytes = salt.encode("ascii")
    password_length = len(password)

    digest_b = hashlib.sha512(password + salt_bytes + password).digest()

    context_a = hashlib.sha512(password + salt_bytes)
    context_a.update(_repeat_to_length(digest_b, password_length))
    length_bits = password_length
    while length_bits > 0:
        context_a.update(digest_b if length_bits & 1 else password)
        length_bits >>= 1
    digest_a = context_a.digest()

    password_sequence = _repeat_to_length(hashlib.sha512(password * password_length).digest(), password_length)
    salt_sequence = _repeat_to_length(hashlib.sha512(salt_bytes * (16 + digest_a[0])).digest(), len(salt_bytes))

    digest_c = digest_a
    for round_number in range(rounds):
        context_c = hashlib.sha512()
        context_c.update(password_sequence if round_number & 1 else digest_c)
        if round_number % 3:
            context_c.update(salt_sequence)
        if round_number % 7:
            context_c.update(password_sequence)
        context_c.update(digest_c if round_number & 1 else password_sequence)
        digest_c = context_c.digest()

    rounds_field = f"rounds={rounds}$" if explicit_rounds else ""
    return f"$6${rounds_field}{salt}${_encode_checksum(digest_c)}"


def generate_salt() -> str:
    return "".join(secrets.choice(CRYPT_ALPHABET) for _position in range(SALT_LENGTH))


def parse_sha512_crypt_hash(value: object) -> Sha512CryptHash | None:
    """Return the salt and rounds of a well-formed $6$ hash, or None for anything else.

    Salts outside the crypt alphabet are treated as malformed even though glibc accepts
    them, because no common tool writes them.
    """
    if not isinstance(value, str):
        return None

    match = _HASH_PATTERN.fullmatch(value)
    if match is None:
        return None

    if match.group("rounds") is None:
        return Sha512CryptHash(salt=match.group("salt"), rounds=DEFAULT_ROUNDS, explicit_rounds=False)

    rounds = int(match.group("rounds"))
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        return None

    return Sha512CryptHash(salt=match.group("salt"), rounds=rounds, explicit_rounds=True)


def verify_sha512_crypt(password: bytes, value: str) -> bool:
    """Return whether the password matches the $6$ hash. A malformed hash never matches."""
    parsed = parse_sha512_crypt_hash(value)
    if parsed is None:
        return False

    computed = compute_sha512_crypt(password, parsed.salt, parsed.rounds, parsed.explicit_rounds)
    return hmac.compare_digest(computed.encode("ascii"), value.encode("ascii"))
