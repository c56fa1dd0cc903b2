"""What the lab offers, as plain data: one record per objective and per optimizer, numpy-free.

The CLI's ``--help``, the app's lab form and the charts' colours read these records without loading
numpy. The arithmetic lives next door, keyed by the same names: each objective's factory in
``objectives.FACTORIES``, each optimizer's update rule in ``optimizers.RULES``
(tests/test_lab_registry.py holds the three in step).

- Adding an optimizer: one ``OptimizerInfo`` below (name, label, colour, default step and
  hyperparameters, demo steps per objective or objective kind), and its rule in ``RULES``.
- Adding an objective: one ``ObjectiveInfo`` below, its factory in ``FACTORIES``, and a demo step
  in an optimizer's ``steps`` wherever its chapter default does not suit the new function (or put
  the objective under a kind that already has one).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple, Protocol

# NamedTuple rather than dataclass: dataclasses imports inspect, which would add milliseconds to
# every CLI call (each one reads this module to register `lab`).
_NOTHING: Mapping[str, float] = MappingProxyType({})


class Curvature(Protocol):
    """What a step-size rule may read from a built objective (an ``objectives.Objective``)."""

    @property
    def name(self) -> str: ...

    @property
    def mu(self) -> float | None: ...

    @property
    def L(self) -> float | None: ...  # noqa: N802 - the textbook's name

    @property
    def smoothness(self) -> float | None: ...


Step = float | Callable[[Curvature], float]
"""A setting: a number, or a rule computing it from the objective's curvature (e.g. α = 2/(L+μ))."""


class ObjectiveInfo(NamedTuple):
    """An objective as choosers and help texts see it."""

    name: str
    kind: str
    """"quadratic", "test function" or "finite sum": optimizers may give one demo step per kind."""
    uses_kappa: bool = False
    """Whether --kappa (the condition number) changes it."""
    default_dim: int | None = None
    """With --dim: the dimension when none is given; None for a fixed 2-D function."""


class OptimizerInfo(NamedTuple):
    """An optimizer as choosers, help texts and charts see it; its update rule is
    ``optimizers.RULES[name]``."""

    name: str
    label: str
    """One line saying what the rule does."""
    color: str | int
    """Its plotext colour, the same in every chart."""
    default_lr: float
    """The chapter's default step size, used where ``steps`` has nothing for an objective."""
    params: Mapping[str, float] = _NOTHING
    """Default hyperparameters other than the step size."""
    steps: Mapping[str, Mapping[str, Step]] = MappingProxyType({})
    """Settings that make a sensible demo, by objective name or kind (the name wins), e.g.
    ``{"quadratic": {"lr": optimal_gd_step}, "rosenbrock": {"lr": 1e-3}}``."""
    uses_hessian: bool = False
    state: tuple[str, ...] = ()
    """What the rule carries besides x, as a learner names it in an iterates part (Adam: m, v)."""
    state_from_points: bool = False
    """Whether that state follows from the points (momentum's v: x_k = x_{k−1} − αv_k), so that a
    learner may leave it out."""

    def demo_settings(self, objective: Curvature) -> dict[str, float]:
        """The demo settings for a built objective ("lr" and any hyperparameters), or {}."""
        info = OBJECTIVE_INFO.get(objective.name)
        chosen = self.steps.get(objective.name)
        if chosen is None and info is not None:
            chosen = self.steps.get(info.kind)
        return {key: value(objective) if callable(value) else value for key, value in (chosen or {}).items()}

    def step_for(self, objective: Curvature) -> float:
        """The step size a run on ``objective`` uses unless the caller chooses one."""
        return self.demo_settings(objective).get("lr", self.default_lr)


# ---------------------------------------------------------------------------------------------
# step-size rules from the chapter (μ, L: smallest and largest Hessian eigenvalue)


def _mu_and_L(c: Curvature) -> tuple[float, float]:  # noqa: N802
    if c.mu is None or c.L is None:
        raise ValueError(f"{c.name} has no constant μ and L for this step-size rule")
    return c.mu, c.L


def optimal_gd_step(c: Curvature) -> float:
    """α = 2/(L+μ): gradient descent then contracts by exactly (κ−1)/(κ+1) per step."""
    mu, L = _mu_and_L(c)
    return 2.0 / (L + mu)


def polyak_momentum_step(c: Curvature) -> float:
    """Polyak's heavy-ball step 4/(√L+√μ)² (rate (√κ−1)/(√κ+1) instead of GD's (κ−1)/(κ+1))."""
    mu, L = _mu_and_L(c)
    return 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2


def polyak_momentum_beta(c: Curvature) -> float:
    """Polyak's heavy-ball momentum ((√κ−1)/(√κ+1))²."""
    mu, L = _mu_and_L(c)
    sqrt_k = math.sqrt(L / mu)
    return ((sqrt_k - 1) / (sqrt_k + 1)) ** 2


def nesterov_beta(c: Curvature) -> float:
    """Nesterov's momentum (√κ−1)/(√κ+1) for a strongly convex function, with α = 1/L."""
    mu, L = _mu_and_L(c)
    sqrt_k = math.sqrt(L / mu)
    return (sqrt_k - 1) / (sqrt_k + 1)


