"""Hidden tests and judge for power iteration (leading eigenpair of a symmetric matrix).

Test matrices are built as Q diag(λ) Qᵀ from a seeded random rotation, so the true eigenpair is
known exactly here. The method is graded, not just the answer: the learner's code gets A only as
an operator that multiplies vectors, each product is reported, and the judge checks that every
vector multiplied is x₀, a previous vector or a previous product (the power-iteration chain), and
that the returned v is where that chain ended. An eigen-solver on a matrix captured some other
way leaves no such chain.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import HiddenTest, OutputError, as_array, as_number, rng_for

TITLE = "Power iteration"
MODULE_FILE = "power_iteration.py"
TRACED = True
PARALLEL = 1 - 1e-9   # |cos| between two vectors that power iteration makes parallel
LOOKBACK = 3          # a product may reuse a vector (or product) from this many products back


def _matrix(eigenvalues: list[float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = Q @ np.diag(eigenvalues) @ Q.T
    return (A + A.T) / 2, Q[:, int(np.argmax(np.abs(eigenvalues)))]


def _start(v1: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    while True:  # a start with a fair share of v₁, as a random start has with probability ≈ 1
        x0 = rng.normal(size=len(v1))
        x0 /= np.linalg.norm(x0)
        if abs(x0 @ v1) > 0.1:
            return x0 * rng.uniform(0.5, 3.0)  # not of norm 1: normalizing is part of the job


def hidden_tests(seed: int) -> list[HiddenTest]:
    rng = rng_for("power_iteration", seed)
    cases = [
        ("a 3×3 positive semidefinite matrix", [5.0, 2.0, 0.5], {}),
        ("a diagonal matrix", None, {}),
        ("20×20, λ₂/λ₁ = 0.9", [10.0, 9.0] + list(rng.uniform(0, 8, size=18)), {}),
        ("dominant eigenvalue negative (not PSD): λ = −6, others 4, 1, 0.5", [-6.0, 4.0, 1.0, 0.5], {}),
        ("slow: 40×40 with λ₂/λ₁ = 0.97, up to 5000 iterations", [3.0, 2.91] + list(rng.uniform(0, 2.5, size=38)),
         {"num_iters": 5000}),
    ]
    tests = []
    for name, eigenvalues, kwargs in cases:
        if eigenvalues is None:
            diagonal = rng.permutation([7.0, 3.0, 1.0, 0.25])
            A, v1 = np.diag(diagonal), np.eye(4)[int(np.argmax(diagonal))]
            lam = 7.0
        else:
            A, v1 = _matrix(eigenvalues, rng)
            lam = eigenvalues[int(np.argmax(np.abs(eigenvalues)))]
        x0 = _start(v1, rng)
        tests.append(HiddenTest(name, {"A": A.tolist(), "x0": x0.tolist(), "kwargs": kwargs},
                                {"lambda": lam, "v1": v1, "x0": x0, "A": A}))
    return tests


def _unit_rows(M: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(M, axis=1, keepdims=True)
    return np.divide(M, norms, out=np.zeros_like(M), where=norms > 0)


def _check_chain(test: HiddenTest, trace: list, v: np.ndarray) -> str | None:
    """Why the products reported do not make a power iteration ending at v, or None."""
    n = len(test.expected["x0"])
    if not trace:
        return "power_iteration never multiplied by A: compute w = A @ x at every step"
    if not all(isinstance(q, list) and len(q) == n for q in trace):
        return "the record of products with A is malformed"
    try:
        Q = np.array(trace, dtype=float)
    except (TypeError, ValueError):
        return "the record of products with A is malformed"
    if not np.all(np.isfinite(Q)):
        return "A was multiplied by a vector holding NaN or infinity"
    R = Q @ test.expected["A"].T
    Qn, Rn = _unit_rows(Q), _unit_rows(R)
    ok = np.abs(Qn @ _unit_rows(test.expected["x0"][None, :])[0]) >= PARALLEL
    for lag in range(1, LOOKBACK + 1):
        ok[lag:] |= np.abs(np.sum(Qn[lag:] * Qn[:-lag], axis=1)) >= PARALLEL
        ok[lag:] |= np.abs(np.sum(Qn[lag:] * Rn[:-lag], axis=1)) >= PARALLEL
    bad = np.flatnonzero(~ok | (np.linalg.norm(Q, axis=1) == 0))
    if bad.size:
        return (f"product {bad[0] + 1} of {len(Q)} multiplies A by a vector that is neither x0 nor a recent "
                "iterate A·x: power iteration only ever multiplies the current iterate")
    vn = v / np.linalg.norm(v)
    if max(abs(float(vn @ Qn[-1])), abs(float(vn @ Rn[-1]))) < PARALLEL:
        return "v is not the vector the iteration ended with (nor A times it): return the last iterate"
    return None


def judge(test: HiddenTest, output: Any, trace: list) -> tuple[bool, str]:
    if not isinstance(output, dict):
        raise OutputError("the harness output is malformed")
    n = len(test.expected["v1"])
    after = as_array(output.get("x0_after"), (n,), what="x0 after the call")
    if not np.array_equal(after, test.expected["x0"]):
        return False, "power_iteration changed the starting vector x0 it was given; work on a copy"
    lam = as_number(output.get("lambda"), what="λ")
    v = as_array(output.get("v"), what="v")
    if v.shape != (n,):
        return False, f"v has shape {v.shape}; expected a vector of shape ({n},)"
    if not np.all(np.isfinite(v)) or not np.isfinite(lam):
        return False, "the result contains NaN or infinity"
    norm = float(np.linalg.norm(v))
    if abs(norm - 1) > 1e-6:
        return False, f"v has norm {norm:.6g}; return the normalized vector (norm 1)"
    problem = _check_chain(test, trace, v)
    if problem:
        return False, problem
    want = test.expected["lambda"]
    if abs(lam - want) > 1e-6 * abs(want):
        if abs(lam - abs(want)) <= 1e-6 * abs(want):
            return False, f"λ = {lam:.6g}, but the dominant eigenvalue is {want:g}: use the Rayleigh quotient vᵀAv, not ‖Av‖"
        return False, f"λ = {lam:.8g}, expected {want:g}"
    alignment = abs(float(v @ test.expected["v1"]))
    if alignment < 1 - 1e-6:
        return False, f"v is not the leading eigenvector yet: |cos∠(v, v₁)| = {alignment:.6f}"
    return True, "ok"
