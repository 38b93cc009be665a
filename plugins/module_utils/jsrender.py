# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Render plain data as JavaScript source text, for Node-RED's settings.js.

Values become JSON-style literals: every string is a double-quoted literal, every key a quoted
string, and no input text ever becomes code. A mapping with the key moat_snippet is handed to
a callback that returns generated code (see settings_snippets.py).
"""

from __future__ import annotations

import json
import math
import re
import typing as t
from collections.abc import Mapping

SNIPPET_KEY = "moat_snippet"
INDENT = "    "

# Larger integers lose precision in a JavaScript number.
MAX_SAFE_INTEGER = 2**53 - 1

_IDENTIFIER_PATTERN = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}

# Characters written as \uXXXX although JavaScript would accept them raw, so that a reviewer of
# the file can see each one: line and paragraph separators (raw ones end a string literal before
# ES2019), bidirectional controls, zero-width and other invisible format characters.
_INVISIBLE_CODE_POINTS = frozenset(
    [0x00AD, 0x061C, 0x180E, 0xFEFF]
    + list(range(0x200B, 0x2010))
    + list(range(0x2028, 0x202F))
    + list(range(0x2060, 0x2065))
    + list(range(0x2066, 0x2070))
    + list(range(0xFFF9, 0xFFFC))
)

PathElement = t.Union[str, int]
SnippetRenderer = t.Callable[[Mapping, tuple[PathElement, ...]], str]


class RenderError(ValueError):
    """Value that cannot be written to settings.js, with the key path where it was found."""

    def __init__(self, path: t.Sequence[PathElement], problem: str) -> None:
        self.path = tuple(path)
        self.problem = problem
        location = format_path(self.path)
        super().__init__(f"{location}: {problem}" if location else problem)


def format_path(path: t.Sequence[PathElement]) -> str:
    """Format a key path as JavaScript accessors, such as adminAuth.users[1].password."""
    parts: list[str] = []
    for element in path:
        if isinstance(element, int):
            parts.append(f"[{element}]")
        elif _IDENTIFIER_PATTERN.fullmatch(element):
            parts.append(f".{element}" if parts else element)
        else:
            # json.dumps escapes every non-ASCII character, lone surrogates included, so it cannot fail here.
            parts.append(f"[{json.dumps(element)}]")
    return "".join(parts)


def js_string_literal(text: str, path: t.Sequence[PathElement]) -> str:
    """Return a double-quoted JavaScript string literal that evaluates to exactly text.

    Control characters, DEL, C1 controls and the invisible characters listed above are
    escaped. Raises RenderError for a lone surrogate, which is not valid Unicode text.
    """
    pieces = ['"']
    for character in text:
        code_point = ord(character)
        if character in _SHORT_ESCAPES:
            pieces.append(_SHORT_ESCAPES[character])
        elif 0xD800 <= code_point <= 0xDFFF:
            raise RenderError(
                path, f"the string contains a lone surrogate U+{code_point:04X}, which is not valid Unicode text"
            )
        elif code_point < 0x20 or 0x7F <= code_point <= 0x9F or code_point in _INVISIBLE_CODE_POINTS:
            pieces.append(f"\\u{code_point:04x}")
        else:
            pieces.append(character)
    pieces.append('"')
    return "".join(pieces)


def _render_number(value: int | float, path: tuple[PathElement, ...]) -> str:
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise RenderError(
                path,
                f"the integer is outside JavaScript's safe range of -{MAX_SAFE_INTEGER} to "
                f"{MAX_SAFE_INTEGER}; write it as a string",
            )
        return str(int(value))

    if not math.isfinite(value):
        raise RenderError(path, "the float is NaN or infinite; only finite numbers can be written")
    # repr gives the shortest text that reads back as the same double, and every form it
    # produces (1.5, 1e-05, 1e+16) is a valid JavaScript number.
    return repr(float(value))


class _Renderer:
    def __init__(self, render_snippet: SnippetRenderer) -> None:
        self._render_snippet = render_snippet
        # ids of the lists and mappings on the current path, to detect reference cycles.
        self._open_containers: set[int] = set()

    def render(self, value: object, path: tuple[PathElement, ...], level: int) -> str:
        """Return the literal for value. Lines after the first are indented for nesting level."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return _render_number(value, path)
        if isinstance(value, str):
            return js_string_literal(value, path)
        if isinstance(value, Mapping):
            if SNIPPET_KEY in value:
                return self._indent_snippet(self._render_snippet(value, path), level)
            return self._render_container(value, path, level)
        if isinstance(value, (list, tuple)):
            return self._render_container(value, path, level)

        raise RenderError(
            path,
            f"unsupported type {type(value).__name__}; settings.js values must be strings, integers, "
            "finite floats, booleans, null, lists or mappings",
        )

    @staticmethod
    def _indent_snippet(code: str, level: int) -> str:
        lines = code.split("\n")
        return "\n".join([lines[0]] + [(INDENT * level + line) if line else line for line in lines[1:]])

    def _render_container(self, container: Mapping | list | tuple, path: tuple[PathElement, ...], level: int) -> str:
        if id(container) in self._open_containers:
            raise RenderError(path, "the value contains itself (a reference cycle)")

        self._open_containers.add(id(container))
        try:
            if isinstance(container, Mapping):
                opening, closing = "{", "}"
                entries = self._render_mapping_entries(container, path, level + 1)
            else:
                opening, closing = "[", "]"
                entries = [self.render(item, path + (index,), level + 1) for index, item in enumerate(container)]
        finally:
            self._open_containers.discard(id(container))

        if not entries:
            return opening + closing

        inner_indent = INDENT * (level + 1)
        body = ",\n".join(inner_indent + entry for entry in entries)
        return f"{opening}\n{body}\n{INDENT * level}{closing}"

    def _render_mapping_entries(self, mapping: Mapping, path: tuple[PathElement, ...], level: int) -> list[str]:
        entries = []
        for key, item in mapping.items():
            if not isinstance(key, str):
                raise RenderError(
                    path, f"a mapping key has the type {type(key).__name__}; settings.js keys must be strings"
                )
            key_path = path + (key,)
            if key == "__proto__":
                # In an object literal, "__proto__": value sets the prototype instead of
                # creating a property, whether the key is quoted or not.
                raise RenderError(
                    key_path, "the key __proto__ is not allowed, because it would set the object's prototype"
                )
            entries.append(f"{js_string_literal(key, key_path)}: {self.render(item, key_path, level)}")
        return entries


def render_literal(value: object, render_snippet: SnippetRenderer, path: tuple[PathElement, ...] = (), level: int = 0) -> str:
    """Return the JavaScript literal for value, pretty-printed with 4-space indentation.

    The first line carries no indentation, and the following lines are indented for the
    given nesting level. Raises RenderError naming the key path of the first bad value.
    """
    return _Renderer(render_snippet).render(value, path, level)


def render_settings_module(settings: object, render_snippet: SnippetRenderer) -> str:
    """Return the text of a CommonJS module that exports the settings mapping."""
    if not isinstance(settings, Mapping):
        raise RenderError((), f"the input must be a mapping of settings, got {type(settings).__name__}")
    if SNIPPET_KEY in settings:
        raise RenderError((), "the input must be a mapping of settings, not a snippet")

    return f"module.exports = {render_literal(settings, render_snippet)};\n"
