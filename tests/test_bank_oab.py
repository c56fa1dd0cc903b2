"""Independent checks for the optimizers / applications / background parts whose expected
answer comes from a generator that `verify` cannot cover (newton_step): the Newton step is
recomputed here with numpy, from finite-difference gradients and Hessians of the part's `of`."""
from __future__ import annotations

import numpy as np
import pytest

from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import SymbolTable, read
from mcalc_tutor.mathlang.evaluate import evaluate
from mcalc_tutor.mathlang.symbols import canonical_name

SECTIONS = ("optimizers", "applications", "background")
BANK = load_bank()
NEWTON = [(ex, part.name) for ex in BANK.exercises if ex.section in SECTIONS
          for part in ex.parts if part.generator == "newton_step"]


def _numbers(text: str) -> np.ndarray:
    return evaluate(read(text, SymbolTable()), {}, {}).ravel()


def _newton_by_finite_differences(variant, part) -> np.ndarray:
    f = read(part.of, variant.symbols)
    names = [canonical_name(v) for v in part.variables]
    point = _numbers(part.at)

    def F(z):
        return evaluate(f, {n: np.array([[z[i]]]) for i, n in enumerate(names)}, {}, {})[0, 0]

    k, h1, h2 = len(point), 1e-6, 1e-4
    eye = np.eye(k)
    grad = np.array([(F(point + h1 * e) - F(point - h1 * e)) / (2 * h1) for e in eye])
    hess = np.array([[(F(point + h2 * (a + b)) - F(point + h2 * (a - b)) - F(point - h2 * (a - b))
                       + F(point - h2 * (a + b))) / (4 * h2 * h2) for b in eye] for a in eye])
    return point - np.linalg.solve((hess + hess.T) / 2, grad)


def test_there_are_newton_parts():
    assert NEWTON


@pytest.mark.parametrize("ex,name", NEWTON, ids=[f"{e.id}:{n}" for e, n in NEWTON])
def test_newton_step_answers_match_numpy(ex, name):
    for seed in (range(50) if ex.randomized else (0,)):
        variant = make_variant(ex, seed)
        part = variant.part(name)
        expected = _newton_by_finite_differences(variant, part)
        answer = _numbers(str(part.answer))
        assert np.allclose(answer, expected, rtol=1e-5, atol=1e-6), (seed, part.answer, expected)
