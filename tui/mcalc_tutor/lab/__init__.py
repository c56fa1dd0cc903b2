"""The optimizer lab: objectives, update rules, runs and their plotext charts, free of any UI.

Names are loaded on first use so that ``import mcalc_tutor.lab.command`` (done for every CLI call)
never pulls in numpy or plotext. Nothing in ``lab`` may import textual or ``mcalc_tutor.app``.
"""
from __future__ import annotations

import importlib
from typing import Any

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
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
