"""The derivation parts that fill issue 11's gaps: for every new `steps` part, the reference chain
(the worked solution's answer line, as a learner would type it) is accepted line by line; its last
line, evaluated by the answer language at a random point, agrees with central finite differences of
the part's function written independently in numpy; and one corrupted line is named as the first
broken one."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from mcalc_tutor.checking.steps import split_lines
from mcalc_tutor.content.answers import check_part, steps_verdict
from mcalc_tutor.content.loader import known_sources, load_exercise
from mcalc_tutor.content.reading import part_symbols
from mcalc_tutor.content.solutions import solution_answers
from mcalc_tutor.content.variants import Variant, make_variant
from mcalc_tutor.mathlang import canonical_name, read
from mcalc_tutor.mathlang.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1] / "exercises"
RNG = np.random.default_rng(1111)
SIZES = {"n": 3, "m": 4, "h": 3, "k": 2, "N": 5}


def _sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def _s(a: np.ndarray | float) -> float:
    """A 1×1 array (or a number) as a float."""
    return float(np.asarray(a).item())


def _col(n: int) -> np.ndarray:
    return RNG.normal(size=(n, 1))


def _mat(r: int, c: int) -> np.ndarray:
    return RNG.normal(size=(r, c))


@dataclass(frozen=True)
class Case:
    section: str
    exercise: str
    part: str
    wrt: str                                     # the variable the last line is the gradient by
    values: dict[str, np.ndarray]                # a point: every symbol the part's lines use
    f: Callable[[dict[str, np.ndarray]], float]  # the part's function, in numpy, independently
    broken_at: int                               # the line (1-based) replaced by `broken`
    broken: str


n, m, h, k, N = SIZES["n"], SIZES["m"], SIZES["h"], SIZES["k"], SIZES["N"]
Xinv = _mat(n, n) + 4 * np.eye(n)  # safely invertible

CASES = [
    Case("gradients", "grad-derive-by-differentials", "a", "x", {"A": _mat(n, n), "x": _col(n)},
         lambda v: _s(v["x"].T @ v["A"] @ v["x"]),
         2, "= x^T A x + x^T A^T x"),  # the average dropped: twice f
    Case("gradients", "grad-derive-by-differentials", "b", "x", {"x": _col(n)},
         lambda v: _s(np.log(np.exp(v["x"]).sum())),
         3, "= sum(exp(x) ⊙ dx)"),  # the division by the sum forgotten
    Case("gradients", "grad-derive-by-differentials", "c", "x", {"A": _mat(n, n), "x": _col(n)},
         lambda v: _s(v["x"].T @ v["A"] @ v["x"]),
         2, "= 2 e^T A x"),  # from the partials: (Aᵀx)_k taken for (Ax)_k
    Case("jacobians", "jac-derive-by-differentials", "a", "x", {"W": _mat(m, n), "x": _col(n), "y": _col(m)},
         lambda v: _s(0.5 * np.sum((_sig(v["W"] @ v["x"]) - v["y"]) ** 2)),
         3, "= (σ(W x) - y)^T W dx"),  # σ' dropped from the Jacobian
    Case("jacobians", "jac-derive-by-differentials", "b", "z", {"z": _col(m), "v": _col(m)},
         lambda v: _s(v["v"].T @ _softmax(v["z"])),
         3, "= v^T (softmax(z) ⊙ dz)"),  # the −s sᵀdz term missing
    Case("matrix-derivatives", "mat-trace-inverse-derivations", "a", "X",
         {"A": _mat(n, n), "B": _mat(n, n), "X": _mat(n, n)},
         lambda v: _s(np.trace(v["A"] @ v["X"].T @ v["B"])),
         3, "= tr(A B dX^T)"),  # a non-cyclic reordering
    Case("matrix-derivatives", "mat-trace-inverse-derivations", "b", "X", {"A": _mat(n, n), "X": Xinv},
         lambda v: _s(np.trace(v["A"] @ np.linalg.inv(v["X"]))),
         4, "= tr(A X^{-1} dX X^{-1})"),  # the sign of d(X⁻¹) lost
    Case("backprop", "bp-derive-by-differentials", "a", "W",
         {"W": _mat(m, n), "x": _col(n), "b": _col(m), "y": _col(m)},
         lambda v: _s(0.5 * np.sum((v["W"] @ v["x"] + v["b"] - v["y"]) ** 2)),
         4, "= 2 (W x + b - y)^T dW x"),  # the ½ forgotten when the two terms are merged
    Case("backprop", "bp-derive-by-differentials", "b", "w", {"w": _col(n), "x": _col(n), "t": np.array([[0.3]])},
         lambda v: _s(-v["t"] * np.log(_sig(v["w"].T @ v["x"]))
                         - (1 - v["t"]) * np.log(1 - _sig(v["w"].T @ v["x"]))),
         4, "= (t - σ(w^T x)) x^T dw"),  # the sign of the error flipped
    Case("backprop", "bp-derive-by-differentials", "c", "z₁",
         {"δ₂": _col(k), "W₂": _mat(k, h), "z₁": _col(h), "b₂": _col(k)},
         lambda v: _s(v["δ₂"].T @ (v["W₂"] @ _sig(v["z₁"]) + v["b₂"])),
         4, "= (W₂^T δ₂)^T dz₁"),  # the σ' gate dropped
    Case("backprop", "bp-derive-by-differentials", "d", "W", {"W": _mat(m, n), "X": _mat(n, N), "Y": _mat(m, N)},
         lambda v: _s(0.5 * np.sum((v["W"] @ v["X"] - v["Y"]) ** 2)),
         4, "= 2 tr((W X - Y)^T dW X)"),  # the two equal traces counted without the ½
    Case("convexity", "cvx-logistic-hessian-derivation", "a", "w",
         {"w": _col(n), "x": _col(n), "u": _col(n), "t": np.array([[0.3]])},
         lambda v: _s(v["u"].T @ ((_sig(v["w"].T @ v["x"]) - v["t"]) * v["x"])),
         3, "= σ(w^T x) (1 - σ(w^T x)) x^T dw"),  # the factor uᵀx lost
    Case("background", "bg-cauchy-schwarz-projection", "a", "t",
         {"x": _col(n), "y": _col(n), "t": np.array([[0.7]])},
         lambda v: _s(np.sum((v["x"] - v["t"] * v["y"]) ** 2)),
         3, "= -y^T (x - t y) dt"),  # one of the two equal terms dropped
]
IDS = [f"{c.exercise}:{c.part}" for c in CASES]


def _load(section: str, exercise_id: str) -> Variant:
    exercise, problems = load_exercise(ROOT / section / f"{exercise_id}.toml", known_sources())
    assert exercise is not None and not problems, problems
    return make_variant(exercise, 0)


def _variant(case: Case) -> Variant:
    return _load(case.section, case.exercise)


def _chain(case: Case) -> list[str]:
    variant = _variant(case)
    return [text for _, text in split_lines(solution_answers(variant)[case.part])]


def _fd_gradient(case: Case, h: float = 1e-6) -> np.ndarray:
    """Central differences of the numpy function, entry by entry of the variable."""
    point = case.values[case.wrt]
    g = np.zeros_like(point)
    for idx in np.ndindex(point.shape):
        e = np.zeros_like(point)
        e[idx] = h
        up, down = dict(case.values), dict(case.values)
        up[case.wrt], down[case.wrt] = point + e, point - e
        g[idx] = (case.f(up) - case.f(down)) / (2 * h)
    return g


def test_every_new_derivation_part_is_covered():
    """The table names each steps part of the new exercises once, and they are all steps parts."""
    seen = set()
    for case in CASES:
        part = _variant(case).part(case.part)
        assert part.kind == "steps" and part.start and part.differentials and part.hints
        seen.add((case.exercise, case.part))
    exercises = {c.exercise: c.section for c in CASES}
    for exercise_id, section in exercises.items():
        steps = {(exercise_id, p.name) for p in _load(section, exercise_id).parts if p.kind == "steps"}
        assert steps <= seen, steps - seen
    assert len(seen) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_chain_is_accepted_line_by_line(case):
    variant = _variant(case)
    part = variant.part(case.part)
    chain = "\n".join(_chain(case))
    verdict = check_part(variant, part, chain)
    assert verdict.status == "correct", verdict.message
    assert verdict.score == part.points
    lines = steps_verdict(variant, part, chain)
    assert lines.first_broken is None and all(line.ok for line in lines.lines)
    assert lines.steps == lines.steps_ok == len(_chain(case)) + 1  # the start, each step, the answer


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_last_line_agrees_with_finite_differences(case):
    variant = _variant(case)
    symbols = part_symbols(variant.part(case.part), variant.symbols)
    last = _chain(case)[-1]
    label, _, value = last.partition("=")
    assert label.strip().startswith(("∇", "∂", "d")), last  # a gradient line, read off the differential
    typed = read(value, symbols)
    given = evaluate(typed, {canonical_name(name): v for name, v in case.values.items()}, SIZES)
    expected = _fd_gradient(case)
    assert given.shape == expected.shape
    assert np.allclose(given, expected, atol=1e-6, rtol=1e-5), (given, expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_one_corrupted_line_is_named(case):
    variant = _variant(case)
    part = variant.part(case.part)
    bad = _chain(case)
    assert 1 < case.broken_at < len(bad)  # a middle line: the lines around it stay true
    bad[case.broken_at - 1] = case.broken
    verdict = check_part(variant, part, "\n".join(bad))
    assert verdict.status == "partial", verdict.message
    lines = steps_verdict(variant, part, "\n".join(bad))
    assert lines.first_broken == case.broken_at, lines.message
    assert lines.message.startswith(f"Line {case.broken_at} does not follow from line {case.broken_at - 1}")
    assert not lines.lines[case.broken_at - 1].ok
    assert all(line.ok for line in lines.lines[:case.broken_at - 1])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_restating_the_start_is_not_the_answer(case):
    """The chain must reach the gradient: its first line alone (the start, restated) is refused."""
    variant = _variant(case)
    part = variant.part(case.part)
    verdict = check_part(variant, part, _chain(case)[0])
    assert verdict.status != "correct", verdict.message
