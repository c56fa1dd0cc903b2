"""The in-sandbox driver: sets limits, drops privileges, guards, imports the learner's module and
reports the raw outputs of each hidden call as JSON lines.

This file is never imported by the grader. The runner reads it as text, appends one challenge's
harness (which defines ``run_test``) and runs the result with ``python -I -B -c``. Nothing it
prints is trusted to say pass or fail: learner code runs in this same interpreter and could
forge any of it, so the grader judges the raw outputs itself, outside the sandbox.
"""
import json
import os
import sys

import numpy  # before the guard and the privilege drop; the challenge harnesses use it too


def _write_all(fd, data):
    while data:
        try:
            written = os.write(fd, data)
        except InterruptedError:
            continue
        data = data[written:]


def _describe(exc, limits):
    """One line a learner can act on, for an exception raised by their code."""
    if isinstance(exc, SystemExit):
        return f"your code called sys.exit({exc.code!r}); a submission must not exit the program"
    if isinstance(exc, MemoryError):
        return f"ran out of memory (the limit is {limits['memory_mb']} MiB)"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, RecursionError):
        return "RecursionError: maximum recursion depth exceeded (unbounded recursion?)"
    text = f"{type(exc).__name__}: {exc}".strip()
    where = ""
    tb = exc.__traceback__
    while tb is not None:  # the deepest frame in a learner's file says where it broke
        filename = tb.tb_frame.f_code.co_filename
        if os.path.dirname(os.path.abspath(filename)) == _WORKDIR[0]:
            where = f" (at {os.path.basename(filename)}, line {tb.tb_lineno})"
        tb = tb.tb_next
    if len(text) > 400:
        text = text[:400] + "…"
    return text + where


_WORKDIR = [""]
_TRACE = [None]  # main() puts the protocol emitter here


def trace(value):
    """Report one step of the learner's method (a product with A, a point where f was evaluated)
    at once, on the protocol pipe: what is reported cannot be taken back, only added to."""
    if _TRACE[0] is not None:
        _TRACE[0]({"event": "trace", "value": value})


def call_learner(function, *args, **kwargs):
    """Call learner code from a frame whose locals are only the inputs it is given."""
    return function(*args, **kwargs)
_PREIMPORT = (
    "abc array bisect collections copy dataclasses decimal enum fractions functools heapq "
    "itertools math numbers operator random re statistics string time traceback typing "
    "warnings linecache tokenize importlib importlib.util zlib hashlib secrets threading "
    "numpy.random numpy.linalg numpy.fft"
).split()  # when root drops to the run's uid, a Python under /root (mode 0700) cannot load them later


def _limit_resources(limits):
    import resource

    mib = 1024 * 1024
    cpu = int(limits["cpu_seconds"])
    wanted = [
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_AS, limits["memory_mb"] * mib, limits["memory_mb"] * mib),
        (resource.RLIMIT_FSIZE, limits["file_mb"] * mib, limits["file_mb"] * mib),
        (resource.RLIMIT_NOFILE, 64, 64),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    for which, soft, hard in wanted:
        old_soft, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            hard = min(hard, old_hard)
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))


def _count_processes(uid):
    count = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def _drop_privileges(limits):
    """Root gives up root before any learner byte is read; RLIMIT_NPROC then bounds forks.

    The kernel never applies RLIMIT_NPROC to root, so without this a fork loop is unbounded.
    """
    import resource

    try:  # no_new_privs: a setuid program started later cannot give back what is dropped here
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    except Exception:
        pass
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(limits["run_gid"])
        os.setuid(limits["run_uid"])
        if os.getuid() == 0 or os.geteuid() == 0:
            raise SystemExit("sandbox: could not drop root")
    allowed = _count_processes(os.getuid()) + limits["processes"]
    hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    if hard != resource.RLIM_INFINITY:
        allowed = min(allowed, hard)
    resource.setrlimit(resource.RLIMIT_NPROC, (allowed, allowed))


