# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check passwords and bcrypt hashes before the moat.nodered filters hash or accept them.

Every message in a PasswordError describes the problem without quoting the password.
"""

from __future__ import annotations

import re
import typing as t

# bcrypt reads at most 72 bytes of the password. pyca/bcrypt 5 raises ValueError for longer
# input, while pyca/bcrypt 4 and bcryptjs silently ignore the rest.
BCRYPT_MAX_PASSWORD_BYTES = 72

# libxcrypt's crypt(3) rejects passphrases of CRYPT_MAX_PASSPHRASE_SIZE (512) bytes or more,
# counting the terminating NUL, so nginx and HAProxy could never verify a longer password.
CRYPT_MAX_PASSWORD_BYTES = 511

BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_HASH_LENGTH = 60
BCRYPT_MIN_COST = 4
BCRYPT_MAX_COST = 31

# The alphabet of bcrypt's own base64 variant, in value order.
BCRYPT_BASE64_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

BCRYPT_EXPECTED_FORM = (
    "expected a bcrypt hash of the form $2b$NN$ followed by 53 characters of ./A-Za-z0-9, "
    "with the prefix $2a$, $2b$ or $2y$ and a two-digit cost NN from 04 to 31"
)

_BCRYPT_BASE64_PATTERN = re.compile(r"[./A-Za-z0-9]*")
_LINE_BREAKS = ("\n", "\r")


class PasswordError(ValueError):
    """Invalid password or hash. The message never contains the password."""


class BcryptHash(t.NamedTuple):
    prefix: str
    cost: int


def encode_password(password: object, max_bytes: int, reject_line_breaks: bool = False) -> bytes:
    """Encode the password as UTF-8 and raise PasswordError unless every hash library accepts it.

    The password must be a non-empty string without NUL characters (C implementations of
    crypt(3) and bcrypt end the password there) and at most max_bytes long in UTF-8.
    """
    if not isinstance(password, str):
        raise PasswordError(f"the password must be a string, got {type(password).__name__}")

    if password == "":
        raise PasswordError("the password is empty")

    try:
        encoded = password.encode("utf-8")
    except UnicodeEncodeError:
        raise PasswordError(
            "the password is not valid Unicode text: it contains a lone surrogate code point"
        ) from None

    if "\x00" in password:
        raise PasswordError(
            "the password contains a NUL character, which C implementations of bcrypt and "
            "crypt(3) treat as the end of the password"
        )

    if reject_line_breaks and any(line_break in password for line_break in _LINE_BREAKS):
        raise PasswordError(
            "the password contains a line break (CR or LF), which would split its line in the "
            "proxy's user list"
        )

    if len(encoded) > max_bytes:
        raise PasswordError(
            f"the password is longer than {max_bytes} bytes in UTF-8; non-ASCII characters "
            "take 2 to 4 bytes each, so use fewer characters"
        )

    return encoded


def _is_canonical_base64_end(character: str, unused_bits: int) -> bool:
    # The last character of an encoded field carries unused low bits. Every implementation
    # writes them as zero, and a hash with other values there never verifies.
    return BCRYPT_BASE64_ALPHABET.index(character) % (1 << unused_bits) == 0


def describe_bcrypt_hash_problem(value: str) -> str | None:
    """Return why the string is not a bcrypt hash that bcrypt and bcryptjs can verify, or None.

    The description gives the length and field at fault but never quotes the value, because
    the caller may have passed a plain password by mistake.
    """
    if not value.startswith(BCRYPT_PREFIXES):
        return (
            "the value does not start with $2a$, $2b$ or $2y$ (other schemes, such as $2x$ "
            "from the buggy crypt_blowfish or $1$, $5$ and $6$, are not supported)"
        )

    cost = value[4:6]
    if not (len(cost) == 2 and cost.isascii() and cost.isdigit() and value[6:7] == "$"):
        return "the cost field after the prefix is not two digits followed by $"

    if not BCRYPT_MIN_COST <= int(cost) <= BCRYPT_MAX_COST:
        return f"the cost {cost} is outside the range 04 to 31"

    if len(value) != BCRYPT_HASH_LENGTH:
        return f"the value is {len(value)} characters long, but a bcrypt hash is exactly {BCRYPT_HASH_LENGTH}"

    encoded = value[7:]
    if not _BCRYPT_BASE64_PATTERN.fullmatch(encoded):
        return "the salt and checksum contain characters outside ./A-Za-z0-9"

    # The salt is 16 bytes in 22 characters (4 unused bits), the checksum 23 bytes in 31 (2 unused bits).
    if not (_is_canonical_base64_end(encoded[21], 4) and _is_canonical_base64_end(encoded[52], 2)):
        return (
            "the last character of the salt or the checksum has unused bits set, so bcrypt "
            "implementations reject the hash or never verify a password against it"
        )

    return None


def parse_bcrypt_hash(value: object) -> BcryptHash | None:
    """Return the prefix and cost of a well-formed bcrypt hash, or None for anything else."""
    if not isinstance(value, str) or describe_bcrypt_hash_problem(value) is not None:
        return None

    return BcryptHash(prefix=value[:4], cost=int(value[4:6]))


def normalize_bcrypt_prefix(value: str) -> str:
    """Replace the $2y$ prefix with $2b$.

    $2y$ (crypt_blowfish, PHP) and $2b$ (OpenBSD) compute the same hash, and $2b$ is what
    pyca/bcrypt and bcryptjs emit.
    """
    if value.startswith("$2y$"):
        return "$2b$" + value[4:]

    return value
