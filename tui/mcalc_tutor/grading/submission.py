"""Reading submissions: a TOML file of answers (plus code files beside it), or a directory
holding one. Reading never raises: a broken submission becomes a Submission with `error` set.

    [meta]
    student = "s1234567"
    seed = 7                      # the student's variant of randomized exercises

    [answers.grad-quadratic-form]
    b = "(A + A^T) x"
    [answers.code-gradient-check]
    a = "gradient_check.py"       # a code part names its file, next to this TOML
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .._toml import tomllib

MAX_SUBMISSION_BYTES = 32 * 1024 * 1024
MAX_CODE_BYTES = 256 * 1024
SUBMISSION_NAMES = ("submission.toml", "answers.toml")


@dataclass
class Submission:
    path: Path
    student: str
    seed: int = 0
    answers: dict[str, dict[str, object]] = field(default_factory=dict)
    error: str | None = None

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path.is_file() or self.path.suffix == ".toml" else self.path


def find_submissions(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Expand PATH arguments: a TOML file; a folder holding one (a single submission); or a folder
    of such files/folders (a batch). Returns (submission paths sorted, error messages)."""
    found: list[Path] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            errors.append(f"{raw}: no such file or folder")
            continue
        if path.is_file():
            found.append(path)
            continue
        own = _submission_file(path)
        if own is not None:
            found.append(own)
            continue
        for child in sorted(path.iterdir()):
            if child.is_file() and child.suffix == ".toml":
                found.append(child)
            elif child.is_dir():
                inner = _submission_file(child)
                if inner is not None:
                    found.append(inner)
                else:
                    tomls = sorted(child.glob("*.toml"))
                    found.append(tomls[0] if len(tomls) == 1 else child)
    return sorted(set(found)), errors


def _submission_file(folder: Path) -> Path | None:
    for name in SUBMISSION_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def read_submission(path: Path) -> Submission:
    student = path.parent.name if path.name in SUBMISSION_NAMES else path.stem
    sub = Submission(path=path, student=student)
    if path.is_dir():
        sub.error = "no submission.toml in this folder"
        return sub
    try:
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            sub.error = f"the submission file is too large ({size // 1024 // 1024} MB)"
            return sub
        raw = path.read_bytes()
    except OSError as exc:
        sub.error = f"cannot read the submission: {exc.strerror or exc}"
        return sub
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        sub.error = f"the submission is not UTF-8 text (byte {exc.start})"
        return sub
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        sub.error = f"invalid TOML: {exc}"
        return sub
    meta = data.get("meta", {})
    if isinstance(meta, dict):
        if isinstance(meta.get("student"), (str, int)):
            sub.student = str(meta["student"])[:200]
        seed = meta.get("seed", 0)
        if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**63:
            sub.seed = seed
        elif "seed" in meta:
            sub.error = "[meta] seed must be a non-negative integer"
            return sub
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        sub.error = "[answers] must be a table of [answers.<exercise-id>] tables"
        return sub
    for exercise_id, parts in answers.items():
        if isinstance(parts, dict):
            sub.answers[str(exercise_id)] = {str(k): v for k, v in parts.items()}
        else:
            sub.answers[str(exercise_id)] = {"": parts}
    return sub


def read_code_file(sub: Submission, name: str) -> tuple[str | None, str | None]:
    """The text of a code file named in a submission, confined to the submission's folder."""
    base = sub.path.parent.resolve()
    target = (base / name).resolve()
    if base not in target.parents or not target.is_file():
        return None, f"code file {name!r} not found next to the submission"
    if target.stat().st_size > MAX_CODE_BYTES:
        return None, f"code file {name!r} is too large (at most {MAX_CODE_BYTES // 1024} KB)"
    try:
        return target.read_text(encoding="utf-8"), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read code file {name!r}: {exc}"
