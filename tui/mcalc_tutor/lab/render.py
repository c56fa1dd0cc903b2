"""Draw lab runs with plotext: loss curves (log scale) and 2-D paths over level curves.

``draw_loss`` and ``draw_path`` only call plotting functions on the plotext-like object they are
given, so the app can pass a textual-plotext widget's ``.plt``; they never set the size, show,
or touch the terminal. ``render_loss``/``render_path`` are the CLI's wrappers around the real
plotext module. This module must never import textual or the app.

The legend goes outside the plotting area: plotext can only draw it inside, over the top-left
corner, where it hid the first third of the curves and the start marker. So the app and the CLI
draw with ``legend=False`` and put ``legend_lines`` under the chart. Iterations are whole
numbers on the x axis, and a run with few iterates has a marker at each and its loss drawn as
steps (held until the next iterate), so that one Newton step reads as one jump at iteration 1.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from .objectives import Objective
from .registry import optimizer_color
from .runs import Bound, Run

__all__ = [
    "LegendEntry",
    "MARKED_ITERATES",
    "draw_loss",
    "draw_path",
    "render_loss",
    "render_path",
    "downsample_indices",
    "path_indices",
    "level_curve_points",
    "clip_polyline",
    "iteration_ticks",
    "legend_lines",
]

_MARKERS = ("*", "o", "+", "#", "%", "&", "=", "~", "$")  # told apart without colour
_BOUND_COLOR = "gray"
_CONTOUR_COLOR = "gray"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ITERATE_MARKER = "•"
_LINE_GLYPH = "──"  # a braille curve, in the legend

MARKED_ITERATES = 25
"""A run with at most this many iterates gets a marker at each (more would merge into a blob)."""

LegendEntry = tuple[str, "str | int", str]
"""(glyph, plotext colour, label) of one series, for a legend drawn outside the chart."""


def legend_lines(entries: Sequence[LegendEntry], width: int, *, color: bool = True) -> list[str]:
    """The legend as lines of at most ``width`` cells ("── gd  ── momentum  @ start"), the
    glyphs coloured with ANSI codes when ``color``; entries are never split across lines."""
    if color:
        from plotext._utility import colorize  # plotext ships no type information
    pieces = [(f"{glyph} {label}", (colorize(glyph, c) if color else glyph) + f" {label}")
              for glyph, c, label in entries]
    lines: list[str] = []
    plain_len, current = 0, ""
    for plain, shown in pieces:
        if current and plain_len + 2 + len(plain) > width:
            lines.append(current)
            plain_len, current = 0, ""
        if current:
            current += "  "
            plain_len += 2
        current += shown
        plain_len += len(plain)
    if current:
        lines.append(current)
    return lines


def iteration_ticks(last: int, max_ticks: int = 6) -> list[int]:
    """Whole-number ticks from 0 to ``last`` (at least 1) at a step of 1, 2 or 5 times a power of
    ten: iterations are counted, so the axis never shows 0.25 of a step."""
    last = max(1, int(last))
    step = 1
    while last // step + 1 > max_ticks:
        step = _next_step(step)
    return list(range(0, last + 1, step))


def _next_step(step: int) -> int:
    """1, 2, 5, 10, 20, 50, …"""
    digits = 10 ** (len(str(step)) - 1)
    lead = step // digits
    return (2 if lead == 1 else 5 if lead == 2 else 10) * digits


def downsample_indices(n: int, max_points: int) -> np.ndarray:
    """At most ``max_points`` indices spread evenly over range(n), always keeping the first and last."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(2, max_points)).round().astype(int))


def path_indices(n: int, max_points: int) -> np.ndarray:
    """Like ``downsample_indices`` but keeps the early iterates, where paths move the most."""
    if n <= max_points:
        return np.arange(n)
    head = max_points // 2
    tail = downsample_indices(n - head, max_points - head) + head
    return np.concatenate([np.arange(head), tail])


def _clip_segment(x0, y0, x1, y1, box):
    """Liang–Barsky: the part of the segment inside box = (xmin, xmax, ymin, ymax), or None."""
    xmin, xmax, ymin, ymax = box
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - xmin), (dx, xmax - x0), (-dy, y0 - ymin), (dy, ymax - y0)):
        if p == 0.0:
            if q < 0.0:
                return None
            continue
        r = q / p
        if p < 0.0:
            if r > t1:
                return None
            t0 = max(t0, r)
        else:
            if r < t0:
                return None
            t1 = min(t1, r)
    # untouched ends stay bit-identical, so consecutive segments still join into one piece
    a = (x0, y0) if t0 == 0.0 else (x0 + t0 * dx, y0 + t0 * dy)
    b = (x1, y1) if t1 == 1.0 else (x0 + t1 * dx, y0 + t1 * dy)
    return (a[0], a[1], b[0], b[1])


