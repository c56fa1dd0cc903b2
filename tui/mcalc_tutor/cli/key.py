"""`mcalc-tutor key`: one student's answer key for an assignment (their own variant), for the
instructor: the seed comes from the course secret, the assignment and the student id."""
from __future__ import annotations

import json
import sys

from ._common import usage_error


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "key", help="print a student's answer key for an assignment",
        description="Print the expected answer of every graded part in a student's variant of an assignment.")
    p.add_argument("--assignment", required=True, metavar="FILE", help="the assignment.toml")
    p.add_argument("--student", metavar="ID", help="the student id (as on the roster, or Gradescope's sid)")
    p.add_argument("--secret-file", metavar="FILE", help="the course secret the seeds are derived from")
    p.add_argument("--seed", type=int, help="a variant's seed instead of --student (e.g. from a template)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..grading.assignment import AssignmentError, load_assignment
    from ..grading.template import answer_key, answer_key_text

    try:
        assignment = load_assignment(args.assignment)
    except AssignmentError as exc:
        for line in exc.problems[1:]:
            print(f"mcalc-tutor: error: {line}", file=sys.stderr)
        return usage_error(exc.problems[0])
    if args.seed is not None:
        if args.seed < 0:
            return usage_error("--seed must be a non-negative integer")
        seed = args.seed
    elif not assignment.needs_secret:
        seed = assignment.fixed_seed
    else:
        if not args.student or not args.secret_file:
            return usage_error("give --student ID and --secret-file FILE (or --seed N)")
        from ..grading.seeds import SecretError, assignment_key, read_secret, secret_warnings

        try:
            secret = read_secret(args.secret_file)
        except SecretError as exc:
            return usage_error(str(exc))
        for warning in secret_warnings(args.secret_file):
            print(f"mcalc-tutor: warning: {warning}", file=sys.stderr)
        seed = assignment.seed_for(args.student, assignment_key(secret, assignment.id))
    key = answer_key(assignment, seed, args.student or "")
    if args.json:
        print(json.dumps(key, ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(answer_key_text(key))
    return 0
