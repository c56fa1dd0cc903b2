"""The chapter's claims about the optimizers, checked on runs."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcalc_tutor.lab.objectives import make_objective, quadratic, quadratic_nd
from mcalc_tutor.lab.optimizers import (
    OPTIMIZERS,
    adam_step,
    epoch_batches,
    momentum_step,
    nesterov_step,
    rmsprop_step,
)
from mcalc_tutor.lab.runs import newton_in_one_step, run_optimizer

# --- Newton --------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), dim=st.integers(1, 15), kappa=st.floats(1.0, 1e4),
       shift=st.floats(-10, 10))
def test_newton_reaches_the_minimizer_of_any_spd_quadratic_in_one_step(seed, dim, kappa, shift):
    obj = quadratic_nd(kappa=kappa, seed=seed, dim=dim)
    x0 = np.random.default_rng(seed + 1).normal(size=dim) * 5 + shift
    run = run_optimizer(obj, "newton", x0=x0, steps=1, tol=0.0)
    assert run.steps == 1
    assert run.distance[1] < 1e-10
    assert run.distance[0] > 0 or np.allclose(x0, obj.optima[0])


def test_newton_in_one_step_preset_lands_on_the_minimizer():
    obj, run = newton_in_one_step(kappa=50.0, x0=[3.0, -4.0])
    assert run.optimizer == "newton" and run.steps == 1
    assert np.allclose(run.path[0], [3.0, -4.0])
    assert np.linalg.norm(run.path[1] - obj.optima[0]) < 1e-10


def test_newton_heads_to_the_saddle_and_says_why():
    obj = make_objective("saddle")
    run = run_optimizer(obj, "newton")
    assert run.stopped == "converged" and run.steps == 1
    assert run.distance[-1] < 1e-12  # on the saddle point, not a minimum
    assert "not positive definite" in run.note
    assert "saddle point, not a minimum" in run.note


def test_newton_can_climb_to_a_maximum_while_damped_newton_goes_downhill():
    obj = make_objective("himmelblau")  # the start (0, 0) has a negative definite Hessian
    plain = run_optimizer(obj, "newton")
    damped = run_optimizer(obj, "damped-newton")
    assert plain.stopped == "converged" and "maximum" in plain.note
    assert plain.loss[-1] > 100
    assert damped.stopped == "converged" and damped.distance[-1] < 1e-9
    assert np.all(np.diff(damped.loss) <= 1e-12), "backtracking only accepts downhill steps"


# --- gradient descent ----------------------------------------------------------------------------

@pytest.mark.parametrize("kappa", [2.0, 10.0, 100.0])
def test_gd_with_the_optimal_step_contracts_by_kappa_ratio_in_2d(kappa):
    obj = quadratic(kappa=kappa)
    rho = (kappa - 1) / (kappa + 1)
    steps = int(math.log(1e-7) / math.log(rho))  # stay well above rounding error
    run = run_optimizer(obj, "gd", lr=2 / (obj.L + obj.mu), steps=steps, tol=0.0)
    ratios = run.distance[1:] / run.distance[:-1]
    assert np.allclose(ratios, rho, rtol=1e-8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gd_with_the_optimal_step_obeys_the_bound_in_nd(seed):
    obj = quadratic_nd(kappa=30.0, seed=seed, dim=8)
    rho = 29 / 31
    run = run_optimizer(obj, "gd", lr=2 / (obj.L + obj.mu), steps=200, tol=0.0)
    k = np.arange(run.steps + 1)
    assert np.all(run.distance <= rho ** k * run.distance[0] * (1 + 1e-9))
    # the extreme eigendirections both shrink by exactly ρ, so the worst case is attained
    assert run.distance[-1] / run.distance[-2] == pytest.approx(rho, rel=1e-3)


def test_gd_with_step_above_two_over_L_diverges_and_is_reported():
    obj = quadratic(kappa=10.0)
    run = run_optimizer(obj, "gd", lr=2.2 / obj.L, steps=2000)
    assert run.stopped == "diverged"
    assert run.diverged_at is not None and run.diverged_at < 2000
    assert run.note.startswith(f"diverged at step {run.diverged_at} — the step size is too large for this function")
    assert len(run.loss) == run.diverged_at + 1


def test_gd_just_below_two_over_L_still_converges():
    obj = quadratic(kappa=10.0)
    run = run_optimizer(obj, "gd", lr=1.9 / obj.L, steps=2000)
    assert run.diverged_at is None and run.stopped == "converged"


def test_gd_on_rosenbrock_with_a_huge_step_overflows_without_crashing():
    obj = make_objective("rosenbrock")
    with np.errstate(all="raise"):  # the run must contain its own overflow
        run = run_optimizer(obj, "gd", lr=0.5, steps=1000)
    assert run.stopped == "diverged" and run.diverged_at <= 10
    assert "too large" in run.note


def test_backtracking_satisfies_armijo_and_never_increases_f():
    obj = make_objective("rosenbrock")
    run = run_optimizer(obj, "gd-backtracking", steps=300)
    assert np.all(np.diff(run.loss) < 0)


# --- momentum ------------------------------------------------------------------------------------

def _iterations_to(obj, name, tol, **kw):
    run = run_optimizer(obj, name, steps=100_000, tol=tol, **kw)
    assert run.stopped == "converged", (name, run.stopped)
    return run.steps


def test_momentum_needs_fewer_iterations_than_gd_on_kappa_100():
    obj = quadratic(kappa=100.0)
    L = obj.L
    # the chapter's plain settings: the same α = 1/L, β = 0.9
    gd = _iterations_to(obj, "gd", 1e-6, lr=1 / L)
    heavy = _iterations_to(obj, "momentum", 1e-6, lr=1 / L, params={"beta": 0.9})
    assert heavy < gd / 3, (heavy, gd)
    # and with each at its best tuning (GD 2/(L+μ), Polyak's heavy ball)
    gd_best = _iterations_to(obj, "gd", 1e-6)
    heavy_best = _iterations_to(obj, "momentum", 1e-6)
    assert heavy_best < gd_best / 3, (heavy_best, gd_best)


def test_heavy_ball_and_nesterov_follow_the_stated_rules():
    x, v, g = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([3.0, 4.0])
    x1, v1 = momentum_step(x, v, g, lr=0.1, beta=0.9)
    assert np.allclose(v1, 0.9 * v + g) and np.allclose(x1, x - 0.1 * (0.9 * v + g))
    seen = []

    def grad(p):
        seen.append(p.copy())
        return 2 * p

    x2, v2 = nesterov_step(x, v, grad, lr=0.1, beta=0.9)
    assert np.allclose(seen[0], x - 0.1 * 0.9 * v), "gradient at the look-ahead point"
    assert np.allclose(v2, 0.9 * v + 2 * seen[0]) and np.allclose(x2, x - 0.1 * v2)
    assert np.array_equal(x, [1.0, 2.0]) and np.array_equal(v, [0.5, -1.0]), "rules are pure"


# --- Adam and RMSProp ----------------------------------------------------------------------------

@pytest.mark.parametrize("g", [[-215.6, -88.0], [1e-3, 5.0], [3e4, -2e-2, 7.0]])
def test_adams_first_bias_corrected_step_moves_each_coordinate_by_about_alpha(g):
    g = np.array(g)
    x0 = np.zeros_like(g)
    spec = OPTIMIZERS["adam"]
    assert spec.default_lr == 1e-3 and spec.params["beta1"] == 0.9 and spec.params["beta2"] == 0.999
    p = spec.params
    x1, m, v = adam_step(x0, np.zeros_like(g), np.zeros_like(g), g, 1, 1e-3, p["beta1"], p["beta2"], p["eps"])
    assert np.allclose(np.abs(x1 - x0), 1e-3, rtol=1e-4)
    assert np.all(np.sign(x1 - x0) == -np.sign(g))


def test_adam_run_first_step_is_alpha_per_coordinate_on_rosenbrock():
    obj = make_objective("rosenbrock")
    run = run_optimizer(obj, "adam", lr=1e-3, steps=1)
    assert np.allclose(np.abs(run.path[1] - run.path[0]), 1e-3, rtol=1e-6)


def test_rmsprop_normalises_by_the_running_rms():
    x, s, g = np.zeros(2), np.zeros(2), np.array([4.0, -0.01])
    x1, s1 = rmsprop_step(x, s, g, lr=0.01, rho=0.9, eps=1e-8)
    assert np.allclose(s1, 0.1 * g * g)
    assert np.allclose(np.abs(x1), 0.01 / math.sqrt(0.1), rtol=1e-5)


# --- SGD -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["least-squares", "logistic"])
def test_sgd_mean_minibatch_gradient_over_an_epoch_is_the_full_gradient(name):
    obj = make_objective(name, seed=3)
    x = np.array([0.4, -1.3])
    batches = epoch_batches(obj.n_samples, 10, np.random.default_rng(7))
    assert sorted(np.concatenate(batches).tolist()) == list(range(obj.n_samples))
    mean = np.mean([obj.batch_grad(x, b) for b in batches], axis=0)
    assert np.allclose(mean, obj.grad(x), rtol=1e-12, atol=1e-14)
    # and random batches are unbiased: their average approaches the full gradient
    rng = np.random.default_rng(8)
    many = np.mean([obj.batch_grad(x, b) for _ in range(200) for b in epoch_batches(obj.n_samples, 10, rng)[:1]], axis=0)
    assert np.linalg.norm(many - obj.grad(x)) < 0.15 * np.linalg.norm(obj.grad(x))


def test_sgd_steps_use_the_seeded_minibatches():
    obj = make_objective("least-squares")
    run = run_optimizer(obj, "sgd", lr=0.05, steps=3, seed=11, tol=0.0)
    first = epoch_batches(obj.n_samples, 10, np.random.default_rng(11))[0]
    assert np.allclose(run.path[1], obj.x0 - 0.05 * obj.batch_grad(obj.x0, first))
    again = run_optimizer(obj, "sgd", lr=0.05, steps=3, seed=11, tol=0.0)
    other = run_optimizer(obj, "sgd", lr=0.05, steps=3, seed=12, tol=0.0)
    assert np.array_equal(run.path, again.path)
    assert not np.array_equal(run.path, other.path)


def test_sgd_on_a_function_that_is_not_a_sum_uses_seeded_noise():
    obj = make_objective("quadratic")
    a = run_optimizer(obj, "sgd", steps=50, seed=1)
    b = run_optimizer(obj, "sgd", steps=50, seed=2)
    gd = run_optimizer(obj, "gd", lr=a.lr, steps=50)
    assert not np.array_equal(a.path, b.path)
    assert not np.allclose(a.path, gd.path)
    assert a.loss[-1] < a.loss[0]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_makes_progress_on_the_default_quadratic(name):
    obj = quadratic(kappa=10.0)
    run = run_optimizer(obj, name, steps=300)
    assert run.diverged_at is None
    assert run.distance[-1] < 0.25 * run.distance[0], (name, run.distance[-1])


# --- the 2-D closed forms agree with LAPACK --------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(a=st.floats(-1e3, 1e3), b=st.floats(-1e3, 1e3), d=st.floats(-1e3, 1e3),
       g0=st.floats(-1e3, 1e3), g1=st.floats(-1e3, 1e3))
def test_two_by_two_newton_directions_match_the_general_solvers(a, b, d, g0, g1):
    from mcalc_tutor.lab.optimizers import newton_direction, saddle_free_newton_direction

    H, g = np.array([[a, b], [b, d]]), np.array([g0, g1])
    lam = np.linalg.eigvalsh(H)
    if np.min(np.abs(lam)) > 1e-6 * max(1.0, np.max(np.abs(lam))):
        assert np.allclose(newton_direction(H, g), np.linalg.solve(H, g), rtol=1e-6, atol=1e-9)
    # the general path, forced by embedding H in 3-D with a decoupled third coordinate
    H3 = np.zeros((3, 3))
    H3[:2, :2], H3[2, 2] = H, 1.0
    d2, mod2 = saddle_free_newton_direction(H, g)
    d3, mod3 = saddle_free_newton_direction(H3, np.append(g, 0.0))
    if np.max(np.abs(lam)) >= 1.0:  # same flooring scale in both
        assert mod2 == mod3 or abs(lam[0]) < 1e-6
        assert np.allclose(d2, d3[:2], rtol=1e-6, atol=1e-6 * (1 + np.abs(d3).max()))
