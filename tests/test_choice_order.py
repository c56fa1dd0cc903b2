"""Choice options are shuffled per variant and the option, not its position, is what counts
(issue 11 "Choices"); `check` and `show` with --data-dir use the learner's own variant (issue 14
item 6); worked examples in templated solutions use the variant's own numbers (item 8)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from mcalc_tutor.checking.verdict import CORRECT
from mcalc_tutor.cli import main
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.paths import solutions_dir
from mcalc_tutor.content.solutions import OPTION_TOKEN, PART_HEADING, solution_markdown
from mcalc_tutor.content.variants import make_variant, option_order, substitute
from mcalc_tutor.grading.assignment import load_assignment
from mcalc_tutor.grading.grader import grade_assigned
from mcalc_tutor.grading.template import answer_key, student_template

BANK = load_bank()
CHOICE_EXERCISES = [ex for ex in BANK.exercises if any(p.kind == "choice" for p in ex.parts)]
SEEDS = range(8)


def _declared(letters: str) -> set[str]:
    return {a.strip() for a in str(letters).split(",")}


def test_the_order_is_a_stable_permutation_drawn_from_sha256():
    ex = BANK.get("jac-linear-maps")
    part = ex.part("a")
    order = option_order(ex, part, 0)
    assert sorted(order) == list(range(len(part.choices)))
    # The same on every run, machine and Python version: SHA-256 only, no hash(), no `random`.
    assert order == (3, 2, 1, 0)  # pinned: a change here reshuffles every learner's stored view
    code = ("from mcalc_tutor.content.loader import load_bank; from mcalc_tutor.content.variants import option_order;"
            "ex = load_bank().get('jac-linear-maps'); print(list(option_order(ex, ex.part('a'), 0)))")
    for hash_seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                             env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"})
        assert out.stdout.strip() == str(list(order)), out.stderr


def test_a_randomized_exercise_gets_several_orders_and_a_fixed_one_one_order():
    randomized = next(ex for ex in CHOICE_EXERCISES if ex.randomized
                      and any(p.kind == "choice" and len(p.choices) >= 4 for p in ex.parts))
    name = next(p.name for p in randomized.parts if p.kind == "choice" and len(p.choices) >= 4)
    assert len({make_variant(randomized, s).part(name).choices for s in range(12)}) > 1
    fixed = BANK.get("jac-linear-maps")  # no parameters: one variant, whatever the seed
    assert not fixed.randomized
    assert len({make_variant(fixed, s).part("a").choices for s in range(12)}) == 1


def test_right_options_are_no_longer_mostly_a_or_b(capsys):
    """Measured over the bank's single-answer choice parts and seeds 0–19: the share of right
    answers at each position is what a uniform shuffle gives, not the authors' 70 % at (a)/(b)."""
    declared, shown, expected_ab, n = Counter(), Counter(), 0.0, 0
    for ex in CHOICE_EXERCISES:
        for part in ex.parts:
            if part.kind != "choice" or "," in str(part.answer):
                continue
            for seed in range(20) if ex.randomized else (0,):
                declared[str(part.answer)] += 1
                shown[str(make_variant(ex, seed).part(part.name).answer)] += 1
                expected_ab += min(2, len(part.choices)) / len(part.choices)
                n += 1
    share = (shown["a"] + shown["b"]) / n
    before = (declared["a"] + declared["b"]) / n
    with capsys.disabled():
        print(f"\nright option's position over {n} (part, seed) pairs: declared {dict(sorted(declared.items()))}"
              f" ({before:.0%} at a/b); shown {dict(sorted(shown.items()))} ({share:.0%} at a/b; "
              f"uniform would give {expected_ab / n:.0%})")
    assert before > 0.6  # the bank as written: the problem this fixes
    assert abs(share - expected_ab / n) < 0.06
    assert max(shown.values()) / n < 0.35


