"""Independent numpy checks for the exercises added to fill the chapter's gaps (issue 11), and
for the content fixes of that issue. The generic bank tests (tests/test_bank.py) already verify
every `verify`-able answer, accept every worked solution and reject every listed mistake; here
are the checks a single `of` cannot express: KKT conditions against brute force, batch variances
by enumeration, optimizer recurrences run to the end, backprop against finite differences of
the whole network, and the parts marked `verify = "none"`."""
from __future__ import annotations

import itertools
import re
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

from mcalc_tutor.checking.verdict import CORRECT
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.solutions import solution_markdown
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import SymbolTable, read
from mcalc_tutor.mathlang.evaluate import evaluate

BANK = load_bank()
SEEDS = range(50)

NEW_IDS = (
    "cvx-logsumexp-tangent-plane", "cvx-logistic-tangent-plane", "cvx-xlogx-entropy",
    "cvx-convex-sets", "cvx-kkt-box", "cvx-kkt-simplex", "opt-sgd-minibatch-variance",
    "app-lasso-soft-threshold", "opt-bfgs-secant", "opt-learning-rate-decay",
    "opt-newton-any-quadratic", "mat-trace-transpose-rules", "mat-layout-conventions",
    "bg-cauchy-schwarz-triangle", "bp-two-layer-shapes-first", "bp-two-layer-minibatch",
    "bp-two-layer-numeric",
)


def _variant(ex_id: str, seed: int = 0):
    ex = BANK.get(ex_id)
    assert ex is not None, f"exercise {ex_id} is missing"
    return make_variant(ex, seed)


def _number(text: str) -> np.ndarray:
    return evaluate(read(str(text), SymbolTable()), {}, {})


def _vec(text: str) -> np.ndarray:
    return _number(text).ravel()


def _seeds(ex_id: str):
    return SEEDS if BANK.get(ex_id).randomized else (0,)


# --- the bank as a whole ----------------------------------------------------------------------

def test_new_exercises_load_and_the_bank_reaches_its_size():
    assert BANK.problems == [], "\n".join(map(str, BANK.problems))
    missing = [i for i in NEW_IDS if BANK.get(i) is None]
    assert not missing, missing
    parts = sum(len(e.parts) for e in BANK.exercises)
    assert len(BANK.exercises) >= 90 and parts >= 450, (len(BANK.exercises), parts)


def test_new_choice_answers_are_spread_over_the_positions():
    """Today's old bank puts 60 of 69 single answers at (a) or (b); the new parts must not."""
    letters = Counter(str(p.answer) for i in NEW_IDS for p in BANK.get(i).parts
                      if p.kind == "choice" and "," not in str(p.answer))
    total = sum(letters.values())
    assert total >= 20
    assert max(letters.values()) <= 0.4 * total, letters
    assert letters["c"] + letters["d"] >= total / 3, letters


