"""An assignment file (`assignment.toml`): which exercises and parts are graded, for how many
points, in which order, what students are shown, and how each student's variant is chosen.

    id = "hw3"                          # stable: it feeds every student's seed
    title = "Homework 3: Hessians"
    feedback = "diagnostics"            # full (with the expected answers) | diagnostics | score
    visibility = "after_due_date"       # Gradescope: visible | after_due_date | after_published | hidden
    stdout_visibility = "hidden"        # Gradescope: who sees the autograder's log (default hidden)

    [seed]
    policy = "student"                  # HMAC of the course secret, this id and the student id
    # policy = "fixed"; value = 0       # every student gets the same variant

    [[exercises]]
    id = "grad-quadratic-form"          # every part, the bank's points

    [[exercises]]
    id = "hess-random-quadratic"
    parts = ["a", "b"]                  # only these parts, in this order
    points = 4                          # the exercise's total, shared in proportion to the bank's points

    [[exercises]]
    id = "code-gradient-check"
    points = { a = 5 }                  # points per part: grades exactly these parts

Problems are reported as `file:field: problem`, all of them at once, never as a traceback.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .._toml import tomllib

FEEDBACK_POLICIES = ("full", "diagnostics", "score")
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
SEED_POLICIES = ("student", "fixed")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class AssignmentError(ValueError):
    """The assignment file cannot be used; `problems` holds every `file:field: problem` line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class AssignedPart:
    name: str
    points: float


@dataclass(frozen=True)
class AssignedExercise:
    id: str
    parts: tuple[AssignedPart, ...]

    @property
    def max_score(self) -> float:
        return round(sum(p.points for p in self.parts), 6)

    def part(self, name: str) -> AssignedPart | None:
        return next((p for p in self.parts if p.name == name), None)


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    exercises: tuple[AssignedExercise, ...]
    feedback: str = "diagnostics"
    visibility: str = "visible"
    stdout_visibility: str = "hidden"
    seed_policy: str = "student"
    fixed_seed: int = 0
    path: Path | None = None

    def exercise(self, exercise_id: str) -> AssignedExercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(exercise id, part name) of every graded part, in the assignment's order."""
        return [(e.id, p.name) for e in self.exercises for p in e.parts]

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises), 6)

    @property
    def exercise_ids(self) -> list[str]:
        return [e.id for e in self.exercises]

    @property
    def needs_secret(self) -> bool:
        return self.seed_policy == "student"

    def seed_for(self, student_id: str, key: bytes | None) -> int:
        """The student's variant seed under this assignment's seed policy; `key` is the assignment's
        key (seeds.assignment_key of the course secret), needed for per-student seeds."""
        if self.seed_policy == "fixed":
            return self.fixed_seed
        if key is None:
            raise ValueError(f"assignment {self.id!r} derives seeds per student: give the course secret")
        from .seeds import seed_from_key

        return seed_from_key(key, student_id)


