"""The learner's session at 80×24 (issue 14): no keystroke lands in the wrong box, choice parts
that answer to their keys, verdicts that fit, drafts that survive, a map that explains itself."""
from __future__ import annotations

import asyncio
import time

from textual.widgets import Input

from app_helpers import SIZE, make_app, open_exercise, part_view, screen_text, settle, type_answer
from mcalc_tutor.app.screens.exercise import DRAFT_DELAY_S


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
            screen = await open_exercise(pilot, "opt-step-size")
            # options are shuffled per variant: the learner presses the letters shown; the store
            # keeps the options by their declaration letters (b: "one step" is (a); c: (a) and (c))
            shown = screen.variant.shown_answer
            wrong, right = shown("b", "b"), shown("b", "a")
            single = part_view(app, "b").query_one("ChoiceList")
            single.focus()
            await pilot.press(wrong)
            assert single.highlighted == ord(wrong) - ord("a")
            await pilot.press("enter")
            await settle(pilot)
            assert part_view(app, "b").last_verdict.status == "incorrect"
            await pilot.press("enter")  # the same answer again: said, not recorded twice
            await settle(pilot)
            assert _attempts(app, "opt-step-size") == [("b", "b")]
            await pilot.press(right, "enter")
            await settle(pilot)
            assert part_view(app, "b").last_verdict.status == "correct"
            # focus moved on to (c), the multiple choice: letters tick, Enter checks
            multiple = part_view(app, "c").query_one("TickList")
            assert app.focused is multiple
            first, second = shown("c", "a, c").split(", ")
            await pilot.press(first, second)
            assert multiple.selected == [first, second]
            await pilot.press(second, second)  # a letter twice unticks and ticks again
            assert multiple.selected == [first, second]
            await pilot.press("enter")
            await settle(pilot)
            assert part_view(app, "c").last_verdict.status == "correct"
            assert _attempts(app, "opt-step-size") == [("b", "b"), ("b", "a"), ("c", "a, c")]
    run(go())


def test_choice_parts_say_their_keys_and_label_options_unlike_parts(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "opt-step-size")
            single, multiple = part_view(app, "b"), part_view(app, "c")
            assert str(single.query_one(".choice-keys").render()) == "↑↓ or a–c, then Enter"
            assert "Space or a–c ticks, then Enter checks" in str(multiple.query_one(".choice-keys").render())
            prompts = [str(single.query_one("ChoiceList").get_option_at_index(i).prompt) for i in range(3)]
            options = screen.variant.part("b").choices  # in this variant's (shuffled) order
            assert sorted(options) == ["never exactly", "one step", "two steps"]
            assert prompts == [f"{letter}. {text}" for letter, text in zip("ABC", options, strict=True)]
            assert not any(p.startswith("(") for p in prompts)
    run(go())


# -- (3) verdicts that fit -----------------------------------------------------------------------