def _under(path, roots):
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _install_guard(emit, workdir, read_roots, deny_roots, deny_modules):
    """An audit hook that refuses what no solution needs and reports each attempt at once.

    The report goes out on the protocol pipe before control returns to learner code, so a
    submission cannot take it back. Audit hooks are not a security boundary (the sandbox is);
    they turn the common cases into a clear reason.
    """
    realpath = os.path.realpath
    fspath = os.fspath
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    reported = set()
    busy = [False]

    def refuse(reason):
        if reason not in reported:
            reported.add(reason)
            emit({"event": "violation", "reason": reason})
        raise PermissionError(f"sandbox: {reason}")

    def resolve(path):
        if isinstance(path, int):
            return None
        try:
            path = fspath(path)
            if isinstance(path, bytes):
                path = path.decode("utf-8", "replace")
            return realpath(path)
        except Exception:
            return "?"

    def check_read(path, what):
        if path is None:
            return
        if _under(path, deny_roots) or not _under(path, read_roots):
            refuse(f"tried to {what} {path!r}, which a solution never needs")

    def check_write(path, what):
        if path is None:
            return
        if not (_under(path, [workdir]) or path == "/dev/null"):
            refuse(f"tried to {what} {path!r}, outside its working directory")

    def hook(event, args):
        if busy[0]:
            return
        busy[0] = True
        try:
            if event == "open":
                path, mode, flags = args
                writing = (flags or 0) & write_flags or (mode is not None and any(c in mode for c in "wax+"))
                target = resolve(path)
                if writing:
                    check_write(target, "write to")
                else:
                    check_read(target, "read")
            elif event in ("os.listdir", "os.scandir"):
                check_read(resolve(args[0] if args and args[0] is not None else "."), "list")
            elif event in ("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                           "os.utime", "os.chflags", "os.setxattr", "os.removexattr", "shutil.rmtree"):
                check_write(resolve(args[0]), "change")
            elif event in ("os.rename", "os.link", "os.symlink", "shutil.copyfile", "shutil.copytree",
                           "shutil.move"):
                check_write(resolve(args[0]), "change")
                check_write(resolve(args[1]), "change")
            elif event == "os.chdir":
                check_write(resolve(args[0]), "change directory to")
            elif event.startswith("socket."):
                refuse("tried to open a network connection (sockets are not allowed)")
            elif event in ("os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.exec", "os.system",
                           "os.startfile", "subprocess.Popen", "pty.spawn"):
                refuse("tried to start another process (fork/exec/subprocess are not allowed)")
            elif event in ("os.kill", "os.killpg", "signal.pthread_kill"):
                refuse("tried to send a signal to a process")
            elif event.startswith("ctypes."):
                refuse("tried to use ctypes (calling C directly is not allowed)")
            elif event in ("sys.addaudithook", "gc.get_referrers", "gc.get_referents", "gc.get_objects",
                           "sys.settrace", "sys.setprofile"):
                refuse(f"tried to tamper with the grader ({event})")
            elif event == "import":
                name = args[0] or ""
                if name.split(".")[0] in deny_modules:
                    refuse(f"tried to import {name}, which is not allowed here")
        finally:
            busy[0] = False

    sys.addaudithook(hook)


def main():
    proto = os.dup(1)          # the grader reads results from here ...
    os.dup2(2, 1)              # ... and everything the learner prints goes to the output stream

    def emit(obj):
        try:
            line = json.dumps(obj)
        except (TypeError, ValueError, RecursionError) as exc:
            line = json.dumps({"event": "error", "error": f"unencodable output: {exc}"})
        # The leading newline ends any partial line a submission wrote to this pipe, so that it
        # cannot swallow the next report (a violation, say) into a malformed line.
        _write_all(proto, ("\n" + line + "\n").encode())

    config = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    limits = config["limits"]

    import importlib
    for name in _PREIMPORT + list(config.get("preimport", [])):
        try:
            importlib.import_module(name)
        except Exception:
            pass

    _limit_resources(limits)
    _drop_privileges(limits)

    workdir = os.path.realpath(os.getcwd())
    _WORKDIR[0] = workdir
    for name, text in config["files"].items():
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    deny_roots = [os.path.realpath(p) for p in config["deny_paths"]]
    sys.path[:] = [workdir] + [p for p in sys.path if p and not _under(os.path.realpath(p), deny_roots)]
    read_roots = [workdir, "/dev/null", "/dev/urandom", "/dev/zero", "/proc/self"]
    read_roots += [os.path.realpath(p) for p in config["read_paths"]]
    read_roots += [os.path.realpath(p) for p in sys.path if p]
    sys.stdout.flush()
    if config.get("guard", True):
        _install_guard(emit, workdir, read_roots, deny_roots, set(config["deny_modules"]))
    emit({"event": "ready", "uid": os.getuid()})
    _TRACE[0] = emit

    try:
        module = importlib.import_module(config["module"])
    except BaseException as exc:  # noqa: B036 - SystemExit and MemoryError are learner outcomes too
        emit({"event": "import", "ok": False, "error": _describe(exc, limits)})
        _finish(emit)
        return
    emit({"event": "import", "ok": True})
    for test in config["tests"]:
        try:
            output = run_test(module, test["name"], test["payload"])  # noqa: F821 - defined by the challenge harness
        except BaseException as exc:  # noqa: B036
            emit({"event": "test", "name": test["name"], "ok": False, "error": _describe(exc, limits)})
            continue
        try:
            line_size = len(json.dumps(output))
        except (TypeError, ValueError, RecursionError) as exc:
            emit({"event": "test", "name": test["name"], "ok": False, "error": f"the result could not be encoded: {exc}"})
            continue
        if line_size > limits["max_result_bytes"]:
            emit({"event": "test", "name": test["name"], "ok": False,
                  "error": f"the result is too large ({line_size} bytes)"})
            continue
        emit({"event": "test", "name": test["name"], "ok": True, "output": output})
    _finish(emit)


def _finish(emit):
    emit({"event": "done"})
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(0)  # no atexit handlers, no waiting on threads a submission started


def encode_array(value):
    """An array of numbers as a JSON value: its shape and its entries in row-major order."""
    arr = numpy.asarray(value, dtype=float)
    return {"shape": list(arr.shape), "data": arr.ravel().tolist()}
