"""Direct numpy checks for the parts of the matrix-derivatives, backprop and convexity sections
that cannot be verified by finite differences of a single `of` (verify = "none"), and extra
checks of numeric KKT / PCA answers against an independent computation."""
from __future__ import annotations

import numpy as np
import pytest

from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import SymbolTable, read
from mcalc_tutor.mathlang.evaluate import evaluate

BANK = load_bank()


def _variant(ex_id, seed=0):
    ex = BANK.get(ex_id)
    assert ex is not None, f"exercise {ex_id} is missing"
    return make_variant(ex, seed)


def _value(text, symbols=None, values=None, sizes=None):
    return evaluate(read(text, symbols or SymbolTable()), values or {}, sizes or {})


def test_weighted_least_squares_solution_zeroes_the_gradient():
    variant = _variant("mat-row-layout")
    part = variant.part("e")
    rng = np.random.default_rng(7)
    for m, n in ((5, 2), (6, 3), (4, 4)):
        B = rng.standard_normal((m, n))
        G = rng.standard_normal((m, m))
        W = G @ G.T / m + np.eye(m)
        y = rng.standard_normal((m, 1))
        values = {"B": B, "W": W, "y": y}
        s_star = evaluate(read(part.answer, variant.symbols), values, {"m": m, "n": n})
        # independent: minimize ‖W^{1/2}(y − Bs)‖² with lstsq on the whitened system
        L = np.linalg.cholesky(W)
        s_ref = np.linalg.lstsq(L.T @ B, L.T @ y, rcond=None)[0]
        assert np.allclose(s_star, s_ref, atol=1e-9)
        assert np.allclose(B.T @ W @ (y - B @ s_star), 0, atol=1e-9)


def test_two_layer_bias_gradient_composed_matches_finite_differences():
    variant = _variant("bp-two-layer")
    part = variant.part("i")
    rng = np.random.default_rng(11)
    s1 = (np.tanh, lambda t: 1 - np.tanh(t) ** 2, None)
    s2 = (np.sin, np.cos, None)
    for d, h, k in ((3, 4, 2), (2, 5, 3)):
        W1, b1 = rng.standard_normal((h, d)), rng.standard_normal((h, 1))
        W2, b2 = rng.standard_normal((k, h)), rng.standard_normal((k, 1))
        x, g = rng.standard_normal((d, 1)), rng.standard_normal((k, 1))

        def loss(bias, g=g, W2=W2, W1=W1, x=x, b2=b2):
            return (g.T @ s2[0](W2 @ s1[0](W1 @ x + bias) + b2)).item()

        eps = 1e-6
        fd = np.array([(loss(b1 + eps * e) - loss(b1 - eps * e)) / (2 * eps) for e in np.eye(h)[:, :, None]])
        z1 = W1 @ x + b1
        z2 = W2 @ s1[0](z1) + b2
        values = {"g": g, "W2": W2, "z1": z1, "z2": z2, "W1": W1, "b1": b1, "b2": b2, "x": x}
        got = evaluate(read(part.answer, variant.symbols), values, {"d": d, "h": h, "k": k},
                       {"σ1": s1, "σ2": s2})
        assert np.allclose(got, fd.reshape(h, 1), atol=1e-6)


@pytest.mark.parametrize("seed", range(50))
def test_half_plane_kkt_answers_satisfy_kkt_and_are_optimal(seed):
    variant = _variant("cvx-kkt-projection", seed)
    a, b, c = (variant.values[k] for k in ("a", "b", "c"))
    p = np.array([a, b], dtype=float)
    mu = _value(variant.part("c").answer).item()
    x = _value(variant.part("d").answer).ravel()
    value = _value(variant.part("e").answer).item()
    assert x[0] + x[1] <= c + 1e-12                     # primal feasibility
    assert mu >= 0                                      # dual feasibility
    assert abs(mu * (x[0] + x[1] - c)) < 1e-12          # complementary slackness
    assert np.allclose(2 * (x - p) + mu * np.ones(2), 0)  # stationarity
    assert np.isclose(value, np.sum((x - p) ** 2))
    # optimality against a fine sweep of the boundary line and random feasible points
    rng = np.random.default_rng(seed)
    t = np.linspace(-20, 20, 40001)
    boundary = np.stack([t, c - t], axis=1)
    inside = rng.uniform(-10, 10, size=(5000, 2))
    inside = inside[inside.sum(axis=1) <= c]
    candidates = np.vstack([boundary, inside])
    assert np.min(np.sum((candidates - p) ** 2, axis=1)) >= value - 1e-6
    # the loose constraint x₁ + x₂ ≤ 20: unconstrained minimizer feasible, multiplier 0
    assert a + b <= 20 and _value(variant.part("g").answer).item() == 0
    # shadow price: d(optimal value)/dc = −μ
    def opt(cc):
        return max(0.0, a + b - cc) ** 2 / 2
    assert np.isclose((opt(c + 1e-6) - opt(c - 1e-6)) / 2e-6, -mu, atol=1e-5)


def test_min_norm_point_on_hyperplane():
    variant = _variant("cvx-kkt-min-norm")
    x_text, nu_text = variant.part("b").answer, variant.part("c").answer
    rng = np.random.default_rng(3)
    for n in (2, 3, 6):
        a = rng.standard_normal((n, 1))
        values = {"a": a}
        x = evaluate(read(x_text, variant.symbols), values, {"n": n})
        nu = evaluate(read(nu_text, variant.symbols), values, {"n": n}).item()
        ref = np.linalg.lstsq(a.T, np.ones(1), rcond=None)[0].reshape(n, 1)  # minimum-norm solution
        assert np.allclose(x, ref)
        assert np.isclose((a.T @ x).item(), 1.0)            # feasibility
        assert np.allclose(2 * x + nu * a, 0)               # stationarity


@pytest.mark.parametrize("seed", range(50))
def test_pca_variances_are_the_extreme_eigenvalues(seed):
    variant = _variant("cvx-pca-lagrangian", seed)
    s, t = variant.values["s"], variant.values["t"]
    eig, vecs = np.linalg.eigh(np.array([[s, t], [t, s]], dtype=float))
    assert np.isclose(_value(variant.part("d").answer).item(), eig[-1])
    assert np.isclose(_value(variant.part("f").answer).item(), eig[0])
    top = vecs[:, -1]
    assert np.isclose(abs(top @ np.array([1, 1]) / np.sqrt(2)), 1.0)  # choice (e): along (1, 1)
    right = variant.part("e").answer  # the options are shuffled per variant: the right one is "(1, 1)"
    assert variant.part("e").choices[ord(right) - ord("a")] == "(1, 1)"
