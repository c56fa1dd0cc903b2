"""The chapter map's list: each section with its progress bar, then its exercises with status and
difficulty. The cursor moves over exercises only.

A Line API widget: it renders only the rows on screen, so the first screen costs the same with 20
exercises or 200 (an OptionList lays out every option before it paints).
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .status import difficulty_text, progress_bar, status_text

__all__ = ["ChapterList", "Row", "exercise_row", "section_row"]


def _fit(text: Text, width: int) -> Text:
    """`text` cut to `width` cells with an ellipsis, or padded to it."""
    if text.cell_len > width:
        text.truncate(max(1, width - 1))
        text.append("…")
    text.pad_right(width - text.cell_len)
    return text


def section_row(title: str, solved: int, total: int, width: int) -> Text:
    """Section title, a bar and "k/n solved", right-aligned in `width` cells."""
    tail = Text(" ").append_text(progress_bar(solved, total, 12)).append(f" {f'{solved}/{total}':>5} solved")
    row = _fit(Text(title, style="bold"), max(8, width - tail.cell_len))
    return row.append_text(tail)


def exercise_row(title: str, difficulty: int, status: str, randomized: bool, width: int) -> Text:
    """Indented title (⚄ marks a randomized one), difficulty dots and the status word."""
    tail = Text(" ").append_text(difficulty_text(difficulty)).append(" ").append_text(
        _fit(status_text(status), 11))
    name = Text(title)
    if randomized:
        name.append(" ⚄", style="dim")
    return Text("  ").append_text(_fit(name, max(8, width - 2 - tail.cell_len))).append_text(tail)


@dataclass(frozen=True)
class Row:
    """One line of the list: a section heading, an exercise, or a blank between sections."""

    kind: str  # "section", "exercise" or "gap"
    id: str = ""
    title: str = ""
    difficulty: int = 1
    status: str = "new"
    randomized: bool = False
    solved: int = 0
    total: int = 0

    def text(self, width: int) -> Text:
        if self.kind == "section":
            return section_row(self.title, self.solved, self.total, width)
        if self.kind == "exercise":
            return exercise_row(self.title, self.difficulty, self.status, self.randomized, width)
        return Text("")


class ChapterList(ScrollView, can_focus=True):
    """Sections and exercises of the course, in chapter order; Enter opens the exercise."""

    BINDINGS = [
        Binding("enter", "open", "Open", key_display="⏎"),
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(-1)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
    ]

    COMPONENT_CLASSES = {"chapter-list--cursor"}

    DEFAULT_CSS = """
    ChapterList {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
        & > .chapter-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .chapter-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
    }
    """

    cursor: reactive[int] = reactive(-1, always_update=True)
    """Index of the highlighted row (always an exercise row, or -1 when there are none)."""

    @dataclass
    class Opened(Message):
        """The learner chose an exercise (Enter or a click)."""

        chapter_list: ChapterList
        exercise_id: str

        @property
        def control(self) -> ChapterList:
            return self.chapter_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []

    # -- content ---------------------------------------------------------------------------------
    def populate(self, course, store) -> dict[str, str]:
        """Rebuild from the course and the store, keeping the highlighted exercise; returns each
        exercise's status."""
        current = self.highlighted_id
        rows: list[Row] = []
        status_of: dict[str, str] = {}
        for section, title, entries in course.sections():
            statuses = [store.exercise_status(e.id, list(e.parts)) for e in entries]
            status_of.update((e.id, status) for e, status in zip(entries, statuses, strict=True))
            if rows:
                rows.append(Row("gap"))
            rows.append(Row("section", id=f"section:{section}", title=title, solved=statuses.count("solved"),
                            total=len(entries)))
            rows.extend(Row("exercise", id=e.id, title=e.title, difficulty=e.difficulty, status=status,
                            randomized=e.randomized) for e, status in zip(entries, statuses, strict=True))
        self.rows = rows
        self.virtual_size = Size(0, len(rows))
        if not (current and self.select_exercise(current)):
            self.cursor = self._step_to_exercise(0, 1)
        self.refresh()
        return status_of

    @property
    def exercise_ids(self) -> list[str]:
        return [row.id for row in self.rows if row.kind == "exercise"]

    @property
    def highlighted_id(self) -> str | None:
        if 0 <= self.cursor < len(self.rows) and self.rows[self.cursor].kind == "exercise":
            return self.rows[self.cursor].id
        return None

    def select_exercise(self, exercise_id: str) -> bool:
        """Move the cursor to an exercise; False when it is not listed."""
        for index, row in enumerate(self.rows):
            if row.kind == "exercise" and row.id == exercise_id:
                self.cursor = index
                return True
        return False

    def row_text(self, index: int) -> str:
        """The plain text of a row as drawn at the current width (for tests and screen readers)."""
        return self.rows[index].text(self._width()).plain

    # -- cursor ------------------------------------------------------------------------------------
    def _step_to_exercise(self, start: int, step: int) -> int:
        index = start
        while 0 <= index < len(self.rows):
            if self.rows[index].kind == "exercise":
                return index
            index += step
        return -1

    def watch_cursor(self, old: int, new: int) -> None:
        for index in (old, new):
            self._refresh_row(index)
        if new >= 0:
            self.call_after_refresh(self._show_cursor)

    def _show_cursor(self) -> None:
        new = self.cursor
        if 0 <= new < len(self.rows) and self.size.height:
            # the section heading above the first exercise of a section comes into view with it
            top = new - 1 if new > 0 and self.rows[new - 1].kind == "section" else new
            self.scroll_to_region(Region(0, top, 1, new - top + 1), animate=False, force=True, immediate=True)

    def _refresh_row(self, index: int) -> None:
        if index >= 0:
            self.refresh(Region(0, index - round(self.scroll_y), self.size.width, 1))

    def action_move(self, step: int) -> None:
        if self.cursor < 0:
            return
        target = self._step_to_exercise(self.cursor + step, step)
        if target >= 0:
            self.cursor = target

    def action_page(self, direction: int) -> None:
        if self.cursor < 0:
            return
        goal = max(0, min(len(self.rows) - 1, self.cursor + direction * max(1, self.size.height - 1)))
        target = self._step_to_exercise(goal, direction)
        if target < 0:
            target = self._step_to_exercise(goal, -direction)
        if target >= 0:
            self.cursor = target

    def action_edge(self, direction: int) -> None:
        target = self._step_to_exercise(0, 1) if direction < 0 else self._step_to_exercise(len(self.rows) - 1, -1)
        if target >= 0:
            self.cursor = target

    def action_open(self) -> None:
        exercise_id = self.highlighted_id
        if exercise_id is not None:
            self.post_message(self.Opened(self, exercise_id))

    def on_click(self, event: events.Click) -> None:
        index = event.y + round(self.scroll_y)
        if 0 <= index < len(self.rows) and self.rows[index].kind == "exercise":
            self.cursor = index
            self.action_open()

    # -- drawing -----------------------------------------------------------------------------------
    def _width(self) -> int:
        return max(30, (self.scrollable_content_region.width or self.app.size.width) - 1)

    def on_resize(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = y + round(self.scroll_y)
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, base)
        text = self.rows[index].text(self._width())
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("chapter-list--cursor")
        segments = [Segment(seg.text, style + seg.style if seg.style else style, seg.control)
                    for seg in text.render(self.app.console)]
        return Strip(segments).adjust_cell_length(width, style)
