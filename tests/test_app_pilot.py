"""The app driven by Textual's Pilot at 80×24: map, exercises, verdicts, hints, solutions, the
palette, code challenges, the lab, progress, and the faults a learner's machine can throw at it."""
from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import Input

from app_helpers import SIZE, make_app, open_exercise, palette_hits, part_view, screen_text, settle, type_answer, wait_until


def run(coro):
    import asyncio

    return asyncio.run(coro)


# -- chapter map --------------------------------------------------------------------------------

def test_map_lists_sections_in_chapter_order_with_progress(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            chapter = app.screen.query_one("#chapter")
            ids = [row.id for row in chapter.rows]
            # gradients before hessians before optimizers, a section row before its exercises
            assert ids.index("section:gradients") < ids.index("grad-quadratic-form") < ids.index("section:hessians")
            assert ids.index("section:hessians") < ids.index("section:optimizers") < ids.index("opt-step-size")
            heading = chapter.row_text(0)
            assert heading.startswith("Gradients and directional derivatives") and "0/2 solved" in heading
            assert "○ new" in chapter.row_text(1) and "●●○" in chapter.row_text(1)
            assert app.screen.title.endswith("0/4 solved")
            # the cursor starts on an exercise and skips section rows
            assert chapter.highlighted_id == ids[1]
            await pilot.press("down", "down")
            assert chapter.highlighted_id == "hess-cubic-critical-points"
            await pilot.press("end")
            assert chapter.highlighted_id == "opt-step-size"
            await pilot.press("home")
            assert chapter.highlighted_id == ids[1]
    run(go())


def test_open_an_exercise_from_the_map_with_enter(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            first = app.screen.query_one("#chapter").highlighted_id
            await pilot.press("enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "ExerciseScreen"
            assert app.screen.entry.id == first
            assert app.store.position() == first
            await pilot.press("escape")
            await settle(pilot)
            assert type(app.screen).__name__ == "MapScreen"
    run(go())


def test_resume_opens_where_the_learner_left_off(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "hess-cubic-critical-points")
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.screen.query_one("#chapter").highlighted_id == "hess-cubic-critical-points"
            assert "continues where you left off" in str(app.screen.query_one("#resume-line").render())
            await pilot.press("c")
            await settle(pilot)
            assert app.screen.entry.id == "hess-cubic-critical-points"
    run(go())


# -- answering -----------------------------------------------------------------------------------

def test_live_preview_shows_the_reading_and_a_caret_for_errors(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            box = app.screen.query_one("#part-b Input", Input)
            box.focus()
            await pilot.press("2", "A", "x")  # typed, key by key
            await pilot.pause()
            preview = str(app.screen.query_one("#part-b AnswerPreview").render())
            assert "read as: 2⋅A⋅x" in preview and "shape n×1" in preview
            box.value = "(A + A^T"
            await pilot.pause()
            preview = str(app.screen.query_one("#part-b AnswerPreview").render())
            assert "can't read this" in preview and "never closed" in preview
            assert "(A + A^T\n    ^" in preview or "\n^" in preview or "^" in preview.splitlines()[-1]
            # nothing was checked or recorded by the preview
            assert app.store.part_status("grad-quadratic-form", "b") == "new"
    run(go())


def test_live_preview_shows_a_form_violation_before_enter_and_it_is_not_an_attempt(tmp_path):
    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "bp-fc-layer")
            box = app.screen.query_one("#part-a Input", Input)
            box.focus()
            await pilot.press("δ")  # the name of the asked quantity (asks = "δ"), not its value
            await pilot.pause()
            preview = str(app.screen.query_one("#part-a AnswerPreview").render())
            assert "not in the form asked" in preview and "δ" in preview, preview
            assert app.store.part_status("bp-fc-layer", "a") == "new"  # shown before Enter, nothing recorded
            await pilot.press("enter")
            await pilot.pause()
            assert app.store.part_status("bp-fc-layer", "a") == "new"  # invalid: not held against the learner
            box.value = "g ⊙ φ'(z)"
            await pilot.pause()
            preview = str(app.screen.query_one("#part-a AnswerPreview").render())
            assert "not in the form asked" not in preview and "read as" in preview, preview
    run(go())


def test_wrong_answer_gets_its_diagnostic_and_is_recorded(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            await type_answer(pilot, "b", "2 A x")
            view = part_view(app, "b")
            assert view.last_verdict.status == "incorrect"
            assert "mistake" in view.last_verdict.codes
            panel = str(app.screen.query_one("#part-b VerdictPanel").render())
            assert "Not right" in panel and "only when A is symmetric" in panel
            assert view.status == "attempted"
            assert app.store.last_answer("grad-quadratic-form", "b") == "2 A x"
            # a transposed answer is named as such
            await type_answer(pilot, "b", "x^T (A + A^T)")
            assert "transpose" in part_view(app, "b").last_verdict.codes
    run(go())


def test_right_answers_solve_the_exercise_and_survive_a_restart(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            await type_answer(pilot, "a", "x^T A x")
            await type_answer(pilot, "b", "(A + A^T) x")
            await type_answer(pilot, "c", "4")
            await type_answer(pilot, "d", "x^T (A + A^T)")
            for name in "abcd":
                assert part_view(app, name).status == "solved", name
            assert "solved" in str(app.screen.query_one("#exercise-heading").render())
        # a new process on the same data directory
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.store.exercise_status("grad-quadratic-form", ["a", "b", "c", "d"]) == "solved"
            assert app.screen.title.endswith("1/4 solved")
            screen = await open_exercise(pilot, "grad-quadratic-form")
            assert part_view(app, "b").status == "solved"
            assert screen.query_one("#part-b Input", Input).value == "(A + A^T) x"
    run(go())


def test_typing_goes_on_while_a_check_runs(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            box = app.screen.query_one("#part-b Input", Input)
            box.focus()
            box.value = "2 A x"  # a wrong answer: after a right one focus moves on to the next part
            await pilot.press("enter")
            # the verdict panel says "checking" and the input still takes keys before the worker ends
            await pilot.press("space")
            assert box.value.endswith(" ")
            await settle(pilot)
            assert part_view(app, "b").last_verdict.status == "incorrect"
    run(go())


@pytest.mark.parametrize("answer", [
    "(" * 500 + "x" + ")" * 500,          # nesting far beyond the limit
    "x" * 5000,                            # longer than any answer
    "9^9^9^9^9",                           # a power tower
    "[" + ", ".join(["1"] * 400) + "]",    # a huge literal
    "\x00\x1b[31m",                        # control characters
    "∇∂∫ 🙂",                              # symbols the language does not know
])
def test_absurd_answers_are_invalid_not_a_crash(tmp_path, answer):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            await type_answer(pilot, "b", answer)
            verdict = part_view(app, "b").last_verdict
            assert verdict is not None and verdict.status in ("invalid", "incorrect")
            assert type(app.screen).__name__ == "ExerciseScreen"
    run(go())


def test_matrix_parts_accept_literal_syntax(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "hess-cubic-critical-points")
            await type_answer(pilot, "b", "[6x, -3; -3, 6y]")
            assert part_view(app, "b").last_verdict.status == "correct"
            assert "2×2" in str(app.screen.query_one("#part-b AnswerPreview").render())
            await type_answer(pilot, "b", "[[6x, 3], [3, 6y]]")  # nested-list spelling, wrong signs
            assert part_view(app, "b").last_verdict.status == "incorrect"
            await type_answer(pilot, "b", "[6x, -3, 1; -3, 6y, 1]")  # the wrong size says so
            verdict = part_view(app, "b").last_verdict
            assert verdict.status in ("incorrect", "invalid") and "2×3" in verdict.render()
    run(go())


def test_points_part_adds_classified_points_and_checks_them(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "hess-cubic-critical-points")
            view = part_view(app, "c")
            box = view.query_one(Input)
            box.focus()
            box.value = "(0, 0) saddle"
            await pilot.press("enter")          # Enter adds the point
            box.value = "(1, 1)"
            await pilot.pause()
            assert "point: (1, 1)" in str(view.query_one("AnswerPreview").render())
            await pilot.press("enter")          # classification from the list (min)
            assert view.points == [("(0, 0)", "saddle"), ("(1, 1)", "min")]
            view.query_one("#check").press()
            await settle(pilot)
            assert view.last_verdict.status == "correct"
            # a missing point is partial credit with a message, not a crash
            view.points.pop()
            view.query_one("#check").press()
            await settle(pilot)
            assert view.last_verdict.status in ("partial", "incorrect")
            assert "missing" in view.last_verdict.codes
    run(go())


def test_choice_parts_single_and_multiple(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "opt-step-size")
            # the options are shuffled per variant: find the declared ones where this variant shows them
            right = ord(screen.variant.shown_answer("b", "a")) - ord("a")
            single = part_view(app, "b").query_one("OptionList")
            single.focus()
            single.highlighted = (right + 1) % 3
            await pilot.press("enter")
            await settle(pilot)
            assert part_view(app, "b").last_verdict.status == "incorrect"
            single.highlighted = right
            await pilot.press("enter")
            await settle(pilot)
            assert part_view(app, "b").last_verdict.status == "correct"
            multiple = part_view(app, "c").query_one("CheckList")
            multiple.focus()
            ticks = screen.variant.shown_answer("c", "a, c").split(", ")  # declared (a) and (c), as shown
            for letter in "abc":
                if letter in ticks:
                    await pilot.press("space")
                await pilot.press("down")
            assert multiple.selected == ticks
            assert f"[x] {ticks[0].upper()}." in str(multiple.get_option_at_index(ord(ticks[0]) - ord("a")).prompt)
            part_view(app, "c").query_one("#check").press()
            await settle(pilot)
            assert part_view(app, "c").last_verdict.status == "correct"
    run(go())


def test_randomized_exercise_shows_the_learners_own_variant(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "opt-step-size")
            seed = app.store.learner_seed("opt-step-size")
            assert screen.variant.seed == seed
            a = screen.variant.values["a"]
            assert f"½·{a}·x²" in screen.variant.statement
            assert "your own variant" in str(screen.query_one("#exercise-heading").render())
            await type_answer(pilot, "a", f"2/{a}")
            assert part_view(app, "a").last_verdict.status == "correct"
    run(go())


# -- hints and solutions --------------------------------------------------------------------------

def test_hints_come_one_at_a_time_and_are_counted(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            app.screen.query_one("#part-b Input").focus()
            await pilot.pause()
            await pilot.press("ctrl+t")
            view = part_view(app, "b")
            assert view.hints_shown == 1 and app.store.hints_used("grad-quadratic-form", "b") == 1
            assert "Hint 1:" in str(view.query_one(".part-hints").render())
            assert "Hint 2:" not in str(view.query_one(".part-hints").render())
            await pilot.press("ctrl+t")
            assert app.store.hints_used("grad-quadratic-form", "b") == 2
            await pilot.press("ctrl+t")  # no third hint: a notice, and nothing recorded
            assert app.store.hints_used("grad-quadratic-form", "b") == 2
            assert "hints 2/2" in str(view.query_one(".part-header").render())
            assert app.store.part_status("grad-quadratic-form", "b") == "attempted"
        # hints already seen are shown again after a restart
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            assert part_view(app, "b").hints_shown == 2
    run(go())


def test_solution_asks_first_when_not_solved_and_is_recorded(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmDialog"
            await pilot.press("n")
            await pilot.pause()
            assert type(app.screen).__name__ == "ExerciseScreen"
            assert not app.store.revealed("grad-quadratic-form")
            await pilot.press("ctrl+o")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            assert type(app.screen).__name__ == "SolutionDialog"
            assert "(A + A^T) x" in app.screen.markdown
            assert app.store.revealed("grad-quadratic-form")
            await pilot.press("escape")
            await pilot.pause()
            # once revealed, no second question
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert type(app.screen).__name__ == "SolutionDialog"
    run(go())


def test_solution_of_a_solved_exercise_shows_at_once_with_the_variant_values(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "opt-step-size")
            a = screen.variant.values["a"]
            await type_answer(pilot, "a", f"2/{a}")
            for name, answer in (("b", "a"), ("c", "a, c")):  # the right options, as this variant shows them
                view = part_view(app, name)
                view.submit(screen.variant.shown_answer(name, answer))
                await settle(pilot)
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert type(app.screen).__name__ == "SolutionDialog"
            assert f"L = {a}" in app.screen.markdown and "{a}" not in app.screen.markdown
            assert not app.store.revealed("opt-step-size")
    run(go())


# -- navigation and the palette -------------------------------------------------------------------

def test_next_and_previous_follow_chapter_order(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            order = [e.id for e in app.course.entries]
            await open_exercise(pilot, order[0])
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert app.screen.entry.id == order[1]
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert app.screen.entry.id == order[0]
            await pilot.press("ctrl+l")  # nothing before the first
            await settle(pilot)
            assert app.screen.entry.id == order[0]
            assert len(app.screen_stack) == 2  # next/previous replace, they do not pile up
    run(go())


def test_palette_jumps_to_an_exercise_by_title_and_by_id(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"critical")
            await wait_until(pilot, lambda: palette_hits(app) > 0)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.entry.id == "hess-cubic-critical-points"
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"opt-step")
            await wait_until(pilot, lambda: palette_hits(app) > 0 and "opt-step-size" in str(
                app.screen.query_one("CommandList").get_option_at_index(0).prompt))
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.entry.id == "opt-step-size"
            assert len(app.screen_stack) == 2  # the jump replaced the exercise, back goes to the map
    run(go())


def test_provider_matches_titles_and_ids(tmp_path):
    from mcalc_tutor.app.commands import ExerciseProvider

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            provider = ExerciseProvider(app.screen)
            hits = [hit async for hit in provider.search("quadratic form")]
            assert any("grad-quadratic-form" in hit.text for hit in hits)
            found = [hit async for hit in provider.discover()]
            assert len(found) == len(app.course.entries)
    run(go())


def test_help_lists_the_keys_of_the_screen(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")  # "?" where nothing is typed
            await pilot.pause()
            assert type(app.screen).__name__ == "HelpScreen"
            assert "Continue" in app.screen.query_one("#help").source or "continue" in app.screen.query_one("#help").source
            await pilot.press("escape")
            await pilot.pause()
            await open_exercise(pilot, "grad-quadratic-form")
            await pilot.press("f1")
            await pilot.pause()
            assert type(app.screen).__name__ == "HelpScreen"
            text = app.screen.query_one("#help").source
            for key in ("ctrl+t", "ctrl+o", "ctrl+n", "ctrl+l", "Esc", "ctrl+p", "ctrl+q"):
                assert key in text
            await pilot.press("escape")
            await pilot.pause()
            assert type(app.screen).__name__ == "ExerciseScreen"
    run(go())


# -- code challenges -------------------------------------------------------------------------------

def test_code_challenge_edits_saves_and_runs_the_hidden_tests(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "code-gradient-check")
            await pilot.press("ctrl+e")
            await settle(pilot)
            screen = app.screen
            assert type(screen).__name__ == "CodeScreen"
            copy = tmp_path / "code" / "code-gradient-check" / "gradient_check.py"
            assert copy.is_file()
            editor = screen.query_one("TextArea")
            editor.text = editor.text + "\n# my change\n"
            await pilot.press("ctrl+s")
            assert copy.read_text().endswith("# my change\n")
            await pilot.press("ctrl+r")
            await settle(pilot, rounds=4)
            results = str(screen.query_one("#results-text").render())
            assert "tests passed" in results and "FAIL" in results
            assert screen.last_verdict.status == "incorrect"
            assert app.store.part_status("code-gradient-check", "a") == "attempted"
            # the reference solution passes every test
            from app_helpers import BANK

            editor.text = (BANK / "solutions" / "gradients" / "gradient_check.py").read_text()
            await pilot.press("ctrl+r")
            await settle(pilot, rounds=4)
            assert screen.last_verdict.status == "correct", str(screen.query_one("#results-text").render())
            editor.focus()
            await pilot.press("escape", "escape")  # leave the editor box, then the screen
            await settle(pilot)
            assert type(app.screen).__name__ == "ExerciseScreen"
            assert part_view(app, "a").status == "solved"
    run(go())


# -- lab and progress ------------------------------------------------------------------------------

def test_lab_run_draws_the_charts(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot, rounds=4)
            screen = app.screen
            assert type(screen).__name__ == "LabScreen"
            loss, path = screen.query_one("#loss-chart"), screen.query_one("#path-chart")
            assert loss.drawn and path.drawn
            rendered = str(loss.render())
            assert "gd" in rendered and "iteration" in rendered
            assert "gd:" in str(screen.query_one("#lab-notes").render())
            # a bad value is a message, not a crash
            screen.query_one("#lr", Input).value = "-1"
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert "positive" in str(screen.query_one("#lab-notes").render())
    run(go())


def test_lab_newton_in_one_step_lands_on_the_minimizer(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot, rounds=4)
            await pilot.press("ctrl+n")
            await settle(pilot, rounds=4)
            screen = app.screen
            assert screen.last_settings.newton_preset
            notes = str(screen.query_one("#lab-notes").render())
            assert "lands on the minimizer" in notes
            assert screen.query_one("#optimizers").selected == ["newton"]
    run(go())


def test_progress_screen_counts_per_section_and_recent_activity(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "opt-step-size")
            screen = app.screen
            await type_answer(pilot, "a", f"2/{screen.variant.values['a']}")
            part_view(app, "b").submit(screen.variant.shown_answer("b", "a"))  # the right options, as shown
            await settle(pilot)
            part_view(app, "c").submit(screen.variant.shown_answer("c", "a, c"))
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            assert type(app.screen).__name__ == "ProgressScreen"
            sections = app.screen.query_one("#sections")
            rows = {str(sections.get_row_at(i)[0]): sections.get_row_at(i) for i in range(sections.row_count)}
            assert rows["Optimizers"][2] == "1" and rows["Optimizers"][4] == "1"
            assert "1 of 4 exercises solved" in str(app.screen.query_one("#totals").render())
            assert app.screen.query_one("#recent").row_count == 3
    run(go())


# -- faults ----------------------------------------------------------------------------------------

def test_a_damaged_progress_file_is_moved_aside_and_the_learner_told(tmp_path):
    (tmp_path / "progress.sqlite3").write_bytes(b"this is not a database" * 100)

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.store.persistent and app.saving
            messages = [n.message for n in app._notifications]
            assert any("damaged" in m for m in messages), messages
            await open_exercise(pilot, "grad-quadratic-form")
            await type_answer(pilot, "c", "4")
        assert list(tmp_path.glob("progress.sqlite3.damaged-*"))
        with sqlite3.connect(tmp_path / "progress.sqlite3") as conn:
            assert conn.execute("SELECT count(*) FROM events WHERE kind = 'attempt'").fetchone()[0] == 1
    run(go())


def test_an_unwritable_data_dir_runs_without_saving_and_says_so(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    async def go():
        app = make_app(blocker / "data")  # cannot be created, even by root
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert not app.store.persistent and not app.saving
            assert "NOT SAVING" in app.sub_title
            assert "NOT SAVING" in screen_text(app)[0]  # in the title row
            await open_exercise(pilot, "code-gradient-check")
            await pilot.press("ctrl+e")
            await settle(pilot)
            assert "NOT SAVED" in str(app.screen.query_one("#code-info").render())
            await pilot.press("ctrl+s")  # says it cannot, does not crash
            await pilot.pause()
    run(go())


def test_check_is_recorded_before_the_verdict_is_shown(tmp_path):
    """SIGKILL after a verdict is on screen loses nothing: the attempt was committed first."""
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            await type_answer(pilot, "c", "4")
            assert part_view(app, "c").last_verdict.status == "correct"
            # read from another connection while the app is still running (nothing flushed at exit)
            with sqlite3.connect(tmp_path / "progress.sqlite3") as conn:
                row = conn.execute("SELECT status FROM events WHERE kind = 'attempt'").fetchone()
            assert row == ("correct",)
    run(go())


def test_no_color_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    assert app.no_color
    monkeypatch.delenv("NO_COLOR")
    assert not make_app(tmp_path).no_color


def test_startup_is_logged(tmp_path, monkeypatch):
    log = tmp_path / "startup.log"
    monkeypatch.setenv("MCALC_TUTOR_STARTUP_LOG", str(log))

    async def go():
        app = make_app(tmp_path / "data")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.startup_seconds is not None and app.startup_seconds > 0
    run(go())
    lines = dict(line.split() for line in log.read_text().splitlines())
    assert float(lines["first-screen"]) >= float(lines["phase-ready"]) >= float(lines["phase-imported"]) > 0


def test_the_real_bank_opens_in_the_app(tmp_path):
    """The real bank (whatever is in it today) loads, and an exercise of each section and of each
    answer kind opens at 80×24. (All of them would take a minute; the kinds are what differ.)"""
    async def go():
        app = make_app(tmp_path, real_bank=True, warm=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.course.bank_loaded
            sample, seen = [], set()
            for entry in app.course.entries:
                new = {entry.section, *entry.kinds} - seen
                if new:
                    sample.append(entry)
                    seen |= new
            for entry in sample:
                app.open_exercise(entry.id)
                await settle(pilot)
                assert app.screen.entry.id == entry.id, entry.id
    run(go())

