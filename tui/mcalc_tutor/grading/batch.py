"""Grading many submissions at once (in worker processes when asked), and checking an
assignment's exercise ids before any grading starts.

A batch shares one PartCache per process: an answer many students typed is checked once. The
results are the same bytes as grading each submission on its own (tests/test_speed_identical.py).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from .assignment import Assignment
from .grader import PartCache, SubmissionResult, grade_assigned, grade_path
from .roster import Roster

_worker_cache: PartCache | None = None
"""The PartCache of this worker process (set by _warm)."""


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
        cache = PartCache()
        out = []
        for p in paths:
            out.append(grade(p, cache=cache))
            if on_result:
                on_result(out[-1])
        return out
    from concurrent.futures import ProcessPoolExecutor

    from ..content.banks import active_banks

    # a spawned worker starts with no course banks: hand it this process's, explicitly
    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm, initargs=(active_banks(),)) as pool:
        results = []
        for result in pool.map(partial(_in_worker, grade), paths, chunksize=max(1, len(paths) // (jobs * 8))):
            results.append(result)
            if on_result:
                on_result(result)
        return results


def _warm(banks: tuple[Path, ...] = ()) -> None:
    """Each worker takes the parent's course banks, loads the bank once, before its first
    submission, and starts its cache."""
    global _worker_cache
    from ..content.banks import use_banks
    from ..content.loader import load_bank

    use_banks(banks)
    load_bank()
    _worker_cache = PartCache()


def _in_worker(grade: Callable[..., SubmissionResult], path: Path) -> SubmissionResult:
    """Grade in a worker process with that worker's cache."""
    return grade(path, cache=_worker_cache)


def unknown_ids(ids: Sequence[str]) -> str | None:
    """A one-line message naming the ids that are not in the bank, or None when all are."""
    from ..content.loader import load_bank

    bank = load_bank()
    unknown = [i for i in ids if bank.get(i) is None]
    from ..content.banks import unknown_exercise_hint

    return f"unknown exercise id(s): {', '.join(unknown)}{unknown_exercise_hint()}" if unknown else None
