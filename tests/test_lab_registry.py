"""The lab's registry (lab/registry.py) is the one list of objectives and optimizers: numpy-free,
complete for every entry, and what the CLI, the app and the charts read. Table-driven: a new
optimizer or objective is checked here without adding a test."""
from __future__ import annotations

import math
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from mcalc_tutor.cli import main
from mcalc_tutor.lab.objectives import FACTORIES, OBJECTIVES, make_objective
from mcalc_tutor.lab.optimizers import OPTIMIZERS, RULES
from mcalc_tutor.lab.registry import (
    FUNCTION_NAMES,
    OBJECTIVE_INFO,
    OPTIMIZER_INFO,
    OPTIMIZER_NAMES,
    OptimizerInfo,
    optimizer_color,
)
from mcalc_tutor.lab.runs import run_optimizer

PAIRS = [(o, f) for o in OPTIMIZER_INFO for f in OBJECTIVE_INFO]
KINDS = {info.kind for info in OBJECTIVE_INFO.values()}


def test_the_registry_imports_no_numpy():
    probe = ("import sys\nimport mcalc_tutor.lab.registry as r\n"
             "assert r.OPTIMIZER_INFO and r.OBJECTIVE_INFO\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'plotext', 'sympy', 'textual')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_registered_name_has_its_implementation_and_nothing_else_does():
    assert set(RULES) == set(OPTIMIZER_INFO) == set(OPTIMIZERS)
    assert set(FACTORIES) == set(OBJECTIVE_INFO) == set(OBJECTIVES)
    assert tuple(OPTIMIZERS) == OPTIMIZER_NAMES and tuple(OBJECTIVES) == FUNCTION_NAMES


@pytest.mark.parametrize("name", list(OPTIMIZER_INFO))
def test_each_optimizer_has_a_label_a_colour_and_valid_step_tables(name):
    info = OPTIMIZER_INFO[name]
    assert info.label.strip() and info.color not in ("", None) and optimizer_color(name) == info.color
    assert math.isfinite(info.default_lr) and info.default_lr > 0
    for key, settings in info.steps.items():
        assert key in OBJECTIVE_INFO or key in KINDS, f"{name}: steps for unknown objective {key!r}"
        unknown = set(settings) - {"lr"} - set(info.params)
        assert not unknown, f"{name} on {key}: {sorted(unknown)} are not hyperparameters of {name}"


def test_colours_tell_the_optimizers_apart():
    colors = [info.color for info in OPTIMIZER_INFO.values()]
    assert len(set(colors)) == len(colors)


@pytest.mark.parametrize(("optimizer", "function"), PAIRS)
def test_each_optimizer_runs_on_each_objective_with_its_demo_step(optimizer, function):
    objective = make_objective(function)
    lr = OPTIMIZER_INFO[optimizer].step_for(objective)
    assert math.isfinite(lr) and lr > 0, (optimizer, function, lr)
    run = run_optimizer(objective, optimizer, steps=20)
    assert run.lr == lr
    assert run.diverged_at is None and run.stopped in ("max-steps", "converged"), run.note
    assert np.all(np.isfinite(run.loss)) and np.all(np.isfinite(run.path))
    assert run.steps >= 1


def test_a_step_for_an_objective_name_wins_over_its_kind():
    info = OptimizerInfo("probe", "a probe", "white", 0.01, {"beta": 0.9},
                         steps={"finite sum": {"lr": 0.3, "beta": 0.5}, "logistic": {"lr": lambda c: 2 / c.L}})
    curvature = {"mu": 1.0, "L": 4.0, "smoothness": 4.0}
    assert info.demo_settings(SimpleNamespace(name="logistic", **curvature)) == {"lr": 0.5}
    assert info.demo_settings(SimpleNamespace(name="least-squares", **curvature)) == {"lr": 0.3, "beta": 0.5}
    assert info.step_for(SimpleNamespace(name="rosenbrock", **curvature)) == 0.01


def test_the_cli_offers_every_registered_name(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # argparse would wrap "damped-newton" at its hyphen
    with pytest.raises(SystemExit):
        main(["lab", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in (*OPTIMIZER_INFO, *OBJECTIVE_INFO):
        assert name in text
    for info in OBJECTIVE_INFO.values():
        if info.default_dim is not None:
            assert info.name in text.split("dimension for", 1)[1]


@pytest.mark.parametrize("name", list(OPTIMIZER_INFO))
def test_iterates_parts_take_each_optimizers_state_from_the_registry(name):
    from mcalc_tutor.checking.iterates import INFERRED, STATE

    info = OPTIMIZER_INFO[name]
    assert STATE[name] == info.state and (name in INFERRED) == info.state_from_points
    assert "x" not in info.state and len(set(info.state)) == len(info.state)
    assert not info.state_from_points or info.state, f"{name}: state_from_points without a state"


def test_the_iterates_state_of_the_stateful_optimizers():
    from mcalc_tutor.checking.iterates import INFERRED, STATE

    assert {n: s for n, s in STATE.items() if s} == {"momentum": ("v",), "nesterov": ("v",), "rmsprop": ("s",),
                                                     "adam": ("m", "v")}
    assert INFERRED == {"momentum", "nesterov"}
