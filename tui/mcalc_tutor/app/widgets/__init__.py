"""Widgets of the tutor: the chapter list, part views, the verdict panel, the live preview, the
tick list and the lab chart. Each is imported on first use (the lab chart pulls in
textual-plotext; the part views the answer language)."""
from __future__ import annotations

from ..._lazy import lazy_exports

_EXPORTS = {
    "AnswerPreview": "preview", "preview_text": "preview",
    "ChapterList": "chapter_list",
    "CheckList": "check_list",
    "ChoicePartView": "part_view", "CodePartView": "part_view", "ExpressionPartView": "part_view",
    "PartRecord": "part_view", "PartView": "part_view", "PointsPartView": "part_view", "dom_id": "part_view",
    "make_part_view": "part_view",
    "LabChart": "lab_chart",
    "VerdictPanel": "verdict", "render_verdict": "verdict",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
