"""The optimizer lab: choose an objective, optimizers, step size, steps and κ; the convergence chart
and the path are computed and drawn in a worker. A preset shows Newton's method landing on the
minimizer of a quadratic in a single step."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import get_current_worker

from ...lab.registry import DEFAULT_FUNCTION, DEFAULT_OPTIMIZERS, FUNCTION_NAMES, MAX_KAPPA, OPTIMIZER_NAMES
from ..widgets.check_list import CheckList
from ..widgets.footer import KeyFooter
from ..widgets.title_bar import TitleBar

__all__ = ["LabScreen", "LabSettings", "read_settings"]

MAX_APP_STEPS = 100_000
"""More steps than a terminal chart can show, and a run still finishes in about a second."""


@dataclass(frozen=True)
class LabSettings:
    function: str = DEFAULT_FUNCTION
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    lr: float | None = None
    steps: int | None = None
    kappa: float = 10.0
    newton_preset: bool = False


def read_settings(function: str, optimizers: list[str], lr: str, steps: str, kappa: str) -> LabSettings | str:
    """The form's values as settings, or a one-line message saying what is wrong."""
    if function not in FUNCTION_NAMES:
        return f"choose a function ({', '.join(FUNCTION_NAMES)})"
    if not optimizers:
        return "select at least one optimizer (Space in the list)"
    lr_value = None
    if lr.strip():
        try:
            lr_value = float(lr)
        except ValueError:
            return f"step size: {lr!r} is not a number (leave it empty for a sensible one)"
        if not (math.isfinite(lr_value) and lr_value > 0):
            return "step size: must be a positive number such as 0.1"
    steps_value = None
    if steps.strip():
        try:
            steps_value = int(steps)
        except ValueError:
            return f"steps: {steps!r} is not a whole number"
        if not 1 <= steps_value <= MAX_APP_STEPS:
            return f"steps: from 1 to {MAX_APP_STEPS}"
    try:
        kappa_value = float(kappa) if kappa.strip() else 10.0
    except ValueError:
        return f"κ: {kappa!r} is not a number"
    if not (math.isfinite(kappa_value) and 1 <= kappa_value <= MAX_KAPPA):
        return f"κ: a number from 1 to {MAX_KAPPA:g}, such as 10 or 100"
    return LabSettings(function, tuple(optimizers), lr_value, steps_value, kappa_value)


