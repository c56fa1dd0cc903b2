"""The chapter map: the first screen. Sections in chapter order with their progress, exercises with
status and difficulty, and the exercise the learner was on last time under the cursor."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static

from ..widgets import ChapterList

__all__ = ["MapScreen"]


class MapScreen(Screen):
    """Sections and exercises; Enter opens one."""

    HELP = """\
**Chapter map**

- **↑ ↓ PgUp PgDn Home End**: move between exercises
- **Enter**: open the exercise under the cursor
- **c**: continue where you left off
- **l**: the optimizer lab
- **p**: your progress
"""

    BINDINGS = [
        Binding("c", "resume", "Continue"),
        Binding("l", "app.lab", "Lab"),
        Binding("p", "app.progress", "Progress"),
        Binding("ctrl+q", "app.quit", "Quit"),  # shown on the map only; it works everywhere
    ]

    AUTO_FOCUS = "ChapterList"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="resume-line")
        yield ChapterList(id="chapter")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Chapter map"
        self.refresh_map(place_cursor=True)

    def on_screen_resume(self) -> None:
        self.refresh_map(place_cursor=True)

    def refresh_map(self, place_cursor: bool = False) -> None:
        """Redraw statuses and progress bars from the store (and the bank once it has loaded)."""
        app = self.app
        chapter = self.query_one(ChapterList)
        chapter.populate(app.course, app.store)
        position = app.store.position()
        entry = app.course.entry(position) if position else None
        line = self.query_one("#resume-line", Static)
        if entry is not None:
            line.update(f"[b]c[/b] continues where you left off: [b]{_escape(entry.title)}[/b]")
        elif app.course.entries:
            line.update("Welcome! Pick an exercise and press [b]Enter[/b] — or [b]c[/b] to start at the first one.")
        else:
            line.update("No exercises were found.")
        if place_cursor:
            target = entry.id if entry is not None else (app.course.entries[0].id if app.course.entries else None)
            if target is None or not chapter.select_exercise(target):
                if chapter.option_count:
                    chapter.action_first()
        solved = sum(1 for e in app.course.entries
                     if app.store.exercise_status(e.id, list(e.parts)) == "solved")
        self.sub_title = None
        self.title = f"Chapter map · {solved}/{len(app.course.entries)} solved"

    def action_open(self) -> None:
        option = self.query_one(ChapterList).highlighted_option
        if option is not None and option.id and not option.id.startswith("section:"):
            self.app.open_exercise(option.id)

    def action_resume(self) -> None:
        position = self.app.store.position()
        target = position if position and self.app.course.entry(position) else None
        if target is None and self.app.course.entries:
            target = self.app.course.entries[0].id
        if target is not None:
            self.app.open_exercise(target)

    @on(OptionList.OptionSelected, "#chapter")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and not event.option.id.startswith("section:"):
            self.app.open_exercise(event.option.id)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
