"""Hidden tests and judge for SGD, momentum and Adam written from scratch, run on Rosenbrock.

The judge replays each method here, with the same gradient oracle (same noise for SGD), and
compares the learner's iterates with it: a few steps exactly, then whole runs for convergence.
The update rules are the chapter's: v ← βv + ∇f, x ← x − αv for momentum; Adam with bias
correction and ε outside the square root.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import HiddenTest, OutputError, as_array, as_number, rng_for

TITLE = "SGD, momentum and Adam on Rosenbrock"
MODULE_FILE = "optimizers.py"
TRACED = True  # every gradient call is reported, with its point: counted and checked outside
OPTIMUM = np.array([1.0, 1.0])


def rosenbrock(x: np.ndarray) -> float:
    return float((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2)


def rosenbrock_grad(x: np.ndarray) -> np.ndarray:
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def _oracle(objective: dict, noise_seed: int, sigma: float):
    noise = np.random.default_rng(noise_seed)
    Q = np.asarray(objective.get("Q", np.eye(2)), dtype=float)
    c = np.asarray(objective.get("c", np.zeros(2)), dtype=float)

    def grad(x):
        g = rosenbrock_grad(x) if objective["name"] == "rosenbrock" else Q @ x - c
        return g + sigma * noise.standard_normal(2) if sigma else g
    return grad


def replay(call: str, grad, x0, variant: str = "", **kw) -> np.ndarray:
    """The reference iterates x₀ … x_T of one method (``variant`` names a classic mistake)."""
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    steps, lr = kw["steps"], kw["lr"]
    if call == "sgd":
        for _ in range(steps):
            x = x - lr * grad(x)
            path.append(x.copy())
    elif call == "momentum":
        beta = kw["beta"]
        v = np.zeros_like(x)
        for _ in range(steps):
            g = grad(x)
            v = beta * v + ((1 - beta) * g if variant == "ema" else g)
            x = x - lr * v
            path.append(x.copy())
    elif call == "adam":
        b1, b2, eps = kw.get("beta1", 0.9), kw.get("beta2", 0.999), kw.get("eps", 1e-8)
        m = np.zeros_like(x)
        v = np.zeros_like(x)
        for t in range(1, steps + 1):
            g = grad(x)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = (m, v) if variant == "no-bias-correction" else (m / (1 - b1 ** t), v / (1 - b2 ** t))
            x = x - lr * m_hat / (np.sqrt(v_hat) + eps)
            path.append(x.copy())
    else:
        raise ValueError(call)
    return np.array(path)


def _keep(steps: int, every: int) -> list[int]:
    return sorted(set(range(min(steps, 6) + 1)) | set(range(0, steps + 1, every)) | {steps})


def _run_test(name, call, objective, x0, kwargs, *, noise=0.0, noise_seed=0, converge=None, points=1.0):
    keep = _keep(kwargs["steps"], 100)
    path = replay(call, _oracle(objective, noise_seed, noise), x0, **kwargs)
    variants = {}
    for variant in {"momentum": ["ema"], "adam": ["no-bias-correction"]}.get(call, []):
        variants[variant] = replay(call, _oracle(objective, noise_seed, noise), x0, variant, **kwargs)[keep]
    return HiddenTest(
        name=name,
        payload={"call": call, "objective": objective, "x0": list(map(float, x0)), "kwargs": kwargs,
                 "noise": noise, "noise_seed": noise_seed, "keep": keep},
        expected={"rows": path[keep], "path": path, "keep": keep, "x0": np.array(x0, dtype=float), "converge": converge,
                  "variants": variants, "final": path[-1]},
        points=points,
    )


def hidden_tests(seed: int) -> list[HiddenTest]:
    rng = rng_for("optimizers", seed)
    points = [rng.uniform(-2, 2, size=2) for _ in range(4)]
    tests = [HiddenTest(
        name="rosenbrock and rosenbrock_grad at four points",
        payload={"call": "rosenbrock", "points": [p.tolist() for p in points]},
        expected={"values": [rosenbrock(p) for p in points], "gradients": [rosenbrock_grad(p) for p in points]},
    )]
    M = rng.normal(size=(2, 2))
    quadratic = {"name": "quadratic", "Q": (M @ M.T + np.eye(2)).tolist(), "c": rng.normal(size=2).tolist()}
    start = rng.uniform(-1, 1, size=2)
    tests.append(_run_test("sgd: six exact steps on a quadratic", "sgd", quadratic, start, {"lr": 0.1, "steps": 6}))
    tests.append(_run_test("momentum: six exact steps on a quadratic", "momentum", quadratic, start,
                           {"lr": 0.05, "beta": 0.9, "steps": 6}))
    tests.append(_run_test("adam: six exact steps on a quadratic (bias correction)", "adam", quadratic, start,
                           {"lr": 0.1, "steps": 6, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}))
    rosen = {"name": "rosenbrock"}
    while True:  # a start from which the reference methods do reach the minimum in the budget
        x0 = np.array([-1.2, 1.0]) + rng.uniform(-0.2, 0.2, size=2)
        ends = [replay("momentum", rosenbrock_grad, x0, lr=1e-3, beta=0.9, steps=3000)[-1],
                replay("adam", rosenbrock_grad, x0, lr=0.05, steps=3000)[-1]]
        if all(np.linalg.norm(end - OPTIMUM) < 1e-4 for end in ends):
            break
    noise_seed = int(rng.integers(2**31))
    tests.append(_run_test("sgd with noisy gradients on Rosenbrock (2000 steps)", "sgd", rosen, x0,
                           {"lr": 1e-3, "steps": 2000}, noise=0.5, noise_seed=noise_seed))
    tests.append(_run_test("momentum reaches the minimum of Rosenbrock (3000 steps)", "momentum", rosen, x0,
                           {"lr": 1e-3, "beta": 0.9, "steps": 3000}, converge=1e-3))
    tests.append(_run_test("adam reaches the minimum of Rosenbrock (3000 steps)", "adam", rosen, x0,
                           {"lr": 0.05, "steps": 3000}, converge=1e-3))
    return tests


_MISTAKES = {
    "ema": "these are the iterates of v ← βv + (1−β)∇f; this challenge uses the chapter's v ← βv + ∇f",
    "no-bias-correction": "these are Adam's iterates without bias correction: divide m by 1−β₁ᵗ and v by 1−β₂ᵗ",
}


def judge(test: HiddenTest, output: Any, trace: list) -> tuple[bool, str]:
    if not isinstance(output, dict):
        raise OutputError("the harness output is malformed")
    call = test.payload["call"]
    if call == "rosenbrock":
        values, grads = output.get("values"), output.get("gradients")
        if not isinstance(values, list) or not isinstance(grads, list) or len(values) != 4 or len(grads) != 4:
            raise OutputError("the harness output is malformed")
        for i, (value, grad) in enumerate(zip(values, grads, strict=True)):
            want_f, want_g = test.expected["values"][i], test.expected["gradients"][i]
            got_f = as_number(value, what="rosenbrock(x)")
            if not abs(got_f - want_f) <= 1e-9 * max(1.0, abs(want_f)):
                return False, f"rosenbrock{tuple(np.round(test.payload['points'][i], 3))} = {got_f:.6g}, expected {want_f:.6g}"
            got_g = as_array(grad, (2,), what="rosenbrock_grad(x)")
            if not np.allclose(got_g, want_g, rtol=1e-9, atol=1e-9):
                return False, (f"rosenbrock_grad{tuple(np.round(test.payload['points'][i], 3))} = {np.round(got_g, 6).tolist()}, "
                               f"expected {np.round(want_g, 6).tolist()}")
        return True, "ok"

    steps = test.payload["kwargs"]["steps"]
    shape = output.get("shape")
    if shape != [steps + 1, 2]:
        return False, (f"{call} should return the {steps + 1} iterates x₀ … x_{steps} as a ({steps + 1}, 2) array, "
                       f"got shape {shape}")
    after = as_array(output.get("x0_after"), (2,), what="x0 after the call")
    if not np.array_equal(after, test.expected["x0"]):
        return False, f"{call} changed the starting point x0 it was given; work on a copy"
    calls = len(trace)  # from the reports sent at each call, not from a counter the submission could reset
    if calls != steps:
        return False, f"{call} called the gradient {calls} times in {steps} steps; call it exactly once per step"
    rows = as_array(output.get("rows"), (len(test.expected["keep"]), 2), what="the iterates")
    want = test.expected["rows"]
    if not np.all(np.isfinite(rows)):
        return False, f"{call} diverged (NaN or infinity in the iterates)"
    tolerance = 1e-9 if steps <= 10 else 1e-6
    bad = np.flatnonzero(np.abs(rows - want).max(axis=1) > tolerance * (1 + np.abs(want).max(axis=1)))
    if bad.size:
        k = test.expected["keep"][bad[0]]
        for variant, rows_variant in test.expected["variants"].items():
            if np.allclose(rows, rows_variant, rtol=1e-6, atol=1e-9):
                return False, _MISTAKES[variant]
        return False, (f"{call}: iterate x_{k} is {np.round(rows[bad[0]], 6).tolist()}, "
                       f"expected {np.round(want[bad[0]], 6).tolist()}")
    if not all(isinstance(q, list) and len(q) == 2 for q in trace):
        raise OutputError("the record of gradient calls is malformed")
    points = np.array(trace, dtype=float)
    path = test.expected["path"][:-1]
    if not np.all(np.abs(points - path) <= 10 * tolerance * (1 + np.abs(path))):
        k = int(np.flatnonzero(np.any(np.abs(points - path) > 10 * tolerance * (1 + np.abs(path)), axis=1))[0])
        return False, (f"{call}: gradient call {k + 1} was at {np.round(points[k], 6).tolist()}, not at the iterate "
                       f"x_{k} = {np.round(path[k], 6).tolist()}: each step uses the gradient at the current point")
    final = rows[-1]
    if test.expected["converge"] is not None:
        distance = float(np.linalg.norm(final - OPTIMUM))
        if distance > test.expected["converge"]:
            return False, f"{call} ends {distance:.2g} away from the minimum (1, 1)"
        return True, f"ok (ends {distance:.1e} from (1, 1), f = {rosenbrock(final):.1e})"
    return True, f"ok (f(x_T) = {rosenbrock(final):.3g})" if steps > 10 else "ok"
