"""How fast hostile and broken answers are refused: the 1 s goal that tests/test_bad_input.py
only guards with a generous safety net (a test suite on a busy machine cannot time anything).

Run:  .venv/bin/python tests/bench/bad_input_latency.py [--repeat R] [--no-command]

For every input of tests/test_bad_input.BAD_INPUTS it prints the in-process `check_answer` time
(median of R) and the `mcalc-tutor equiv` process time, each next to a baseline measured in the
same run — an ordinary, well-formed answer to the same question — as a ratio. Goal: every refusal
within 1 s, in process and as a command. It prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

from mcalc_tutor.checking.equivalence import check_answer  # noqa: E402
from mcalc_tutor.mathlang import parse_declarations  # noqa: E402
from test_bad_input import ARGV_LIMIT, BAD_INPUTS, EXPECTED, NOT_IN_ARGV, SYMBOLS, _argv, _command  # noqa: E402

GOAL_S = 1.0
ORDINARY = "y + A x"


def in_process(answer: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        check_answer(EXPECTED, answer, parse_declarations(SYMBOLS))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def as_command(answer: str | bytes, repeat: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as cwd:
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([*_command(), "equiv", EXPECTED, answer, "--symbols", SYMBOLS], cwd=cwd,
                           capture_output=True, timeout=60)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-command", action="store_true", help="skip the process timings")
    args = ap.parse_args()

    in_process(ORDINARY, 2)  # warm-up: imports, numpy code paths
    base_in = in_process(ORDINARY, args.repeat)
    base_cmd = None if args.no_command else as_command(ORDINARY, args.repeat)
    print(f"baseline (ordinary answer {ORDINARY!r}): in process {base_in * 1000:.2f} ms"
          + ("" if base_cmd is None else f", command {base_cmd * 1000:.0f} ms"))
    print(f"{'input':32} {'in-process':>12} {'ratio':>7} {'command':>10} {'ratio':>7}")
    worst_in = worst_cmd = 0.0
    for name, (answer, _words) in BAD_INPUTS.items():
        t_in = in_process(answer, args.repeat)
        worst_in = max(worst_in, t_in)
        line = f"{name[:32]:32} {t_in * 1000:9.2f} ms {t_in / base_in:7.2f}"
        if base_cmd is not None and name not in NOT_IN_ARGV:
            t_cmd = as_command(_argv(answer), args.repeat)
            worst_cmd = max(worst_cmd, t_cmd)
            line += f" {t_cmd * 1000:7.0f} ms {t_cmd / base_cmd:7.2f}"
        print(line)
    print(f"worst in process: {worst_in * 1000:.1f} ms (goal {GOAL_S * 1000:.0f} ms)"
          f"{'' if base_cmd is None else f'; worst command: {worst_cmd * 1000:.0f} ms (goal {GOAL_S * 1000:.0f} ms)'}"
          f"; argv inputs cut to {ARGV_LIMIT} characters")


if __name__ == "__main__":
    main()
