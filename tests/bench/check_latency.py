"""Latency of the equivalence check on the whole case table (tests/equivalence_cases.py), against
the naive baseline `sympy.simplify(sympify(a) - sympify(b)) == 0` on the same pairs, and the cold
start of one `mcalc-tutor equiv` process against a bare `python -c "import sympy"`.

Run:  /work/venv/bin/python tests/bench/check_latency.py [--repeat R] [--timeout S] [--cold N]

It prints figures and asserts nothing. Goals: p95 <= 20 ms per check (warm), >= 10x faster than
the baseline at p95, 100% agreement with the table, cold-start ratio <= 1.2; for derivations
(checking/steps.py): a six-line derivation checked warm p95 <= 30 ms, the preview of one line
p95 <= 5 ms (`--steps-only` prints just these).

"Warm" means the process has imported everything and run the table once; each timed check still
starts from an empty reference cache (the expected answer is parsed and sampled again), which is
what the first learner answer to a part costs. The repeat-answer figure, with the expected answer
cached as the app and grader have it, is printed too.

The baseline runs in a child process (sympify evaluates its input with eval, and simplify can run
for minutes), one pair at a time under a time limit; the child is replaced when a pair times out.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

from equivalence_cases import CASES, CORRECT, INCORRECT, INVALID  # noqa: E402
from mcalc_tutor.checking import equivalence  # noqa: E402
from mcalc_tutor.checking.equivalence import Mistake, check_answer  # noqa: E402
from mcalc_tutor.mathlang import parse_declarations  # noqa: E402

GOAL_P95_MS = 20.0
GOAL_SPEEDUP = 10.0
GOAL_COLD_RATIO = 1.2
GOAL_STEPS_P95_MS = 30.0
GOAL_PREVIEW_P95_MS = 5.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values_ms: list[float]) -> str:
    return (f"p50 {percentile(values_ms, 0.5):8.2f} ms   p95 {percentile(values_ms, 0.95):8.2f} ms   "
            f"max {max(values_ms):8.2f} ms   (n={len(values_ms)})")


# --- the engine, in process ------------------------------------------------------------------------

def run_case(case):
    return check_answer(case.expected, case.answer, parse_declarations(case.symbols), layout=case.layout,
                        mistakes=[Mistake(a, f) for a, f in case.mistakes])


def agrees(case, verdict) -> bool:
    return verdict.status == case.status and (case.status != INCORRECT or tuple(verdict.codes) == case.codes)


def measure_engine(repeat: int) -> tuple[list[float], list[float], list[bool]]:
    for case in CASES:  # warm-up: imports (sympy for symbolic confirmation), numpy code paths
        run_case(case)
    cold_ref = [[] for _ in CASES]
    cached_ref = [[] for _ in CASES]
    agreement = [True] * len(CASES)
    for _ in range(repeat):
        for i, case in enumerate(CASES):
            equivalence._cached_reference.cache_clear()
            start = time.perf_counter()
            verdict = run_case(case)
            cold_ref[i].append((time.perf_counter() - start) * 1000)
            agreement[i] = agreement[i] and agrees(case, verdict)
            start = time.perf_counter()
            run_case(case)
            cached_ref[i].append((time.perf_counter() - start) * 1000)
    # the median of the repeats per check, so one scheduler hiccup does not count as a slow check
    return ([statistics.median(t) for t in cold_ref], [statistics.median(t) for t in cached_ref], agreement)


# --- derivations ------------------------------------------------------------------------------------

DERIVATIONS = {  # six lines each, as a learner writes them (one with a slip: diagnostics run too)
    "d(xᵀAx), right": ["f = x^T A x", "d f = d(x^T A x)", "= dx^T A x + x^T A dx", "= x^T A^T dx + x^T A dx",
                        "= x^T (A + A^T) dx", "∇f = (A + A^T) x"],
    "d(xᵀAx), a slip": ["f = x^T A x", "d f = d(x^T A x)", "= dx^T A x + x^T A dx", "= x^T A dx + x^T A dx",
                         "= 2 x^T A dx", "∇f = 2 A^T x"],
    "log det, right": ["f = ln det(X^T X)", "d f = tr((X^T X)^{-1} d(X^T X))",
                       "= tr((X^T X)^{-1} (dX^T X + X^T dX))", "= 2 tr((X^T X)^{-1} X^T dX)",
                       "= 2 tr(X^{-1} dX)", "∂f/∂X = 2 X^{-T}"],
}


def measure_steps(repeat: int) -> tuple[list[float], list[float], list[float]]:
    """Per derivation check: warm (the app re-checking after an edit: every line's reference is
    cached but the new one), first check of the lines (empty reference cache); per line preview."""
    from mcalc_tutor.checking.steps import check_steps, preview_line
    from mcalc_tutor.mathlang import parse_differentials

    symbols = parse_differentials("x: dx, X: dX", parse_declarations("x: n, A: n×n, X: n×n invertible"))
    for lines in DERIVATIONS.values():
        check_steps(lines, symbols, expected=None)
    warm, first, preview = [], [], []
    for _ in range(repeat):
        for lines in DERIVATIONS.values():
            for _ in range(5):
                start = time.perf_counter()
                check_steps(lines, symbols)
                warm.append((time.perf_counter() - start) * 1000)
            equivalence._cached_reference.cache_clear()
            start = time.perf_counter()
            check_steps(lines, symbols)
            first.append((time.perf_counter() - start) * 1000)
            for line in lines:
                start = time.perf_counter()
                preview_line(line, symbols)
                preview.append((time.perf_counter() - start) * 1000)
    return warm, first, preview


def report_steps(repeat: int) -> None:
    warm, first, preview = measure_steps(repeat)
    print(f"\nderivations ({len(DERIVATIONS)} of six lines; checking/steps.py)")
    print(f"  six-line derivation, warm         : {summary(warm)}")
    print(f"  six-line derivation, first check  : {summary(first)}")
    print(f"  preview of one line               : {summary(preview)}")
    p95, p95_preview = percentile(warm, 0.95), percentile(preview, 0.95)
    print(f"  goal: derivation p95 (warm) <= {GOAL_STEPS_P95_MS:g} ms : {p95:.2f} ms  "
          f"{'met' if p95 <= GOAL_STEPS_P95_MS else 'NOT met'}")
    print(f"  goal: preview p95 <= {GOAL_PREVIEW_P95_MS:g} ms           : {p95_preview:.2f} ms  "
          f"{'met' if p95_preview <= GOAL_PREVIEW_P95_MS else 'NOT met'}")


# --- the naive baseline, in a child process -------------------------------------------------------

def _baseline_worker(conn) -> None:
    os.chdir(tempfile.mkdtemp(prefix="naive-baseline-"))
    import sympy

    warnings.simplefilter("ignore")  # sympy's deprecation chatter (after the import: sympy adds its own filter)

    while True:
        pair = conn.recv()
        if pair is None:
            return
        a, b = pair
        start = time.perf_counter()
        try:
            result = "equal" if sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) == 0 else "different"
        except Exception as exc:  # noqa: BLE001 - any failure means "cannot run at all"
            result = f"error: {type(exc).__name__}"
        conn.send((result, (time.perf_counter() - start) * 1000))


class Baseline:
    def __init__(self, timeout: float):
        self.timeout = timeout
        self.ctx = mp.get_context("spawn")
        self.proc = None
        self.start()

    def start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_baseline_worker, args=(child,), daemon=True)
        self.proc.start()
        self.conn.send(("1", "1"))  # import sympy and warm up before anything is timed
        self.conn.recv()

    def check(self, a: str, b: str) -> tuple[str, float]:
        self.conn.send((a, b))
        if self.conn.poll(self.timeout):
            return self.conn.recv()
        self.proc.kill()
        self.proc.join()
        self.start()
        return "timeout", self.timeout * 1000

    def close(self) -> None:
        self.conn.send(None)
        self.proc.join(5)


def measure_baseline(timeout: float):
    baseline = Baseline(timeout)
    try:
        return [baseline.check(case.expected, case.answer) for case in CASES]
    finally:
        baseline.close()


# --- cold start -----------------------------------------------------------------------------------

def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   cwd=tempfile.gettempdir())
    return time.perf_counter() - start


def measure_cold(runs: int) -> dict[str, list[float]]:
    exe = str(Path(sys.executable).with_name("mcalc-tutor"))
    commands = {
        "python -c 'import sympy'": [sys.executable, "-c", "import sympy"],
        "mcalc-tutor equiv (matrix)": [exe, "equiv", "2*A*x", "2Ax", "--symbols", "A: n×n symmetric, x: n"],
        "mcalc-tutor equiv (scalar)": [exe, "equiv", "sin(x)^2", "1 - cos(x)^2", "--symbols", "x: scalar"],
    }
    for cmd in commands.values():  # warm the OS file cache once; every timed run is a fresh process
        wall(cmd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so a busy moment hits all of them alike
        for name, cmd in commands.items():
            times[name].append(wall(cmd))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the table (median per check)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds allowed per baseline pair")
    parser.add_argument("--cold", type=int, default=7, help="cold-start runs of each command")
    parser.add_argument("--steps-only", action="store_true", help="only the derivation figures")
    args = parser.parse_args()
    if args.steps_only:
        report_steps(max(args.repeat, 5))
        return

    print(f"case table: {len(CASES)} checks "
          f"({sum(c.status == CORRECT for c in CASES)} correct, {sum(c.status == INCORRECT for c in CASES)} "
          f"incorrect, {sum(c.status == INVALID for c in CASES)} invalid); {os.cpu_count()} CPUs")

    first, cached, agreement = measure_engine(args.repeat)
    ok = sum(agreement)
    print("\nengine (in process, warm)")
    print(f"  per check, first answer to a part : {summary(first)}")
    print(f"  per check, expected answer cached : {summary(cached)}")
    print(f"  agreement with the table          : {ok}/{len(CASES)} = {100 * ok / len(CASES):.1f}%")
    for case, good in zip(CASES, agreement, strict=True):
        if not good:
            print(f"    DISAGREES: {case.id}")
    slowest = sorted(zip(first, CASES, strict=True), key=lambda p: -p[0])[:3]
    print("  slowest: " + "; ".join(f"{ms:.1f} ms {c.answer!r}" for ms, c in slowest))

    results = measure_baseline(args.timeout)
    ran = [i for i, (r, _) in enumerate(results) if r in ("equal", "different")]
    errors = sum(r.startswith("error") for r, _ in results)
    timeouts = sum(r == "timeout" for r, _ in results)
    base_ms = [results[i][1] for i in ran]
    said = {i: (CORRECT if results[i][0] == "equal" else INCORRECT) for i in ran}
    base_ok = sum(said[i] == CASES[i].status for i in ran)
    decidable = [i for i in ran if CASES[i].status != INVALID]
    base_ok_decidable = sum(said[i] == CASES[i].status for i in decidable)
    print("\nnaive baseline: sympy.simplify(sympify(a) - sympify(b)) == 0 (child process, warm)")
    print(f"  could run        : {len(ran)}/{len(CASES)} pairs ({errors} raised, {timeouts} timed out "
          f"after {args.timeout:g} s)")
    if base_ms:
        print(f"  per check        : {summary(base_ms)}")
        print(f"  agreement        : {base_ok}/{len(ran)} = {100 * base_ok / len(ran):.1f}% of the pairs it ran "
              f"(invalid rows count as disagreement: it cannot refuse); "
              f"{base_ok_decidable}/{len(decidable)} = {100 * base_ok_decidable / max(1, len(decidable)):.1f}% "
              f"on correct/incorrect rows")
        false_correct = sum(said[i] == CORRECT and CASES[i].status != CORRECT for i in ran)
        false_wrong = sum(said[i] == INCORRECT and CASES[i].status == CORRECT for i in ran)
        print(f"  its mistakes     : {false_correct} wrong or invalid answers called equal, "
              f"{false_wrong} right answers called different")
        ours_same = [first[i] for i in ran]
        with_timeouts = base_ms + [args.timeout * 1000] * timeouts
        ours_all = ours_same + [first[i] for i, (r, _) in enumerate(results) if r == "timeout"]
        print(f"  engine on the same pairs: {summary(ours_same)}")
        speed = percentile(base_ms, 0.95) / percentile(ours_same, 0.95)
        speed_t = percentile(with_timeouts, 0.95) / percentile(ours_all, 0.95)
        print(f"  speed-up at p95  : {speed:.1f}x on the pairs it completed; "
              f"{speed_t:.1f}x counting timeouts at the limit (goal >= {GOAL_SPEEDUP:g}x)")

    times = measure_cold(args.cold)
    print(f"\ncold start (fresh process, median of {args.cold}, min in brackets)")
    base = statistics.median(times["python -c 'import sympy'"])
    for name, values in times.items():
        med = statistics.median(values)
        print(f"  {name:28s}: {med * 1000:7.0f} ms  [{min(values) * 1000:5.0f} ms]   ratio {med / base:4.2f}")

    report_steps(max(args.repeat, 5))

    p95 = percentile(first, 0.95)
    print("\ngoals")
    print(f"  p95 per check (warm) <= {GOAL_P95_MS:g} ms : {p95:.2f} ms  {'met' if p95 <= GOAL_P95_MS else 'NOT met'}")
    if base_ms:
        print(f"  >= {GOAL_SPEEDUP:g}x faster than the baseline at p95 : {speed:.1f}x  "
              f"{'met' if speed >= GOAL_SPEEDUP else 'NOT met'}")
    print(f"  100% agreement with the table : {100 * ok / len(CASES):.1f}%  {'met' if ok == len(CASES) else 'NOT met'}")
    for name in ("mcalc-tutor equiv (matrix)", "mcalc-tutor equiv (scalar)"):
        ratio = statistics.median(times[name]) / base
        print(f"  cold {name[12:]:16s} / import sympy <= {GOAL_COLD_RATIO:g} : {ratio:.2f}  "
              f"{'met' if ratio <= GOAL_COLD_RATIO else 'NOT met'}")


if __name__ == "__main__":
    main()
