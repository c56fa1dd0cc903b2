"""Full screens of the tutor. The code and lab screens load on first use (the lab pulls in
textual-plotext; neither is needed for the first screen)."""
from __future__ import annotations

from typing import Any

from .exercise import ExerciseScreen
from .map import MapScreen
from .progress import ProgressScreen

__all__ = ["CodeScreen", "ExerciseScreen", "LabScreen", "MapScreen", "ProgressScreen"]


def __getattr__(name: str) -> Any:
    if name == "LabScreen":
        from .lab import LabScreen

        return LabScreen
    if name == "CodeScreen":
        from .code import CodeScreen

        return CodeScreen
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
