"""Widgets of the tutor: the chapter list, part views, the verdict panel, the live preview and the
lab chart. `LabChart` is loaded on first use (it imports textual-plotext)."""
from __future__ import annotations

from typing import Any

from .chapter_list import ChapterList
from .check_list import CheckList
from .part_view import (ChoicePartView, CodePartView, ExpressionPartView, PartView, PointsPartView, dom_id,
                        make_part_view)
from .preview import AnswerPreview, preview_text
from .verdict import VerdictPanel, render_verdict

__all__ = [
    "AnswerPreview", "ChapterList", "CheckList", "ChoicePartView", "CodePartView", "ExpressionPartView", "LabChart",
    "PartView", "PointsPartView", "VerdictPanel", "dom_id", "make_part_view", "preview_text",
    "render_verdict",
]


def __getattr__(name: str) -> Any:
    if name == "LabChart":
        from .lab_chart import LabChart

        return LabChart
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
