"""Objective functions for the optimizer lab: value, gradient and Hessian, known optimum, start point.

Everything here is plain numpy and seeded: the same name, kappa, seed and dim always build the same
function. This module must never draw, print or import anything from the UI.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .registry import OBJECTIVE_INFO

__all__ = [
    "Objective",
    "OBJECTIVES",
    "make_objective",
    "quadratic",
    "quadratic_nd",
    "rosenbrock",
    "saddle",
    "himmelblau",
    "least_squares",
    "least_squares_on",
    "logistic",
]

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class Objective:
    """A differentiable function of x in R^n, with what the lab needs to judge a run on it.

    ``value`` accepts a single point (shape ``(n,)``) or a stack of points (shape ``(..., n)``) and
    returns one value per point, so that a whole path is evaluated in one numpy call. ``grad`` and
    ``hess`` take a single point.
    """

    name: str
    """Registry name, e.g. ``"quadratic"``."""
    title: str
    """Human description with its parameters, e.g. ``"½xᵀAx − bᵀx in 2-D, κ = 10"``."""
    dim: int
    value: Callable[[Array], Array | float]
    grad: Callable[[Array], Array]
    hess: Callable[[Array], Array]
    x0: Array
    """The default starting point."""
    optima: Array | None
    """Known reference points, shape ``(k, n)``; the distance of an iterate is to the nearest one."""
    optimum_kind: str = "minimizer"
    """What ``optima`` are: ``"minimizer"`` or, for a function with no minimum, ``"saddle point"``."""
    f_star: float | None = None
    """The minimum value, or None when the function is unbounded below."""
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
    """The window ((xmin, xmax), (ymin, ymax)) for path plots of a 2-D function."""
    mu: float | None = None
    """Strong convexity constant (smallest Hessian eigenvalue) when it is a constant."""
    L: float | None = None
    """Smoothness constant (largest Hessian eigenvalue) when it is a constant."""
    L_bound: float | None = None
    """Where the Hessian is not constant: a known upper bound on its largest eigenvalue."""
    default_steps: int = 200
    n_samples: int | None = None
    """For a finite sum f = (1/m) Σ f_i: m, the number of terms."""
    batch_grad: Callable[[Array, Array], Array] | None = None
    """For a finite sum: ``batch_grad(x, idx)`` is the mean gradient of the terms in ``idx``."""

    @property
    def is_finite_sum(self) -> bool:
        return self.batch_grad is not None

    @property
    def smoothness(self) -> float | None:
        """L, or its known upper bound: what the registry's step-size rules (e.g. α = 1/L) scale by."""
        return self.L if self.L is not None else self.L_bound

    @property
    def kappa(self) -> float | None:
        if self.mu is None or self.L is None or self.mu <= 0:
            return None
        return self.L / self.mu

    def distance(self, points: Array) -> Array:
        """Distance of each point (shape ``(..., n)``) to the nearest known optimum (NaN if none)."""
        points = np.asarray(points, dtype=float)
        if self.optima is None:
            return np.full(points.shape[:-1], np.nan)
        diff = points[..., None, :] - self.optima
        return np.sqrt(np.min(np.einsum("...kn,...kn->...k", diff, diff), axis=-1))


# ---------------------------------------------------------------------------------------------
# quadratics


