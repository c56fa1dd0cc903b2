"""The verdict panel under a part: correct / incorrect / invalid / partial, how the answer was read,
and each diagnostic (shape, transpose, sign, factor, a listed mistake)."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

__all__ = ["VerdictPanel", "render_verdict"]

_HEADLINE = {
    "correct": ("✓ Correct", "bold green"),
    "incorrect": ("✗ Not right", "bold red"),
    "partial": ("◐ Partly right", "bold yellow"),
    "invalid": ("! Cannot check this answer", "bold magenta"),
}


def _points(value: float) -> str:
    return f"{value:g}"


def render_verdict(verdict, max_points: float | None = None) -> Text:
    """The verdict as the learner reads it; words carry the meaning, colour only helps."""
    head, style = _HEADLINE.get(verdict.status, (verdict.status, "bold"))
    line = Text(head, style=style)
    if max_points is not None and verdict.status != "invalid":
        line.append(f"  ({_points(verdict.score)}/{_points(max_points)} pt)", style="dim")
    if verdict.diagnostics:
        line.append(f"  [{', '.join(dict.fromkeys(d.code for d in verdict.diagnostics))}]", style="bold")
    lines = [line]
    message = (verdict.message or "").strip()
    if message and not (verdict.status == "correct" and message.lower().rstrip(".") == "correct"):
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
    """Empty until the first check; then "checking…", then the verdict."""

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

    def _set_state(self, state: str | None) -> None:
        self.remove_class(*self._STATES)
        if state:
            self.add_class(state)
        self.set_class(state is not None, "-shown")

    def show_checking(self) -> None:
        self._set_state("-checking")
        self.update("… checking")

    def show_message(self, text: str) -> None:
        self._set_state("-invalid")
        self.update(Text(text))

    def show_verdict(self, verdict, max_points: float | None = None) -> None:
        self._set_state(f"-{verdict.status}" if f"-{verdict.status}" in self._STATES else "-invalid")
        self.update(render_verdict(verdict, max_points))

    def clear(self) -> None:
        self._set_state(None)
        self.update("")
