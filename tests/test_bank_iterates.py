"""The bank's new iterates and steps parts (issue 11): Newton on Himmelblau, SGD with stated
mini-batches, Nesterov on the κ = 100 bowl; Newton in one step and gradients by differentials.

Iterates: each part's reference (its worked solution's answer line) is what the lab's own rules
produce, and is accepted; the learner's slips are simulated with the textbook formulas of the
prompts, written out here independently of the lab, so a slip costs one step and is named with
its cause. Steps: each reference chain is accepted line by line, its last line agrees with finite
differences, and a corrupted line is named exactly where it is."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from mcalc_tutor.content.answers import check_part, iterates_verdict, steps_verdict
from mcalc_tutor.content.loader import known_sources, load_exercise
from mcalc_tutor.content.solutions import solution_answers
from mcalc_tutor.content.variants import Variant, make_variant
from mcalc_tutor.lab.objectives import himmelblau, least_squares_on
from mcalc_tutor.lab.optimizers import OPTIMIZERS, StepContext, nesterov_step, newton_direction

ROOT = Path(__file__).resolve().parents[1] / "exercises"


def _variant(section: str, exercise_id: str) -> Variant:
    exercise, problems = load_exercise(ROOT / section / f"{exercise_id}.toml", known_sources())
    assert exercise is not None and not problems, problems
    return make_variant(exercise, 0)


def _points(text: str) -> list[np.ndarray]:
    """The x of each line of an answer: the last parenthesised pair on the line."""
    return [np.array([float(v) for v in re.findall(r"\(([^()]*)\)", line)[-1].split(",")])
            for line in text.strip().splitlines()]


def fmt(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(c):.7g}" for c in v) + ")"


# --- the three methods, as the prompts state them (textbook formulas, not the lab's code) --------------

def himmelblau_grad(p):
    x, y = p
    return np.array([4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)])


def himmelblau_hess(p):
    x, y = p
    return np.array([[12 * x * x + 4 * y - 42, 4 * x + 4 * y], [4 * x + 4 * y, 4 * x + 12 * y * y - 26]])


def newton(x, st, t, slip=None):
    g = himmelblau_grad(x)
    H = himmelblau_hess(st["stale"] if slip == "stale" else st["x0"] if slip == "stale x0" else x)
    if slip == "no inverse":
        step = H @ g
    elif slip == "gradient step":
        step = g
    else:
        step = np.linalg.solve(H, g)
    return (x + step if slip == "sign" else x - step), {**st, "stale": x}


DATA_X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
DATA_Y = np.array([2.0, 1.0, 3.0, 2.0])
BATCHES = [[0, 2], [1, 3], [2, 3]]  # {1, 3}, {2, 4}, {3, 4} as the prompt numbers them
SGD_LR = 0.5


def sgd(w, st, t, slip=None):
    batch = BATCHES[t] if slip == "next batch" else BATCHES[t - 1]
    if slip == "full":
        batch = [0, 1, 2, 3]
    terms = [DATA_X[i] * (DATA_X[i] @ w - DATA_Y[i]) for i in batch]
    g = np.sum(terms, axis=0) / (1 if slip == "sum" else len(batch))
    return (w + SGD_LR * g if slip == "sign" else w - SGD_LR * g), st


BOWL = np.array([[50.5, 49.5], [49.5, 50.5]])
NES_LR, NES_BETA = 0.019, 0.5


def nesterov(x, st, t, slip=None):
    v = st["v"]
    at = x if slip == "at x" else x - NES_LR * NES_BETA * v
    v = NES_BETA * v + (1 - NES_BETA if slip == "ema" else 1) * BOWL @ at
    return (x + NES_LR * v if slip == "sign" else x - NES_LR * v), {**st, "v": v}


# name: (section, exercise, part, the textbook rule, start, k)
PARTS = {
    "newton": ("optimizers", "opt-newton-quadratic-convergence", "a", newton, (3.5, 2.5), 3),
    "sgd": ("optimizers", "opt-sgd-minibatch-steps", "a", sgd, (0.0, 0.0), 3),
    "nesterov": ("optimizers", "opt-trajectories-ill-conditioned", "e", nesterov, (1.0, 0.0), 3),
}


def simulate(name: str, slip: str | None = None, at: int | None = None,
             corrupt: dict[int, np.ndarray] | None = None) -> tuple[str, list[np.ndarray]]:
    """The learner's iterates as text, each from their own previous one: `slip` at step `at`, or an
    arbitrary point in place of the iterates listed in `corrupt`. Also the points themselves."""
    *_, rule, start, k = PARTS[name]
    x = np.array(start)
    st = {"v": np.zeros(2), "x0": x, "stale": x}
    xs = []
    for t in range(1, k + 1):
        prev = x
        x, st = rule(x, st, t, slip if t == at else None)
        if corrupt and t in corrupt:
            x = corrupt[t]
            if name == "nesterov":  # a learner's wrong x_k comes with the velocity it implies
                st = {**st, "v": (prev - x) / NES_LR}
        xs.append(x)
    return "\n".join(fmt(x) for x in xs), xs


def lab_iterates(name: str) -> list[np.ndarray]:
    """The reference iterates, by the lab's own rules and objectives."""
    *_, start, k = PARTS[name]
    x, out = np.array(start), []
    if name == "newton":
        obj = himmelblau()
        for _ in range(k):
            x = x - newton_direction(obj.hess(x), obj.grad(x))
            out.append(x)
    elif name == "sgd":
        obj = least_squares_on(DATA_X, DATA_Y)
        spec = OPTIMIZERS["sgd"]
        ctx = StepContext(obj, SGD_LR, {**spec.params, "batches": BATCHES}, np.random.default_rng(0))
        state = spec.init(x, ctx)
        for t in range(1, k + 1):
            x, state = spec.update(x, obj.grad(x), state, ctx, t)
            out.append(x)
    else:
        v = np.zeros(2)
        for _ in range(k):
            x, v = nesterov_step(x, v, lambda p: BOWL @ p, NES_LR, NES_BETA)
            out.append(x)
    return out


