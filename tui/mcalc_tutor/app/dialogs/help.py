"""The keys: those of the screen the help was opened from, then the ones that work everywhere."""
from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from .reading import MarkdownDialog

__all__ = ["HelpScreen", "GLOBAL_HELP"]

GLOBAL_HELP = """\
**Everywhere**

- **F1** (or **?** when not typing): this help
- **ctrl+p**: command palette — type part of an exercise's title or id to jump to it; also the
  lab, progress and the map
- **Tab / Shift+Tab**: move between the controls of a screen
- **ctrl+q**: quit (everything you checked is already saved)

The mouse works too, but is never needed.
"""


class HelpScreen(MarkdownDialog):
    """A list of keys; Esc, F1 or q closes it."""

    DEFAULT_CSS = """
    HelpScreen > Vertical { max-width: 90; }
    """

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close")]

    def __init__(self, for_screen: Screen | None = None) -> None:
        self.screen_help = getattr(for_screen, "HELP", "") or ""
        super().__init__("Keys", f"{self.screen_help}\n\n{GLOBAL_HELP}", body_id="help", keys="↑ ↓ scroll · Esc closes")
