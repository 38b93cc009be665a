# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
name: crypt_hash
short_description: Hash a password with SHA-512 crypt for nginx and HAProxy user lists
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Return a SHA-512 crypt hash (C($6$)) of the input password for nginx C(auth_basic_user_file)
    and HAProxy C(userlist) C(password) lines. Both proxies verify it with crypt(3) from
    glibc or libxcrypt, which support C($6$) on Debian 12 and 13.
  - When O(current) is a well-formed C($6$) hash of the same password with the requested
    O(rounds), the filter returns O(current), so that a second run of a play changes nothing.
  - Error messages never contain the password.
  - Needs no Python package beyond the standard library.
options:
  _input:
    description:
      - The password in plain text.
      - It must be a non-empty string of at most 511 bytes in UTF-8, the maximum that
        libxcrypt's crypt(3) accepts, without NUL characters or line breaks. A line break
        would split the line in the proxy's user list.
    type: string
    required: true
  current:
    description:
      - The hash that is deployed now, for example read from the proxy's user list, or null
        or an empty string when there is none. Pass the hash alone, without the user name or
        a line break.
      - If it is a well-formed C($6$) hash, the password verifies against it and it uses
        O(rounds), the filter returns it unchanged. In every other case, including a malformed
        value, the filter returns a new hash.
    type: string
  rounds:
    description:
      - The number of SHA-512 rounds, from 1000 to 100000.
      - The proxies run crypt(3) on every request that carries credentials, so the time per
        hash is spent on each request, not once per login. The default 5000 is crypt's
        standard. Measured with libxcrypt 4.4.33 on a 2-core AMD EPYC virtual machine, one
        hash took about 1.3 ms at 5000 rounds and 25 ms at 100000 rounds of one CPU core.
        More rounds slow down an attacker with a stolen user list by the same factor.
      - Hashes with the default 5000 rounds omit the C(rounds=) field, as C(openssl passwd -6) does.
    type: int
    default: 5000
"""

EXAMPLES = r"""
---
- name: Hash the dashboard password for the proxy, keeping the deployed hash when it still matches
  ansible.builtin.set_fact:
    __reverse_proxy_user_hash: >-
      {{ reverse_proxy_password | moat.nodered.crypt_hash(current=__reverse_proxy_deployed_hash) }}
  no_log: true
"""

RETURN = r"""
_value:
  description:
    - A SHA-512 crypt hash such as C($6$SALT$CHECKSUM), or C($6$rounds=N$SALT$CHECKSUM) when
      O(rounds) is not 5000 or when O(current) was returned with that field.
  type: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.passwords import (
    CRYPT_MAX_PASSWORD_BYTES,
    PasswordError,
    encode_password,
)
from ansible_collections.moat.nodered.plugins.module_utils.sha512_crypt import (
    DEFAULT_ROUNDS,
    compute_sha512_crypt,
    generate_salt,
    parse_sha512_crypt_hash,
    verify_sha512_crypt,
)

FILTER_NAME = "moat.nodered.crypt_hash"
MIN_ROUNDS = 1000
MAX_ROUNDS = 100_000


def _check_rounds(rounds: object) -> int:
    if isinstance(rounds, bool) or not isinstance(rounds, int):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: rounds must be an integer from {MIN_ROUNDS} to {MAX_ROUNDS}, got {type(rounds).__name__}"
        )
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise AnsibleFilterError(f"{FILTER_NAME}: rounds must be from {MIN_ROUNDS} to {MAX_ROUNDS}, got {rounds}")
    return rounds


def _current_matches(password: bytes, current: str, rounds: int) -> bool:
    parsed = parse_sha512_crypt_hash(current)
    if parsed is None or parsed.rounds != rounds:
        return False

    return verify_sha512_crypt(password, current)


def crypt_hash(password: object, current: object = None, rounds: object = DEFAULT_ROUNDS) -> str:
    """Hash the password with SHA-512 crypt, or return current when it still matches."""
    checked_rounds = _check_rounds(rounds)
    if current is not None and not isinstance(current, str):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: current must be a string or null, got {type(current).__name__}"
        )

    try:
        encoded = encode_password(password, CRYPT_MAX_PASSWORD_BYTES, reject_line_breaks=True)
    except PasswordError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None

    if current and _current_matches(encoded, current, checked_rounds):
        return current

    return compute_sha512_crypt(encoded, generate_salt(), checked_rounds)


class FilterModule:
    """moat.nodered crypt(3) filter."""

    def filters(self) -> dict[str, t.Callable[..., str]]:
        return {"crypt_hash": crypt_hash}
