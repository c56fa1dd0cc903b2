"""An exercise: the statement (Markdown, unicode math) and one answer area per part. The keys work
while typing: hint, worked solution, next / previous exercise, a new variant, back to the map.

This screen owns the exercise's persistence: its part views post what the learner did, and the
screen records it in the progress store (committed to disk) before telling the view to show it.
In a practice variant (ctrl+g) it records with the variant's seed, which keeps it out of the
exercise's own record (progress/store.py), starts every part afresh and keeps no drafts.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from ..app import phase
from ..course import Entry, fresh_seed, section_title
from ..dialogs.confirm import ConfirmDialog
from ..dialogs.solution import SolutionDialog
from ..typed_app import tutor_app
from ..widgets.footer import KeyFooter
from ..widgets.part_view import CodePartView, PartRecord, PartView, make_part_view
from ..widgets.statement import make_statement
from ..widgets.status import difficulty_text, status_text
from ..widgets.title_bar import TitleBar
from ..widgets.verdict import VerdictPanel, has_details

if TYPE_CHECKING:
    from ...checking.verdict import Verdict
    from ...content.model import Part
    from ...content.variants import Variant

__all__ = ["DRAFT_DELAY_S", "ExerciseScreen"]

DRAFT_DELAY_S = 1.0
"""How long after the last key a draft is written."""


class ExerciseScreen(Screen):
    """One exercise: the learner's own variant of it, or (`practice`) another to practise on."""

    HELP = """\
**Exercise** — these keys work while you type:

- **Enter** (in an answer box): check the answer; the verdict appears under it
- **ctrl+r** (in a derivation or iterates box, one step per line, where Enter starts a new line): check
- **Tab / Shift+Tab**: next / previous answer box or button
- **ctrl+t**: a hint for the part you are in (hints come one at a time, and are counted)
- **ctrl+f**: the details of a verdict (how your answer was read, every finding), or hide them
- **ctrl+o**: the worked solution (asks first if you have not solved the exercise)
- **ctrl+n / ctrl+l**: next / previous exercise
- **ctrl+g** (randomized exercises, ⚄): a new variant to practise on, with other numbers
- **ctrl+e**: open the code editor (code exercises)
- **Esc**: back to the chapter map

A practice variant starts every part afresh. Its answers and hints are recorded as practice, with
its seed: they count in your activity and in review (a wrong answer brings the part back), but
not in the exercise's own status, hints or answers; nothing is kept as a draft. Its worked
solution (ctrl+o) opens without asking and costs nothing, but a right answer after it counts in
review as one after the solution. ctrl+g again draws another; Esc, then opening the exercise
again, brings back your own variant as you left it.

After a right answer the cursor moves on to the next unsolved part. What you type and do not
check is kept as a draft (also after Esc or quitting); a part whose answer you changed after
checking it says "edited — check again".

Answers: `x^T A x`, `(A + A^T) x`, `2Ax`, `[1, 2; 3, 4]`, `(1, 1)`, `tr(X)`, `X^{-1}`, `σ(x)`.
Choices: ↑↓ or a letter, then Enter. Several right: Space or a letter ticks, Enter checks.
Points: type `(1, 1)`, pick min / max / saddle, Enter adds it; then Check.
"""

    BINDINGS = [
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+o", "solution", "Solution"),
        Binding("ctrl+n", "next", "Next"),
        # off the footer, for its keys to fit 80 columns (in the help, F1)
        Binding("ctrl+l", "previous", "Prev", show=False),
        # "Variant", not "New variant": with Details and the palette key that fits 80 columns too
        Binding("ctrl+g", "new_variant", "Variant", tooltip="A new variant of this exercise to practise on"),
        # priority: an answer box's own ctrl+e (end of line) would swallow it; off (and so the
        # box's again) in exercises without a code part
        Binding("ctrl+e", "editor", "Editor", priority=True),
        Binding("ctrl+f", "details", "Details"),
        Binding("escape", "back", "Map"),
    ]

    def __init__(self, entry: Entry, variant: Variant, *, practice: bool = False) -> None:
        super().__init__()
        self.entry = entry
        self.variant = variant
        self.practice = practice
        """A variant to practise on, not the learner's own: recorded with its seed, no drafts."""
        self._practice_solution_seen = False
        self.current_part: str | None = None
        """The part the learner is working in (the last one focused): hints go to it."""
        self._drafts: dict[str, str] = {}
        """Drafts reported by the parts and not yet written ("" forgets a part's draft)."""
        self._drafts_timer: Timer | None = None
        self._saved_drafts: dict[str, str] = {}
        self._later: list[tuple[Part, PartRecord]] = []
        """The parts below the first one to answer, mounted once the screen is up."""

    AUTO_FOCUS = ""
    """No automatic focus: `on_mount` focuses the answer box itself (focusing the scrolling body
    first, as Textual's auto focus would, restyles every widget in it twice)."""

    def compose(self) -> ComposeResult:
        self._saved_drafts = {} if self.practice else tutor_app(self).store.drafts(self.entry.id)
        records = [self._record(part) for part in self.variant.parts]
        # the part the learner works in first, and the parts above it, are laid out with the
        # screen; the ones below it are mounted just after the screen is up (`_mount_later`)
        start = next((i for i, r in enumerate(records) if r.status != "solved"), 0)
        first = [make_part_view(self.variant, part, record)
                 for part, record in zip(self.variant.parts[:start + 1], records, strict=False)]
        self._later = [(part, record) for part, record in
                       zip(self.variant.parts[start + 1:], records[start + 1:], strict=True)]
        if first:
            first[-1].set_class(True, "-current", update=False)
            self.current_part = first[-1].part.name
        yield TitleBar()
        with VerticalScroll(id="exercise-body", can_focus=True):
            yield Static(id="exercise-heading")
            yield make_statement(self.variant.statement, id="statement")
            yield from first
            # the end note (under the last part) comes with the parts mounted later
        yield KeyFooter(compact=True)

    _resumed_once = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """The first resume follows the screen's own mount, which has just styled every widget:
        Textual would style them all again (a third of the time to open an exercise). A later
        resume (back from the editor or a dialog) restyles as Textual does. (Textual calls the
        handler of each class in turn: Screen's runs after this one, with this event.)"""
        if not self._resumed_once:
            self._resumed_once = True
            event.refresh_styles = False

    async def _on_resize(self, event: events.Resize) -> None:
        """The first layout sends the screen a Resize of the size it was just laid out at, and
        Textual's handler (next after this one) lays the screen and the map under it out again,
        delaying the first keys. A Resize to another size is handled as Textual does."""
        breakpoints = (self.HORIZONTAL_BREAKPOINTS or self.VERTICAL_BREAKPOINTS
                       or self.app.HORIZONTAL_BREAKPOINTS or self.app.VERTICAL_BREAKPOINTS)
        if event.size == self._compositor.size and not breakpoints:
            event.stop()
            event.prevent_default()

    def on_mount(self) -> None:
        self.title = self.entry.title
        self._update_heading()
        view = self._part_view()
        if view is not None:
            target = view.answer_widget() if view.status != "solved" else None
            if target is not None:
                # now (Widget.focus waits its turn in the app's queue, behind this screen's first
                # layout): the box is drawn focused in the first frame, and typing works from it
                self.set_focus(target, scroll_visible=False)
            self.call_after_refresh(self._place_focus, view)  # which then mounts the other parts
        else:
            self._mount_later()

    @work(exclusive=True, group="exercise-parts")
    async def _mount_later(self) -> None:
        """Once the screen has been drawn with the first part to answer focused: record the
        exercise as the learner's position, and mount the parts below, so that the learner can
        type before they are laid out (a worker: tests can wait for it)."""
        await self._next_frame()
        app = tutor_app(self)
        app.store.set_position(self.entry.id)  # where `c` resumes: a write, so not before the first keys
        app.store_written()
        body = self.query_one("#exercise-body", VerticalScroll)
        views: list[Widget] = [make_part_view(self.variant, part, record) for part, record in self._later]
        self._later = []
        await body.mount_all([*views, Static(self._variant_note(), id="exercise-end", markup=False)])

    async def _next_frame(self) -> None:
        drawn = asyncio.Event()
        self.call_after_refresh(drawn.set)
        await drawn.wait()

    @property
    def recorded_seed(self) -> int | None:
        """The seed recorded with what the learner does here: None in the own variant."""
        return self.variant.seed if self.practice else None

    def _variant_note(self) -> str:
        """Under the last part of a randomized exercise: the variant's seed, so that the command
        line can check an answer against the same numbers."""
        if not self.variant.exercise.randomized:
            return ""
        seed = self.variant.seed
        command = f"mcalc-tutor check --seed {seed} {self.entry.id}:PART ANSWER checks it from a shell"
        if self.practice:
            own = tutor_app(self).store.learner_seed(self.entry.id)
            return (f"⚄ Practice variant, seed {seed} (your own is seed {own}; Esc and reopen to return "
                    f"to it; ctrl+g draws another): {command}.")
        return f"⚄ Your variant is seed {seed}: {command}. ctrl+g: a new variant to practise on."

    def _record(self, part: Part) -> PartRecord:
        if self.practice:
            return PartRecord()  # a fresh start: nothing of the own variant's answers or hints
        store = tutor_app(self).store
        return PartRecord(status=store.part_status(self.entry.id, part.name),
                          hints_shown=store.hints_used(self.entry.id, part.name),
                          last_answer=self._shown(part.name, store.last_answer(self.entry.id, part.name)),
                          draft=self._saved_drafts.get(part.name),
                          revealed=store.revealed(self.entry.id))

    def _shown(self, part: str, stored: str | None) -> str | None:
        """A stored answer in this variant's terms (a choice's options are stored by declaration
        letter, shown shuffled: content/variants.py)."""
        return None if stored is None else self.variant.shown_answer(part, stored)

    def _place_focus(self, view: PartView) -> None:
        """Keep focus on the first unsolved part's answer if it is on screen with the statement's
        start; otherwise focus the statement (↓ / PgDn read on, Tab goes to the answers)."""
        if not self.is_attached:
            return
        body = self.query_one("#exercise-body", VerticalScroll)
        target = view.answer_widget() if view.status != "solved" else None  # a solved box is not typed into
        # the frame just drawn already shows the box focused at the top: nothing to wait for
        drawn = target is not None and self.focused is target and body.scroll_y == 0
        body.scroll_home(animate=False)
        if target is not None and body.can_view_entire(target):
            if self.focused is None:
                target.focus(scroll_visible=False)
        elif self.focused is None or self.focused is target:
            body.focus(scroll_visible=False)
        if target is not None and self.focused is target:  # the startup bench reads the phase
            if drawn:
                phase("exercise-interactive")
            else:
                self.call_after_refresh(phase, "exercise-interactive")
        # the parts below, once the learner can type: laid out together with the first, they
        # would delay the first keys
        self._mount_later()

    def focus_default(self) -> None:
        """Where focus goes when nothing has it (the app calls this): the current part's answer if
        it is not solved, else the statement."""
        view = self._part_view()
        target = view.answer_widget() if view is not None and view.status != "solved" else None
        (target or self.query_one("#exercise-body", VerticalScroll)).focus(scroll_visible=False)

    def _update_heading(self) -> None:
        """Section · difficulty · status · variant · place in the chapter, in one row: when it does
        not fit, the section title (also on the map) is shortened, never the rest."""
        app = tutor_app(self)
        status = self._practice_status() if self.practice else app.store.exercise_status(
            self.entry.id, list(self.entry.parts))
        variant = "⚄ practice variant" if self.practice else "⚄ your own variant"
        tail = Text()
        for piece in (difficulty_text(self.entry.difficulty), status_text(status),
                      Text(variant, style="dim") if self.variant.exercise.randomized else None):
            if piece is not None:
                tail.append(" · ", style="dim").append_text(piece)
        ids = [e.id for e in app.course.entries]
        if self.entry.id in ids:
            tail.append(f" · {ids.index(self.entry.id) + 1}/{len(ids)}", style="dim")
        headings = self.query("#exercise-heading")
        if not headings:  # a resize just after the screen was closed
            return
        heading = headings.first(Static)
        width = heading.content_region.width or max(40, self.app.size.width - 4)
        section = Text(section_title(self.entry.section), style="dim")
        room = width - tail.cell_len
        if section.cell_len > room:
            section.truncate(max(1, room - 1))
            section.append("…", style="dim")
        line = section.append_text(tail)
        if line != self._heading_shown:  # the same line again would still lay the screen out again
            self._heading_shown = line
            heading.update(line)

    _heading_shown: Text | None = None

    def _practice_status(self) -> str:
        """The practice variant's status, from its parts on this screen (the store's is the own's)."""
        statuses = [view.status for view in self.query(PartView)] + [r.status for _, r in self._later]
        if statuses and all(s == "solved" for s in statuses):
            return "solved"
        return "attempted" if any(s != "new" for s in statuses) else "new"

    def _part_status(self, view: PartView, outcome: str | None = None) -> str:
        """A part's status once `outcome` (a verdict's status; None for a hint) is recorded: the
        store's in the own variant; in practice, counted here from the fresh start, by the
        store's rules (an unreadable answer counts for nothing)."""
        if not self.practice:
            return tutor_app(self).store.part_status(self.entry.id, view.part.name)
        if view.status == "solved" or outcome == "correct":
            return "solved"
        return view.status if outcome == "invalid" else "attempted"

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_heading)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "editor":
            return any(part.kind == "code" for part in self.variant.parts)
        if action == "details":
            view = self._part_view()
            panels = view.query(VerdictPanel) if view is not None else None  # none before it is composed
            verdict = panels.first().verdict if panels else None
            return verdict is not None and has_details(verdict)
        if action == "next":
            return True if tutor_app(self).course.neighbour(self.entry.id, 1) else None
        if action == "previous":
            return True if tutor_app(self).course.neighbour(self.entry.id, -1) else None
        if action == "new_variant":
            return self.variant.exercise.randomized  # off, and off the footer, with one variant only
        return True

    # -- tracking the part in use -----------------------------------------------------------------
    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        node: Widget | None = event.widget
        while node is not None and not isinstance(node, PartView):
            node = node.parent if isinstance(node.parent, Widget) else None
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
        self.refresh_bindings()

    def _part_view(self, name: str | None = None) -> PartView | None:
        name = name or self.current_part
        for view in self.query(PartView):
            if view.part.name == name:
                return view
        return None

    # -- recording what the parts report ------------------------------------------------------------
    @on(PartView.AnswerChecked)
    def _answer_checked(self, event: PartView.AnswerChecked) -> None:
        event.stop()
        view, verdict = event.part_view, event.verdict
        app = tutor_app(self)
        self._drafts.pop(view.part.name, None)  # the attempt replaces the draft (the store drops it)
        # Committed before it is shown: what the learner saw checked survives a kill.
        app.store.record_attempt(self.entry.id, view.part.name, self.variant.stored_answer(view.part.name, event.answer),
                                 verdict.status, verdict.score,
                                 [d.code for d in verdict.diagnostics], seed=self.recorded_seed)
        app.store_written()
        view.show_verdict(event.answer, verdict, self._part_status(view, verdict.status))
        self._update_heading()
        self.refresh_bindings()
        if verdict.status == "correct" and self._focus_is_in(view):
            self._focus_next_unsolved(view)

    def _focus_is_in(self, view: PartView) -> bool:
        node = self.focused
        while node is not None:
            if node is view:
                return True
            node = node.parent if isinstance(node.parent, Widget) else None
        return self.focused is None

    def _focus_next_unsolved(self, after: PartView) -> None:
        """Move on from a part just solved, so that the next keys typed cannot land in its box:
        to the next unsolved part (wrapping round), or to the statement when all are solved."""
        views = list(self.query(PartView))
        start = views.index(after) if after in views else -1
        for view in views[start + 1:] + views[:start + 1]:
            if view.status != "solved" and view.answer_widget() is not None:
                self._mark_current(view)
                view.focus_answer()
                return
        self.query_one("#exercise-body", VerticalScroll).focus(scroll_visible=False)

    @on(PartView.DraftChanged)
    def _draft_changed(self, event: PartView.DraftChanged) -> None:
        """Drafts are written a second after typing pauses (an fsync per key would lag), and when
        the learner leaves the exercise or quits. A practice variant keeps none: they would
        overwrite the own variant's."""
        event.stop()
        if self.practice:
            return
        self._drafts[event.part_view.part.name] = event.text
        if self._drafts_timer is None:
            self._drafts_timer = self.set_timer(DRAFT_DELAY_S, self.save_drafts)

    def save_drafts(self) -> None:
        """Write the drafts reported since the last write, in one transaction."""
        if self._drafts_timer is not None:
            self._drafts_timer.stop()
            self._drafts_timer = None
        if self._drafts:
            drafts, self._drafts = dict(self._drafts), {}
            app = tutor_app(self)
            app.store.save_drafts(self.entry.id, {part: text or None for part, text in drafts.items()})
            app.store_written()

    def on_unmount(self) -> None:
        self.save_drafts()  # Esc, next / previous, ctrl+q: the store is closed only after the screens

    @on(PartView.HintRequested)
    def _hint_requested(self, event: PartView.HintRequested) -> None:
        event.stop()
        view = event.part_view
        app = tutor_app(self)
        app.store.record_hint(self.entry.id, view.part.name, event.index, seed=self.recorded_seed)
        app.store_written()
        view.reveal_hint(event.index, self._part_status(view))
        self._update_heading()

    @on(CodePartView.EditorRequested)
    def _editor_requested(self, event: CodePartView.EditorRequested) -> None:
        event.stop()
        from .code import CodeScreen

        view = event.part_view

        def closed(verdict: Verdict | None) -> None:  # the editor recorded its runs itself
            view.show_result(verdict, self._part_status(view, verdict.status) if verdict is not None
                             else view.status)
            self._update_heading()

        self.app.push_screen(CodeScreen(self.variant, view.part, seed=self.recorded_seed), closed)

    # -- actions ---------------------------------------------------------------------------------
    def action_hint(self) -> None:
        view = self._part_view()
        if view is None:
            return
        # said in the part, under its hints: a toast would cover the answer box and the hints
        if not view.part.hints:
            view.hint_note = f"Part ({view.part.name}) has no hints; ctrl+o shows the worked solution."
        elif not view.request_hint():
            view.hint_note = "That was the last hint; ctrl+o shows the worked solution."
        else:
            return
        self.call_after_refresh(view.hints_panel().scroll_visible, animate=False)

    def action_solution(self) -> None:
        if self.practice:  # no questions asked: it is not the own variant's solution
            if not self._practice_solution_seen:  # once, as the own variant's is
                self._practice_solution_seen = True
                app = tutor_app(self)
                app.store.record_reveal(self.entry.id, seed=self.recorded_seed)  # rates nothing by itself
                app.store_written()
                self._mark_revealed()
            self._show_solution()
            return
        store = tutor_app(self).store
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
            app = tutor_app(self)
            app.store.record_reveal(self.entry.id, list(self.entry.parts))  # unsolved parts come back for review
            app.store_written()
            self._mark_revealed()
            self._update_heading()
            self._show_solution()

    def _mark_revealed(self) -> None:
        """The solution has been seen: feedback may now state the expected answer."""
        for view in self.query(PartView):
            view.revealed = True

    def _show_solution(self) -> None:
        text = tutor_app(self).course.solution_text(self.variant)
        if text is None:
            text = f"# {self.entry.title}\n\nNo worked solution has been written for this exercise yet."
        self.app.push_screen(SolutionDialog(self.entry.title, text))

    def action_next(self) -> None:
        self._go(1)

    def action_previous(self) -> None:
        self._go(-1)

    def _go(self, step: int) -> None:
        app = tutor_app(self)
        entry = app.course.neighbour(self.entry.id, step)
        if entry is None:
            self.notify("This is the last exercise." if step > 0 else "This is the first exercise.", timeout=3)
            return
        app.open_exercise(entry.id, replace=True)

    def action_new_variant(self) -> None:
        """This exercise again in a fresh variant, to practise on (made in a worker, as any is)."""
        app = tutor_app(self)
        seed = fresh_seed(app.store.learner_seed(self.entry.id), self.variant.seed)
        app.open_exercise(self.entry.id, replace=True, practice_seed=seed)

    def action_editor(self) -> None:
        views = [v for v in self.query(CodePartView)]
        if not views:
            return
        view = self._part_view()
        target = view if isinstance(view, CodePartView) else views[0]
        target.open_editor()

    def action_details(self) -> None:
        """Show or hide the whole verdict of the current part."""
        view = self._part_view()
        if view is not None and view.verdict_panel.verdict is not None:
            panel = view.verdict_panel
            panel.details = not panel.details
            self.call_after_refresh(view.scroll_visible, animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()
