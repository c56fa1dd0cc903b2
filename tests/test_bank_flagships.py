"""The flagship derivation exercises (issue 11): every steps part's reference chain is accepted
line by line and its last line agrees with finite differences; one corrupted line is named; every
iterates part's reference iterates come from the lab's own optimizers."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mcalc_tutor.content.answers import check_part, steps_verdict
from mcalc_tutor.content.loader import known_sources, load_exercise
from mcalc_tutor.content.variants import make_variant

ROOT = Path(__file__).resolve().parents[1] / "exercises"
RNG = np.random.default_rng(11)
N = 3


def _variant(section: str, exercise_id: str):
    exercise, problems = load_exercise(ROOT / section / f"{exercise_id}.toml", known_sources())
    assert exercise is not None and not problems, problems
    return make_variant(exercise, 0)


def _fd_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences, entry by entry (x a vector or a matrix)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


A = RNG.normal(size=(N, N))
a, b, x = RNG.normal(size=N), RNG.normal(size=N), RNG.normal(size=N)
X = RNG.normal(size=(N, N)) + 3 * np.eye(N)  # safely invertible, det > 0
inv = np.linalg.inv

# part: (reference chain, f, numeric gradient of the last line at the point, point, corrupted line (1-based), its text)
DIFFERENTIALS = {
    "a": (["d(x^T A x)", "= dx^T A x + x^T A dx", "= x^T A^T dx + x^T A dx", "= x^T (A + A^T) dx",
           "∇f = (A + A^T) x"],
          lambda v: v @ A @ v, lambda v: (A + A.T) @ v, x, 3, "= x^T A dx + x^T A dx"),
    "b": (["d(tr(X^T A X))", "= tr(dX^T A X) + tr(X^T A dX)", "= tr(X^T A^T dX) + tr(X^T A dX)",
           "= tr(X^T (A + A^T) dX)", "∂f/∂X = (A + A^T) X"],
          lambda M: np.trace(M.T @ A @ M), lambda M: (A + A.T) @ M, X, 3, "= tr(X^T A dX) + tr(X^T A dX)"),
    "c": (["d(ln det X)", "= tr(X^{-1} dX)", "∂f/∂X = X^{-T}"],
          lambda M: np.log(np.linalg.det(M)), lambda M: inv(M).T, X, 2, "= tr(X dX)"),
    "d": (["d(a^T X^{-1} b)", "= -a^T X^{-1} dX X^{-1} b", "= -tr(X^{-1} b a^T X^{-1} dX)",
           "∂f/∂X = -X^{-T} a b^T X^{-T}"],
          lambda M: a @ inv(M) @ b, lambda M: -inv(M).T @ np.outer(a, b) @ inv(M).T, X, 2,
          "= a^T X^{-1} dX X^{-1} b"),
    "e": (["d((A x - b)^T (A x - b))", "= (A dx)^T (A x - b) + (A x - b)^T A dx", "= 2 (A x - b)^T A dx",
           "∇f = 2 A^T (A x - b)"],
          lambda v: (A @ v - b) @ (A @ v - b), lambda v: 2 * A.T @ (A @ v - b), x, 3, "= (A x - b)^T A dx"),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIALS))
def test_reference_derivation_is_accepted_and_agrees_with_finite_differences(name):
    chain, f, last_line, point, _, _ = DIFFERENTIALS[name]
    variant = _variant("matrix-derivatives", "mat-derive-by-differentials")
    verdict = check_part(variant, variant.part(name), "\n".join(chain))
    assert verdict.status == "correct", verdict.message
    assert all(line.ok for line in steps_verdict(variant, variant.part(name), "\n".join(chain)).lines)
    # the last line, evaluated by hand in numpy, is the true gradient
    assert np.allclose(_fd_gradient(f, point), last_line(point), atol=1e-5)


@pytest.mark.parametrize("name", sorted(DIFFERENTIALS))
def test_one_corrupted_line_is_named(name):
    chain, _, _, _, at, wrong = DIFFERENTIALS[name]
    bad = list(chain)
    bad[at - 1] = wrong
    variant = _variant("matrix-derivatives", "mat-derive-by-differentials")
    verdict = check_part(variant, variant.part(name), "\n".join(bad))
    assert verdict.status != "correct"
    lines = steps_verdict(variant, variant.part(name), "\n".join(bad))
    assert lines.first_broken == at, lines.message


# --- iterates: references produced by the lab's own update rules -----------------------------------

from mcalc_tutor.lab.optimizers import adam_step, gd_step, momentum_step  # noqa: E402

ROTATED = np.array([[50.5, 49.5], [49.5, 50.5]])
SCALES = np.array([[100.0, 0.0], [0.0, 0.01]])


def _fmt(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(c):.6g}" for c in v) + ")"


def _run(name: str, k: int, wrong_at: int | None = None) -> str:
    """k iterates by the lab's rule; at step `wrong_at` the step is taken with the opposite sign."""
    lines = []
    if name == "adam":
        x, m, v = np.array([1.0, 1.0]), np.zeros(2), np.zeros(2)
        for t in range(1, k + 1):
            g = SCALES @ x
            x, m, v = adam_step(x, m, v, -g if t == wrong_at else g, t, 0.1, 0.9, 0.999, 1e-8)
            lines.append(f"m = {_fmt(m)}, v = {_fmt(v)}, x = {_fmt(x)}")
        return "\n".join(lines)
    x, vel = np.array([1.0, 0.0]), np.zeros(2)
    for t in range(1, k + 1):
        g = ROTATED @ x
        g = -g if t == wrong_at else g
        x, vel = (gd_step(x, g, 0.019), vel) if name == "gd" else momentum_step(x, vel, g, 0.019, 0.5)
        lines.append(_fmt(x))
    return "\n".join(lines)


ITERATES = {"a": ("gd", 3), "c": ("momentum", 3), "d": ("adam", 2)}


@pytest.mark.parametrize("part", sorted(ITERATES))
def test_lab_iterates_are_accepted(part):
    name, k = ITERATES[part]
    variant = _variant("optimizers", "opt-trajectories-ill-conditioned")
    verdict = check_part(variant, variant.part(part), _run(name, k))
    assert verdict.status == "correct", verdict.message


@pytest.mark.parametrize("part", sorted(ITERATES))
def test_a_wrong_step_is_named_at_that_step(part):
    name, k = ITERATES[part]
    variant = _variant("optimizers", "opt-trajectories-ill-conditioned")
    verdict = check_part(variant, variant.part(part), _run(name, k, wrong_at=2))
    assert verdict.status in ("partial", "incorrect")
    assert verdict.message.startswith("Step 2 "), verdict.message
    assert verdict.status == "partial" or k == 1


def test_the_gd_iterates_zig_zag_along_the_steep_direction():
    """The choice part's claim, checked on the lab's iterates: the (1, 1) component flips sign."""
    x, signs = np.array([1.0, 0.0]), []
    for _ in range(3):
        x = gd_step(x, ROTATED @ x, 0.019)
        signs.append(np.sign(x[0] + x[1]))
    assert signs == [-1.0, 1.0, -1.0]
