"""Hidden tests and judge for the gradient-checker challenge (centered differences, relative error).

The truth is computed here from closed-form gradients; nothing the submission reports about itself
counts. A forward difference is off by about eps·f''/2 ≈ 1e-5 relative, far above the 1e-7
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
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-12))


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
    for kind in ("sin_quadratic", "logdet_trace"):
        A, x = instances[kind]
        tests.append(HiddenTest(
            name=f"gradient_check accepts the right gradient of {FUNCTION_NAMES[kind]}",
            payload={"call": "gradient_check", "function": kind, "gradient": "correct", "A": A.tolist(), "x": x.tolist()},
            expected=None,
        ))
    for kind, bug in (("sin_quadratic", "Ax in place of ½(A + Aᵀ)x"), ("logdet_trace", "X⁻¹ in place of X⁻ᵀ"),
                      ("logsumexp", "exp(x) without dividing by the sum")):
        A, x = instances[kind]
        right, wrong = _gradients(kind, A, x)
        tests.append(HiddenTest(
            name=f"gradient_check catches a wrong gradient ({bug})",
            payload={"call": "gradient_check", "function": kind, "gradient": "wrong", "A": A.tolist(), "x": x.tolist()},
            expected=_relative_error(wrong, right),
        ))
    return tests


def judge(test: HiddenTest, output: Any) -> tuple[bool, str]:
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
        return ok, message
    if call == "relative_error":
        if not isinstance(output, list) or len(output) != len(test.expected):
            raise OutputError("relative_error did not return one number per pair")
        for index, (got, want) in enumerate(zip(output, test.expected)):
            got = as_number(got, what=f"relative_error for pair {index + 1}")
            if not abs(got - want) <= 1e-9 + 1e-6 * abs(want):
                return False, (f"relative_error for pair {index + 1} is {got:.6g}, expected {want:.6g} "
                               "(‖a − b‖ / max(‖a‖, ‖b‖, 1e-12))")
        return True, "ok"
    value = as_number(output, what="gradient_check's result")
    if test.expected is None:
        if 0 <= value < CHECK_PASS:
            return True, f"ok (relative error {value:.1e})"
        return False, f"gradient_check returned {value:.3g} for a correct gradient; it should be below {CHECK_PASS:.0e}"
    want = test.expected
    if abs(value - want) <= 1e-3 * want:
        return True, f"ok (relative error {value:.3g})"
    return False, f"gradient_check returned {value:.6g} for a wrong gradient; the relative error is {want:.6g}"