@pytest.mark.parametrize("ex", CHOICE_EXERCISES, ids=[e.id for e in CHOICE_EXERCISES])
def test_the_shown_letter_is_right_and_a_listed_mistake_keeps_its_feedback_in_every_variant(ex):
    for seed in SEEDS if ex.randomized else (0,):
        variant = make_variant(ex, seed)
        for declared_part in ex.parts:
            if declared_part.kind != "choice":
                continue
            part = variant.part(declared_part.name)
            as_declared = [substitute(c, variant.values, for_math=False) for c in declared_part.choices]
            assert sorted(part.choices) == sorted(as_declared)

            def texts(letters: str, choices) -> set[str]:
                return {choices[ord(a) - ord("a")] for a in _declared(letters)}

            # the right options are the same options, wherever they are shown, and the letters
            # the learner sees for them are right
            right = variant.shown_answer(part.name, str(declared_part.answer))
            assert texts(right, part.choices) == texts(declared_part.answer, as_declared)
            assert check_part(variant, part, right).status == CORRECT, (seed, part.name, right)
            assert variant.stored_answer(part.name, right) == ", ".join(sorted(_declared(declared_part.answer)))
            for declared_mistake, mistake in zip(declared_part.mistakes, part.mistakes, strict=True):
                typed = variant.shown_answer(part.name, declared_mistake.answer)
                assert texts(typed, part.choices) == texts(declared_mistake.answer, as_declared)
                verdict = check_part(variant, part, typed, reveal=True)
                assert verdict.status != CORRECT
                assert mistake.feedback in [d.message for d in verdict.diagnostics], (seed, part.name, typed)


def test_options_that_speak_of_the_others_keep_their_place():
    ex = BANK.get("hess-quadratic-forms")
    part = ex.part("d")
    last = part.choices.index("None of them")
    for seed in SEEDS:
        assert option_order(ex, part, seed)[last] == last


def test_stored_and_shown_answers_are_inverse_and_old_records_need_no_migration():
    """What is stored is the declaration letter, which is what builds before shuffling recorded
    (they showed the declared order): an old record is read right by `shown_answer` as it is."""
    ex = BANK.get("cvx-convex-sets")  # randomized, with a multiple-answer part (a)
    assert ex.randomized and "," in str(ex.part("a").answer)
    shown_orders = set()
    for seed in SEEDS:
        variant = make_variant(ex, seed)
        shown_orders.add(variant.part("a").choices)
        for letters, stored in (("a", "a"), ("b, d", "b, d"), ("a,c,d", "a, c, d"), ("c and d", "c, d")):
            shown = variant.shown_answer("a", letters)
            assert variant.stored_answer("a", shown) == stored
        old = str(ex.part("a").answer)  # the right answer, as an old build stored it
        assert check_part(variant, variant.part("a"), variant.shown_answer("a", old)).status == CORRECT
        assert variant.shown_answer("a", "not letters") == "not letters"
    assert len(shown_orders) > 1
    # a part that is not a choice is stored as typed
    assert make_variant(ex, 3).stored_answer("b", "0") == "0"


# -- the solution's option names and answer lines -------------------------------------------------

def _sections(ex, text: str):
    current = ex.parts[0].name if len(ex.parts) == 1 else None
    for line in text.split("\n"):
        heading = PART_HEADING.match(line)
        if heading:
            current = heading.group(1)
        yield current, line


@pytest.mark.parametrize("ex", CHOICE_EXERCISES, ids=[e.id for e in CHOICE_EXERCISES])
def test_solutions_name_options_by_token_and_show_them_in_the_variants_letters(ex):
    raw = (solutions_dir() / ex.section / f"{ex.id}.md").read_text(encoding="utf-8")
    choice = {p.name: p for p in ex.parts if p.kind == "choice"}
    for part_name, line in _sections(ex, raw):
        for token in OPTION_TOKEN.finditer(line):
            assert part_name in choice, f"{{opt {token.group(1)}}} outside a choice part's section: {line}"
            assert ord(token.group(1)) - ord("a") < len(choice[part_name].choices), line
        if part_name in choice:  # a bullet about an option names it by token, not by a fixed "(b)"
            assert not re.match(r"^- \([a-h]\)", line), f"({part_name}): {line}"
    for seed in SEEDS if ex.randomized else (0,):
        variant = make_variant(ex, seed)
        text = solution_markdown(variant)
        assert "{opt " not in text
        for part_name in choice:  # bullets about the options, listed in the order the options are shown
            run = [line[2] for p, line in _sections(ex, text) if p == part_name and re.match(r"^- [A-H]\b", line)]
            assert run == sorted(run), (seed, part_name, run)


def test_a_solution_bullet_names_the_option_the_learner_sees():
    ex = BANK.get("jac-polar-coordinates")  # (d): "- {opt b} is right." — option (b) is "Where r = 0."
    for seed in (0, 1, 2):
        variant = make_variant(ex, seed)
        letter = variant.shown_answer("d", "b").upper()
        assert variant.part("d").choices[ord(letter) - ord("A")] == "Where r = 0."
        assert f"- {letter} is right." in solution_markdown(variant)


