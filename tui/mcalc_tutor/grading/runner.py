"""Runs one code-challenge submission in a sandboxed subprocess and judges what came back.

The learner's code runs in a child process: its own process group, CPU-time, address-space,
file-size, open-file and process-count limits (address space × processes within a per-run memory
budget, and a cgroup where one can be made), its own uid when the grader is root, an empty
temporary working directory, a scrubbed environment, ``python -I``, and stdout/stderr captured
with a size bound. Where bubblewrap works,
the child also runs in ``bwrap`` (no network, own PID namespace, read-only view of only the
interpreter and its libraries, a fresh tmpfs as working directory). Scores come only from the raw
outputs the harness sends back on a pipe, judged here; never from files the submission could write.
This module must never raise because of anything the learner's code does.

What each mode protects against is spelled out in ``PROTECTION`` (below), for the grader's
reports and the app. Neither mode limits the CPU *share* a run takes while it lasts, nor stops
kernel exploits or timing side channels.
"""
from __future__ import annotations

import functools
import json
import os
import re
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from .cgroup import make_run_cgroup
from .challenges import (
    Challenge,
    HiddenTest,
    OutputError,
    driver_source,
    get_challenge,
    judge_output,
    list_challenges,
)

__all__ = [
    "NEEDS_BUBBLEWRAP",
    "NO_BWRAP_ENV",
    "PROTECTION",
    "RUN_MEMORY_MB",
    "ChallengeResult",
    "SandboxWarning",
    "TestOutcome",
    "list_challenges",
    "run_challenge",
    "sandbox_mode",
    "sandbox_status",
]

RUN_MEMORY_MB = 2048
"""The memory budget of one run as a whole: (1 + extra processes) × address space stays within it."""
MEMORY_MB = 256
"""Address space per process (numpy with one thread needs under 200 MiB)."""
FILE_MB = 16
TMPFS_MB = 64
EXTRA_PROCESSES = RUN_MEMORY_MB // MEMORY_MB - 1
OUTPUT_KEEP = 16 * 1024          # characters of learner output kept in the result
OUTPUT_KILL = 8 * 1024 * 1024    # a submission printing more than this is stopped
PROTOCOL_LIMIT = 32 * 1024 * 1024  # room for each step a traced method reports
MAX_RESULT_BYTES = 2 * 1024 * 1024
MAX_LINE_BYTES = MAX_RESULT_BYTES + 64 * 1024   # a longer line on the result channel is not the harness's
MAX_EVENTS = 100_000
MAX_FILES = 10
MAX_FILE_BYTES = 256 * 1024
RUN_UIDS = range(1 << 20, 1 << 21)
"""A grader running as root gives each run its own uid, drawn at random from here (not nobody, whom every run
would share): the kernel's process limit then counts one run only, and runs in the same batch
cannot signal each other or read each other's files."""
DENY_MODULES = ("subprocess", "_posixsubprocess", "multiprocessing", "socket", "_socket", "ssl",
                "ctypes", "_ctypes", "cffi", "pty", "mcalc_tutor")
NO_BWRAP_ENV = "MCALC_TUTOR_NO_BWRAP"
"""Set to 1 to act as if bubblewrap did not work here (tests and instructors checking the refusal path)."""
NEEDS_BUBBLEWRAP = ("needs bubblewrap (Debian package `bubblewrap`); pass `--unsandboxed` for code you trust")
"""What `grade` says instead of a score for a code part when no real sandbox is available."""
_FILE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\.py")


