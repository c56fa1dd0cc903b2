"""Derivation (`steps`) and iterates parts: a multi-line box, one step or iterate per line, with a
live preview of the line being typed.

Enter starts a new line, so checking needs another key: CHECK_KEY (ctrl+r). It is a plain control
character (0x12), which every terminal sends and tmux, screen and ssh pass through unchanged, and
the code editor already uses it for "run the tests", the check of a code part. ctrl+enter cannot
be told from Enter by most terminals; ctrl+s is flow control (XOFF) wherever raw mode is not set;
ctrl+j is the line feed some terminals send for Enter; F-keys need fn on many laptops.

Blank lines are dropped when checking, so that the verdict's "line 3" is row 3 of the box.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import TextArea

from ...mathlang.lexer import MAX_INPUT_LENGTH
from .part_view import PartRecord, PartView, dom_id
from .preview import AnswerPreview, render_reading

if TYPE_CHECKING:
    from ...checking.iterates import Method
    from ...content.model import Part
    from ...content.variants import Variant
    from ...mathlang import SymbolTable

__all__ = ["CHECK_KEY", "LinesBox", "LinesPartView", "lines_preview", "without_blank_lines"]

CHECK_KEY = "ctrl+r"
"""Checks a multi-line answer (Enter is a new line there)."""

_WHAT = {"steps": "step", "iterates": "iterate"}


def without_blank_lines(text: str) -> str:
    """The answer as checked: its non-blank lines, trailing spaces trimmed, one per row."""
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def _line_index(text: str, row: int) -> int | None:
    """Which non-blank line (0-based) row `row` of `text` is, or None for a blank row."""
    rows = text.splitlines()
    if row >= len(rows) or not rows[row].strip():
        return None
    return sum(1 for r in rows[:row] if r.strip())


def lines_preview(text: str, part: Part, symbols: SymbolTable, row: int,
                  method: Method | None = None) -> Text:
    """The preview under the box: the reading of the line at `row` (the cursor's), or the first
    line that cannot be read, with a caret under the place. Steps are read by `content.reading`
    (the reader the checker uses); iterates by the iterates checker's own reader when the part's
    method is known (`method`)."""
    if not text.strip():
        return Text("")
    if len(text) > MAX_INPUT_LENGTH:
        return Text(f"too long: {len(text)} characters, at most {MAX_INPUT_LENGTH}", style="bold")
    what = _WHAT.get(part.kind, "line")
    index = _line_index(text, row)
    if part.kind == "iterates" and method is not None:
        return _iterates_preview(text, method, index)
    from ...content.reading import read_answer

    reading = read_answer(part, text, symbols)
    if not reading.ok:
        return render_reading(reading)
    if index is None:
        return Text(f"{len(text.splitlines())} lines; the {what} under the cursor is blank", style="dim")
    shown = (reading.interpreted or "").split("\n")
    out = Text(f"{what} {index + 1}: ", style="dim")
    out.append(shown[index] if index < len(shown) else "")
    return out


def _iterates_preview(text: str, method: Method, index: int | None) -> Text:
    from ...checking.iterates import IterateError, read_iterates

    try:
        iterates = read_iterates(text, method)
    except IterateError as exc:
        return Text.assemble(("can't read this: ", "bold"), str(exc))
    if index is None or index >= len(iterates):
        return Text(f"{len(iterates)} iterates read", style="dim")
    out = Text(f"iterate {index + 1}: ", style="dim")
    out.append(", ".join(f"{name} = ({', '.join(f'{float(v):.6g}' for v in value)})"
                         for name, value in iterates[index].items()))
    return out


class LinesBox(TextArea):
    """A multi-line answer box: Enter is a new line, CHECK_KEY checks (said in the Footer)."""

    DEFAULT_CSS = """
    LinesBox { height: auto; min-height: 3; max-height: 10; }
    """

    BINDINGS = [Binding(CHECK_KEY, "check", "Check")]

    @dataclass
    class Submitted(Message):
        """The learner asked for the text to be checked."""

        box: LinesBox
        text: str

        @property
        def control(self) -> LinesBox:
            return self.box

    def action_check(self) -> None:
        self.post_message(self.Submitted(self, self.text))


class LinesPartView(PartView):
    """Steps and iterates parts: a numbered multi-line box with the reading of the cursor's line
    under it."""

    def __init__(self, variant: Variant, part: Part, record: PartRecord | None = None, *,
                 id: str | None = None) -> None:
        super().__init__(variant, part, record, id=id)
        self._method: Method | None = None
        self._method_tried = False

    def compose_answer(self) -> ComposeResult:
        what = _WHAT.get(self.part.kind, "line")
        yield LinesBox(id=f"answer-{dom_id(self.part.name)}", classes="answer", compact=True,
                       show_line_numbers=True, soft_wrap=True, highlight_cursor_line=False,
                       placeholder=f"one {what} per line · Enter: new line · {CHECK_KEY}: check")
        yield AnswerPreview()

    @property
    def box(self) -> LinesBox:
        return self.query_one(LinesBox)

    def answer_widget(self) -> Widget | None:
        return self.box

    def restore(self, last_answer: str | None) -> None:
        if last_answer:
            self.box.load_text(last_answer)
            self._preview()

    def current_answer(self) -> str | None:
        return self.box.text

    def _iterates_method(self) -> Method | None:
        """The part's optimizer, for reading iterates as the checker does (None if it cannot be built)."""
        if not self._method_tried:
            self._method_tried = True
            try:
                from ...checking.iterates import method, objective_from

                self._method = method(str(self.part.method), objective_from(self.part.objective), lr=self.part.lr,
                                      x0=self.part.x0, params=self.part.hyperparameters)
            except (ValueError, TypeError):
                self._method = None
        return self._method

    def _preview(self) -> None:
        box = self.box
        method = self._iterates_method() if self.part.kind == "iterates" else None
        self.query_one(AnswerPreview).show_text(
            lines_preview(box.text, self.part, self.variant.symbols, box.cursor_location[0], method))

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._preview()
        self.note_edit()
        self.keep_in_view(event.text_area)

    @on(TextArea.SelectionChanged)
    def _moved(self, event: TextArea.SelectionChanged) -> None:
        event.stop()
        self._preview()

    @on(LinesBox.Submitted)
    def _submitted(self, event: LinesBox.Submitted) -> None:
        event.stop()
        answer = without_blank_lines(event.text)
        if not answer:
            what = _WHAT.get(self.part.kind, "line")
            self.verdict_panel.show_message(f"Write one {what} per line first, then {CHECK_KEY} checks.")
            return
        if answer != event.text:  # line numbers in the box are the ones the verdict names
            row = min(self.box.cursor_location[0], answer.count("\n"))
            self.box.load_text(answer)
            self.box.move_cursor((row, len(answer.split("\n")[row])))
        self.submit(answer)
