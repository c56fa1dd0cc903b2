"""The Textual app: the chapter map, exercises, code challenges, the optimizer lab and progress.

Nothing outside `cli` imports this package. Names load on first use, so that importing
`mcalc_tutor.app.main` costs nothing before the app is actually started.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "run_app": "main",
    "TutorApp": "app",
    "Course": "course",
    "Entry": "course",
    "ExerciseProvider": "commands",
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
