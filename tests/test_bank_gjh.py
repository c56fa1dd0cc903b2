"""Direct numpy checks for the parts of the gradients/jacobians/hessians sections whose expected
answers cannot be verified by `verify` (they are marked `verify = "none"`)."""
from __future__ import annotations

import numpy as np
import pytest

from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import SymbolTable, read
from mcalc_tutor.mathlang.evaluate import evaluate

BANK = load_bank()


def _value(text: str) -> np.ndarray:
    return evaluate(read(text, SymbolTable()), {}, {})


def _part(exercise_id: str, name: str, seed: int = 0):
    ex = BANK.get(exercise_id)
    assert ex is not None, exercise_id
    return make_variant(ex, seed).part(name)


def test_warmup_matrix_form_is_symmetric_and_reproduces_f():
    A = _value(str(_part("grad-warmup-quadratic", "b").answer))
    assert np.allclose(A, A.T)
    rng = np.random.default_rng(0)
    for _ in range(10):
        x1, x2 = rng.standard_normal(2)
        x = np.array([[x1], [x2]])
        assert np.isclose((x.T @ A @ x).item(), 3 * x1**2 + 2 * x1 * x2 + x2**2)


@pytest.mark.parametrize("seed", range(50))
def test_linear_approximation_jacobian_at_p_matches_finite_differences(seed):
    ex = BANK.get("jac-linear-approximation")
    variant = make_variant(ex, seed)
    a, p, q = (variant.values[k] for k in ("a", "p", "q"))

    def F(x, y):
        return np.array([x**2 + a * y, x * y])

    h = 1e-6
    fd = np.column_stack([(F(p + h, q) - F(p - h, q)) / (2 * h), (F(p, q + h) - F(p, q - h)) / (2 * h)])
    assert np.allclose(_value(str(variant.part("b").answer)), fd, atol=1e-6)


def test_taylor_model_matches_value_gradient_and_hessian_of_f():
    """q(u, v) must agree with f(1 + u, v) to second order: same value, gradient and Hessian at 0."""
    text = str(_part("hess-taylor-second-order", "c").answer)
    from mcalc_tutor.mathlang import parse_declarations

    symbols = parse_declarations({"u": "scalar", "v": "scalar"})
    typed = read(text, symbols)

    def q(u, v):
        return evaluate(typed, {"u": np.array([[u]]), "v": np.array([[v]])}, {}, {}).item()

    def f(u, v):
        return (1 + u) * np.exp(v) + v**2

    h = 1e-3
    def derivs(g):
        val = g(0, 0)
        grad = [(g(h, 0) - g(-h, 0)) / (2 * h), (g(0, h) - g(0, -h)) / (2 * h)]
        huu = (g(h, 0) - 2 * g(0, 0) + g(-h, 0)) / h**2
        hvv = (g(0, h) - 2 * g(0, 0) + g(0, -h)) / h**2
        huv = (g(h, h) - g(h, -h) - g(-h, h) + g(-h, -h)) / (4 * h * h)
        return np.array([val, *grad, huu, hvv, huv])

    assert np.allclose(derivs(q), derivs(f), atol=1e-4)
