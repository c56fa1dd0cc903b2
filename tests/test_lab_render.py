"""The renderer: legends, sizes, downsampling, and drawing onto any plotext-like object."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lab_helpers import ANSI, RecordingPlt
from mcalc_tutor.lab.objectives import make_objective
from mcalc_tutor.lab.render import (
    downsample_indices,
    draw_loss,
    draw_path,
    level_curve_points,
    path_indices,
    render_loss,
    render_path,
)
from mcalc_tutor.lab.runs import run_lab, run_optimizer

PLOTTING = {"plot", "scatter", "title", "xlabel", "ylabel", "xlim", "ylim", "xticks", "yticks"}




@pytest.fixture(scope="module")
def comparison():
    return run_lab("quadratic", ["gd", "momentum", "adam"])


def _visible(text):
    return ANSI.sub("", text).split("\n")


@pytest.mark.parametrize("width,height", [(60, 14), (100, 30), (181, 47)])
@pytest.mark.parametrize("color", [True, False])
def test_loss_chart_has_the_legend_and_fits_the_size(comparison, width, height, color):
    text = render_loss(comparison.runs, width, height, bound=comparison.bound, color=color)
    lines = _visible(text)
    assert len(lines) <= height
    assert max(len(line) for line in lines) <= width
    body = "\n".join(lines)
    for name in ("gd", "momentum", "adam", "GD bound"):
        assert name in body
    decades = set(re.findall(r"\b1e-?\d+┤", body))
    assert len(decades) >= 3, "log scale drawn with our own decade labels"
    assert ("\x1b[" in text) == color


@pytest.mark.parametrize("width,height", [(60, 14), (120, 40)])
def test_path_chart_has_the_legend_and_fits_the_size(comparison, width, height):
    text = render_path(comparison.objective, comparison.runs, width, height, color=False)
    lines = _visible(text)
    assert len(lines) <= height and max(len(line) for line in lines) <= width
    body = "\n".join(lines)
    for name in ("gd", "momentum", "adam", "start", "minimizer"):
        assert name in body


def test_rendering_is_deterministic(comparison):
    a = render_loss(comparison.runs, 90, 20, bound=comparison.bound)
    b = render_loss(comparison.runs, 90, 20, bound=comparison.bound)
    assert a == b


def test_draw_functions_only_plot_and_downsample_long_histories():
    res = run_lab("rosenbrock", ["gd", "adam"], steps=10_000)
    plt = RecordingPlt()
    draw_loss(plt, res.runs, max_points=160)
    draw_path(plt, res.objective, res.runs, max_points=160, resolution=(80, 40))
    assert {c[0] for c in plt.calls} <= PLOTTING, "no show, size or terminal calls"
    lines = plt.named("plot")
    assert len(lines) == 4
    for _, args, _ in lines:
        assert len(args[0]) == len(args[1]) <= 160
    # the loss curve keeps the first and the last iteration
    xs = plt.named("plot")[0][1][0]
    assert xs[0] == 0 and xs[-1] == 10_000


def test_a_diverged_run_is_drawn_without_nonfinite_points_and_labelled():
    obj = make_objective("rosenbrock")
    runs = [run_optimizer(obj, "gd", lr=1e300, steps=100), run_optimizer(obj, "adam", lr=0.01, steps=100)]
    plt = RecordingPlt()
    draw_loss(plt, runs)
    draw_path(plt, obj, runs)
    for _, args, _kwargs in plt.named("plot"):
        assert all(math.isfinite(v) for series in args for v in series)
    labels = [kw.get("label") for _, _, kw in plt.named("plot")]
    assert f"gd (diverged at step {runs[0].diverged_at})" in labels
    text = render_loss(runs, 80, 20, color=False)
    assert "diverged at step" in text


def test_functions_without_a_minimum_get_a_linear_loss_axis():
    res = run_lab("saddle", ["gd"])
    plt = RecordingPlt()
    draw_loss(plt, res.runs)
    assert not plt.named("yticks")
    assert "f(x) per iteration" in plt.named("title")[0][1][0]


def test_path_chart_refuses_functions_that_are_not_2d():
    res = run_lab("quadratic-nd", ["gd"], steps=5)
    with pytest.raises(ValueError, match="2-D"):
        draw_path(RecordingPlt(), res.objective, res.runs)


def test_level_curves_lie_on_their_levels():
    obj = make_objective("himmelblau")
    xs, ys = level_curve_points(obj, ((-5, 5), (-5, 5)), (80, 40), levels=5)
    assert len(xs) > 100
    values = np.sort(obj.value(np.stack([xs, ys], axis=1)))
    # the values fall into at most 5 tight clusters (one per level), not spread over the range
    spread = values[-1] - values[0]
    clusters = np.split(values, np.flatnonzero(np.diff(values) > 0.02 * spread) + 1)
    assert len(clusters) <= 5
    assert all(c[-1] - c[0] < 0.1 * max(abs(c[0]), 1.0) for c in clusters)  # linear interpolation


def test_downsampling_helpers():
    assert downsample_indices(10, 20).tolist() == list(range(10))
    idx = downsample_indices(10_001, 200)
    assert len(idx) <= 200 and idx[0] == 0 and idx[-1] == 10_000
    idx = path_indices(10_001, 200)
    assert len(idx) <= 200 and idx[:100].tolist() == list(range(100)) and idx[-1] == 10_000


def test_draws_onto_a_textual_plotext_figure_even_at_zero_size(comparison):
    plot_module = pytest.importorskip("textual_plotext.plot")
    plt = plot_module.Plot()
    draw_loss(plt, comparison.runs, bound=comparison.bound)
    for size in ((0, 0), (3, 2), (70, 18)):
        plt.plotsize(*size)
        plt.build()  # plotext's own log scale would raise "math domain error" at zero size
    assert "momentum" in ANSI.sub("", plt.build())


def test_runaway_values_are_clipped_before_plotext_sees_them():
    # plotext rasterises whole segments: a jump to -3e12 used to exhaust memory
    res = run_lab("saddle", ["gd", "damped-newton"])
    assert res.runs[1].diverged_at is not None and res.runs[1].loss[-1] < -1e12
    for draw in (lambda p: draw_loss(p, res.runs), lambda p: draw_path(p, res.objective, res.runs)):
        plt = RecordingPlt()
        draw(plt)
        (x_lo, x_hi), (y_lo, y_hi) = plt.named("xlim")[0][1] if plt.named("xlim") else (-1, 31), plt.named("ylim")[0][1]
        assert y_hi - y_lo < 10, "the frame follows the run that did not diverge"
        w, h = x_hi - x_lo, y_hi - y_lo
        for _, (xs, ys), _ in plt.named("plot"):
            assert all(x_lo - w - 1e-9 <= x <= x_hi + w + 1e-9 for x in xs)
            assert all(y_lo - h - 1e-9 <= y <= y_hi + h + 1e-9 for y in ys)
    assert "damped-newton (diverged at step" in render_loss(res.runs, 80, 20, color=False)


@pytest.mark.parametrize("xs,ys,expected,why", [
    ([0, 1, 2], [0, 1, 0], [([0, 1, 2], [0, 1, 0])], "inside stays whole"),
    ([0, 4], [0, 0], [([0, 2.0], [0, 0])], "leaving is cut at the edge"),
    ([0, 4, 4, 0], [0, 0, 1, 1], [([0, 2.0], [0, 0]), ([2.0, 0], [1, 1])], "out and back: two pieces"),
    ([5, 6], [5, 6], [], "wholly outside: nothing"),
    ([-4, 4], [1, 1], [([-2.0, 2.0], [1, 1])], "crossing: both ends cut"),
])
def test_clip_polyline(xs, ys, expected, why):
    from mcalc_tutor.lab.render import clip_polyline

    got = clip_polyline(xs, ys, (-2, 2, -2, 2))
    assert [(list(map(float, a)), list(map(float, b))) for a, b in got] == \
        [(list(map(float, a)), list(map(float, b))) for a, b in expected]


def test_the_gd_bound_is_drawn_beside_gd_on_a_quadratic(comparison):
    plt = RecordingPlt()
    draw_loss(plt, comparison.runs, bound=comparison.bound)
    (_, (xs, ys), kw), = [c for c in plt.named("scatter") if "GD bound" in c[2].get("label", "")]
    gd = comparison.runs[0]
    rho = (10 - 1) / (10 + 1)
    gap0 = gd.loss[0] - gd.f_star
    expected = [max(math.log10(gap0) + 2 * k * math.log10(rho), math.log10(1e-16 * abs(gd.f_star)))
                for k in xs]
    assert len(xs) >= 8 and np.allclose(ys, expected, atol=1e-9)
