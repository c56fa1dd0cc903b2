"""Runs: the record, the stopping rules, divergence, JSON safety and the comparison helper."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from mcalc_tutor.lab.objectives import make_objective, quadratic
from mcalc_tutor.lab.optimizers import OPTIMIZERS
from mcalc_tutor.lab.runs import gd_bound, resolve_settings, run_lab, run_optimizer


def test_series_start_at_the_starting_point_and_agree_in_length():
    obj = make_objective("rosenbrock")
    run = run_optimizer(obj, "momentum", steps=50, tol=0.0)
    assert len(run.loss) == len(run.grad_norm) == len(run.distance) == len(run.path) == 51
    assert np.array_equal(run.path[0], obj.x0)
    assert run.loss[0] == pytest.approx(float(obj.value(obj.x0)))
    assert run.grad_norm[0] == pytest.approx(np.linalg.norm(obj.grad(obj.x0)))
    assert run.distance[0] == pytest.approx(np.linalg.norm(obj.x0 - [1.0, 1.0]))
    for k in (1, 17, 50):
        assert run.loss[k] == pytest.approx(float(obj.value(run.path[k])), rel=1e-12)


def test_stops_when_the_gradient_is_below_tolerance():
    obj = quadratic(kappa=4.0)
    run = run_optimizer(obj, "gd", steps=10_000, tol=1e-8)
    assert run.stopped == "converged"
    assert run.grad_norm[-1] <= 1e-8 < run.grad_norm[-2]
    capped = run_optimizer(obj, "gd", steps=5, tol=1e-8)
    assert capped.stopped == "max-steps" and capped.steps == 5


@pytest.mark.parametrize("name,lr", [("gd", 1.0), ("momentum", 1.0), ("nesterov", 1.0),
                                     ("sgd", 1.0), ("gd", 1e300)])
def test_divergence_is_caught_reported_and_json_safe(name, lr):
    obj = make_objective("rosenbrock")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning may escape to the learner
        run = run_optimizer(obj, name, lr=lr, steps=500)
    assert run.stopped == "diverged"
    assert run.note.startswith(f"diverged at step {run.diverged_at} — the step size is too large")
    assert run.steps == run.diverged_at
    text = json.dumps(run.to_json(with_path=True), allow_nan=False)  # raises on NaN/inf
    assert json.loads(text)["diverged_at"] == run.diverged_at


def test_an_unbounded_function_is_reported_as_unbounded_not_as_a_bad_step():
    run = run_optimizer(make_objective("saddle"), "gd", lr=0.5, steps=500)
    assert run.stopped == "diverged" and "unbounded below" in run.note


def test_impossible_settings_raise_value_errors_that_name_the_problem():
    obj = quadratic()
    with pytest.raises(ValueError, match="steps"):
        run_optimizer(obj, "gd", steps=0)
    with pytest.raises(ValueError, match="step size"):
        run_optimizer(obj, "gd", lr=-0.1)
    with pytest.raises(ValueError, match="x0"):
        run_optimizer(obj, "gd", x0=[1.0, 2.0, 3.0])
    with pytest.raises(KeyError, match="adam"):
        run_optimizer(obj, "adamw")
    with pytest.raises(ValueError, match="beta"):
        resolve_settings(obj, "adam", params={"beta": 0.5})


def test_settings_come_from_defaults_then_the_objective_then_the_caller():
    obj = quadratic(kappa=9.0)
    lr, params = resolve_settings(obj, "momentum")
    assert lr == pytest.approx(4 / (3 + 1) ** 2) and params["beta"] == pytest.approx(0.25)
    lr, params = resolve_settings(obj, "momentum", lr=0.01, params={"beta": 0.5})
    assert lr == 0.01 and params["beta"] == 0.5
    lr, params = resolve_settings(make_objective("saddle"), "adam")
    assert params == OPTIMIZERS["adam"].params


def test_should_stop_cancels_a_long_run():
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 2

    run = run_optimizer(make_objective("rosenbrock"), "gd", steps=100_000, tol=0.0, should_stop=stop)
    assert run.stopped == "cancelled" and run.steps < 2000


def test_gd_bound_matches_the_measured_curve_on_a_2d_quadratic():
    obj = quadratic(kappa=10.0)
    run = run_optimizer(obj, "gd", steps=40, tol=0.0)  # the default α is 2/(L+μ)
    bound = gd_bound(obj, run)
    assert bound is not None and bound.rate == pytest.approx(9 / 11)
    assert "(κ−1)/(κ+1)" in bound.label
    gap = run.loss - obj.f_star
    assert np.allclose(gap[:25], bound.values[:25], rtol=1e-6)
    assert gd_bound(obj, run_optimizer(obj, "adam", steps=5)) is None
    assert gd_bound(make_objective("rosenbrock"), run_optimizer(make_objective("rosenbrock"), "gd", steps=5)) is None


def test_run_lab_compares_from_one_start_and_labels_repeated_optimizers():
    res = run_lab("quadratic", ["gd", "gd", "adam"], lrs=[0.1, 0.15, None], steps=30)
    assert [r.label for r in res.runs] == ["gd α=0.1", "gd α=0.15", "adam"]
    assert all(np.array_equal(r.path[0], res.objective.x0) for r in res.runs)
    assert res.bound is not None
    doc = res.to_json()
    assert doc["function"] == "quadratic" and len(doc["runs"]) == 3
    with pytest.raises(ValueError, match="one step size"):
        run_lab("quadratic", ["gd", "adam"], lrs=[0.1, 0.2, 0.3])


def test_runs_are_deterministic():
    a = run_lab("logistic", ["sgd", "adam"], seed=3, steps=80)
    b = run_lab("logistic", ["sgd", "adam"], seed=3, steps=80)
    assert json.dumps(a.to_json(with_path=True)) == json.dumps(b.to_json(with_path=True))


def test_blow_up_counts_as_divergence_long_before_overflow():
    from mcalc_tutor.lab.runs import DIVERGENCE_FACTOR

    obj = quadratic(kappa=10.0)
    run = run_optimizer(obj, "gd", lr=2.2 / obj.L, steps=400)  # |1 − αL| = 1.2: slow geometric growth
    assert run.stopped == "diverged" and np.all(np.isfinite(run.loss))
    assert run.grad_norm[-1] > DIVERGENCE_FACTOR * run.grad_norm[0] >= run.grad_norm[-2]