def _part(name: str):
    section, exercise_id, part_name, *_ = PARTS[name]
    variant = _variant(section, exercise_id)
    return variant, variant.part(part_name)


@pytest.mark.parametrize("name", sorted(PARTS))
def test_the_solution_iterates_are_the_labs_and_are_accepted(name):
    variant, part = _part(name)
    solution = solution_answers(variant)[part.name]
    given, wanted = _points(solution), lab_iterates(name)
    assert len(given) == len(wanted) == part.count
    for mine, lab in zip(given, wanted, strict=True):
        assert np.allclose(mine, lab, rtol=1e-5, atol=1e-5), (mine, lab)
    verdict = check_part(variant, part, solution)
    assert verdict.status == "correct" and verdict.score == part.points, verdict.message


@pytest.mark.parametrize("name", sorted(PARTS))
def test_the_textbook_formulas_of_the_prompt_are_the_labs(name):
    """The formulas the prompt states (simulated here) give the lab's iterates, so a learner who
    follows the prompt exactly is marked right."""
    text, xs = simulate(name)
    for mine, lab in zip(xs, lab_iterates(name), strict=True):
        assert np.allclose(mine, lab, rtol=1e-9, atol=1e-12)
    variant, part = _part(name)
    assert check_part(variant, part, text).status == "correct"


@pytest.mark.parametrize("name", sorted(PARTS))
def test_one_corrupted_iterate_costs_one_step_and_hides_the_answer(name):
    """x₂ replaced by another point; x₃ is the right update from the learner's x₂, so it counts."""
    _, clean = simulate(name)
    text, xs = simulate(name, corrupt={2: clean[1] + np.array([0.05, -0.03])})
    variant, part = _part(name)
    result = iterates_verdict(part, text)
    assert result.first_wrong == 2, result.message
    assert [s.ok for s in result.steps] == [True, False, True]
    verdict = check_part(variant, part, text)
    assert verdict.status == "partial" and verdict.score == pytest.approx(part.points * 2 / 3)
    assert verdict.message.startswith("Step 2 ")
    shown = verdict.message + " ".join(d.message for d in verdict.diagnostics)
    for c in clean[1]:  # the expected x₂, however rounded, is not in the feedback
        for digits in (".3g", ".4g", ".5g", ".3f", ".4f"):
            assert format(float(c), digits) not in shown, (format(float(c), digits), shown)


