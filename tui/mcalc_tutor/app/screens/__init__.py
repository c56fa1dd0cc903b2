"""Full screens of the tutor: the chapter map, an exercise, the code editor, the lab and progress.
Each is imported on first use, so that starting the app costs only the map."""
from __future__ import annotations

from ..._lazy import lazy_exports

_EXPORTS = {
    "CodeScreen": "code",
    "ExerciseScreen": "exercise",
    "LabScreen": "lab",
    "MapScreen": "map",
    "ProgressScreen": "progress",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
