"""The live preview under an answer box: how the text was read (pretty-printed, with its shape),
or why it cannot be read, with a caret under the column. It shows what `content.reading` reads,
the reader the checker uses too, so the preview never promises a reading the checker does not
grade. Parsing only: no numpy, no sympy, cheap enough to run on every keystroke."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...content.model import Part
from ...content.reading import POINT_WORD, Reading, read_answer
from ...mathlang import SymbolTable

__all__ = ["AnswerPreview", "preview_text"]

_POINT_WORD = POINT_WORD  # the points view splits a typed point with the reader's own pattern


def preview_text(text: str, part: Part | str, symbols: SymbolTable) -> Text:
    """One or three lines: `read as …  shape …`, or the error and the input with a caret.

    `part` is the part answered (a bare kind is accepted for a part-less box, e.g. one typed point).
    """
    if not text.strip():
        return Text("")
    if isinstance(part, str):
        part = Part(name="", kind=part)
    reading = read_answer(part, text, symbols)
    return render_reading(reading)


def render_reading(reading: Reading) -> Text:
    if reading.form_error:  # read, but not in the form asked: say both, before Enter
        out = Text.assemble(("read as: ", "dim"), reading.interpreted or "")
        out.append("\nnot in the form asked: ", style="bold")
        out.append(reading.error or "")
        if reading.caret:
            out.append("\n" + reading.caret, style="")
        return out
    if not reading.ok:
        out = Text("can't read this: ", style="bold")
        out.append(reading.error or "")
        if reading.caret:
            out.append("\n" + reading.caret, style="")
        return out
    if reading.kind == "choice":
        return Text.assemble(("your choice: ", "dim"), reading.interpreted or "")
    if reading.kind == "points":
        out = Text()
        for i, point in enumerate(reading.points):
            out.append("; " if i else "")
            out.append("point: ", style="dim")
            out.append(point.shown)
            if point.word:
                out.append(f"  {point.word}")
        return out
    out = Text.assemble(("read as: ", "dim"), reading.interpreted or "")
    out.append(f"   shape {reading.shape}", style="dim")
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

    def show(self, text: str, part: Part | str, symbols: SymbolTable) -> None:
        self.show_text(preview_text(text, part, symbols))

    def show_text(self, text: Text) -> None:
        self.set_class(bool(text.plain), "-shown")
        self.update(text)
