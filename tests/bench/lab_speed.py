"""Speed of the lab: 10,000 iterations of each optimizer on Rosenbrock plus one render, against a
bare numpy loop doing the same arithmetic, measured in the same run.

Run:  /work/venv/bin/python tests/bench/lab_speed.py [--steps N] [--repeat R]

It prints figures (best of R repeats) and a ratio run/bare; it asserts nothing. The goal is every
run + render under 100 ms, so the app can redraw while a learner drags a slider.
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from mcalc_tutor.lab.objectives import rosenbrock
from mcalc_tutor.lab.optimizers import (
    OPTIMIZERS,
    backtracking_step_size,
    newton_direction,
    saddle_free_newton_direction,
)
from mcalc_tutor.lab.render import render_loss, render_path
from mcalc_tutor.lab.runs import resolve_settings, run_optimizer

GOAL_MS = 100.0


# --- the bare loops: the same arithmetic, no recording, no checks, no dispatch ------------------
# Line searches and Newton directions call the same pure rules the lab uses (closed forms in 2-D),
# so the ratio measures only what the run adds: dispatch, recording, divergence checks, post-hoc
# loss and distance.

def f(p):
    x, y = p.tolist()
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def grad(p):
    x, y = p.tolist()
    t = y - x * x
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * t, 200.0 * t])


def hess(p):
    x, y = p.tolist()
    return np.array([[1200.0 * x * x - 400.0 * y + 2.0, -400.0 * x], [-400.0 * x, 200.0]])


def bare(name, x, lr, p, steps, seed):
    rng = np.random.default_rng(seed)
    v = np.zeros_like(x)
    m = np.zeros_like(x)
    sigma = p.get("noise", 0.0) * float(np.linalg.norm(grad(x))) / math.sqrt(2)
    for k in range(1, steps + 1):
        g = grad(x)
        if name == "gd":
            x = x - lr * g
        elif name == "gd-backtracking":
            x = x - backtracking_step_size(f, x, g, g, lr, 0.5, 1e-4) * g
        elif name == "newton":
            x = x - lr * newton_direction(hess(x), g)
        elif name == "damped-newton":
            d, _ = saddle_free_newton_direction(hess(x), g)
            x = x - backtracking_step_size(f, x, g, d, lr, 0.5, 1e-4) * d
        elif name == "sgd":
            x = x - lr * (g + sigma * rng.standard_normal(2))
        elif name == "momentum":
            v = p["beta"] * v + g
            x = x - lr * v
        elif name == "nesterov":
            v = p["beta"] * v + grad(x - lr * p["beta"] * v)
            x = x - lr * v
        elif name == "rmsprop":
            v = p["rho"] * v + (1 - p["rho"]) * g * g
            x = x - lr * g / (np.sqrt(v) + p["eps"])
        elif name == "adam":
            m = p["beta1"] * m + (1 - p["beta1"]) * g
            v = p["beta2"] * v + (1 - p["beta2"]) * (g * g)
            c1, c2 = 1 - p["beta1"] ** k, math.sqrt(1 - p["beta2"] ** k)
            x = x - (lr * c2 / c1) * m / (np.sqrt(v) + p["eps"] * c2)
    return x


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000.0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--width", type=int, default=100)
    ap.add_argument("--height", type=int, default=30)
    args = ap.parse_args()

    obj = rosenbrock()
    print(f"Rosenbrock from (-1.2, 1), {args.steps} iterations (no early stop), best of {args.repeat}; "
          f"render {args.width}x{args.height}")
    print(f"{'optimizer':16} {'run ms':>8} {'bare ms':>8} {'ratio':>6} {'loss chart':>11} "
          f"{'path chart':>11} {'run+loss':>9} {'run+path':>9}  goal<{GOAL_MS:.0f}ms  end")
    for name in OPTIMIZERS:
        lr, params = resolve_settings(obj, name)
        run_ms, run = best_of(args.repeat, lambda name=name: run_optimizer(obj, name, steps=args.steps, tol=-1.0))
        bare_ms, _ = best_of(args.repeat, lambda name=name, lr=lr, params=params, run=run:
                             bare(name, obj.x0.copy(), lr, params, run.steps, 0))
        loss_ms, _ = best_of(args.repeat, lambda run=run: render_loss([run], args.width, args.height))
        path_ms, _ = best_of(args.repeat, lambda run=run: render_path(obj, [run], args.width, args.height))
        worst = run_ms + max(loss_ms, path_ms)
        end = f"{run.stopped} after {run.steps}" + (f" (diverged at {run.diverged_at})" if run.diverged_at else "")
        print(f"{name:16} {run_ms:8.1f} {bare_ms:8.1f} {run_ms / bare_ms:6.2f} {loss_ms:11.1f} "
              f"{path_ms:11.1f} {run_ms + loss_ms:9.1f} {run_ms + path_ms:9.1f}  "
              f"{'yes' if worst < GOAL_MS else 'NO ':>3}         {end}")


if __name__ == "__main__":
    main()
