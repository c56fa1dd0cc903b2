"""Modal screens: confirmations, the worked solution, the keys. Imported on first use (they
bring in the Markdown widget)."""
from __future__ import annotations

from ..._lazy import lazy_exports

_EXPORTS = {"ConfirmDialog": "confirm", "HelpScreen": "help", "SolutionDialog": "solution"}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
