"""The hostile batch of issue 12: honest students beside every attack, graded with --jobs 2, next to
the same honest students graded alone, in one run. Prints both wall times and the honest scores.

    python tests/bench/hostile_batch.py [--no-bwrap]

The batch is the one tests/test_grader_attacks.py builds, plus an endless loop (which costs its
full timeout). --no-bwrap measures the refusal path (MCALC_TUTOR_NO_BWRAP=1).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mcalc_tutor.grading.runner import NO_BWRAP_ENV, sandbox_mode  # noqa: E402
from test_grader_attacks import CLI, MATH, POWER, REFERENCE, hostile_batch, student  # noqa: E402


def grade(folder: Path, env: dict[str, str]) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    run = subprocess.run([*CLI, "grade", str(folder), "--format", "json", "--jobs", "2"], capture_output=True,
                         text=True, env=env, timeout=900)
    wall = time.perf_counter() - started
    if run.returncode != 0 or "Traceback" in run.stderr:
        raise SystemExit(f"grade failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
    return wall, json.loads(run.stdout)


def main() -> None:
    env = {k: v for k, v in os.environ.items() if k != NO_BWRAP_ENV}
    if "--no-bwrap" in sys.argv:
        env[NO_BWRAP_ENV] = "1"
    mode = "no-bwrap (refusal path)" if NO_BWRAP_ENV in env else sandbox_mode()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        batch, honest, _ = hostile_batch(root / "hostile", os.urandom(6).hex())
        student(batch / "endless", "endless", MATH + POWER,
                {"power_iteration.py": "while True:\n    pass\n" + REFERENCE["power_iteration"]})
        alone = root / "alone"
        for name, path in honest.items():
            shutil.copytree(path.parent, alone / name)
        hostile_wall, hostile_results = grade(batch, env)
        alone_wall, alone_results = grade(alone, env)
    scores = {r["student"]: r["score"] for r in hostile_results}
    print(f"sandbox: {mode}; {os.cpu_count()} CPUs; grade --jobs 2")
    print(f"hostile batch: {len(hostile_results)} submissions ({len(honest)} honest) in {hostile_wall:.1f} s")
    print(f"honest alone:  {len(alone_results)} submissions in {alone_wall:.1f} s")
    print(f"{'student':<10} {'in the batch':>13} {'alone':>7}")
    same = True
    for r in alone_results:
        print(f"{r['student']:<10} {scores[r['student']]:>13g} {r['score']:>7g}")
        same &= scores[r["student"]] == r["score"]
    print("honest scores unchanged" if same else "HONEST SCORES CHANGED")


if __name__ == "__main__":
    main()