_BOTH = (
    "endless loops (wall-clock timeout that kills the whole process group, CPU limit), memory and fork bombs "
    f"({MEMORY_MB} MiB address space per process and at most {EXTRA_PROCESSES} more processes: {RUN_MEMORY_MB} MiB "
    "for the run as a whole, plus a cgroup where one can be made; numpy pinned to one thread), large files "
    f"({FILE_MB} MiB), floods of output (captured and cut), sys.exit, forged results (scores come from raw "
    "outputs judged outside; the sandboxed process holds no reference answers; where a method is taught, each "
    "step is reported and checked), a flooded result channel (read in linear time, bounded), and other runs "
    "of the batch (as root, each run is its own unprivileged uid)"
)
PROTECTION = {
    "bwrap": (
        f"bubblewrap sandbox. Protects against: {_BOTH}; and also reading the grader's files (only /usr, the "
        "Python installation and its libraries are visible, read-only; this package with its hidden tests, the "
        "solutions, /etc and home directories are not), writing anywhere but a private 64 MiB tmpfs that "
        "vanishes after the run, any network access (own empty network namespace), processes outliving the run "
        "or seeing other runs (own PID namespace, killed with the run) — even when the code switches the "
        "audit-hook guard off. Does not protect against: kernel exploits, timing side channels, using a CPU "
        "core fully for the length of the timeout."
    ),
    "rlimits": (
        f"resource limits only (bubblewrap unavailable; `grade` needs --unsandboxed). Protects against: {_BOTH}. "
        "An audit-hook guard refuses and reports ordinary attempts to read files outside the work directory, "
        "write, open sockets, start processes, send signals or use ctypes — but it is not a security boundary: "
        "pure Python can switch it off. Does not protect against such code reading what the grader's user can "
        "read (as root: what any user can, e.g. /etc/passwd and the hidden tests), writing where that user "
        "can write (e.g. /tmp), opening network connections, or — when the grader is not root — leaving a "
        "process running after the run (as root, every process of the run's uid is killed)."
    ),
}
"""Plain statements of what each sandbox mode protects against and what it does not."""


class SandboxWarning(RuntimeWarning):
    """Code challenges run without bubblewrap: resource limits only."""


@dataclass(frozen=True)
class TestOutcome:
    name: str
    passed: bool
    message: str


@dataclass
class ChallengeResult:
    challenge: str
    tests: list[TestOutcome]
    score: float
    max_score: float
    output: str
    """What the submission printed (stdout and stderr together), truncated."""
    mode: str
    """``bwrap`` or ``rlimits``: how the code was isolated."""
    warning: str | None = None
    error: str | None = None
    """Why the submission as a whole was not graded normally (timeout, crash, violation), if so."""
    seconds: float = field(default=0.0, compare=False)
    run_id: str = field(default="", compare=False, repr=False)


# ---- which sandbox this machine gives -----------------------------------------------------------

def sandbox_status() -> tuple[str, str | None]:
    """``("bwrap", None)`` when bubblewrap works here, else ``("rlimits", why not)``.

    The probe is cached; ``MCALC_TUTOR_NO_BWRAP=1`` in the environment overrides it."""
    if os.environ.get(NO_BWRAP_ENV) == "1":
        return "rlimits", f"{NO_BWRAP_ENV}=1 is set"
    return _probe_bwrap()


