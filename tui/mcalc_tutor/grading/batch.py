"""Grading many submissions at once (in worker processes when asked), and checking an
assignment's exercise ids before any grading starts.

A batch shares one PartCache per process: an answer many students typed is checked once. The
results are the same bytes as grading each submission on its own (tests/test_speed_identical.py,
tests/test_grading_identity.py). A worker sends its results back as a table of its distinct part
results plus, per submission, indices into it: most parts of a class repeat, and unpickling half a
million small objects was a large share of the parent's work at --jobs 2.

With several workers the exercises are shared out, not the submissions (`_by_exercise`): each
worker grades every submission, but only its own exercises, so that the distinct answers of a
class (the largest part of the work: about 7,000 of half a million in the bench) are each checked by
one worker, and each worker makes only its own exercises' variants. Where the exercises cannot be
shared out evenly (a class answering one exercise), or there is no fork, the submissions are.

MCALC_TUTOR_OLD_PATH=1 (old_path) keeps the code path before the speed work reachable, for the
bench and the identity test only.
"""
from __future__ import annotations

import copy
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from functools import partial
from pathlib import Path

from ..checking.equivalence import batch_grading
from .assignment import Assignment
from .grader import INTERNAL_ERROR, PartCache, PartResult, Share, SubmissionResult, grade_assigned, grade_path
from .roster import Roster

OLD_PATH_ENV = "MCALC_TUTOR_OLD_PATH"


def old_path() -> bool:
    """MCALC_TUTOR_OLD_PATH=1: the batch as it was before the speed work (symbolic confirmation in
    batches, one pickled result per submission, the submissions shared out). Only the grading bench
    and tests/test_grading_identity.py set it, to prove both paths give the same bytes."""
    return os.environ.get(OLD_PATH_ENV, "") not in ("", "0")


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
    owners = None
    if "fork" in multiprocessing.get_all_start_methods():
        ids = assignment.exercise_ids if assignment is not None else exercises or _answered(paths[:3])
        owners = share_out(ids, jobs)
    if owners is None:
        return _pool(grade, paths, jobs, on_result)
    return _by_exercise(grade, paths, jobs, owners, on_result)


BALANCE = 1.25
"""Exercises are shared out among the workers only when no worker gets more than this many times
its even share of the parts."""


def share_out(exercise_ids: Sequence[str], jobs: int) -> dict[str, int] | None:
    """{exercise id: worker} giving each worker about the same number of parts (a code part counts as
    twenty math parts), heaviest exercise first; None when that cannot come within BALANCE."""
    from ..content.loader import load_bank

    bank = load_bank()
    weights = {}
    for exercise_id in dict.fromkeys(exercise_ids):
        ex = bank.get(exercise_id)
        weights[exercise_id] = 1 if ex is None else sum(20 if p.kind == "code" else 1 for p in ex.parts) or 1
    total = sum(weights.values())
    if jobs < 2 or not total:
        return None
    loads = [0] * jobs
    owners = {}
    for exercise_id in sorted(weights, key=lambda i: (-weights[i], i)):
        group = loads.index(min(loads))
        owners[exercise_id] = group
        loads[group] += weights[exercise_id]
    return owners if max(loads) <= BALANCE * total / jobs else None


def _answered(paths: Sequence[Path]) -> list[str]:
    """The exercises the first submissions answer: what a class without an exercise list is likely to
    answer throughout (a later submission answering others is still graded, its extra exercises by
    worker 0)."""
    from .submission import read_submission

    return list(dict.fromkeys(i for path in paths for i in read_submission(path).answers))


