"""Classifying a degenerate critical point: where the second-order test is inconclusive, the
feedback says the test cannot decide and never denies what the point truly is (x² + y⁴ has a
minimum at the origin, which part (c) of the same exercise asks for)."""
from __future__ import annotations

import pytest

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant


@pytest.fixture(scope="module")
def semidefinite():
    exercise = load_bank().get("hess-semidefinite-inconclusive")
    variant = make_variant(exercise, 0)
    return variant, {p.name: p for p in variant.parts}


@pytest.mark.parametrize("answer", ["(0,0) min", "(0, 0) saddle", "(0,0) max"])
def test_a_decisive_label_at_an_inconclusive_point_is_told_the_test_cannot_decide(semidefinite, answer):
    variant, parts = semidefinite
    verdict = check_part(variant, parts["b"], answer)
    assert verdict.status != "correct"
    message = " ".join([verdict.message, *(d.message for d in verdict.diagnostics)])
    assert "cannot decide" in message and "zero eigenvalue" in message
    assert "not a min" not in message and "not a inconclusive" not in message


def test_the_inconclusive_verdict_is_right(semidefinite):
    variant, parts = semidefinite
    assert check_part(variant, parts["b"], "(0, 0) inconclusive").status == "correct"


def test_inconclusive_where_the_test_decides_is_told_it_does_decide():
    exercise = load_bank().get("hess-bowl-and-saddle")
    variant = make_variant(exercise, 0)
    points = [p for p in variant.parts if p.kind == "points"]
    assert points, "hess-bowl-and-saddle has a points part"
    part = points[0]
    first = part.answer[0]["at"]
    verdict = check_part(variant, part, f"{first} inconclusive")
    message = " ".join([verdict.message, *(d.message for d in verdict.diagnostics)])
    assert verdict.status != "correct"
    assert "does decide" in message and "not a inconclusive" not in message
