"""The worked solution of an exercise, as Markdown in a scrolling modal."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

__all__ = ["SolutionDialog"]


class SolutionDialog(ModalScreen[None]):
    """Read the solution; Esc closes it."""

    DEFAULT_CSS = """
    SolutionDialog { align: center middle; }
    SolutionDialog > Vertical {
        width: 100%; height: 100%; max-width: 100; max-height: 100%;
        border: thick $accent; background: $surface;
    }
    SolutionDialog .dialog-title { height: 1; padding: 0 1; text-style: bold; background: $accent 30%; }
    SolutionDialog VerticalScroll { height: 1fr; padding: 0 1; }
    SolutionDialog .dialog-keys { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [Binding("escape,q,ctrl+o", "close", "Close")]

    def __init__(self, title: str, markdown: str) -> None:
        super().__init__()
        self.solution_title = title
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Worked solution — {self.solution_title}", classes="dialog-title", markup=False)
            with VerticalScroll(id="solution-body"):
                yield Markdown(self.markdown, id="solution")
            yield Static("↑ ↓ PgUp PgDn scroll · Esc closes", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#solution-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
