"""The chapter map: the first screen. Sections in chapter order with their progress, exercises with
status and difficulty, and the exercise the learner was on last time under the cursor."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..typed_app import tutor_app
from ..widgets.chapter_list import ChapterList

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
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Chapter map"
        self.refresh_map(place_cursor=True)
        from ..app import phase

        phase("map-mounted")

    def on_screen_resume(self) -> None:
        if self._resumed:  # the first resume is the start-up, just after on_mount drew the map
            self.refresh_map(place_cursor=True)
        self._resumed = True

    _resumed = False

    def refresh_map(self, place_cursor: bool = False) -> None:
        """Redraw statuses and progress bars from the store (and the bank once it has loaded)."""
        app = tutor_app(self)
        chapter = self.query_one(ChapterList)
        statuses = chapter.populate(app.course, app.store)
        position = app.store.position()
        entry = app.course.entry(position) if position else None
        line = self.query_one("#resume-line", Static)
        if entry is not None:
            line.update(f"[b]c[/b] continues where you left off: [b]{_escape(entry.title)}[/b]")
        elif app.course.entries:
            line.update("Welcome! Pick an exercise and press [b]Enter[/b] — or [b]c[/b] to start at the first one.")
        else:
            line.update("No exercises were found.")
        if place_cursor and entry is not None:
            chapter.select_exercise(entry.id)
        solved = sum(1 for status in statuses.values() if status == "solved")
        self.sub_title = None
        self.title = f"Chapter map · {solved}/{len(app.course.entries)} solved"

    def action_resume(self) -> None:
        app = tutor_app(self)
        position = app.store.position()
        target = position if position and app.course.entry(position) else None
        if target is None and app.course.entries:
            target = app.course.entries[0].id
        if target is not None:
            app.open_exercise(target)

    @on(ChapterList.Opened)
    def _opened(self, event: ChapterList.Opened) -> None:
        event.stop()
        tutor_app(self).open_exercise(event.exercise_id)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
