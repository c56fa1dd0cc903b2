"""`mcalc-tutor grade`: grade submissions (text, JSON, Gradescope, CSV, class report), write
blank submission templates, and build a Gradescope autograder bundle."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import usage_error

if TYPE_CHECKING:
    from ._common import Subparsers

FORMATS = ("text", "json", "gradescope", "csv", "report")


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "grade", help="grade submissions",
        description="Grade submission TOML files (or folders of them). See the README for the format.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="submission files or folders")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--json", action="store_true", help="with --format report: JSON instead of text")
    p.add_argument("--out", help="write the result to FILE instead of stdout")
    p.add_argument("--jobs", type=int, default=1, help="grade N submissions in parallel")
    p.add_argument("--exercises", nargs="+", metavar="ID", help="the assignment: grade these exercises "
                   "(missing ones score zero); default: the exercises each submission answers")
    p.add_argument("--template", nargs="+", metavar="ID", help="write a blank submission for these exercises")
    p.add_argument("--seed", type=int, default=None, help="with --template: the student's variant")
    p.add_argument("--gradescope-bundle", metavar="OUT.zip", help="write a Gradescope autograder bundle "
                   "for the exercises given with --exercises (or as PATH arguments)")
    p.add_argument("--timing", action="store_true", help="include execution_time in Gradescope output")
    p.add_argument("--unsandboxed", action="store_true", help="run code parts even without bubblewrap "
                   "(resource limits only: for code you trust)")
    p.add_argument("--shard", metavar="K/N", help="grade only shard K of N of the submissions (a fixed share, "
                   "by path); combine the shards' --format json outputs with --merge")
    p.add_argument("--merge", nargs="+", metavar="FILE", help="instead of grading: combine shards' JSON results "
                   "into --format (the same bytes as grading all submissions in one go)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        return usage_error("--jobs must be at least 1")
    if args.template:
        from ..grading.template import template

        try:
            text = template(args.template, args.seed)
        except ValueError as exc:
            return usage_error(str(exc))
        return _write(text, args.out)
    if args.gradescope_bundle:
        ids = args.exercises or args.paths
        if not ids:
            return usage_error("--gradescope-bundle needs the exercise ids (--exercises ID …)")
        from ..grading.batch import unknown_ids
        from ..grading.bundle import write_bundle

        problem = unknown_ids(ids)
        if problem:
            return usage_error(problem)
        write_bundle(Path(args.gradescope_bundle), ids)
        print(f"wrote {args.gradescope_bundle}")
        return 0
    if args.merge:
        return _merge(args)
    if not args.paths:
        return usage_error("give submission files or folders to grade")
    from ..grading.batch import grade_many, unknown_ids
    from ..grading.submission import find_submissions

    if args.exercises:
        problem = unknown_ids(args.exercises)
        if problem:
            return usage_error(problem)

    paths, errors = find_submissions(args.paths)
    for e in errors:
        usage_error(e)
    if errors and not paths:
        return 2
    if args.shard:
        from ..grading.shard import ShardError, parse_shard, select_shard

        try:
            paths = select_shard(paths, args.paths, *parse_shard(args.shard))
        except ShardError as exc:
            return usage_error(str(exc))
    results = grade_many(paths, args.exercises, args.jobs, unsandboxed=args.unsandboxed)
    return _emit(results, args)


def _merge(args: argparse.Namespace) -> int:
    from ..grading.shard import ShardError, merge_results

    if args.paths or args.shard:
        return usage_error("--merge takes the shards' JSON files only (no PATH, no --shard)")
    try:
        results = merge_results([Path(f) for f in args.merge])
    except ShardError as exc:
        return usage_error(str(exc))
    return _emit(results, args)


def _emit(results, args: argparse.Namespace) -> int:
    from ..grading import reports

    fmt = args.format
    if fmt == "text":
        text = reports.text_report(results)
    elif fmt == "json":
        text = reports.json_report(results)
    elif fmt == "csv":
        text = reports.csv_report(results)
    elif fmt == "report":
        if args.json:
            import json

            text = json.dumps(reports.class_report_data(results), ensure_ascii=False, indent=1) + "\n"
        else:
            text = reports.class_report_text(results)
    else:  # gradescope: one results.json per submission
        if len(results) != 1:
            return usage_error("--format gradescope grades one submission at a time (Gradescope runs one per student)")
        r = results[0]
        text = reports.gradescope_report(r, r.seconds if args.timing else None)
    return _write(text, args.out)


def _write(text: str, out: str | None) -> int:
    if out:
        from ..grading.output import write_report

        problem = write_report(Path(out), text)
        if problem:
            return usage_error(problem)
    else:
        sys.stdout.write(text)
    return 0
