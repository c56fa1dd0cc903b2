"""The lab's charts at 80×24 (issue 14, item 7): the legend outside the plotting area, whole-number
iteration ticks, a marker at each iterate (one Newton step is one jump), level curves lighter than
paths; in the renderer, the CLI's charts and the app's lab screen."""
from __future__ import annotations

import asyncio

import pytest

from app_helpers import SIZE, make_app, settle
from lab_helpers import ANSI, RecordingPlt
from mcalc_tutor.lab import newton_in_one_step
from mcalc_tutor.lab.render import (
    MARKED_ITERATES,
    draw_loss,
    draw_path,
    iteration_ticks,
    legend_lines,
    render_loss,
    render_path,
)
from mcalc_tutor.lab.runs import run_lab


def _split(chart: str) -> tuple[list[str], list[str]]:
    """The rows inside the plot's frame, and the rows under it (ticks, axis label, legend)."""
    rows = ANSI.sub("", chart).split("\n")
    top = next(i for i, r in enumerate(rows) if "┌" in r)
    bottom = next(i for i, r in enumerate(rows) if "└" in r)
    return rows[top + 1:bottom], rows[bottom + 1:]


def _inside(rows: list[str]) -> list[str]:
    """Only what lies between the frame's sides (not the y tick labels)."""
    return [r[r.index("│") + 1 if "│" in r[:8] else r.index("┤") + 1:].rstrip("│ ") for r in rows
            if "│" in r or "┤" in r]


# -- the renderer ----------------------------------------------------------------------------------

def test_iteration_ticks_are_whole_numbers_from_zero():
    assert iteration_ticks(1) == [0, 1]
    assert iteration_ticks(0) == [0, 1]
    assert iteration_ticks(5) == [0, 1, 2, 3, 4, 5]
    for last in (7, 30, 99, 100, 1000, 12_345):
        ticks = iteration_ticks(last)
        assert ticks[0] == 0 and len(ticks) <= 6 and ticks[-1] <= last
        assert len({b - a for a, b in zip(ticks, ticks[1:], strict=False)}) == 1  # evenly spaced


def test_legend_lines_fit_and_never_split_an_entry():
    entries = [("──", "blue+", "gd"), ("──", "green+", "momentum"), ("@", "default", "start"),
               ("X", "default", "minimizer")]
    lines = legend_lines(entries, 24, color=False)
    assert all(len(line) <= 24 for line in lines)
    assert " ".join(lines).split() == "── gd ── momentum @ start X minimizer".split()
    coloured = legend_lines(entries, 80, color=True)
    assert "\x1b[" in coloured[0] and ANSI.sub("", coloured[0]) == legend_lines(entries, 80, color=False)[0]


@pytest.mark.parametrize("color", [True, False])
def test_cli_charts_put_the_legend_under_the_plot_not_inside(color):
    res = run_lab("quadratic", ["gd", "momentum", "adam"])
    for chart, names in ((render_loss(res.runs, 80, 20, bound=res.bound, color=color), ("gd", "momentum", "adam")),
                         (render_path(res.objective, res.runs, 80, 22, color=color),
                          ("gd", "momentum", "adam", "start", "minimizer", "level curves"))):
        assert len(ANSI.sub("", chart).split("\n")) <= 22
        inside, under = _split(chart)
        for name in names:
            assert not any(name in row for row in _inside(inside)), name
            assert any(name in row for row in under), name


