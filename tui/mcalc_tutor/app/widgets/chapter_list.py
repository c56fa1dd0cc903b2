"""The chapter map's list: each section with its progress bar, then its exercises with status and
difficulty. Section rows are disabled options, so the cursor moves over exercises only."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from .status import difficulty_text, progress_bar, status_text

__all__ = ["ChapterList", "exercise_row", "section_row"]


def section_row(title: str, solved: int, total: int) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(width=12, no_wrap=True)
    grid.add_column(width=11, no_wrap=True, justify="right")
    grid.add_row(Text(title, style="bold"), progress_bar(solved, total, 12), Text(f"{solved}/{total} solved"))
    return grid


def exercise_row(title: str, difficulty: int, status: str, randomized: bool) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(width=1, no_wrap=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(width=3, no_wrap=True)
    grid.add_column(width=11, no_wrap=True)
    title_text = Text(title)
    if randomized:
        title_text.append(" ⚄", style="dim")
    grid.add_row("", title_text, difficulty_text(difficulty), status_text(status))
    return grid


class ChapterList(OptionList):
    """Sections and exercises of the course, in chapter order."""

    BINDINGS = [Binding("enter", "select", "Open", key_display="⏎")]

    DEFAULT_CSS = """
    ChapterList, ChapterList:focus {
        height: 1fr;
        border: none;
        padding: 0;
        background: $surface;
    }
    ChapterList {
        & > .option-list--option-disabled {
            color: $text;
            text-style: none;
        }
    }
    """

    def populate(self, course, store) -> None:
        """Rebuild from the course and the store, keeping the highlighted exercise."""
        current = self.highlighted_option.id if self.highlighted_option is not None else None
        options: list[Option | None] = []
        for section, title, entries in course.sections():
            statuses = [store.exercise_status(e.id, list(e.parts)) for e in entries]
            solved = statuses.count("solved")
            if options:
                options.append(None)  # a divider between sections
            options.append(Option(section_row(title, solved, len(entries)), id=f"section:{section}", disabled=True))
            for entry, status in zip(entries, statuses):
                options.append(Option(exercise_row(entry.title, entry.difficulty, status, entry.randomized),
                                      id=entry.id))
        self.set_options(options)
        if current is not None:
            self.select_exercise(current)

    def select_exercise(self, exercise_id: str) -> bool:
        """Move the cursor to an exercise; False when it is not listed."""
        try:
            self.highlighted = self.get_option_index(exercise_id)
        except Exception:  # OptionDoesNotExist: the exercise left the bank
            return False
        self.scroll_to_highlight()
        return True
