"""`mcalc-tutor grade`: grade submissions (text, JSON, Gradescope, CSV, class report), write
blank submission templates, and build a Gradescope autograder bundle."""
from __future__ import annotations

import sys
from pathlib import Path

from ..cli import usage_error

FORMATS = ("text", "json", "gradescope", "csv", "report")


def register(subparsers) -> None:
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
    p.set_defaults(run=run)



def run(args) -> int:
    if args.jobs < 1:
        return usage_error("--jobs must be at least 1")
    if args.template:
        return _write(template(args.template, args.seed), args.out)
    if args.gradescope_bundle:
        ids = args.exercises or args.paths
        if not ids:
            return usage_error("--gradescope-bundle needs the exercise ids (--exercises ID …)")
        from .bundle import write_bundle

        problem = _unknown_ids(ids)
        if problem:
            return usage_error(problem)
        write_bundle(Path(args.gradescope_bundle), ids)
        print(f"wrote {args.gradescope_bundle}")
        return 0
    if not args.paths:
        return usage_error("give submission files or folders to grade")
    if args.exercises:
        problem = _unknown_ids(args.exercises)
        if problem:
            return usage_error(problem)
    from .submission import find_submissions

    paths, errors = find_submissions(args.paths)
    for e in errors:
        usage_error(e)
    if errors and not paths:
        return 2
    results = grade_many(paths, args.exercises, args.jobs, unsandboxed=args.unsandboxed)
    return _emit(results, args)


def _unknown_ids(ids) -> str | None:
    from ..content.loader import load_bank

    bank = load_bank()
    unknown = [i for i in ids if bank.get(i) is None]
    return f"unknown exercise id(s): {', '.join(unknown)}" if unknown else None


def grade_many(paths, exercises, jobs: int, *, unsandboxed: bool = False, secret: bytes | None = None):
    import functools

    from .grader import grade_path

    grade = functools.partial(grade_path, unsandboxed=unsandboxed, secret=secret)
    if jobs == 1 or len(paths) < 2:
        return [grade(p, exercises) for p in paths]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm) as pool:
        return list(pool.map(grade, paths, [exercises] * len(paths), chunksize=max(1, len(paths) // (jobs * 8))))


def _warm() -> None:
    from ..content.loader import load_bank

    load_bank()


def _emit(results, args) -> int:
    from . import reports

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
        from .output import write_report

        problem = write_report(Path(out), text)
        if problem:
            return usage_error(problem)
    else:
        sys.stdout.write(text)
    return 0


def template(ids: list[str], seed: int | None) -> str:
    """A blank submission: every part of the given exercises, each with its prompt as a comment."""
    from ..content.loader import load_bank
    from ..content.variants import make_variant

    bank = load_bank()
    lines = ["# mcalc-tutor submission: fill in each answer between the quotes.",
             "# Answers use the same language as the app (e.g. \"(A + A^T) x\").", "",
             "[meta]", 'student = ""', f"seed = {seed or 0}", ""]
    for exercise_id in ids:
        ex = bank.get(exercise_id)
        if ex is None:
            raise SystemExit(usage_error(f"unknown exercise id {exercise_id!r}"))
        variant = make_variant(ex, seed or 0)
        lines.append(f"# {ex.title}")
        for line in variant.statement.splitlines():
            lines.append(f"#   {line}" if line.strip() else "#")
        lines.append(f"[answers.{ex.id}]")
        for part in variant.parts:
            prompt = " ".join((part.prompt or part.kind).split())
            lines.append(f"# ({part.name}) {prompt}")
            for i, choice in enumerate(part.choices):
                lines.append(f"#     {chr(ord('a') + i)}) {choice}")
            if part.kind == "code":
                lines.append(f'{part.name} = "{part.stub}"   # put your {part.stub} next to this file')
            else:
                lines.append(f'{part.name} = ""')
        lines.append("")
    return "\n".join(lines)
