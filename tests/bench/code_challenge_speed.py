"""Seconds per code-challenge submission, goal ≤ 3 s: prints figures, asserts nothing.

    python tests/bench/code_challenge_speed.py [--repeat N] [--mode bwrap|rlimits]

Each challenge's reference solution and untouched stub are graded N times through the real
runner (sandbox start, hidden tests, judging); the first call of the process also pays for
detecting the sandbox and is reported apart.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from mcalc_tutor._toml import tomllib
from mcalc_tutor.grading.runner import run_challenge, sandbox_status

ROOT = Path(__file__).resolve().parents[2]
GOAL = 3.0


def code_parts() -> dict[str, tuple[Path, Path]]:
    parts = {}
    for path in sorted((ROOT / "exercises").glob("*/*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for part in data.get("parts", []):
            if part.get("kind") == "code":
                parts[part["challenge"]] = (path.parent / part["stub"],
                                            ROOT / "solutions" / path.parent.name / part["reference"])
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mode", choices=["bwrap", "rlimits"], default=None)
    args = parser.parse_args(argv)

    detected, reason = sandbox_status()
    mode = args.mode or detected
    print(f"sandbox: {mode}" + (f" (bwrap unavailable: {reason})" if reason else ""))
    parts = code_parts()
    first = next(iter(parts))
    started = time.perf_counter()
    run_challenge(first, {parts[first][1].name: parts[first][1].read_text()}, mode=mode)
    print(f"first submission of the process (includes sandbox detection): {time.perf_counter() - started:.2f} s")
    print(f"{'challenge':18s} {'submission':10s} {'score':>7s} {'mean s':>7s} {'max s':>7s}")
    worst = 0.0
    every = []
    for challenge, (stub, reference) in parts.items():
        for label, path in (("reference", reference), ("stub", stub)):
            files = {path.name: path.read_text(encoding="utf-8")}
            times, result = [], None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                result = run_challenge(challenge, files, mode=mode)
                times.append(time.perf_counter() - t0)
            worst = max(worst, max(times))
            every += times
            print(f"{challenge:18s} {label:10s} {result.score:3g}/{result.max_score:<3g} "
                  f"{statistics.mean(times):7.2f} {max(times):7.2f}")
    print(f"all submissions: mean {statistics.mean(every):.2f} s, worst {worst:.2f} s "
          f"(goal ≤ {GOAL:g} s: {'met' if worst <= GOAL else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
