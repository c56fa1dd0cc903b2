"""Text that came from a submission, made safe to print: control characters escaped.

A student name with a newline used to forge a line in the text report; an exception message from
learner code could do the same in feedback. Escaped, such text stays on its own line and shows
what it holds. Bidirectional overrides and other invisible format characters are escaped too.
"""
from __future__ import annotations

import unicodedata

__all__ = ["escape_controls", "neutralize_formula"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_controls(text: str) -> str:
    """``text`` with every control, format and line/paragraph-separator character escaped."""
    if text.isprintable() and text.isascii():
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            code = ord(ch)
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or
                       (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"))
        else:
            out.append(ch)
    return "".join(out)


def neutralize_formula(cell: str) -> str:
    """A spreadsheet cell that cannot run as a formula: a leading = + - @ (tab, CR) gets a quote."""
    cell = escape_controls(cell)
    return "'" + cell if cell.lstrip().startswith(_FORMULA_START) else cell