def over_L(scale: float) -> Callable[[Curvature], float]:  # noqa: N802
    """The rule α = scale/L, with L the objective's smoothness (or its known upper bound)."""

    def rule(c: Curvature) -> float:
        if c.smoothness is None:
            raise ValueError(f"{c.name} has no smoothness constant L for the step {scale:g}/L")
        return scale / c.smoothness

    return rule


# ---------------------------------------------------------------------------------------------
# the registries, in the order a chooser lists them

OBJECTIVE_INFO: dict[str, ObjectiveInfo] = {info.name: info for info in (
    ObjectiveInfo("quadratic", "quadratic", uses_kappa=True),
    ObjectiveInfo("quadratic-nd", "quadratic", uses_kappa=True, default_dim=10),
    ObjectiveInfo("rosenbrock", "test function"),
    ObjectiveInfo("saddle", "test function"),
    ObjectiveInfo("himmelblau", "test function"),
    ObjectiveInfo("least-squares", "finite sum", default_dim=2),
    ObjectiveInfo("logistic", "finite sum", default_dim=2),
)}

OPTIMIZER_INFO: dict[str, OptimizerInfo] = {info.name: info for info in (
    OptimizerInfo("gd", "gradient descent with a fixed step α", "blue+", 0.01, steps={
        "quadratic": {"lr": optimal_gd_step}, "least-squares": {"lr": optimal_gd_step},
        "logistic": {"lr": over_L(1.0)},
        "rosenbrock": {"lr": 1e-3}, "saddle": {"lr": 0.05}, "himmelblau": {"lr": 0.01}}),
    OptimizerInfo("gd-backtracking", "gradient descent with Armijo backtracking from α", "cyan", 1.0,
                  {"shrink": 0.5, "c": 1e-4}, steps={"saddle": {"lr": 0.5}}),
    OptimizerInfo("newton", "Newton's method x ← x − αH⁻¹∇f (α = 1)", "red+", 1.0, uses_hessian=True),
    OptimizerInfo("damped-newton", "Newton with |H| and backtracking from α", "magenta+", 1.0,
                  {"shrink": 0.5, "c": 1e-4}, uses_hessian=True),
    OptimizerInfo("sgd", "stochastic gradient descent (mini-batches, or noisy gradients)", "yellow", 0.01,
                  {"batch": 10, "noise": 0.1}, steps={
                      "quadratic": {"lr": over_L(1.0)}, "finite sum": {"lr": over_L(0.5), "batch": 10},
                      "rosenbrock": {"lr": 5e-4}, "saddle": {"lr": 0.05}, "himmelblau": {"lr": 0.01}}),
    OptimizerInfo("momentum", "heavy ball v ← βv + ∇f, x ← x − αv", "green+", 0.01, {"beta": 0.9},
                  state=("v",), state_from_points=True, steps={
        "quadratic": {"lr": polyak_momentum_step, "beta": polyak_momentum_beta},
        "least-squares": {"lr": over_L(0.5), "beta": 0.5}, "logistic": {"lr": over_L(0.2), "beta": 0.8},
        "rosenbrock": {"lr": 2e-4, "beta": 0.9}, "saddle": {"lr": 0.02, "beta": 0.5},
        "himmelblau": {"lr": 0.002, "beta": 0.9}}),
    OptimizerInfo("nesterov", "Nesterov v ← βv + ∇f(x − αβv), x ← x − αv",
                  28, 0.01, {"beta": 0.9}, state=("v",), state_from_points=True, steps={  # 28: dark green, momentum's sibling
                      "quadratic": {"lr": over_L(1.0), "beta": nesterov_beta},
                      "least-squares": {"lr": over_L(0.5), "beta": 0.5},
                      "logistic": {"lr": over_L(0.2), "beta": 0.8},
                      "rosenbrock": {"lr": 2e-4, "beta": 0.9}, "saddle": {"lr": 0.02, "beta": 0.5},
                      "himmelblau": {"lr": 0.002, "beta": 0.9}}),
    OptimizerInfo("rmsprop", "RMSProp s ← ρs + (1−ρ)g², x ← x − αg/(√s + ε)", 141, 1e-3,  # violet
                  {"rho": 0.9, "eps": 1e-8}, state=("s",), steps={
                      "quadratic": {"lr": 0.05}, "finite sum": {"lr": 0.05}, "rosenbrock": {"lr": 1e-3},
                      "saddle": {"lr": 0.02}, "himmelblau": {"lr": 0.05}}),
    OptimizerInfo("adam", "Adam with bias correction", 208, 1e-3,  # orange
                  {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, state=("m", "v"), steps={
                      "quadratic": {"lr": 0.1}, "finite sum": {"lr": 0.1}, "rosenbrock": {"lr": 1e-2},
                      "saddle": {"lr": 0.05}, "himmelblau": {"lr": 0.1}}),
)}

FUNCTION_NAMES = tuple(OBJECTIVE_INFO)
OPTIMIZER_NAMES = tuple(OPTIMIZER_INFO)
DEFAULT_FUNCTION = "quadratic"
DEFAULT_OPTIMIZERS = ("gd", "momentum", "adam")

# limits on what a learner may ask of the lab (the objectives check their own dimension too)
MAX_STEPS = 1_000_000
MAX_DIM = 1000
MAX_KAPPA = 1e12


def optimizer_color(name: str) -> str | int:
    """The chart colour of an optimizer (white for a name the registry does not know)."""
    info = OPTIMIZER_INFO.get(name)
    return "white" if info is None else info.color
