"""Derivation and iterates parts in the app at 80×24 (issue 10, item 4): a multi-line box where
Enter is a new line and ctrl+r checks (said in the Footer and the placeholder), a preview that
reads the cursor's line, a verdict that names the first broken line, drafts that survive Esc and
a restart; and (item 2) each numeric part's precision policy shown with its prompt."""
from __future__ import annotations

import asyncio

from app_helpers import SIZE, make_app, open_exercise, part_view, screen_text, settle
from mcalc_tutor.app.widgets.lines_box import CHECK_KEY, LinesBox, lines_preview, without_blank_lines

DERIVATION = "mat-derive-by-differentials"
ITERATES = "opt-trajectories-ill-conditioned"


def run(coro):
    return asyncio.run(coro)


def keys(text: str) -> list[str]:
    """Key presses that type `text` (a new line is Enter)."""
    return ["space" if ch == " " else "enter" if ch == "\n" else ch for ch in text]


async def type_lines(pilot, part: str, text: str) -> LinesBox:
    box = pilot.app.screen.query_one(f"#part-{part} LinesBox", LinesBox)
    box.focus()
    await pilot.pause()
    await pilot.press(*keys(text))
    await pilot.pause()
    return box


async def check(pilot) -> None:
    await pilot.press(CHECK_KEY)
    await settle(pilot)


def test_enter_is_a_new_line_and_the_check_key_is_in_the_footer_and_placeholder(tmp_path):
    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, DERIVATION)
            box = app.screen.query_one("#part-a LinesBox", LinesBox)
            assert CHECK_KEY in str(box.placeholder) and "Enter: new line" in str(box.placeholder)
            await type_lines(pilot, "a", "d(x^T A x)\n= x^T A dx")
            await settle(pilot)
            assert box.text == "d(x^T A x)\n= x^T A dx"  # Enter added a line, checked nothing
            assert part_view(app, "a").verdict_panel.verdict is None
            assert app.store.part_status(DERIVATION, "a") == "new"
            assert "^r Check" in screen_text(app)[-1]
    run(go())


def test_a_wrong_line_is_named_and_a_right_derivation_is_correct(tmp_path):
    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, DERIVATION)
            await type_lines(pilot, "a", "d(x^T A x)\n= dx^T A x + x^T A dx\n= x^T A dx")
            preview = str(part_view(app, "a").query_one("AnswerPreview").render())
            assert preview.startswith("step 3:") and "xᵀ⋅A⋅dx" in preview  # the cursor's line, as read
            await check(pilot)
            verdict = part_view(app, "a").last_verdict
            assert verdict is not None and verdict.status in ("partial", "incorrect")
            assert verdict.message.startswith("Line 3 does not follow from line 2")
            rows = "\n".join(screen_text(app))
            assert "Line 3 does not follow from line 2" in rows
            assert app.store.last_answer(DERIVATION, "a") == "d(x^T A x)\n= dx^T A x + x^T A dx\n= x^T A dx"

            box = app.screen.query_one("#part-b LinesBox", LinesBox)
            await type_lines(pilot, "b", "d(tr(X^T A X))\n= tr(X^T (A + A^T) dX)\ndf/dX = (A + A^T) X")
            await check(pilot)
            verdict = part_view(app, "b").last_verdict
            assert verdict is not None and verdict.status == "correct", verdict.render()
            assert part_view(app, "b").status == "solved"
            assert "✓ Correct" in str(part_view(app, "b").verdict_panel.render())
            assert box.text.count("\n") == 2
    run(go())


def test_typing_after_a_right_derivation_brings_the_next_box_into_view(tmp_path):
    """A right answer moves the cursor on to the next part while the screen stays on the verdict;
    after a five-line derivation at 80×24 that box is below the fold, and the keys typed next
    must not land in a box the learner cannot see."""
    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, "grad-derive-by-differentials")
            await type_lines(pilot, "a", "x^T A x\n= x^T ((A + A^T)/2) x\n= (1/2) x^T A x + (1/2) x^T A^T x\n"
                                         "= x^T A x\ngrad f = (A + A^T) x")
            await check(pilot)
            await pilot.pause(0.2)
            assert part_view(app, "a").status == "solved"
            body, box = app.screen.query_one("#exercise-body"), app.screen.query_one("#part-b LinesBox")
            assert box.has_focus and not body.region.contains_region(box.region), \
                "the case this test is about: the next box focused, but out of sight"
            await pilot.press("d")
            await pilot.pause(0.2)
            assert box.text == "d" and body.region.contains_region(box.region)
    run(go())


