"""The Textual app: the chapter map, exercises, code challenges, the optimizer lab and progress.

Nothing outside `cli` imports this package. Names load on first use, so that importing
`mcalc_tutor.app.main` costs nothing before the app is actually started.
"""
from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "run_app": "main",
    "TutorApp": "app",
    "Course": "course",
    "Entry": "course",
    "ExerciseProvider": "commands",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