# (method, slip, at step, the cause named)
CAUSES = [
    ("newton", "no inverse", 1, "hessian-not-inverted"),
    ("newton", "gradient step", 2, "gradient-step"),
    ("newton", "stale", 2, "hessian-stale"),
    ("newton", "stale x0", 3, "hessian-stale"),
    ("newton", "sign", 2, "sign"),
    ("sgd", "full", 1, "full-gradient"),
    ("sgd", "sum", 2, "batch-sum"),
    ("sgd", "next batch", 2, "wrong-batch"),
    ("sgd", "sign", 3, "sign"),
    ("nesterov", "at x", 2, "wrong-point"),
    ("nesterov", "ema", 2, "momentum-ema"),
    ("nesterov", "sign", 3, "sign"),
]


@pytest.mark.parametrize("name, slip, at, cause", CAUSES, ids=[f"{c[0]}-{c[1]}" for c in CAUSES])
def test_a_slip_is_named_with_its_cause_and_costs_one_step(name, slip, at, cause):
    text, _ = simulate(name, slip, at)
    _, part = _part(name)
    result = iterates_verdict(part, text)
    assert result.first_wrong == at, result.message
    wrong = result.steps[at - 1]
    assert wrong.cause == cause, wrong.message
    assert [s.ok for s in result.steps] == [t != at for t in range(1, part.count + 1)]
    assert result.message.startswith(f"Step {at} ")


def test_sgd_feedback_names_the_batch_the_prompt_states():
    text, _ = simulate("sgd", "next batch", 2)
    message = iterates_verdict(_part("sgd")[1], text).message
    assert "step 3 (examples 3 and 4)" in message and "examples 2 and 4" in message


@pytest.mark.parametrize("text", [
    "1.25, 0.75\n1.625, 0.4375\n2.0625, 0.46875",  # no brackets
    "w1 = (1.25, 0.75)\nw_2 = (1.625, 0.4375)\nw₃ = (2.0625, 0.46875)",  # labelled as the prompt names them
    "[1.25; 0.75]\n[1.625; 0.4375]\n[2.0625; 0.46875]",
    "(5/4, 3/4); (13/8, 7/16); (33/16, 15/32)",
])
def test_the_ways_learners_write_sgd_iterates_are_read(text):
    variant, part = _part("sgd")
    assert check_part(variant, part, text).status == "correct"


@pytest.mark.parametrize("text, message", [
    ("(1.25, 0.75)\n(1.625, 0.4375)", "give exactly 3 iterates"),
    ("(1.25, 0.75, 0)\n(1, 1)\n(1, 1)", "iterate 1: x needs 2 finite numbers"),
    ("1.25, 0.75, 0\n(1, 1)\n(1, 1)", "iterate 1: x needs 2 finite numbers, got 3"),
    ("(1.25, 0.75)\n(w, 1)\n(1, 1)", "iterate 2"),
    ("(1.25, 0.75), (1.625, 0.4375), (2.0625, 0.46875)", "several points on one line"),
    ("w₁ = (1.25, 0.75), w₂ = (1.625, 0.4375), w₃ = (2.0625, 0.46875)", "w is given twice"),
])
def test_badly_written_sgd_iterates_say_what_is_wrong(text, message):
    variant, part = _part("sgd")
    verdict = check_part(variant, part, text)
    assert verdict.status == "invalid" and message in verdict.message, verdict.message


