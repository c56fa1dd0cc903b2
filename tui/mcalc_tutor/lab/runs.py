"""Runs of an optimizer on an objective: the per-iteration record, stopping rules and divergence.

A run never raises for a bad step size and never returns NaN-laden garbage silently: it stops at the
first non-finite or blown-up iterate and says so in ``diverged_at`` and ``note``. Nothing here
draws or prints.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .objectives import Objective, make_objective, quadratic
from .optimizers import OPTIMIZERS, StepContext, is_positive_definite

__all__ = [
    "Run",
    "Bound",
    "LabResult",
    "run_optimizer",
    "run_lab",
    "resolve_settings",
    "gd_bound",
    "newton_in_one_step",
    "DIVERGENCE_FACTOR",
]

DIVERGENCE_FACTOR = 1e6
"""A run has blown up once ‖∇f‖ exceeds this many times max(‖∇f(x₀)‖, 1)."""

_CANCEL_POLL = 256  # iterations between calls to should_stop


@dataclass
class Run:
    """The record of one optimizer on one objective. Index 0 of each series is the starting point."""

    optimizer: str
    function: str
    lr: float
    params: dict[str, float]
    loss: np.ndarray
    """f(x_k) for k = 0..steps."""
    grad_norm: np.ndarray
    """‖∇f(x_k)‖ (the full gradient, also for SGD)."""
    distance: np.ndarray
    """‖x_k − x*‖ to the nearest known optimum (NaN where there is none)."""
    path: np.ndarray
    """The iterates, shape (steps + 1, n)."""
    f_star: float | None
    diverged_at: int | None
    stopped: str
    """Why the run ended: "converged", "max-steps", "diverged", "singular" or "cancelled"."""
    note: str = ""
    """What the learner should know about this run, one sentence per line."""
    label: str = ""
    """The legend name: the optimizer, plus its step size when a comparison has it twice."""

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.optimizer

    @property
    def steps(self) -> int:
        return len(self.loss) - 1

    @property
    def gap(self) -> np.ndarray:
        """f(x_k) − f* when f* is known, else f(x_k)."""
        return self.loss - self.f_star if self.f_star is not None else self.loss

    def to_json(self, *, with_path: bool = False) -> dict[str, Any]:
        """The series as plain JSON values; NaN and infinities become null."""
        out: dict[str, Any] = {
            "optimizer": self.optimizer,
            "label": self.label,
            "lr": _finite_or_none(self.lr),
            "params": {k: _finite_or_none(v) for k, v in self.params.items()},
            "loss": _json_list(self.loss),
            "grad_norm": _json_list(self.grad_norm),
            "distance": _json_list(self.distance),
            "diverged_at": self.diverged_at,
            "stopped": self.stopped,
            "note": self.note,
        }
        if with_path:
            out["path"] = [_json_list(p) for p in self.path]
        return out


@dataclass(frozen=True)
class Bound:
    """A theoretical curve for the loss chart, on the same scale (f − f*) and iterations."""

    label: str
    values: np.ndarray
    rate: float
    """Per-step contraction of ‖x − x*‖; f − f* contracts by rate² per step."""


@dataclass
class LabResult:
    """One comparison: an objective, one run per optimizer, and the GD bound when there is one."""

    objective: Objective
    runs: list[Run]
    bound: Bound | None = None

    def to_json(self, *, with_path: bool = False) -> dict[str, Any]:
        return {
            "function": self.objective.name,
            "title": self.objective.title,
            "f_star": None if self.objective.f_star is None else _finite_or_none(self.objective.f_star),
            "runs": [run.to_json(with_path=with_path) for run in self.runs],
        }


def resolve_settings(objective: Objective, optimizer: str, lr: float | None = None,
                     params: Mapping[str, float] | None = None) -> tuple[float, dict[str, float]]:
    """The step size and hyperparameters a run will use: the optimizer's defaults, then its demo
    settings for this objective (``registry.OptimizerInfo.steps``), then what the caller passed."""
    spec = OPTIMIZERS[optimizer]
    suggested = spec.info.demo_settings(objective)
    chosen_lr = suggested.pop("lr", spec.default_lr) if lr is None else lr
    merged = dict(spec.params)
    merged.update({k: v for k, v in suggested.items() if k in spec.params})
    if params:
        unknown = set(params) - set(spec.params)
        if unknown:
            raise ValueError(f"{optimizer} has no parameter {', '.join(sorted(unknown))} "
                             f"(it has {', '.join(spec.params) or 'none'})")
        merged.update(params)
    return float(chosen_lr), merged


def run_optimizer(objective: Objective, optimizer: str, x0: Sequence[float] | np.ndarray | None = None,
                  lr: float | None = None, steps: int | None = None, seed: int = 0, *,
                  tol: float = 1e-10, params: Mapping[str, float] | None = None,
                  should_stop: Callable[[], bool] | None = None) -> Run:
    """Run ``optimizer`` on ``objective`` from ``x0`` (default: the objective's start) for at most
    ``steps`` iterations (default: the objective's), stopping early once ‖∇f‖ ≤ ``tol``.

    Divergence (a non-finite iterate, gradient or loss, or ‖∇f‖ growing DIVERGENCE_FACTOR-fold) ends
    the run with ``diverged_at`` set. ``should_stop`` is polled every few hundred iterations so a UI
    worker can cancel. Raises KeyError for an unknown optimizer and ValueError for impossible
    settings (steps < 1, lr ≤ 0, x0 of the wrong size).
    """
    if optimizer not in OPTIMIZERS:
        raise KeyError(f"unknown optimizer {optimizer!r} (choose from {', '.join(OPTIMIZERS)})")
    spec = OPTIMIZERS[optimizer]
    steps = objective.default_steps if steps is None else int(steps)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    chosen_lr, hyper = resolve_settings(objective, optimizer, lr, params)
    if not (math.isfinite(chosen_lr) and chosen_lr > 0):
        raise ValueError(f"the step size must be a positive number, got {chosen_lr!r}")
    x = np.array(objective.x0 if x0 is None else x0, dtype=float)
    if x.shape != (objective.dim,):
        raise ValueError(f"x0 must have {objective.dim} coordinates, got shape {x.shape}")

    ctx = StepContext(objective=objective, lr=chosen_lr, params=hyper, rng=np.random.default_rng(seed))
    with np.errstate(all="ignore"):
        path, grad_norm, last, stopped, diverged_at = _loop(objective, spec, ctx, x, steps, tol,
                                                            should_stop)
        path = path[: last + 1]
        grad_norm = grad_norm[: last + 1]
        loss = _values(objective, path)
        distance = objective.distance(path)

    bad_loss = np.flatnonzero(~np.isfinite(loss))
    if bad_loss.size and (diverged_at is None or bad_loss[0] < diverged_at):
        diverged_at = int(bad_loss[0])
        stopped = "diverged"
        loss, grad_norm, distance, path = (a[: diverged_at + 1] for a in (loss, grad_norm, distance, path))

    notes = list(ctx.notes)
    if stopped == "diverged":
        notes.insert(0, _divergence_message(objective, optimizer, chosen_lr, diverged_at))
    elif stopped == "singular":
        notes.insert(0, f"stopped at step {len(loss) - 1} — the Hessian is singular there, so the "
                        "Newton step is undefined")
    elif stopped == "converged":
        notes.append(_stationary_point_note(objective, path[-1]))
    return Run(optimizer=optimizer, function=objective.name, lr=chosen_lr, params=hyper, loss=loss,
               grad_norm=grad_norm, distance=distance, path=path, f_star=objective.f_star,
               diverged_at=diverged_at, stopped=stopped, note="\n".join(n for n in notes if n))


def _loop(objective, spec, ctx, x, steps, tol, should_stop):
    """The hot loop, kept free of anything but the arithmetic and the bookkeeping it needs."""
    n = objective.dim
    path = np.empty((steps + 1, n))
    grad_norm = np.empty(steps + 1)
    grad = objective.grad
    dot = np.dot
    update = spec.update
    state = spec.init(x, ctx)
    limit = math.inf
    stopped, diverged_at = "max-steps", None
    k = 0
    for k in range(steps + 1):
        g = grad(x)
        gn = math.sqrt(dot(g, g))
        path[k] = x
        grad_norm[k] = gn
        if k == 0:
            limit = DIVERGENCE_FACTOR * max(gn, 1.0) if math.isfinite(gn) else -1.0
        if not gn <= limit:  # also catches NaN
            stopped, diverged_at = "diverged", k
            break
        if gn <= tol:
            stopped = "converged"
            break
        if k == steps:
            break
        if should_stop is not None and k % _CANCEL_POLL == 0 and should_stop():
            stopped = "cancelled"
            break
        try:
            x, state = update(x, g, state, ctx, k + 1)
        except np.linalg.LinAlgError:
            stopped = "singular"
            break
    return path, grad_norm, k, stopped, diverged_at


def _values(objective: Objective, path: np.ndarray, chunk: int = 4096) -> np.ndarray:
    if len(path) <= chunk:
        return np.asarray(objective.value(path), dtype=float)
    return np.concatenate([np.asarray(objective.value(path[i:i + chunk]), dtype=float)
                           for i in range(0, len(path), chunk)])


def _divergence_message(objective: Objective, optimizer: str, lr: float, k: int | None) -> str:
    if objective.f_star is None:
        return (f"diverged at step {k} — {objective.title} is unbounded below, so the iterates "
                "run off to infinity")
    msg = f"diverged at step {k} — the step size is too large for this function"
    if objective.L is not None and optimizer in ("gd", "sgd"):
        msg += f" (α = {lr:.4g} > 2/L = {2.0 / objective.L:.4g})" if lr > 2.0 / objective.L else ""
    return msg


def _stationary_point_note(objective: Objective, x: np.ndarray) -> str:
    try:
        H = objective.hess(x)
        if is_positive_definite(H):
            return ""
        lam = np.linalg.eigvalsh(H)
    except (np.linalg.LinAlgError, ValueError):
        return ""
    if lam[0] < 0:
        kind = "maximum" if lam[-1] < 0 else "saddle point"
        return (f"converged to a {kind}, not a minimum: ∇f = 0 there but the Hessian has "
                f"eigenvalues {', '.join(f'{v:.3g}' for v in lam[:4])}")
    return ""


def gd_bound(objective: Objective, run: Run) -> Bound | None:
    """The textbook guarantee for a fixed-step GD run on a quadratic (μ, L known): every eigen-
    component of x − x* shrinks by at least q = max(|1 − αμ|, |1 − αL|) per step, so
    f − f* ≤ q²ᵏ (f(x₀) − f*). At α = 2/(L+μ), q = (κ−1)/(κ+1). None when it does not apply."""
    if run.optimizer != "gd" or objective.mu is None or objective.L is None or objective.f_star is None:
        return None
    mu, L, a = objective.mu, objective.L, run.lr
    q = max(abs(1.0 - a * mu), abs(1.0 - a * L))
    if not q < 1.0:
        return None
    gap0 = float(run.loss[0] - objective.f_star)
    values = gap0 * q ** (2.0 * np.arange(len(run.loss)))
    optimal = abs(a - 2.0 / (L + mu)) <= 1e-9 * (2.0 / (L + mu))
    label = "GD bound ((κ−1)/(κ+1))^2k" if optimal else f"GD bound {q:.3g}^2k"
    return Bound(label=label, values=values, rate=q)


def run_lab(function: str, optimizers: Sequence[str], *, kappa: float = 10.0, seed: int = 0,
            dim: int | None = None, steps: int | None = None,
            lrs: Sequence[float | None] | None = None, tol: float = 1e-10,
            should_stop: Callable[[], bool] | None = None) -> LabResult:
    """Build ``function`` and run each optimizer on it from the same start (what the CLI draws)."""
    objective = make_objective(function, kappa=kappa, seed=seed, dim=dim)
    optimizers = list(optimizers)
    lrs = list(lrs) if lrs is not None else [None] * len(optimizers)
    if len(lrs) != len(optimizers):
        raise ValueError("give one step size for all optimizers or one per optimizer")
    runs = [run_optimizer(objective, name, lr=lr, steps=steps, seed=seed, tol=tol,
                          should_stop=should_stop)
            for name, lr in zip(optimizers, lrs, strict=True)]
    for run in runs:
        if optimizers.count(run.optimizer) > 1:
            run.label = f"{run.optimizer} α={run.lr:.3g}"
    bound = next((b for b in (gd_bound(objective, r) for r in runs) if b is not None), None)
    return LabResult(objective=objective, runs=runs, bound=bound)


def newton_in_one_step(kappa: float = 10.0, x0: Sequence[float] | None = None) -> tuple[Objective, Run]:
    """The preset "Newton in one step": one Newton step on the 2-D quadratic lands on x*."""
    objective = quadratic(kappa=kappa)
    return objective, run_optimizer(objective, "newton", x0=x0, steps=1, tol=0.0)


def _finite_or_none(v) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _json_list(a: np.ndarray) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in np.asarray(a, dtype=float).tolist()]
