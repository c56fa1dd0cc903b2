"""An exercise's statement, drawn from its Markdown.

Statements are paragraphs and bullet lists with inline code, bold and italics. Textual's Markdown
makes a widget per paragraph, list, item and bullet, each styled with four component styles of
its own: a five-paragraph statement was half the time to open its exercise. `Statement` draws
that subset as one widget, looking as Textual's Markdown does (the same wrapping, bullets, blank
lines between blocks and inline styles). A statement with anything else (a heading, a table, a
code block, a nested list, a link...) is drawn by Textual's Markdown itself (`MarkdownStatement`),
so that nothing an author writes is lost. `make_statement` picks one.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.content import Content, Span
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Markdown, Static

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["BULLET", "MarkdownStatement", "Statement", "make_statement", "statement_blocks"]

_parser: MarkdownIt | None = None

BULLET = "• "
"""Textual's Markdown bullet for a list that is not nested."""

_INLINE_STYLES = {"em_open": ".em", "strong_open": ".strong", "s_open": ".s"}
_INLINE_CLOSE = {"em_close", "strong_close", "s_close"}


def _markdown_parser() -> MarkdownIt:
    """The parser Textual's Markdown makes for every update, made once."""
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("gfm-like")
    return _parser


def _inline(token: Token) -> Content | None:
    """An inline token as Textual's MarkdownBlock makes it; None for anything it draws otherwise
    (links, images, html)."""
    text: list[str] = []
    spans: list[Span] = []
    opened: list[tuple[str, int]] = []
    position = 0
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            piece = re.sub(r"\s+", " ", child.content)  # as Textual's Markdown shows text
        elif kind == "softbreak":
            piece = " "
        elif kind == "hardbreak":
            piece = "\n"
        elif kind == "code_inline":
            spans.append(Span(position, position + len(child.content), ".code_inline"))
            piece = child.content
        elif kind in _INLINE_STYLES:
            opened.append((_INLINE_STYLES[kind], position))
            continue
        elif kind in _INLINE_CLOSE and opened:
            style, start = opened.pop()
            spans.append(Span(start, position, style))
            continue
        else:
            return None
        text.append(piece)
        position += len(piece)
    if opened:
        return None
    return Content("".join(text), spans=spans)


def statement_blocks(markdown: str) -> list[tuple[str, list[Content]]] | None:
    """The statement's blocks, ("paragraph", [text]) or ("list", [one text per item]), when it is
    all paragraphs and bullet lists that are not nested (each item one paragraph) with plain
    inline text; None otherwise."""
    tokens = _markdown_parser().parse(markdown)
    blocks: list[tuple[str, list[Content]]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "paragraph_open" and token.level == 0:
            content = _inline(tokens[index + 1])
            if content is None or tokens[index + 2].type != "paragraph_close":
                return None
            blocks.append(("paragraph", [content]))
            index += 3
        elif token.type == "bullet_list_open" and token.level == 0:
            items: list[Content] = []
            index += 1
            while tokens[index].type == "list_item_open":
                kinds = [t.type for t in tokens[index:index + 5]]
                if kinds != ["list_item_open", "paragraph_open", "inline", "paragraph_close", "list_item_close"]:
                    return None
                content = _inline(tokens[index + 2])
                if content is None:
                    return None
                items.append(content)
                index += 5
            if tokens[index].type != "bullet_list_close" or not items:
                return None
            blocks.append(("list", items))
            index += 1
        else:
            return None
    return blocks


class Statement(Static):
    """A statement of paragraphs and bullet lists, in one widget (see `statement_blocks`)."""

    COMPONENT_CLASSES = {"em", "strong", "s", "code_inline", "bullet"}
    DEFAULT_CSS = """
    Statement {
        height: auto;
        color: $foreground;
        &:dark > .code_inline { background: $warning 10%; color: $text-warning 95%; }
        &:light > .code_inline { background: $error 5%; color: $text-error 95%; }
        &:ansi > .code_inline { background: ansi_default; }
        & > .em { text-style: italic; }
        & > .strong { text-style: bold; }
        & > .s { text-style: strike; }
        & > .bullet { color: $text-primary; }
        &:light > .bullet { color: $text-secondary; }
    }
    """

    def __init__(self, blocks: list[tuple[str, list[Content]]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.blocks = blocks
        self._drawn: tuple[int, Content] | None = None

    def content_at(self, width: int) -> Content:
        """The statement wrapped to `width` cells: list items hang under their bullet."""
        if self._drawn is not None and self._drawn[0] == width:
            return self._drawn[1]
        width = max(len(BULLET) + 1, width)
        lines: list[Content] = []
        for number, (kind, texts) in enumerate(self.blocks):
            if number:
                lines.append(Content(""))  # the blocks' one-row margin
            if kind == "paragraph":
                lines.extend(texts[0].wrap(width))
                continue
            bullet = Content.styled(BULLET, ".bullet")
            for text in texts:
                for row, line in enumerate(text.wrap(width - len(BULLET))):
                    lines.append((bullet if row == 0 else Content(" " * len(BULLET))) + line)
        content = Content("\n").join(lines)
        self._drawn = (width, content)
        return content

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.content_at(width).plain.count("\n") + 1 if self.blocks else 0

    def render(self) -> Content:
        return self.content_at(self.content_region.width)


class MarkdownStatement(Markdown):
    """Any other statement: Textual's Markdown, with its blocks composed with the screen.

    Textual's Markdown parses its text in a thread after it is mounted, then mounts the blocks:
    the exercise screen was laid out and drawn once without its statement and again with it.
    Here it is parsed on the spot (one shared parser) and its blocks are part of the first layout.
    """

    def compose(self) -> ComposeResult:
        text = self._initial_markdown or ""
        self._initial_markdown = None
        self._markdown = text
        self._theme = self.app.theme
        blocks = list(self._parse_markdown(_markdown_parser().parse(text)))
        if blocks:
            # a class, not `> *:last-child`: a rule with an order pseudo-class and a universal
            # selector makes Textual restyle every widget of the screen once more after it mounts
            blocks[-1].add_class("-last-block", update=False)  # not mounted yet: styled when it is
        yield from blocks

    async def _on_mount(self, event: events.Mount) -> None:  # type: ignore[override]  # Markdown: async, Widget: not
        # composed already: Markdown's own mount handler would parse the text again, in a thread,
        # and replace the blocks
        event.prevent_default()


def make_statement(markdown: str, *, id: str | None = None) -> Widget:
    """The widget for a statement: one `Statement` when it can draw it, else Textual's Markdown."""
    blocks = statement_blocks(markdown)
    if blocks is not None:
        return Statement(blocks, id=id)
    return MarkdownStatement(markdown, id=id)