def test_one_newton_step_has_integer_ticks_and_two_markers_as_one_jump():
    objective, run = newton_in_one_step()
    plt = RecordingPlt()
    draw_loss(plt, [run], legend=False)
    (_, (ticks, labels), _), = plt.named("xticks")
    assert ticks == [0.0, 1.0] and labels == ["0", "1"]
    dots = [c for c in plt.named("scatter") if c[2].get("marker") == "•"]
    assert sum(len(c[1][0]) for c in dots) == len(run.loss) == 2  # x₀ and x₁
    assert all(kw.get("label") is None for _, _, kw in plt.calls if "label" in kw)  # nothing for plotext's legend
    (_, (xs, ys), _), = plt.named("plot")
    assert xs == [0.0, 1.0, 1.0] and ys[0] == ys[1] > ys[2]  # held, then one drop at iteration 1
    text = ANSI.sub("", render_loss([run], 80, 20, color=False))
    inside, under = _split(text)
    tick_row = under[0].split()
    assert tick_row == ["0", "1"]
    assert "".join(inside).count("•") == 2


@pytest.mark.parametrize("steps", [1, 5, MARKED_ITERATES - 1])
def test_each_iterate_is_marked_on_both_charts(steps):
    res = run_lab("quadratic", ["gd"], steps=steps)
    run = res.runs[0]
    plt = RecordingPlt()
    draw_loss(plt, res.runs)
    assert sum(len(c[1][0]) for c in plt.named("scatter") if c[2].get("marker") == "•") == steps + 1
    plt = RecordingPlt()
    draw_path(plt, res.objective, res.runs, resolution=(100, 60))
    marked = [c for c in plt.named("scatter") if c[2].get("marker") == "•"]
    assert sum(len(c[1][0]) for c in marked) == steps  # x₁ … x_k; x₀ is the start marker "@"
    assert len(run.path) == steps + 1


def test_long_runs_are_not_covered_in_markers():
    res = run_lab("quadratic", ["gd"], steps=200)
    plt = RecordingPlt()
    draw_loss(plt, res.runs)
    draw_path(plt, res.objective, res.runs)
    assert not [c for c in plt.named("scatter") if c[2].get("marker") == "•"]


def test_level_curves_are_lighter_than_paths():
    """At most one braille dot per character cell (a dotted line), in grey; paths are solid lines."""
    res = run_lab("quadratic", ["gd"])
    plt = RecordingPlt()
    width, height = 50, 18
    draw_path(plt, res.objective, res.runs, resolution=(2 * width, 4 * height))
    (_, (cx, cy), style), = [c for c in plt.named("scatter") if c[2].get("color") == "gray"]
    (x0, x1), (y0, y1) = plt.named("xlim")[0][1], plt.named("ylim")[0][1]
    cells = {(int((x - x0) / (x1 - x0) * width), int((y - y0) / (y1 - y0) * height)) for x, y in zip(cx, cy, strict=True)}
    assert len(cells) == len(cx) > 20
    assert all(c[2].get("color") != "gray" for c in plt.named("plot"))


# -- the app's lab at 80×24 -------------------------------------------------------------------------

def run_app(coro):
    return asyncio.run(coro)


def test_the_lab_legend_is_under_each_chart_and_newton_is_one_marked_jump(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot, rounds=4)
            screen = app.screen
            loss, path = screen.query_one("#loss-chart"), screen.query_one("#path-chart")
            inside, under = _split(str(loss.render()))
            for name in ("gd", "momentum", "adam"):
                assert not any(name in row for row in _inside(inside)) and any(name in row for row in under)
            ticks = under[0].split()
            assert ticks and all(t.isdigit() for t in ticks)  # whole iterations
            await pilot.press("ctrl+t")
            await settle(pilot, rounds=4)
            inside, under = _split(str(path.render()))
            assert any("@" in row for row in _inside(inside))  # the start marker is not covered
            for name in ("gd", "start", "minimizer"):
                assert not any(name in row for row in _inside(inside)) and any(name in row for row in under)
            await pilot.press("ctrl+t")
            await pilot.press("ctrl+n")  # Newton in one step
            await settle(pilot, rounds=4)
            inside, under = _split(str(loss.render()))
            assert under[0].split() == ["0", "1"]
            assert "".join(_inside(inside)).count("•") == 2  # x₀ and x₁: one jump
            assert not any("." in t for t in under[0].split())
    run_app(go())
