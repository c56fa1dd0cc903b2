"""The progress summary as text for an 80-column terminal: a bar per section, totals, recent
activity (what `mcalc-tutor progress` prints). Only the standard library: no store, no bank."""
from __future__ import annotations

import sys
from datetime import datetime

BAR_WIDTH = 18
TITLE_WIDTH = 37


def _glyphs() -> tuple[str, str, str]:
    """Solved, started and new cells: block characters where the terminal can show them."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "█▒░·".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "#", "+", "."
    return "█", "▒", "░"


def _bar(solved: int, attempted: int, total: int, glyphs: tuple[str, str, str]) -> str:
    if total <= 0:
        return " " * BAR_WIDTH
    # Any solved or started exercise gets at least one cell, so a little progress is visible.
    done = max(round(BAR_WIDTH * solved / total), 1 if solved else 0)
    started = max(round(BAR_WIDTH * (solved + attempted) / total) - done, 1 if attempted else 0)
    done = min(done, BAR_WIDTH)
    started = min(started, BAR_WIDTH - done)
    return glyphs[0] * done + glyphs[1] * started + glyphs[2] * (BAR_WIDTH - done - started)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def render_text(summary: dict, path=None) -> str:
    """The summary for an 80-column terminal: a bar per section, totals, recent activity."""
    glyphs = _glyphs()
    t = summary["totals"]
    lines = [f"Progress: {t['solved']} of {_plural(t['total'], 'exercise')} solved, "
             f"{t['attempted']} in progress",
             f"  {_plural(t['attempts'], 'attempt')}, {_plural(t['hints'], 'hint')}, "
             f"{_plural(t['reveals'], 'reveal')}",
             ""]
    for row in summary["sections"]:
        title = row.get("title", row["section"])
        if len(title) > TITLE_WIDTH:
            title = title[:TITLE_WIDTH - 1] + "…"
        line = (f"  {title:<{TITLE_WIDTH}} {_bar(row['solved'], row['attempted'], row['total'], glyphs)} "
                f"{row['solved']:>3}/{row['total']:<3}")
        if row["attempted"]:
            line += f" +{row['attempted']} started"
        lines.append(line.rstrip())
    if not summary["sections"]:
        lines.append("  No exercises found.")
    lines.append(f"  {glyphs[0]} solved  {glyphs[1]} started  {glyphs[2]} new")
    lines.append("")
    if summary["recent"]:
        lines.append("Recent activity")
        for item in summary["recent"]:
            where = item["exercise"] + (f" ({item['part']})" if item["part"] else "")
            if len(where) > 48:
                where = where[:47] + "…"
            lines.append(f"  {_local_time(item['time'])}  {where:<48} {item['status']}".rstrip())
    else:
        lines.append("No activity yet: start the tutor with `mcalc-tutor`.")
    if path is not None:
        lines.append("")
        lines.append(f"Saved in {path}")
    return "\n".join(lines) + "\n"
