"""Grading a class folder on many machines: each shard grades a fixed 1/N of the submissions,
and merging the shards' JSON results gives the same results as grading the folder in one go.

A submission's shard is a hash of its path relative to the folder given on the command line, so
it depends neither on the file system's listing order nor on the machine that lists it. Merging
restores the one-go order (submissions sorted by path, as `find_submissions` returns them) and
re-marks duplicate students across all shards, so every report format comes out byte-identical.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from .grader import PartResult, SubmissionResult

__all__ = ["ShardError", "parse_shard", "shard_of", "select_shard", "merge_results"]


class ShardError(ValueError):
    """A --shard value or a --merge file that cannot be used; the message says which and why."""


def parse_shard(text: str) -> tuple[int, int]:
    """"K/N" (1 ≤ K ≤ N) → (K, N)."""
    k_text, sep, n_text = text.partition("/")
    try:
        k, n = int(k_text), int(n_text)
    except ValueError:
        k = n = 0
    if not sep or n < 1 or not 1 <= k <= n:
        raise ShardError(f"--shard {text!r}: expected K/N with 1 ≤ K ≤ N (e.g. 2/8)")
    return k, n


def shard_of(path: Path, roots: Sequence[str], n: int) -> int:
    """The shard (1…n) of a submission: a hash of its path relative to the PATH argument holding it."""
    name = path.as_posix()
    for raw in roots:
        root = Path(raw)
        if path == root or root in path.parents:
            name = path.relative_to(root).as_posix()
            break
    digest = hashlib.blake2b(name.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n + 1


def select_shard(paths: Sequence[Path], roots: Sequence[str], k: int, n: int) -> list[Path]:
    """The submissions of shard k of n, in their given order."""
    return [p for p in paths if shard_of(p, roots, n) == k]


def merge_results(files: Sequence[Path]) -> list[SubmissionResult]:
    """The results in the shards' JSON files (`grade --format json`), in one-go order."""
    results: list[SubmissionResult] = []
    seen: dict[str, Path] = {}
    for file in files:
        for result in _load(file):
            if result.submission in seen:
                raise ShardError(f"{file}: {result.submission} is also in {seen[result.submission]} "
                                 f"(merge each shard once)")
            seen[result.submission] = file
            results.append(result)
    results.sort(key=lambda r: Path(r.submission))
    return results


def _load(file: Path) -> list[SubmissionResult]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ShardError(f"{file}: cannot read it ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ShardError(f"{file}: not a JSON result of `grade --format json` ({exc})") from None
    items = data if isinstance(data, list) else [data]
    try:
        return [_result(item) for item in items]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ShardError(f"{file}: not a JSON result of `grade --format json` (bad entry: {exc!r})") from None


_PART_FIELDS = tuple(f.name for f in dataclasses.fields(PartResult))  # what PartResult.to_json writes


def _result(item: dict) -> SubmissionResult:
    parts = []
    for p in item["parts"]:
        if set(p) != set(_PART_FIELDS):
            raise ValueError(f"part fields {sorted(p)}")
        parts.append(PartResult(**{f: p[f] for f in _PART_FIELDS}))
    warnings = [str(w) for w in item.get("warnings", [])]
    # "status" and the totals are derived (from warnings and parts): recomputed, never trusted
    return SubmissionResult(str(item["submission"]), str(item["student"]), int(item["seed"]), parts,
                            error=item.get("error"), warnings=warnings)
