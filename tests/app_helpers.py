"""Shared pieces of the app's tests: an app factory over a fixed exercise bank, and helpers that
let workers finish before asserting."""
from __future__ import annotations

from pathlib import Path

from mcalc_tutor.app.app import TutorApp
from mcalc_tutor.app.course import Course

BANK = Path(__file__).parent / "data" / "app_bank"
"""A small bank that does not change when the real one grows (snapshots depend on it)."""

SIZE = (80, 24)
"""The terminal the issue asks us to fit: a learner on a university server over SSH."""


def make_app(data_dir: Path, *, real_bank: bool = False, warm: bool = False) -> TutorApp:
    """The tutor over the fixture bank (or the real one), storing progress in `data_dir`.

    `warm` is off by default so that no background work races the test's own steps.
    """
    course = Course() if real_bank else Course(BANK / "exercises", BANK / "solutions")
    return TutorApp(data_dir, course=course, warm=warm)


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages be handled (a worker may start another)."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_exercise(pilot, exercise_id: str):
    """Open an exercise the way the palette does; returns the exercise screen."""
    pilot.app.open_exercise(exercise_id)
    await settle(pilot)
    screen = pilot.app.screen
    assert type(screen).__name__ == "ExerciseScreen", screen
    assert screen.entry.id == exercise_id
    return screen


async def type_answer(pilot, part: str, text: str) -> None:
    """Focus a part's answer box, replace its text and press Enter; wait for the verdict."""
    from textual.widgets import Input

    box = pilot.app.screen.query_one(f"#part-{part} Input", Input)
    box.focus()
    box.value = text  # posts Input.Changed, as typing does
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def part_view(app, part: str):
    return app.screen.query_one(f"#part-{part}")


def no_blink(app) -> None:
    """Cursors that do not blink, so that screenshots are the same every time."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    """Pause until `predicate()` holds (for things no worker tracks, like palette searches)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


def palette_hits(app) -> int:
    """How many commands the open command palette lists."""
    from textual.command import CommandList

    try:
        return app.screen.query_one(CommandList).option_count
    except Exception:
        return 0


def screen_text(app) -> list[str]:
    """The rows of the screen as plain text, as the terminal shows them (toasts included)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
