"""Grading many submissions at once (in worker processes when asked), and checking an
assignment's exercise ids before any grading starts."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .grader import SubmissionResult, grade_path


def grade_many(paths: Sequence[Path], exercises: list[str] | None, jobs: int, *, unsandboxed: bool = False,
               secret: bytes | None = None) -> list[SubmissionResult]:
    """Grade each path, in order; with ``jobs`` > 1, in that many worker processes."""
    import functools

    grade = functools.partial(grade_path, unsandboxed=unsandboxed, secret=secret)
    if jobs == 1 or len(paths) < 2:
        return [grade(p, exercises) for p in paths]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm) as pool:
        return list(pool.map(grade, paths, [exercises] * len(paths), chunksize=max(1, len(paths) // (jobs * 8))))


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
