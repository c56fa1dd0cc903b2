"""sympy's matrix calculus is not trusted: sympy 1.14 says d(ln det X)/dX = 0. Our expected answer,
X⁻ᵀ, is checked against finite differences, and the checker rejects 0. What sympy says is reported
for information only, so this file keeps passing when sympy is fixed."""
from __future__ import annotations

import numpy as np
import pytest

from mcalc_tutor.checking.equivalence import check_answer
from mcalc_tutor.mathlang import parse_declarations, read
from mcalc_tutor.mathlang.evaluate import evaluate

SYMBOLS = "X: n×n invertible"


def _log_det_gradient_by_finite_differences(x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = h
        grad[idx] = (np.linalg.slogdet(x + step)[1] - np.linalg.slogdet(x - step)[1]) / (2 * h)
    return grad


def _sympy_log_det_gradient():
    sympy = pytest.importorskip("sympy")
    X = sympy.MatrixSymbol("X", 3, 3)
    return sympy, sympy.log(sympy.Determinant(X)).diff(X)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_our_expected_answer_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 4)) + 4 * np.eye(4) * rng.choice([-1, 1])
    ours = evaluate(read("X^{-T}", parse_declarations("X: 4×4 invertible")), {"X": x}, {})
    assert np.allclose(ours, _log_det_gradient_by_finite_differences(x), rtol=1e-6, atol=1e-8)
    assert np.linalg.norm(ours) > 0.1, "the gradient of ln det X is far from zero"


def test_the_checker_rejects_zero_and_accepts_the_right_forms():
    symbols = parse_declarations(SYMBOLS)
    assert check_answer("X^{-T}", "0", symbols).status == "incorrect"
    assert check_answer("X^{-T}", "0 X", symbols).status == "incorrect"
    assert check_answer("X^{-T}", "0*I", symbols).status == "incorrect"
    for right in ("X^{-T}", "inv(X)^T", "(X^T)^{-1}", "X⁻ᵀ"):
        assert check_answer("X^{-T}", right, symbols).status == "correct", right
    assert check_answer("X^{-T}", "X^{-1}", symbols).codes == ["transpose"]


def test_the_engine_disagrees_with_sympy_when_sympy_says_zero(capsys):
    sympy, answer = _sympy_log_det_gradient()
    with capsys.disabled():
        print(f"\n[info] sympy {sympy.__version__}: d(log(Determinant(X)))/dX = {answer!r}")
    symbols = parse_declarations(SYMBOLS)
    if answer == 0:
        verdict = check_answer("X^{-T}", "0", symbols)
        assert verdict.status == "incorrect" and verdict.codes == ["shape"]
        assert check_answer("X^{-T}", "0 X", symbols).status == "incorrect"
    else:  # sympy fixed: its answer, evaluated at a matrix, should now agree with finite differences
        x = np.random.default_rng(3).standard_normal((3, 3)) + 3 * np.eye(3)
        X = sympy.MatrixSymbol("X", 3, 3)
        value = np.array(answer.subs(X, sympy.Matrix(x)).doit().evalf(), dtype=float)
        print(f"[info] sympy's gradient agrees with finite differences: "
              f"{np.allclose(value, _log_det_gradient_by_finite_differences(x), rtol=1e-5)}")


def test_sympy_leaves_the_derivative_of_det_unevaluated_and_we_do_not():
    sympy = pytest.importorskip("sympy")
    X = sympy.MatrixSymbol("X", 3, 3)
    print(f"[info] sympy: d(Determinant(X))/dX = {sympy.Determinant(X).diff(X)!r}")
    symbols = parse_declarations(SYMBOLS)
    assert check_answer("det(X) X^{-T}", "det(X) inv(X)'", symbols).status == "correct"
    assert check_answer("det(X) X^{-T}", "det(X) X^{-1}", symbols).codes == ["transpose"]
