"""A points part's stated precision (issue 11: hess-random-quadratic:d asks "3/11, not 0.27").

`precision = "exact"` on a points part: the exact coordinates (fractions) are right, and so is a
decimal that *is* the exact value (0.5 for 1/2); a decimal rounding of a critical point (0.27 for
3/11) is told to give the exact value, as an invalid answer (score 0, not counted as a wrong
attempt), without stating it; a point that is no critical point stays wrong. Without a stated
precision a points part keeps its old rule (coordinates within 1e-6).
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import known_sources, load_bank, load_exercise
from mcalc_tutor.content.model import Precision
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import SymbolTable, read
from mcalc_tutor.mathlang.evaluate import evaluate

BANK = load_bank()
SEEDS = range(20)
WORDS = {"minimum": "min", "maximum": "max", "saddle": "saddle", "inconclusive": "inconclusive"}


def _point(seed: int):
    variant = make_variant(BANK.get("hess-random-quadratic"), seed)
    part = variant.part("d")
    (expected,) = part.answer
    coords = [Fraction(str(c)).limit_denominator(10**6)
              for c in evaluate(read(expected["at"], SymbolTable()), {}, {}).ravel()]
    return variant, part, coords, WORDS[expected["type"]]


def _written(coords, fmt) -> str:
    return "(" + ", ".join(fmt(c) for c in coords) + ")"


def _terminates(c: Fraction) -> bool:
    d = c.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def test_the_part_states_exact_and_the_prompt_shows_it():
    part = BANK.get("hess-random-quadratic").part("d")
    assert part.precision.mode == "exact" and part.precision.stated


@pytest.mark.parametrize("seed", SEEDS)
def test_exact_fractions_are_right(seed):
    variant, part, coords, word = _point(seed)
    verdict = check_part(variant, part, f"{_written(coords, str)} {word}")
    assert verdict.status == "correct", verdict.render()


FRACTIONAL = [s for s in SEEDS if not all(_terminates(c) for c in _point(s)[2])]
TERMINATING = [s for s in SEEDS if s not in FRACTIONAL]


def test_enough_variants_have_a_fractional_point():
    assert len(FRACTIONAL) >= 10, FRACTIONAL


@pytest.mark.parametrize("seed", FRACTIONAL)
def test_a_decimal_rounding_is_told_to_give_the_exact_value(seed):
    variant, part, coords, word = _point(seed)
    for places in (2, 4):
        answer = f"{_written(coords, lambda c, n=places: f'{float(c):.{n}f}')} {word}"
        verdict = check_part(variant, part, answer)
        assert verdict.status == "invalid" and verdict.score == 0, (answer, verdict.render())
        assert "exact" in verdict.message
        for c in coords:  # the exact value is not handed over
            assert f"{c.numerator}/{c.denominator}" not in verdict.message


def _decimal(c: Fraction) -> str:
    text = str(Decimal(c.numerator) / Decimal(c.denominator))
    return text if "." in text else text + ".0"


@pytest.mark.parametrize("seed", TERMINATING)
def test_a_decimal_equal_to_the_exact_value_is_right(seed):
    variant, part, coords, word = _point(seed)
    answer = f"{_written(coords, _decimal)} {word}"
    assert "." in answer
    assert check_part(variant, part, answer).status == "correct", answer


def test_a_half_written_as_a_decimal_is_right_and_a_rounding_of_a_third_is_not():
    variant, part, _, _ = _point(0)
    forged = replace(part, answer=[{"at": "(1/2, -1/3)", "type": "minimum"}])
    assert check_part(variant, forged, "(0.5, -1/3) min").status == "correct"
    verdict = check_part(variant, forged, "(0.5, -0.333) min")
    assert verdict.status == "invalid" and "exact" in verdict.message
    # a rounding or a truncation of 2/3 is told to be exact; a decimal that is neither is no critical point
    two_thirds = replace(part, answer=[{"at": "(2/3, 0)", "type": "minimum"}])
    for answer in ("(0.667, 0) min", "(0.666, 0) min", "(0.7, 0) min", "(0.6, 0.0) min"):
        assert check_part(variant, two_thirds, answer).status == "invalid", answer
    for answer in ("(0.668, 0) min", "(0.665, 0) min", "(0.8, 0) min", "(0.5, -0.4) min"):
        far = check_part(variant, two_thirds, answer)
        assert far.status == "incorrect" and "not a critical point" in far.message, answer


def test_without_a_stated_precision_a_points_part_keeps_its_tolerance():
    variant, part, _, _ = _point(0)
    loose = replace(part, answer=[{"at": "(3/11, 10/33)", "type": "saddle"}], precision=Precision())
    assert check_part(variant, loose, "(0.2727273, 0.3030303) saddle").status == "correct"
    assert check_part(variant, loose, "(0.27, 0.30) saddle").status == "incorrect"
    exact = replace(loose, precision=Precision("exact", stated=True))
    assert check_part(variant, exact, "(0.2727273, 0.3030303) saddle").status == "invalid"
    assert check_part(variant, exact, "(3/11, 10/33) saddle").status == "correct"


POINTS_PART = """id = "points-precision"
title = "t"
section = "hessians"
source = "seed000:critical-points"
difficulty = 1
statement = "s"

[symbols]
x = "scalar"
y = "scalar"

[[parts]]
name = "a"
kind = "points"
prompt = "p"
{precision}
generator = "critical_points"
of = "x^2 + y^2 - x"
variables = ["x", "y"]
"""


@pytest.mark.parametrize("precision, problem", [
    ('precision = "exact"', None),
    ("sigfigs = 3", 'a points part takes precision = "exact" only'),
    ("rel_tol = 1e-3", 'a points part takes precision = "exact" only'),
])
def test_a_points_part_loads_with_exact_and_refuses_other_policies(tmp_path, precision, problem):
    (tmp_path / "hessians").mkdir()
    path = tmp_path / "hessians" / "points-precision.toml"
    path.write_text(POINTS_PART.format(precision=precision), encoding="utf-8")
    _, problems = load_exercise(path, known_sources())
    if problem is None:
        assert not problems, problems
    else:
        assert any(problem in str(p) for p in problems), problems
