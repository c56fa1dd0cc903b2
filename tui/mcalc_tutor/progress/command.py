"""``mcalc-tutor progress``: what the learner has solved, per section, as bars or ``--json``, and
``--export FILE`` of everything recorded. Registering stays cheap; the bank is loaded in ``run``.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime

from ..cli import usage_error

BAR_WIDTH = 18
TITLE_WIDTH = 37


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "progress",
        help="what you have solved, per section (or --json, --export FILE)",
        description="Show saved progress: solved and started exercises per section, totals and "
                    "recent activity. The global --data-dir option chooses where it is stored.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print the summary as one JSON document")
    group.add_argument("--export", metavar="FILE",
                       help="write everything recorded (attempts, hints, reveals) as JSON to FILE "
                            "('-' for standard output)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from .store import open_store, resolve_data_dir

    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    store, notice = open_store(data_dir)
    if notice:
        print(f"mcalc-tutor: {notice}", file=sys.stderr)
    try:
        if args.export:
            return _export(store, args.export)
        titles, sections = _sections()
        summary = store.summary(sections)
        for row in summary["sections"]:
            row["title"] = titles.get(row["section"], row["section"])
        if args.json:
            document = {"data_dir": str(data_dir), "path": _str(store.path),
                        "persistent": store.persistent, "notice": notice, **summary}
            json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(render_text(summary, store.path))
        return 0
    finally:
        store.close()


def _str(path) -> str | None:
    return None if path is None else str(path)


def _sections() -> tuple[dict[str, str], dict[str, list[tuple[str, list[str]]]]]:
    """Section titles, and each section's exercises with their part names, in course order."""
    from ..content.loader import load_bank
    from ..content.model import SECTIONS

    titles = dict(SECTIONS)
    sections: dict[str, list[tuple[str, list[str]]]] = {}
    for name, _ in SECTIONS:
        sections[name] = []
    for exercise in load_bank().exercises:
        sections.setdefault(exercise.section, []).append(
            (exercise.id, [part.name for part in exercise.parts]))
    return titles, {name: items for name, items in sections.items() if items}


def _export(store, target: str) -> int:
    text = json.dumps(store.export_json(), indent=2, ensure_ascii=False) + "\n"
    if target == "-":
        sys.stdout.write(text)
        return 0
    try:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        return usage_error(f"cannot write {target}: {exc.strerror or exc}")
    document = json.loads(text)
    print(f"Exported {len(document['attempts'])} attempts, {len(document['hints'])} hints and "
          f"{len(document['reveals'])} reveals to {target}.")
    return 0


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
