"""Grading throughput (issue 15): N synthetic full-chapter submissions (every non-code part of the
bank; a mix of right, wrong and invalid answers, 7 variants) graded in one run:

- per part, as the app checks one answer (no verdict cache; the expected answers warm): p50/p95;
- per part inside a batch (the batch's PartCache: repeated answers are looked up): p50/p95/mean;
- the whole batch, grade_many at --jobs 1 and --jobs 2, each in a fresh process, on the new and the
  old path (interleaved, so that the machine's load hits both alike): wall time, CPU time (of the
  process and its workers) and the new/old ratios; `grade FOLDER --format csv --jobs 2` end to end;
- byte identity: the four runs' results as `--format json`, compared byte for byte;
- the Gradescope model: one fresh process per submission (`grade FILE --format gradescope`), which
  is also the time to grade one submission cold, and its ratio to the batch's cost per submission;
- optionally (--compare M) the first M submissions graded by the code of a git ref too (a
  `git worktree` of --against, in a child process), compared byte for byte.

    python tests/bench/grading_throughput.py [N] [--compare M] [--gradescope G] [--against REF]

Goals on a 2-core machine: 1000 submissions in <= 15 s at --jobs 2, per-part p50 <= 0.06 ms.
The machine's load average is printed before and after: on a shared machine the wall times are
noisy; the CPU times and the new/old ratios, measured in the same run, much less so.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for class_folder

from class_folder import synthesize  # noqa: E402
from mcalc_tutor._toml import tomllib
from mcalc_tutor.checking.equivalence import batch_grading  # noqa: E402
from mcalc_tutor.content.answers import check_part  # noqa: E402
from mcalc_tutor.content.loader import load_bank  # noqa: E402
from mcalc_tutor.content.variants import make_variant  # noqa: E402
from mcalc_tutor.grading.batch import OLD_PATH_ENV, grade_many  # noqa: E402
from mcalc_tutor.grading.grader import PartCache, _variant_key  # noqa: E402
from mcalc_tutor.grading.reports import json_report  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def _quantiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return times[len(times) // 2], times[int(len(times) * 0.95)]


def per_part_uncached(path: Path) -> list[float]:
    """Each part of one submission checked as the app checks it (second pass: expected answers warm)."""
    bank = load_bank()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    times: list[float] = []
    for _ in range(2):
        times = []
        for ex_id, parts in data["answers"].items():
            variant = make_variant(bank.get(ex_id), data["meta"]["seed"])
            for name, answer in parts.items():
                part = variant.part(name)
                start = time.perf_counter()
                check_part(variant, part, answer)
                times.append(time.perf_counter() - start)
    return times


def per_part_in_batch(paths: list[Path]) -> tuple[list[float], PartCache]:
    """Each math part of every submission through one PartCache, as a batch grades it."""
    bank = load_bank()
    cache = PartCache()
    times = []
    with batch_grading():
        for path in paths:
            _batch_times(path, bank, cache, times)
    return times, cache


def _batch_times(path: Path, bank, cache: PartCache, times: list[float]) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for ex_id, parts in data["answers"].items():
        ex = bank.get(ex_id)
        variant = make_variant(ex, data["meta"]["seed"])
        key = _variant_key(ex, variant)
        for name, answer in parts.items():
            part = variant.part(name)
            start = time.perf_counter()
            cache.result((key, name, answer), ex, variant, part, answer)
            times.append(time.perf_counter() - start)


def gradescope_model(paths: list[Path]) -> list[float]:
    """One fresh process per submission, as Gradescope runs the autograder."""
    times = []
    for path in paths:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mcalc_tutor", "grade", str(path), "--format", "gradescope"],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def graded_by(ref: str, folder: Path, tmp: Path) -> str:
    """`grade FOLDER --format json` by the code of git ref `ref` (a detached worktree of it)."""
    tree = tmp / "ref-tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree), ref], check=True)
    try:
        env = {**os.environ, "PYTHONPATH": str(tree / "tui")}
        which = subprocess.run([sys.executable, "-c", "import mcalc_tutor; print(mcalc_tutor.__file__)"],
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        assert which.startswith(str(tree)), f"the child imported {which}, not {ref}'s code"
        run = subprocess.run([sys.executable, "-m", "mcalc_tutor", "grade", str(folder), "--format", "json",
                              "--jobs", "2"], env=env, capture_output=True, text=True, check=True)
        return run.stdout
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _batch_in_child(folder: Path, jobs: int, tmp: Path, old: bool = False) -> tuple[float, float, str]:
    """grade_many(folder, jobs) timed in a fresh process (bank loaded first, as `grade` does), on the
    old path or this one; returns the wall seconds, the CPU seconds of the process and its workers,
    and the results as `--format json`."""
    out = tmp / f"jobs{jobs}{'-old' if old else ''}.json"
    env = {k: v for k, v in os.environ.items() if k != OLD_PATH_ENV}
    if old:
        env[OLD_PATH_ENV] = "1"
    cpu = _children_cpu()
    run = subprocess.run([sys.executable, __file__, "--child", str(folder), str(jobs), str(out)],
                         check=True, capture_output=True, text=True, env=env)
    return float(run.stdout), _children_cpu() - cpu, out.read_text(encoding="utf-8")


def _child(folder: str, jobs: str, out: str) -> None:
    load_bank()
    paths = sorted(Path(folder).glob("*.toml"))
    start = time.perf_counter()
    results = grade_many(paths, None, int(jobs))
    elapsed = time.perf_counter() - start
    for r in results:
        r.seconds = 0.0
    Path(out).write_text(json_report(results), encoding="utf-8")
    print(elapsed)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1000)
    ap.add_argument("--compare", type=int, default=0, metavar="M", help="submissions graded by --against too")
    ap.add_argument("--against", default="main", metavar="REF", help="the git ref whose verdicts must be matched")
    ap.add_argument("--gradescope", type=int, default=10, metavar="G", help="submissions run one process each")
    args = ap.parse_args()
    n = args.n
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; other work on the machine slows every figure)")
    bank = load_bank()
    parts = sum(1 for e in bank.exercises for p in e.parts if p.kind != "code")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "class"
        folder.mkdir()
        paths = synthesize(n, folder)
        print(f"{n} submissions × {parts} math parts ({len(bank.exercises)} exercises)")

        uncached = per_part_uncached(paths[0])  # its second pass: expected answers and imports warm
        p50, p95 = _quantiles(uncached)
        print(f"per part, one answer checked as the app checks it (no verdict cache): "
              f"p50 {_ms(p50)}, p95 {_ms(p95)}, mean {_ms(statistics.fmean(uncached))}")
        times, cache = per_part_in_batch(paths)
        p50, p95 = _quantiles(times)
        misses = len(times) - cache.hits
        print(f"per part in a batch of {n}: p50 {_ms(p50)}, p95 {_ms(p95)}, mean {_ms(statistics.fmean(times))} "
              f"({misses} distinct answers checked, {cache.hits} looked up)")

        runs: dict[tuple[int, bool], tuple[float, float, str]] = {}
        for jobs in (1, 2):  # a fresh process each (cold caches); old and new back to back
            for old in (True, False):
                runs[jobs, old] = _batch_in_child(folder, jobs, tmp, old)
                wall, cpu, _ = runs[jobs, old]
                print(f"grade_many --jobs {jobs}, {'old' if old else 'new'} path: {wall:.2f} s wall, {cpu:.2f} s CPU "
                      f"for {n} submissions ({n * parts} parts) → 1000 submissions in {1000 * wall / n:.1f} s "
                      f"(load average {os.getloadavg()[0]:.2f})")
            (wo, co, _), (wn, cn, _) = runs[jobs, True], runs[jobs, False]
            print(f"  --jobs {jobs} new/old: wall {wn / wo:.2f}, CPU {cn / co:.2f}")
        rates = {jobs: n / runs[jobs, False][0] for jobs in (1, 2)}
        print(f"speed-up jobs 2 / jobs 1 (new path): {rates[2] / rates[1]:.2f}x wall; "
              f"old path: {runs[1, True][0] / runs[2, True][0]:.2f}x")
        outputs = {k: v[2] for k, v in runs.items()}
        same = len(set(outputs.values())) == 1
        print(f"byte identity, old and new path at --jobs 1 and 2 ({len(outputs[1, True])} bytes of JSON each): {same}")
        if not same:
            sys.exit(1)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mcalc_tutor", "grade", str(folder), "--format", "csv", "--jobs", "2",
                        "--out", str(tmp / "grades.csv")], check=True)
        print(f"`mcalc-tutor grade FOLDER --jobs 2 --format csv` end to end: {time.perf_counter() - start:.2f} s")

        if args.gradescope:
            cold = gradescope_model(paths[:args.gradescope])
            per = statistics.median(cold)
            print(f"Gradescope model (one process per submission, {len(cold)} runs): median {per:.2f} s, "
                  f"max {max(cold):.2f} s per submission = the time to grade one submission cold; "
                  f"{per * rates[2]:.0f}x the batch's cost per submission at --jobs 2")

        if args.compare:
            sample = tmp / "sample"
            sample.mkdir()
            for p in paths[:args.compare]:
                shutil.copy(p, sample / p.name)
            theirs = graded_by(args.against, sample, tmp)
            sample_paths = sorted(sample.glob("*.toml"))
            mine = grade_many(sample_paths, None, 2)
            same = json_report(mine) == theirs
            print(f"identical to {args.against}'s code on {len(sample_paths)} submissions "
                  f"({len(theirs)} bytes of JSON): {same}")
            if not same:
                sys.exit(1)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
