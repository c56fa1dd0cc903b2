"""The chapter's update rules as small pure functions over numpy arrays, one per optimizer.

The ``*_step`` functions are the textbook rules and never mutate their inputs. Each optimizer in
``registry.OPTIMIZER_INFO`` (its name, label, colour and step sizes, numpy-free) has its rule
wrapped as ``init``/``update`` in ``RULES`` for the run loop in ``runs.py``. Nothing here draws,
prints or keeps global state; randomness comes only from the generator the caller passes in.

SGD on a function that is not a finite sum (quadratic, Rosenbrock, saddle, Himmelblau) uses the
full gradient plus seeded Gaussian noise whose standard deviation per coordinate is
``noise · ‖∇f(x₀)‖ / √n`` (``noise`` = 0.1 by default); on finite sums (least squares, logistic
regression) it uses real mini-batches drawn without replacement from a seeded shuffle per epoch,
or, when the hyperparameters give ``batches`` (0-based term indices per step), those batches first.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .objectives import Objective
from .registry import OPTIMIZER_INFO, OptimizerInfo

__all__ = [
    "OptimizerSpec",
    "StepContext",
    "OPTIMIZERS",
    "RULES",
    "gd_step",
    "backtracking_step_size",
    "newton_direction",
    "saddle_free_newton_direction",
    "momentum_step",
    "nesterov_step",
    "rmsprop_step",
    "adam_step",
    "epoch_batches",
    "is_positive_definite",
]

Array = np.ndarray


# ---------------------------------------------------------------------------------------------
# the rules


def gd_step(x: Array, g: Array, lr: float) -> Array:
    """Gradient descent: x ← x − α∇f(x)."""
    return x - lr * g


def backtracking_step_size(f: Callable[[Array], float], x: Array, g: Array, d: Array, t0: float = 1.0,
                           shrink: float = 0.5, c: float = 1e-4, max_halvings: int = 60) -> float:
    """Armijo backtracking along −d: the first t = t0·shrinkᵏ with f(x − t d) ≤ f(x) − c t ∇fᵀd.

    Stops shrinking once t·d no longer moves x in floating point: at a minimizer rounding can make
    the test fail for every t, and halving further would only waste evaluations."""
    fx = f(x)
    slope = float(g @ d)
    negligible = 1e-16 * math.sqrt(float(x @ x)) / max(math.sqrt(float(d @ d)), 1e-300)
    t = t0
    for _ in range(max_halvings):
        if f(x - t * d) <= fx - c * t * slope or t <= negligible:
            return t
        t *= shrink
    return t


def is_positive_definite(H: Array) -> bool:
    """Whether a symmetric matrix is positive definite (closed form in 2-D, eigenvalues otherwise)."""
    if H.shape == (2, 2):
        a, b, _, d = H.ravel().tolist()
        return a > 0.0 and a * d - b * b > 0.0
    return bool(np.linalg.eigvalsh(H)[0] > 0.0)


def newton_direction(H: Array, g: Array) -> Array:
    """The Newton direction H⁻¹∇f; the step x ← x − H⁻¹∇f lands on the stationary point of the
    local quadratic model, which is a minimizer only when H is positive definite. Raises
    numpy.linalg.LinAlgError when H is singular."""
    if H.shape == (2, 2):  # closed form: a quarter of the cost of a LAPACK call, same answer
        a, b, c, d = H.ravel().tolist()
        g0, g1 = g.tolist()
        det = a * d - b * c
        if det == 0.0 or not math.isfinite(det):
            raise np.linalg.LinAlgError("Singular matrix")
        return np.array([(d * g0 - b * g1) / det, (a * g1 - c * g0) / det])
    return np.linalg.solve(H, g)


def _eigh_2x2(a: float, b: float, d: float) -> tuple[float, float, float, float]:
    """Eigen-decomposition of the symmetric [[a, b], [b, d]] in closed form: (small, big, c, s)
    with eigenvectors (−s, c) for the small eigenvalue and (c, s) for the big one."""
    theta = 0.5 * math.atan2(2.0 * b, a - d)
    c, s = math.cos(theta), math.sin(theta)
    big = a * c * c + 2.0 * b * s * c + d * s * s
    small = a * s * s - 2.0 * b * s * c + d * c * c
    return small, big, c, s


def saddle_free_newton_direction(H: Array, g: Array, floor: float = 1e-8) -> tuple[Array, bool]:
    """|H|⁻¹∇f, with |H| = Q|Λ|Qᵀ (eigenvalues floored at ``floor``·max|λ|): always a descent
    direction. Returns the direction and whether H had to be modified (was not positive definite)."""
    if H.shape == (2, 2):  # closed form, a fifth of the cost of LAPACK on 2-D problems
        a, b, _, d = H.ravel().tolist()
        small, big, c, s = _eigh_2x2(a, b, d)
        scale = max(1.0, abs(small), abs(big))
        lo = floor * scale
        g0, g1 = g.tolist()
        p_small = (-s * g0 + c * g1) / max(abs(small), lo)
        p_big = (c * g0 + s * g1) / max(abs(big), lo)
        return np.array([-s * p_small + c * p_big, c * p_small + s * p_big]), small <= lo
    lam, Q = np.linalg.eigh(H)
    scale = max(1.0, float(np.max(np.abs(lam))))
    modified = bool(lam[0] <= floor * scale)
    lam_abs = np.maximum(np.abs(lam), floor * scale)
    return Q @ ((Q.T @ g) / lam_abs), modified


def momentum_step(x: Array, v: Array, g: Array, lr: float, beta: float) -> tuple[Array, Array]:
    """Heavy ball: v ← βv + ∇f(x), x ← x − αv."""
    v = beta * v + g
    return x - lr * v, v


def nesterov_step(x: Array, v: Array, grad: Callable[[Array], Array], lr: float,
                  beta: float) -> tuple[Array, Array]:
    """Nesterov: v ← βv + ∇f(x − αβv), x ← x − αv (the gradient is taken at the look-ahead point)."""
    v = beta * v + grad(x - (lr * beta) * v)
    return x - lr * v, v


def rmsprop_step(x: Array, s: Array, g: Array, lr: float, rho: float, eps: float) -> tuple[Array, Array]:
    """RMSProp: s ← ρs + (1−ρ)g², x ← x − α g / (√s + ε)."""
    s = rho * s + (1.0 - rho) * (g * g)
    return x - lr * g / (np.sqrt(s) + eps), s


def adam_step(x: Array, m: Array, v: Array, g: Array, t: int, lr: float, beta1: float, beta2: float,
              eps: float) -> tuple[Array, Array, Array]:
    """Adam at step t ≥ 1: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², bias-corrected
    m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), x ← x − α m̂ / (√v̂ + ε)."""
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * (g * g)
    # α m̂/(√v̂ + ε) rearranged so the corrections are scalar work (Kingma & Ba, §2), same value
    c1 = 1.0 - beta1 ** t
    c2 = math.sqrt(1.0 - beta2 ** t)
    return x - (lr * c2 / c1) * m / (np.sqrt(v) + eps * c2), m, v


def epoch_batches(m: int, batch: int, rng: np.random.Generator) -> list[Array]:
    """One epoch of mini-batches: a seeded shuffle of range(m) cut into ⌊m/batch⌋ equal batches
    (the remainder waits for the next shuffle), so each term is used at most once per epoch."""
    order = rng.permutation(m)
    count = max(1, m // batch)
    return [order[i * batch:(i + 1) * batch] for i in range(count)]


# ---------------------------------------------------------------------------------------------
# each registered optimizer's rule, wrapped for the run loop


@dataclass
class StepContext:
    """What an update may read besides x and ∇f(x): the objective, step size, hyperparameters, the
    seeded generator, and a list that collects notes for the learner (e.g. an indefinite Hessian)."""

    objective: Objective
    lr: float
    params: Mapping[str, Any]
    rng: np.random.Generator
    notes: list[str] = field(default_factory=list)


State = Any
Init = Callable[[Array, StepContext], State]
Update = Callable[[Array, Array, State, StepContext, int], "tuple[Array, State]"]


@dataclass(frozen=True)
class OptimizerSpec:
    """A registered optimizer: its numpy-free record (``registry.OPTIMIZER_INFO``) and its rule,
    ``update(x, g, state, ctx, k)`` returning (x_k, state) from x_{k−1}."""

    info: OptimizerInfo
    init: Init
    update: Update

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def default_lr(self) -> float:
        """The chapter's default step size (objectives may suggest their own for a demo)."""
        return self.info.default_lr

    @property
    def params(self) -> Mapping[str, float]:
        """Default hyperparameters other than the step size."""
        return self.info.params

    @property
    def uses_hessian(self) -> bool:
        return self.info.uses_hessian


