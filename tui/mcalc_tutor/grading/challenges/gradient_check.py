"""Hidden tests and judge for the gradient-checker challenge (centered differences, relative error).

The truth is computed here from closed-form gradients; nothing the submission reports about itself
counts, and no closed-form gradient is in the sandbox while numerical_gradient runs. The method is
graded too: the harness reports every point where f is evaluated, and a right estimate must come
with f evaluated at x ± eps·eᵢ for every entry i. Each gradient_check test hands over a right and a
wrong gradient (of fresh instances), so a constant answer fails it. A forward difference is off by about
eps·f''/2 ≈ 1e-5 relative, far above the 1e-7
allowed, so a one-sided estimate fails while a centered one (error ≈ eps²) passes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import HiddenTest, OutputError, as_array, as_number, compare_arrays, rng_for

TITLE = "A gradient checker"
MODULE_FILE = "gradient_check.py"

EPS = 1e-5
GRADIENT_RTOL = 1e-7
CHECK_PASS = 1e-7
TRACED = True


def _gradients(kind: str, A: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The true gradient and the wrong one the harness hands out, at x."""
    if kind == "sin_quadratic":
        return np.cos(x) + 0.5 * (A + A.T) @ x, np.cos(x) + A @ x
    if kind == "logsumexp":
        z = np.exp(x + A - np.max(x + A))
        return z / z.sum(), z
    if kind == "logdet_trace":
        return np.linalg.inv(x).T + A, np.linalg.inv(x) + A
    raise ValueError(kind)


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), 1e-12)


def _instance(kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if kind == "sin_quadratic":
        return rng.normal(size=(5, 5)), rng.uniform(-2, 2, size=5)
    if kind == "logsumexp":
        return rng.normal(size=4), rng.normal(size=4)
    if kind == "logdet_trace":
        while True:  # well away from singular, so that log|det| is smooth around X
            X = 2.0 * np.eye(3) + 0.8 * rng.normal(size=(3, 3))
            if np.linalg.svd(X, compute_uv=False)[-1] > 0.5:
                return rng.normal(size=(3, 3)), X
    raise ValueError(kind)


FUNCTION_NAMES = {
    "sin_quadratic": "f(x) = Σ sin xᵢ + ½xᵀAx",
    "logsumexp": "f(x) = log Σ exp(xᵢ + aᵢ)",
    "logdet_trace": "f(X) = log|det X| + tr(AᵀX) (matrix input)",
}


def hidden_tests(seed: int) -> list[HiddenTest]:
    rng = rng_for("gradient_check", seed)
    tests = []
    instances = {kind: _instance(kind, rng) for kind in FUNCTION_NAMES}
    for kind, (A, x) in instances.items():
        tests.append(HiddenTest(
            name=f"numerical_gradient on {FUNCTION_NAMES[kind]}",
            payload={"call": "numerical_gradient", "function": kind, "A": A.tolist(), "x": x.tolist()},
            expected={"gradient": _gradients(kind, A, x)[0], "x": x},
        ))
    a, b = rng.normal(size=6), rng.normal(size=6)
    M = rng.normal(size=(2, 3))
    pairs = [(a, b), (a, a), (np.zeros(3), np.zeros(3)), (M, M + 1e-3 * rng.normal(size=M.shape)), (a, np.zeros(6))]
    tests.append(HiddenTest(
        name="relative_error on vectors, matrices and zeros",
        payload={"call": "relative_error", "pairs": [[p.tolist(), q.tolist()] for p, q in pairs]},
        expected=[_relative_error(p, q) for p, q in pairs],
    ))
    bugs = {"sin_quadratic": "Ax in place of ½(A + Aᵀ)x", "logdet_trace": "X⁻¹ in place of X⁻ᵀ",
            "logsumexp": "exp(x) without dividing by the sum"}
    for kind, bug in bugs.items():
        A, x = _instance(kind, rng)  # fresh: the gradients handed over here judge no other test
        right, wrong = _gradients(kind, A, x)
        tests.append(HiddenTest(
            name=f"gradient_check accepts the right gradient of {FUNCTION_NAMES[kind]} and catches a wrong one ({bug})",
            payload={"call": "gradient_check", "function": kind, "A": A.tolist(), "x": x.tolist()},
            expected=_relative_error(wrong, right),
        ))
    return tests


def _centered_points_missing(x: np.ndarray, trace: list) -> bool:
    """True unless f was evaluated at x + eps·eᵢ and x − eps·eᵢ for every entry i."""
    flat = x.reshape(-1)
    if not trace or not all(isinstance(p, list) and len(p) == flat.size for p in trace):
        return True
    try:
        points = np.array(trace, dtype=float)
    except (TypeError, ValueError):
        return True
    tol = 1e-12 * (1 + np.abs(flat))
    for i in range(flat.size):
        for sign in (1, -1):
            target = flat.copy()
            target[i] = flat[i] + sign * EPS
            if not np.any(np.all(np.abs(points - target) <= tol, axis=1)):
                return True
    return False


def judge(test: HiddenTest, output: Any, trace: list) -> tuple[bool, str]:
    call = test.payload["call"]
    if call == "numerical_gradient":
        if not isinstance(output, dict):
            raise OutputError("the harness output is malformed")
        x = test.expected["x"]
        after = as_array(output.get("x_after"), what="x after the call")
        if after.shape != x.shape or not np.array_equal(after, x):
            return False, "numerical_gradient changed its argument x: restore each entry after perturbing it"
        estimate = as_array(output.get("gradient"), what="the gradient estimate")
        if estimate.shape != x.shape:
            return False, (f"the gradient estimate has shape {estimate.shape}, but x has shape {x.shape}: "
                           "the gradient has the shape of the input")
        ok, message = compare_arrays(estimate, test.expected["gradient"], GRADIENT_RTOL, what="the gradient estimate")
        if not ok and "relative error" in message:
            message += "; a one-sided difference is only accurate to about eps — use (f(x+h) − f(x−h)) / 2h"
        if ok and _centered_points_missing(x, trace):
            return False, ("the estimate is right, but f was not evaluated at x ± eps·eᵢ for every entry i "
                           "(eps is the third argument): compute it by centered differences")
        return ok, message
    if call == "relative_error":
        if not isinstance(output, list) or len(output) != len(test.expected):
            raise OutputError("relative_error did not return one number per pair")
        for index, (got, want) in enumerate(zip(output, test.expected, strict=True)):
            got = as_number(got, what=f"relative_error for pair {index + 1}")
            if not abs(got - want) <= 1e-9 + 1e-6 * abs(want):
                return False, (f"relative_error for pair {index + 1} is {got:.6g}, expected {want:.6g} "
                               "(‖a − b‖ / max(‖a‖, ‖b‖, 1e-12))")
        return True, "ok"
    if not isinstance(output, dict):
        raise OutputError("the harness output is malformed")
    value = as_number(output.get("correct"), what="gradient_check's result for the right gradient")
    if not 0 <= value < CHECK_PASS:
        return False, f"gradient_check returned {value:.3g} for a correct gradient; it should be below {CHECK_PASS:.0e}"
    want = test.expected
    value = as_number(output.get("wrong"), what="gradient_check's result for the wrong gradient")
    if abs(value - want) <= 1e-3 * want:
        return True, f"ok (relative error {value:.3g} for the wrong gradient)"
    return False, f"gradient_check returned {value:.6g} for a wrong gradient; the relative error is {want:.6g}"
