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
