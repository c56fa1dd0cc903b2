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

    p = subparsers.add_parser("validate", help="validate exercise files (for authors)",
                              description="Validate exercise files: a file or folder, else the course banks "
                                          "given (--bank, MCALC_TUTOR_BANK), else the package's bank.")
    p.add_argument("path", nargs="?", help="a file, a folder or a course bank's folder (default: the course banks "
                   "given, else the whole bank)")
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
    from ..content.model import section_title

    bank = _bank()
    exercises = [e for e in bank.exercises if not args.section or e.section == args.section]
    known = list(dict.fromkeys(e.section for e in bank.exercises))
    if args.section and args.section not in known:
        return usage_error(f"unknown section {args.section!r} (known: {', '.join(known)})")
    if args.json:
        print(json.dumps([exercise_summary(e) for e in exercises], ensure_ascii=False, indent=1))
        return 0
    current = None
    for ex in exercises:
        if ex.section != current:
            current = ex.section
            print(f"\n{section_title(current)}")
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


def _in_banks(path, banks) -> bool:
    """Whether a file (as a problem names it: relative to the package's content, or absolute) is in these banks."""
    from ..content.paths import content_root

    path = (path if path.is_absolute() else content_root() / path).resolve()
    return any(path.is_relative_to(b) for b in banks)


def run_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..content.banks import BankError, active_banks, resolve_banks, use_banks
    from ..content.loader import load_bank, load_exercise, sources_for
    from ..content.paths import exercises_dir

    problems = []
    exercises = []
    banks = active_banks()
    path = Path(args.path) if args.path else None
    if path is not None and not path.exists():
        return usage_error(f"no such file or folder: {path}")
    if path is not None and path.is_dir() and (path / "exercises").is_dir():  # a course bank's folder
        try:
            use_banks(resolve_banks([*banks, path]))
        except BankError as exc:
            return usage_error(str(exc))
        banks, path = (path.resolve(),), None
    if path is not None:
        files = [path] if path.is_file() else sorted(path.rglob("*.toml"))
        package = exercises_dir().resolve()
        for f in files:  # a file outside the package's bank is a course bank's: it may open a section
            ex, found = load_exercise(f, sources_for(f), course_bank=not f.resolve().is_relative_to(package))
            problems += found
            if ex is not None:
                exercises.append(ex)
    else:  # the course banks given (an author checks their own), else the package's bank
        bank = load_bank()
        problems, exercises = list(bank.problems), bank.exercises
        if banks:
            exercises = [e for e in exercises if e.path is not None and any(e.path.is_relative_to(b) for b in banks)]
            problems = [p for p in problems if _in_banks(Path(p.file), banks)]
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
