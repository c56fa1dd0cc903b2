"""`mcalc-tutor grade`: grade submissions (text, JSON, Gradescope, CSV and Canvas gradebooks, the
class report), write submission templates (one per student with a roster), and build a Gradescope
autograder bundle. `--assignment FILE` fixes the exercises, points, feedback and seeds."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import usage_error

if TYPE_CHECKING:
    from ..grading.assignment import Assignment
    from ..grading.roster import Roster
    from ._common import Subparsers

FORMATS = ("text", "json", "gradescope", "csv", "canvas", "report")
FEEDBACK = ("full", "diagnostics", "score")  # grading.assignment.FEEDBACK_POLICIES, not imported at every CLI call


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "grade", help="grade submissions",
        description="Grade submission TOML files (or folders of them). See the README for the format.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="submission files or folders")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--json", action="store_true", help="with --format report: JSON instead of text")
    p.add_argument("--out", help="write the result to FILE instead of stdout")
    p.add_argument("--jobs", type=int, default=1, help="grade N submissions in parallel")
    p.add_argument("--assignment", metavar="FILE", help="an assignment.toml: its exercises, parts, points, feedback "
                   "policy and seed policy (see examples/course/)")
    p.add_argument("--feedback", choices=FEEDBACK, default=None, help="what the feedback shows: full (adds the "
                   "expected answer of each part not answered correctly), diagnostics (never an answer: the default, "
                   "or the assignment's policy), score (status and points only)")
    p.add_argument("--roster", metavar="FILE", help="a roster CSV (id,name,email,section): gradebook rows, and "
                   "with --template --out-dir one template per student")
    p.add_argument("--secret-file", metavar="FILE", help="the course secret (kept outside the repository): each "
                   "student's seed is derived from it, the assignment and the student id")
    p.add_argument("--problems", metavar="FILE", help="with --format csv/canvas: where the problems report goes "
                   "(default: next to --out as NAME.problems.csv, else stderr)")
    p.add_argument("--exercises", nargs="+", metavar="ID", help="without --assignment: grade these exercises "
                   "(missing ones score zero); default: the exercises each submission answers")
    p.add_argument("--template", nargs="*", metavar="ID", help="write a blank submission: for these exercises, or "
                   "with --assignment for one student (--student, or --seed) or every student (--roster, --out-dir)")
    p.add_argument("--seed", type=int, default=None, help="with --template: the variant (without a secret)")
    p.add_argument("--student", metavar="ID", help="with --template --assignment: this student's template")
    p.add_argument("--out-dir", metavar="DIR", help="with --template --roster: write DIR/<id>/submission.toml")
    p.add_argument("--gradescope-bundle", metavar="OUT.zip", help="write a Gradescope autograder bundle for "
                   "--assignment (or the exercises given with --exercises)")
    p.add_argument("--offline", action="store_true", help="with --gradescope-bundle: include a wheelhouse of every "
                   "dependency so that setup.sh needs no network")
    p.add_argument("--python-version", default="3.10", metavar="X.Y", help="with --offline: Gradescope's Python "
                   "(default 3.10, the default image)")
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
    if args.format == "canvas" and not args.assignment:
        return usage_error("--format canvas needs --assignment (its title and points make the column)")
    course, problem = _course(args)
    if problem:
        return usage_error(problem)
    if args.template is not None:
        return _templates(args, course)
    if args.gradescope_bundle:
        return _bundle(args, course)
    if args.merge:
        return _merge(args, course)
    if not args.paths:
        return usage_error("give submission files or folders to grade")
    from ..grading.batch import unknown_ids
    from ..grading.submission import find_submissions

    if args.exercises and course.assignment is None:
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
    results = _grade(paths, args, course)
    if course.assignment is None and not args.exercises:
        from ..grading.grader import max_score_warning

        warning = max_score_warning(results)
        if warning:
            print(f"mcalc-tutor: warning: {warning}", file=sys.stderr)
    return _emit(results, args, course)


def _merge(args: argparse.Namespace, course: _Course) -> int:
    """`--merge F...`: the shards' JSON results, in one-go order, written in any format."""
    from ..grading.shard import ShardError, merge_results

    if args.paths or args.shard:
        return usage_error("--merge takes the shards' JSON files only (no PATH, no --shard)")
    try:
        results = merge_results([Path(f) for f in args.merge])
    except ShardError as exc:
        return usage_error(str(exc))
    return _emit(results, args, course)


