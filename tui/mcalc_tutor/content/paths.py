"""Where the course content lives: one function finds it, in the installed package or in the
checkout. Kept apart from the loader so that the app's first screen can find the bank without
importing the answer language."""
from __future__ import annotations

from pathlib import Path


def content_root() -> Path:
    """Where exercises/ and solutions/ live: inside the installed wheel, or in the checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_content"
    if (packaged / "exercises").is_dir():
        return packaged
    return here.parent.parent  # tui/mcalc_tutor → repository root


def exercises_dir() -> Path:
    return content_root() / "exercises"


def solutions_dir() -> Path:
    return content_root() / "solutions"


__all__ = ["content_root", "exercises_dir", "solutions_dir"]
