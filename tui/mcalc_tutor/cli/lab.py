"""``mcalc-tutor lab``: run optimizers on an objective and print the charts, a summary, or JSON.

Registering the subcommand must stay cheap: numpy and plotext are imported only inside ``run``.
Usage mistakes are reported in one line on stderr with exit status 2, never as a traceback.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from typing import TYPE_CHECKING

from ..lab.registry import (
    DEFAULT_FUNCTION,
    DEFAULT_OPTIMIZERS,
    FUNCTION_NAMES,
    MAX_DIM,
    MAX_KAPPA,
    MAX_STEPS,
    OBJECTIVE_INFO,
    OPTIMIZER_NAMES,
)
from ._common import usage_error

if TYPE_CHECKING:
    from ._common import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="compare optimizers on a test function (charts, or --json)",
        description="Run optimizers on an objective and draw loss curves and paths.",
    )
    parser.add_argument("--function", "-f", default=DEFAULT_FUNCTION, metavar="F",
                        help=f"objective: {', '.join(FUNCTION_NAMES)} (default {DEFAULT_FUNCTION})")
    parser.add_argument("--optimizer", "-o", action="append", metavar="O",
                        help=f"repeatable: {', '.join(OPTIMIZER_NAMES)} "
                             f"(default {' '.join(DEFAULT_OPTIMIZERS)})")
    parser.add_argument("--lr", action="append", type=float, metavar="A",
                        help="step size: once for all optimizers, or once per --optimizer "
                             "(default: a sensible one per function and optimizer)")
    parser.add_argument("--steps", type=int, metavar="N", help="iterations (default depends on the function)")
    parser.add_argument("--kappa", type=float, default=10.0, metavar="K",
                        help="condition number of the quadratics, ≥ 1 (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed for data, axes and SGD (default 0)")
    parser.add_argument("--dim", type=int, metavar="D", help=f"dimension for {_dim_defaults()}")
    parser.add_argument("--plot", choices=("loss", "path", "both"),
                        help="which chart(s) to draw (default: both for 2-D functions, else loss)")
    parser.add_argument("--json", action="store_true", help="print the series as one JSON document")
    parser.set_defaults(run=run)


def _dim_defaults() -> str:
    """E.g. "quadratic-nd (default 10), least-squares and logistic (default 2)"."""
    by_default: dict[int, list[str]] = {}
    for info in OBJECTIVE_INFO.values():
        if info.default_dim is not None:
            by_default.setdefault(info.default_dim, []).append(info.name)
    return ", ".join(f"{_and(names)} (default {dim})" for dim, names in by_default.items())


def _two_d_choices() -> str:
    """The functions a path chart can draw: the 2-D ones, then those whose --dim may be 2."""
    fixed = [info.name for info in OBJECTIVE_INFO.values() if info.default_dim is None]
    chosen = sorted((info for info in OBJECTIVE_INFO.values() if info.default_dim is not None),
                    key=lambda info: info.default_dim != 2)
    return f"{', '.join(fixed)}, or {', '.join(info.name for info in chosen)} with --dim 2"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _check(args: argparse.Namespace) -> str | None:
    """The first impossible value in ``args`` as a one-line message, or None."""
    if args.function not in FUNCTION_NAMES:
        return f"unknown function {args.function!r} (choose from {', '.join(FUNCTION_NAMES)})"
    for name in args.optimizer or ():
        if name not in OPTIMIZER_NAMES:
            return f"unknown optimizer {name!r} (choose from {', '.join(OPTIMIZER_NAMES)})"
    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS:
        return f"--steps must be a whole number from 1 to {MAX_STEPS} (got {args.steps})"
    for lr in args.lr or ():
        if not (math.isfinite(lr) and lr > 0):
            return f"--lr must be a positive number such as 0.01 (got {lr:g})"
    n_opt = len(args.optimizer or DEFAULT_OPTIMIZERS)
    if args.lr and len(args.lr) not in (1, n_opt):
        return (f"give --lr once (for all optimizers) or once per --optimizer "
                f"({n_opt} optimizers, {len(args.lr)} values)")
    if not (math.isfinite(args.kappa) and 1 <= args.kappa <= MAX_KAPPA):
        return f"--kappa must be a number from 1 to {MAX_KAPPA:g}, such as 10 or 100 (got {args.kappa:g})"
    if args.dim is not None and not 1 <= args.dim <= MAX_DIM:
        return f"--dim must be a whole number from 1 to {MAX_DIM} (got {args.dim})"
    if args.seed < 0:
        return f"--seed must be a whole number ≥ 0 (got {args.seed})"
    return None


def run(args: argparse.Namespace) -> int:
    problem = _check(args)
    if problem:
        return usage_error(problem)
    try:
        return _run(args)
    except (KeyError, ValueError) as exc:  # settings the registries refuse
        return usage_error(str(exc.args[0] if exc.args else exc))
    except (KeyboardInterrupt, BrokenPipeError):
        raise  # the dispatcher maps these to exit codes
    except Exception as exc:  # noqa: BLE001 - never a traceback to the learner
        print(f"mcalc-tutor: error: the lab failed unexpectedly ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    import json

    from ..lab.runs import run_lab

    optimizers = list(args.optimizer or DEFAULT_OPTIMIZERS)
    lrs = None
    if args.lr:
        lrs = args.lr * len(optimizers) if len(args.lr) == 1 else list(args.lr)
    if args.plot in ("path", "both") and not args.json:
        from ..lab.objectives import make_objective

        objective = make_objective(args.function, kappa=args.kappa, seed=args.seed, dim=args.dim)
        if objective.dim != 2:
            return usage_error(
                f"--plot path needs a 2-D function, and {args.function} has {objective.dim} "
                f"dimensions (choose {_two_d_choices()})")

    result = run_lab(args.function, optimizers, kappa=args.kappa, seed=args.seed, dim=args.dim,
                     steps=args.steps, lrs=lrs)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(with_path=True), allow_nan=False) + "\n")
        return 0

    from ..lab.render import render_loss, render_path
    from ..lab.summary import summary_lines

    objective = result.objective
    plot = args.plot or ("both" if objective.dim == 2 else "loss")
    size = shutil.get_terminal_size((100, 32))
    width = max(40, min(size.columns, 240))
    summary = summary_lines(result, width)
    spare = max(0, size.lines - len(summary) - 2)
    charts = []
    if plot in ("loss", "both"):
        charts.append("loss")
    if plot in ("path", "both"):
        charts.append("path")
    height = max(12, spare // len(charts))
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    out = []
    for chart in charts:
        if chart == "loss":
            out.append(render_loss(result.runs, width, height, bound=result.bound, color=color,
                                   title=objective.name))
        else:
            out.append(render_path(objective, result.runs, width, height, color=color))
    out.extend(summary)
    sys.stdout.write("\n".join(out) + "\n")
    return 0
