"""Iterates of an optimizer judged one update at a time (checking/iterates.py).

The learner's iterates are simulated here with the textbook formulas written out in the test (not
the lab's code), with one known slip (a row of CAUSES each): the checker must name the step and the
cause. Correct runs of every hand-checkable method are accepted, which also holds the lab's rules
to the textbook.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcalc_tutor.checking.iterates import STATE, check_iterates, method, quadratic_objective, read_iterates
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import known_sources, load_exercise
from mcalc_tutor.content.variants import make_variant

A = np.array([[3.0, 1.0], [1.0, 2.0]])
B = np.array([1.0, -1.0])
OBJECTIVE = quadratic_objective(A, B)
X0 = np.array([1.0, 1.0])
BETA, RHO, B1, B2, EPS = 0.5, 0.9, 0.9, 0.999, 1e-8


def grad(x):
    return A @ x - B


def fmt(v) -> str:
    return "(" + ", ".join(f"{float(c):.6g}" for c in v) + ")"


# --- the textbook rules, and the slips, written out independently of the lab ---------------------------

def gd(x, st, t, lr, slip=None):
    g = grad(st["at"]) if slip == "gradient at x0" else grad(x)
    step = lr * (lr if slip == "lr twice" else 1.0) * g
    return (x + step if slip == "sign" else x - step), st


def momentum(x, st, t, lr, slip=None):
    v = st["v"]
    if slip == "lookahead":
        v = BETA * v + grad(x - lr * BETA * v)
    elif slip == "ema":
        v = BETA * v + (1 - BETA) * grad(x)
    else:
        v = BETA * v + grad(x)
    return x - lr * v, {**st, "v": v}


def nesterov(x, st, t, lr, slip=None):
    v = st["v"]
    v = BETA * v + (grad(x) if slip == "at x" else grad(x - lr * BETA * v))
    return x - lr * v, {**st, "v": v}


def rmsprop(x, st, t, lr, slip=None):
    g = grad(x)
    s = RHO * st["s"] + (1 - RHO) * g * g
    a = lr * lr if slip == "lr twice" else lr
    return x - a * g / (np.sqrt(s) + EPS), {**st, "s": s}


def adam(x, st, t, lr, slip=None):
    g = grad(x)
    m = B1 * st["m"] + (1 - B1) * g
    v = B2 * st["v"] + (1 - B2) * g * g
    if slip == "no bias correction":
        m_hat, v_hat = m, v
    else:
        m_hat, v_hat = m / (1 - B1 ** t), v / (1 - B2 ** t)
    step = lr * m_hat / (np.sqrt(v_hat) + EPS)
    return (x + step if slip == "sign" else x - step), {**st, "m": m, "v": v}


def newton(x, st, t, lr, slip=None):
    step = (lr * lr if slip == "lr twice" else lr) * np.linalg.solve(A, grad(x))
    return (x + step if slip == "sign" else x - step), st


RULES = {"gd": (gd, 0.1, {}), "momentum": (momentum, 0.1, {"beta": BETA}), "nesterov": (nesterov, 0.1, {"beta": BETA}),
         "rmsprop": (rmsprop, 0.05, {"rho": RHO, "eps": EPS}), "adam": (adam, 0.1, {"beta1": B1, "beta2": B2,
                                                                                    "eps": EPS}),
         "newton": (newton, 0.5, {})}


def simulate(name: str, k: int, slip: str | None = None, at: int | None = None, every: bool = False) -> str:
    """The learner's k iterates as text: the textbook rule from their own previous iterate, with
    `slip` at step `at` (or at every step)."""
    rule, lr, _ = RULES[name]
    x = X0.copy()
    st = {"v": np.zeros(2), "m": np.zeros(2), "s": np.zeros(2), "at": X0}
    lines = []
    for t in range(1, k + 1):
        x, st = rule(x, st, t, lr, slip if (every or t == at) else None)
        parts = [f"{c} = {fmt(st[c])}" for c in STATE[name] if name not in ("momentum", "nesterov")]
        lines.append(", ".join([*parts, f"x = {fmt(x)}"]) if parts else fmt(x))
    return "\n".join(lines)


def make(name: str):
    _, lr, params = RULES[name]
    return method(name, OBJECTIVE, lr=lr, x0=X0, params=params)


@pytest.mark.parametrize("name", sorted(RULES))
def test_textbook_iterates_are_accepted(name):
    verdict = check_iterates(make(name), simulate(name, 4), k=4)
    assert verdict.status == "correct", verdict.message
    assert verdict.score == 1.0 and verdict.first_wrong is None


# (method, slip, at step, at every step, the cause the checker names)
CAUSES = [
    ("gd", "sign", 2, False, "sign"),
    ("gd", "lr twice", 2, False, "lr-twice"),
    ("gd", "gradient at x0", 3, False, "wrong-point"),
    ("momentum", "ema", 1, True, "momentum-ema"),
    ("momentum", "ema", 3, False, "momentum-ema"),
    ("momentum", "lookahead", 2, False, "wrong-point"),
    ("nesterov", "at x", 2, False, "wrong-point"),
    ("adam", "no bias correction", 1, True, "bias-correction"),
    ("adam", "sign", 2, False, "sign"),
    ("rmsprop", "lr twice", 1, False, "lr-twice"),
    ("newton", "sign", 1, False, "sign"),
    ("newton", "lr twice", 2, False, "lr-twice"),
]


@pytest.mark.parametrize("name, slip, at, every, cause", CAUSES, ids=[f"{c[0]}-{c[1]}" for c in CAUSES])
def test_the_first_wrong_step_and_its_cause_are_named(name, slip, at, every, cause):
    verdict = check_iterates(make(name), simulate(name, 4, slip, at, every), k=4)
    assert verdict.first_wrong == at, verdict.message
    wrong = verdict.steps[at - 1]
    assert not wrong.ok and wrong.cause == cause, wrong.message
    assert verdict.message.startswith(f"Step {at} ")
    if not every:  # error carried forward: the steps after the slip start from the learner's iterate
        assert [s.ok for s in verdict.steps] == [s != at for s in range(1, 5)]
        assert verdict.score == 0.75 and verdict.status == "partial"
    else:
        assert all(s.cause == cause for s in verdict.steps)
        assert "The same slip is in steps" in verdict.message


def test_an_unrecognised_slip_names_the_step_not_the_answer():
    text = simulate("gd", 3).splitlines()
    text[1] = fmt(np.array([0.123, -0.456]))
    verdict = check_iterates(make("gd"), "\n".join(text))
    assert verdict.first_wrong == 2 and verdict.steps[1].cause == "unknown"
    expected_x2 = np.array([float(c) for c in text[0].strip("()").split(",")])
    expected_x2 = expected_x2 - 0.1 * grad(expected_x2)
    for shown in (f"{expected_x2[0]:.3g}", f"{expected_x2[0]:.4f}", f"{expected_x2[1]:.3g}"):
        assert shown not in verdict.message


def test_rounded_hand_computation_is_accepted():
    x1 = X0 - 0.1 * grad(X0)
    x2 = x1 - 0.1 * grad(x1)
    text = "\n".join("(" + ", ".join(f"{c:.4g}" for c in x) + ")" for x in (x1, x2))
    assert check_iterates(make("gd"), text).status == "correct"


def test_momentum_may_give_its_velocity_too():
    x, v = X0.copy(), np.zeros(2)
    lines = []
    for _ in range(2):
        v = BETA * v + grad(x)
        x = x - 0.1 * v
        lines.append(f"v = {fmt(v)}, x = {fmt(x)}")
    assert check_iterates(make("momentum"), "\n".join(lines)).status == "correct"


@pytest.mark.parametrize("text, message", [
    ("", "no iterates given"),
    ("(1, 2, 3)", "iterate 1: x needs 2 finite numbers"),
    ("(1, 2)\n(1, y)", "iterate 2: x:"),
    ("(1, 2); q = (1, 1)", "iterate 2: unknown component 'q'"),
])
def test_unreadable_iterates_say_which(text, message):
    verdict = check_iterates(make("gd"), text)
    assert verdict.status == "invalid" and message in verdict.message


def test_adam_needs_its_state_and_k_is_enforced():
    assert "give m, v as well" in check_iterates(make("adam"), "(1, 2)").message
    assert "give exactly 3 iterates" in check_iterates(make("gd"), simulate("gd", 2), k=3).message


def test_labels_and_subscripts_are_read():
    m = make("gd")
    assert read_iterates("x_1 = (1, 2)\nx₂ = (3, 4)", m)[1]["x"].tolist() == [3.0, 4.0]


def test_methods_that_cannot_be_checked_by_hand_are_refused():
    with pytest.raises(ValueError, match="random"):
        method("sgd", OBJECTIVE)
    with pytest.raises(ValueError, match="unknown method"):
        method("lbfgs", OBJECTIVE)
    with pytest.raises(ValueError, match="no hyperparameter"):
        method("gd", OBJECTIVE, params={"beta": 0.9})


def test_a_registry_objective_works_too():
    m = method("gd", "rosenbrock", lr=1e-3)
    x1 = m.x0 - 1e-3 * m.objective.grad(m.x0)
    assert check_iterates(m, fmt(x1)).status == "correct"


# --- iterates parts in the bank's schema (tests/data/derivations) --------------------------------------

DATA = Path(__file__).resolve().parent / "data" / "derivations" / "exercises" / "optimizers"


def _variant():
    exercise, problems = load_exercise(DATA / "iterates-by-hand.toml", known_sources())
    assert exercise is not None, problems
    return make_variant(exercise, 0)


def test_iterates_parts_are_graded_from_the_learners_text():
    variant = _variant()
    assert check_part(variant, variant.part("a"), simulate("gd", 2)).status == "correct"
    momentum_part = variant.part("b")
    verdict = check_part(variant, momentum_part, simulate("momentum", 3, "ema", every=True))
    assert verdict.status == "incorrect" and verdict.codes == ["momentum-ema"] * 3
    slip = check_part(variant, momentum_part, simulate("momentum", 3, "ema", at=2))
    assert slip.status == "partial" and slip.score == 2.0  # 3 points, one step of three lost
    assert check_part(variant, variant.part("c"), simulate("adam", 2)).status == "correct"
    bias = check_part(variant, variant.part("c"), simulate("adam", 2, "no bias correction", every=True))
    assert bias.codes[0] == "bias-correction"


def test_an_iterates_part_asks_for_k_iterates():
    variant = _variant()
    verdict = check_part(variant, variant.part("a"), simulate("gd", 3))
    assert verdict.status == "invalid" and "exactly 2" in verdict.message
    assert check_part(variant, variant.part("a"), "   \n").status == "invalid"


@pytest.mark.parametrize("old, new, message", [
    ('method = "gd"', 'method = "sgd"', "random"),
    ('method = "gd"', 'method = "bfgs"', "unknown method"),
    ("k = 2\n", "k = 0\n", "integer from 1 to 20"),
    ("start = [1, 1]\nk = 2", "start = [1, 1, 1]\nk = 2", "coordinates"),
    ('hyperparameters = { beta = 0.5 }', 'hyperparameters = { gamma = 0.5 }', "no hyperparameter gamma"),
    ('objective = { A = [[3, 1], [1, 2]], b = [1, -1] }\nlr = 0.1\nstart = [1, 1]\nk = 2',
     'objective = "nope"\nlr = 0.1\nstart = [1, 1]\nk = 2', "unknown function"),
])
def test_a_broken_iterates_part_does_not_load(tmp_path, old, new, message):
    text = (DATA / "iterates-by-hand.toml").read_text(encoding="utf-8")
    assert old in text
    folder = tmp_path / "optimizers"
    folder.mkdir()
    (folder / "iterates-by-hand.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    exercise, problems = load_exercise(folder / "iterates-by-hand.toml", known_sources())
    assert exercise is None and any(message in p.message for p in problems), [str(p) for p in problems]


def test_a_step_the_rule_cannot_take_is_named_not_raised():
    singular = method("newton", quadratic_objective([[1, 0], [0, 0]], [1, 0]), x0=[1, 1])
    verdict = check_iterates(singular, "(0, 1)")
    assert verdict.first_wrong == 1 and verdict.steps[0].cause == "undefined"
    huge = check_iterates(make("gd"), "(1e300, 1e300)\n(1e300, 1e300)")
    assert huge.status in ("incorrect", "partial")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["(", ")", "[", "]", "1", "-2.5", "1e308", ",", ";", "\n", "x", "=", "m", "v",
                                 "_1", "₂", " ", "1/0", "sqrt(-1)", "inf", "'"]), max_size=30).map("".join),
       st.sampled_from(sorted(RULES)))
def test_whatever_is_written_gets_a_verdict(text, name):
    verdict = check_iterates(make(name), text)
    assert verdict.status in ("correct", "partial", "incorrect", "invalid")
