"""One part of an exercise: its prompt, the learner's answer (a box, a list of choices, a list of
points, or a code file), the live preview, the hints shown so far and the verdict.

A part view never touches the progress store: it posts what happened (an answer checked, a hint
asked for, the draft changed, the editor wanted) and the exercise screen records it, durably, and
only then tells the view to show it. Checking runs in a thread worker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...content.precision import precision_label
from ...mathlang.lexer import MAX_INPUT_LENGTH as MAX_ANSWER_LENGTH
from .choice_list import ChoiceList, TickList, choice_keys
from .preview import AnswerPreview, preview_text
from .status import status_text
from .verdict import VerdictPanel

if TYPE_CHECKING:
    from ...checking.verdict import Verdict
    from ...content.model import Part
    from ...content.variants import Variant

__all__ = ["PartView", "PartRecord", "ExpressionPartView", "ChoicePartView", "PointsPartView", "CodePartView",
           "make_part_view", "dom_id"]

_KIND_HELP = {
    "expression": "type your answer",
    "vector": "type a vector (a formula, or e.g. [1; 2])",
    "matrix": "type a matrix (a formula, or e.g. [1, 2; 3, 4])",
    "number": "type a number (e.g. 4, 1/2 or 2.5)",
}


@dataclass(frozen=True)
class PartRecord:
    """What the store knows about a part when its view is built (the screen reads it)."""

    status: str = "new"
    """new, attempted or solved."""
    hints_shown: int = 0
    """How many hints the learner has already seen."""
    last_answer: str | None = None
    """The last answer checked."""
    draft: str | None = None
    """What the learner typed and did not check (put back in the box in place of the last answer)."""
    revealed: bool = False
    """Whether the learner has seen the exercise's worked solution (feedback may then state the answer)."""


