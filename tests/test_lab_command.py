"""`mcalc-tutor lab`: usage errors, JSON output, charts, determinism, and what the modules import."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mcalc_tutor.cli import main
from mcalc_tutor.lab.objectives import OBJECTIVES, make_objective
from mcalc_tutor.lab.optimizers import OPTIMIZERS
from mcalc_tutor.lab.registry import FUNCTION_NAMES, OPTIMIZER_NAMES


def _run(capsys, *argv):
    code = main(["lab", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _no_constants(name):
    raise AssertionError(f"invalid JSON constant {name}")


# (arguments, text the one-line message must contain, why)
BAD = [
    (["--function", "banana"], "rosenbrock", "unknown function lists the functions"),
    (["--optimizer", "adamw"], "nesterov", "unknown optimizer lists the optimizers"),
    (["--steps", "0"], "--steps", "zero steps"),
    (["--steps", "-5"], "--steps", "negative steps"),
    (["--lr", "-0.1"], "--lr", "negative step"),
    (["--lr", "0"], "--lr", "zero step"),
    (["--lr", "nan"], "--lr", "not a number"),
    (["--kappa", "0.5"], "--kappa", "κ < 1"),
    (["--kappa", "inf"], "--kappa", "infinite κ"),
    (["--dim", "0"], "--dim", "no dimensions"),
    (["--seed", "-1"], "--seed", "negative seed"),
    (["-o", "gd", "-o", "adam", "--lr", "0.1", "--lr", "0.2", "--lr", "0.3"], "--lr", "lr count"),
    (["--function", "quadratic-nd", "--plot", "path"], "2-D", "path of a 10-D function"),
    (["--function", "logistic", "--dim", "3", "--plot", "both"], "2-D", "both charts of a 3-D function"),
]


@pytest.mark.parametrize("argv,needle,why", BAD, ids=[b[2] for b in BAD])
def test_impossible_values_exit_2_with_one_line(capsys, argv, needle, why):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("mcalc-tutor: error: ") and err.count("\n") == 1
    assert needle in err


@pytest.mark.parametrize("argv", [["--steps", "abc"], ["--plot", "xyz"]])
def test_argparse_errors_also_exit_2_with_one_line(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(["lab", *argv])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith("mcalc-tutor: error:") and err.count("\n") == 1


def test_json_is_one_valid_document_with_the_series(capsys):
    code, out, err = _run(capsys, "--json")
    assert code == 0 and err == ""
    doc = json.loads(out, parse_constant=_no_constants)
    assert doc["function"] == "quadratic"
    assert [r["optimizer"] for r in doc["runs"]] == ["gd", "momentum", "adam"]
    obj = make_objective("quadratic")
    for run in doc["runs"]:
        assert len(run["loss"]) == len(run["grad_norm"]) == len(run["distance"])
        assert run["loss"][0] == pytest.approx(float(obj.value(obj.x0)))  # index 0 is the start
        assert run["diverged_at"] is None


def test_json_for_a_diverged_run_has_no_nan_or_infinity(capsys):
    code, out, _ = _run(capsys, "--function", "rosenbrock", "-o", "gd", "--lr", "1e300", "--json")
    assert code == 0
    run = json.loads(out, parse_constant=_no_constants)["runs"][0]
    assert isinstance(run["diverged_at"], int)
    assert "too large" in run["note"]


def test_default_run_draws_both_charts_and_a_summary(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    monkeypatch.setenv("LINES", "60")
    code, out, err = _run(capsys)
    assert code == 0 and err == ""
    assert "\x1b[" not in out, "no colour codes when stdout is not a terminal"
    lines = out.rstrip("\n").split("\n")
    assert max(len(line) for line in lines) <= 90
    assert "per iteration (log scale)" in out and "paths over level curves" in out
    for name in ("gd", "momentum", "adam", "GD bound"):
        assert name in out
    assert "quadratic: ½xᵀAx − bᵀx in 2-D, κ = 10" in out


def test_divergence_is_reported_in_the_summary(capsys):
    code, out, _ = _run(capsys, "-o", "gd", "--lr", "0.25", "--steps", "300", "--plot", "loss")
    assert code == 0
    assert "gd diverged at step" in out and "the step size is too large for this function" in out


def test_same_arguments_same_bytes(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "40")
    argv = ["--function", "logistic", "-o", "sgd", "-o", "nesterov", "--seed", "4"]
    first = _run(capsys, *argv)[1]
    second = _run(capsys, *argv)[1]
    assert first == second
    assert _run(capsys, *argv, "--json")[1] == _run(capsys, *argv, "--json")[1]


def test_nd_functions_default_to_the_loss_chart(capsys):
    code, out, _ = _run(capsys, "--function", "quadratic-nd", "--dim", "5", "--kappa", "100")
    assert code == 0 and "per iteration" in out and "paths over level curves" not in out


def test_names_offered_by_the_cli_are_the_registries():
    assert FUNCTION_NAMES == tuple(OBJECTIVES)
    assert OPTIMIZER_NAMES == tuple(OPTIMIZERS)


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_registering_the_command_imports_neither_numpy_nor_plotext():
    loaded = _modules_after("import mcalc_tutor.cli.lab, mcalc_tutor.lab")
    assert "numpy" not in loaded and "plotext" not in loaded


def test_lab_never_imports_textual_or_the_app():
    loaded = _modules_after(
        "import mcalc_tutor.lab.objectives, mcalc_tutor.lab.optimizers, mcalc_tutor.lab.runs, "
        "mcalc_tutor.lab.render, mcalc_tutor.lab.registry, mcalc_tutor.lab.summary\n"
        "from mcalc_tutor.lab.runs import run_lab\n"
        "from mcalc_tutor.lab.render import render_loss\n"
        "render_loss(run_lab('quadratic', ['gd']).runs, 60, 15)")
    assert not {m for m in loaded if m == "textual" or m.startswith(("textual.", "textual_plotext"))}
    assert not {m for m in loaded if m.startswith("mcalc_tutor.app")}
    assert "plotext" in loaded  # the probe really rendered
