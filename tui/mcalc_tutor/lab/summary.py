"""The lines under the lab's charts: the objective, then per run its settings and outcome."""
from __future__ import annotations

import math
import textwrap

from .optimizers import OPTIMIZERS
from .runs import LabResult


def _fmt_point(x) -> str:
    return "(" + ", ".join(f"{float(v):.4g}" for v in x) + ")"


def summary_lines(result: LabResult, width: int) -> list[str]:
    """A few lines per comparison: the function, then per optimizer its settings and outcome,
    wrapped to ``width`` columns."""
    lines = _lines(result)
    out = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out.extend(textwrap.wrap(line, width=width, subsequent_indent=indent + "    ",
                                 break_on_hyphens=False) or [""])
    return out


def _lines(result: LabResult) -> list[str]:
    obj = result.objective
    head = f"{obj.name}: {obj.title}"
    if obj.dim <= 3:
        head += f"; start {_fmt_point(obj.x0)}"
        if obj.optima is not None and len(obj.optima) == 1:
            head += f"; {obj.optimum_kind} {_fmt_point(obj.optima[0])}"
    lines = [head]
    width = max(len(r.label) for r in result.runs)
    settings_of = {}
    for run in result.runs:  # the step size, and any hyperparameter that is not the default
        defaults = OPTIMIZERS[run.optimizer].params
        settings_of[id(run)] = f"α={run.lr:.4g}" + "".join(
            f" {_GREEK.get(k, k)}={v:.4g}" for k, v in run.params.items() if v != defaults.get(k))
    swidth = max(len(v) for v in settings_of.values())
    for run in result.runs:
        settings = settings_of[id(run)]
        last = run.steps
        gap = run.loss[last] - run.f_star if run.f_star is not None else run.loss[last]
        what = "f−f*" if run.f_star is not None else "f"
        outcome = {
            "converged": f"converged at step {last}",
            "max-steps": f"{last} steps",
            "diverged": f"diverged at step {run.diverged_at}",
            "singular": f"stopped at step {last}",
            "cancelled": f"cancelled at step {last}",
        }[run.stopped]
        lines.append(f"  {run.label:<{width}}  {settings:<{swidth}}  {outcome:<21} "
                     f"{what} {_num(gap)}  ‖∇f‖ {_num(run.grad_norm[last])}"
                     + (f"  ‖x−x*‖ {_num(run.distance[last])}" if math.isfinite(run.distance[last]) else ""))
        for note in filter(None, run.note.split("\n")):
            if note.startswith("diverged at step"):
                note = note.replace("diverged at step", f"{run.label} diverged at step", 1)
            lines.append(f"    {note}")
    if result.bound is not None:
        kappa = obj.kappa
        lines.append(f"  GD bound: ‖x−x*‖ shrinks at least by {result.bound.rate:.4g} per step, f−f* by its square"
                     + (f"; (κ−1)/(κ+1) = {(kappa - 1) / (kappa + 1):.4g} for κ = {kappa:.4g}" if kappa else ""))
    return lines


_GREEK = {"beta": "β", "beta1": "β₁", "beta2": "β₂", "rho": "ρ"}


def _num(v) -> str:
    v = float(v)
    return f"{v:.3g}" if math.isfinite(v) else "—"