def test_newton_errors_of_the_prompt_are_the_labs_and_settle_quadratically():
    """Part (b) states e₀…e₄; they are the lab's Newton errors, and e_{k+1}/e_k² settles near 0.8
    while e_{k+1}/e_k goes to 0, as part (c)'s answer says."""
    variant = _variant("optimizers", "opt-newton-quadratic-convergence")
    stated = [float(v) for v in re.findall(r"e[₀-₄] = ([0-9.]*[0-9])", variant.part("b").prompt)]
    x, errors = np.array([3.5, 2.5]), [float(np.hypot(0.5, 0.5))]
    obj = himmelblau()
    for _ in range(4):
        x = x - newton_direction(obj.hess(x), obj.grad(x))
        errors.append(float(np.linalg.norm(x - [3.0, 2.0])))
    assert np.allclose(stated, errors, rtol=1e-3)
    quadratic = [errors[k + 1] / errors[k] ** 2 for k in range(4)]
    linear = [errors[k + 1] / errors[k] for k in range(4)]
    assert abs(quadratic[3] - quadratic[2]) < 0.05 and 0.7 < quadratic[3] < 0.9
    assert linear == sorted(linear, reverse=True) and linear[3] < 1e-3
    assert check_part(variant, variant.part("b"), solution_answers(variant)["b"]).status == "correct"


def test_nesterovs_steep_component_grows_where_heavy_ball_stays_bounded():
    """Part (f)'s claim on the lab's iterates: |x₁ + x₂| grows for Nesterov at αλ = 1.9, and the
    Nesterov recursion has a root beyond −1 (stable only for αλ < 2(1 + β)/(1 + 2β) = 1.5)."""
    steep = [abs(x.sum()) for x in lab_iterates("nesterov")]
    assert steep == sorted(steep) and steep[-1] > 2
    h, b = NES_LR * 100, NES_BETA
    assert max(abs(np.roots([1, -(1 + b) * (1 - h), b * (1 - h)]))) > 1
    assert max(abs(np.roots([1, -(1 + b - h), b]))) < 1


# --- steps parts -------------------------------------------------------------------------------------

RNG = np.random.default_rng(2026)
M, N = 5, 3
Xd, yd, wd = RNG.normal(size=(M, N)), RNG.normal(size=M), RNG.normal(size=N)
LAM = 0.7
Q = RNG.normal(size=(N, N))
SPD = Q @ Q.T + N * np.eye(N)
bd, xd = RNG.normal(size=N), RNG.normal(size=N)
Ad, xm = RNG.normal(size=(M, N)), RNG.normal(size=M)
R = RNG.normal(size=(M, M))
Wd = R @ R.T + M * np.eye(M)
inv = np.linalg.inv


def _fd_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _ridge(w):
    return (Xd @ w - yd) @ (Xd @ w - yd) + LAM * w @ w


# (section, exercise, part): (the check of the last line by finite differences, corrupted line, its text)
STEPS = {
    ("optimizers", "opt-newton-quadratic-one-step", "f"): (
        # A⁻¹b is where the gradient of ½xᵀAx − bᵀx vanishes
        lambda: _fd_gradient(lambda v: 0.5 * v @ SPD @ v - bd @ v, inv(SPD) @ bd),
        2, "= x - A^{-1} A x - A^{-1} b"),
    ("applications", "app-ridge-regression", "f"): (
        lambda: _fd_gradient(_ridge, wd) - (2 * Xd.T @ (Xd @ wd - yd) + 2 * LAM * wd),
        3, "= 2 (X w - y)^T X dw + λ w^T dw"),
    ("applications", "app-ridge-regression", "g"): (
        lambda: _fd_gradient(_ridge, inv(Xd.T @ Xd + LAM * np.eye(N)) @ Xd.T @ yd),
        3, "= w - (X^T X + λ I)^{-1} ((X^T X + λ I) w + X^T y)"),
    ("applications", "app-weighted-least-squares", "f"): (
        lambda: _fd_gradient(lambda s: (xm - Ad @ s) @ Wd @ (xm - Ad @ s), wd) + 2 * Ad.T @ Wd @ (xm - Ad @ wd),
        2, "= -(A ds)^T W (x - A s) + (x - A s)^T W A ds"),
    ("hessians", "hess-taylor-exact-quadratic", "a"): (
        # the term linear in h is the gradient of ½xᵀSx − bᵀx at x
        lambda: _fd_gradient(lambda v: 0.5 * v @ SPD @ v - bd @ v, xd) - (SPD @ xd - bd),
        3, "= 1/2 x^T S x + 2 x^T S h + 1/2 h^T S h - b^T x - b^T h"),
    ("hessians", "hess-taylor-exact-quadratic", "c"): (
        lambda: _fd_gradient(lambda v: v @ Q @ v, xd) - (Q + Q.T) @ xd,
        3, "= x^T A x + 2 x^T A h + h^T A h"),
    ("applications", "app-normal-equations", "g"): (
        lambda: _fd_gradient(lambda w: (Xd @ w - yd) @ (Xd @ w - yd), inv(Xd.T @ Xd) @ Xd.T @ yd),
        2, "= w - 2 (X^T X)^{-1} (X^T X w - X^T y)"),
    ("convexity", "cvx-stationary-is-global", "a"): (
        # the gradient of ½xᵀQx − bᵀx vanishes at s = Q⁻¹b, and f(y) − f(s) is ½(y − s)ᵀQ(y − s) at any y
        lambda: np.append(_fd_gradient(lambda v: 0.5 * v @ SPD @ v - bd @ v, inv(SPD) @ bd),
                          (0.5 * xd @ SPD @ xd - bd @ xd) - (0.5 * (inv(SPD) @ bd) @ bd - bd @ inv(SPD) @ bd)
                          - 0.5 * (xd - inv(SPD) @ bd) @ SPD @ (xd - inv(SPD) @ bd)),
        3, "= 1/2 y^T Q y - 2 s^T Q y + 1/2 s^T Q s"),
}
STEP_IDS = [f"{e}:{p}" for _, e, p in STEPS]


