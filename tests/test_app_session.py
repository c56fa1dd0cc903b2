"""The learner's session at 80×24 (issue 14): no keystroke lands in the wrong box, choice parts
that answer to their keys, verdicts that fit, drafts that survive, a map that explains itself."""
from __future__ import annotations

import asyncio

from app_helpers import SIZE, make_app, open_exercise, part_view, settle
from textual.widgets import Input


def run(coro):
    return asyncio.run(coro)


def keys(text: str) -> list[str]:
    """Key presses that type `text`."""
    return ["space" if ch == " " else ch for ch in text]


def header(app, part: str) -> str:
    return str(part_view(app, part).query_one(".part-header").render())


# -- (1) focus after a correct check -------------------------------------------------------------

def test_after_a_correct_check_the_next_keys_go_to_the_next_unsolved_part(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            box_a = app.screen.query_one("#part-a Input", Input)
            box_a.focus()
            await pilot.press(*keys("x^T A x"), "enter")
            await settle(pilot)
            assert part_view(app, "a").status == "solved"
            # no Tab: the learner just types the next answer
            await pilot.press(*keys("(A + A^T) x"), "enter")
            await settle(pilot)
            assert box_a.value == "x^T A x"
            assert app.screen.query_one("#part-b Input", Input).value == "(A + A^T) x"
            assert part_view(app, "b").status == "solved"
            assert part_view(app, "a").status == "solved" and "edited" not in header(app, "a")
            assert app.store.last_answer("grad-quadratic-form", "a") == "x^T A x"
            assert [p for p, in app.store._run(lambda c: c.execute(
                "SELECT part FROM events WHERE kind = 'attempt' ORDER BY id").fetchall(), write=False)] == ["a", "b"]
            assert app.screen.current_part == "c"
    run(go())


def test_solving_the_last_part_leaves_no_answer_box_focused(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            for name, answer in (("a", "x^T A x"), ("b", "(A + A^T) x"), ("c", "4")):
                box = app.screen.query_one(f"#part-{name} Input", Input)
                box.focus()
                box.value = answer
                await pilot.press("enter")
                await settle(pilot)
            box_d = app.screen.query_one("#part-d Input", Input)
            assert app.focused is box_d  # (d) is the one left
            box_d.value = "x^T (A + A^T)"
            await pilot.press("enter")
            await settle(pilot)
            assert not isinstance(app.focused, Input)
            await pilot.press("z")  # lands nowhere
            assert box_d.value == "x^T (A + A^T)"
    run(go())


def test_an_edit_of_a_solved_answer_says_so_until_checked_again(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            box = app.screen.query_one("#part-c Input", Input)
            box.focus()
            box.value = "4"
            await pilot.press("enter")
            await settle(pilot)
            assert "solved" in header(app, "c") and "edited" not in header(app, "c")
            box.focus()  # on purpose: back to (c)
            await pilot.press("end", "0")
            assert box.value == "40"
            assert "edited — check again" in header(app, "c")
            await pilot.press("backspace")  # back to the answer that was checked
            assert "edited" not in header(app, "c")
            await pilot.press(*keys(".0"), "enter")
            await settle(pilot)
            assert part_view(app, "c").last_verdict.status == "correct"
            assert "edited" not in header(app, "c")
        # after a restart the checked answer is back, and it is not marked edited
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            assert app.screen.query_one("#part-c Input", Input).value == "4.0"
            assert "edited" not in header(app, "c")
    run(go())


# -- (2) choice parts ----------------------------------------------------------------------------

def _attempts(app, exercise: str) -> list[tuple[str, str]]:
    return app.store._run(lambda c: c.execute(
        "SELECT part, answer FROM events WHERE kind = 'attempt' AND exercise = ? ORDER BY id", (exercise,)).fetchall(),
        write=False)


def test_an_enter_on_arriving_at_a_choice_records_nothing(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "opt-step-size")
            single = part_view(app, "b").query_one("ChoiceList")
            single.focus()
            await pilot.pause()
            assert single.highlighted is None  # nothing pre-selected
            await pilot.press("enter")
            await settle(pilot)
            assert _attempts(app, "opt-step-size") == []
            assert "Choose first" in str(part_view(app, "b").query_one("VerdictPanel").render())
            multiple = part_view(app, "c").query_one("TickList")
            multiple.focus()
            await pilot.press("enter")  # nothing ticked: a message, nothing recorded
            await settle(pilot)
            assert _attempts(app, "opt-step-size") == []
            assert "Tick at least one" in str(part_view(app, "c").query_one("VerdictPanel").render())
    run(go())


def test_letters_choose_and_enter_checks_in_single_and_multiple_choice(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "opt-step-size")
            single = part_view(app, "b").query_one("ChoiceList")
            single.focus()
            await pilot.press("b")
            assert single.highlighted == 1
            await pilot.press("enter")
            await settle(pilot)
            assert part_view(app, "b").last_verdict.status == "incorrect"
            await pilot.press("enter")  # the same answer again: said, not recorded twice
            await settle(pilot)
            assert _attempts(app, "opt-step-size") == [("b", "b")]
            await pilot.press("a", "enter")
            await settle(pilot)
            assert part_view(app, "b").last_verdict.status == "correct"
            # focus moved on to (c), the multiple choice: letters tick, Enter checks
            multiple = part_view(app, "c").query_one("TickList")
            assert app.focused is multiple
            await pilot.press("a", "c")
            assert multiple.selected == ["a", "c"]
            await pilot.press("c", "c")  # a letter twice unticks and ticks again
            assert multiple.selected == ["a", "c"]
            await pilot.press("enter")
            await settle(pilot)
            assert part_view(app, "c").last_verdict.status == "correct"
            assert _attempts(app, "opt-step-size") == [("b", "b"), ("b", "a"), ("c", "a, c")]
    run(go())


def test_choice_parts_say_their_keys_and_label_options_unlike_parts(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "opt-step-size")
            single, multiple = part_view(app, "b"), part_view(app, "c")
            assert str(single.query_one(".choice-keys").render()) == "↑↓ or a–c, then Enter"
            assert "Space or a–c ticks, then Enter checks" in str(multiple.query_one(".choice-keys").render())
            prompts = [str(single.query_one("ChoiceList").get_option_at_index(i).prompt) for i in range(3)]
            assert prompts == ["A. one step", "B. two steps", "C. never exactly"]
            assert not any(p.startswith("(") for p in prompts)
    run(go())
