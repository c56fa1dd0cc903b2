"""An exercise: the statement (Markdown, unicode math) and one answer area per part. The keys work
while typing: hint, worked solution, next / previous exercise, back to the map."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, Static

from ..course import section_title
from ..dialogs import ConfirmDialog, SolutionDialog
from ..widgets import CodePartView, PartView, make_part_view
from ..widgets.status import difficulty_text, status_text

__all__ = ["ExerciseScreen"]


class ExerciseScreen(Screen):
    """One exercise, the learner's own variant of it."""

    HELP = """\
**Exercise** — these keys work while you type:

- **Enter** (in an answer box): check the answer; the verdict appears under it
- **Tab / Shift+Tab**: next / previous answer box or button
- **ctrl+t**: a hint for the part you are in (hints come one at a time, and are counted)
- **ctrl+o**: the worked solution (asks first if you have not solved the exercise)
- **ctrl+n / ctrl+l**: next / previous exercise
- **ctrl+e**: open the code editor (code exercises)
- **Esc**: back to the chapter map

Answers: `x^T A x`, `(A + A^T) x`, `2Ax`, `[1, 2; 3, 4]`, `(1, 1)`, `tr(X)`, `X^{-1}`, `σ(x)`.
Points: type `(1, 1)`, pick min / max / saddle, Enter adds it; then Check.
"""

    BINDINGS = [
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+o", "solution", "Solution"),
        Binding("ctrl+n", "next", "Next"),
        Binding("ctrl+l", "previous", "Prev"),
        Binding("ctrl+e", "editor", "Editor"),
        Binding("escape", "back", "Map"),
    ]

    def __init__(self, entry, variant) -> None:
        super().__init__()
        self.entry = entry
        self.variant = variant
        self.current_part: str | None = None
        """The part the learner is working in (the last one focused): hints go to it."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="exercise-body", can_focus=True):
            yield Static(id="exercise-heading")
            yield Markdown(self.variant.statement, id="statement")
            for part in self.variant.parts:
                yield make_part_view(self.variant, part)
            yield Static(id="exercise-end")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.entry.title
        self._update_heading()
        views = list(self.query(PartView))
        if views:
            first = next((v for v in views if v.status != "solved"), views[0])
            self._mark_current(first)
            self.call_after_refresh(self._place_focus, first)

    def _place_focus(self, view: PartView) -> None:
        """Focus the first unsolved part's answer if it is on screen with the statement's start;
        otherwise the statement (↓ / PgDn read on, Tab goes to the answers)."""
        body = self.query_one("#exercise-body", VerticalScroll)
        body.scroll_home(animate=False)
        target = view.answer_widget()
        if target is not None and body.can_view_entire(target):
            target.focus(scroll_visible=False)
        else:
            body.focus(scroll_visible=False)

    def _update_heading(self) -> None:
        store = self.app.store
        status = store.exercise_status(self.entry.id, list(self.entry.parts))
        line = Text(f"{section_title(self.entry.section)}", style="dim")
        line.append("  ·  ")
        line.append_text(difficulty_text(self.entry.difficulty))
        line.append("  ·  ")
        line.append_text(status_text(status))
        if self.variant.exercise.randomized:
            line.append("  ·  your own variant", style="dim")
        n = [e.id for e in self.app.course.entries]
        if self.entry.id in n:
            line.append(f"  ·  {n.index(self.entry.id) + 1}/{len(n)}", style="dim")
        self.query_one("#exercise-heading", Static).update(line)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "editor":
            return any(isinstance(v, CodePartView) for v in self.query(PartView))
        if action == "next":
            return True if self.app.course.neighbour(self.entry.id, 1) else None
        if action == "previous":
            return True if self.app.course.neighbour(self.entry.id, -1) else None
        return True

    # -- tracking the part in use -----------------------------------------------------------------
    def on_descendant_focus(self, event) -> None:
        node = event.widget
        while node is not None and not isinstance(node, PartView):
            node = node.parent
        if isinstance(node, PartView) and node.part.name != self.current_part:
            self._mark_current(node)

    def _mark_current(self, view: PartView) -> None:
        # A class set on one part when it changes: cheaper than :focus-within, which restyles the
        # whole part on every focus move.
        for other in self.query(PartView):
            if other is not view and other.has_class("-current"):
                other.remove_class("-current")
        view.add_class("-current")
        self.current_part = view.part.name

    def _part_view(self, name: str | None = None) -> PartView | None:
        name = name or self.current_part
        for view in self.query(PartView):
            if view.part.name == name:
                return view
        return None

    @on(PartView.Recorded)
    def _recorded(self, event: PartView.Recorded) -> None:
        self._update_heading()

    # -- actions ---------------------------------------------------------------------------------
    def action_hint(self) -> None:
        view = self._part_view()
        if view is None:
            return
        if not view.part.hints:
            self.notify(f"Part ({view.part.name}) has no hints.", timeout=3)
        elif not view.show_next_hint():
            self.notify(f"That was the last hint for part ({view.part.name}); ctrl+o shows the worked solution.",
                        timeout=4)
        else:
            self._update_heading()

    def action_solution(self) -> None:
        store = self.app.store
        solved = store.exercise_status(self.entry.id, list(self.entry.parts)) == "solved"
        if solved or store.revealed(self.entry.id):
            self._show_solution()
            return
        self.app.push_screen(
            ConfirmDialog("Show the worked solution?",
                          "You have not solved this exercise yet. Seeing the solution is recorded in your "
                          "progress; you can still answer afterwards.", yes="Show it", no="Not yet"),
            self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self.app.store.record_reveal(self.entry.id)
            self.app.store_written()
            self._update_heading()
            self._show_solution()

    def _show_solution(self) -> None:
        text = self.app.course.solution_text(self.variant)
        if text is None:
            text = f"# {self.entry.title}\n\nNo worked solution has been written for this exercise yet."
        self.app.push_screen(SolutionDialog(self.entry.title, text))

    def action_next(self) -> None:
        self._go(1)

    def action_previous(self) -> None:
        self._go(-1)

    def _go(self, step: int) -> None:
        entry = self.app.course.neighbour(self.entry.id, step)
        if entry is None:
            self.notify("This is the last exercise." if step > 0 else "This is the first exercise.", timeout=3)
            return
        self.app.open_exercise(entry.id, replace=True)

    def action_editor(self) -> None:
        views = [v for v in self.query(CodePartView)]
        if not views:
            return
        view = self._part_view()
        target = view if isinstance(view, CodePartView) else views[0]
        target.open_editor()

    def action_back(self) -> None:
        self.app.pop_screen()
