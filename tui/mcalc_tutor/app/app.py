"""The tutor's Textual App: owns the course, the progress store and navigation between screens.

The first screen (the chapter map) needs neither numpy nor sympy; the engine is warmed in a
background thread once that screen is up, and the time to it is logged.
"""
from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import get_current_worker

from .. import START_TIME
from ..progress.store import open_store
from .course import Course
from .idle_gc import IdleCollector
from .screens.map import MapScreen

if TYPE_CHECKING:
    from ..content.variants import Variant

__all__ = ["TutorApp", "STARTUP_LOG_ENV"]

STARTUP_LOG_ENV = "MCALC_TUTOR_STARTUP_LOG"
"""If set, a file the app appends its startup time to once the first screen is up (the bench reads it)."""


def _exercise_provider():
    """The palette's exercise provider, imported when the palette first opens."""
    from .commands import ExerciseProvider

    return ExerciseProvider


PREFETCH_DELAY_S = 0.5
"""After an exercise opens at once, how long until the one after it is prepared in the background."""


class TutorApp(App[int]):
    """mcalc-tutor: work through the chapter, one exercise at a time."""

    TITLE = "mcalc-tutor"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {_exercise_provider}
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False),
    ]

    saving: reactive[bool] = reactive(True)
    """Whether what the learner does is written to disk; the header says so when it is not."""

    class BankLoaded(Message):
        """The validated exercise bank is in memory: numpy and sympy are imported and warm."""

    @dataclass
    class ExercisePrepared(Message):
        """An exercise's variant is ready to show (posted from the worker that prepared it), or
        `error` says why it cannot be."""

        exercise_id: str
        variant: Variant | None
        error: str | None
        replace: bool
        practice: bool = False

    def __init__(self, data_dir: Path | str, *, course: Course | None = None, warm: bool = True) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        phase("imported")
        self.store, self.store_notice = open_store(self.data_dir)
        phase("store")
        cache = self.data_dir / "cache" / "catalog.json" if self.store.persistent else None
        self.course = course if course is not None else Course(cache_file=cache)
        self.warm = warm
        self.idle_collector: IdleCollector | None = None
        """Runs the full garbage collections while the learner is idle, once the engine is warm."""
        """Whether to load the bank in the background right after the first screen (tests may not)."""
        self.startup_seconds: float | None = None
        self._opening: str | None = None
        self._prepared: dict[tuple[str, int], Variant] = {}
        """Variants made in a worker (opened again, or made ahead): shown without a thread hop."""
        phase("init")

    # -- start-up ------------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        return MapScreen()

    def on_mount(self) -> None:
        self.saving = self.store.persistent
        if self.store_notice:
            self.notify(self.store_notice, title="Progress", severity="warning", timeout=12)

    def on_ready(self) -> None:
        phase("ready")
        self.call_after_refresh(self._first_screen_shown)

    def _first_screen_shown(self) -> None:
        self.startup_seconds = time.perf_counter() - START_TIME
        if not self.warm:
            gc.enable()  # run_app turned it off for the start-up; with warming, the warm-up turns it on
        self.log.info(f"startup: first screen interactive after {self.startup_seconds * 1000:.0f} ms")
        _append_log(f"first-screen {self.startup_seconds:.4f}")
        if self.warm:
            self.warm_engine()

    @work(thread=True, exclusive=True, group="warm-engine", exit_on_error=False)
    def warm_engine(self) -> None:
        """Load the bank (numpy, sympy, the checker) so that the first check is quick; then the
        garbage collector is turned on with all that is loaded frozen (gc.freeze): otherwise each
        full collection walks sympy's and the bank's million objects, tens of milliseconds that
        landed in the middle of opening an exercise."""
        try:
            self._warm_engine()
        finally:
            gc.freeze()
            IdleCollector.take_over()  # full collections: only while the learner is idle
            gc.enable()
            self.call_from_thread(self._collect_when_idle)

    def _collect_when_idle(self) -> None:
        self.idle_collector = IdleCollector()
        self.set_interval(1.0, lambda: self.idle_collector and self.idle_collector.tick(time.monotonic()),
                          name="idle garbage collection")

    async def on_event(self, event: events.Event) -> None:
        if self.idle_collector is not None and isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self.idle_collector.input_seen(time.monotonic())
        await super().on_event(event)

    def _warm_engine(self) -> None:
        started = time.perf_counter()
        self.course.load()
        import importlib

        from ..content import answers  # noqa: F401  (the checker and its numpy evaluator)

        importlib.import_module("sympy")  # symbolic confirmation and generated answers: ~1 s to import
        from .screens import exercise  # noqa: F401  (the exercise screen and its widgets, for the first open)

        self._prepare_ahead(self.store.position())

        self.log.info(f"engine warm after {(time.perf_counter() - started) * 1000:.0f} ms; "
                      f"{len(self.course.entries)} exercises, {len(self.course.problems)} rejected")
        _append_log(f"engine-warm {time.perf_counter() - START_TIME:.4f}")
        for problem in self.course.problems:
            self.log.warning(f"exercise bank: {problem}")
        self.post_message(self.BankLoaded())

    def on_tutor_app_bank_loaded(self, message: BankLoaded) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, MapScreen):
                screen.refresh_map()

    # -- focus in the browser ------------------------------------------------------------------
    def on_app_focus(self, event: events.AppFocus) -> None:
        """In the browser (textual-serve) the page may have lost focus while a screen opened: Textual
        skips auto focus then, and restores on return only a widget of the screen that was blurred.
        Once the page has focus again, a screen with nothing focused gets its default target."""
        self.call_after_refresh(self.focus_default)

    def focus_default(self) -> None:
        """Focus the current screen's default target (its `focus_default`, else its AUTO_FOCUS
        selector) unless something there has focus already."""
        screen = self.screen
        if screen.focused is not None:
            return
        own = getattr(screen, "focus_default", None)
        if callable(own):
            own()
            return
        selector = self.AUTO_FOCUS if screen.AUTO_FOCUS is None else screen.AUTO_FOCUS
        for widget in screen.query(selector) if selector else ():
            if widget.focusable:
                widget.focus(scroll_visible=False)
                return

    # -- saving status ---------------------------------------------------------------------------
    def watch_saving(self, saving: bool) -> None:
        self.sub_title = "" if saving else "NOT SAVING progress"

    def store_written(self) -> None:
        """Call after each write: a store that lost its file mid-session says so once."""
        if self.saving and not self.store.persistent:
            self.saving = False
            self.notify(self.store.problem or "Progress can no longer be saved.", title="Progress",
                        severity="error", timeout=12)

    @property
    def code_dir(self) -> Path | None:
        """Where learners' code is saved, or None when nothing is being saved."""
        return self.data_dir if self.store.persistent else None

    # -- navigation ------------------------------------------------------------------------------
    def open_exercise(self, exercise_id: str, *, replace: bool = False, practice_seed: int | None = None) -> None:
        """Show an exercise: its variant is prepared in a worker (it may need sympy), then shown.

        With `replace`, the exercise takes the place of the current exercise screen (next/previous);
        otherwise the app returns to the map and opens it from there. With `practice_seed`, it is
        shown in that variant instead of the learner's own, to practise on (ctrl+g).
        """
        entry = self.course.entry(exercise_id)
        if entry is None:
            self.notify(f"No exercise {exercise_id!r}.", severity="warning")
            return
        phase("open-requested")
        practice = practice_seed is not None
        seed = self.store.learner_seed(exercise_id) if practice_seed is None else practice_seed
        prepared = self._prepared.get((exercise_id, seed))
        if prepared is not None:  # made before: shown at once
            self._show_exercise(exercise_id, prepared, None, replace, practice)
            if not practice:  # the next one too, once this one is up (not competing with it)
                self.set_timer(PREFETCH_DELAY_S, lambda: self._prefetch(exercise_id))
            return
        self._opening = exercise_id
        self.set_timer(0.4, lambda: self._still_opening(exercise_id))
        self._prepare_exercise(exercise_id, seed, replace, practice)

    def _prepare_ahead(self, exercise_id: str | None) -> None:
        """From a worker: make the variants of `exercise_id` (or the first exercise) and the one
        after it, which the learner is likely to open next (Enter, c or ctrl+n)."""
        entries = self.course.entries
        ids = [e.id for e in entries]
        start = ids.index(exercise_id) if exercise_id in ids else 0
        for candidate in ids[start:start + 2]:
            seed = self.store.learner_seed(candidate)
            if (candidate, seed) not in self._prepared:
                try:
                    variant = self.course.variant(candidate, seed)
                except Exception:  # reported when the learner opens it
                    continue
                if variant is not None:
                    self._prepared[(candidate, seed)] = variant

    @work(thread=True, exclusive=True, group="prepare-ahead", exit_on_error=False)
    def _prefetch(self, exercise_id: str) -> None:
        self._prepare_ahead(exercise_id)

    def _still_opening(self, exercise_id: str) -> None:
        if self._opening == exercise_id:
            self.notify("Preparing the exercise…", timeout=2)

    @work(thread=True, exclusive=True, group="open-exercise", exit_on_error=False)
    def _prepare_exercise(self, exercise_id: str, seed: int, replace: bool, practice: bool = False) -> None:
        worker = get_current_worker()
        try:
            variant, error = self.course.variant(exercise_id, seed), None
        except Exception as exc:  # an authoring fault must not take the app down
            variant, error = None, f"{type(exc).__name__}: {exc}"
        if variant is not None and not practice:  # a practice variant is not opened again
            self._prepared[(exercise_id, seed)] = variant
        if not worker.is_cancelled:
            self.post_message(self.ExercisePrepared(exercise_id, variant, error, replace, practice))
        if variant is not None and not worker.is_cancelled and not practice:
            self._prepare_ahead(exercise_id)  # the next one, for ctrl+n

    def on_tutor_app_exercise_prepared(self, message: ExercisePrepared) -> None:
        self._show_exercise(message.exercise_id, message.variant, message.error, message.replace,
                            message.practice)

    def _show_exercise(self, exercise_id: str, variant: Variant | None, error: str | None, replace: bool,
                       practice: bool = False) -> None:
        self._opening = None
        entry = self.course.entry(exercise_id)
        if variant is None or entry is None:
            self.notify(f"This exercise cannot be opened{': ' + error if error else ''}.", severity="error")
            return
        phase("open-prepared")  # the screen records the position, once it is up
        from .screens.exercise import ExerciseScreen

        screen = ExerciseScreen(entry, variant, practice=practice)
        if replace and isinstance(self.screen, ExerciseScreen):
            self.switch_screen(screen)
        else:
            self._back_to_map()
            self.push_screen(screen)

    def _back_to_map(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_map(self) -> None:
        self._back_to_map()

    def action_lab(self) -> None:
        from .screens.lab import LabScreen

        if not isinstance(self.screen, LabScreen):
            self._back_to_map()
            self.push_screen(LabScreen())

    def action_progress(self) -> None:
        from .screens.progress import ProgressScreen

        if not isinstance(self.screen, ProgressScreen):
            self._back_to_map()
            self.push_screen(ProgressScreen())

    def action_help(self) -> None:
        from .dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Chapter map", "Back to the list of sections and exercises", self.action_map)
        yield SystemCommand("Optimizer lab", "Run optimizers and watch them converge", self.action_lab)
        yield SystemCommand("Progress", "Solved and attempted, per section, and recent activity",
                            self.action_progress)
        yield SystemCommand("Help", "The keys of every screen", self.action_help)
        yield from super().get_system_commands(screen)

    # -- shutting down ---------------------------------------------------------------------------
    def on_unmount(self) -> None:
        self.store.close()


def phase(name: str) -> None:
    """Log how far into startup a step ended (only when the startup log is on)."""
    if os.environ.get(STARTUP_LOG_ENV):
        _append_log(f"phase-{name} {time.perf_counter() - START_TIME:.4f}")


def _append_log(line: str) -> None:
    """One line to the startup log named by $MCALC_TUTOR_STARTUP_LOG, if any (the bench reads it)."""
    target = os.environ.get(STARTUP_LOG_ENV)
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError:
        pass
