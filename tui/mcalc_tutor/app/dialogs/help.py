"""The keys: those of the screen the help was opened from, then the ones that work everywhere."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

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


class HelpScreen(ModalScreen[None]):
    """A list of keys; Esc, F1 or q closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100%; height: 100%; max-width: 90; max-height: 100%;
        border: thick $accent; background: $surface;
    }
    HelpScreen .dialog-title { height: 1; padding: 0 1; text-style: bold; background: $accent 30%; }
    HelpScreen VerticalScroll { height: 1fr; padding: 0 1; }
    HelpScreen .dialog-keys { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close")]

    def __init__(self, for_screen: Screen | None = None) -> None:
        super().__init__()
        self.screen_help = getattr(for_screen, "HELP", "") or ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Keys", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Markdown(f"{self.screen_help}\n\n{GLOBAL_HELP}", id="help")
            yield Static("↑ ↓ scroll · Esc closes", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
