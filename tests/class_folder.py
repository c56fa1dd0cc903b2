"""A synthetic class folder: N submissions answering every math part of some exercises with a mix
of right answers, listed mistakes, other wrong answers and unreadable text (seeded: the same folder
every run). Shared by tests/bench/grading_throughput.py, test_speed_identical.py and test_shard.py.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant


def _right(part) -> str:
    if part.kind == "points":
        return "; ".join(f"{p['at']} {p['type']}" for p in part.answer)
    return str(part.answer)


def _wrong(part, rng: random.Random) -> str:
    if part.mistakes:
        return rng.choice(part.mistakes).answer
    if part.kind == "choice":
        return "a" if str(part.answer) != "a" else "b"
    if part.kind == "points":
        return "(0, 0) saddle"
    return f"2*({part.answer})"


def synthesize(n: int, folder: Path, *, exercises: int | None = None, seeds: int = 7,
               rng_seed: int = 1234) -> list[Path]:
    """Write n submissions s0000.toml … into `folder` (the first `exercises` exercises of the bank
    with a math part, or all of them); returns their paths."""
    bank = load_bank()
    chosen = [ex for ex in bank.exercises if any(p.kind != "code" for p in ex.parts)][:exercises]
    rng = random.Random(rng_seed)
    paths = []
    for i in range(n):
        seed = i % seeds
        lines = ["[meta]", f'student = "s{i:04d}"', f"seed = {seed}", ""]
        for ex in chosen:
            body = []
            for part in make_variant(ex, seed).parts:
                if part.kind == "code":
                    continue
                roll = rng.random()
                answer = _right(part) if roll < 0.6 else (_wrong(part, rng) if roll < 0.9 else "((x +")
                body.append(f"{part.name} = {json.dumps(answer, ensure_ascii=False)}")
            lines += [f"[answers.{ex.id}]", *body, ""]
        path = folder / f"s{i:04d}.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths
