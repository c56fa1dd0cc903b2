"""Hostile and broken answers: each is `invalid` (exit 2) with a one-line reason, without a
traceback, without hanging and without touching the disk — through check_answer and the real
command. The time limit here is a safety net that catches a hang, not a slow machine (the suite
runs under `pytest -n 2` on a busy machine); the 1 s goal is measured by
tests/bench/bad_input_latency.py."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mcalc_tutor.checking.equivalence import check_answer
from mcalc_tutor.mathlang import parse_declarations

SYMBOLS = "A: n×n, x: n, y: n, B: m×n, z: m"
EXPECTED = "A x + y"
TIME_LIMIT = 15.0  # a hang, not a slow machine: see the module docstring
# Linux refuses a single argv string over 128 KiB (MAX_ARG_STRLEN), and no argv can hold a NUL:
# the megabyte reaches the command cut to what the OS allows, and the NUL inputs are checked
# in-process only (the command has no other way to receive them).
ARGV_LIMIT = 120_000
NOT_IN_ARGV = {"NUL byte", "only NUL"}

# name -> (answer, words the reason must contain (any one of each tuple))
BAD_INPUTS: dict[str, tuple[str, tuple]] = {
    "dunder import": ("__import__('os').system('touch pwned')", ()),
    "os.system": ("os.system('touch pwned')", ()),
    "attribute access": ("().__class__", ()),
    "class walk": ("().__class__.__bases__[0].__subclasses__()", ()),
    "lambda": ("lambda: 1", ()),
    "lambda with argument": ("(lambda x: x)(1)", ()),
    "eval": ("eval('1+1')", ("eval",)),
    "exec": ("exec('import os')", ("exec",)),
    "power tower": ("9^9^9^9", (("exponent", "tower"),)),
    "huge power of a sum": ("(x+1)^100000", ("exponent", "100000")),
    "googol exponent": ("x^(10^100)", (("exponent", "tower"),)),
    "huge exponent literal": ("x^99999999999999999999", ("exponent",)),
    "deep nesting": ("(" * 10_000 + "x" + ")" * 10_000, (("long", "nested", "deep"),)),
    "deep nesting within the length limit": ("(" * 900 + "x" + ")" * 900, ("nested",)),
    "deep brackets": ("[" * 500 + "1" + "]" * 500, ("nested",)),
    "deep unary minus": ("-" * 1500 + "x", ("nested",)),
    "deep function calls": ("sin(" * 300 + "x" + ")" * 300, ("nested",)),
    "long chain": ("+".join(["x"] * 900), (("long", "complicated", "chain"),)),
    "one megabyte": ("x+" * 500_000, ("long",)),
    "NUL byte": ("x\x00+y", ("NUL",)),
    "only NUL": ("\x00", ("NUL",)),
    "terminal escape": ("x\x1b[2J+y", ("unexpected",)),
    "unmatched (": ("(A x + y", ("never closed",)),
    "unmatched )": ("A x + y)", ("unmatched",)),
    "unmatched [": ("[1, 2", ("never closed",)),
    "mismatched brackets": ("(A x + y]", ("expected",)),
    "unmatched norm bars": ("||x + y", ("never closed",)),
    "empty": ("", ("empty",)),
    "blank": ("   \t ", ("empty",)),
    "unknown symbol": ("A w + y", ("'w'",)),
    "unknown word": ("A x + foo", ("'foo'",)),
    "non-conformable product": ("A z", ("n×n", "m×1")),
    "non-conformable sum": ("x + z", ("n×1", "m×1")),
    "vector plus row": ("x + y^T", ("n×1", "1×n")),
    "inverse of a non-square matrix": ("B^{-1} z", ("square",)),
    "equation": ("g = A x + y", ("=",)),
    "nabla": ("∇(x^T A x)", ("∇",)),
    "huge literal": ("[" + ",".join(["1"] * 500) + "]", ("literal",)),
    "long number": ("1" * 40, ("number",)),
    "number out of range": ("1e999 x", ("range",)),
    "lone surrogate": ("x + \ud800", ("unexpected",)),
}


def _reason_ok(message: str, words: tuple) -> bool:
    for word in words:
        options = word if isinstance(word, tuple) else (word,)
        if not any(option in message for option in options):
            return False
    return True


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_check_answer_rejects(name):
    answer, words = BAD_INPUTS[name]
    start = time.perf_counter()
    verdict = check_answer(EXPECTED, answer, parse_declarations(SYMBOLS))
    elapsed = time.perf_counter() - start
    assert verdict.status == "invalid", verdict.render()
    assert verdict.exit_code == 2 and verdict.score == 0.0
    assert verdict.message and "\n" not in verdict.message and len(verdict.message) < 300
    assert _reason_ok(verdict.message, words), verdict.message
    assert "Traceback" not in verdict.message
    assert elapsed < TIME_LIMIT, f"{elapsed:.2f}s"
    if verdict.caret:  # the echo never carries control characters to the terminal
        assert all(ch.isprintable() for ch in verdict.caret.replace("\n", ""))


def test_nothing_was_executed_in_process(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for answer, _ in BAD_INPUTS.values():
        check_answer(EXPECTED, answer, parse_declarations(SYMBOLS))
    assert list(tmp_path.iterdir()) == []


def test_unknown_symbols_are_named_with_what_is_declared():
    verdict = check_answer(EXPECTED, "A q + y", parse_declarations(SYMBOLS))
    assert "'q'" in verdict.message and "declared: A, x, y, B, z" in verdict.message


# --- the real command, in a fresh process ---------------------------------------------------------

def _command() -> list[str]:
    exe = shutil.which("mcalc-tutor", path=str(Path(sys.executable).parent)) or shutil.which("mcalc-tutor")
    return [exe] if exe else [sys.executable, "-m", "mcalc_tutor"]


def _argv(answer: str) -> str | bytes:
    if "\ud800" in answer:  # an undecodable byte in argv is what a lone surrogate looks like to a process
        return answer.replace("\ud800", "\udcff").encode("utf-8", "surrogateescape")
    return answer[:ARGV_LIMIT]


def _run(tmp_path: Path, *args: str | bytes) -> tuple[subprocess.CompletedProcess, float]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
           "MCALC_TUTOR_HOME": str(home / "mcalc"), "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    proc = subprocess.run([*_command(), "equiv", *args], cwd=tmp_path / "cwd", env=env, capture_output=True,
                          text=True, errors="surrogateescape", timeout=60)
    return proc, time.perf_counter() - start


@pytest.fixture
def sandbox(tmp_path):
    (tmp_path / "cwd").mkdir()
    yield tmp_path
    assert list((tmp_path / "cwd").iterdir()) == [], "the command left files in its working directory"
    assert [p for p in (tmp_path / "home").rglob("*")] == [], "the command wrote into HOME"


def _is_caret_block(lines: list[str]) -> bool:
    """The optional two lines after the reason: the input echoed (≤ 80 columns) and a caret under it."""
    if not lines:
        return True
    return (len(lines) == 2 and len(lines[0]) <= 80 and lines[1].strip() == "^"
            and all(ch.isprintable() for ch in lines[0]))


@pytest.mark.parametrize("name", [name for name in BAD_INPUTS if name not in NOT_IN_ARGV])
def test_command_rejects(name, sandbox):
    proc, elapsed = _run(sandbox, EXPECTED, _argv(BAD_INPUTS[name][0]), "--symbols", SYMBOLS)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.rstrip("\n").split("\n")
    assert lines[0].startswith("invalid: ") and len(lines[0]) > len("invalid: ") + 3, proc.stderr
    assert _is_caret_block(lines[1:]), proc.stderr
    assert proc.stdout == ""
    assert elapsed < TIME_LIMIT, f"{elapsed:.2f}s"


def test_command_json_for_bad_input(sandbox):
    proc, _ = _run(sandbox, EXPECTED, "__import__('os').system('touch pwned')", "--symbols", SYMBOLS, "--json")
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    assert data["status"] == "invalid" and data["score"] == 0.0 and data["message"]
    assert proc.stderr.strip() and "\n" not in proc.stderr.strip() and "Traceback" not in proc.stderr


def test_command_bad_declarations(sandbox):
    proc, _ = _run(sandbox, "x", "x", "--symbols", "x: n banana")
    assert proc.returncode == 2 and "banana" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_command_bad_expected_is_an_error_not_a_crash(sandbox):
    proc, _ = _run(sandbox, "x +", "x", "--symbols", "x: n")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.strip()


def test_command_takes_answers_that_start_with_a_minus(sandbox):
    proc, _ = _run(sandbox, "-2x", "-x-x", "--symbols", "x: n")
    assert proc.returncode == 0, proc.stderr


def test_command_still_answers_ordinary_questions(sandbox):
    """The same harness sees exit 0 and 1: the rejections above are not an artefact of it."""
    right, _ = _run(sandbox, "2*A*x", "2Ax", "--symbols", "A: n×n symmetric, x: n")
    wrong, _ = _run(sandbox, "(A+A^T)x", "2Ax", "--symbols", "A: n×n, x: n")
    assert (right.returncode, wrong.returncode) == (0, 1), (right.stderr, wrong.stderr)