class _Course:
    """What --assignment, --roster and --secret-file give, read once and checked before any grading."""

    def __init__(self) -> None:
        self.assignment: Assignment | None = None
        self.assignment_text = ""
        self.roster: Roster | None = None
        self.key: bytes | None = None  # the assignment's key (seeds.assignment_key)
        self.secret: bytes | None = None  # without an assignment: seeds hidden tests only


def _course(args) -> tuple[_Course, str | None]:
    course = _Course()
    if args.assignment:
        from ..grading.assignment import AssignmentError, load_assignment

        try:
            course.assignment = load_assignment(args.assignment)
            course.assignment_text = Path(args.assignment).read_text(encoding="utf-8")
        except AssignmentError as exc:
            for line in exc.problems[1:]:
                print(f"mcalc-tutor: error: {line}", file=sys.stderr)
            return course, exc.problems[0]
        if args.exercises:
            return course, "give --assignment or --exercises, not both"
    if args.roster:
        from ..grading.roster import RosterError, read_roster

        try:
            course.roster = read_roster(args.roster)
        except RosterError as exc:
            for line in exc.problems[1:]:
                print(f"mcalc-tutor: error: {line}", file=sys.stderr)
            return course, exc.problems[0]
    if args.secret_file:
        from ..grading.seeds import SecretError, read_secret, secret_warnings

        try:
            secret = read_secret(args.secret_file)
        except SecretError as exc:
            return course, str(exc)
        for warning in secret_warnings(args.secret_file):
            print(f"mcalc-tutor: warning: {warning}", file=sys.stderr)
        course.secret = secret
        if course.assignment is not None:
            from ..grading.seeds import assignment_key

            course.key = assignment_key(secret, course.assignment.id)
    a = course.assignment
    needs_key = a is not None and a.needs_secret and (args.paths or args.gradescope_bundle or args.student
                                                       or args.roster and args.template is not None)
    if a is not None and needs_key and course.key is None and not (args.template is not None and args.seed is not None):
        return course, (f"assignment {a.id!r} derives each student's seed from the course secret: "
                        "give --secret-file FILE (or use [seed] policy = \"fixed\")")
    return course, None


def _grade(paths, args, course):
    from ..grading.batch import grade_many

    progress = _progress_bar(len(paths))
    try:
        return grade_many(paths, args.exercises, args.jobs, unsandboxed=args.unsandboxed, secret=course.secret,
                          assignment=course.assignment, key=course.key, roster=course.roster,
                          on_result=progress.advance if progress else None)
    finally:
        if progress:
            progress.stop()