# --- convexity ----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_box_projection_satisfies_kkt_and_beats_every_feasible_point(seed):
    v = _variant("cvx-kkt-box", seed)
    a, b = v.values["a"], v.values["b"]
    p = np.array([a, b], float)
    x = _vec(v.part("c").answer)
    mu = np.array([_number(v.part("d").answer).item(), _number(v.part("e").answer).item()])
    g = x - 1
    assert np.all(g <= 1e-12) and np.all(mu >= 0) and np.allclose(mu * g, 0)
    assert np.allclose(2 * (x - p) + mu, 0)
    value = _number(v.part("f").answer).item()
    assert np.isclose(value, np.sum((x - p) ** 2))
    grid = np.stack(np.meshgrid(np.linspace(-6, 1, 141), np.linspace(-6, 1, 141)), -1).reshape(-1, 2)
    assert np.min(np.sum((grid - p) ** 2, axis=1)) >= value - 1e-9
    # the second point (a, a): both constraints active, stationarity at the corner (1, 1)
    mu2 = _vec(v.part("g").answer)
    assert np.all(mu2 > 0) and np.allclose(2 * (np.ones(2) - np.array([a, a])) + mu2, 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_simplex_projection_satisfies_kkt_and_is_the_closest_point_of_the_segment(seed):
    v = _variant("cvx-kkt-simplex", seed)
    p = np.array([v.values["a"], v.values["b"]], float)
    t = np.linspace(0, 1, 100001)
    segment = np.stack([t, 1 - t], axis=1)
    best = segment[np.argmin(np.sum((segment - p) ** 2, axis=1))]
    x = _vec(v.part("d").answer)
    assert np.allclose(x, best, atol=1e-5)
    nu = _number(v.part("e").answer).item()
    mu2 = _number(v.part("f").answer).item()
    mu = np.array([0.0, mu2])
    assert mu2 >= 0 and np.allclose(mu * x, 0)                  # dual feasibility, slackness
    assert np.allclose(2 * (x - p) + nu * np.ones(2) - mu, 0)  # stationarity
    candidate = _vec(v.part("b").answer)                       # the μ = 0 guess is infeasible
    assert np.isclose(candidate.sum(), 1) and candidate.min() < 0
    q = np.array([0.7, 0.5])
    closest = segment[np.argmin(np.sum((segment - q) ** 2, axis=1))]
    assert np.allclose(_vec(v.part("g").answer), closest, atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
def test_tangent_planes_lie_below_the_functions(seed):
    v = _variant("cvx-logsumexp-tangent-plane", seed)
    w = np.array([v.values[k] for k in "pqr"], float)
    gap = _number(v.part("f").answer).item()
    assert np.isclose(gap, np.log(np.exp(w).sum()) - np.log(3) - w.mean()) and gap > 0
    v = _variant("cvx-logistic-tangent-plane", seed)
    t = v.values["p"] + 2 * v.values["q"]
    tangent, loss = _number(v.part("d").answer).item(), _number(v.part("e").answer).item()
    assert np.isclose(loss, np.log1p(np.exp(-t))) and np.isclose(tangent, np.log(2) - t / 2)
    assert loss > tangent


def test_xlogx_minimum_and_the_sqrt_abs_counterexample():
    v = _variant("cvx-xlogx-entropy")
    t = np.linspace(0.01, 3, 300000)
    phi = t * np.log(t)
    assert np.isclose(_number(v.part("d").answer).item(), t[np.argmin(phi)], atol=1e-4)
    assert np.isclose(_number(v.part("e").answer).item(), phi.min(), atol=1e-8)
    gap = _number(_variant("cvx-convex-sets").part("e").answer).item()
    assert np.isclose(gap, 0.5 * 0 + 0.5 * 1 - np.sqrt(0.5)) and gap < 0


# --- optimizers and applications --------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_minibatch_mean_and_variance_by_enumerating_every_batch(seed):
    v = _variant("opt-sgd-minibatch-variance", seed)
    c = v.values["c"]
    g = np.array([c + 3, c - 1, c + 1, c - 3], float)
    assert np.isclose(_number(v.part("a").answer).item(), g.mean())
    assert np.isclose(_number(v.part("b").answer).item(), np.mean((g - g.mean()) ** 2))
    batches = np.array([g[list(ix)].mean() for ix in itertools.product(range(4), repeat=5)])
    assert np.isclose(_number(v.part("c").answer).item(), batches.mean())
    assert np.isclose(_number(v.part("d").answer).item(), batches.var())
    std = {B: np.array([g[list(ix)].mean() for ix in itertools.product(range(4), repeat=B)]).std()
           for B in (1, 4)}
    factor = _number(v.part("e").answer).item()
    assert factor == 4 and np.isclose(std[4], std[1] / 2)
    assert np.isclose(_number(v.part("g").answer).item(), np.var([g.mean()]))


def _phi_argmin(c: float, lam: float = 1.0) -> float:
    w = np.linspace(-10, 10, 2000001)
    return float(w[np.argmin(0.5 * (w - c) ** 2 + lam * np.abs(w))])


@pytest.mark.parametrize("seed", SEEDS)
def test_lasso_minimizers_by_brute_force(seed):
    v = _variant("app-lasso-soft-threshold", seed)
    assert np.isclose(_number(v.part("b").answer).item(), _phi_argmin(v.values["c"]), atol=1e-5)
    assert np.isclose(_number(v.part("c").answer).item(), _phi_argmin(0.5), atol=1e-5)


def test_soft_threshold_formula_and_the_two_steps():
    v = _variant("app-lasso-soft-threshold")
    formula = read(v.part("e").answer, v.symbols)
    for val, tau in ((2.5, 1.0), (0.3, 0.5), (-1.7, 0.4), (-0.2, 1.5), (0.9, 0.9)):
        got = evaluate(formula, {"v": np.array([[val]]), "τ": np.array([[tau]])}, {}).item()
        assert np.isclose(got, _phi_argmin(val, tau), atol=1e-5), (val, tau)
    w0, alpha, c = 0.3, 0.5, 0.5
    sub = w0 - alpha * (w0 - c + np.sign(w0))
    assert np.isclose(_number(v.part("f").answer).item(), sub) and sub < 0 < w0  # it crosses 0
    smooth = w0 - alpha * (w0 - c)
    prox = np.sign(smooth) * max(abs(smooth) - alpha, 0.0)
    assert _number(v.part("g").answer).item() == prox == 0.0
    w = sub
    for _ in range(200):  # the subgradient iterates never settle at 0 ...
        w = w - alpha * (w - c + np.sign(w))
        assert w != 0
    w = prox
    for _ in range(5):    # ... the proximal ones stay there
        z = w - alpha * (w - c)
        w = np.sign(z) * max(abs(z) - alpha, 0.0)
    assert w == 0


def test_bfgs_update_satisfies_the_secant_condition():
    v = _variant("opt-bfgs-secant")
    B, s, y = np.eye(2), np.array([1.0, 0.0]), np.array([2.0, 1.0])
    Bs = B @ s
    Bp = B - np.outer(Bs, Bs) / (s @ Bs) + np.outer(y, y) / (y @ s)
    assert np.allclose(_number(v.part("e").answer), Bp)
    assert np.allclose(Bp @ s, y) and np.all(np.linalg.eigvalsh(Bp) > 0)
    assert np.isclose(_number(v.part("f").answer).item(), y @ s)
    for seed in (0, 1, 2, 3):
        v = _variant("opt-bfgs-secant", seed)
        t1 = v.values["t1"]
        assert np.isclose(_number(v.part("c").answer).item(), (4 * t1**3 - 4) / (t1 - 1))


def test_learning_rate_schedules_run_to_the_end():
    v = _variant("opt-learning-rate-decay")
    x = 10.0
    for k in range(5000):
        x *= 1 - 0.1 * 0.5**k
    assert np.isclose(_number(v.part("c").answer).item(), x, rtol=1e-9)
    x = 10.0
    for k in range(9):
        x *= 1 - 1 / (k + 2)
    assert np.isclose(_number(v.part("e").answer).item(), x)
    rate = [0.1 * 0.5 ** (epoch // 10) for epoch in range(40)]
    assert np.isclose(_number(v.part("g").answer).item(), rate[35])


def test_newton_quadratics_hessians():
    v = _variant("opt-newton-any-quadratic")
    M = np.array([[3.0, 2.0], [0.0, 1.0]])
    assert np.allclose(_number(v.part("f").answer), M + M.T)
    assert _number(v.part("h").answer).item() == 0
    assert np.linalg.matrix_rank(np.array([[2.0, 2.0], [2.0, 2.0]])) == 1


# --- matrix derivatives -------------------------------------------------------------------------

def test_column_layout_of_ax_is_the_transposed_jacobian():
    v = _variant("mat-layout-conventions")
    rng = np.random.default_rng(5)
    for m, n in ((3, 2), (2, 4)):
        A = rng.standard_normal((m, n))
        x = rng.standard_normal((n, 1))
        h = 1e-6
        jac = np.column_stack([((A @ (x + h * e[:, None])) - (A @ (x - h * e[:, None]))).ravel() / (2 * h)
                               for e in np.eye(n)])
        column = evaluate(read(v.part("b").answer, v.symbols), {"A": A}, {"m": m, "n": n})
        row = evaluate(read(v.part("a").answer, v.symbols), {"A": A}, {"m": m, "n": n})
        assert column.shape == (n, m) and np.allclose(column, jac.T, atol=1e-6)
        assert np.allclose(row, jac, atol=1e-6)


# --- backprop ------------------------------------------------------------------------------------

def _tiny_net_loss(W1, b1, W2, x, y):
    a1 = np.maximum(W1 @ x + b1, 0.0)
    return 0.5 * (float(W2 @ a1) - y) ** 2


def _fd(f, X, h=1e-6):
    out = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        E = np.zeros_like(X)
        E[idx] = h
        out[idx] = (f(X + E) - f(X - E)) / (2 * h)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_tiny_relu_network_gradients_match_finite_differences(seed):
    v = _variant("bp-two-layer-numeric", seed)
    y = float(v.values["y"])
    W1, b1 = np.array([[1.0, -1.0], [0.0, 1.0]]), np.array([0.5, -1.0])
    W2, x = np.array([2.0, 3.0]), np.array([1.0, 2.0])
    assert np.allclose(_vec(v.part("a").answer), W1 @ x + b1)
    assert np.isclose(_number(v.part("b").answer).item(), W2 @ np.maximum(W1 @ x + b1, 0))
    assert np.allclose(_number(v.part("d").answer).ravel(), _fd(lambda W: _tiny_net_loss(W1, b1, W, x, y), W2))
    assert np.allclose(_number(v.part("g").answer), _fd(lambda W: _tiny_net_loss(W, b1, W2, x, y), W1))
    assert np.allclose(_vec(v.part("h").answer), _fd(lambda b: _tiny_net_loss(W1, b, W2, x, y), b1))
    assert np.allclose(_vec(v.part("i").answer), _fd(lambda z: _tiny_net_loss(W1, b1, W2, z, y), x))
    assert np.allclose(_vec(v.part("f").answer), _vec(v.part("h").answer))  # δ₁ = ∂L/∂b₁


# --- the fixes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(20))
def test_chain_concrete_solution_shows_this_variants_wrong_order_product(seed):
    v = _variant("jac-chain-concrete", seed)
    p, q = v.values["p"], v.values["q"]
    Jg = np.array([[2 * p, 0], [q, p]])
    Jh = np.array([[1, 1], [p * q, p * p]])
    wrong = Jg @ Jh
    shown = "[" + "; ".join(", ".join(str(int(e)) for e in row) for row in wrong) + "]"
    text = solution_markdown(v)
    assert shown in text, (shown, text[-400:])
    assert not np.allclose(wrong, Jh @ Jg)


def test_adam_feedback_agrees_with_the_numbers_bias_correction_shrinks_the_first_step():
    v = _variant("opt-adam-bias-correction")
    c = v.part("c")
    raw = _number(next(m.answer for m in c.mistakes if "sqrt(0.001" in m.answer)).item()
    corrected = _number(c.answer).item()
    assert abs(raw) > abs(corrected)  # the raw step is ≈ 3.16 times the corrected one
    assert np.isclose(abs(corrected / raw), np.sqrt(1 - 0.999) / (1 - 0.9), rtol=1e-6)
    feedback = next(m.feedback for m in v.part("g").mistakes if m.answer == v.shown_answer("g", "a"))  # option (a)
    assert "shrinks" in feedback and "0.316" in feedback


def _rounded(x: float, digits: int) -> str:
    """x correctly rounded to `digits` significant figures, trailing zeros kept ("10.0", not "10"):
    the "#" form keeps them, and its bare trailing point ("100.") is dropped."""
    return f"{x:#.{digits}g}".rstrip(".")


def test_a_rounding_keeps_its_trailing_zeros():
    assert [_rounded(x, 3) for x in (10.0, 100.0, 8.944, 0.5)] == ["10.0", "100", "8.94", "0.500"]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_three_digit_rounding_of_the_steepest_slope_is_accepted(seed):
    v = _variant("grad-directional-derivative", seed)
    part = v.part("d")
    a, b = v.values["a"], v.values["b"]
    exact = float(np.hypot(2 * a + 2 * b, b - 4))
    for text in (_rounded(exact, 3), _rounded(exact, 4), str(exact)):
        assert check_part(v, part, text).status == CORRECT, (exact, text)
    assert check_part(v, part, _rounded(exact * 1.02, 3)).status != CORRECT


def test_polar_patch_area_accepts_the_exact_image_area():
    v = _variant("jac-polar-coordinates")
    part = v.part("c")
    exact_image = 0.02 * (3.01**2 - 3**2) / 2  # the patch r ∈ [3, 3.01], θ-width 0.02
    for text in ("0.0006", f"{exact_image:.6f}", "6e-4"):
        assert check_part(v, part, text).status == CORRECT, text
    assert check_part(v, part, "0.0002").status != CORRECT


@pytest.mark.parametrize("seed", range(10))
def test_gd_step_solution_states_this_variants_true_decrease(seed):
    v = _variant("opt-gd-step-by-hand", seed)
    a, b, p, q, al = (v.values[k] for k in ("a", "b", "p", "q", "al"))

    def f(x, y):
        return a * x * x + x * y + b * y * y

    g = np.array([2 * a * p + q, p + 2 * b * q])
    x1 = np.array([p, q]) - al * g
    true_decrease = f(p, q) - f(*x1)
    text = solution_markdown(v)
    match = re.search(r"true decrease f\(x₀\) − f\(x₁\) is\s*`([^`]+)`", text)
    assert match, text[-500:]
    assert np.isclose(float(Fraction(match.group(1))), true_decrease)
    assert true_decrease < al * g @ g  # smaller than the first-order prediction of part (d)


_DIGITS = re.compile(r"(\d|three|four) significant digits")
_WORDS = {"three": 3, "four": 4}
PROMISED = [(e, p.name, int(_WORDS.get(m.group(1), m.group(1))))
            for e in BANK.exercises for p in e.parts if p.kind == "number"
            for m in [_DIGITS.search(p.prompt) or _DIGITS.search(e.statement)] if m]


def test_there_are_parts_that_promise_a_number_of_digits():
    assert len(PROMISED) >= 30


@pytest.mark.parametrize("ex,name,digits", PROMISED, ids=[f"{e.id}:{n}" for e, n, _ in PROMISED])
def test_a_rounding_to_the_promised_significant_digits_is_accepted(ex, name, digits):
    """A part that says "k significant digits" accepts the expected value rounded to k digits,
    trailing zeros kept (the issue-11 tolerance bug, bank-wide)."""
    for seed in (range(20) if ex.randomized else (0,)):
        v = make_variant(ex, seed)
        part = v.part(name)
        value = _vec(part.answer)
        text = ", ".join(_rounded(x, digits) for x in value)
        text = f"({text})" if value.size > 1 else text
        assert check_part(v, part, text).status == CORRECT, (seed, text, value)
