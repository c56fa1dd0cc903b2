"""Reading a submission's TOML fast: the flat shape the template writes, without tomllib's
character-by-character parser; anything else goes to tomllib, so every result and every error is
tomllib's own.

A submission is `[meta]` and `[answers.<id>]` tables of `part = "answer"` lines: tomllib spent
about 6 ms on one full-chapter file, the largest share of grading it in a batch. This reader takes
a line at a time with one regular expression and gives up on anything it does not know for sure —
a dotted or quoted key, an escape other than the plain ones, a float, an array, a key defined
twice, a carriage return — and then the whole text goes to tomllib. tests/test_flat_toml.py
compares the two on generated documents, valid and not.
"""
from __future__ import annotations

import re
from typing import Any

from .._toml import tomllib

__all__ = ["loads"]

_WS = r"[ \t]*"
_COMMENT = r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
_END = _WS + _COMMENT + r"(?:\n|\Z)"
_BARE = r"[A-Za-z0-9_-]+"
_HEADER = re.compile(_WS + r"\[(" + _BARE + r"(?:\." + _BARE + r")*)\]" + _END)
_PAIR = re.compile(
    _WS + "(" + _BARE + ")" + _WS + "=" + _WS + "(?:"
    r'"""\n?([^"\\\x00-\x08\x0b-\x1f\x7f]*)"""'  # 1: multi-line, with no quote or backslash inside
    r'|"((?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\["\\bfnrt])*)"'  # 2: one line, plain escapes only
    r"|'([^'\x00-\x08\x0a-\x1f\x7f]*)'"  # 3: literal
    r"|([+-]?(?:0|[1-9][0-9]*))"  # 4: a decimal integer (a float, date or 1_000 fails _END)
    r"|(true|false)"  # 5
    ")" + _END)
_BLANK = re.compile(_WS + _COMMENT + r"(?:\n|\Z)")
_ESCAPES = {'"': '"', "\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE = re.compile(r"\\(.)")
_LONGEST_LINE = 64 * 1024
"""A longer line goes to tomllib: the one-line string pattern costs re's backtracking stack some
200 bytes a character (4 GiB for a 20 MB answer), tomllib a few; no answer is that long anyway."""

_TABLE, _IMPLICIT, _VALUE = 1, 2, 3


class _Unsure(Exception):
    """Something the fast reader does not take: tomllib decides."""


def loads(text: str) -> dict[str, Any]:
    """What ``tomllib.loads(text)`` returns (and raises), faster for the template's flat shape."""
    if "\r" not in text:
        try:
            return _flat(text)
        except _Unsure:
            pass
    return tomllib.loads(text)


def _flat(text: str) -> dict[str, Any]:
    root: dict[str, Any] = {}
    kinds: dict[tuple[str, ...], int] = {}
    table, path = root, ()
    pos, end = 0, len(text)
    while pos < end:
        first = text[pos]
        newline = text.find("\n", pos)
        if (newline if newline >= 0 else end) - pos > _LONGEST_LINE:
            raise _Unsure
        # what a line can be, by its first character: one regular expression tried, not three
        match = None if first in "#\n[" else _PAIR.match(text, pos)
        if match is not None:
            key = match.group(1)
            where = path + (key,)
            if where in kinds:
                raise _Unsure  # a key given twice, or a table's name: tomllib says which
            kinds[where] = _VALUE
            table[key] = _value(match)
            pos = match.end()
            continue
        match = _HEADER.match(text, pos) if first != "#" and first != "\n" else None
        if match is not None:
            path = tuple(match.group(1).split("."))
            table = _open_table(root, kinds, path)
            pos = match.end()
            continue
        match = _BLANK.match(text, pos)
        if match is None or match.end() == pos:
            raise _Unsure
        pos = match.end()
    return root


def _open_table(root: dict[str, Any], kinds: dict[tuple[str, ...], int], path: tuple[str, ...]) -> dict[str, Any]:
    """The table a header names, made along with the tables above it (as tomllib makes them)."""
    table = root
    for depth in range(1, len(path) + 1):
        here = path[:depth]
        kind = kinds.get(here)
        if kind == _VALUE or (depth == len(path) and kind == _TABLE):
            raise _Unsure  # a value's name, or a table defined twice
        if depth == len(path):
            kinds[here] = _TABLE
        elif kind is None:
            kinds[here] = _IMPLICIT
        table = table.setdefault(path[depth - 1], {})
    return table


def _value(match: re.Match[str]) -> Any:
    multi, basic, literal, integer, boolean = match.group(2, 3, 4, 5, 6)
    if multi is not None:
        return multi
    if basic is not None:
        return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], basic) if "\\" in basic else basic
    if literal is not None:
        return literal
    if integer is not None:
        return int(integer)
    return boolean == "true"