def _no_state(x, ctx):
    return None


def _not_warned(x, ctx):
    return False  # whether the learner has been told about an indefinite Hessian


def _gd_update(x, g, state, ctx, k):
    return x - ctx.lr * g, state


def _backtracking_update(x, g, state, ctx, k):
    p = ctx.params
    t = backtracking_step_size(ctx.objective.value, x, g, g, ctx.lr, p["shrink"], p["c"])
    return x - t * g, state


def _hessian_note(ctx, H, k, advice):
    lam = np.linalg.eigvalsh(H)
    ctx.notes.append(
        f"Hessian not positive definite at x_{k - 1} (eigenvalues {_fmt_list(lam)}): "
        f"{advice}"
    )


def _newton_update(x, g, warned, ctx, k):
    H = ctx.objective.hess(x)
    if not warned and not is_positive_definite(H):
        _hessian_note(ctx, H, k, "the Newton step heads for the stationary point of the local model, "
                      "which may be a saddle or a maximum (try damped-newton)")
        warned = True
    return x - ctx.lr * newton_direction(H, g), warned


def _damped_newton_update(x, g, warned, ctx, k):
    H = ctx.objective.hess(x)
    d, modified = saddle_free_newton_direction(H, g)
    if modified and not warned:
        _hessian_note(ctx, H, k, "damped-newton uses |eigenvalues| so the step still goes downhill")
        warned = True
    p = ctx.params
    t = backtracking_step_size(ctx.objective.value, x, g, d, ctx.lr, p["shrink"], p["c"])
    return x - t * d, warned