def test_an_unreadable_line_is_shown_before_the_check_with_its_place(tmp_path):
    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, DERIVATION)
            await type_lines(pilot, "a", "d(x^T A x)\n= dx^T A x + x^T A dx)\n= x^T")
            preview = str(part_view(app, "a").query_one("AnswerPreview").render())
            assert "line 2, column 22" in preview and "^" in preview
            await check(pilot)
            assert part_view(app, "a").last_verdict.status == "invalid"
            assert app.store.part_status(DERIVATION, "a") == "new"  # unreadable: not a wrong attempt
    run(go())


def test_blank_lines_are_dropped_when_checking_so_line_numbers_match_the_box(tmp_path):
    assert without_blank_lines("a\n\n  \nb  \n") == "a\nb"

    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, DERIVATION)
            box = await type_lines(pilot, "a", "d(x^T A x)\n\n= dx^T A x + x^T A dx\n= x^T A dx")
            await check(pilot)
            assert box.text == "d(x^T A x)\n= dx^T A x + x^T A dx\n= x^T A dx"
            assert part_view(app, "a").last_verdict.message.startswith("Line 3 ")
    run(go())


def test_a_derivation_draft_survives_esc_and_a_restart(tmp_path):
    draft = "d(x^T A x)\n= dx^T A x + x^T A dx"

    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, DERIVATION)
            await type_lines(pilot, "a", draft)
            await pilot.press("escape")
            await settle(pilot)
            assert type(app.screen).__name__ == "MapScreen"
            assert app.store.drafts(DERIVATION) == {"a": draft}
            assert app.store.part_status(DERIVATION, "a") == "new"
            await open_exercise(pilot, DERIVATION)
            assert app.screen.query_one("#part-a LinesBox", LinesBox).text == draft
        app = make_app(tmp_path, real_bank=True)  # a new process
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, DERIVATION)
            box = app.screen.query_one("#part-a LinesBox", LinesBox)
            assert box.text == draft
            box.focus()
            box.move_cursor(box.document.end)
            await pilot.press(*keys("\n= x^T (A + A^T) dx\ngrad f = (A + A^T) x"))
            await check(pilot)
            assert part_view(app, "a").status == "solved"
            assert app.store.drafts(DERIVATION) == {}
    run(go())


def test_iterates_are_read_per_line_and_the_first_wrong_step_named(tmp_path):
    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, ITERATES)
            box = await type_lines(pilot, "a", "(0.05, -0.94)\n(1, 2")
            preview = str(part_view(app, "a").query_one("AnswerPreview").render())
            assert "iterate 2" in preview and "can't read" in preview
            await pilot.press(")")
            preview = str(part_view(app, "a").query_one("AnswerPreview").render())
            assert preview == "iterate 2: x = (1, 2)"
            box.move_cursor((0, 3))
            await pilot.pause()
            preview = str(part_view(app, "a").query_one("AnswerPreview").render())
            assert preview == "iterate 1: x = (0.05, -0.94)"
            box.move_cursor(box.document.end)
            await pilot.press(*keys("\n(3, 4)"))
            await check(pilot)
            verdict = part_view(app, "a").last_verdict
            assert verdict.status in ("partial", "incorrect")
            assert "Step 1" in verdict.message or "Step 2" in verdict.message
    run(go())


def test_the_preview_never_raises_on_odd_text():
    from mcalc_tutor.content.loader import load_bank
    from mcalc_tutor.content.variants import make_variant

    variant = make_variant(load_bank().get(DERIVATION), 0)
    part = variant.part("a")
    for text in ("", "\n\n", "(((", "= =", "x" * 5000, "d(x^T A x)\n\n", "\x00"):
        for row in range(3):
            lines_preview(text, part, variant.symbols, row)


# -- item 2: the precision policy with the prompt ---------------------------------------------------

