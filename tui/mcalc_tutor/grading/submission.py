"""Reading submissions: a TOML file of answers (plus code files beside it), or a directory
holding one. Reading never raises: a broken submission becomes a Submission with `error` set.
Only regular files are read, bounded in size, and a link is followed only to a file inside the
submission's own folder: a FIFO, a device or a link to /dev/zero is that submission's 0 with a
reason, never a hang or a full memory.

    [meta]
    student = "s1234567"
    seed = 7                      # the student's variant of randomized exercises

    [answers.grad-quadratic-form]
    b = "(A + A^T) x"
    [answers.code-gradient-check]
    a = "gradient_check.py"       # a code part names its file, next to this TOML
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .._toml import tomllib
from . import flat_toml

MAX_SUBMISSION_BYTES = 32 * 1024 * 1024
MAX_CODE_BYTES = 256 * 1024
MAX_EXERCISES = 500
MAX_KEY = 100
MAX_LINES = 100_000
MAX_ITEMS = 200_000
"""Commas and brackets: tomllib is pure Python (≈ 2.5 s per 10⁶ items), so a file of a million array
items would stall the batch; a real submission has a few hundred."""
SUBMISSION_NAMES = ("submission.toml", "answers.toml")


@dataclass
class Submission:
    path: Path
    student: str
    seed: int = 0
    seed_given: bool = False  # [meta] seed was written (an assignment ignores it, and says so)
    answers: dict[str, dict[str, object]] = field(default_factory=dict)
    error: str | None = None

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path.is_file() or self.path.suffix == ".toml" else self.path


def find_submissions(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Expand PATH arguments: a TOML file; a folder holding one (a single submission); or a folder
    of such files/folders (a batch). Returns (submission paths sorted, error messages).

    Nothing here opens a file: an entry that is not a regular file (a FIFO, a device, a link) is
    still listed, so that reading it gives that submission a 0 with a reason.
    """
    found: list[Path] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            errors.append(f"{raw}: no such file or folder")
            continue
        if not path.is_dir():
            found.append(path)
            continue
        own = _submission_file(path)
        if own is not None:
            found.append(own)
            continue
        for child in sorted(path.iterdir()):
            if not child.is_dir():  # a student folder may be a link (the batch's layout is the instructor's)
                if child.suffix == ".toml":
                    found.append(child)
                continue
            inner = _submission_file(child)
            if inner is not None:
                found.append(inner)
            else:
                tomls = sorted(child.glob("*.toml"))
                found.append(tomls[0] if len(tomls) == 1 else child)
    return sorted(set(found)), errors


def _submission_file(folder: Path) -> Path | None:
    for name in SUBMISSION_NAMES:
        if os.path.lexists(folder / name):
            return folder / name
    return None


def read_regular_file(path: Path, base: Path, limit: int, what: str) -> tuple[bytes | None, str | None]:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else a reason.

    A symbolic link is followed only to a regular file inside ``base``; FIFOs, devices, sockets
    and folders are refused before they are opened (opening a FIFO can block, a device can
    stream forever). Never raises.
    """
    try:
        real, root = os.path.realpath(path), os.path.realpath(base)
        if not real.startswith(root.rstrip("/") + "/"):  # through a link, at any component
            return None, f"{what} is a link to something outside the submission's folder"
        target = Path(real)
        info = os.lstat(target)
        if not stat.S_ISREG(info.st_mode):
            return None, f"{what} is not a regular file ({_kind(info.st_mode)})"
        if info.st_size > limit:
            return None, f"{what} is too large ({info.st_size // 1024} KiB; at most {limit // 1024} KiB)"
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
        fd = os.open(target, flags)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the lstat
                return None, f"{what} is not a regular file"
            chunks, size = [], 0
            while size <= limit:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        return None, f"cannot read {what}: {exc.strerror or exc}"
    if size > limit:
        return None, f"{what} is too large (at most {limit // 1024} KiB)"
    return b"".join(chunks), None


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a plain file"


def read_submission(path: Path) -> Submission:
    student = path.parent.name if path.name in SUBMISSION_NAMES else path.stem
    sub = Submission(path=path, student=student)
    if path.is_dir() and not path.is_symlink():
        sub.error = "no submission.toml in this folder"
        return sub
    raw, problem = read_regular_file(path, path.parent, MAX_SUBMISSION_BYTES, "the submission file")
    if raw is None:
        sub.error = problem
        return sub
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        sub.error = f"the submission is not UTF-8 text (byte {exc.start})"
        return sub
    if text.count("\n") > MAX_LINES or text.count(",") + text.count("[") + text.count("{") > MAX_ITEMS:
        sub.error = f"the submission has too many lines or items (at most {MAX_LINES} lines, {MAX_ITEMS} items)"
        return sub
    try:
        data = flat_toml.loads(text)  # tomllib, faster for the template's shape
    except tomllib.TOMLDecodeError as exc:
        sub.error = f"invalid TOML: {exc}"
        return sub
    except RecursionError:
        sub.error = "invalid TOML: arrays or tables nested too deeply"
        return sub
    meta = data.get("meta", {})
    if isinstance(meta, dict):
        if isinstance(meta.get("student"), (str, int)):
            sub.student = str(meta["student"]).strip()[:200] or sub.student
        seed = meta.get("seed", 0)
        if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**63:
            sub.seed, sub.seed_given = seed, "seed" in meta
        elif "seed" in meta:
            sub.error = "[meta] seed must be a non-negative integer"
            return sub
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        sub.error = "[answers] must be a table of [answers.<exercise-id>] tables"
        return sub
    if len(answers) > MAX_EXERCISES:
        sub.error = f"[answers] holds {len(answers)} exercises; at most {MAX_EXERCISES}"
        return sub
    for exercise_id, parts in answers.items():
        if isinstance(parts, dict):
            sub.answers[_key(exercise_id)] = {_key(k): v for k, v in parts.items()}
        else:
            sub.answers[_key(exercise_id)] = {"": parts}
    return sub


def _key(key: str) -> str:
    """An exercise id or part name as the submission wrote it, cut to MAX_KEY characters: every
    report names unknown ones, and a megabyte-long id made every report line that long (no real
    id or part name comes near the bound, so a cut one is still unknown)."""
    key = str(key)
    return key if len(key) <= MAX_KEY else key[:MAX_KEY] + "…"


def read_code_file(sub: Submission, name: str) -> tuple[str | None, str | None]:
    """The text of a code file named in a submission, confined to the submission's folder."""
    base = sub.path.parent.resolve()
    shown = _key(name)  # as messages quote it
    inside = os.path.normpath(name)
    if os.path.isabs(inside) or inside.split(os.sep)[0] in ("..", ".") or not os.path.lexists(base / inside):
        return None, f"code file {shown!r} not found next to the submission"
    raw, problem = read_regular_file(base / inside, base, MAX_CODE_BYTES, f"code file {shown!r}")
    if raw is None:
        return None, problem
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"cannot read code file {shown!r}: not UTF-8 text (byte {exc.start})"
