"""Widgets post, screens persist: a part view reports what the learner did as a message, and the
screen records it in the progress store before the view shows it (so every verdict on screen is
already on disk)."""
from __future__ import annotations

import ast
import asyncio
import sqlite3
from pathlib import Path

import mcalc_tutor.app.widgets as widgets_package
from app_helpers import SIZE, make_app, open_exercise, part_view, settle, type_answer
from mcalc_tutor.app.screens import code as code_screen
from mcalc_tutor.app.widgets.part_view import CodePartView, PartView


def run(coro):
    return asyncio.run(coro)


def _posted(messages: list, kind: type) -> list:
    """Each message of `kind` once (the hook sees a bubbling message at every node it reaches)."""
    return list({id(m): m for m in messages if isinstance(m, kind)}.values())


def _attempts(data_dir: Path) -> list[tuple[str, str, str]]:
    """What another process would read from the file right now."""
    with sqlite3.connect(data_dir / "progress.sqlite3") as conn:
        return conn.execute("SELECT part, answer, status FROM events WHERE kind = 'attempt' ORDER BY id").fetchall()


def test_a_checked_answer_is_posted_by_the_part_and_on_disk_before_it_is_shown(tmp_path, monkeypatch):
    seen_on_disk_at_show: list[list] = []
    original = PartView.show_verdict

    def show_verdict(self, answer, verdict, status):
        seen_on_disk_at_show.append(_attempts(tmp_path))
        original(self, answer, verdict, status)

    monkeypatch.setattr(PartView, "show_verdict", show_verdict)
    messages: list = []

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            await type_answer(pilot, "b", "2 A x")
            checked = _posted(messages, PartView.AnswerChecked)
            assert len(checked) == 1
            assert checked[0].part_view is part_view(app, "b") and checked[0].answer == "2 A x"
            assert checked[0].verdict.status == "incorrect"
            assert "Not right" in str(app.screen.query_one("#part-b VerdictPanel").render())
            assert part_view(app, "b").status == "attempted"
    run(go())
    assert seen_on_disk_at_show == [[("b", "2 A x", "incorrect")]]


def test_a_hint_is_requested_by_the_part_and_recorded_before_it_is_revealed(tmp_path, monkeypatch):
    hints_on_disk_at_reveal: list[int] = []
    original = PartView.reveal_hint

    def reveal_hint(self, index, status):
        with sqlite3.connect(tmp_path / "progress.sqlite3") as conn:
            count = conn.execute("SELECT count(*) FROM events WHERE kind = 'hint'").fetchone()[0]
        hints_on_disk_at_reveal.append(count)
        original(self, index, status)

    monkeypatch.setattr(PartView, "reveal_hint", reveal_hint)
    messages: list = []

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            app.screen.query_one("#part-b Input").focus()
            await pilot.pause()
            await pilot.press("ctrl+t")
            await pilot.pause()
            requested = _posted(messages, PartView.HintRequested)
            assert [(m.part_view.part.name, m.index) for m in requested] == [("b", 0)]
            assert part_view(app, "b").hints_shown == 1
            assert "Hint 1:" in str(part_view(app, "b").query_one(".part-hints").render())
    run(go())
    assert hints_on_disk_at_reveal == [1]


def test_the_code_editor_is_asked_for_by_the_part_and_its_runs_are_recorded_before_shown(tmp_path, monkeypatch):
    status_on_disk_at_render: list[list] = []
    original = code_screen.render_result

    def render_result(result):
        status_on_disk_at_render.append(_attempts(tmp_path))
        return original(result)

    monkeypatch.setattr(code_screen, "render_result", render_result)
    messages: list = []

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
            await open_exercise(pilot, "code-gradient-check")
            await pilot.press("ctrl+e")
            await settle(pilot)
            assert any(isinstance(m, CodePartView.EditorRequested) for m in messages)
            assert type(app.screen).__name__ == "CodeScreen"
            await pilot.press("ctrl+r")
            await settle(pilot, rounds=4)
            assert any(isinstance(m, code_screen.CodeScreen.TestsRan) for m in messages)
    run(go())
    assert len(status_on_disk_at_render) == 1
    (row,) = status_on_disk_at_render[0]
    assert row[0] == "a" and row[2] == "incorrect"  # the stub fails its tests, and that was on disk first


def test_no_widget_reaches_the_progress_store():
    """The widgets package names no `store`: recording is the screens' job."""
    folder = Path(widgets_package.__file__).parent
    offenders = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("store", "store_written"):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