@functools.lru_cache(maxsize=1)
def _probe_bwrap() -> tuple[str, str | None]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "rlimits", "bubblewrap (bwrap) is not installed"
    try:
        probe = subprocess.run(
            _bwrap_argv(bwrap, [sys.executable, "-I", "-B", "-c", "import numpy"]),
            stdin=subprocess.DEVNULL, capture_output=True,
            env=_scrubbed_env("/"), timeout=30, start_new_session=True, cwd="/",
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return "rlimits", f"bwrap could not be started: {exc}"
    if probe.returncode != 0:
        detail = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        return "rlimits", f"bwrap does not work here ({detail[-1] if detail else f'exit {probe.returncode}'})"
    return "bwrap", None


def sandbox_mode() -> str:
    """``bwrap`` or ``rlimits``: the isolation this machine gives code submissions (cached)."""
    return sandbox_status()[0]


def _rlimits_warning(reason: str | None) -> str:
    return (f"{reason or 'bubblewrap is not used'}: code submissions run with resource limits and an "
            "audit-hook guard only, which do not stop determined code from reading or writing files "
            "or using the network. Install the Debian package `bubblewrap` for a real sandbox.")


@functools.lru_cache(maxsize=1)
def _bwrap_supports_size(bwrap: str) -> bool:
    try:
        text = subprocess.run([bwrap, "--help"], capture_output=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return b"--size" in text


def _package_dir() -> Path:
    return Path(__file__).resolve().parents[1]


def _deny_paths() -> list[str]:
    """What the submission must not see: this package (hidden tests) and the checkout's content."""
    package = _package_dir()
    paths = [package]
    checkout = package.parent.parent
    for name in ("solutions", "exercises", "tests"):
        if (checkout / name).is_dir() and (checkout / "pyproject.toml").is_file():
            paths.append(checkout / name)
    return [str(p) for p in paths]


def _python_roots() -> list[str]:
    """Directories the interpreter and numpy need, outermost first, without nesting."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    spec = find_spec("numpy")
    if spec is not None and spec.origin:
        candidates.add(str(Path(spec.origin).resolve().parents[1]))
    candidates.add(str(Path(sys.executable).parent))
    resolved = set()
    for path in candidates:
        resolved.add(os.path.abspath(path))
        resolved.add(os.path.realpath(path))
    roots: list[str] = []
    for path in sorted(resolved, key=len):
        if path == "/" or not os.path.isdir(path):
            continue
        if any(path == r or path.startswith(r + "/") for r in roots + ["/usr"]):
            continue
        roots.append(path)
    return roots


def _bwrap_argv(bwrap: str, command: list[str]) -> list[str]:
    argv = [bwrap, "--die-with-parent", "--unshare-net", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try"]
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + name
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    argv += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache", "--proc", "/proc", "--dev", "/dev"]
    # The private /tmp comes before the Python binds: a virtualenv may itself live under /tmp.
    if _bwrap_supports_size(bwrap):
        argv += ["--size", str(TMPFS_MB * 1024 * 1024)]
    argv += ["--perms", "1777", "--tmpfs", "/tmp"]
    made = {"/", "/usr", "/tmp", "/proc", "/dev", "/etc"}

    def parents(path: str) -> None:
        nonlocal argv
        parts = Path(path).parts[1:-1]
        for i in range(len(parts)):
            ancestor = "/" + "/".join(parts[: i + 1])
            if ancestor not in made:
                made.add(ancestor)
                argv += ["--perms", "0755", "--dir", ancestor]

    for root in _python_roots():
        parents(root)
        argv += ["--ro-bind", os.path.realpath(root), root]
        made.add(root)
    for hidden in _deny_paths():  # e.g. an installed wheel's package inside site-packages
        if any(hidden.startswith(r + "/") for r in _python_roots()):
            argv += ["--tmpfs", hidden]
    argv += ["--perms", "1777", "--dir", "/tmp/work", "--chdir", "/tmp/work"]
    if os.geteuid() == 0:
        # bwrap drops every capability of root; keep only what the driver needs to drop to the run's uid.
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return argv + ["--"] + command


def _scrubbed_env(workdir: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": workdir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
    }


# ---- running ------------------------------------------------------------------------------------

@dataclass
class _Capture:
    protocol: bytearray = field(default_factory=bytearray)
    output: bytearray = field(default_factory=bytearray)
    output_total: int = 0
    returncode: int | None = None
    timed_out: bool = False
    flooded: bool = False
    elapsed: float = 0.0


def run_challenge(challenge: str, files: dict[str, str], *, seed: int = 0, timeout: float = 10.0,
                  mode: str | None = None, memory_mb: int = MEMORY_MB, _guard: bool = True) -> ChallengeResult:
    """Run the learner's ``files`` (name -> source) against the hidden tests of ``challenge``.

    ``mode`` forces ``"rlimits"`` (or asks for ``"bwrap"``, falling back with a warning when it does
    not work); ``None`` takes the best this machine gives. Raises only for an unknown challenge or a
    bad argument, never for what the submitted code does. Same files and seed give the same result.
    """
    spec = get_challenge(challenge)
    if mode not in (None, "bwrap", "rlimits"):
        raise ValueError(f"mode must be 'bwrap' or 'rlimits', not {mode!r}")
    if not timeout > 0:
        raise ValueError("timeout must be positive")
    started = time.monotonic()
    tests = spec.hidden_tests(seed)
    detected, reason = sandbox_status()
    use = "rlimits" if mode == "rlimits" else detected
    warning = None
    if use == "rlimits":
        warning = _rlimits_warning(reason if mode is None or mode == "bwrap" else "rlimits mode was requested")
        if mode != "rlimits":
            _warn_once(warning)
    run_id = f"mcalc-run-{uuid.uuid4().hex}"
    uid = RUN_UIDS[int(run_id[-8:], 16) % len(RUN_UIDS)] if os.geteuid() == 0 else os.geteuid()

    problem = _check_files(spec, files)
    if problem is not None:
        return _result(spec, tests, [TestOutcome(t.name, False, problem) for t in tests], "", use, warning,
                       problem, started, run_id)

    config = {
        "module": spec.module_name,
        "files": files,
        "tests": [{"name": t.name, "payload": t.payload} for t in tests],
        "limits": {"cpu_seconds": max(1, int(timeout) + 1), "memory_mb": int(memory_mb), "file_mb": FILE_MB,
                   "processes": extra_processes(memory_mb), "run_uid": uid, "run_gid": uid,
                   "max_result_bytes": MAX_RESULT_BYTES},
        "deny_paths": _deny_paths(),
        "deny_modules": list(DENY_MODULES),
        "read_paths": ["/usr", "/lib", "/lib64"] + _python_roots(),
        "preimport": list(spec.preimport),
        "guard": bool(_guard),
    }
    source = driver_source() + "\n\n" + spec.harness_source + "\n\nmain()\n"
    command = [sys.executable, "-I", "-B", "-c", source, run_id]

    workdir = None
    cgroup = make_run_cgroup(run_id, RUN_MEMORY_MB * 1024 * 1024, EXTRA_PROCESSES + 8)
    try:
        if use == "bwrap":
            argv = _bwrap_argv(shutil.which("bwrap") or "bwrap", command)
            env = _scrubbed_env("/tmp/work")
            cwd = "/"
        else:
            workdir = _make_workdir(uid)
            argv, env, cwd = command, _scrubbed_env(workdir), workdir
        if cgroup is not None:
            argv = cgroup.wrap(argv)
        capture = _run(argv, env, cwd, json.dumps(config).encode("utf-8"), timeout, run_id,
                       uid if uid in RUN_UIDS else None)
    except OSError as exc:
        message = f"the grader could not start the sandbox: {exc}"
        return _result(spec, tests, [TestOutcome(t.name, False, message) for t in tests], "", use, warning,
                       message, started, run_id)
    finally:
        if cgroup is not None:
            cgroup.close()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

    outcomes, error = _judge_all(spec, tests, capture, timeout, memory_mb)
    return _result(spec, tests, outcomes, _format_output(capture), use, warning, error, started, run_id)


def extra_processes(memory_mb: int, budget_mb: int = RUN_MEMORY_MB) -> int:
    """How many processes a run may start besides its own, so that all of them together, each at
    the address-space limit, stay within the run's memory budget (fork bombs included)."""
    return max(0, min(EXTRA_PROCESSES, budget_mb // max(1, int(memory_mb)) - 1))


def _make_workdir(uid: int) -> str:
    """An empty private directory; owned by the run's uid when the grader is root (the driver drops to it)."""
    parent = tempfile.gettempdir()
    if os.geteuid() == 0 and not _reachable_by_others(parent):
        parent = "/tmp"
    workdir = tempfile.mkdtemp(prefix="mcalc-run-", dir=parent)
    os.chmod(workdir, 0o700)
    if os.geteuid() == 0:
        os.chown(workdir, uid, uid)
    return workdir


def _reachable_by_others(path: str) -> bool:
    current = Path(path).resolve()
    for directory in [current, *current.parents]:
        try:
            if not directory.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _warn_once(message: str) -> None:
    warnings.warn(message, SandboxWarning, stacklevel=3)


def _check_files(spec: Challenge, files: dict[str, str]) -> str | None:
    if not isinstance(files, dict):
        return "the submission is not a set of files"
    if spec.module_file not in files:
        return f"no file named {spec.module_file} was submitted"
    if len(files) > MAX_FILES:
        return f"too many files ({len(files)}; at most {MAX_FILES})"
    for name, text in files.items():
        if not isinstance(name, str) or not _FILE_NAME.fullmatch(name):
            return f"{name!r} is not an acceptable file name (a Python module name ending in .py)"
        if not isinstance(text, str):
            return f"{name} is not text"
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            return f"{name} is not valid UTF-8 text"
        if size > MAX_FILE_BYTES:
            return f"{name} is larger than {MAX_FILE_BYTES // 1024} KiB"
        if "\x00" in text:
            return f"{name} contains a NUL byte"
    return None


def _run(argv: list[str], env: dict[str, str], cwd: str, stdin_data: bytes, timeout: float,
         run_id: str, run_uid: int | None = None) -> _Capture:
    capture = _Capture()
    begin = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=cwd, start_new_session=True, close_fds=True)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    feeder = threading.Thread(target=_feed, args=(proc.stdin, stdin_data), daemon=True)
    feeder.start()
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ, "protocol")
    selector.register(proc.stderr, selectors.EVENT_READ, "output")
    deadline = begin + timeout
    try:
        open_streams = 2
        exited_at = None
        while open_streams:
            now = time.monotonic()
            if now >= deadline:
                capture.timed_out = True
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > 0.5:
                break  # something the submission started still holds the pipes; it is killed below
            left = deadline - now
            for key, _ in selector.select(timeout=min(left, 0.1)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                elif key.data == "protocol":  # bytearray: appending is amortized linear
                    if len(capture.protocol) < PROTOCOL_LIMIT:
                        capture.protocol += chunk[: PROTOCOL_LIMIT - len(capture.protocol)]
                else:
                    capture.output_total += len(chunk)
                    if len(capture.output) < OUTPUT_KEEP * 4:
                        capture.output += chunk[: OUTPUT_KEEP * 4 - len(capture.output)]
                    if capture.output_total > OUTPUT_KILL:
                        capture.flooded = True
                        open_streams = 0
                        break
        if not (capture.timed_out or capture.flooded):
            try:
                capture.returncode = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                capture.timed_out = True
    finally:
        _kill_everything(proc, run_id, run_uid)
        selector.close()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                stream.close()
            except (OSError, AttributeError):
                pass
        feeder.join(timeout=1)
    if capture.returncode is None:
        capture.returncode = proc.returncode
    capture.elapsed = time.monotonic() - begin
    return capture


def _feed(stream, data: bytes) -> None:
    try:
        stream.write(data)
        stream.close()
    except (OSError, ValueError):
        pass  # the child died or closed stdin early; what it did is judged from what it reported


def _kill_everything(proc: subprocess.Popen, run_id: str, run_uid: int | None = None) -> None:
    """Kill the process group, then anything still carrying this run's id or running as this
    run's own uid, and reap the child.

    A process that left the group (setsid) is still found by the run id in its command line,
    which a fork keeps, or (grader as root) by the run's uid, which no exec can shed; under bwrap
    the PID namespace dies with its first process anyway.
    """
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 3
    while True:
        stragglers = processes_with(run_id) + (processes_of(run_uid) if run_uid is not None else [])
        if not stragglers or time.monotonic() > deadline:
            break
        for pid in stragglers:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)


def processes_of(uid: int) -> list[int]:
    """Live processes owned by ``uid``."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    found.append(int(name))
            except OSError:
                pass
    return found


def processes_with(marker: str) -> list[int]:
    """Live (non-zombie) processes whose command line contains ``marker``."""
    needle = marker.encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                if needle not in handle.read():
                    continue
            with open(f"/proc/{name}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in (b"Z", b"X"):
            found.append(int(name))
    return found


# ---- judging ------------------------------------------------------------------------------------

@dataclass
class _Protocol:
    events: list[dict]
    unreadable: list[str]
    """Why lines on the result channel were dropped (too long, nested too deeply, too many)."""


def _parse_protocol(data: bytes | bytearray) -> _Protocol:
    """The harness's JSON lines, in linear time: each line is bounded in size, their number is
    bounded, and a line that cannot be read is dropped with a reason, never raised."""
    events: list[dict] = []
    unreadable: list[str] = []
    start, end = 0, len(data)
    while start < end:
        stop = data.find(b"\n", start)
        if stop < 0:
            stop = end
        line = bytes(data[start:stop])
        start = stop + 1
        if not line.strip():
            continue
        if len(events) >= MAX_EVENTS:
            unreadable.append(f"more than {MAX_EVENTS} lines")
            break
        if len(line) > MAX_LINE_BYTES:
            unreadable.append(f"a line of {len(line)} bytes")
            continue
        try:
            event = json.loads(line)
        except RecursionError:
            unreadable.append("a line nested too deeply")
            continue
        except (ValueError, UnicodeDecodeError):
            continue  # anything that is not a harness line cannot help the submission
        if isinstance(event, dict) and isinstance(event.get("event"), str):
            events.append(event)
    return _Protocol(events, unreadable[:5])


def _stop_reason(capture: _Capture, timeout: float, memory_mb: int) -> str:
    if capture.timed_out:
        return f"did not finish within {timeout:g} s (the run was stopped); look for an endless loop"
    if capture.flooded:
        return f"printed more than {OUTPUT_KILL // (1024 * 1024)} MiB of output (the run was stopped)"
    code = capture.returncode
    if code is None:
        return "stopped for an unknown reason"
    if code < 0:
        number = -code
        if number == signal.SIGXCPU:
            return "used up its CPU time limit (the run was stopped); look for an endless loop"
        if number == signal.SIGKILL:
            return f"was killed (out of memory? the limit is {memory_mb} MiB)"
        if number == signal.SIGXFSZ:
            return f"wrote a file larger than {FILE_MB} MiB"
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        return f"crashed (signal {name})"
    return f"exited (code {code}) before finishing; a submission must not call os._exit or exit the program"


def _judge_all(spec: Challenge, tests: list[HiddenTest], capture: _Capture, timeout: float,
               memory_mb: int) -> tuple[list[TestOutcome], str | None]:
    protocol = _parse_protocol(capture.protocol)
    events = protocol.events
    violations: dict[str, None] = {}  # ordered and O(1) per line: a flood of reasons stays linear
    for e in events:
        reason = e.get("reason")
        if e["event"] == "violation" and isinstance(reason, str) and len(violations) < 5:
            violations.setdefault(reason[:300])
    if violations:
        message = "not graded: your code " + "; ".join(violations)
        return [TestOutcome(t.name, False, message) for t in tests], message
    ready = any(e["event"] == "ready" for e in events)
    imported = next((e for e in events if e["event"] == "import"), None)
    if not ready:
        detail = capture.output.decode("utf-8", "replace").strip().splitlines()
        message = "the sandbox did not start: it " + _stop_reason(capture, timeout, memory_mb)
        if detail:
            message += f" ({detail[-1][:300]})"
        return [TestOutcome(t.name, False, message) for t in tests], message
    if imported is None:
        message = f"importing {spec.module_file} failed: it " + _stop_reason(capture, timeout, memory_mb)
        return [TestOutcome(t.name, False, message) for t in tests], message
    if not imported.get("ok"):
        message = f"importing {spec.module_file} failed: {_text(imported.get('error'))}"
        return [TestOutcome(t.name, False, message) for t in tests], message

    reports: dict[str, dict] = {}
    traces: dict[str, list] = {}
    pending: list = []  # the steps reported since the last result belong to the next result
    for e in events:
        if e["event"] == "trace":
            pending.append(e.get("value"))
        elif e["event"] == "test" and isinstance(e.get("name"), str):
            if e["name"] not in reports:
                reports[e["name"]], traces[e["name"]] = e, pending
            pending = []
    outcomes = []
    error = None
    for test in tests:
        report = reports.get(test.name)
        if report is None and protocol.unreadable and capture.returncode == 0:
            outcomes.append(TestOutcome(test.name, False, "no readable result: the result channel held "
                                        + ", ".join(protocol.unreadable) + " (something wrote to it)"))
        elif report is None:
            error = error or ("your code " + _stop_reason(capture, timeout, memory_mb))
            outcomes.append(TestOutcome(test.name, False, f"not run: {error}"))
        elif not report.get("ok"):
            outcomes.append(TestOutcome(test.name, False, f"raised {_text(report.get('error'))}"))
        else:
            outcomes.append(_judge_one(spec, test, report.get("output"), traces.get(test.name, [])))
    return outcomes, error


def _judge_one(spec: Challenge, test: HiddenTest, output, trace: list) -> TestOutcome:
    try:
        passed, message = judge_output(spec, test, output, trace)
    except OutputError as exc:
        return TestOutcome(test.name, False, str(exc))
    except Exception as exc:  # a judge must survive any output; this is the last line of defence
        return TestOutcome(test.name, False, f"the output could not be judged ({type(exc).__name__})")
    return TestOutcome(test.name, bool(passed), str(message))


def _text(value) -> str:
    return value[:500] if isinstance(value, str) else "an unknown error"


def _format_output(capture: _Capture) -> str:
    text = bytes(capture.output).decode("utf-8", "replace")
    if len(text) > OUTPUT_KEEP or capture.output_total > len(capture.output):
        text = text[:OUTPUT_KEEP] + f"\n[… output truncated: {capture.output_total} bytes in all]"
    return text


def _result(spec: Challenge, tests: list[HiddenTest], outcomes: list[TestOutcome], output: str, mode: str,
            warning: str | None, error: str | None, started: float, run_id: str) -> ChallengeResult:
    score = sum(t.points for t, o in zip(tests, outcomes, strict=False) if o.passed)
    return ChallengeResult(
        challenge=spec.name, tests=outcomes, score=float(score), max_score=float(sum(t.points for t in tests)),
        output=output, mode=mode, warning=warning, error=error, seconds=time.monotonic() - started, run_id=run_id,
    )
