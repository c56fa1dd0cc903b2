"""An exercise's statement: Textual's Markdown, with its blocks composed with the screen.

Textual's Markdown parses its text in a thread after it is mounted, then mounts the blocks: the
exercise screen was laid out and drawn once without its statement and again with it. A statement
is a few lines, so it is parsed here on the spot (one shared parser) and its blocks are part of
the first layout. It looks exactly the same: the blocks are Textual's own.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.widgets import Markdown

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["Statement"]

_parser: MarkdownIt | None = None


def _markdown_parser() -> MarkdownIt:
    """The parser Textual's Markdown makes for every update, made once."""
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("gfm-like")
    return _parser


class Statement(Markdown):
    """Markdown shown from the first frame (for text given when it is made)."""

    def compose(self) -> ComposeResult:
        text = self._initial_markdown or ""
        self._initial_markdown = None
        self._markdown = text
        self._theme = self.app.theme
        blocks = list(self._parse_markdown(_markdown_parser().parse(text)))
        if blocks:
            # a class, not `> *:last-child`: a rule with an order pseudo-class and a universal
            # selector makes Textual restyle every widget of the screen once more after it mounts
            blocks[-1].add_class("-last-block")
        yield from blocks

    async def _on_mount(self, event: events.Mount) -> None:  # type: ignore[override]  # Markdown: async, Widget: not
        # composed already: Markdown's own mount handler would parse the text again, in a thread,
        # and replace the blocks
        event.prevent_default()
