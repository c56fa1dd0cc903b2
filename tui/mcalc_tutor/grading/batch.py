"""Grading many submissions at once (in worker processes when asked), and checking an
assignment's exercise ids before any grading starts.

A batch shares one PartCache per process: an answer many students typed is checked once. The
results are the same bytes as grading each submission on its own (tests/test_speed_identical.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .grader import PartCache, SubmissionResult, grade_path

_worker_cache: PartCache | None = None
"""The PartCache of this worker process (set by _warm)."""


def grade_many(paths: Sequence[Path], exercises: list[str] | None, jobs: int, *, unsandboxed: bool = False,
               secret: bytes | None = None) -> list[SubmissionResult]:
    """Grade each path, in order; with ``jobs`` > 1, in that many worker processes."""
    if jobs == 1 or len(paths) < 2:
        cache = PartCache()
        return [grade_path(p, exercises, unsandboxed=unsandboxed, secret=secret, cache=cache) for p in paths]
    from concurrent.futures import ProcessPoolExecutor

    n = len(paths)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm) as pool:
        return list(pool.map(_grade_in_worker, paths, [exercises] * n, [unsandboxed] * n, [secret] * n,
                             chunksize=max(1, n // (jobs * 8))))


def _warm() -> None:
    """Each worker loads the bank once, before its first submission, and starts its cache."""
    global _worker_cache
    from ..content.loader import load_bank

    load_bank()
    _worker_cache = PartCache()


def _grade_in_worker(path: Path, exercises: list[str] | None, unsandboxed: bool,
                     secret: bytes | None) -> SubmissionResult:
    return grade_path(path, exercises, unsandboxed=unsandboxed, secret=secret, cache=_worker_cache)


def unknown_ids(ids: Sequence[str]) -> str | None:
    """A one-line message naming the ids that are not in the bank, or None when all are."""
    from ..content.loader import load_bank

    bank = load_bank()
    unknown = [i for i in ids if bank.get(i) is None]
    return f"unknown exercise id(s): {', '.join(unknown)}" if unknown else None
