"""Opening an exercise at once (issue 14, item 9) and focus that is never lost (browser, ctrl+e):
the first part to answer is focused from the first frame, the parts below it arrive just after,
the footer is not rebuilt for nothing, and a focused answer box does not swallow the editor key.
The time itself is measured by tests/bench/startup.py, not asserted here (the machine is shared)."""
from __future__ import annotations

import asyncio

from textual import events
from textual.widgets import Input

from app_helpers import SIZE, make_app, open_exercise, screen_text, settle, type_answer
from mcalc_tutor.app.widgets.footer import KeyFooter


def run(coro):
    return asyncio.run(coro)


def test_the_first_answer_box_has_focus_before_the_later_parts_are_laid_out(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_exercise("grad-quadratic-form")
            for _ in range(200):  # until the screen is up, and not a moment longer
                await asyncio.sleep(0.005)
                if type(app.screen).__name__ == "ExerciseScreen" and app.screen.focused is not None:
                    break
            screen = app.screen
            assert screen.focused is screen.query_one("#part-a Input")
            assert [v.id for v in screen.query("PartView")] == ["part-a"]  # the rest comes after
            await pilot.press("x")
            await settle(pilot)
            assert [v.id for v in screen.query("PartView")] == ["part-a", "part-b", "part-c", "part-d"]
            assert screen.query_one("#part-a Input", Input).value == "x"  # typed before they came
            # the end note stays last, under the parts mounted later
            assert screen.query_one("#exercise-body").children[-1].id == "exercise-end"
    run(go())


def test_a_half_solved_exercise_opens_at_its_first_unsolved_part_with_the_solved_ones_above(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            await type_answer(pilot, "a", "x^T A x")
            await pilot.press("escape")
            await settle(pilot)
            screen = await open_exercise(pilot, "grad-quadratic-form")
            assert screen.current_part == "b"
            assert screen.focused is screen.query_one("#part-b Input")
            assert [v.id for v in screen.query("PartView")] == ["part-a", "part-b", "part-c", "part-d"]
            assert screen.query_one("#part-a Input", Input).value == "x^T A x"
    run(go())


def test_the_footer_keeps_its_keys_when_focus_moves_and_redraws_them_when_they_change(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "grad-quadratic-form")
            footer = screen.query_one(KeyFooter)
            keys = footer.shown
            assert [k.description for k in keys][:2] == ["Hint", "Solution"]
            assert screen_text(app)[-1].startswith("^t Hint ^o Solution")
            drawn = []
            footer.refresh = lambda *a, **k: drawn.append(1)  # type: ignore[method-assign]
            await pilot.press("tab")
            await settle(pilot)
            assert footer.shown is keys and not drawn  # the same keys: not even redrawn
            del footer.refresh
            await type_answer(pilot, "b", "2 A x")  # a verdict with details: the Details key appears
            await settle(pilot)
            assert "Details" in [k.description for k in footer.shown]
            assert "^f Details" in screen_text(app)[-1]
    run(go())


def test_a_map_that_came_up_while_the_page_had_no_focus_gets_focus_when_the_page_does(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.screen.set_focus(None)  # as when the page is blurred before the map focused anything
            app.post_message(events.AppBlur())
            await settle(pilot)
            app.post_message(events.AppFocus())  # Textual restores what had focus at the blur: nothing
            await settle(pilot)
            assert type(app.screen.focused).__name__ == "ChapterList"
    run(go())


def test_the_exercise_screen_refocuses_its_answer_box_when_the_page_comes_back(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "grad-quadratic-form")
            screen.set_focus(None)
            app.post_message(events.AppFocus())
            await settle(pilot)
            assert screen.focused is screen.query_one("#part-a Input")
    run(go())


def test_ctrl_e_opens_the_editor_even_from_an_answer_box_and_is_the_box_s_own_elsewhere(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "grad-quadratic-form")  # no code part
            box = screen.query_one("#part-a Input", Input)
            box.focus()
            box.value = "x^T A x"
            await pilot.press("home")
            assert box.cursor_position == 0
            await pilot.press("ctrl+e")  # the box's "end": the editor key is off here
            await settle(pilot)
            assert box.cursor_position == len("x^T A x") and app.screen is screen

            screen = await open_exercise(pilot, "code-gradient-check")
            other = Input(id="some-box")  # an answer box beside the code part
            await screen.query_one("#exercise-body").mount(other)
            other.focus()
            await settle(pilot)
            await pilot.press("ctrl+e")
            await settle(pilot)
            assert type(app.screen).__name__ == "CodeScreen"
    run(go())


def test_the_warm_up_turns_the_collector_on_with_what_it_loaded_frozen(tmp_path, monkeypatch):
    """A full collection over sympy and the bank took tens of milliseconds in the middle of opening
    an exercise: after the warm-up those objects are frozen (never walked again) and collection is on."""
    import gc

    frozen_before = gc.get_freeze_count()
    gc.disable()  # as `mcalc-tutor` starts

    async def go():
        app = make_app(tmp_path, warm=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for _ in range(400):
                if gc.isenabled():
                    break
                await asyncio.sleep(0.01)
            assert gc.isenabled()
            assert gc.get_freeze_count() > frozen_before
    try:
        run(go())
    finally:
        gc.enable()
        gc.unfreeze()


def test_opening_a_prepared_exercise_prepares_the_next_one(tmp_path, monkeypatch):
    from mcalc_tutor.app import app as app_module

    monkeypatch.setattr(app_module, "PREFETCH_DELAY_S", 0.01)

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            ids = [e.id for e in app.course.entries]
            first = ids[0]
            app._prepared[(first, app.store.learner_seed(first))] = app.course.variant(first, app.store.learner_seed(first))
            assert (ids[1], app.store.learner_seed(ids[1])) not in app._prepared
            app.open_exercise(first)
            for _ in range(300):
                await settle(pilot)
                if (ids[1], app.store.learner_seed(ids[1])) in app._prepared:
                    break
            assert (ids[1], app.store.learner_seed(ids[1])) in app._prepared
    run(go())


def test_the_answer_box_is_drawn_focused_in_the_first_frame_of_the_exercise(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            frames = []
            display = app._display

            def recording(screen, update):
                if type(screen).__name__ == "ExerciseScreen" and not frames:
                    box = screen.query("#part-a Input")
                    frames.append(bool(box) and screen.focused is box.first() and box.first().has_focus)
                return display(screen, update)

            app._display = recording  # type: ignore[method-assign]
            app.open_exercise("grad-quadratic-form")
            await settle(pilot)
            assert frames == [True]  # focused, and styled so, when the screen is first drawn
    run(go())


def test_a_resize_to_the_size_just_laid_out_does_not_lay_the_exercise_out_again(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "grad-quadratic-form")
            layouts = []
            layout = screen._refresh_layout
            screen._refresh_layout = lambda *a, **k: (layouts.append(a), layout(*a, **k))  # type: ignore[method-assign]
            screen.post_message(events.Resize(screen.size, screen.size))
            await settle(pilot)
            assert layouts == []
            await pilot.resize_terminal(100, 30)  # a real resize is laid out as Textual does
            await settle(pilot)
            assert layouts and screen.query_one("#statement").size.width > SIZE[0] - 6
    run(go())


def test_the_app_draws_at_its_frame_rate_unless_the_user_chose_one():
    import subprocess
    import sys

    from mcalc_tutor.app.main import FRAME_RATE

    code = ("import os; from mcalc_tutor.app.main import use_frame_rate; use_frame_rate(os.environ); "
            "import textual.constants as c; print(c.MAX_FPS)")
    env = {k: v for k, v in __import__("os").environ.items() if k != "TEXTUAL_FPS"}
    drawn = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert drawn.stdout.strip() == str(FRAME_RATE) != "60"  # what Textual itself then uses
    chosen = subprocess.run([sys.executable, "-c", code], env={**env, "TEXTUAL_FPS": "30"},
                            capture_output=True, text=True, check=True)
    assert chosen.stdout.strip() == "30"
