"""A textual-plotext chart that a worker thread can draw on: drawing and rendering share a lock,
and a plot that has no size yet renders as nothing (plotext fails to build at zero size)."""
from __future__ import annotations

import threading

from rich.text import Text
from textual_plotext import PlotextPlot

__all__ = ["LabChart"]


class LabChart(PlotextPlot):
    """Draw from a worker inside `with chart.drawing():`, then `call_from_thread(chart.refresh)`."""

    DEFAULT_CSS = """
    LabChart { height: 1fr; min-height: 6; }
    """

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self._lock = threading.Lock()
        self.placeholder = placeholder
        self.drawn = False
        """Whether anything has been plotted yet (tests check it)."""

    def drawing(self) -> threading.Lock:
        """The lock to hold while plotting on `.plt` from another thread."""
        return self._lock

    def clear(self) -> None:
        """Forget the previous chart (call with the lock held)."""
        self.plt.clear_data()
        self.plt.clear_figure()

    def render(self):
        if self.size.width < 10 or self.size.height < 4:
            return Text("")
        if not self.drawn:
            return Text(self.placeholder, style="dim")
        with self._lock:
            try:
                return super().render()
            except (ValueError, ZeroDivisionError, IndexError, OverflowError) as exc:
                return Text(f"(the chart cannot be drawn at this size: {exc})", style="dim")

