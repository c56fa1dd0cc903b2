"""Grading many submissions at once (in worker processes when asked), and checking an
assignment's exercise ids before any grading starts.

A batch shares one PartCache per process: an answer many students typed is checked once. The
results are the same bytes as grading each submission on its own (tests/test_speed_identical.py,
tests/test_grading_identity.py). A worker sends its results back as a table of its distinct part
results plus, per submission, indices into it: most parts of a class repeat, and unpickling half a
million small objects in the parent was what made --jobs 2 slower than --jobs 1.

MCALC_TUTOR_OLD_PATH=1 (mathlang.batched.old_path) keeps the code path before the speed work
reachable, for the bench and the identity test only.
"""
from __future__ import annotations

import copy
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path

from ..checking.equivalence import batch_grading
from ..mathlang.batched import old_path
from .assignment import Assignment
from .grader import PartCache, PartResult, SubmissionResult, _check_math, _variant_key, grade_assigned, grade_path
from .roster import Roster
from .submission import read_submission

_worker_cache: PartCache | None = None
"""The PartCache of this worker process (set by _warm, or _adopt: the one the prefetch filled)."""


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
    return _pool(grade, paths, jobs, _Plan(exercises, assignment, key, roster), on_result)


def _pool(grade: Callable[..., SubmissionResult], paths: Sequence[Path], jobs: int, plan: _Plan,
          on_result: Callable[[SubmissionResult], None] | None) -> list[SubmissionResult]:
    """Warm up (the prefetch), then fork the graders: they inherit the bank, the variants and the
    checked answers, and send their results back packed."""
    global _worker_cache
    from concurrent.futures import ProcessPoolExecutor

    from ..content.loader import load_bank

    load_bank()  # before forking: every worker inherits the loaded bank
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    cache = PartCache()
    if len(paths) >= PREFETCH_MIN * jobs:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            _prefetch(pool, paths, jobs, plan, cache)
    size = max(1, len(paths) // (jobs * 8))
    chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
    results = []
    forked = context.get_start_method() == "fork"
    _worker_cache = cache if forked else None  # a forked worker inherits it; others get a pickled copy
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_adopt,
                                 initargs=(None if forked else cache,)) as pool:
            for packed in pool.map(partial(_grade_chunk, grade), chunks):
                for result in _unpack(packed):
                    results.append(result)
                    if on_result:
                        on_result(result)
    finally:
        _worker_cache = None
    return results


def _old_pool(grade: Callable[..., SubmissionResult], paths: Sequence[Path], jobs: int,
              on_result: Callable[[SubmissionResult], None] | None) -> list[SubmissionResult]:
    """The pool as it was before the speed work (MCALC_TUTOR_OLD_PATH=1): one result object per message."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm) as pool:
        results = []
        for result in pool.map(partial(_in_worker, grade), paths, chunksize=max(1, len(paths) // (jobs * 8))):
            results.append(result)
            if on_result:
                on_result(result)
        return results


PREFETCH_MIN = 8
"""Below this many submissions per worker, the workers just grade (the prefetch would not pay)."""
PREFETCH_SHARE = 4
"""The prefetch reads one submission in this many: distinct answers are few and repeat early."""


@dataclass(frozen=True)
class _Plan:
    """What decides a submission's variants: the exercises asked for, or the assignment's seeds."""

    exercises: list[str] | None
    assignment: Assignment | None
    key: bytes | None
    roster: Roster | None


def _prefetch(pool: Executor, paths: Sequence[Path], jobs: int, plan: _Plan, cache: PartCache) -> None:
    """Before the grading workers fork: build the variants of a sample of the batch and check its
    distinct math answers once each, spread over the workers by (exercise, seed), and keep both in
    this process (the variants in content.variants' cache, the results in `cache`). Otherwise every
    worker builds every variant (sympy, in the generators) and checks every distinct answer itself.
    Only a warm-up: what the sample missed, or reads differently here than the grader does, the
    workers build and check when they meet it, with the same result."""
    from ..content.loader import load_bank
    from ..content.variants import remember_variants

    sample = list(paths[::PREFETCH_SHARE])
    per = max(1, len(sample) // (jobs * 2))
    groups: dict[tuple[str, int], set[tuple[str, str]]] = {}
    for answers in pool.map(partial(_read_answers, plan), [sample[i:i + per] for i in range(0, len(sample), per)]):
        for exercise_id, seed, part_name, answer in answers:
            groups.setdefault((exercise_id, seed), set()).add((part_name, answer))
    todo = sorted((ex_id, seed, sorted(given)) for (ex_id, seed), given in groups.items())
    per = max(1, len(todo) // (jobs * 4))
    bank = load_bank()
    for variants, checked in pool.map(_check_group, [todo[i:i + per] for i in range(0, len(todo), per)]):
        remember_variants(bank, variants)
        cache.prefill(checked)


def _read_answers(plan: _Plan, paths: list[Path]) -> list[tuple[str, int, str, str]]:
    """(exercise, seed, part, answer text) of every answer these submissions give that the grader
    may check as math: the seed as grader.grade_path or grade_assigned draws it."""
    out = []
    for path in paths:
        try:
            sub = read_submission(path)
            if sub.error is not None:
                continue
            if plan.assignment is not None:
                known = plan.roster.find(sub.student) if plan.roster is not None else None
                seed = plan.assignment.seed_for(known.id if known is not None else sub.student, plan.key)
                wanted = list(plan.assignment.exercise_ids)
            else:
                seed, wanted = sub.seed, list(plan.exercises or sub.answers)
            for exercise_id in wanted:
                given = sub.answers.get(exercise_id)
                for part_name, answer in given.items() if isinstance(given, dict) else ():
                    if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
                        continue
                    if isinstance(part_name, str) and str(answer).strip():
                        out.append((exercise_id, seed, part_name, str(answer)))
        except Exception:  # noqa: BLE001 - a warm-up only: the grader reports whatever is wrong here
            continue
    return out


def _check_group(todo: list[tuple[str, int, list[tuple[str, str]]]]) -> tuple[list, list[tuple[tuple, PartResult]]]:
    """For each (exercise, seed, answers): the variant, and each answer's result as the grader gives
    it (grader._check_math, keyed as grader._grade_exercise keys it). A check that raises is left to
    the grader, which reports it on the submission."""
    from ..content.loader import load_bank
    from ..content.variants import make_variant

    bank = load_bank()
    variants, out = [], []
    with batch_grading():
        for exercise_id, seed, given in todo:
            ex = bank.get(exercise_id)
            if ex is None:
                continue
            try:
                variant = make_variant(ex, seed)
            except Exception:  # noqa: BLE001
                continue
            variants.append(variant)
            key = _variant_key(ex, variant)
            for part_name, answer in given:
                part = variant.part(part_name)
                if part is None or part.kind == "code":
                    continue
                try:
                    out.append(((key, part.name, answer), _check_math(ex, variant, part, answer)))
                except Exception:  # noqa: BLE001
                    continue
    return variants, out


def _adopt(cache: PartCache | None) -> None:
    """A worker of the grading pool: the cache the prefetch filled (inherited when forked)."""
    global _worker_cache
    if cache is not None:
        _worker_cache = cache
    elif _worker_cache is None:
        _worker_cache = PartCache()


def _warm() -> None:
    """Each worker loads the bank once, before its first submission, and starts its cache."""
    global _worker_cache
    from ..content.loader import load_bank

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
    return f"unknown exercise id(s): {', '.join(unknown)}" if unknown else None