# -- the template, the key and the grader agree ---------------------------------------------------

ASSIGNMENT = """\
id = "choices"
title = "Choices"
feedback = "diagnostics"
visibility = "after_due_date"

[[exercises]]
id = "jac-softmax"

[[exercises]]
id = "jac-linear-maps"

[[exercises]]
id = "cvx-hessian-test"
"""


def test_key_template_and_grader_agree_for_several_seeds(tmp_path):
    from mcalc_tutor.grading.seeds import assignment_key

    path = tmp_path / "assignment.toml"
    path.write_text(ASSIGNMENT, encoding="utf-8")
    assignment = load_assignment(path)
    key = assignment_key(b"a-secret-for-tests", assignment.id)
    seeds = set()
    for student in ("s1", "s2", "s3", "s4", "s5"):
        seed = assignment.seed_for(student, key)
        seeds.add(seed)
        template = student_template(assignment, seed, student)
        key_parts = answer_key(assignment, seed, student)["parts"]
        answers = {(p["exercise"], p["part"]): p["answer"] for p in key_parts}
        options = {(p["exercise"], p["part"]): p.get("options") for p in key_parts}
        for ex_id in ("jac-softmax", "jac-linear-maps", "cvx-hessian-test"):
            variant = make_variant(BANK.get(ex_id), seed)
            for part in variant.parts:
                if part.kind == "choice":
                    listed = [f"#     {chr(ord('a') + i)}) {c}" for i, c in enumerate(part.choices)]
                    assert "\n".join(listed) in template  # the options in this variant's order
                    assert answers[(ex_id, part.name)] == str(part.answer)
                    declared = BANK.get(ex_id).part(part.name)  # the key names the right options themselves
                    right = [substitute(declared.choices[ord(a.strip()) - ord("a")], variant.values, for_math=False)
                             for a in str(declared.answer).split(",")]
                    assert sorted(options[(ex_id, part.name)]) == sorted(right)
        lines, current = [], None
        for line in template.splitlines():
            if line.startswith("[answers."):
                current = line[len("[answers."):-1]
            name = line.split("=")[0].strip()
            if current and line.endswith('= ""') and (current, name) in answers:
                line = f"{name} = {json.dumps(answers[(current, name)])}"
            lines.append(line)
        filled = tmp_path / f"{student}.toml"
        filled.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = grade_assigned(filled, assignment, key)
        assert result.seed == seed
        assert result.score == result.max_score > 0, [(p.part, p.status, p.feedback) for p in result.parts]
    assert len(seeds) > 1


def test_a_key_answer_for_one_seed_is_not_the_answer_at_another_when_options_move():
    ex = BANK.get("cvx-hessian-test")
    assert ex.randomized
    name = next(p.name for p in ex.parts if p.kind == "choice" and len(p.choices) >= 4)
    answers = {str(make_variant(ex, s).part(name).answer) for s in range(12)}
    assert len(answers) > 1  # the letter moves with the variant: the key must be the student's own


# -- `check` and `show` with --data-dir use the learner's own variant (issue 14, item 6) -----------

def _learner_with_a_shuffled_variant(tmp_path: Path):
    from mcalc_tutor.progress.store import open_store

    ex = BANK.get("cvx-hessian-test")
    name = next(p.name for p in ex.parts if p.kind == "choice" and len(p.choices) >= 4)
    for attempt in range(40):
        data = tmp_path / f"learner{attempt}"
        store, _ = open_store(data)
        seed = store.learner_seed(ex.id)
        store.close()
        own, zero = make_variant(ex, seed), make_variant(ex, 0)
        if seed != 0 and own.part(name).answer != zero.part(name).answer and own.statement != zero.statement:
            return data, ex, name, own, zero
    raise AssertionError("no learner whose variant differs from variant 0")