SIGFIGS_EXERCISE = """
id = "bg-precision-shown"
title = "Precision shown"
section = "background"
source = "seed003:norm-inequalities"
statement = "s"
[[parts]]
name = "a"
kind = "number"
prompt = "√101 ="
answer = "sqrt(101)"
sigfigs = 3
[[parts]]
name = "b"
kind = "number"
prompt = "1/9 ="
answer = "1/9"
"""


def _sigfigs_bank(tmp_path):
    root = tmp_path / "bank"
    (root / "background").mkdir(parents=True)
    (root / "background" / "bg-precision-shown.toml").write_text(SIGFIGS_EXERCISE, encoding="utf-8")
    (tmp_path / "solutions").mkdir()
    return root, tmp_path / "solutions"


def test_a_numeric_part_shows_its_precision_with_the_prompt(tmp_path):
    from mcalc_tutor.app.app import TutorApp
    from mcalc_tutor.app.course import Course

    async def go():
        app = TutorApp(tmp_path / "data", course=Course(*_sigfigs_bank(tmp_path)), warm=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_exercise(pilot, "bg-precision-shown")
            prompt = part_view(app, "a").query_one(".part-prompt")
            assert str(prompt.render()) == "√101 =\nPrecision: exact, or 3 significant figures"
            assert any(row.strip(" ▎") == "Precision: exact, or 3 significant figures" for row in screen_text(app))
            unstated = str(part_view(app, "b").query_one(".part-prompt").render())
            assert unstated == "1/9 ="  # no policy stated: nothing added
    run(go())


def test_show_prints_the_precision_with_the_prompt(tmp_path, capsys):
    from mcalc_tutor.cli import main
    from mcalc_tutor.content.loader import load_exercise
    from mcalc_tutor.content.statement import render_statement
    from mcalc_tutor.content.variants import make_variant

    root, _ = _sigfigs_bank(tmp_path)
    exercise, problems = load_exercise(root / "background" / "bg-precision-shown.toml")
    assert exercise is not None, problems
    text = render_statement(make_variant(exercise, 0))
    assert "(a) √101 =\n  - precision: exact, or 3 significant figures\n\n(b) 1/9 =" in text
    assert text.count("precision:") == 1

    assert main(["show", "grad-directional-derivative"]) == 0  # the real bank, through the command
    out = capsys.readouterr().out
    assert out.count("precision: exact, or 3 significant figures") == 2  # parts (d) and (e)
    assert "precision:" not in out[out.index("(a) "):out.index("(b) ")]  # an expression part has none
    assert "precision: exact, or 3 significant figures" in out[out.index("(d) "):out.index("(e) ")]


# -- submissions: a steps or iterates part is a multi-line TOML string ------------------------------

def test_the_template_gives_steps_and_iterates_parts_a_triple_quoted_blank(tmp_path):
    import tomllib

    from mcalc_tutor.grading.template import template

    text = template([DERIVATION, ITERATES], seed=0)
    assert 'a = """\n"""' in text and "one step per line" in text and "one iterate per line" in text
    answers = tomllib.loads(text)["answers"]
    assert answers[DERIVATION]["a"] == "" and answers[ITERATES]["a"] == ""  # blank until written
    assert answers[ITERATES]["b"] == ""  # a choice part keeps its one-line blank
    derivation = "d(x^T A x)\n= x^T (A + A^T) dx\n∇f = (A + A^T) x\n"
    filled = text.replace('a = """\n"""', f'a = """\n{derivation}"""', 1)  # the first: the derivation's (a)
    assert tomllib.loads(filled)["answers"][DERIVATION]["a"] == derivation


def test_a_prompt_wrapped_in_its_toml_is_one_paragraph_at_80_columns(tmp_path):
    """The bank wraps long prompts at about 100 columns; shown as written, each such prompt had a
    ragged short line at 80 ("…two steps" / "with α = 0.1…")."""
    from mcalc_tutor.app.widgets.part_view import reflowed

    assert reflowed("one two\nthree\n\nfour\n five ") == "one two three\n\nfour five"

    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_exercise(pilot, ITERATES)
            prompt = part_view(app, "d").query_one(".part-prompt")
            text = str(prompt.render())
            assert "\n" not in text and "two steps with α = 0.1" in text
            assert "\n" in app.course.exercise(ITERATES).parts[3].prompt  # the case this test is about
    run(go())