class _ProgressBar:
    """A progress bar on stderr with the count and the time left (rich), only on a terminal."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                  console=Console(file=sys.stderr), transient=True)
        self._task = self._progress.add_task("grading", total=total)
        self._progress.start()

    def advance(self, _result=None) -> None:
        self._progress.advance(self._task)

    def stop(self) -> None:
        self._progress.stop()


def _progress_bar(total: int) -> _ProgressBar | None:
    if total < 2 or not sys.stderr.isatty():
        return None
    return _ProgressBar(total)


def _templates(args, course) -> int:
    if course.assignment is None:
        if not args.template:
            return usage_error("--template needs exercise ids, or --assignment FILE")
        from ..grading.template import template

        try:
            text = template(args.template, args.seed)
        except ValueError as exc:
            return usage_error(str(exc))
        return _write(text, args.out)
    if args.template:
        return usage_error("with --assignment, --template takes no exercise ids (the assignment lists them)")
    from ..grading.template import student_template

    a = course.assignment
    if args.roster:
        if not args.out_dir:
            return usage_error("--template --roster writes one file per student: give --out-dir DIR")
        written = 0
        for student in course.roster:
            folder = Path(args.out_dir) / _safe_name(student.id)
            problem = _write(student_template(a, a.seed_for(student.id, course.key), student.id),
                             str(folder / "submission.toml"))
            if problem:
                return problem
            written += 1
        print(f"wrote {written} templates under {args.out_dir}")
        return 0
    if args.student:
        seed = a.seed_for(args.student, course.key)
    else:
        seed = args.seed if args.seed is not None else (a.fixed_seed if not a.needs_secret else None)
        if seed is None:
            return usage_error("say whose template: --student ID --secret-file FILE, --roster R --out-dir DIR, "
                               "or --seed N")
    return _write(student_template(a, seed, args.student or ""), args.out)


def _safe_name(student_id: str) -> str:
    import re

    name = re.sub(r"[^A-Za-z0-9_.@-]", "_", student_id).strip(".")
    return name or "_"


def _bundle(args, course) -> int:
    from ..grading import bundle

    out = Path(args.gradescope_bundle)
    if course.assignment is None:
        ids = args.exercises or args.paths
        if not ids:
            return usage_error("--gradescope-bundle needs --assignment FILE (or the exercise ids: --exercises ID …)")
        from ..grading.batch import unknown_ids

        problem = unknown_ids(ids)
        if problem:
            return usage_error(problem)
        if args.offline:
            return usage_error("--offline needs --assignment FILE")
        summary = bundle.write_bundle(out, ids)
    else:
        try:
            summary = bundle.write_assignment_bundle(out, course.assignment_text, course.assignment, course.key,
                                                     offline=args.offline, python_version=args.python_version,
                                                     unsandboxed=args.unsandboxed)
        except RuntimeError as exc:
            return usage_error(str(exc))
    extra = f", {len(summary['wheels']) - 1} dependency wheels for Python {args.python_version}" if args.offline else ""
    print(f"wrote {out} ({summary['bytes'] / 1e6:.1f} MB{extra})")
    return 0


def _emit(results, args: argparse.Namespace, course: _Course) -> int:
    from ..grading import reports

    fmt, a = args.format, course.assignment
    if args.feedback is not None and fmt != "report":
        results = _with_feedback(results, args.feedback)
        if a is not None:
            from dataclasses import replace

            a = replace(a, feedback="diagnostics")  # already applied: the assignment's policy must not apply again
    if fmt == "text":
        text = reports.text_report(results)
    elif fmt == "json":
        text = reports.json_report(results)
    elif fmt in ("csv", "canvas") and a is not None:
        from ..grading import gradebook

        base = args.paths[0] if len(args.paths) == 1 and Path(args.paths[0]).is_dir() else None
        book = gradebook.build_gradebook(results, a, course.roster, base=base)
        text = gradebook.canvas_csv(book) if fmt == "canvas" else gradebook.gradebook_csv(book)
        problem = _write_problems(gradebook.problems_csv(book), len(book.problems), args)
        if problem:
            return problem
    elif fmt == "csv":
        text = reports.csv_report(results)
    elif fmt == "report":
        text = reports.reteach_json(results, a) if args.json else reports.reteach_text(results, a)
    else:  # gradescope: one results.json per submission
        if len(results) != 1:
            return usage_error("--format gradescope grades one submission at a time (Gradescope runs one per student)")
        r = results[0]
        seconds = r.seconds if args.timing else None
        text = reports.gradescope_results(r, a, seconds) if a is not None else reports.gradescope_report(r, seconds)
    return _write(text, args.out)


def _with_feedback(results, policy: str):
    """Each result as its student may read it under `policy` (warnings kept for the instructor)."""
    from dataclasses import replace

    from ..grading.grader import for_students

    return [replace(for_students(r, policy), warnings=r.warnings) for r in results]


def _write_problems(text: str, count: int, args) -> int:
    target = args.problems or (str(Path(args.out).with_suffix("")) + ".problems.csv" if args.out else None)
    if target:
        problem = _write(text, target)
        if problem:
            return problem
        if count:
            print(f"mcalc-tutor: note: {count} problem(s) kept out of the gradebook: see {target}", file=sys.stderr)
        return 0
    if count:
        print(f"mcalc-tutor: note: {count} problem(s) kept out of the gradebook:", file=sys.stderr)
        sys.stderr.write(text)
    return 0


def _write(text: str, out: str | None) -> int:
    if out:
        from ..grading.output import write_report

        problem = write_report(Path(out), text)
        if problem:
            return usage_error(problem)
    else:
        sys.stdout.write(text)
    return 0
