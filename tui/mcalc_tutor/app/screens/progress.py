"""Progress: per section solved / attempted / total with a bar, the totals, and recent activity."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ..course import section_title
from ..typed_app import tutor_app
from ..widgets.footer import KeyFooter
from ..widgets.status import progress_bar
from ..widgets.title_bar import TitleBar

__all__ = ["ProgressScreen"]


class ProgressScreen(Screen):
    """What the store says, arranged by section."""

    HELP = """\
**Progress**

- **↑ ↓**: move in a table; **Tab**: the next table
- **Enter** on a recent activity row: open that exercise
- **Esc**: back to the chapter map
"""

    BINDINGS = [Binding("escape", "app.map", "Map")]

    DEFAULT_CSS = """
    ProgressScreen VerticalScroll { padding: 0 1; }
    ProgressScreen DataTable { height: auto; max-height: 14; margin-bottom: 1; }
    ProgressScreen .progress-heading { text-style: bold; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll():
            yield Static(id="totals")
            yield DataTable(id="sections", cursor_type="row", zebra_stripes=True)
            yield Static("Recent activity", classes="progress-heading")
            yield DataTable(id="recent", cursor_type="row")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Progress"
        self.refresh_progress()
        self.query_one("#sections", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_progress()

    def refresh_progress(self) -> None:
        app = tutor_app(self)
        summary = app.store.summary(app.course.parts_by_section())
        sections = self.query_one("#sections", DataTable)
        sections.clear(columns=True)
        sections.add_columns("Section", "Progress", "Solved", "Tried", "Total")
        for row in summary["sections"]:
            sections.add_row(_shorten(section_title(row["section"]), 38),
                             progress_bar(row["solved"], row["total"], 10), str(row["solved"]),
                             str(row["attempted"]), str(row["total"]))
        totals = summary["totals"]
        line = Text(f"{totals['solved']} of {totals['total']} exercises solved", style="bold")
        line.append(f" · started {totals['attempted']} · answers checked {totals.get('attempts', 0)} · "
                    f"hints {totals.get('hints', 0)} · solutions seen {totals.get('reveals', 0)}")
        if not app.store.persistent:
            line.append("\nProgress is NOT being saved this session.", style="bold")
        self.query_one("#totals", Static).update(line)
        recent = self.query_one("#recent", DataTable)
        recent.clear(columns=True)
        recent.add_columns("When (UTC)", "Exercise", "Part", "What")
        titles = {e.id: e.title for e in app.course.entries}
        for i, item in enumerate(summary["recent"]):
            when = str(item.get("time", "")).replace("T", " ").rstrip("Z")[:16]
            exercise = item.get("exercise", "")
            recent.add_row(when, _shorten(titles.get(exercise, exercise), 34),
                           item.get("part", "") or "—", item.get("status", "") or "", key=f"{i}:{exercise}")
        if not summary["recent"]:
            recent.add_row("—", "nothing yet: open an exercise from the map", "", "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "recent" or event.row_key.value is None:
            return
        exercise = str(event.row_key.value).split(":", 1)[-1]
        app = tutor_app(self)
        if app.course.entry(exercise):
            app.open_exercise(exercise)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
