"""A cgroup (v2) per code run, capping the memory and the number of tasks of the run as a whole.

Made only where one can be: /sys/fs/cgroup is a cgroup2 mount, the grader's own cgroup already
delegates the memory and pids controllers to its children, and the grader may create a child
there (root, or a systemd scope with Delegate=yes). The grader's own cgroup set-up is never
changed. Elsewhere — cgroup v1, no delegation — the runner's resource limits alone cap the run
(processes × address space within the run's budget); they stay on either way, so a cgroup that
cannot be made or joined weakens nothing. What a cgroup adds: tmpfs pages and kernel memory are
counted too, and the cap holds whatever the kernel's per-user process count says.
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

__all__ = ["CGROUP_ROOT", "RunCgroup", "make_run_cgroup"]

CGROUP_ROOT = "/sys/fs/cgroup"
_JOIN = 'echo $$ > "$0/cgroup.procs" 2>/dev/null; exec "$@"'


@dataclass
class RunCgroup:
    path: str

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started from a shell that first moves itself into this cgroup, then execs it:
        every process of the run is born inside, with no race against an early fork."""
        return ["/bin/sh", "-c", _JOIN, self.path, *argv]

    def close(self) -> None:
        """Kill whatever is still in the cgroup and remove it; never raises."""
        try:
            if os.path.exists(os.path.join(self.path, "cgroup.kill")):
                _write(os.path.join(self.path, "cgroup.kill"), "1")
            else:
                with open(os.path.join(self.path, "cgroup.procs"), encoding="ascii") as handle:
                    for line in handle:
                        try:
                            os.kill(int(line), signal.SIGKILL)
                        except (ValueError, ProcessLookupError, PermissionError):
                            pass
        except OSError:
            pass
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)  # the last tasks are still exiting


def make_run_cgroup(name: str, memory_bytes: int, max_tasks: int, *, root: str = CGROUP_ROOT,
                    mounts: str = "/proc/self/mounts", own: str = "/proc/self/cgroup") -> RunCgroup | None:
    """A fresh child of the grader's cgroup named ``name`` with memory.max and pids.max set, or None."""
    try:
        with open(mounts, encoding="utf-8") as handle:
            if not any(line.split()[1:3] == [root, "cgroup2"] for line in handle if len(line.split()) > 2):
                return None
        with open(own, encoding="utf-8") as handle:
            relative = next(line[3:].strip() for line in handle if line.startswith("0::"))
        parent = os.path.join(root, relative.lstrip("/"))
        with open(os.path.join(parent, "cgroup.subtree_control"), encoding="ascii") as handle:
            if not {"memory", "pids"} <= set(handle.read().split()):
                return None
        path = os.path.join(parent, name)
        os.mkdir(path, 0o755)
    except (OSError, StopIteration, IndexError):
        return None
    try:
        _write(os.path.join(path, "memory.max"), str(int(memory_bytes)))
        if os.path.exists(os.path.join(path, "memory.swap.max")):
            _write(os.path.join(path, "memory.swap.max"), "0")
        _write(os.path.join(path, "pids.max"), str(int(max_tasks)))
    except OSError:
        RunCgroup(path).close()
        return None
    return RunCgroup(path)


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)