class PartView(Vertical):
    """The common frame of every kind of part."""

    DEFAULT_CSS = """
    PartView {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: wide $panel;
        &.-current { border-left: wide $accent; }
        .part-header { height: 1; }
        .part-prompt { height: auto; }
        .part-hints { height: auto; color: $text-muted; display: none; }
        .part-hints.-shown { display: block; }
    }
    """

    status: reactive[str] = reactive("new")
    """new, attempted or solved: as the store says, updated after each check and hint."""

    hints_shown: reactive[int] = reactive(0)
    """How many of this part's hints the learner has asked for (they stay shown)."""

    edited: reactive[bool] = reactive(False)
    """Whether the answer now differs from the last one checked: the header says so until it is
    checked again (a ✓ must not sit beside text that is no longer the answer it was given for)."""

    hint_note: reactive[str] = reactive("")
    """A line under the hints, such as "that was the last hint" (in the part, not a toast that
    would cover the answer box)."""

    _draft_reported: str | None = None
    """The draft last reported to the screen (a draft is reported once per change, not per key)."""

    @dataclass
    class AnswerChecked(Message):
        """The checker's verdict on an answer (posted from the worker): record it, then call
        `show_verdict`."""

        part_view: PartView
        answer: str
        verdict: Verdict

        @property
        def control(self) -> PartView:
            return self.part_view

    @dataclass
    class DraftChanged(Message):
        """The unchecked answer changed: `text` is to be kept as the part's draft ("" forgets it)."""

        part_view: PartView
        text: str

        @property
        def control(self) -> PartView:
            return self.part_view

    @dataclass
    class HintRequested(Message):
        """The learner asked for hint number `index` (from 0): record it, then call `reveal_hint`."""

        part_view: PartView
        index: int

        @property
        def control(self) -> PartView:
            return self.part_view

    def __init__(self, variant: Variant, part: Part, record: PartRecord | None = None, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.variant = variant
        self.part = part
        self.exercise_id = variant.exercise.id
        self.record = record or PartRecord()
        """What the store said when the view was built."""
        self.checked_answer: str | None = self.record.last_answer
        """The last answer checked (and recorded) for this part."""
        self.last_verdict: Verdict | None = None
        """The most recent verdict shown (tests read it)."""
        self.revealed = self.record.revealed
        """Whether the solution has been seen: until then feedback never states the expected answer."""

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(classes="part-header")
        prompt = Text(reflowed(self.part.prompt or ""))
        label = precision_label(self.part)
        if label:  # the stated numeric precision goes with the prompt, in the same widget
            prompt.append(("\n" if prompt else "") + f"Precision: {label}", style="italic")
        if prompt:
            yield Static(prompt, classes="part-prompt")
        yield from self.compose_answer()
        # the hints and the verdict are mounted when there is one to show (`hints_panel`,
        # `verdict_panel`): most parts open with neither, and each widget costs the opening

    def compose_answer(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.status = self.record.status
        self.hints_shown = min(self.record.hints_shown, len(self.part.hints))
        self._draft_reported = self.record.draft or ""  # what the store holds already
        self.restore(self.record.draft or self.record.last_answer)
        self.note_edit()
        self._update_header()

    def restore(self, last_answer: str | None) -> None:
        """Put the learner's last answer back (after a restart, or coming back to the exercise)."""

    @property
    def verdict_panel(self) -> VerdictPanel:
        """The panel under the part for its verdict or a message, mounted on first use."""
        panels = self.query_children(VerdictPanel)
        if panels:
            return panels.first()
        panel = VerdictPanel()
        self.mount(panel)
        return panel

    def hints_panel(self) -> Static:
        """The hints shown so far (and a note under them), mounted on first use, above the verdict."""
        panels = self.query_children(".part-hints")
        if panels:
            return panels.first(Static)
        panel = Static(classes="part-hints")
        verdicts = self.query_children(VerdictPanel)
        self.mount(panel, before=verdicts.first() if verdicts else None)
        return panel

    def current_answer(self) -> str | None:
        """The answer as it stands now, to compare with the last one checked (None: no such text)."""
        return None

    def note_edit(self) -> None:
        """Call when the answer changes: marks the part edited when it differs from the checked one,
        and reports the draft to keep (none when it is the answer checked)."""
        current = self.current_answer()
        if current is None:
            return
        checked = (self.checked_answer or "").strip()
        self.edited = self.checked_answer is not None and current.strip() != checked
        draft = "" if current.strip() == checked else current
        if draft != self._draft_reported:
            self._draft_reported = draft
            if self.is_mounted:
                self.post_message(self.DraftChanged(self, draft))

    def answer_widget(self) -> Widget | None:
        """The first control of this part's answer (where focus goes to answer it)."""
        for widget in self.query("Input, OptionList, Button"):
            if widget.focusable:
                return widget
        return None

    def keep_in_view(self, box: Widget) -> None:
        """Typing into a box out of sight brings it into view: after a right answer the cursor
        moves on to the next part while the screen stays on the verdict, and at 80×24 a long
        answer leaves that part below the fold, so the first keys would land in a hidden box."""
        if not (self.is_mounted and box.has_focus):
            return
        from textual.containers import ScrollableContainer

        body = next((a for a in box.ancestors if isinstance(a, ScrollableContainer)), None)
        if body is not None and not body.region.contains_region(box.region):
            box.scroll_visible(animate=False)

    def focus_answer(self) -> None:
        """Focus this part's answer widget."""
        widget = self.answer_widget()
        if widget is not None:
            widget.focus()

    # -- header and hints ------------------------------------------------------------------------
    def watch_status(self) -> None:
        self._update_header()

    def watch_edited(self) -> None:
        self._update_header()

    def watch_hints_shown(self) -> None:
        self._draw_hints()
        self._update_header()

    def watch_hint_note(self) -> None:
        self._draw_hints()

    def _draw_hints(self) -> None:
        lines = []
        for i, hint in enumerate(self.part.hints[:self.hints_shown]):
            lines.append(Text.assemble((f"Hint {i + 1}: ", "bold"), hint))
        if self.hint_note:
            lines.append(Text(self.hint_note, style="italic"))
        if not lines and not self.query_children(".part-hints"):
            return
        panel = self.hints_panel()
        panel.set_class(bool(lines), "-shown")
        panel.update(Text("\n").join(lines))

    def _update_header(self) -> None:
        headers = self.query(".part-header")
        if not headers:
            return
        line = Text(f"({self.part.name}) ", style="bold")
        line.append_text(status_text(self.status))
        if self.edited:
            line.append(" · edited — check again", style="bold")
        if self.part.points != 1:
            line.append(f"   {self.part.points:g} pt", style="dim")
        if self.part.hints:
            line.append(f"   hints {self.hints_shown}/{len(self.part.hints)}", style="dim")
        headers.first(Static).update(line)

    def request_hint(self) -> bool:
        """Ask for one more hint (the screen records it, then reveals it); False when there are
        no more."""
        if self.hints_shown >= len(self.part.hints):
            return False
        self.post_message(self.HintRequested(self, self.hints_shown))
        return True

    def reveal_hint(self, index: int, status: str) -> None:
        """Show hints up to `index` (recorded by now); `status` is the part's status after it."""
        self.hints_shown = max(self.hints_shown, min(index + 1, len(self.part.hints)))
        self.status = status
        self.call_after_refresh(self.hints_panel().scroll_visible)

    # -- checking --------------------------------------------------------------------------------
    def submit(self, answer: str) -> None:
        """Check an answer in a worker; typing goes on meanwhile."""
        if not answer.strip():
            self.verdict_panel.show_message("Type an answer first, then press Enter.")
            return
        self.verdict_panel.show_checking()
        self._check(answer)

    @work(thread=True, exclusive=True, group="check", exit_on_error=False)
    def _check(self, answer: str) -> None:
        from ...content.answers import check_part

        try:
            verdict = check_part(self.variant, self.part, answer, reveal=self.revealed)
        except Exception as exc:  # the engine promises not to raise; if it does, say so, do not crash
            from ...checking.verdict import invalid

            verdict = invalid(f"the checker failed on this answer ({type(exc).__name__}); please report it")
        if not get_current_worker().is_cancelled:
            self.post_message(self.AnswerChecked(self, answer, verdict))

    def show_verdict(self, answer: str, verdict: Verdict, status: str) -> None:
        """Show the verdict on `answer`, once recorded; `status` is the part's status after it."""
        self.last_verdict = verdict
        self.checked_answer = answer
        self.status = status
        self._draft_reported = ""  # the store dropped the draft with the attempt
        self.note_edit()
        self.verdict_panel.show_verdict(verdict, self.part.points)
        # the whole part, from its prompt down to the verdict (its top first if it does not fit)
        self.call_after_refresh(self.scroll_visible, animate=False)


class ExpressionPartView(PartView):
    """Expression, vector, matrix and number parts: a box with a live preview under it."""

    DEFAULT_CSS = """
    ExpressionPartView Input { margin: 0; }
    """

    def compose_answer(self) -> ComposeResult:
        hint = _KIND_HELP.get(self.part.kind, "your answer")
        yield Input(placeholder=f"{hint} — Enter checks", id=f"answer-{dom_id(self.part.name)}", classes="answer",
                    max_length=MAX_ANSWER_LENGTH)  # the engine refuses longer answers; a huge paste must not lag
        # the preview under it is mounted with the first text to read (`_preview`): hidden until
        # then, it would only cost the opening

    def restore(self, last_answer: str | None) -> None:
        if last_answer:
            self.query_one(Input).value = last_answer

    def current_answer(self) -> str | None:
        return self.query_one(Input).value

    def _preview(self) -> AnswerPreview:
        previews = self.query_children(AnswerPreview)
        if previews:
            return previews.first()
        preview = AnswerPreview()
        self.mount(preview, after=self.query_one(Input))
        return preview

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.value.strip() or self.query_children(AnswerPreview):
            self._preview().show(event.value, self.part, self.variant.symbols)
        self.note_edit()
        self.keep_in_view(event.input)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)


def _letters(n: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(n)]


class ChoicePartView(PartView):
    """Choice parts. One answer: ↑↓ or a letter, then Enter checks. Several: Space or a letter
    ticks, Enter (or the Check button) checks. Checking the answer already checked records nothing."""

    DEFAULT_CSS = """
    ChoicePartView OptionList { height: auto; max-height: 10; }
    ChoicePartView .choice-keys { height: 1; color: $text-muted; }
    """

    @property
    def multiple(self) -> bool:
        return "," in str(self.part.answer)

    def compose_answer(self) -> ComposeResult:
        letters = _letters(len(self.part.choices))
        choices = list(zip(letters, self.part.choices, strict=True))
        if self.multiple:
            yield TickList(choices, id=f"answer-{dom_id(self.part.name)}")
            yield Button("Check", id="check", compact=True)
        else:
            yield ChoiceList(choices, id=f"answer-{dom_id(self.part.name)}")
        yield Static(classes="choice-keys")

    def _keys_line(self) -> str:
        keys = choice_keys(_letters(len(self.part.choices)))
        line = (f"Space or {keys} ticks, then Enter checks" if self.multiple
                else f"↑↓ or {keys}, then Enter")
        if self.checked_answer:
            line += f"   · last checked: {', '.join(c.strip().upper() for c in self.checked_answer.split(','))}"
        return line

    def restore(self, last_answer: str | None) -> None:
        if last_answer and self.multiple:
            selection = self.query_one(TickList)
            for letter in (c.strip() for c in last_answer.split(",")):
                if letter:
                    selection.select(letter)
        self.query_one(".choice-keys", Static).update(self._keys_line())

    def show_verdict(self, answer: str, verdict: Verdict, status: str) -> None:
        super().show_verdict(answer, verdict, status)
        self.query_one(".choice-keys", Static).update(self._keys_line())

    def _check_choice(self, answer: str) -> None:
        if self.checked_answer is not None and answer == self.checked_answer:
            self.verdict_panel.show_message(
                "You checked this answer already: choose differently, then Enter.")
            return
        self.submit(answer)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and isinstance(event.option_list, ChoiceList):
            self._check_choice(event.option.id)

    @on(ChoiceList.NothingChosen)
    def _nothing_chosen(self, event: ChoiceList.NothingChosen) -> None:
        event.stop()
        self.verdict_panel.show_message(f"Choose first: {self._keys_line().split('   ·')[0]}.")

    @on(TickList.Submitted)
    @on(Button.Pressed, "#check")
    def _check_pressed(self, event: Message) -> None:
        event.stop()
        chosen = self.query_one(TickList).selected
        if not chosen:
            self.verdict_panel.show_message("Tick at least one choice first (Space or its letter).")
            return
        self._check_choice(", ".join(chosen))


POINT_TYPES = (("minimum", "min"), ("maximum", "max"), ("saddle", "saddle"), ("inconclusive", "inconclusive"))


class PointsPartView(PartView):
    """Critical points: type a point, pick its classification, Add; the list is the answer."""

    DEFAULT_CSS = """
    PointsPartView .points-row { height: auto; }
    PointsPartView .points-row Input { width: 1fr; }
    PointsPartView .points-row Select { width: 18; }
    PointsPartView .points-row Button { width: auto; min-width: 7; }
    PointsPartView #points { height: auto; max-height: 8; }
    PointsPartView .points-actions { height: auto; }
    """

    BINDINGS = [Binding("delete,backspace", "remove_point", "Remove point", show=False)]

    def __init__(self, variant: Variant, part: Part, record: PartRecord | None = None, *,
                 id: str | None = None) -> None:
        super().__init__(variant, part, record, id=id)
        self.points: list[tuple[str, str]] = []
        """(coordinates as typed, classification word), in the order added."""

    def compose_answer(self) -> ComposeResult:
        with Horizontal(classes="points-row"):
            yield Input(placeholder="(x, y) — Enter adds", id=f"answer-{dom_id(self.part.name)}", classes="answer",
                        compact=True, max_length=MAX_ANSWER_LENGTH)
            yield Select([(label, word) for label, word in POINT_TYPES], prompt="type", allow_blank=False,
                         value="min", compact=True, id="point-type")
            yield Button("Add", id="add-point", compact=True)
        yield AnswerPreview()
        yield OptionList(id="points", compact=True)
        with Horizontal(classes="points-actions"):
            yield Button("Check", id="check", compact=True)
            yield Static(" Delete removes the highlighted point.", classes="part-prompt")

    def answer_text(self) -> str:
        return "; ".join(f"{coords} {word}" for coords, word in self.points)

    def current_answer(self) -> str | None:
        return self.answer_text()

    def restore(self, last_answer: str | None) -> None:
        if not last_answer:
            self._refresh_list()
            return
        from .preview import _POINT_WORD

        for item in (s.strip() for s in last_answer.split(";")):
            match = _POINT_WORD.match(item) if item else None
            if match and match.group(1).strip():
                self.points.append((match.group(1).strip(), (match.group(2) or "").strip()))
        self._refresh_list()

    def _refresh_list(self) -> None:
        self.note_edit()
        options = self.query_one("#points", OptionList)
        options.set_options([Option(f"{coords}  {word or '(no classification)'}") for coords, word in self.points])
        if not self.points:
            options.set_options([Option(Text("no points yet", style="dim"), disabled=True)])

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one(AnswerPreview).show_text(preview_text(event.value, "points", self.variant.symbols))
        self.keep_in_view(event.input)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._add_point()

    @on(Button.Pressed, "#add-point")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._add_point()

    def _add_point(self) -> None:
        box = self.query_one(Input)
        text = box.value.strip()
        if not text:
            self.verdict_panel.show_message("Type a point like (1, 2) first.")
            return
        from ...mathlang import MathError, SymbolTable, read
        from .preview import _POINT_WORD

        # "(1, 1) min" typed in full wins over the classification picked in the list
        match = _POINT_WORD.match(text)
        coords, word = text, ""
        if match and match.group(1).strip() and match.group(2):
            coords, word = match.group(1).strip(), " ".join(match.group(2).split())
        try:
            read(coords, SymbolTable())
        except MathError as exc:
            self.query_one(AnswerPreview).show_text(preview_text(text, "points", self.variant.symbols))
            self.verdict_panel.show_message(f"That point cannot be read: {exc.message}")
            return
        word = word or str(self.query_one("#point-type", Select).value)
        self.points.append((coords, word))
        box.value = ""
        self._refresh_list()
        self.verdict_panel.clear()

    def action_remove_point(self) -> None:
        options = self.query_one("#points", OptionList)
        if not options.has_focus or options.highlighted is None or not self.points:
            return
        del self.points[options.highlighted]
        self._refresh_list()

    @on(Button.Pressed, "#check")
    def _check_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if not self.points:
            self.verdict_panel.show_message("Add at least one point first.")
            return
        self.submit(self.answer_text())


class CodePartView(PartView):
    """Code parts: the editor opens on its own screen; here, the last run's result."""

    @dataclass
    class EditorRequested(Message):
        """The learner wants the code editor for this part (the screen opens it)."""

        part_view: CodePartView

        @property
        def control(self) -> CodePartView:
            return self.part_view

    def compose_answer(self) -> ComposeResult:
        yield Static("Edit your copy of the file and run the hidden tests in the editor.", classes="part-prompt")
        yield Button(f"Open the editor — {self.part.stub or 'code'}  (ctrl+e)", id="open-editor", compact=True)

    @on(Button.Pressed, "#open-editor")
    def _open(self, event: Button.Pressed) -> None:
        event.stop()
        self.open_editor()

    def open_editor(self) -> None:
        self.post_message(self.EditorRequested(self))

    def show_result(self, verdict: Verdict | None, status: str) -> None:
        """After the editor closed: the last run's verdict (recorded by the editor), if any."""
        self.status = status
        if verdict is not None:
            self.last_verdict = verdict
            self.verdict_panel.show_verdict(verdict, self.part.points)


_VIEWS: dict[str, type[PartView]] = {
    "choice": ChoicePartView,
    "points": PointsPartView,
    "code": CodePartView,
}


def dom_id(name: str) -> str:
    """A part name made safe for a widget id."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def make_part_view(variant: Variant, part: Part, record: PartRecord | None = None) -> PartView:
    """The view for a part's kind, showing what the store knows about it."""
    view: type[PartView] = _VIEWS.get(part.kind, ExpressionPartView)
    if part.kind in ("steps", "iterates"):  # a multi-line box (its module imports this one)
        from .lines_box import LinesPartView

        view = LinesPartView
    return view(variant, part, record, id=f"part-{dom_id(part.name)}")


def reflowed(prompt: str) -> str:
    """A prompt as one paragraph per blank-line-separated block: the bank wraps long prompts in
    its TOML at about 100 columns, and those line breaks kept would leave a ragged line in each
    prompt at 80. A blank line still separates paragraphs."""
    return re.sub(r"(?<!\n)[ \t]*\n[ \t]*(?!\n)", " ", prompt.strip())