def clip_polyline(xs: Sequence[float], ys: Sequence[float], box) -> list[tuple[list[float], list[float]]]:
    """Cut a polyline to box = (xmin, xmax, ymin, ymax), as the pieces that lie inside.

    plotext rasterises every segment in full before clipping, so a diverged run's jump to 1e12
    would take it minutes and gigabytes; handing it only the visible pieces keeps drawing cheap."""
    pieces: list[tuple[list[float], list[float]]] = []
    cur_x: list[float] = []
    cur_y: list[float] = []
    xmin, xmax, ymin, ymax = box
    if len(xs) == 1:
        inside = xmin <= xs[0] <= xmax and ymin <= ys[0] <= ymax
        return [([xs[0]], [ys[0]])] if inside else []
    for i in range(len(xs) - 1):
        seg = _clip_segment(xs[i], ys[i], xs[i + 1], ys[i + 1], box)
        if seg is None:
            if cur_x:
                pieces.append((cur_x, cur_y))
                cur_x, cur_y = [], []
            continue
        a_x, a_y, b_x, b_y = seg
        if not cur_x or (cur_x[-1], cur_y[-1]) != (a_x, a_y):
            if cur_x:
                pieces.append((cur_x, cur_y))
            cur_x, cur_y = [a_x], [a_y]
        cur_x.append(b_x)
        cur_y.append(b_y)
    if cur_x:
        pieces.append((cur_x, cur_y))
    return pieces


def _plot_clipped(plt, xs, ys, box, **style) -> None:
    """plt.plot the visible pieces of a polyline; only the first piece carries the legend label."""
    label = style.pop("label", None)
    for i, (px, py) in enumerate(clip_polyline(xs, ys, box)):
        plt.plot(px, py, label=label if i == 0 else None, **style)


def _series(run: Run) -> tuple[np.ndarray, bool]:
    """What the loss chart shows for a run: f − f* when f* is known, else f; and which it is."""
    if run.f_star is not None:
        return run.loss - run.f_star, True
    return run.loss, False


def _label(run: Run) -> str:
    if run.diverged_at is not None:
        return f"{run.label} (diverged at step {run.diverged_at})"
    return run.label


def _decade_ticks(lo: float, hi: float, max_ticks: int = 7) -> tuple[list[float], list[str]]:
    lo_d, hi_d = math.floor(lo), math.ceil(hi)
    if hi_d == lo_d:
        hi_d += 1
    step = max(1, math.ceil((hi_d - lo_d) / max(1, max_ticks - 1)))
    ticks = list(range(lo_d, hi_d + 1, step))
    return [float(t) for t in ticks], [f"1e{t}" for t in ticks]


