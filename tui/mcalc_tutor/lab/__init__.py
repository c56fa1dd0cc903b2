"""The optimizer lab: objectives, update rules, runs and their plotext charts, free of any UI.

Names are loaded on first use so that ``import mcalc_tutor.lab`` never pulls in numpy or plotext;
``lab.registry`` (the names, colours and defaults the CLI and the app list) imports neither.
Nothing in ``lab`` may import textual or ``mcalc_tutor.app``.
"""
from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "Objective": "objectives",
    "OBJECTIVES": "objectives",
    "make_objective": "objectives",
    "OptimizerSpec": "optimizers",
    "OPTIMIZERS": "optimizers",
    "Run": "runs",
    "Bound": "runs",
    "LabResult": "runs",
    "run_optimizer": "runs",
    "run_lab": "runs",
    "gd_bound": "runs",
    "newton_in_one_step": "runs",
    "draw_loss": "render",
    "draw_path": "render",
    "render_loss": "render",
    "render_path": "render",
    "summary_lines": "summary",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
