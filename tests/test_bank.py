"""The exercise bank's quality bar: everything loads, every expected answer is verified
independently (finite differences, direct evaluation, Hessian eigenvalues), every worked
solution's answers are accepted, every listed mistake is rejected with its own feedback."""
from __future__ import annotations

import pytest

from mcalc_tutor.checking.verdict import CORRECT
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import known_sources, load_bank
from mcalc_tutor.content.model import SECTIONS
from mcalc_tutor.content.paths import solutions_dir
from mcalc_tutor.content.solutions import solution_answers
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.content.verify import verify_exercise

BANK = load_bank()
EXERCISES = BANK.exercises
IDS = [e.id for e in EXERCISES]
RANDOM_SEEDS = range(50)


def test_bank_loads_without_problems():
    assert BANK.problems == [], "\n".join(map(str, BANK.problems))


def test_bank_size():
    parts = [p for e in EXERCISES for p in e.parts]
    assert len(EXERCISES) >= 60 and len(parts) >= 150, (len(EXERCISES), len(parts))


def test_every_section_has_exercises():
    present = {e.section for e in EXERCISES}
    assert present == {name for name, _ in SECTIONS}


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_source_names_a_chapter_item(ex):
    assert ex.source in known_sources()


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_every_part_has_a_hint(ex):
    assert all(p.hints for p in ex.parts), [p.name for p in ex.parts if not p.hints]


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_expected_answers_verified_independently(ex):
    seeds = RANDOM_SEEDS if ex.randomized else (0,)
    problems = verify_exercise(ex, seeds=seeds)
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.randomized], ids=[e.id for e in EXERCISES if e.randomized])
def test_randomized_variants_differ_and_accept_their_answer(ex):
    statements = set()
    for seed in RANDOM_SEEDS:
        variant = make_variant(ex, seed)
        statements.add(variant.statement)
        for part in variant.parts:
            if part.kind in ("expression", "matrix", "vector", "number"):
                verdict = check_part(variant, part, str(part.answer))
                assert verdict.status == CORRECT, (seed, part.name, verdict.message)
    assert len(statements) > 1, "params never change the statement"


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_solution_answers_are_accepted(ex):
    path = solutions_dir() / ex.section / f"{ex.id}.md"
    assert path.is_file(), f"missing worked solution {path}"
    templated = "{" in path.read_text(encoding="utf-8")
    for seed in (range(10) if ex.randomized and templated else (0,)):
        variant = make_variant(ex, seed)
        answers = solution_answers(variant)
        for part in variant.parts:
            if part.kind == "code":
                continue
            assert part.name in answers, f"solution has no '**Answer ({part.name}):** `…`' line"
            verdict = check_part(variant, part, answers[part.name])
            assert verdict.status == CORRECT, (seed, part.name, answers[part.name], verdict.message)


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_listed_mistakes_rejected_with_their_feedback(ex):
    variant = make_variant(ex, 0)
    for part in variant.parts:
        for mistake in part.mistakes:
            verdict = check_part(variant, part, mistake.answer, reveal=True)  # solution shown: the full feedback
            assert verdict.status != CORRECT, (part.name, mistake.answer)
            assert mistake.feedback in [d.message for d in verdict.diagnostics], (part.name, mistake.answer, verdict)
            hidden = check_part(variant, part, mistake.answer)  # by default, less any sentence stating the answer
            assert hidden.status != CORRECT and all(d.message in mistake.feedback for d in hidden.diagnostics
                                                    if d.code == "mistake"), (part.name, mistake.answer, hidden)
