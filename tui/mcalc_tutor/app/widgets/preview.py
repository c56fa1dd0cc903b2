"""The live preview under an answer box: how the text was read (pretty-printed, with its shape),
or why it cannot be read, with a caret under the column. Uses only the parser: no numpy, no sympy,
cheap enough to run on every keystroke."""
from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Static

from ...mathlang import MathError, SymbolTable, read
from ...mathlang.pretty import pretty
from ...mathlang.shapes import format_shape

__all__ = ["AnswerPreview", "preview_text", "as_checked"]

_POINT_WORD = re.compile(r"^(.*?)(?:[\s:,]+|\s*[-–]\s*)?([A-Za-z][A-Za-z ]*)?$")


def as_checked(kind: str, text: str) -> str:
    """The text as the checker will read it: for vector parts a flat `[1, 2, 3]` is the column
    (1, 2, 3), as `content.answers` does."""
    stripped = text.strip()
    if kind == "vector" and stripped.startswith("[") and stripped.endswith("]") and ";" not in stripped \
            and "[" not in stripped[1:] and "," in stripped:
        return "(" + stripped[1:-1] + ")"
    return text


def preview_text(text: str, kind: str, symbols: SymbolTable) -> Text:
    """One or three lines: `read as …  shape …`, or the error and the input with a caret."""
    if not text.strip():
        return Text("")
    if kind == "choice":
        return Text.assemble(("your choice: ", "dim"), text.strip())
    if kind == "points":
        return _preview_point(text)
    table = SymbolTable() if kind == "number" else symbols
    try:
        typed = read(as_checked(kind, text), table)
    except MathError as exc:
        return _error(exc, text)
    out = Text.assemble(("read as: ", "dim"), pretty(typed.tree, table))
    out.append(f"   shape {format_shape(typed.shape)}", style="dim")
    return out


def _preview_point(text: str) -> Text:
    match = _POINT_WORD.match(text.strip())
    coords = match.group(1) if match and match.group(1).strip() else text
    try:
        typed = read(coords, SymbolTable())
    except MathError as exc:
        return _error(exc, coords)
    out = Text.assemble(("point: ", "dim"), pretty(typed.tree))
    if match and match.group(1).strip() and match.group(2):
        out.append(f"  {' '.join(match.group(2).split())}")
    return out


def _error(exc: MathError, text: str) -> Text:
    out = Text("can't read this: ", style="bold")
    out.append(exc.message)
    caret = exc.caret(text)
    if caret:
        out.append("\n" + caret, style="")
    return out


class AnswerPreview(Static):
    """Shows `preview_text` for what is in the input above it."""

    DEFAULT_CSS = """
    AnswerPreview {
        height: auto;
        padding: 0 1;
        color: $text-muted;
        display: none;
        &.-shown { display: block; }
    }
    """

    def show(self, text: str, kind: str, symbols: SymbolTable) -> None:
        self.show_text(preview_text(text, kind, symbols))

    def show_text(self, text: Text) -> None:
        self.set_class(bool(text.plain), "-shown")
        self.update(text)
