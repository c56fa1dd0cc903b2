"""Grading throughput: N synthetic full-chapter submissions (every non-code part of the bank; a
mix of right, wrong and invalid answers) graded at --jobs 1 and --jobs 2, plus the per-part p95.

    python tests/bench/grading_throughput.py [N]        (default N = 200; the goal is stated for 1000)

Goal (issue 6): 1,000 full-chapter math submissions in <= 60 s on a 2-core machine.
"""
from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.grading.batch import grade_many


def _right(part) -> str:
    if part.kind == "points":
        return "; ".join(f"{p['at']} {p['type']}" for p in part.answer)
    return str(part.answer)


def _wrong(part, rng) -> str:
    if part.mistakes:
        return rng.choice(part.mistakes).answer
    if part.kind == "choice":
        return "a" if str(part.answer) != "a" else "b"
    if part.kind == "points":
        return "(0, 0) saddle"
    return f"2*({part.answer})"


def synthesize(n: int, folder: Path) -> list[Path]:
    bank = load_bank()
    rng = random.Random(1234)
    paths = []
    for i in range(n):
        seed = i % 7
        lines = ["[meta]", f'student = "s{i:04d}"', f"seed = {seed}", ""]
        for ex in bank.exercises:
            variant = make_variant(ex, seed)
            body = []
            for part in variant.parts:
                if part.kind == "code":
                    continue
                roll = rng.random()
                answer = _right(part) if roll < 0.6 else (_wrong(part, rng) if roll < 0.9 else "((x +")
                body.append(f"{part.name} = {json.dumps(answer, ensure_ascii=False)}")
            if body:
                lines += [f"[answers.{ex.id}]", *body, ""]
        path = folder / f"s{i:04d}.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def per_part_latency(paths: list[Path]) -> list[float]:
    """Time each part check in-process over one submission's worth of answers (warm caches)."""
    import tomllib

    bank = load_bank()
    data = tomllib.loads(paths[0].read_text(encoding="utf-8"))
    times = []
    for _ in range(2):  # first pass warms the caches; keep the second
        times = []
        for ex_id, parts in data["answers"].items():
            variant = make_variant(bank.get(ex_id), data["meta"]["seed"])
            for name, answer in parts.items():
                part = variant.part(name)
                start = time.perf_counter()
                check_part(variant, part, answer)
                times.append(time.perf_counter() - start)
    return sorted(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    bank = load_bank()
    parts = sum(1 for e in bank.exercises for p in e.parts if p.kind != "code")
    with tempfile.TemporaryDirectory() as tmp:
        paths = synthesize(n, Path(tmp))
        print(f"{n} submissions × {parts} math parts ({len(bank.exercises)} exercises)")
        lat = per_part_latency(paths)
        p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
        print(f"per-part check: p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, max {lat[-1] * 1000:.1f} ms")
        rates = {}
        for jobs in (1, 2):
            start = time.perf_counter()
            results = grade_many(paths, None, jobs)
            elapsed = time.perf_counter() - start
            rates[jobs] = n / elapsed
            graded = sum(len(r.parts) for r in results)
            print(f"--jobs {jobs}: {elapsed:.2f} s for {n} submissions ({graded} parts): "
                  f"{rates[jobs]:.1f} submissions/s → 1000 submissions in {1000 / rates[jobs]:.0f} s")
        print(f"speed-up jobs 2 / jobs 1: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
