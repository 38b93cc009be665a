# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
name: bcrypt_hash
short_description: Hash a password with bcrypt for Node-RED, keeping a hash that still verifies
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Return a C($2b$) bcrypt hash of the input password, as Node-RED's C(adminAuth) and
    C(httpNodeAuth) settings expect.
  - When O(current) is a well-formed bcrypt hash of the same password at the requested O(cost),
    the filter returns O(current), so that a second run of a play changes nothing.
  - With O(prehashed=true) the input is an existing bcrypt hash, which the filter checks and returns.
  - Error messages never contain the password.
  - Requires the Python C(bcrypt) package (4.x or 5.x) on the controller.
options:
  _input:
    description:
      - The password in plain text, or a bcrypt hash when O(prehashed=true).
      - A password must be a non-empty string of at most 72 bytes in UTF-8 without NUL
        characters. bcrypt ignores everything after byte 72, so a longer password is rejected
        rather than silently shortened. Non-ASCII characters take 2 to 4 bytes each.
    type: string
    required: true
  cost:
    description:
      - The bcrypt cost factor, the base-2 logarithm of the number of key expansion rounds.
      - Allowed values are 8 to 14. Each step doubles the time to compute and to verify a hash,
        for the server and for an attacker who guesses passwords against a stolen hash.
        The minimum 8 is the cost that the C(hash-pw) command of node-red-admin uses.
        Above 14 every check takes more than a second in bcryptjs, the pure JavaScript
        implementation that the C(moat.nodered.settings_js) connection checks use and that
        Node-RED 4.1 falls back to when its optional native C(@node-rs/bcrypt) is missing.
        Measured with bcryptjs 3.0.3 on Node.js 20 on a 2-core AMD EPYC virtual
        machine, one comparison took 18 ms at cost 8, 76 ms at cost 10 and 1.3 s at cost 14.
      - Ignored when O(prehashed=true), but still checked.
    type: int
    default: 10
  current:
    description:
      - The hash that is deployed now, for example read from the host's C(settings.js), or
        null or an empty string when there is none.
      - If it is a well-formed bcrypt hash, the password verifies against it and its cost
        equals O(cost), the filter returns it unchanged, except that a C($2y$) prefix becomes
        C($2b$). In every other case, including a malformed value, the filter returns a new hash.
      - Ignored when O(prehashed=true).
    type: string
  prehashed:
    description:
      - Treat the input as a bcrypt hash made elsewhere, for example with C(node-red admin hash-pw).
      - The hash must have the prefix C($2a$), C($2b$) or C($2y$), a two-digit cost from 04 to
        31 and 53 characters of bcrypt base64 (C(./A-Za-z0-9)). A C($2y$) prefix is returned as
        C($2b$). C($2x$) hashes and other schemes are rejected.
    type: bool
    default: false
"""

EXAMPLES = r"""
---
- name: Hash the editor password, keeping the deployed hash when it still matches
  ansible.builtin.set_fact:
    __nodered_admin_hash: >-
      {{ nodered_admin_password | moat.nodered.bcrypt_hash(current=__nodered_deployed_admin_hash) }}
  no_log: true

- name: Accept a hash made with node-red admin hash-pw
  ansible.builtin.set_fact:
    __nodered_admin_hash: "{{ nodered_admin_password_hash | moat.nodered.bcrypt_hash(prehashed=true) }}"
"""

RETURN = r"""
_value:
  description:
    - A bcrypt hash of 60 characters. It starts with C($2b$) unless O(current) or a
      pre-hashed input with the prefix C($2a$) was returned unchanged.
  type: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.passwords import (
    BCRYPT_EXPECTED_FORM,
    BCRYPT_MAX_PASSWORD_BYTES,
    PasswordError,
    describe_bcrypt_hash_problem,
    encode_password,
    normalize_bcrypt_prefix,
    parse_bcrypt_hash,
)

try:
    import bcrypt
except ImportError:
    bcrypt = None

FILTER_NAME = "moat.nodered.bcrypt_hash"
MIN_COST = 8
MAX_COST = 14


def _check_cost(cost: object) -> int:
    if isinstance(cost, bool) or not isinstance(cost, int):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: cost must be an integer from {MIN_COST} to {MAX_COST}, got {type(cost).__name__}"
        )
    if not MIN_COST <= cost <= MAX_COST:
        raise AnsibleFilterError(f"{FILTER_NAME}: cost must be from {MIN_COST} to {MAX_COST}, got {cost}")
    return cost


def _check_prehashed_input(value: object) -> str:
    if not isinstance(value, str):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: with prehashed=true the input must be a string, got {type(value).__name__}"
        )

    problem = describe_bcrypt_hash_problem(value)
    if problem is not None:
        raise AnsibleFilterError(f"{FILTER_NAME}: invalid pre-hashed input: {problem}; {BCRYPT_EXPECTED_FORM}")

    return normalize_bcrypt_prefix(value)


def _current_matches(password: bytes, current: str, cost: int) -> bool:
    parsed = parse_bcrypt_hash(current)
    if parsed is None or parsed.cost != cost:
        return False

    try:
        return bcrypt.checkpw(password, current.encode("ascii"))
    except ValueError:
        # pyca/bcrypt rejects some salts that the format check lets through. Such a hash
        # cannot be kept, so a new one is made.
        return False


def bcrypt_hash(password: object, cost: object = 10, current: object = None, prehashed: object = False) -> str:
    """Hash the password with bcrypt, or return current or the checked pre-hashed input."""
    if not isinstance(prehashed, bool):
        raise AnsibleFilterError(f"{FILTER_NAME}: prehashed must be a boolean, got {type(prehashed).__name__}")
    checked_cost = _check_cost(cost)
    if current is not None and not isinstance(current, str):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: current must be a string or null, got {type(current).__name__}"
        )

    if prehashed:
        return _check_prehashed_input(password)

    try:
        encoded = encode_password(password, BCRYPT_MAX_PASSWORD_BYTES)
    except PasswordError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None

    if bcrypt is None:
        raise AnsibleFilterError(
            f"{FILTER_NAME}: the Python package bcrypt is not installed on the controller; install bcrypt 4.x or 5.x"
        )

    if current and _current_matches(encoded, current, checked_cost):
        return normalize_bcrypt_prefix(current)

    return bcrypt.hashpw(encoded, bcrypt.gensalt(rounds=checked_cost, prefix=b"2b")).decode("ascii")


class FilterModule:
    """moat.nodered bcrypt filter."""

    def filters(self) -> dict[str, t.Callable[..., str]]:
        return {"bcrypt_hash": bcrypt_hash}
