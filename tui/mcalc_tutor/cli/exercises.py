"""`mcalc-tutor list | show | check | validate`: the exercise bank from the command line."""
from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ._common import emit, usage_error

if TYPE_CHECKING:
    from ._common import Subparsers


SEED_HELP = ("the variant (default: with --data-dir, the learner's own, as the app shows it; else 0); "
             "it sets a randomized exercise's numbers and every exercise's order of options")


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("list", help="list the exercises")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p.add_argument("--section", help="only this section")
    p.set_defaults(run=run_list)

    p = subparsers.add_parser("show", help="show an exercise's statement")
    p.add_argument("id", metavar="ID")
    p.add_argument("--seed", type=int, help=SEED_HELP)
    p.set_defaults(run=run_show)

    p = subparsers.add_parser("check", help="check an answer to an exercise part",
                              description="Exit 0 correct, 1 incorrect, 2 invalid input.")
    p.add_argument("target", metavar="ID[:PART]")
    p.add_argument("answer", metavar="ANSWER")
    p.add_argument("--seed", type=int, help=SEED_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(run=run_check)

    p = subparsers.add_parser("validate", help="validate exercise files (for authors)")
    p.add_argument("path", nargs="?", help="a file or folder (default: the whole bank)")
    p.add_argument("--deep", action="store_true", help="also verify expected answers by finite differences")
    p.set_defaults(run=run_validate)


def _bank():
    from ..content.loader import load_bank

    return load_bank()


def exercise_summary(ex) -> dict:
    return {"id": ex.id, "title": ex.title, "section": ex.section, "source": ex.source,
            "difficulty": ex.difficulty, "randomized": ex.randomized,
            "parts": [{"name": p.name, "kind": p.kind, "points": p.points} for p in ex.parts]}


def run_list(args: argparse.Namespace) -> int:
    from ..content.model import SECTION_TITLES

    bank = _bank()
    exercises = [e for e in bank.exercises if not args.section or e.section == args.section]
    if args.section and args.section not in SECTION_TITLES:
        return usage_error(f"unknown section {args.section!r} (known: {', '.join(SECTION_TITLES)})")
    if args.json:
        print(json.dumps([exercise_summary(e) for e in exercises], ensure_ascii=False, indent=1))
        return 0
    current = None
    for ex in exercises:
        if ex.section != current:
            current = ex.section
            print(f"\n{SECTION_TITLES[current]}")
        stars = "★" * ex.difficulty
        parts = ",".join(p.name for p in ex.parts)
        print(f"  {ex.id:<34} {stars:<3} {ex.title}  [{parts}]")
    for problem in bank.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


def _find(exercise_id: str):
    ex = _bank().get(exercise_id)
    if ex is None:
        return None, usage_error(f"unknown exercise {exercise_id!r} (see `mcalc-tutor list`)")
    return ex, 0


def variant_seed(args: argparse.Namespace, exercise_id: str) -> int:
    """The variant `show` and `check` use: --seed if given; else, with --data-dir, the learner's
    own (the seed the app uses, from their progress store: `ProgressStore.learner_seed`); else 0.
    A data dir without a progress file is not created here: variant 0, with a warning."""
    if args.seed is not None:
        return int(args.seed)
    data_dir = getattr(args, "data_dir", None)
    if not data_dir:
        return 0
    from ..progress.store import DB_NAME, open_store, resolve_data_dir

    directory = resolve_data_dir(data_dir)
    if not (directory / DB_NAME).is_file():
        print(f"mcalc-tutor: warning: no progress in {directory}; showing variant 0", file=sys.stderr)
        return 0
    store, notice = open_store(directory)
    try:
        if notice:
            print(f"mcalc-tutor: warning: {notice}", file=sys.stderr)
        return store.learner_seed(exercise_id)
    finally:
        store.close()


def run_show(args: argparse.Namespace) -> int:
    from ..content.statement import render_statement
    from ..content.variants import make_variant

    ex, code = _find(args.id)
    if ex is None:
        return code
    seed = variant_seed(args, ex.id)
    text = render_statement(make_variant(ex, seed))
    if sys.stdout.isatty():  # Markdown (bold, lists) rendered for the terminal; plain text when piped
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text.replace("\n(", "\n\n(")))
    else:
        print(text)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ..content.answers import check_part
    from ..content.variants import make_variant

    exercise_id, _, part_name = args.target.partition(":")
    ex, code = _find(exercise_id)
    if ex is None:
        return code
    if not part_name:
        if len(ex.parts) != 1:
            return usage_error(f"{ex.id} has parts {', '.join(p.name for p in ex.parts)}: write {ex.id}:PART")
        part_name = ex.parts[0].name
    seed = variant_seed(args, ex.id)
    variant = make_variant(ex, seed)
    part = variant.part(part_name)
    if part is None:
        return usage_error(f"{ex.id} has no part {part_name!r} (parts: {', '.join(p.name for p in ex.parts)})")
    return emit(check_part(variant, part, args.answer), args.json)


def run_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..content.loader import known_sources, load_bank, load_exercise

    problems = []
    exercises = []
    if args.path:
        path = Path(args.path)
        if not path.exists():
            return usage_error(f"no such file or folder: {path}")
        files = [path] if path.is_file() else sorted(path.rglob("*.toml"))
        for f in files:
            ex, found = load_exercise(f, known_sources())
            problems += found
            if ex is not None:
                exercises.append(ex)
    else:
        bank = load_bank()
        problems, exercises = list(bank.problems), bank.exercises
    from ..content.model import Problem
    from ..content.variants import make_variant

    for ex in exercises:  # generated answers need sympy: built here, not at every load
        try:
            make_variant(ex, 0)
        except Exception as exc:
            problems.append(Problem(ex.id, "generator", f"cannot build the seed-0 variant: {exc}"))
    if args.deep:
        from ..content.verify import verify_exercise

        for ex in exercises:
            problems += verify_exercise(ex)
    for problem in problems:
        print(problem)
    parts = sum(len(e.parts) for e in exercises)
    print(f"{len(exercises)} exercises, {parts} parts, {len(problems)} problem{'s' if len(problems) != 1 else ''}")
    return 1 if problems else 0