def test_check_with_a_data_dir_grades_the_learners_own_variant(tmp_path, capsys):
    data, ex, name, own, zero = _learner_with_a_shuffled_variant(tmp_path)
    mine = str(own.part(name).answer)
    assert main(["--data-dir", str(data), "check", f"{ex.id}:{name}", mine, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "correct"
    assert main(["check", f"{ex.id}:{name}", mine, "--json"]) == 1  # variant 0 has its options elsewhere
    capsys.readouterr()
    assert main(["--data-dir", str(data), "check", f"{ex.id}:{name}", str(zero.part(name).answer)]) == 1
    capsys.readouterr()
    # --seed still wins
    assert main(["--data-dir", str(data), "check", f"{ex.id}:{name}", str(zero.part(name).answer), "--seed", "0"]) == 0


def test_show_with_a_data_dir_prints_the_learners_own_variant(tmp_path, capsys):
    data, ex, name, own, zero = _learner_with_a_shuffled_variant(tmp_path)
    assert main(["--data-dir", str(data), "show", ex.id]) == 0
    out = capsys.readouterr().out
    assert f"(variant {own.seed})" in out
    listed = [f"  - {chr(ord('a') + i)}) {c}" for i, c in enumerate(own.part(name).choices)]
    assert "\n".join(listed) in out
    assert main(["show", ex.id]) == 0
    assert "(variant 0)" in capsys.readouterr().out


def test_a_data_dir_without_progress_is_not_created_and_means_variant_0(tmp_path, capsys):
    empty = tmp_path / "nobody"
    assert main(["--data-dir", str(empty), "show", "jac-linear-maps"]) == 0
    captured = capsys.readouterr()
    assert "no progress" in captured.err and not empty.exists()


# -- worked examples use the variant's own numbers (issue 14, item 8) ------------------------------

EXAMPLE = re.compile(r"^(for example|for instance|in the example)\b|\be\.g\.|\(?\*\*\([^)]+\)\*\*\)? in the example",
                     re.IGNORECASE)
TEMPLATED = [ex for ex in BANK.exercises if ex.randomized
             and "{" in (solutions_dir() / ex.section / f"{ex.id}.md").read_text(encoding="utf-8")]


@pytest.mark.parametrize("ex", TEMPLATED, ids=[e.id for e in TEMPLATED])
def test_worked_examples_in_templated_solutions_follow_the_variant(ex):
    """A narrower check than "every passage that depends on parameters": every worked example
    ("For example…", "For instance…", "e.g.", "In the example…") of a randomized exercise's
    solution is written with placeholders, and renders differently for different variants. A
    literal example would be another variant's numbers (or no variant's)."""
    raw = (solutions_dir() / ex.section / f"{ex.id}.md").read_text(encoding="utf-8")
    paragraphs = [p for p in raw.split("\n\n") if EXAMPLE.search(p.strip().split("\n")[0])
                  or re.search(r"\bIn the example\b|\be\.g\.|\bFor (example|instance)\b", p)]
    for paragraph in paragraphs:
        assert re.search(r"\{[A-Za-z][A-Za-z0-9_]*\}", paragraph), f"a literal worked example: {paragraph[:120]!r}"
        rendered = set()
        for seed in range(12):
            text = solution_markdown(make_variant(ex, seed))
            index = raw.split("\n\n").index(paragraph)
            rendered.add(text.split("\n\n")[index])
        assert len(rendered) > 1, f"the same for every variant: {paragraph[:120]!r}"


# -- the app records the option and shows an old record in the variant's letters -------------------

def test_the_app_stores_the_option_and_restores_an_old_record_in_the_variants_letters(tmp_path):
    import asyncio

    from app_helpers import SIZE, make_app, open_exercise, part_view, settle
    from mcalc_tutor.progress.store import open_store

    store, _ = open_store(tmp_path)
    # an older build recorded (c)'s right answer by the declared letters: "α = 1/a" and "α = 1.5/a"
    store.record_attempt("opt-step-size", "c", "a, c", "correct", 1.0)
    store.close()

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "opt-step-size")
            view = part_view(app, "c")
            shown = screen.variant.shown_answer("c", "a, c")
            assert view.checked_answer == shown
            assert sorted(view.query_one("TickList").selected) == shown.split(", ")
            ticked = {screen.variant.part("c").choices[ord(x) - ord("a")] for x in shown.split(", ")}
            assert all(t.startswith("α = 1/") or t.startswith("α = 1.5/") for t in ticked)
            single = view = part_view(app, "b")
            right = screen.variant.shown_answer("b", "a")  # "one step", wherever it is shown
            single.query_one("ChoiceList").focus()
            await pilot.press(right, "enter")
            await settle(pilot)
            assert view.last_verdict.status == "correct"
            return app.store._run(lambda c: c.execute(
                "SELECT answer FROM events WHERE part = 'b' AND kind = 'attempt'").fetchall(), write=False)

    assert asyncio.run(go()) == [("a",)]  # stored as the option's declaration letter
