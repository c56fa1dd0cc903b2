"""The sandboxed runner against hostile submissions, in both modes where this machine allows.

Each hostile behaviour must give zero for that challenge with a reason, let the run finish, leave
no process behind and write nothing outside the temporary directory. Cases run on the cheapest
challenge (power iteration), appended to its untouched stub or to its reference solution, so a
zero proves the behaviour was caught and not merely that the stub fails.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
import uuid
from pathlib import Path

import pytest

import mcalc_tutor.grading.challenges.power_iteration as hidden_module
from mcalc_tutor.grading import runner
from mcalc_tutor.grading.runner import processes_with, run_challenge, sandbox_mode, sandbox_status

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = (ROOT / "solutions" / "background" / "power_iteration.py").read_text(encoding="utf-8")
STUB = (ROOT / "exercises" / "background" / "power_iteration.py").read_text(encoding="utf-8")

MODES = ["rlimits"] + (["bwrap"] if sandbox_mode() == "bwrap" else [])


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch):  # tmp_path first: pytest makes it with the real temp dir
    """Work dirs of rlimits runs go here, so the test can see that they are gone afterwards.

    Under /tmp and world-traversable, like the default temp dir: a grader running as root hands
    the work dir to the run's own uid, which must be able to reach it.
    """
    runs = Path(tempfile.mkdtemp(prefix="mcalc-test-runs-", dir="/tmp"))
    runs.chmod(0o755)
    monkeypatch.setattr(tempfile, "tempdir", str(runs))
    yield runs
    leftovers = list(runs.iterdir())
    shutil.rmtree(runs, ignore_errors=True)
    assert leftovers == [], "a run left its work directory behind"


def grade(code: str, mode: str, *, base: str = REFERENCE, **kwargs):
    kwargs.setdefault("timeout", 5.0)
    result = run_challenge("power_iteration", {"power_iteration.py": base + "\n" + code}, mode=mode, **kwargs)
    assert result.mode == mode
    assert processes_with(result.run_id) == [], "a process of the submission is still running"
    return result


def assert_zero(result, *words):
    assert result.score == 0, result.tests
    assert result.error, "a zero needs a reason"
    assert all(not t.passed for t in result.tests)
    for word in words:
        assert word in result.error, result.error


def test_sandbox_mode_is_detected_and_cached():
    mode, reason = sandbox_status()
    assert mode in ("bwrap", "rlimits")
    assert (reason is None) == (mode == "bwrap")
    assert sandbox_mode() is sandbox_mode()


def test_reference_passes_and_the_harness_can_tell(mode):
    result = grade("", mode)
    assert result.score == result.max_score == 5
    assert result.error is None
    assert (result.warning is None) == (mode == "bwrap")
    if mode == "rlimits":
        assert "bubblewrap" in result.warning


# ---- hostile behaviour, with the guard on (the normal case) --------------------------------------

def test_endless_loop_is_stopped_by_the_wall_clock(mode):
    started = time.monotonic()
    result = grade("while True:\n    pass\n", mode, timeout=1.5)
    assert time.monotonic() - started < 1.5 + 4
    assert_zero(result, "did not finish within 1.5 s")


def test_endless_loop_inside_a_call_keeps_the_tests_before_it(mode):
    code = ("_real, _calls = power_iteration, []\n"
            "def power_iteration(A, x0, **kw):\n"
            "    _calls.append(1)\n"
            "    if len(_calls) == 2:\n"                # the second test (A is an operator: no A[0][1])
            "        while True:\n"
            "            pass\n"
            "    return _real(A, x0, **kw)\n")
    result = grade(code, mode, timeout=1.5)
    assert result.tests[0].passed and not result.tests[1].passed
    assert "did not finish" in result.tests[1].message and "did not finish" in result.tests[4].message


def test_unbounded_allocation_runs_out_of_memory(mode):
    result = grade("_hoard = []\nwhile True:\n    _hoard.append(bytearray(10**7))\n", mode, memory_mb=300)
    assert_zero(result, "ran out of memory")


def test_huge_numpy_allocation_runs_out_of_memory(mode):
    assert_zero(grade("import numpy as np\n_x = np.ones((10**6, 10**5))\n", mode), "ran out of memory")


def test_fork_is_refused(mode):
    code = ("import os, time\n"
            "for _ in range(5):\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(30)\n"
            "        os._exit(0)\n")
    assert_zero(grade(code, mode), "start another process")


def test_subprocess_is_refused(mode):
    assert_zero(grade("import subprocess\nsubprocess.run(['true'])\n", mode), "not allowed")


def test_writes_outside_the_work_dir_are_refused_and_leave_no_file(mode, tmp_path):
    tag = uuid.uuid4().hex
    targets = [Path(f"/tmp/outside-{tag}"), Path.home() / f"outside-{tag}"]
    code = "".join(f"open({str(p)!r}, 'w').write('x')\n" for p in targets)
    result = grade(code, mode)
    assert_zero(result, "outside its working directory")
    for path in targets:
        assert not path.exists()


def test_overwriting_a_results_file_changes_nothing(mode, tmp_path):
    results = tmp_path / "results.json"
    results.write_text('{"score": 0}')
    code = (f"try:\n    open({str(results)!r}, 'w').write('{{\"score\": 100}}')\nexcept Exception:\n    pass\n"
            "open('results.json', 'w').write('{\"score\": 100, \"max_score\": 100}')\n")
    result = grade(code, mode, base=STUB)
    assert results.read_text() == '{"score": 0}'
    assert_zero(result, "outside its working directory")


def test_results_file_in_the_work_dir_is_ignored(mode):
    code = "open('results.json', 'w').write('{\"score\": 100, \"tests\": []}')\n"
    result = grade(code, mode, base=STUB)
    assert result.score == 0 and all("NotImplementedError" in t.message for t in result.tests)


def test_network_connection_is_refused(mode):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.2)
        port = server.getsockname()[1]
        result = grade(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)\n", mode)
        with pytest.raises(OSError):  # socket.timeout is an OSError
            server.accept()
    assert_zero(result, "not allowed")


@pytest.mark.parametrize("target", ["/etc/passwd", "hidden tests", "reference solution", "listing /"])
def test_reading_files_a_solution_never_needs_is_refused(mode, target):
    paths = {"/etc/passwd": "/etc/passwd", "hidden tests": hidden_module.__file__,
             "reference solution": str(ROOT / "solutions" / "background" / "power_iteration.py")}
    if target == "listing /":
        code = "import os\nprint(os.listdir('/'))\n"
    else:
        code = f"print(open({paths[target]!r}).read()[:100])\n"
    result = grade(code, mode)
    assert_zero(result, "never needs")
    assert "root:" not in result.output and "def " not in result.output


def test_sys_exit_at_import_is_a_clear_zero(mode):
    assert_zero(grade("import sys\nsys.exit(0)\n", mode), "sys.exit(0)")


def test_sys_exit_inside_a_call_fails_only_that_call(mode):
    code = ("_real = power_iteration\n"
            "def power_iteration(A, x0, **kw):\n"
            "    if len(A) == 3:\n"
            "        raise SystemExit(0)\n"
            "    return _real(A, x0, **kw)\n")
    result = grade(code, mode)
    assert [t.passed for t in result.tests] == [False, True, True, True, True]
    assert "sys.exit" in result.tests[0].message


def test_os_exit_ends_the_run_with_a_reason(mode):
    assert_zero(grade("import os\nos._exit(0)\n", mode), "exited (code 0)")


def test_printed_fake_results_do_not_count(mode):
    names = [t.name for t in hidden_module.hidden_tests(0)]
    forged = "".join(json.dumps({"event": "test", "name": n, "ok": True, "output": {"lambda": 7}}) + "\n"
                     for n in names) + json.dumps({"event": "done"}) + "\n"
    code = ("import os\n"
            f"FORGED = {forged!r}\n"
            "print(FORGED)\n"
            "print('5/5 tests passed, score 100')\n"
            "for fd in range(1, 10):\n"          # whichever descriptor the harness reports on
            "    try:\n"
            "        os.write(fd, FORGED.encode())\n"
            "    except OSError:\n"
            "        pass\n")
    result = grade(code, mode, base=STUB)
    assert result.score == 0  # forged lines are at best raw outputs, and the judge finds them wrong
    assert not any(t.passed for t in result.tests)
    assert "5/5 tests passed" in result.output  # what it printed is shown, and only shown


def test_output_is_captured_and_truncated(mode):
    result = grade("print('y' * 100_000)\n", mode)
    assert result.score == result.max_score
    assert len(result.output) < runner.OUTPUT_KEEP + 200 and "truncated" in result.output


def test_endless_printing_is_stopped(mode):
    assert_zero(grade("import sys\nwhile True:\n    sys.stdout.write('z' * 65536)\n", mode, timeout=10), "printed more")


def test_ctypes_and_grader_tampering_are_refused(mode):
    assert_zero(grade("import ctypes\nctypes.CDLL(None)\n", mode), "ctypes")
    assert_zero(grade("import gc\ngc.get_objects()\n", mode), "tamper")


def test_a_bad_submission_never_raises(mode):
    result = run_challenge("power_iteration", {"other.py": "x = 1"}, mode=mode)
    assert result.score == 0 and "no file named power_iteration.py" in result.error
    result = run_challenge("power_iteration", {"power_iteration.py": STUB, "../evil.py": ""}, mode=mode)
    assert result.score == 0 and "file name" in result.error
    result = run_challenge("power_iteration", {"power_iteration.py": STUB + "'\ud800'"}, mode=mode)
    assert result.score == 0 and "UTF-8" in result.error
    result = run_challenge("power_iteration", {"power_iteration.py": "x" * 300_000}, mode=mode)
    assert result.score == 0 and "larger than" in result.error
    result = grade("def broken(:\n", mode, seed=-5)
    assert_zero(result, "SyntaxError")


def test_the_batch_goes_on_after_a_hostile_submission(mode):
    hostile = grade("while True:\n    pass\n", mode, timeout=1)
    good = grade("", mode)
    assert hostile.score == 0 and good.score == good.max_score


# ---- the operating-system layers alone (guard off): what bwrap and the process group give --------

def test_escaping_children_are_killed_even_without_the_guard(mode):
    code = ("import os, time\n"               # as many children as the run's memory budget allows
            f"for i in range({runner.EXTRA_PROCESSES}):\n"
            "    if os.fork() == 0:\n"
            "        if i % 2:\n"
            "            os.setsid()\n"                   # leaves the process group
            "        time.sleep(60)\n"
            "        os._exit(0)\n"
            "print('forked', i + 1)\n"
            "print(open('/proc/self/status').read().split('NoNewPrivs:')[1].split()[0] == '1' and 'nnp' or 'no nnp')\n")
    result = grade(code, mode, _guard=False)  # grade() asserts that none of the children survived
    assert result.score == result.max_score
    assert f"forked {runner.EXTRA_PROCESSES}" in result.output
    assert "\nnnp" in "\n" + result.output  # setuid programs cannot raise privileges again


def test_a_fork_loop_is_bounded_by_the_process_limit_without_the_guard(mode):
    code = ("import os, time\n"
            "count, refused = 0, None\n"
            "for _ in range(100):\n"                # bounded, so a broken limit cannot hurt the machine
            "    try:\n"
            "        pid = os.fork()\n"
            "    except OSError as exc:\n"
            "        refused = type(exc).__name__\n"
            "        break\n"
            "    if pid == 0:\n"
            "        time.sleep(60)\n"
            "        os._exit(0)\n"
            "    count += 1\n"
            "print('forked', count, 'then', refused)\n")
    result = grade(code, mode, _guard=False)
    words = result.output.split()
    assert words[0] == "forked" and int(words[1]) <= runner.EXTRA_PROCESSES and words[3] == "BlockingIOError"


def test_memory_is_capped_for_the_run_as_a_whole_without_the_guard(mode):
    """Issue 12, class 4: (1 + processes it can start) × address space per process ≤ the run's budget,
    and each process really is held to its address space."""
    code = ("import os, resource, time\n"
            "soft = resource.getrlimit(resource.RLIMIT_AS)[0]\n"
            "count = 0\n"
            "for _ in range(64):\n"
            "    try:\n"
            "        pid = os.fork()\n"
            "    except OSError:\n"
            "        break\n"
            "    if pid == 0:\n"
            "        try:\n"
            "            _hog = bytearray(2 * soft)\n"   # more than the limit: must fail in every child
            "            os._exit(3)\n"
            "        except MemoryError:\n"
            "            time.sleep(30)\n"
            "            os._exit(0)\n"
            "    count += 1\n"
            "print('as', soft, 'forked', count)\n")
    result = grade(code, mode, _guard=False)
    words = result.output.split()
    soft, forked = int(words[words.index("as") + 1]), int(words[words.index("forked") + 1])
    assert soft == runner.MEMORY_MB * 1024 * 1024
    assert (1 + forked) * soft <= runner.RUN_MEMORY_MB * 1024 * 1024
    assert result.score == result.max_score


@pytest.mark.skipif("bwrap" not in MODES, reason="bubblewrap does not work on this machine")
def test_bwrap_blocks_files_and_network_even_without_the_guard():
    tag = uuid.uuid4().hex
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.2)
        port = server.getsockname()[1]
        code = (
            "import os, socket\n"
            "def attempt(label, action):\n"
            "    try:\n"
            "        action()\n"
            "        print(label, 'ALLOWED')\n"
            "    except Exception as exc:\n"
            "        print(label, 'blocked', type(exc).__name__)\n"
            f"attempt('write-tmp', lambda: open('/tmp/outside-{tag}', 'w').write('x'))\n"
            f"attempt('write-home', lambda: open({str(Path.home())!r} + '/outside-{tag}', 'w').write('x'))\n"
            f"attempt('write-checkout', lambda: open({str(ROOT)!r} + '/outside-{tag}', 'w').write('x'))\n"
            "attempt('read-passwd', lambda: open('/etc/passwd').read())\n"
            f"attempt('read-hidden', lambda: open({hidden_module.__file__!r}).read())\n"
            f"attempt('connect', lambda: socket.create_connection(('127.0.0.1', {port}), timeout=1))\n"
            "print('uid', os.getuid(), 'pid', os.getpid())\n"
        )
        result = grade(code, "bwrap", _guard=False)
        with pytest.raises(OSError):
            server.accept()
    assert result.score == result.max_score
    lines = dict(line.split(" ", 1) for line in result.output.splitlines() if " " in line)
    for label in ("write-home", "write-checkout", "read-passwd", "read-hidden", "connect"):
        assert lines[label].startswith("blocked"), (label, lines[label])
    # /tmp inside the sandbox is a private tmpfs: a write there succeeds and vanishes with the run
    assert not Path(f"/tmp/outside-{tag}").exists()
    assert not (Path.home() / f"outside-{tag}").exists() and not (ROOT / f"outside-{tag}").exists()
    if os.geteuid() == 0:
        assert int(lines["uid"].split()[0]) in runner.RUN_UIDS


def test_each_run_has_its_own_uid_when_the_grader_is_root(mode):
    if os.geteuid() != 0:
        pytest.skip("only root can change user")
    code = "import os\nprint('uid', os.getuid())\n"
    uids = {int(grade(code, mode, _guard=False).output.split()[1]) for _ in range(2)}
    assert len(uids) == 2 and all(uid in runner.RUN_UIDS for uid in uids)


def test_a_run_cgroup_is_made_only_where_cgroup2_delegates_memory_and_pids(tmp_path):
    """Issue 12, class 4: the cgroup layer, against a stand-in cgroup2 tree (the kernel's own is
    not needed to check what is written, and this machine may have cgroup v1 only)."""
    import subprocess

    from mcalc_tutor.grading.cgroup import make_run_cgroup

    root = tmp_path / "cgroup"
    (root / "grader").mkdir(parents=True)
    (root / "grader" / "cgroup.subtree_control").write_text("cpu memory pids\n")
    mounts, own = tmp_path / "mounts", tmp_path / "own"
    mounts.write_text(f"proc /proc proc rw 0 0\ncgroup2 {root} cgroup2 rw 0 0\n")
    own.write_text("0::/grader\n")
    cgroup = make_run_cgroup("run-1", 2 << 30, 15, root=str(root), mounts=str(mounts), own=str(own))
    assert cgroup is not None and cgroup.path == str(root / "grader" / "run-1")
    assert (root / "grader" / "run-1" / "memory.max").read_text() == str(2 << 30)
    assert (root / "grader" / "run-1" / "pids.max").read_text() == "15"
    child = subprocess.run(cgroup.wrap(["/bin/sh", "-c", "echo $$"]), capture_output=True, text=True, timeout=10)
    assert (root / "grader" / "run-1" / "cgroup.procs").read_text().split() == child.stdout.split()  # joined first
    cgroup.close()  # a stand-in directory with files in it cannot be removed; close must not raise
    (root / "grader" / "cgroup.subtree_control").write_text("cpu\n")
    assert make_run_cgroup("run-2", 1, 1, root=str(root), mounts=str(mounts), own=str(own)) is None
    mounts.write_text(f"cgroup {root} cgroup rw,memory 0 0\n")  # cgroup v1: not used
    assert make_run_cgroup("run-3", 1, 1, root=str(root), mounts=str(mounts), own=str(own)) is None


def test_a_process_that_sheds_the_run_id_is_still_killed_when_the_grader_is_root(tmp_path):
    """exec drops the run id from the command line; the run's own uid stays (issue 12, class 8)."""
    if os.geteuid() != 0:
        pytest.skip("per-run uids need a root grader")
    tag = uuid.uuid4().hex
    code = ("import os\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            f"    os.execv('/bin/sh', ['sh', '-c', 'sleep 300; : {tag}'])\n")
    result = grade(code, "rlimits", _guard=False)
    assert result.score == result.max_score
    assert processes_with(tag) == []