@pytest.mark.parametrize("where", list(STEPS), ids=STEP_IDS)
def test_reference_chain_is_accepted_line_by_line_and_its_end_checks_numerically(where):
    section, exercise_id, name = where
    variant = _variant(section, exercise_id)
    part = variant.part(name)
    chain = solution_answers(variant)[name]
    assert len(chain.splitlines()) >= 3
    verdict = check_part(variant, part, chain)
    assert verdict.status == "correct" and verdict.score == part.points, verdict.message
    assert all(line.ok for line in steps_verdict(variant, part, chain).lines)
    residual, *_ = STEPS[where]
    assert np.allclose(residual(), 0, atol=1e-5)


@pytest.mark.parametrize("where", list(STEPS), ids=STEP_IDS)
def test_one_corrupted_line_is_broken_exactly_there(where):
    section, exercise_id, name = where
    variant = _variant(section, exercise_id)
    part = variant.part(name)
    _, at, wrong = STEPS[where]
    lines = solution_answers(variant)[name].splitlines()
    lines[at - 1] = wrong
    result = steps_verdict(variant, part, "\n".join(lines))
    assert result.first_broken == at, result.message
    assert all(line.ok for line in result.lines[:at - 1])
    assert check_part(variant, part, "\n".join(lines)).status == "partial"


SGD_PART = """id = "sgd-check"
title = "t"
section = "optimizers"
source = "seed000:sgd"
difficulty = 1
statement = "s"

[[parts]]
name = "a"
kind = "iterates"
prompt = "p"
method = "sgd"
objective = {{ X = [[1, 0], [0, 1]], y = [1, 2] }}
lr = 0.5
start = [0, 0]
{batches}
k = 2
"""


@pytest.mark.parametrize("batches, problem", [
    ("", "unless the part states the examples of each step"),
    ("batches = [[1], [3]]", "batch 2: example numbers from 1 to 2"),
    ("batches = [[1, 2]]", "one mini-batch per iterate asked: 2 needed, 1 given"),
    ('batches = [["1"], [2]]', "the examples each step uses, numbered from 1"),
])
def test_an_sgd_part_without_a_usable_batch_sequence_does_not_load(tmp_path, batches, problem):
    path = tmp_path / "sgd-check.toml"
    path.write_text(SGD_PART.format(batches=batches), encoding="utf-8")
    _, problems = load_exercise(path, known_sources())
    assert any(problem in str(p) for p in problems), problems


def test_an_sgd_part_keeps_its_batches_numbered_as_the_prompt_states_them():
    _, part = _part("sgd")
    assert part.batches == ((1, 3), (2, 4), (3, 4))
    assert "{1, 3}" in part.prompt and "{2, 4}" in part.prompt and "{3, 4}" in part.prompt