def _by_exercise(grade: Callable[..., SubmissionResult], paths: Sequence[Path], jobs: int, owners: dict[str, int],
                 on_result: Callable[[SubmissionResult], None] | None) -> list[SubmissionResult]:
    """`jobs` forked workers, worker g grading every submission for the exercises `owners` gives it,
    chunk by chunk; each submission's pieces are merged in order as they arrive. A worker that dies
    (killed, out of memory) leaves its share to this process, so the batch still ends."""
    from ..content.banks import active_banks
    from ..content.loader import load_bank

    load_bank()
    context = multiprocessing.get_context("fork")
    size = max(1, min(64, len(paths) // (jobs * 4)))
    chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
    shares = [Share(group, owners) for group in range(jobs)]
    readers, workers = [], []
    for share in shares:
        reader, writer = context.Pipe(duplex=False)
        worker = context.Process(target=_share_worker, args=(grade, chunks, share, writer, active_banks()),
                                 daemon=True)
        worker.start()
        writer.close()
        readers.append(reader)
        workers.append(worker)
    alive = [True] * jobs
    here: PartCache | None = None
    results: list[SubmissionResult] = []
    try:
        for chunk in chunks:
            pieces = []
            for group, reader in enumerate(readers):
                packed = None
                if alive[group]:
                    try:
                        packed = reader.recv()
                    except (EOFError, OSError):
                        alive[group] = False
                if packed is None:
                    here = here or PartCache(shared=True)
                    packed = _grade_chunk(partial(grade, share=shares[group]), chunk, here)
                pieces.append(list(_unpack(packed)))
            for parts in zip(*pieces, strict=True):
                results.append(_merge(list(parts)))
                if on_result:
                    on_result(results[-1])
    finally:
        for reader in readers:
            reader.close()
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
                worker.join()
    return results


def _share_worker(grade: Callable[..., SubmissionResult], chunks: list[list[Path]], share: Share, writer,
                  banks: tuple[Path, ...]) -> None:
    """A worker of `_by_exercise`: its share of every chunk, sent back packed, chunk by chunk."""
    try:
        _warm(banks)
        for chunk in chunks:
            writer.send(_grade_chunk(partial(grade, share=share), chunk))
    except BaseException:  # noqa: BLE001 - the parent grades what did not arrive
        pass
    finally:
        writer.close()


def _merge(pieces: list[SubmissionResult]) -> SubmissionResult:
    """One submission's result from the workers' pieces: the first piece's, with every piece's parts
    in the submission's order. A piece that failed (an internal error) is the result, as it would
    have been graded in one process."""
    failed = next((p for p in pieces if p.error and p.error.startswith(INTERNAL_ERROR) and not p.parts), None)
    merged = copy.copy(failed or pieces[0])
    merged.seconds = sum(p.seconds for p in pieces)
    if failed is not None:
        return merged
    placed = sorted(((segment, i, part) for i, piece in enumerate(pieces)
                     for segment, part in zip(piece.segments, piece.parts, strict=True)),
                    key=lambda item: (item[0], item[1]))
    merged.parts = [part for _, _, part in placed]
    merged.segments = [segment for segment, _, _ in placed]
    return merged


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
    _worker_cache = PartCache(shared=True)


def _in_worker(grade: Callable[..., SubmissionResult], path: Path) -> SubmissionResult:
    """Grade in a worker process with that worker's cache."""
    return grade(path, cache=_worker_cache)


Packed = tuple[list[tuple], list[tuple[SubmissionResult, list[int] | None]]]
"""(distinct part rows, [(the result without its parts, row indices, or None: parts kept as they are)])."""

_PART_FIELDS = tuple(f.name for f in fields(PartResult))
_LIST_FIELDS = tuple(i for i, f in enumerate(fields(PartResult)) if f.default_factory is list)


def _grade_chunk(grade: Callable[..., SubmissionResult], paths: list[Path], cache: PartCache | None = None) -> Packed:
    """Grade a chunk of submissions in a worker (batch mode: see checking.equivalence.batch_grading)
    with the worker's cache, or `cache`."""
    with batch_grading():
        return _pack([grade(p, cache=cache if cache is not None else _worker_cache) for p in paths])


def _pack(results: list[SubmissionResult]) -> Packed:
    """Each distinct part result once (a row of its field values, lists as tuples), and per submission
    the indices of its parts' rows. A part that is not a plain PartResult travels as it is."""
    index: dict[tuple, int] = {}
    seen: dict[int, int] = {}  # id of a part (a shared cache's result recurs as one object) -> its row
    rows: list[tuple] = []
    out: list[tuple[SubmissionResult, list[int] | None]] = []
    for result in results:
        try:
            indices = []
            for p in result.parts:
                found = seen.get(id(p))
                if found is None:
                    found = seen[id(p)] = _row_index(p, index, rows)
                indices.append(found)
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