class LabScreen(Screen):
    """Settings on the left, the two charts on the right."""

    HELP = """\
**Optimizer lab**

- **Tab / Shift+Tab**: move between the settings
- **Space** in the optimizer list: select or unselect an optimizer
- **Enter** in a box, or **ctrl+r**: run and redraw
- **ctrl+n**: the preset "Newton in one step" on a quadratic: one step lands on the minimizer
- **ctrl+t**: the other chart, when the terminal has room for only one (loss per step, or paths)
- **Esc**: back to the chapter map

Leave the step size or steps empty for values suited to the function. κ is the condition number
of the quadratics (the ratio of the largest to the smallest curvature).
"""

    BINDINGS = [
        Binding("ctrl+r", "run", "Run"),
        Binding("ctrl+n", "newton", "Newton in one step"),
        Binding("ctrl+t", "other_chart", "Other chart"),
        Binding("escape", "app.map", "Map"),
    ]

    DEFAULT_CSS = """
    LabScreen #lab-controls {
        width: 25; height: 1fr; padding: 0 1 0 0; border-right: solid $panel; scrollbar-size-vertical: 1;
    }
    LabScreen #lab-controls .heading { margin-top: 1; color: $text-muted; }
    LabScreen #lab-controls CheckList { height: auto; max-height: 9; }
    LabScreen .lab-field { height: 1; margin-top: 1; }
    LabScreen .lab-field Label { width: 7; margin: 0; color: $text-muted; }
    LabScreen .lab-field Input { width: 1fr; }
    LabScreen #lab-controls Button { width: 100%; margin-top: 1; }
    LabScreen #lab-charts { width: 1fr; height: 1fr; }
    LabScreen #lab-notes { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    LabScreen #lab-charts.-one-chart LabChart { display: none; }
    LabScreen #lab-charts.-one-chart.-show-loss #loss-chart { display: block; }
    LabScreen #lab-charts.-one-chart.-show-path #path-chart { display: block; }
    """

    MIN_CHART_ROWS = 12
    """Below this many rows a chart's legend hides its curves: then one chart is shown at a time."""

    one_chart = False
    """Whether only one chart fits (ctrl+t switches between them)."""

    shown_chart = "loss"
    """Which chart is shown when only one fits: "loss" or "path"."""

    @dataclass
    class Ran(Message):
        """The optimizers ran (posted from the worker); `runs` is (objective, runs, bound) or None."""

        settings: LabSettings
        runs: tuple | None
        notes: list[str] = field(default_factory=list)
        error: str | None = None

    def compose(self) -> ComposeResult:
        from ..widgets.lab_chart import LabChart

        yield TitleBar()
        with Horizontal():
            with VerticalScroll(id="lab-controls"):
                yield Label("Function", classes="heading")
                yield Select([(name, name) for name in FUNCTION_NAMES], value=DEFAULT_FUNCTION,
                             allow_blank=False, compact=True, id="function")
                yield Label("Optimizers (Space)", classes="heading")
                yield CheckList([(name, name) for name in OPTIMIZER_NAMES], DEFAULT_OPTIMIZERS, id="optimizers")
                with Horizontal(classes="lab-field"):
                    yield Label("step α")
                    yield Input(placeholder="auto", compact=True, id="lr")
                with Horizontal(classes="lab-field"):
                    yield Label("steps")
                    yield Input(placeholder="auto", compact=True, id="steps")
                with Horizontal(classes="lab-field"):
                    yield Label("κ")
                    yield Input("10", compact=True, id="kappa")
                yield Button("Run (ctrl+r)", id="run", compact=True, variant="primary")
                yield Button("Newton in one step", id="newton", compact=True)
            with Vertical(id="lab-charts"):
                yield LabChart(id="loss-chart", placeholder="ctrl+r runs the optimizers; the loss chart appears here")
                yield LabChart(id="path-chart", placeholder="…and their paths over the level curves here")
                yield Static(id="lab-notes")
        yield KeyFooter()

    def on_mount(self) -> None:
        from ..widgets.lab_chart import LabChart

        self._charts = (self.query_one("#loss-chart", LabChart), self.query_one("#path-chart", LabChart))
        self.title = "Optimizer lab"
        self.query_one("#function", Select).focus()
        self.last_settings: LabSettings | None = None
        self.call_after_refresh(self.action_run)

    # -- reading the form -----------------------------------------------------------------------
    def _settings(self) -> LabSettings | str:
        return read_settings(str(self.query_one("#function", Select).value),
                             self.query_one("#optimizers", CheckList).selected,
                             self.query_one("#lr", Input).value, self.query_one("#steps", Input).value,
                             self.query_one("#kappa", Input).value)

    def action_run(self) -> None:
        settings = self._settings()
        if isinstance(settings, str):
            self._notes([settings], error=True)
            return
        self._start(settings)

    def action_newton(self) -> None:
        kappa = self.query_one("#kappa", Input).value
        settings = read_settings("quadratic", ["newton"], "", "", kappa)
        if isinstance(settings, str):
            self._notes([settings], error=True)
            return
        # The form shows what the preset runs, so that ctrl+r afterwards repeats it.
        self.query_one("#function", Select).value = "quadratic"
        optimizers = self.query_one("#optimizers", CheckList)
        for name in OPTIMIZER_NAMES:
            optimizers.select(name, name == "newton")
        self.query_one("#lr", Input).value = ""
        self.query_one("#steps", Input).value = "1"
        self._start(LabSettings("quadratic", ("newton",), None, 1, settings.kappa, newton_preset=True))

    def _start(self, settings: LabSettings) -> None:
        self._notes(["… running"])
        self._run(settings)

    def _chart_sizes(self) -> tuple[int, int, int, int]:
        loss, path = self._charts
        return loss.size.width, path.size.width, path.size.height, loss.size.height

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_charts)
        # a chart is drawn for its size: draw the last runs again once the new layout is known
        if self._last_runs is not None:
            self.call_after_refresh(self._replot)

    def _fit_charts(self) -> None:
        """One chart at a time when two would not each get MIN_CHART_ROWS."""
        room = self.query_one("#lab-charts").size.height - self.query_one("#lab-notes").size.height
        self._show_charts(room < 2 * self.MIN_CHART_ROWS, self.shown_chart)

    def _show_charts(self, one_chart: bool, shown: str) -> None:
        if (one_chart, shown) == (self.one_chart, self.shown_chart) and self.is_mounted and self._fitted:
            return
        self._fitted = True
        self.one_chart, self.shown_chart = one_chart, shown
        charts = self.query_one("#lab-charts")
        charts.set_class(one_chart, "-one-chart")
        charts.set_class(shown == "loss", "-show-loss")
        charts.set_class(shown == "path", "-show-path")
        self.refresh_bindings()
        if self._last_runs is not None:
            self.call_after_refresh(self._replot)  # a chart is drawn for its size

    _fitted = False

    def action_other_chart(self) -> None:
        self._show_charts(self.one_chart, "path" if self.shown_chart == "loss" else "loss")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "other_chart":
            return self.one_chart
        return True

    def _replot(self) -> None:
        if self._last_runs is not None:
            self._plot(*self._last_runs, self._chart_sizes(), self.app.no_color)

    _last_runs = None

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @on(Button.Pressed, "#run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_run()

    @on(Button.Pressed, "#newton")
    def _newton_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_newton()

    # -- the workers -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="lab", exit_on_error=False)
    def _run(self, settings: LabSettings) -> None:
        """Run the optimizers (numpy; cancellable), then hand the runs back to be drawn."""
        worker = get_current_worker()
        try:
            from ...lab import newton_in_one_step, run_lab

            if settings.newton_preset:
                objective, run = newton_in_one_step(kappa=settings.kappa)
                runs, bound = [run], None
            else:
                n = len(settings.optimizers)
                result = run_lab(settings.function, settings.optimizers, kappa=settings.kappa,
                                 steps=settings.steps, lrs=[settings.lr] * n if settings.lr else None,
                                 should_stop=lambda: worker.is_cancelled)
                objective, runs, bound = result.objective, result.runs, result.bound
        except Exception as exc:  # bad settings the form did not catch: a message, not a crash
            if not worker.is_cancelled:
                self.post_message(self.Ran(settings, None, [f"cannot run: {exc}"], error=str(exc)))
            return
        notes = [_summary(run, objective) for run in runs]
        if settings.newton_preset and runs:
            notes.insert(0, f"Newton in one step on a quadratic (κ = {settings.kappa:g}): after one step "
                            f"‖x − x*‖ = {float(runs[0].distance[-1]):.2e} — the step lands on the minimizer.")
        notes.extend(n for run in runs for n in run.note.splitlines() if n)
        if not worker.is_cancelled:
            self.post_message(self.Ran(settings, (objective, runs, bound), notes))

    def on_lab_screen_ran(self, message: Ran) -> None:
        self.last_settings = message.settings
        self._notes(message.notes, error=message.error is not None)
        self._last_runs = message.runs
        if message.runs is not None:
            self._plot(*message.runs, self._chart_sizes(), self.app.no_color)

    @work(thread=True, exclusive=True, group="lab-plot", exit_on_error=False)
    def _plot(self, objective, runs, bound, sizes: tuple[int, int, int, int], monochrome: bool) -> None:
        """Draw both charts for the charts' current sizes, off the event loop (level curves are
        a grid of evaluations); rendering waits on each chart's lock meanwhile."""
        from ...lab import draw_loss, draw_path

        worker = get_current_worker()
        loss_chart, path_chart = self._charts  # found on the event loop; a thread must not query the DOM
        width = max(20, sizes[0])
        try:
            with loss_chart.drawing():
                loss_chart.clear()
                rows = max(2, sizes[3] - 7)  # less the frame, the x ticks, the axis label, the title, a legend
                loss_chart.legend = draw_loss(
                    loss_chart.plt, runs, bound=bound, max_points=2 * width, rows=rows,
                    distinct_markers=monochrome, legend=False)  # drawn under the chart, not over the curves
                loss_chart.legend_color = not monochrome
                loss_chart.drawn = True
            with path_chart.drawing():
                path_chart.clear()
                if objective.dim == 2:
                    w, h = max(20, sizes[1]), max(6, sizes[2])
                    path_chart.legend = draw_path(
                        path_chart.plt, objective, runs, resolution=(2 * w, 4 * (h - 1)), max_points=2 * w,
                        distinct_markers=monochrome, levels=4 if h < 14 else 7, legend=False)
                    path_chart.legend_color = not monochrome
                    path_chart.drawn = True
                else:
                    path_chart.drawn = False
                    path_chart.placeholder = f"(no path chart: {objective.name} has {objective.dim} dimensions)"
        except Exception as exc:  # a renderer fault shows as a note, never takes the app down
            if not worker.is_cancelled:
                self.app.call_from_thread(self._notes, [f"cannot draw the charts: {exc}"], True)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._charts_drawn)

    def _charts_drawn(self) -> None:
        for chart in self.query("#loss-chart, #path-chart"):
            chart.refresh()

    def _notes(self, lines: list[str], error: bool = False) -> None:
        text = Text("\n".join(lines), style="bold" if error else "")
        self.query_one("#lab-notes", Static).update(text)


def _summary(run, objective) -> str:
    """One short line per run (the notes under the charts have about 50 columns)."""
    label = run.label or run.optimizer
    if run.diverged_at is not None:
        return f"{label}: diverged at step {run.diverged_at}, α {run.lr:.3g}"
    if objective.f_star is not None and len(run.loss):
        end = f"f−f* {float(run.loss[-1] - objective.f_star):.1e}"
    else:
        end = f"f {float(run.loss[-1]):.3g}" if len(run.loss) else ""
    done = " ✓" if run.stopped == "converged" else ""
    return f"{label}: {run.steps} steps{done}, {end}, α {run.lr:.3g}"