def test_a_wrong_verdict_takes_at_most_three_lines_and_the_prompt_stays_on_screen(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            assert "Details" not in screen_text(app)[-1]  # nothing to detail yet
            await type_answer(pilot, "b", "2 A x")
            panel = part_view(app, "b").query_one("VerdictPanel")
            assert 1 <= panel.size.height <= 3
            rows = screen_text(app)
            shown = "\n".join(rows)
            assert "✗ Not right" in shown and "only when A is symmetric" in shown
            assert "Read as" not in shown and "• symmetric" not in shown  # the preview already reads it back
            assert any("∇f(x) =" in row for row in rows) and any("(b) • attempted" in row for row in rows)
            assert "Details" in rows[-1] and "Help" in rows[-1]  # the key is in the footer, and it all fits
            await pilot.press("ctrl+f")
            await pilot.pause()
            shown = "\n".join(screen_text(app))
            assert "Read as: 2⋅A⋅x" in shown and "• symmetric" in shown
            assert panel.size.height > 3
            await pilot.press("ctrl+f")
            await pilot.pause()
            assert panel.size.height <= 3
    run(go())


def test_an_unreadable_answer_gets_its_message_and_caret_in_three_lines(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            await type_answer(pilot, "b", "(A + A^T")
            panel = part_view(app, "b").query_one("VerdictPanel")
            assert panel.size.height == 3
            rows = [row for row in screen_text(app) if "█" in row]  # the panel's rows
            assert "Cannot check" in rows[0] and "never closed" in rows[0]
            assert rows[1].rstrip().endswith("(A + A^T") and rows[2].strip().endswith("^")
    run(go())


def test_a_long_message_is_cut_with_an_ellipsis_not_lost_off_screen(tmp_path):
    from rich.console import Console

    from mcalc_tutor.app.widgets.verdict import render_brief
    from mcalc_tutor.checking.verdict import Verdict

    long = Verdict("incorrect", 0.0, "word " * 200)
    console = Console(width=60, record=True)
    console.print(render_brief(long, 1, width=60))
    lines = console.export_text().rstrip("\n").splitlines()
    assert len(lines) == 3 and lines[-1].endswith("…")


# -- (4) drafts ------------------------------------------------------------------------------------

def test_a_draft_survives_esc_and_a_restart_and_goes_once_checked(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            box = app.screen.query_one("#part-b Input", Input)
            box.focus()
            await pilot.press(*keys("(A + A^T"))
            await pilot.press("escape")  # back to the map at once: nothing checked, nothing lost
            await settle(pilot)
            assert type(app.screen).__name__ == "MapScreen"
            assert app.store.drafts("grad-quadratic-form") == {"b": "(A + A^T"}
            assert app.store.part_status("grad-quadratic-form", "b") == "new"  # a draft is not an attempt
            await open_exercise(pilot, "grad-quadratic-form")
            assert app.screen.query_one("#part-b Input", Input).value == "(A + A^T"
        app = make_app(tmp_path)  # a new process
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            box = app.screen.query_one("#part-b Input", Input)
            assert box.value == "(A + A^T"
            box.focus()
            await pilot.press("end", *keys(") x"), "enter")
            await settle(pilot)
            assert part_view(app, "b").status == "solved"
            assert app.store.drafts("grad-quadratic-form") == {}
    run(go())


def test_a_draft_is_written_when_typing_pauses_and_on_quit(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            box = app.screen.query_one("#part-c Input", Input)
            box.focus()
            typed_at = time.monotonic()
            await pilot.press("4", "2")
            if time.monotonic() - typed_at < DRAFT_DELAY_S / 2:  # (a loaded machine can take longer over two keys)
                assert app.store.drafts("grad-quadratic-form") == {}  # not on every key
            await pilot.pause(DRAFT_DELAY_S + 0.3)
            assert app.store.drafts("grad-quadratic-form") == {"c": "42"}
            await pilot.press("backspace")
        # quitting (the test harness exits the app) keeps the last keys too
        from mcalc_tutor.progress.store import open_store

        store, _ = open_store(tmp_path)
        try:
            assert store.drafts("grad-quadratic-form") == {"c": "4"}
        finally:
            store.close()
    run(go())


def test_an_edited_solved_answer_is_a_draft_marked_edited_after_a_restart(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            box = app.screen.query_one("#part-c Input", Input)
            box.focus()
            box.value = "4"
            await pilot.press("enter")
            await settle(pilot)
            box.focus()
            await pilot.press("end", "0")
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            assert app.screen.query_one("#part-c Input", Input).value == "40"
            assert "solved" in header(app, "c") and "edited — check again" in header(app, "c")
    run(go())


# -- (5) the map -----------------------------------------------------------------------------------

def test_the_map_has_a_legend_for_its_marks_that_fits(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            rows = screen_text(app)
            legend = rows[-2]  # just above the footer
            for mark in ("●○○", "difficulty", "⚄", "your own numbers", "✓ solved", "• attempted", "○ new"):
                assert mark in legend, legend
            assert any("⚄" in row and "Step sizes" in row for row in rows)  # the mark it explains
    run(go())


def test_continue_skips_a_solved_exercise_and_opens_at_the_first_unsolved_part(tmp_path):
    from mcalc_tutor.progress.store import open_store

    store, _ = open_store(tmp_path)
    store.record_attempt("code-gradient-check", "a", "code", "correct", 1)  # solved: the only part
    store.record_attempt("grad-quadratic-form", "a", "x^T A x", "correct", 1)  # the next one, half done
    store.set_position("code-gradient-check")
    store.close()

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            line = str(app.screen.query_one("#resume-line").render())
            assert "next unsolved" in line and "Gradient of a quadratic form" in line
            await pilot.press("c")
            await settle(pilot)
            assert app.screen.entry.id == "grad-quadratic-form"
            assert app.screen.current_part == "b"
            assert app.focused is app.screen.query_one("#part-b Input")
    run(go())


def test_the_exercise_heading_keeps_status_variant_and_place_at_80_columns(tmp_path):
    from mcalc_tutor.app.course import section_title

    async def go():
        app = make_app(tmp_path, real_bank=True, warm=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            randomized = [e for e in app.course.entries if e.randomized]
            entry = max(randomized, key=lambda e: len(section_title(e.section)))  # the longest heading
            await open_exercise(pilot, entry.id)
            heading = str(app.screen.query_one("#exercise-heading").render())
            assert heading.rstrip().endswith(f"/{len(app.course.entries)}")
            assert "○ new" in heading and "⚄ your own variant" in heading and "●" in heading
            assert len(heading) <= SIZE[0] - 2
            assert any(heading.strip() in row for row in screen_text(app))
    run(go())


# -- (8) small ones ------------------------------------------------------------------------------

def test_the_code_editor_shows_where_it_saves_even_for_a_long_path(tmp_path):
    data = tmp_path / ("a-rather-long-folder-name-" * 4) / "mcalc-tutor-data"

    async def go():
        app = make_app(data)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "code-gradient-check")
            await pilot.press("ctrl+e")
            await settle(pilot)
            info = screen_text(app)[1]
            assert "saved to …" in info and "code-gradient-check/gradient_check.py" in info
            assert (data / "code" / "code-gradient-check" / "gradient_check.py").is_file()
    run(go())


def test_short_path_keeps_the_end_and_uses_tilde(monkeypatch, tmp_path):
    from pathlib import Path

    from mcalc_tutor.app.screens.code import short_path

    monkeypatch.setenv("HOME", str(tmp_path))
    assert short_path(tmp_path / "code" / "x.py", 40) == "~/code/x.py"
    cut = short_path(Path("/very") / ("long" * 20) / "code" / "ex" / "file.py", 30)
    assert len(cut) == 30 and cut.startswith("…") and cut.endswith("/code/ex/file.py")


def test_the_last_hint_is_said_in_the_part_not_in_a_toast_over_it(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            app.screen.query_one("#part-b Input").focus()
            await pilot.pause()
            await pilot.press("ctrl+t", "ctrl+t")
            await pilot.pause()
            await pilot.press("ctrl+t")  # there are two
            await pilot.pause()
            assert not app._notifications  # no toast
            hints = str(part_view(app, "b").query_one(".part-hints").render())
            assert "Hint 2:" in hints and "That was the last hint" in hints and "ctrl+o" in hints
            assert app.store.hints_used("grad-quadratic-form", "b") == 2
            rows = "\n".join(screen_text(app))
            assert "That was the last hint" in rows
            assert app.screen.query_one("#part-b Input").region.height > 0
    run(go())


# -- (7, the app's part) the lab when two charts do not fit ----------------------------------------

def test_the_lab_at_80x24_shows_one_chart_and_a_key_switches_it(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot, rounds=4)
            loss, path = app.screen.query_one("#loss-chart"), app.screen.query_one("#path-chart")
            assert loss.display and not path.display
            assert loss.size.height >= 2 * app.screen.MIN_CHART_ROWS - 6  # the room of both, nearly
            assert "Other chart" in screen_text(app)[-1]
            assert any("iteration" in row for row in screen_text(app))
            await pilot.press("ctrl+t")
            await settle(pilot, rounds=4)
            assert path.display and not loss.display and path.drawn
            assert any("level curves" in row for row in screen_text(app))
            await pilot.press("ctrl+t")
            await settle(pilot)
            assert loss.display and not path.display
    run(go())


def test_a_tall_lab_shows_both_charts_and_no_switch_key(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=(80, 40)) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot, rounds=4)
            loss, path = app.screen.query_one("#loss-chart"), app.screen.query_one("#path-chart")
            assert loss.display and path.display and loss.drawn and path.drawn
            assert "Other chart" not in screen_text(app)[-1]
    run(go())


# -- (6, a first piece) the variant's seed ---------------------------------------------------------

def test_a_randomized_exercise_shows_its_seed_for_the_command_line(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "opt-step-size")
            note = str(screen.query_one("#exercise-end").render())
            seed = app.store.learner_seed("opt-step-size")
            assert f"seed {seed}" in note and f"--seed {seed} opt-step-size:PART" in note
            screen = await open_exercise(pilot, "grad-quadratic-form")  # not randomized: no note
            assert str(screen.query_one("#exercise-end").render()).strip() == ""
    run(go())


def test_the_seed_shown_gives_the_command_line_the_same_numbers(tmp_path):
    """`mcalc-tutor show ID --seed N`, with the N on screen, prints the learner's own numbers."""
    import subprocess
    import sys

    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.course.load()
            for entry in (e for e in app.course.entries if e.randomized):
                own = app.course.variant(entry.id, app.store.learner_seed(entry.id))
                if own.statement != app.course.variant(entry.id, 0).statement:
                    break
            else:
                raise AssertionError("no randomized exercise whose statement depends on its seed")
            screen = await open_exercise(pilot, entry.id)
            assert f"seed {screen.variant.seed}" in str(screen.query_one("#exercise-end").render())
            zero = app.course.variant(entry.id, 0).statement.splitlines()
            own_lines = [line.strip() for line in screen.variant.statement.splitlines()
                         if line.strip() and line not in zero]
            return entry.id, screen.variant.seed, own_lines

    exercise_id, seed, own_lines = run(go())
    assert own_lines
    out = subprocess.run([sys.executable, "-m", "mcalc_tutor", "show", exercise_id, "--seed", str(seed)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    shown = " ".join(out.stdout.split())
    for line in own_lines:
        assert " ".join(line.split()) in shown, line


def test_a_solved_exercise_opens_with_no_answer_box_focused(tmp_path):
    from mcalc_tutor.progress.store import open_store

    store, _ = open_store(tmp_path)
    for part, answer in (("a", "x^T A x"), ("b", "(A + A^T) x"), ("c", "4"), ("d", "x^T (A + A^T)")):
        store.record_attempt("grad-quadratic-form", part, answer, "correct", 1)
    store.close()

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-quadratic-form")
            assert not isinstance(app.focused, Input)
            await pilot.press("z")
            assert app.screen.query_one("#part-a Input", Input).value == "x^T A x"
    run(go())
