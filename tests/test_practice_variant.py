"""A new variant to practise on (issue 14, item 6): ctrl+g on a randomized exercise opens it in a
fresh variant, whose answers and hints are recorded with its seed and so stay out of the
exercise's own record; review cards' fresh variants are recorded the same way; and the
exercise's footer keys fit 80 columns."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from textual.widgets import Input

from app_helpers import SIZE, make_app, open_exercise, part_view, screen_text, settle, type_answer
from mcalc_tutor.app.screens.exercise import DRAFT_DELAY_S
from mcalc_tutor.app.widgets.footer import KeyFooter
from mcalc_tutor.progress.store import open_store

RANDOMIZED = "opt-step-size"  # [params] in the fixture bank
FIXED = "grad-quadratic-form"  # no [params]: one variant for everyone


def run(coro):
    return asyncio.run(coro)


def note(screen) -> str:
    return str(screen.query_one("#exercise-end").render())


def heading(screen) -> str:
    return str(screen.query_one("#exercise-heading").render())


def expected(screen, part: str) -> str:
    """The right answer to a part in the variant on screen (the bank's, with its numbers)."""
    return screen.variant.part(part).answer


async def new_variant(pilot):
    await pilot.press("ctrl+g")
    await settle(pilot)
    return pilot.app.screen


def attempts(app) -> list[dict]:
    return app.store.export_json()["attempts"]


def test_ctrl_g_opens_a_practice_variant_with_another_seed_and_again_another(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            own_screen = await open_exercise(pilot, RANDOMIZED)
            own = app.store.learner_seed(RANDOMIZED)
            assert own_screen.variant.seed == own and not own_screen.practice
            assert "⚄ your own variant" in heading(own_screen) and "ctrl+g" in note(own_screen)
            practice = await new_variant(pilot)
            assert type(practice).__name__ == "ExerciseScreen" and practice is not own_screen
            assert practice.practice and practice.entry.id == RANDOMIZED
            first = practice.variant.seed
            assert first != own
            assert len(app.screen_stack) == 2, "the practice variant takes the exercise's place"
            assert "⚄ practice variant" in heading(practice) and "your own variant" not in heading(practice)
            text = note(practice)
            assert f"Practice variant, seed {first} (your own is seed {own};" in text
            assert f"--seed {first} {RANDOMIZED}:PART" in text
            assert any("⚄ practice variant" in row for row in screen_text(app))
            again = await new_variant(pilot)
            assert again.practice and again.variant.seed not in (own, first)
            assert len(app.screen_stack) == 2
    run(go())


def test_ctrl_g_is_off_on_an_exercise_with_one_variant(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, FIXED)
            assert screen.check_action("new_variant", ()) is False
            shown = {binding.action for _, binding, _, _ in screen.active_bindings.values() if binding.show}
            assert "new_variant" not in shown
            assert "Variant" not in screen_text(app)[-1]
            assert await new_variant(pilot) is screen and not screen.practice
            randomized = await open_exercise(pilot, RANDOMIZED)
            assert randomized.check_action("new_variant", ())
            assert "^g Variant" in screen_text(app)[-1]
    run(go())


def test_a_practice_answer_is_recorded_with_its_seed_and_the_own_variant_stays_as_it_was(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, RANDOMIZED)
            await type_answer(pilot, "a", "99")  # wrong, in the own variant
            practice = await new_variant(pilot)
            seed = practice.variant.seed
            box = practice.query_one("#part-a Input", Input)
            assert box.value == "" and part_view(app, "a").status == "new", "practice starts afresh"
            assert "hints 0/" in str(part_view(app, "a").query_one(".part-header").render())
            await type_answer(pilot, "a", expected(practice, "a"))
            assert part_view(app, "a").last_verdict.status == "correct"
            assert part_view(app, "a").status == "solved", "solved in the practice variant"
            assert "attempted" in heading(practice)
            assert attempts(app)[-1]["seed"] == seed and "seed" not in attempts(app)[0]
            assert app.store.part_status(RANDOMIZED, "a") == "attempted", "not solved in the own variant"
            assert app.store.last_answer(RANDOMIZED, "a") == "99"
            await pilot.press("escape")
            await settle(pilot)
            assert type(app.screen).__name__ == "MapScreen"
            assert app.store.exercise_status(RANDOMIZED, ["a", "b", "c"]) == "attempted"
            own_screen = await open_exercise(pilot, RANDOMIZED)
            assert not own_screen.practice and own_screen.variant.seed == app.store.learner_seed(RANDOMIZED)
            assert "⚄ your own variant" in heading(own_screen)
            assert own_screen.query_one("#part-a Input", Input).value == "99", "its own last answer"
            assert part_view(app, "a").status == "attempted"
    run(go())


def test_a_practice_variant_keeps_no_drafts_and_the_own_draft_survives(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            own_screen = await open_exercise(pilot, RANDOMIZED)
            own_screen.query_one("#part-a Input", Input).value = "12"  # typed, not checked
            await pilot.pause()
            practice = await new_variant(pilot)  # leaving the own variant writes its draft
            assert app.store.drafts(RANDOMIZED) == {"a": "12"}
            assert practice.query_one("#part-a Input", Input).value == "", "the own draft stays with the own"
            practice.query_one("#part-a Input", Input).value = "34"
            await pilot.pause(DRAFT_DELAY_S + 0.3)
            await pilot.press("escape")
            await settle(pilot)
            assert app.store.drafts(RANDOMIZED) == {"a": "12"}
            await open_exercise(pilot, RANDOMIZED)
            assert app.screen.query_one("#part-a Input", Input).value == "12"
    run(go())


def test_practice_hints_and_answers_count_in_review_and_its_solution_asks_nothing(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, RANDOMIZED)
            practice = await new_variant(pilot)
            seed = practice.variant.seed
            practice.query_one("#part-a Input", Input).focus()
            await pilot.press("ctrl+t")
            await settle(pilot)
            assert "hints 1/" in str(part_view(app, "a").query_one(".part-header").render())
            assert app.store.hints_used(RANDOMIZED, "a") == 0, "not a hint of the own variant"
            assert app.store.export_json()["hints"] == [
                {"time": app.store.export_json()["hints"][0]["time"], "exercise": RANDOMIZED, "part": "a",
                 "hint_index": 0, "seed": seed}]
            assert app.store.part_status(RANDOMIZED, "a") == "new"
            await type_answer(pilot, "a", "99")
            assert [(c["exercise"], c["part"]) for c in app.store.review_cards()] == [(RANDOMIZED, "a")]
            assert app.store.summary({"s": [(RANDOMIZED, ["a", "b", "c"])]})["totals"]["attempts"] == 1
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert type(app.screen).__name__ == "SolutionDialog", "no confirmation in practice"
            assert not app.store.revealed(RANDOMIZED), "not the own variant's solution"
            assert [r.get("seed") for r in app.store.export_json()["reveals"]] == [seed]
            assert [r["rating"] for r in app.store.export_json()["reviews"]] == ["again"], \
                "seeing it rates nothing by itself"
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is practice and part_view(app, "a").revealed
            await pilot.press("ctrl+o")  # again: shown, not recorded twice
            await settle(pilot)
            assert type(app.screen).__name__ == "SolutionDialog"
            await pilot.press("escape")
            await settle(pilot)
            assert len(app.store.export_json()["reveals"]) == 1
            await type_answer(pilot, "a", expected(practice, "a"))  # copied from the solution
            assert [r["rating"] for r in app.store.export_json()["reviews"]] == ["again", "again"], \
                "a right answer after the solution rates Again, in practice too"
            assert app.store.part_status(RANDOMIZED, "a") == "new"
    run(go())


def _due_card(tmp_path, exercise_id: str, part: str, answer: str) -> None:
    """A wrong answer in the own variant a day ago: its card is due now."""
    s, _ = open_store(tmp_path)
    s.clock = lambda: datetime.now(UTC) - timedelta(days=1)
    s.record_attempt(exercise_id, part, answer, "incorrect", 0.0)
    s.close()


def test_review_records_the_seed_of_its_fresh_variant_not_the_own_answer(tmp_path):
    _due_card(tmp_path, RANDOMIZED, "a", "99")

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            screen = app.screen
            assert type(screen).__name__ == "ReviewScreen" and screen.card["part"] == "a"
            view = screen.query_one("#part-a")
            seed = view.variant.seed
            assert seed != app.store.learner_seed(RANDOMIZED) and screen.recorded_seed == seed
            await pilot.press("ctrl+t")
            await settle(pilot)
            await type_answer(pilot, "a", view.variant.part("a").answer)
            assert view.last_verdict.status == "correct"
            assert attempts(app)[-1]["seed"] == seed and app.store.export_json()["hints"][-1]["seed"] == seed
            assert [r["rating"] for r in app.store.export_json()["reviews"]] == ["again", "hard"], \
                "the fresh variant's answer rates the card"
            assert app.store.last_answer(RANDOMIZED, "a") == "99", "the own box keeps its own numbers' answer"
            assert app.store.part_status(RANDOMIZED, "a") == "attempted"
            assert app.store.hints_used(RANDOMIZED, "a") == 0
    run(go())


def test_review_of_an_exercise_with_one_variant_records_it_as_the_own(tmp_path):
    _due_card(tmp_path, FIXED, "b", "2 A x")

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            screen = app.screen
            assert screen.recorded_seed is None
            await type_answer(pilot, "b", "(A + A^T) x")
            assert "seed" not in attempts(app)[-1]
            assert app.store.part_status(FIXED, "b") == "solved"
    run(go())


# -- the footer at 80 columns ------------------------------------------------------------------------

def assert_footer_fits(app) -> set[str]:
    """Every key on the footer is drawn whole, inside the screen and clear of the palette key;
    returns the labels shown."""
    width = app.size.width
    footer = app.screen.query_one(KeyFooter)
    keys, spans = footer.shown, footer.spans
    assert len(spans) == len(keys) and keys[-1].palette and not any(k.palette for k in keys[:-1])
    palette = spans[-1]
    assert palette[1] <= width
    row = screen_text(app)[-1]
    labels = set()
    for key, (start, end) in zip(keys, spans, strict=True):
        label = f"{key.display} {key.description}"
        assert label in row[start:min(end, width)], (label, (start, end), row)
        if not key.palette:
            assert end <= palette[0], (label, (start, end), palette)
        labels.add(key.description)
    return labels


def test_the_exercise_footer_fits_80_columns_with_details_and_a_new_variant(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, FIXED)
            await type_answer(pilot, "b", "2 A x")
            assert screen.check_action("details", ())
            assert {"Hint", "Solution", "Next", "Details", "Map", "Help"} <= assert_footer_fits(app)
            for practice in (False, True):
                screen = await open_exercise(pilot, RANDOMIZED)
                if practice:
                    screen = await new_variant(pilot)
                    assert screen.practice
                await type_answer(pilot, "a", "99")
                assert screen.check_action("details", ())
                assert {"Hint", "Solution", "Next", "Variant", "Details", "Map", "Help"} <= assert_footer_fits(app)
            await pilot.press("ctrl+l")  # off the footer, not off the keyboard
            await settle(pilot)
            assert app.screen.entry.id != RANDOMIZED
    run(go())