def _quadratic_from(A: Array, x_star: Array, *, name: str, title: str, x0: Array, mu: float,
                    L: float, default_steps: int, bounds=None) -> Objective:
    A = np.array(A, dtype=float)
    b = A @ x_star
    f_star = float(-0.5 * b @ x_star)

    def value(x):
        x = np.asarray(x, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", x, A, x) - x @ b

    def grad(x):
        return A @ x - b

    def hess(x):
        return A

    return Objective(name=name, title=title, dim=len(x_star), value=value, grad=grad, hess=hess,
                     x0=np.asarray(x0, dtype=float), optima=np.asarray(x_star, float)[None, :],
                     f_star=f_star, bounds=bounds, mu=mu, L=L, default_steps=default_steps)


def quadratic(kappa: float = 10.0, seed: int = 0, dim: int | None = None) -> Objective:
    """½xᵀAx − bᵀx in 2-D with eigenvalues 1 and κ, axes turned 30°; minimizer (1, 1)."""
    _check_kappa(kappa)
    theta = math.radians(30.0)
    R = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    A = R @ np.diag([1.0, float(kappa)]) @ R.T
    A = 0.5 * (A + A.T)
    x_star = np.array([1.0, 1.0])
    x0 = np.array([-2.0, 2.5])
    half = 1.15 * float(np.max(np.abs(x0 - x_star)))
    bounds = ((x_star[0] - half, x_star[0] + half), (x_star[1] - half, x_star[1] + half))
    return _quadratic_from(A, x_star, name="quadratic", x0=x0, mu=1.0, L=float(kappa),
                           title=f"½xᵀAx − bᵀx in 2-D, κ = {kappa:g}", default_steps=100,
                           bounds=bounds)


def quadratic_nd(kappa: float = 10.0, seed: int = 0, dim: int | None = None) -> Objective:
    """½xᵀAx − bᵀx in n-D (default 10) with eigenvalues spread from 1 to κ, random axes."""
    _check_kappa(kappa)
    n = 10 if dim is None else int(dim)
    _check_dim(n, 1)
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = np.geomspace(1.0, float(kappa), n) if n > 1 else np.array([1.0])
    A = Q @ np.diag(eig) @ Q.T
    A = 0.5 * (A + A.T)
    x_star = rng.standard_normal(n)
    return _quadratic_from(A, x_star, name="quadratic-nd", x0=np.zeros(n), mu=float(eig[0]),
                           L=float(eig[-1]), default_steps=300,
                           title=f"½xᵀAx − bᵀx in {n}-D, κ = {kappa:g}, seed {seed}")


# ---------------------------------------------------------------------------------------------
# classic test functions in 2-D


def rosenbrock(kappa: float | None = None, seed: int = 0, dim: int | None = None) -> Objective:
    """Rosenbrock's banana (1 − x)² + 100(y − x²)²; minimizer (1, 1), start (−1.2, 1)."""

    def value(p):
        if type(p) is np.ndarray and p.shape == (2,):  # one point: plain floats are 5x faster
            x, y = p.tolist()
        else:
            p = np.asarray(p, dtype=float)
            x, y = p[..., 0], p[..., 1]
        return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2

    def grad(p):
        x, y = p.tolist()
        t = y - x * x
        return np.array([-2.0 * (1.0 - x) - 400.0 * x * t, 200.0 * t])

    def hess(p):
        x, y = p.tolist()
        return np.array([[1200.0 * x * x - 400.0 * y + 2.0, -400.0 * x], [-400.0 * x, 200.0]])

    return Objective(name="rosenbrock", title="Rosenbrock (1 − x)² + 100(y − x²)²", dim=2,
                     value=value, grad=grad, hess=hess, x0=np.array([-1.2, 1.0]),
                     optima=np.array([[1.0, 1.0]]), f_star=0.0, bounds=((-2.0, 2.0), (-1.0, 3.0)),
                     default_steps=5000)


def saddle(kappa: float | None = None, seed: int = 0, dim: int | None = None) -> Objective:
    """The saddle x² − y²: no minimum (unbounded below), one saddle point at the origin."""

    def value(p):
        if type(p) is np.ndarray and p.shape == (2,):
            x, y = p.tolist()
            return x * x - y * y
        p = np.asarray(p, dtype=float)
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def grad(p):
        return np.array([2.0, -2.0]) * p

    H = np.diag([2.0, -2.0])

    def hess(p):
        return H

    return Objective(name="saddle", title="saddle x² − y² (no minimum)", dim=2, value=value,
                     grad=grad, hess=hess, x0=np.array([1.0, 0.05]), optima=np.zeros((1, 2)),
                     optimum_kind="saddle point", f_star=None, bounds=((-1.5, 1.5), (-1.5, 1.5)),
                     default_steps=30)


def himmelblau(kappa: float | None = None, seed: int = 0, dim: int | None = None) -> Objective:
    """Himmelblau (x² + y − 11)² + (x + y² − 7)²: four minimizers with f = 0, start (0, 0)."""

    def value(p):
        if type(p) is np.ndarray and p.shape == (2,):
            x, y = p.tolist()
        else:
            p = np.asarray(p, dtype=float)
            x, y = p[..., 0], p[..., 1]
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def grad(p):
        x, y = p.tolist()
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return np.array([4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v])

    def hess(p):
        x, y = p.tolist()
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        off = 4.0 * x + 4.0 * y
        return np.array([[4.0 * u + 8.0 * x * x + 2.0, off], [off, 2.0 + 4.0 * v + 8.0 * y * y]])

    rough = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    optima = np.array([_polish(grad, hess, np.array(p)) for p in rough])
    return Objective(name="himmelblau", title="Himmelblau (x² + y − 11)² + (x + y² − 7)²", dim=2,
                     value=value, grad=grad, hess=hess, x0=np.array([0.0, 0.0]), optima=optima,
                     f_star=0.0, bounds=((-5.0, 5.0), (-5.0, 5.0)), default_steps=200)


# ---------------------------------------------------------------------------------------------
# finite sums on seeded synthetic data


def least_squares(kappa: float | None = None, seed: int = 0, dim: int | None = None) -> Objective:
    """Least squares (1/2m)‖Xw − y‖² on m = 200 seeded samples (default 2 features)."""
    n = 2 if dim is None else int(dim)
    _check_dim(n, 1)
    m = 200
    rng = np.random.default_rng(seed)
    # Unequal feature scales make the problem mildly ill-conditioned, as real data are.
    X = rng.standard_normal((m, n)) * np.linspace(1.0, 2.5, n)
    w_true = rng.uniform(-2.0, 2.0, n)
    y = X @ w_true + 0.3 * rng.standard_normal(m)
    return least_squares_on(X, y, f"least squares, {m} samples × {n} features, seed {seed}")


def least_squares_on(X: Array, y: Array, title: str | None = None) -> Objective:
    """Least squares (1/2m)‖Xw − y‖² on given data, one example per row of X: the finite sum
    SGD samples from (an exercise states a small data set and the examples each step uses)."""
    X = np.array(X, dtype=float)
    y = np.array(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] < 1:
        raise ValueError("least squares needs an m×n X and y of length m")
    m, n = X.shape
    G = X.T @ X / m
    Xty = X.T @ y / m
    try:
        w_star = np.linalg.solve(G, Xty)
    except np.linalg.LinAlgError:  # dependent columns: the minimizers form a line, take the shortest
        w_star = np.linalg.lstsq(G, Xty, rcond=None)[0]

    def value(w):
        w = np.asarray(w, dtype=float)
        r = w @ X.T - y
        return 0.5 * np.mean(r * r, axis=-1)

    def grad(w):
        return G @ w - Xty

    def hess(w):
        return G

    def batch_grad(w, idx):
        Xb = X[idx]
        return Xb.T @ (Xb @ w - y[idx]) / len(idx)

    eig = np.linalg.eigvalsh(G)
    mu, L = float(eig[0]), float(eig[-1])
    f_star = float(value(w_star))
    return Objective(name="least-squares", title=title or f"least squares, {m} examples × {n} features",
                     dim=n, value=value, grad=grad, hess=hess, x0=np.zeros(n),
                     optima=w_star[None, :], f_star=f_star, bounds=_box_around(np.zeros(n), w_star),
                     mu=mu, L=L, default_steps=200, n_samples=m,
                     batch_grad=batch_grad)


def logistic(kappa: float | None = None, seed: int = 0, dim: int | None = None) -> Objective:
    """Logistic regression, mean log(1 + exp(−yᵢxᵢᵀw)) + (λ/2)‖w‖², λ = 0.01, on 200 seeded samples."""
    n = 2 if dim is None else int(dim)
    _check_dim(n, 1)
    m = 200
    lam = 0.01
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    w_true = rng.uniform(-3.0, 3.0, n)
    # Labels drawn from the model itself keep the classes overlapping, so a minimizer exists.
    p = 1.0 / (1.0 + np.exp(-X @ w_true))
    y = np.where(rng.uniform(size=m) < p, 1.0, -1.0)
    Xy = X * y[:, None]  # row i is yᵢxᵢ

    def value(w):
        w = np.asarray(w, dtype=float)
        z = w @ Xy.T
        return np.mean(np.logaddexp(0.0, -z), axis=-1) + 0.5 * lam * np.sum(w * w, axis=-1)

    def _sig_neg(z):  # σ(−z), written to stay finite for large |z|
        return 0.5 * (1.0 - np.tanh(0.5 * z))

    def grad(w):
        z = Xy @ w
        return -(Xy.T @ _sig_neg(z)) / m + lam * w

    def hess(w):
        z = Xy @ w
        s = _sig_neg(z)
        d = s * (1.0 - s)
        return (X.T * d) @ X / m + lam * np.eye(n)

    def batch_grad(w, idx):
        Xb = Xy[idx]
        return -(Xb.T @ _sig_neg(Xb @ w)) / len(idx) + lam * w

    w_star = _polish(grad, hess, np.zeros(n), iterations=50)
    L_bound = float(np.linalg.eigvalsh(X.T @ X / m)[-1]) / 4.0 + lam
    title = f"logistic regression, {m} samples × {n} features, λ = {lam:g}, seed {seed}"
    return Objective(name="logistic", title=title,
                     dim=n, value=value, grad=grad, hess=hess, x0=np.zeros(n),
                     optima=w_star[None, :], f_star=float(value(w_star)),
                     bounds=_box_around(np.zeros(n), w_star), L_bound=L_bound, default_steps=300,
                     n_samples=m, batch_grad=batch_grad)


# ---------------------------------------------------------------------------------------------

FACTORIES: dict[str, Callable[..., Objective]] = {
    "quadratic": quadratic,
    "quadratic-nd": quadratic_nd,
    "rosenbrock": rosenbrock,
    "saddle": saddle,
    "himmelblau": himmelblau,
    "least-squares": least_squares,
    "logistic": logistic,
}
"""Registry name (``registry.OBJECTIVE_INFO``) -> factory ``f(kappa=..., seed=..., dim=...)``; each
ignores what it does not use. The first line of a factory's docstring describes it for a chooser."""

OBJECTIVES: dict[str, Callable[..., Objective]] = {name: FACTORIES[name] for name in OBJECTIVE_INFO}
"""The factories in the registry's order (a KeyError here: a registered objective has no factory)."""


def make_objective(name: str, *, kappa: float = 10.0, seed: int = 0, dim: int | None = None) -> Objective:
    """Build a registered objective; raises KeyError for an unknown name, ValueError for bad values."""
    try:
        factory = OBJECTIVES[name]
    except KeyError:
        raise KeyError(f"unknown function {name!r} (choose from {', '.join(OBJECTIVES)})") from None
    return factory(kappa=kappa, seed=seed, dim=dim)


def _check_kappa(kappa) -> None:
    if not (isinstance(kappa, (int, float)) and math.isfinite(kappa) and kappa >= 1):
        raise ValueError(f"kappa must be a number ≥ 1, got {kappa!r}")


def _check_dim(n: int, least: int) -> None:
    if n < least or n > 1000:
        raise ValueError(f"dim must be between {least} and 1000, got {n}")


def _polish(grad, hess, x: Array, iterations: int = 20) -> Array:
    """Refine a stationary point with Newton steps, so that distances to it are exact to ~1e-15."""
    x = np.array(x, dtype=float)
    for _ in range(iterations):
        step = np.linalg.solve(hess(x), grad(x))
        x = x - step
        if np.linalg.norm(step) <= 1e-15 * (1.0 + np.linalg.norm(x)):
            break
    return x


def _box_around(*points: Array):
    """A square plotting window around the first two coordinates of the given points."""
    pts = np.array([p[:2] for p in points])
    if pts.shape[1] < 2:
        return None
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre = 0.5 * (lo + hi)
    half = 0.65 * float(np.max(hi - lo)) + 0.25
    return ((centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half))