def _sgd_init(x, ctx):
    obj = ctx.objective
    if obj.is_finite_sum:
        given = ctx.params.get("batches")
        if given:  # a stated sequence (an exercise says which terms each step uses); shuffles after it
            return ("batches", [np.asarray(b, dtype=int) for b in given], 0)
        batch = int(ctx.params["batch"])
        if not 1 <= batch <= obj.n_samples:
            raise ValueError(f"batch must be between 1 and {obj.n_samples}, got {batch}")
        return ("batches", [], 0)
    g0 = obj.grad(x)
    sigma = float(ctx.params["noise"]) * float(np.linalg.norm(g0)) / math.sqrt(obj.dim)
    return ("noise", sigma)


def _sgd_update(x, g, state, ctx, k):
    obj = ctx.objective
    if state[0] == "noise":
        sigma = state[1]
        return x - ctx.lr * (g + sigma * ctx.rng.standard_normal(obj.dim)), state
    _, batches, i = state
    if i >= len(batches):
        batches, i = epoch_batches(obj.n_samples, int(ctx.params["batch"]), ctx.rng), 0
    return x - ctx.lr * obj.batch_grad(x, batches[i]), ("batches", batches, i + 1)


def _zeros(x, ctx):
    return np.zeros_like(x)


def _momentum_update(x, g, v, ctx, k):
    return momentum_step(x, v, g, ctx.lr, ctx.params["beta"])


def _nesterov_update(x, g, v, ctx, k):
    return nesterov_step(x, v, ctx.objective.grad, ctx.lr, ctx.params["beta"])


def _rmsprop_update(x, g, s, ctx, k):
    p = ctx.params
    return rmsprop_step(x, s, g, ctx.lr, p["rho"], p["eps"])


def _adam_init(x, ctx):
    return (np.zeros_like(x), np.zeros_like(x))


def _adam_update(x, g, state, ctx, k):
    p = ctx.params
    x, m, v = adam_step(x, state[0], state[1], g, k, ctx.lr, p["beta1"], p["beta2"], p["eps"])
    return x, (m, v)


RULES: dict[str, tuple[Init, Update]] = {
    "gd": (_no_state, _gd_update),
    "gd-backtracking": (_no_state, _backtracking_update),
    "newton": (_not_warned, _newton_update),
    "damped-newton": (_not_warned, _damped_newton_update),
    "sgd": (_sgd_init, _sgd_update),
    "momentum": (_zeros, _momentum_update),
    "nesterov": (_zeros, _nesterov_update),
    "rmsprop": (_zeros, _rmsprop_update),
    "adam": (_adam_init, _adam_update),
}
"""Registry name (``registry.OPTIMIZER_INFO``) -> (init, update) of its rule."""

OPTIMIZERS: dict[str, OptimizerSpec] = {
    name: OptimizerSpec(info, *RULES[name]) for name, info in OPTIMIZER_INFO.items()
}
"""Name -> OptimizerSpec, in the registry's order (a KeyError here: a registered optimizer has no rule)."""


def _fmt_list(values) -> str:
    return ", ".join(f"{float(v):.3g}" for v in values)