def load_assignment(path: str | Path, bank=None) -> Assignment:
    """Read and validate an assignment file against the bank (default: the package's bank)."""
    path = Path(path)
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssignmentError([f"{name}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssignmentError([f"{name}: cannot read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise AssignmentError([f"{name}:toml: {exc}"]) from None
    if bank is None:
        from ..content.loader import load_bank

        bank = load_bank()
    return parse_assignment(data, name, bank, path)


def parse_assignment(data: dict, name: str, bank, path: Path | None = None) -> Assignment:
    problems: list[str] = []

    def bad(fieldname: str, message: str) -> None:
        problems.append(f"{name}:{fieldname}: {message}")

    known_keys = {"id", "title", "feedback", "visibility", "stdout_visibility", "seed", "exercises"}
    for key in sorted(set(data) - known_keys):
        bad(key, f"unknown key (known: {', '.join(sorted(known_keys))})")
    assignment_id = data.get("id")
    if not isinstance(assignment_id, str) or not _ID_RE.match(assignment_id):
        bad("id", "missing, or not letters, digits, '-', '_' and '.'")
        assignment_id = ""
    title = data.get("title", assignment_id)
    if not isinstance(title, str) or not title.strip():
        bad("title", "must be a non-empty string")
        title = assignment_id
    choices = {"feedback": (FEEDBACK_POLICIES, "diagnostics"), "visibility": (VISIBILITIES, "visible"),
               "stdout_visibility": (VISIBILITIES, "hidden")}
    chosen: dict[str, str] = {}
    for key, (allowed, default) in choices.items():
        value = data.get(key, default)
        if value not in allowed:
            bad(key, f"must be one of {', '.join(allowed)} (got {value!r})")
            value = default
        chosen[key] = value
    seed_policy, fixed_seed = _read_seed(data.get("seed", {}), bad)
    exercises = _read_exercises(data.get("exercises"), bank, bad)
    if problems:
        raise AssignmentError(problems)
    return Assignment(id=assignment_id, title=title.strip(), exercises=tuple(exercises), feedback=chosen["feedback"],
                      visibility=chosen["visibility"], stdout_visibility=chosen["stdout_visibility"],
                      seed_policy=seed_policy, fixed_seed=fixed_seed, path=path)


def _read_seed(raw, bad) -> tuple[str, int]:
    if not isinstance(raw, dict):
        bad("seed", 'must be a table: [seed] policy = "student" (or "fixed" with value = N)')
        return "student", 0
    policy = raw.get("policy", "student")
    if policy not in SEED_POLICIES:
        bad("seed.policy", f"must be one of {', '.join(SEED_POLICIES)} (got {policy!r})")
        return "student", 0
    value = raw.get("value", 0)
    if policy == "fixed" and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63):
        bad("seed.value", "must be a non-negative integer")
        value = 0
    if policy == "student" and "value" in raw:
        bad("seed.value", 'only for policy = "fixed" (per-student seeds come from the course secret)')
    return policy, int(value) if policy == "fixed" else 0


def _read_exercises(raw, bank, bad) -> list[AssignedExercise]:
    if not isinstance(raw, list) or not raw:
        bad("exercises", "at least one [[exercises]] table with an id is needed")
        return []
    out: list[AssignedExercise] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"exercises[{i}]"
        if not isinstance(entry, dict):
            bad(where, "must be a table with an id")
            continue
        for key in sorted(set(entry) - {"id", "parts", "points"}):
            bad(f"{where}.{key}", "unknown key (known: id, parts, points)")
        ex_id = entry.get("id")
        if not isinstance(ex_id, str) or not ex_id:
            bad(f"{where}.id", "missing or not a string")
            continue
        ex = bank.get(ex_id)
        if ex is None:
            from ..content.banks import unknown_exercise_hint

            bad(f"{where}.id", f"unknown exercise {ex_id!r}{unknown_exercise_hint()}")
            continue
        if ex_id in seen:
            bad(f"{where}.id", f"{ex_id!r} is listed twice")
            continue
        seen.add(ex_id)
        parts = _read_parts(ex, entry, where, bad)
        if parts:
            out.append(AssignedExercise(ex_id, tuple(parts)))
    return out


def _read_parts(ex, entry: dict, where: str, bad) -> list[AssignedPart]:
    bank_points = {p.name: float(p.points) for p in ex.parts}
    points = entry.get("points")
    names = entry.get("parts")
    if names is None:
        names = list(points) if isinstance(points, dict) else list(bank_points)
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        bad(f"{where}.parts", "must be a non-empty list of part names")
        return []
    unknown = [n for n in names if n not in bank_points]
    if unknown:
        bad(f"{where}.parts", f"{ex.id} has no part {', '.join(map(repr, unknown))} "
                              f"(parts: {', '.join(bank_points)})")
        return []
    if len(set(names)) != len(names):
        bad(f"{where}.parts", "a part is listed twice")
        return []
    if points is None:
        return [AssignedPart(n, bank_points[n]) for n in names]
    if isinstance(points, dict):
        extra = [k for k in points if k not in names]
        if extra:
            bad(f"{where}.points", f"points for part(s) not graded here: {', '.join(extra)}")
        values = {}
        for n in names:
            value = points.get(n, bank_points[n])
            if not _is_points(value):
                bad(f"{where}.points.{n}", "must be a number ≥ 0")
                return []
            values[n] = float(value)
        return [AssignedPart(n, values[n]) for n in names]
    if not _is_points(points):
        bad(f"{where}.points", "must be a number ≥ 0, or a table of part = points")
        return []
    weights = [bank_points[n] for n in names]
    total = sum(weights)
    shares = [w / total if total else 1 / len(names) for w in weights]
    return [AssignedPart(n, round(float(points) * s, 6)) for n, s in zip(names, shares, strict=True)]


def _is_points(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e9
