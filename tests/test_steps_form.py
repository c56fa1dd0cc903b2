"""A derivation ends in the form its part asks for: the part's form rules apply to the last line's
last expression (the lines before it are the working and may use anything), in the checker and in
the preview alike, and a form slip is `invalid` (not a wrong attempt) naming the line."""
from __future__ import annotations

from dataclasses import replace

import pytest

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.model import Form
from mcalc_tutor.content.reading import read_answer
from mcalc_tutor.content.variants import make_variant

WORKING = ["d(ln(sum(exp(x))))", "= d(sum(exp(x))) / sum(exp(x))", "= sum(exp(x) ⊙ dx) / sum(exp(x))",
           "= (exp(x) / sum(exp(x)))^T dx"]


def _part(exercise_id: str, name: str):
    exercise = next(ex for ex in load_bank().exercises if ex.id == exercise_id)
    variant = make_variant(exercise, 0)
    return variant, next(p for p in variant.parts if p.name == name)


def test_the_bank_asks_for_softmax_in_the_log_sum_exp_derivation():
    _, part = _part("grad-derive-by-differentials", "b")
    assert part.form.require == ("softmax",)


@pytest.mark.parametrize("last, ok", [("∇f = softmax(x)", True), ("∇f = exp(x) / sum(exp(x))", False)])
def test_require_applies_to_the_last_line(last, ok):
    variant, part = _part("grad-derive-by-differentials", "b")
    text = "\n".join([*WORKING, last])
    verdict = check_part(variant, part, text)
    reading = read_answer(part, text, variant.symbols)
    if ok:
        assert verdict.status == "correct" and reading.ok, verdict.render()
    else:  # the same value, not in the form asked: refused as a form error on line 5, in preview too
        assert verdict.status == "invalid" and verdict.message.startswith("line 5: ") and "softmax" in verdict.message
        assert reading.form_error and reading.error == verdict.message


def test_earlier_lines_may_use_what_the_last_may_not():
    variant, part = _part("mat-derive-by-differentials", "a")
    part = replace(part, form=Form(forbid=("x",)))  # a made-up rule: only the final line is held to it
    text = "\n".join(["d(x^T A x)", "= dx^T A x + x^T A dx", "= x^T A^T dx + x^T A dx", "∇f = (A + A^T) x"])
    verdict = check_part(variant, part, text)
    assert verdict.status == "invalid" and verdict.message.startswith("line 4: ")
    assert verdict.caret is not None and verdict.column == text.splitlines()[-1].index("x", 5)
    kept = replace(part, form=Form(forbid=("b",)))
    assert check_part(variant, kept, text).status == "correct"


def test_an_unreadable_line_is_named_before_any_form_rule():
    variant, part = _part("grad-derive-by-differentials", "b")
    verdict = check_part(variant, part, "\n".join([*WORKING[:2], "= sum(exp(x) ⊙ dx) / ", "∇f = softmax(x)"]))
    assert verdict.status == "invalid" and verdict.message.startswith("line 3")


def _steps_parts_with(rule: str):
    for exercise in load_bank().exercises:
        variant = make_variant(exercise, 0)
        for part in variant.parts:
            if part.kind == "steps" and getattr(part.form, rule):
                yield pytest.param(variant, part, id=f"{exercise.id}:{part.name}")


@pytest.mark.parametrize("variant, part", list(_steps_parts_with("free_of")))
def test_a_derivation_that_stops_before_simplifying_is_refused(variant, part):
    """"Simplify down to …": the worked chain is right; the same chain without its last line still
    holds every step but ends on a line that contains the start variable, and is refused for it."""
    from mcalc_tutor.content.solutions import solution_answers

    chain = solution_answers(variant)[part.name].splitlines()
    assert check_part(variant, part, "\n".join(chain)).status == "correct"
    stopped = check_part(variant, part, "\n".join(chain[:-1]))
    assert stopped.status == "invalid" and "no longer contains" in stopped.message, stopped.render()
