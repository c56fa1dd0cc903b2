"""Grading many submissions at once (in worker processes when asked), and checking an
assignment's exercise ids before any grading starts."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from .assignment import Assignment
from .grader import SubmissionResult, grade_assigned, grade_path
from .roster import Roster


def grade_many(paths: Sequence[Path], exercises: list[str] | None, jobs: int, *, unsandboxed: bool = False,
               secret: bytes | None = None, assignment: Assignment | None = None, key: bytes | None = None,
               roster: Roster | None = None, on_result: Callable[[SubmissionResult], None] | None = None
               ) -> list[SubmissionResult]:
    """Grade each path, in order; with ``jobs`` > 1, in that many worker processes. With an
    assignment, its parts, points and seeds (``key``: seeds.assignment_key, which also seeds hidden
    tests); ``on_result`` is called as each result arrives (a progress bar)."""
    if assignment is not None:
        grade = partial(grade_assigned, assignment=assignment, key=key, unsandboxed=unsandboxed, roster=roster)
    else:
        grade = partial(grade_path, exercises=exercises, unsandboxed=unsandboxed, secret=secret)
    if jobs == 1 or len(paths) < 2:
        out = []
        for p in paths:
            out.append(grade(p))
            if on_result:
                on_result(out[-1])
        return out
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm) as pool:
        results = []
        for result in pool.map(grade, paths, chunksize=max(1, len(paths) // (jobs * 8))):
            results.append(result)
            if on_result:
                on_result(result)
        return results


def _warm() -> None:
    """Each worker loads the bank once, before its first submission."""
    from ..content.loader import load_bank

    load_bank()


def unknown_ids(ids: Sequence[str]) -> str | None:
    """A one-line message naming the ids that are not in the bank, or None when all are."""
    from ..content.loader import load_bank

    bank = load_bank()
    unknown = [i for i in ids if bank.get(i) is None]
    return f"unknown exercise id(s): {', '.join(unknown)}" if unknown else None
