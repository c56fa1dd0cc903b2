"""The exercise statement in one widget (widgets/statement.py) looks as Textual's Markdown draws
the same text: every statement of the bank, row for row and style for style; anything outside
the subset it draws is left to Textual's Markdown."""
from __future__ import annotations

import asyncio

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from mcalc_tutor.app.course import Course
from mcalc_tutor.app.widgets.statement import MarkdownStatement, Statement, make_statement, statement_blocks


class Both(App):
    """Statements drawn both ways, each one above the other, the same width (with the exercise
    screen's rules for its statement, app.tcss)."""

    CSS = """
    .markdown { margin: 0; padding: 0; }
    .markdown > .-last-block { margin-bottom: 0; }
    """

    def __init__(self, *markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for number, text in enumerate(self.markdown):
                yield MarkdownStatement(text, id=f"markdown-{number}", classes="markdown")
                yield make_statement(text, id=f"fast-{number}")


def rows(app: App, widget) -> list[list[tuple[str, tuple]]]:
    """The widget's rows on screen, cell by cell: (character, how it looks)."""
    region = widget.region
    strips = app.screen._compositor.render_strips()
    out = []
    for y in range(region.y, region.bottom):
        strip = strips[y].crop(region.x, region.right)
        out.append([(char, looks(seg.style, char)) for seg in strip for char in seg.text])
    return out


def looks(style, char: str) -> tuple:
    """How a cell looks: not the style's meta (the offsets text selection uses), nor the colour of
    a blank cell that nothing is drawn over."""
    if style is None:
        return ()
    lined = bool(style.strike or style.underline)
    color = style.color if char.strip() or lined else None
    return (color, style.bgcolor, style.bold, style.italic, style.strike, style.dim, style.underline)


def drawn_both_ways(*markdown: str, width: int = 76) -> list[tuple[list, list, object]]:
    """For each text: its rows drawn by Textual's Markdown, by make_statement, and the widget
    make_statement made."""
    async def go():
        app = Both(*markdown)
        async with app.run_test(size=(width, 60 * len(markdown) + 10)) as pilot:
            await pilot.pause()
            out = []
            for number in range(len(markdown)):
                fast = app.query_one(f"#fast-{number}")
                out.append((rows(app, app.query_one(f"#markdown-{number}")), rows(app, fast), fast))
            return out
    return asyncio.run(go())


def bank_statements() -> list[tuple[str, str]]:
    course = Course()
    return [(e.id, course.variant(e.id, 0).statement) for e in course.entries]


def test_every_statement_of_the_bank_is_drawn_by_the_one_widget():
    unsupported = [eid for eid, text in bank_statements() if statement_blocks(text) is None]
    assert not unsupported


@pytest.mark.parametrize("width", [76, 41])
def test_each_statement_looks_as_textuals_markdown_draws_it(width):
    statements = bank_statements()
    drawn = [pair for start in range(0, len(statements), 8)  # a screen of a few at a time
             for pair in drawn_both_ways(*(text for _, text in statements[start:start + 8]), width=width)]
    for (exercise_id, _), (expected, got, widget) in zip(statements, drawn, strict=True):
        assert isinstance(widget, Statement)
        assert expected and got == expected, exercise_id


@pytest.mark.parametrize("markdown", [
    "# A heading\n\nText.",
    "Text with a [link](https://example.org).",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "```\ncode\n```",
    "- a\n  - nested",
    "- first paragraph\n\n  second paragraph of the item",
    "1. ordered",
    "> quoted",
    "text <b>html</b>",
])
def test_anything_else_is_left_to_textuals_markdown(markdown):
    assert statement_blocks(markdown) is None
    [(_, _, widget)] = drawn_both_ways(markdown)
    assert isinstance(widget, MarkdownStatement)


@pytest.mark.parametrize("markdown", [
    "Plain text, with `x^T A x`, **bold**, *italic* and ~~struck~~ words,\nover two lines.",
    "A paragraph.\n\n- an item with `code` that is long enough to wrap over two rows at forty columns\n- **two**\n\nAfter.",
    "Line one  \nhard break.",
    "",
])
def test_the_subset_is_drawn_as_textuals_markdown_draws_it(markdown):
    for width in (76, 40):
        [(expected, got, widget)] = drawn_both_ways(markdown, width=width)
        assert isinstance(widget, Statement)
        assert got == expected, (markdown, width)
