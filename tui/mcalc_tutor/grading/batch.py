"""Grading many submissions at once (in worker processes when asked), and checking an
assignment's exercise ids before any grading starts.

A batch shares one PartCache per process: an answer many students typed is checked once. The
results are the same bytes as grading each submission on its own (tests/test_speed_identical.py,
tests/test_grading_identity.py). A worker sends its results back as a table of its distinct part
results plus, per submission, indices into it: most parts of a class repeat, and unpickling half a
million small objects was a large share of the parent's work at --jobs 2.

MCALC_TUTOR_OLD_PATH=1 (mathlang.batched.old_path) keeps the code path before the speed work
reachable, for the bench and the identity test only.
"""
from __future__ import annotations

import copy
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from functools import partial
from pathlib import Path

from ..checking.equivalence import batch_grading
from ..mathlang.batched import old_path
from .assignment import Assignment
from .grader import PartCache, PartResult, SubmissionResult, grade_assigned, grade_path
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
        with batch_grading(not old_path()):
            for p in paths:
                out.append(grade(p, cache=cache))
                if on_result:
                    on_result(out[-1])
        return out
    if old_path():
        return _old_pool(grade, paths, jobs, on_result)
    return _pool(grade, paths, jobs, on_result)


def _pool(grade: Callable[..., SubmissionResult], paths: Sequence[Path], jobs: int,
          on_result: Callable[[SubmissionResult], None] | None) -> list[SubmissionResult]:
    """Workers forked after the bank is loaded (they inherit it), each with its own cache, sending
    their results back packed."""
    from concurrent.futures import ProcessPoolExecutor

    from ..content.banks import active_banks
    from ..content.loader import load_bank

    load_bank()
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    size = max(1, len(paths) // (jobs * 8))
    chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
    results = []
    # a forked worker inherits the course banks, a spawned one (no fork here) starts with none: hand them over
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_warm,
                             initargs=(active_banks(),)) as pool:
        for packed in pool.map(partial(_grade_chunk, grade), chunks):
            for result in _unpack(packed):
                results.append(result)
                if on_result:
                    on_result(result)
    return results


def _old_pool(grade: Callable[..., SubmissionResult], paths: Sequence[Path], jobs: int,
              on_result: Callable[[SubmissionResult], None] | None) -> list[SubmissionResult]:
    """The pool as it was before the speed work (MCALC_TUTOR_OLD_PATH=1): one result object per message."""
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


Packed = tuple[list[tuple], list[tuple[SubmissionResult, list[int] | None]]]
"""(distinct part rows, [(the result without its parts, row indices, or None: parts kept as they are)])."""

_PART_FIELDS = tuple(f.name for f in fields(PartResult))
_LIST_FIELDS = tuple(i for i, f in enumerate(fields(PartResult)) if f.default_factory is list)


def _grade_chunk(grade: Callable[..., SubmissionResult], paths: list[Path]) -> Packed:
    """Grade a chunk of submissions in a worker (batch mode: see checking.equivalence.batch_grading)."""
    with batch_grading():
        return _pack([grade(p, cache=_worker_cache) for p in paths])


def _pack(results: list[SubmissionResult]) -> Packed:
    """Each distinct part result once (a row of its field values, lists as tuples), and per submission
    the indices of its parts' rows. A part that is not a plain PartResult travels as it is."""
    index: dict[tuple, int] = {}
    rows: list[tuple] = []
    out: list[tuple[SubmissionResult, list[int] | None]] = []
    for result in results:
        try:
            indices = [_row_index(p, index, rows) for p in result.parts]
        except (TypeError, ValueError):  # something unhashable or unexpected: no table for this one
            out.append((result, None))
            continue
        stripped = copy.copy(result)
        stripped.parts = []
        out.append((stripped, indices))
    return rows, out


def _row_index(part: PartResult, index: dict[tuple, int], rows: list[tuple]) -> int:
    if type(part) is not PartResult or len(vars(part)) != len(_PART_FIELDS):
        raise ValueError("not a plain PartResult")
    values = [getattr(part, name) for name in _PART_FIELDS]
    for i in _LIST_FIELDS:
        if type(values[i]) is not list:
            raise ValueError("a list field holds something else")
        values[i] = tuple(values[i])
    row = tuple(values)
    found = index.get(row)
    if found is None:
        found = index[row] = len(rows)
        rows.append(row)
    return found


def _unpack(packed: Packed) -> Iterator[SubmissionResult]:
    """The results as graded: a fresh PartResult per part (none shares its lists with another)."""
    rows, results = packed
    for result, indices in results:
        if indices is not None:
            result.parts = [_part(rows[i]) for i in indices]
        yield result


def _part(row: tuple) -> PartResult:
    values = list(row)
    for i in _LIST_FIELDS:
        values[i] = list(values[i])
    return PartResult(*values)


def unknown_ids(ids: Sequence[str]) -> str | None:
    """A one-line message naming the ids that are not in the bank, or None when all are."""
    from ..content.loader import load_bank

    bank = load_bank()
    unknown = [i for i in ids if bank.get(i) is None]
    from ..content.banks import unknown_exercise_hint

    return f"unknown exercise id(s): {', '.join(unknown)}{unknown_exercise_hint()}" if unknown else None
