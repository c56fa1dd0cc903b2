"""Snapshots of the app at 80×24 (pytest-textual-snapshot): the chapter map, an exercise with a
verdict and its diagnostic, and the lab after a run. The fixture bank keeps them stable; update
with `pytest tests/test_app_snapshots.py --snapshot-update` after looking at the change."""
from __future__ import annotations

from app_helpers import SIZE, make_app, no_blink, open_exercise, settle, type_answer


def _prepared(tmp_path):
    app = make_app(tmp_path)
    app.course.load()  # no "preparing…" toast that depends on how busy the machine is
    return app


async def _quiet(pilot) -> None:
    await settle(pilot)
    no_blink(pilot.app)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_snapshot_map(snap_compare, tmp_path):
    async def before(pilot):
        await _quiet(pilot)

    assert snap_compare(_prepared(tmp_path), terminal_size=SIZE, run_before=before)


def test_snapshot_exercise_with_feedback(snap_compare, tmp_path):
    async def before(pilot):
        await settle(pilot)
        await open_exercise(pilot, "grad-quadratic-form")
        await type_answer(pilot, "b", "2 A x")
        await _quiet(pilot)

    assert snap_compare(_prepared(tmp_path), terminal_size=SIZE, run_before=before)


def test_snapshot_lab(snap_compare, tmp_path):
    async def before(pilot):
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot, rounds=4)
        # Run again once the layout has settled: the first run may finish before the charts have
        # their final size (how many y ticks fit depends on it), which made this snapshot racy.
        await pilot.press("ctrl+r")
        await settle(pilot, rounds=4)
        await _quiet(pilot)

    assert snap_compare(_prepared(tmp_path), terminal_size=SIZE, run_before=before)
