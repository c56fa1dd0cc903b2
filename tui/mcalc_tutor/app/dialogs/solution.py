"""The worked solution of an exercise, as Markdown in a scrolling modal."""
from __future__ import annotations

from textual.binding import Binding

from .reading import MarkdownDialog

__all__ = ["SolutionDialog"]


class SolutionDialog(MarkdownDialog):
    """Read the solution; Esc closes it."""

    BINDINGS = [Binding("escape,q,ctrl+o", "close", "Close")]

    def __init__(self, title: str, markdown: str) -> None:
        super().__init__(f"Worked solution — {title}", markdown, body_id="solution",
                         keys="↑ ↓ PgUp PgDn scroll · Esc closes")
        self.solution_title = title
