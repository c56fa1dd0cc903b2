"""Objectives: every gradient and Hessian agrees with finite differences, optima are what they claim."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcalc_tutor.lab.objectives import OBJECTIVES, make_objective, quadratic, quadratic_nd

# (name, kwargs, why the row exists)
CASES = [
    ("quadratic", {"kappa": 10.0}, "the default demo"),
    ("quadratic", {"kappa": 1.0}, "κ = 1: a round bowl"),
    ("quadratic-nd", {"kappa": 100.0, "dim": 6, "seed": 3}, "n-D with random axes"),
    ("rosenbrock", {}, "curved valley, Hessian changes everywhere"),
    ("saddle", {}, "indefinite Hessian, unbounded below"),
    ("himmelblau", {}, "four minima and a maximum"),
    ("least-squares", {"dim": 3, "seed": 1}, "finite sum, constant Hessian"),
    ("logistic", {"dim": 3, "seed": 2}, "finite sum, smooth nonlinear"),
]
IDS = [f"{name}-{why}" for name, _, why in CASES]


def _sample_points(obj, count=4, seed=0):
    rng = np.random.default_rng(seed)
    centre = obj.optima[0] if obj.optima is not None else obj.x0
    return [centre + rng.normal(scale=1.0, size=obj.dim) for _ in range(count)] + [obj.x0]


def _fd_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _fd_jacobian(grad, x, h=1e-6):
    cols = []
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((grad(x + e) - grad(x - e)) / (2 * h))
    return np.array(cols).T


@pytest.mark.parametrize("name,kwargs,why", CASES, ids=IDS)
def test_gradient_matches_finite_differences(name, kwargs, why):
    obj = make_objective(name, **kwargs)
    for x in _sample_points(obj):
        g = obj.grad(x)
        fd = _fd_grad(lambda p: float(obj.value(p)), x)
        assert np.allclose(g, fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(g).max())), (x, g, fd)


@pytest.mark.parametrize("name,kwargs,why", CASES, ids=IDS)
def test_hessian_matches_finite_differences(name, kwargs, why):
    obj = make_objective(name, **kwargs)
    for x in _sample_points(obj, seed=1):
        H = obj.hess(x)
        assert np.allclose(H, H.T), "Hessian must be symmetric"
        fd = _fd_jacobian(obj.grad, x)
        assert np.allclose(H, fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(H).max())), (x, H, fd)


@pytest.mark.parametrize("name,kwargs,why", CASES, ids=IDS)
def test_value_on_a_stack_of_points_matches_pointwise(name, kwargs, why):
    obj = make_objective(name, **kwargs)
    pts = np.array(_sample_points(obj, seed=2))
    stacked = obj.value(pts)
    assert stacked.shape == (len(pts),)
    assert np.allclose(stacked, [float(obj.value(p)) for p in pts], rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name,kwargs,why", CASES, ids=IDS)
def test_known_optima_are_stationary_and_attain_f_star(name, kwargs, why):
    obj = make_objective(name, **kwargs)
    for x in obj.optima:
        assert np.linalg.norm(obj.grad(x)) < 1e-9
        if obj.f_star is not None:
            assert float(obj.value(x)) == pytest.approx(obj.f_star, abs=1e-12)
    assert obj.distance(obj.optima[0]) == pytest.approx(0.0, abs=1e-15)


def test_minimizers_have_positive_definite_hessians_and_the_saddle_does_not():
    for name in ("quadratic", "rosenbrock", "himmelblau", "logistic"):
        obj = make_objective(name)
        for x in obj.optima:
            assert np.linalg.eigvalsh(obj.hess(x))[0] > 0, name
    sad = make_objective("saddle")
    lam = np.linalg.eigvalsh(sad.hess(sad.optima[0]))
    assert lam[0] < 0 < lam[-1]
    assert sad.f_star is None and sad.optimum_kind == "saddle point"


def test_himmelblau_has_four_distinct_minimizers_and_distance_is_to_the_nearest():
    obj = make_objective("himmelblau")
    assert obj.optima.shape == (4, 2)
    assert len({tuple(np.round(p, 6)) for p in obj.optima}) == 4
    p = obj.optima[2] + np.array([0.1, 0.0])
    assert obj.distance(p) == pytest.approx(0.1, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(kappa=st.floats(1.0, 1e4), seed=st.integers(0, 10_000), dim=st.integers(2, 12))
def test_quadratics_have_the_condition_number_asked_for(kappa, seed, dim):
    for obj in (quadratic(kappa=kappa), quadratic_nd(kappa=kappa, seed=seed, dim=dim)):
        lam = np.linalg.eigvalsh(obj.hess(obj.x0))
        assert lam[0] == pytest.approx(obj.mu, rel=1e-9)
        assert lam[-1] == pytest.approx(obj.L, rel=1e-9)
        assert lam[-1] / lam[0] == pytest.approx(kappa, rel=1e-8)


@pytest.mark.parametrize("name", ["least-squares", "logistic"])
def test_finite_sum_batch_gradients_average_to_the_full_gradient(name):
    obj = make_objective(name, dim=3, seed=4)
    x = np.array([0.3, -0.7, 1.1])
    m = obj.n_samples
    everything = obj.batch_grad(x, np.arange(m))
    assert np.allclose(everything, obj.grad(x), rtol=1e-12, atol=1e-14)
    halves = (obj.batch_grad(x, np.arange(m // 2)) + obj.batch_grad(x, np.arange(m // 2, m))) / 2
    assert np.allclose(halves, obj.grad(x), rtol=1e-12, atol=1e-14)


def test_same_seed_same_function_other_seed_other_data():
    a, b, c = (make_objective("logistic", seed=s) for s in (5, 5, 6))
    x = np.array([0.5, -0.5])
    assert float(a.value(x)) == float(b.value(x))
    assert float(a.value(x)) != float(c.value(x))


def test_registry_refuses_unknown_names_and_impossible_values_with_the_choices():
    with pytest.raises(KeyError, match="rosenbrock"):
        make_objective("banana")
    with pytest.raises(ValueError, match="kappa"):
        make_objective("quadratic", kappa=0.5)
    with pytest.raises(ValueError, match="dim"):
        make_objective("quadratic-nd", dim=0)
    assert list(OBJECTIVES) == ["quadratic", "quadratic-nd", "rosenbrock", "saddle", "himmelblau",
                                "least-squares", "logistic"]


def test_every_objective_has_a_finite_difference_row():
    """Adding an objective to the registry is not done until its gradient and Hessian are checked here."""
    assert {name for name, _, _ in CASES} == set(OBJECTIVES)
