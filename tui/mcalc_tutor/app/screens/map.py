"""The chapter map: the first screen. Sections in chapter order with their progress, exercises with
status and difficulty (a legend says what the marks mean), and under the cursor the exercise `c`
continues with: the one the learner was on, or the next unsolved one after it."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from ..typed_app import tutor_app
from ..widgets.chapter_list import ChapterList
from ..widgets.footer import KeyFooter
from ..widgets.title_bar import TitleBar

__all__ = ["LEGEND", "MapScreen"]

LEGEND = "●○○…●●● difficulty · ⚄ your own numbers · ✓ solved · • attempted · ○ new"
"""What the marks of the list mean (one row at 80 columns)."""


class MapScreen(Screen):
    """Sections and exercises; Enter opens one."""

    HELP = """\
**Chapter map**

- **↑ ↓ PgUp PgDn Home End**: move between exercises
- **Enter**: open the exercise under the cursor
- **c**: continue: the exercise you were on, or the next unsolved one after it
- **l**: the optimizer lab
- **p**: your progress
- **r**: review the parts that are due (the title says how many)
"""

    BINDINGS = [
        Binding("c", "resume", "Continue"),
        Binding("l", "app.lab", "Lab"),
        Binding("p", "app.progress", "Progress"),
        Binding("r", "review", "Review"),
        Binding("ctrl+q", "app.quit", "Quit"),  # shown on the map only; it works everywhere
    ]

    AUTO_FOCUS = "ChapterList"

    DEFAULT_CSS = """
    MapScreen #map-legend { height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap; }
    """

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="resume-line")
        yield ChapterList(id="chapter")
        yield Static(LEGEND, id="map-legend", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Chapter map"
        self.refresh_map(place_cursor=True)
        from ..app import phase

        phase("map-mounted")

    def on_screen_resume(self) -> None:
        if self._resumed:  # the first resume is the start-up, just after on_mount drew the map
            self.refresh_map(place_cursor=True)
            # focus cleared while the browser page was blurred is not restored on another screen
            self.call_after_refresh(tutor_app(self).focus_default)
        self._resumed = True

    _resumed = False

    _statuses: dict[str, str] = {}

    def continue_target(self) -> str | None:
        """The exercise `c` opens: the one the learner was on unless it is solved, else the first
        unsolved one after it in chapter order (wrapping round); the first exercise for a newcomer."""
        app = tutor_app(self)
        ids = [e.id for e in app.course.entries]
        if not ids:
            return None
        position = app.store.position()
        start = ids.index(position) if position in ids else 0
        for exercise_id in ids[start:] + ids[:start]:
            if self._statuses.get(exercise_id) != "solved":
                return exercise_id
        return ids[start]

    def refresh_map(self, place_cursor: bool = False) -> None:
        """Redraw statuses and progress bars from the store (and the bank once it has loaded)."""
        app = tutor_app(self)
        chapter = self.query_one(ChapterList)
        statuses = self._statuses = chapter.populate(app.course, app.store)
        position = app.store.position()
        target = self.continue_target() if position else None
        entry = app.course.entry(target) if target else None
        line = self.query_one("#resume-line", Static)
        if entry is not None:
            if entry.id == position:
                line.update(f"[b]c[/b] continues where you left off: [b]{_escape(entry.title)}[/b]")
            else:
                line.update(f"[b]c[/b] continues with the next unsolved: [b]{_escape(entry.title)}[/b]")
        elif app.course.entries:
            line.update("Welcome! Pick an exercise and press [b]Enter[/b] — or [b]c[/b] to start at the first one.")
        else:
            line.update("No exercises were found.")
        if place_cursor and entry is not None:
            chapter.select_exercise(entry.id)
        solved = sum(1 for status in statuses.values() if status == "solved")
        self.sub_title = None
        due = len(app.store.due_cards())
        self.title = f"Chapter map · {solved}/{len(app.course.entries)} solved" + (f" · {due} due (r)" if due else "")

    def action_review(self) -> None:
        """The spaced-review screen: the due cards one by one."""
        from .review import ReviewScreen

        self.app.push_screen(ReviewScreen())

    def action_resume(self) -> None:
        target = self.continue_target()
        if target is not None:
            tutor_app(self).open_exercise(target)  # which opens at its first unsolved part

    @on(ChapterList.Opened)
    def _opened(self, event: ChapterList.Opened) -> None:
        event.stop()
        tutor_app(self).open_exercise(event.exercise_id)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
