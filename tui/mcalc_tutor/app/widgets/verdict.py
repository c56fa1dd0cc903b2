"""The verdict panel under a part. At most three lines: correct / incorrect / invalid / partial and
the single most specific message (the checker puts it first); the rest — how the answer was read,
each diagnostic — behind a key, so that the part's prompt and the statement stay on screen."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.reactive import reactive
from textual.widgets import Static

if TYPE_CHECKING:
    from ...checking.verdict import Verdict

__all__ = ["BRIEF_LINES", "VerdictPanel", "has_details", "render_brief", "render_verdict"]

BRIEF_LINES = 3
"""The most rows a verdict takes until the learner asks for the details."""

_HEADLINE = {
    "correct": ("✓ Correct", "bold green"),
    "incorrect": ("✗ Not right", "bold red"),
    "partial": ("◐ Partly right", "bold yellow"),
    "invalid": ("! Cannot check this answer", "bold magenta"),
}


def _points(value: float) -> str:
    return f"{value:g}"


def _headline(verdict: Verdict, max_points: float | None) -> Text:
    head, style = _HEADLINE.get(verdict.status, (verdict.status, "bold"))
    line = Text(head, style=style)
    if max_points is not None and verdict.status != "invalid":
        line.append(f"  ({_points(verdict.score)}/{_points(max_points)} pt)", style="dim")
    return line


def _message(verdict: Verdict) -> str:
    message = (verdict.message or "").strip()
    if verdict.status == "correct" and message.lower().rstrip(".") == "correct":
        return ""
    return message


def has_details(verdict: Verdict) -> bool:
    """Whether the full verdict says more than the brief one."""
    return bool(verdict.interpreted or verdict.shape
                or any(d.message.strip() != _message(verdict) for d in verdict.diagnostics))


def _fit(entries: list[tuple[Text, int]], width: int, limit: int) -> Text:
    """Each (text, the most rows it may take) wrapped to `width`, `limit` rows in all; a line that
    is cut ends with an ellipsis."""
    console = Console(width=max(8, width), no_color=True, legacy_windows=False)
    rows: list[Text] = []
    for text, most in entries:
        room = min(most, limit - len(rows))
        if room <= 0:
            break
        wrapped = list(text.wrap(console, max(8, width)))
        if len(wrapped) > room:
            wrapped = wrapped[:room]
            last = wrapped[-1]
            last.rstrip()
            if last.cell_len >= width:
                last.truncate(max(1, width - 1))
            last.append("…")
        rows.extend(wrapped)
    return Text("\n").join(rows)


def render_brief(verdict: Verdict, max_points: float | None = None, width: int = 76) -> Text:
    """The verdict in at most BRIEF_LINES rows of `width` cells: the headline and the most specific
    message (for an answer that cannot be read: the message and the caret under the place)."""
    head = _headline(verdict, max_points)
    message = _message(verdict)
    caret = [Text(line, style="bold") for line in (verdict.caret or "").splitlines()[:2]]
    if caret:
        head.append(f"  {message}" if message else "")
        return _fit([(head, 1)] + [(line, 1) for line in caret], width, BRIEF_LINES)
    entries = [(head, 1)]
    if message:
        entries.append((Text(message), BRIEF_LINES - 1))
    return _fit(entries, width, BRIEF_LINES)


def render_verdict(verdict: Verdict, max_points: float | None = None) -> Text:
    """The whole verdict (the details view); words carry the meaning, colour only helps."""
    line = _headline(verdict, max_points)
    if verdict.diagnostics:
        line.append(f"  [{', '.join(dict.fromkeys(d.code for d in verdict.diagnostics))}]", style="bold")
    lines = [line]
    message = _message(verdict)
    if message:
        lines.append(Text(message))
    if verdict.caret:
        lines.append(Text(verdict.caret, style="bold"))
    if verdict.interpreted:
        read = Text("Read as: ", style="dim")
        read.append(verdict.interpreted)
        if verdict.shape:
            read.append(f"   shape {verdict.shape}", style="dim")
        lines.append(read)
    for diagnostic in verdict.diagnostics:
        if diagnostic.message.strip() == message:
            continue
        lines.append(Text.assemble((f"• {diagnostic.code}: ", "bold"), diagnostic.message))
    return Text("\n").join(lines)


class VerdictPanel(Static):
    """Empty until the first check; then "checking…", then the verdict, brief unless `details`."""

    DEFAULT_CSS = """
    VerdictPanel {
        height: auto;
        padding: 0 1;
        display: none;
        border-left: thick $panel;
        &.-shown { display: block; }
        &.-correct { border-left: thick $success; }
        &.-incorrect { border-left: thick $error; }
        &.-partial { border-left: thick $warning; }
        &.-invalid { border-left: thick $accent; }
        &.-checking { color: $text-muted; }
    }
    """

    _STATES = ("-correct", "-incorrect", "-partial", "-invalid", "-checking")

    details: reactive[bool] = reactive(False)
    """Whether the whole verdict is shown (how the answer was read, every diagnostic)."""

    verdict: Verdict | None = None
    """The verdict on show, if any."""

    _max_points: float | None = None

    def _set_state(self, state: str | None) -> None:
        self.remove_class(*self._STATES)
        if state:
            self.add_class(state)
        self.set_class(state is not None, "-shown")

    def show_checking(self) -> None:
        self.verdict = None
        self._set_state("-checking")
        self.update("… checking")

    def show_message(self, text: str) -> None:
        self.verdict = None
        self._set_state("-invalid")
        self.update(Text(text))

    def show_verdict(self, verdict: Verdict, max_points: float | None = None) -> None:
        self.verdict, self._max_points = verdict, max_points
        self.details = False
        self._set_state(f"-{verdict.status}" if f"-{verdict.status}" in self._STATES else "-invalid")
        self._draw()

    def watch_details(self) -> None:
        self._draw()

    _fit_width = 0
    """The content width the panel was last laid out for (the brief verdict is cut to it)."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._fit_width = width
        return super().get_content_height(container, viewport, width)

    def _brief(self, verdict: Verdict) -> Text:
        return render_brief(verdict, self._max_points, self._fit_width or self.content_region.width or 76)

    def render(self) -> RenderResult:
        if self.verdict is not None and not self.details:
            return self._brief(self.verdict)  # cut to the width it is drawn at, not the one it was set at
        return super().render()

    def _draw(self) -> None:
        if self.verdict is not None:
            self.update(render_verdict(self.verdict, self._max_points) if self.details else self._brief(self.verdict))

    def clear(self) -> None:
        self.verdict = None
        self._set_state(None)
        self.update("")
