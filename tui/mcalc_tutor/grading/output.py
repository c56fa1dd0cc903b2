"""Writing a report to ``--out``: only ever to a regular file.

Write-to-temporary-then-rename replaces whatever the name pointed at, so ``--out /dev/null`` used
to turn the machine's /dev/null into a regular file. A target that exists and is a device, FIFO,
socket, folder or symbolic link is refused with a reason; the temporary file is created with
O_EXCL beside the target, so no other name is ever followed or overwritten.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["refuse_target", "write_report"]

_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def refuse_target(path: Path) -> str | None:
    """Why ``path`` must not be written (it exists and is not a regular file), or None."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    for test, kind in _KINDS:
        if test(mode):
            return f"refusing to write {path}: it is {kind}, not a regular file"
    return None if stat.S_ISREG(mode) else f"refusing to write {path}: it is not a regular file"


def write_report(path: Path, text: str) -> str | None:
    """Write ``text`` to the regular file ``path`` (made if missing); a one-line reason on refusal."""
    problem = refuse_target(path)
    if problem:
        return problem
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            problem = refuse_target(path)  # the target may have been swapped meanwhile
            if problem:
                return problem
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
            tmp = ""
        finally:
            if tmp:
                os.unlink(tmp)
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None
