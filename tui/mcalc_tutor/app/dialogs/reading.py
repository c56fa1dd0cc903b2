"""A modal that shows Markdown to read: a title line, a scrolling body, a line of keys. The worked
solution and the help are both this, with their own title, width and keys."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

__all__ = ["MarkdownDialog"]


class MarkdownDialog(ModalScreen[None]):
    """Subclasses set BINDINGS (with a "close" action) and pass title, Markdown and body id."""

    DEFAULT_CSS = """
    MarkdownDialog { align: center middle; }
    MarkdownDialog > Vertical {
        width: 100%; height: 100%; max-width: 100; max-height: 100%;
        border: thick $accent; background: $surface;
    }
    MarkdownDialog .dialog-title { height: 1; padding: 0 1; text-style: bold; background: $accent 30%; }
    MarkdownDialog VerticalScroll { height: 1fr; padding: 0 1; }
    MarkdownDialog .dialog-keys { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, title: str, markdown: str, *, body_id: str, keys: str) -> None:
        super().__init__()
        self.dialog_title = title
        self.markdown = markdown
        self.body_id = body_id
        self.keys_text = keys

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.dialog_title, classes="dialog-title", markup=False)
            with VerticalScroll(id=f"{self.body_id}-body"):
                yield Markdown(self.markdown, id=self.body_id)
            yield Static(self.keys_text, classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(f"#{self.body_id}-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