def draw_loss(plt: Any, runs: Sequence[Run], *, log: bool = True, bound: Bound | None = None,
              max_points: int = 400, distinct_markers: bool = False, title: str | None = None,
              rows: int | None = None, legend: bool = True) -> list[LegendEntry]:
    """Loss against iteration for several runs, with a legend, on ``plt`` (plotext or a widget's
    ``.plt``). With f* known the curve is f − f*; log scale is drawn as log10 of the data with
    "1eK" tick labels (plotext's own log scale fails on zero-size plots). Non-finite points from a
    diverged run are left out; the legend says where it diverged. ``rows`` (the plot's inner
    height) caps the y labels at one every other row: with more labels than rows, plotext keeps an
    arbitrary subset that changes between runs of Python (it depends on string hashing).

    ``legend=False`` labels no series (plotext would draw the legend inside the plot); either way
    the legend's entries are returned, for ``legend_lines``. Iterations are whole-number ticks, and
    each iterate of a run with at most MARKED_ITERATES of them is marked."""
    gaps = [_series(run) for run in runs]
    is_gap = bool(runs) and all(g for _, g in gaps)
    finite_all = np.concatenate([v[np.isfinite(v)] for v, _ in gaps] or [np.zeros(0)])
    use_log = log and finite_all.size > 0 and (is_gap or bool(np.all(finite_all > 0)))
    # f − f* below ~1e-16·max(1, |f*|) is rounding noise: it sits on this floor.
    f_scale = max([1.0] + [abs(r.f_star) for r in runs if r.f_star is not None])
    floor = 1e-16 * f_scale

    def transform(values: np.ndarray) -> np.ndarray:
        if not use_log:
            return values
        with np.errstate(all="ignore"):
            return np.log10(np.maximum(values, floor) if is_gap else values)

    # (label, xs, ys, style, diverged, kind) for every curve
    curves = []
    for i, (run, (values, _)) in enumerate(zip(runs, gaps, strict=True)):
        idx = downsample_indices(len(values), max_points)
        y = transform(values[idx])
        keep = np.isfinite(y)
        curves.append((_label(run), idx[keep], y[keep],
                       {"color": optimizer_color(run.optimizer),
                        "marker": _MARKERS[i % len(_MARKERS)] if distinct_markers else "braille"},
                       run.diverged_at is not None, "plot"))
    if bound is not None and runs:
        # Sparse dots drawn last: in 2-D the bound is attained exactly and a line would hide GD.
        n = min(len(bound.values), max(len(r.loss) for r in runs))
        idx = downsample_indices(n, max(8, max_points // 10))
        y = transform(bound.values[idx])
        keep = np.isfinite(y)
        curves.append((bound.label, idx[keep], y[keep],
                       {"color": _BOUND_COLOR, "marker": "."}, False, "scatter"))
    curves = [c for c in curves if len(c[1])]
    if not curves:
        plt.title("nothing to draw: no finite values")
        return []

    # The frame: on a linear axis one run racing to −1e12 would flatten the others, so frame the
    # curves that did not diverge and let the diverged ones leave the chart (the legend says so).
    framed = [c for c in curves if not c[4]] if not use_log else curves
    framed = framed or curves
    lo = min(float(c[2].min()) for c in framed)
    hi = max(float(c[2].max()) for c in framed)
    x_hi = max(float(c[1].max()) for c in curves)
    if use_log:
        ticks, labels = _decade_ticks(lo, hi, max_ticks=7 if rows is None else max(2, min(7, rows // 2 + 1)))
        plt.yticks(ticks, labels)
        lo, hi = ticks[0], max(ticks[-1], hi)
    else:
        pad = 0.05 * (hi - lo) or max(1.0, abs(hi)) * 0.05
        lo, hi = lo - pad, hi + pad
    plt.ylim(lo, hi)
    span = hi - lo
    box = (-1.0, x_hi + 1.0, lo - span, hi + span)
    entries: list[LegendEntry] = []
    for label, xs, ys, style, _, kind in curves:
        shown = label if legend else None
        if kind == "scatter":
            inside = (ys >= box[2]) & (ys <= box[3])
            plt.scatter(xs[inside].tolist(), ys[inside].tolist(), label=shown, **style)
            entries.append((str(style["marker"]), style["color"], label))
            continue
        few = len(xs) <= MARKED_ITERATES
        if few and len(xs) > 1:  # held until the next iterate, then a drop: one step is one jump
            sx, sy = np.repeat(xs, 2)[1:], np.repeat(ys, 2)[:-1]
        else:
            sx, sy = xs, ys
        _plot_clipped(plt, sx.tolist(), sy.tolist(), box, label=shown, **style)
        marker = str(style["marker"])
        entries.append((_LINE_GLYPH if marker == "braille" else marker * 2, style["color"], label))
        if few:  # and a dot at each iterate
            inside = (ys >= box[2]) & (ys <= box[3])
            plt.scatter(xs[inside].tolist(), ys[inside].tolist(), color=style["color"], marker=_ITERATE_MARKER)
    x_ticks = iteration_ticks(int(round(x_hi)))
    plt.xticks([float(t) for t in x_ticks], [str(t) for t in x_ticks])
    plt.xlim(0.0, max(float(x_ticks[-1]), x_hi))
    what = "f(x) − f*" if is_gap else "f(x)"
    heading = f"{what} per iteration" + (" (log scale)" if use_log else "")
    plt.title(f"{title}: {heading}" if title else heading)
    plt.xlabel("iteration")
    return entries


def level_curve_points(objective: Objective, window, resolution: tuple[int, int] = (120, 60),
                       levels: int = 9) -> tuple[list[float], list[float]]:
    """Points on level curves of a 2-D objective inside ``window`` = ((x0, x1), (y0, y1)): where f
    crosses each level along the edges of a ``resolution`` grid, linearly interpolated. Levels
    are quantiles of f over the window, so steep and flat functions both get readable rings."""
    (x0, x1), (y0, y1) = window
    nx, ny = max(8, int(resolution[0])), max(8, int(resolution[1]))
    xs = np.linspace(x0, x1, nx)
    ys = np.linspace(y0, y1, ny)
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        Z = np.asarray(objective.value(np.stack([X, Y], axis=-1)), dtype=float)
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        return [], []
    qs = np.linspace(0.0, 1.0, levels + 2)[1:-1] ** 1.5  # denser near the bottom, where paths end
    out_x, out_y = [], []
    for c in np.unique(np.quantile(finite, qs)):
        D = Z - c
        # crossings along rows (between horizontally adjacent grid points)
        a, b = D[:, :-1], D[:, 1:]
        i, j = np.nonzero((a * b < 0) & np.isfinite(a * b))
        t = a[i, j] / (a[i, j] - b[i, j])
        out_x.append(xs[j] + t * (xs[1] - xs[0]))
        out_y.append(ys[i])
        # crossings along columns
        a, b = D[:-1, :], D[1:, :]
        i, j = np.nonzero((a * b < 0) & np.isfinite(a * b))
        t = a[i, j] / (a[i, j] - b[i, j])
        out_x.append(xs[j])
        out_y.append(ys[i] + t * (ys[1] - ys[0]))
    px, py = np.concatenate(out_x), np.concatenate(out_y)
    # one point per grid cell is all a terminal can show
    cell = np.unique(np.stack([np.floor((px - x0) / (x1 - x0) * (nx - 1)),
                               np.floor((py - y0) / (y1 - y0) * (ny - 1))], axis=1), axis=0,
                     return_index=True)[1]
    cell.sort()
    return px[cell].tolist(), py[cell].tolist()


def path_window(objective: Objective, runs: Sequence[Run], grow: float = 0.5):
    """The objective's own window, widened to take in the paths but never by more than ``grow``
    of its size on each side (a path that leaves is drawn up to the edge)."""
    if objective.bounds is not None:
        (ax, bx), (ay, by) = objective.bounds
    else:
        pts = np.concatenate([r.path[:, :2] for r in runs] + [objective.x0[None, :2]])
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        ax, ay = pts.min(axis=0) - 0.5
        bx, by = pts.max(axis=0) + 0.5
    wx, wy = bx - ax, by - ay
    lo = np.array([ax - grow * wx, ay - grow * wy])
    hi = np.array([bx + grow * wx, by + grow * wy])
    for run in runs:
        pts = run.path[:, :2]
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts):
            ax, ay = min(ax, max(lo[0], pts[:, 0].min())), min(ay, max(lo[1], pts[:, 1].min()))
            bx, by = max(bx, min(hi[0], pts[:, 0].max())), max(by, min(hi[1], pts[:, 1].max()))
    return (float(ax), float(bx)), (float(ay), float(by))


def draw_path(plt: Any, objective: Objective, runs: Sequence[Run], *,
              resolution: tuple[int, int] = (120, 60), max_points: int = 400,
              distinct_markers: bool = False, levels: int = 9, legend: bool = True) -> list[LegendEntry]:
    """The runs' paths over level curves of a 2-D objective, with the start and the known optima
    marked, on ``plt`` (plotext or a widget's ``.plt``). ``resolution`` is the grid for the level
    curves: (2·width, 4·height) of the plot matches braille dots one for one. Raises ValueError
    for an objective that is not 2-D.

    The level curves are drawn lighter than the paths: one braille dot per character cell (a
    dotted line), in grey, under paths drawn solid. ``legend`` as for ``draw_loss``; the entries
    are returned. Each iterate of a path with at most MARKED_ITERATES of them is marked."""
    if objective.dim != 2:
        raise ValueError(f"a path plot needs a 2-D function; {objective.name} has {objective.dim} dimensions")
    window = path_window(objective, runs)
    (ax, bx), (ay, by) = window
    box = (2 * ax - bx, 2 * bx - ax, 2 * ay - by, 2 * by - ay)  # the window and its size again around it
    cx, cy = _one_per_cell(*level_curve_points(objective, window, resolution, levels), window,
                           (max(1, resolution[0] // 2), max(1, resolution[1] // 4)))
    if cx:
        plt.scatter(cx, cy, marker="braille", color=_CONTOUR_COLOR)
    entries: list[LegendEntry] = []
    for i, run in enumerate(runs):
        pts = run.path
        keep = np.all(np.isfinite(pts), axis=1)
        pts = pts[keep]
        if len(pts) == 0:
            continue
        idx = path_indices(len(pts), max_points)
        color = optimizer_color(run.optimizer)
        marker = _MARKERS[i % len(_MARKERS)] if distinct_markers else "braille"
        _plot_clipped(plt, pts[idx, 0].tolist(), pts[idx, 1].tolist(), box,
                      label=_label(run) if legend else None, color=color, marker=marker)
        entries.append((_LINE_GLYPH if marker == "braille" else marker * 2, color, _label(run)))
        if 1 < len(pts) <= MARKED_ITERATES:  # x₁ … x_k (x₀ is the start marker)
            (x0, x1), (y0, y1) = window
            later = pts[1:]
            inside = ((later[:, 0] >= x0) & (later[:, 0] <= x1) & (later[:, 1] >= y0) & (later[:, 1] <= y1))
            plt.scatter(later[inside, 0].tolist(), later[inside, 1].tolist(), color=color, marker=_ITERATE_MARKER)
    start = runs[0].path[0] if runs else objective.x0
    plt.scatter([float(start[0])], [float(start[1])], marker="@", label="start" if legend else None)
    entries.append(("@", "default", "start"))
    if objective.optima is not None:
        plt.scatter(objective.optima[:, 0].tolist(), objective.optima[:, 1].tolist(), marker="X",
                    label=objective.optimum_kind if legend else None)
        entries.append(("X", "default", objective.optimum_kind))
    entries.append(("⠂⠄", _CONTOUR_COLOR, "level curves"))
    plt.xlim(*window[0])
    plt.ylim(*window[1])
    plt.title(f"{objective.title}: paths over level curves")
    return entries


def _one_per_cell(xs: list[float], ys: list[float], window, cells: tuple[int, int]) -> tuple[list[float], list[float]]:
    """The points thinned to one per character cell of a ``cells`` = (columns, rows) plot: a
    level curve becomes a dotted line, lighter than a path's solid braille line."""
    if not xs:
        return xs, ys
    (x0, x1), (y0, y1) = window
    px, py = np.asarray(xs), np.asarray(ys)
    col = np.floor((px - x0) / ((x1 - x0) or 1.0) * cells[0])
    row = np.floor((py - y0) / ((y1 - y0) or 1.0) * cells[1])
    keep = np.unique(np.stack([col, row], axis=1), axis=0, return_index=True)[1]
    keep.sort()
    return px[keep].tolist(), py[keep].tolist()


def _figure(width: int, height: int):
    import plotext as plt  # plotext ships no type information

    plt.clear_figure()
    plt.theme("clear")  # no painted background: readable on light and dark terminals
    plt.plotsize(max(20, int(width)), max(8, int(height)))
    return plt


def _finish(plt, color: bool) -> str:
    text = plt.build().rstrip("\n")
    plt.clear_figure()
    return text if color else _ANSI.sub("", text)


def render_loss(runs: Sequence[Run], width: int, height: int, *, bound: Bound | None = None,
                color: bool = True, title: str | None = None) -> str:
    """The loss chart as text of at most ``width`` columns and ``height`` rows (CLI helper), its
    legend on the lines under it."""
    plt = _figure(width, height)
    entries = draw_loss(plt, runs, bound=bound, max_points=2 * width, distinct_markers=not color, title=title,
                        rows=max(2, height - 7), legend=False)  # less frame, ticks, label, title, legend
    return _with_legend(plt, entries, width, height, color)


def render_path(objective: Objective, runs: Sequence[Run], width: int, height: int, *,
                color: bool = True) -> str:
    """The path chart as text of at most ``width`` columns and ``height`` rows (CLI helper), its
    legend on the lines under it."""
    plt = _figure(width, height)
    entries = draw_path(plt, objective, runs, resolution=(2 * width, 4 * height), max_points=2 * width,
                        distinct_markers=not color, levels=max(4, min(9, height // 3)), legend=False)
    return _with_legend(plt, entries, width, height, color)


def _with_legend(plt: Any, entries: Sequence[LegendEntry], width: int, height: int, color: bool) -> str:
    """The chart, shrunk by the legend's lines, with the legend under it."""
    legend = legend_lines(entries, width, color=color)
    plt.plotsize(max(20, int(width)), max(8, int(height) - len(legend)))
    return "\n".join([_finish(plt, color), *legend])
