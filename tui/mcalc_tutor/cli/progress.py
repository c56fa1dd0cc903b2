"""``mcalc-tutor progress``: what the learner has solved, per section, as bars or ``--json``, and
``--export FILE`` of everything recorded. Registering stays cheap; the bank is loaded in ``run``.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ._common import usage_error

if TYPE_CHECKING:
    from ._common import Subparsers


def register(subparsers: Subparsers) -> None:
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


def run(args: argparse.Namespace) -> int:
    from ..progress.report import render_text
    from ..progress.store import open_store, resolve_data_dir

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
    from ..content.model import SECTIONS, section_title

    sections: dict[str, list[tuple[str, list[str]]]] = {}
    for name, _ in SECTIONS:
        sections[name] = []
    for exercise in load_bank().exercises:
        sections.setdefault(exercise.section, []).append(
            (exercise.id, [part.name for part in exercise.parts]))
    titles = {name: section_title(name) for name in sections}  # a course bank's own sections too
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
