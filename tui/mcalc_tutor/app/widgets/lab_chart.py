"""A textual-plotext chart that a worker thread can draw on: drawing and rendering share a lock,
and a plot that has no size yet renders as nothing (plotext fails to build at zero size). Its
legend is drawn under the plot, outside the plotting area (plotext's own covers the curves)."""
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
        self.legend: list[tuple[str, str | int, str]] = []
        """The series drawn, (glyph, colour, label): shown under the plot (set with the lock held)."""
        self.legend_color = True

    def drawing(self) -> threading.Lock:
        """The lock to hold while plotting on `.plt` from another thread."""
        return self._lock

    def clear(self) -> None:
        """Forget the previous chart (call with the lock held)."""
        self.plt.clear_data()
        self.plt.clear_figure()
        self.legend = []

    def render(self):
        if self.size.width < 10 or self.size.height < 4:
            return Text("")
        if not self.drawn:
            return Text(self.placeholder, style="dim")
        with self._lock:
            try:
                return self._render_with_legend()
            except (ValueError, ZeroDivisionError, IndexError, OverflowError) as exc:
                return Text(f"(the chart cannot be drawn at this size: {exc})", style="dim")

    def _render_with_legend(self) -> Text:
        """The plot, shortened by the legend's lines, with the legend under it (as PlotextPlot.render
        does, for a smaller height)."""
        from ...lab.render import legend_lines

        width, height = self.size.width, self.size.height
        legend = legend_lines(self.legend, width, color=self.legend_color)[:max(0, height - 4)]
        plot_height = height - len(legend)
        self.plt.plotsize(width, plot_height)
        self.plt._set_size(width, plot_height)
        self.plt.theme(self._get_plotext_theme_name(self.app.theme))
        chart = Text.from_ansi(self.plt.build().removesuffix("\n"))  # plotext ends with a new line
        if not legend:
            return chart
        return Text("\n").join([chart, *(Text.from_ansi(line) for line in legend)])

