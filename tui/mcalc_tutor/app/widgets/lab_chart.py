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

    def drawing_target(self, rows: int):
        """`.plt` for a renderer, except that y tick labels are thinned to what `rows` rows show.

        With more labels than rows, plotext keeps an arbitrary subset that changes from one run
        of Python to the next (it depends on string hashing); thinning them here keeps the chart
        the same every time."""
        return _ThinTicks(self.plt, rows)

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


class _ThinTicks:
    """A plotext figure whose `yticks` keeps the first, the last and evenly spaced labels between."""

    def __init__(self, plt, rows: int) -> None:
        self._plt = plt
        self._most = max(2, rows // 2 + 1)  # a free row between two labels

    def yticks(self, ticks, labels=None):
        ticks = list(ticks)
        if len(ticks) > self._most:
            keep = sorted({round(i * (len(ticks) - 1) / (self._most - 1)) for i in range(self._most)})
            ticks = [ticks[i] for i in keep]
            labels = [list(labels)[i] for i in keep] if labels is not None else None
        return self._plt.yticks(ticks, labels) if labels is not None else self._plt.yticks(ticks)

    def __getattr__(self, name):
        return getattr(self._plt, name)
