# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Strings that break naive quoting in JavaScript, shells, crypt(3) files or UTF-8 handling."""

from __future__ import annotations

HOSTILE_STRINGS = {
    "double quotes": 'say "hello"',
    "single quotes": "it's 'quoted'",
    "backslashes": "C:\\new\\table\\",
    "dollar": "$HOME $1 $$",
    "template literal": "${process.exit(1)}",
    "backticks": "`rm -rf /`",
    "newline": "first line\nsecond line",
    "carriage return": "before\rafter",
    "tab": "left\tright",
    "NUL": "before\x00after",
    "terminal escape": "\x1b[31mred\x1b[0m",
    "DEL and C1 controls": "\x7f\x85\x9f",
    "line and paragraph separators": "a\u2028b\u2029c",
    "bidirectional override": "admin\u202etxt.exe",
    "zero width characters": "a\u200bb\u2060c\ufeff",
    "non-ASCII letters": "Grüße, Ελληνικά, 日本語",
    "emoji": "😀 🏴‍☠️ 👍🏽",
    "script end": "</script><!--",
    "comment end": "*/ // -->",
    "string breakout": "\"; process.exit(1); //",
    "escape lookalikes": "\\u0022 \\x00 \\n",
    "JSON text": '{"a": [1, 2], "b": null}',
    "colon": "user:password",
    "empty": "",
}

_LINE_BREAKS = ("\n", "\r")


def bcrypt_passwords() -> dict[str, str]:
    """Return the hostile strings that bcrypt_hash must accept as passwords."""
    return {name: text for name, text in HOSTILE_STRINGS.items() if text and "\x00" not in text}


def crypt_passwords() -> dict[str, str]:
    """Return the hostile strings that crypt_hash must accept as passwords."""
    return {
        name: text
        for name, text in bcrypt_passwords().items()
        if not any(line_break in text for line_break in _LINE_BREAKS)
    }
