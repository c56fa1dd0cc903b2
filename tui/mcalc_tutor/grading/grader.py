"""Grading submissions part by part: each part is graded independently, and a bad part (or a
bad submission) never sinks the rest of the batch. Output order is fixed, so the same input gives
the same bytes out.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..checking.verdict import CORRECT, INCORRECT, INVALID, PARTIAL
from .assignment import Assignment
from .roster import Roster
from .submission import Submission, read_code_file, read_submission
from .text import escape_controls

MISSING = "missing"
INTERNAL_ERROR = "internal error"
"""How the result of a submission whose grading failed (a grader bug) begins its error."""
NOT_GRADED = "ungraded"
"""A code part that was not run because no real sandbox is available (and --unsandboxed was not given)."""


@dataclass
class PartResult:
    exercise: str
    part: str
    status: str
    score: float
    max_score: float
    feedback: str
    diagnostics: list[str] = field(default_factory=list)
    interpreted: str | None = None
    # what to re-teach, the same across variants: "mistake: <listed feedback>", a diagnostic code,
    # or "test: <name>" for a failing test of a code part
    misconceptions: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The fields in declaration order (what dataclasses.asdict gives, without its deep copy)."""
        return {"exercise": self.exercise, "part": self.part, "status": self.status, "score": self.score,
                "max_score": self.max_score, "feedback": self.feedback, "diagnostics": list(self.diagnostics),
                "interpreted": self.interpreted, "misconceptions": list(self.misconceptions)}


@dataclass
class SubmissionResult:
    submission: str
    student: str
    seed: int
    parts: list[PartResult]
    error: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """For the instructor: another submission claims the same student (mark_duplicates), a
    [meta] seed that was ignored (grade_assigned)."""
    segments: list[int] = field(default_factory=list, repr=False, compare=False)
    """Beside `parts`: the place in the submission's order of the exercise each part belongs to,
    so that the parts graded by several processes (each a Share of the exercises) can be put back
    in order (batch._merge). Not part of any report."""

    def add(self, segment: int, parts: list[PartResult]) -> None:
        self.parts.extend(parts)
        self.segments.extend([segment] * len(parts))

    @property
    def status(self) -> str:
        """``duplicate`` (another submission claims this student), ``error`` or ``ok``."""
        if any(w.startswith(DUPLICATE) for w in self.warnings):
            return "duplicate"
        return "error" if self.error else "ok"

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.parts), 6)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_score for p in self.parts), 6)

    def to_json(self) -> dict:
        data = {"submission": self.submission, "student": self.student, "seed": self.seed,
                "score": self.score, "max_score": self.max_score, "status": self.status,
                "parts": [p.to_json() for p in self.parts]}
        if self.error:
            data["error"] = self.error
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data


DUPLICATE = "duplicate student"


def mark_duplicates(results: list[SubmissionResult]) -> list[SubmissionResult]:
    """Flag every submission whose student (ignoring case and spaces) another one also claims.

    Idempotent, so that every report can call it on what it is given.
    """
    claims: dict[str, list[SubmissionResult]] = {}
    for r in results:
        claims.setdefault(" ".join(r.student.split()).casefold(), []).append(r)
    for group in claims.values():
        for r in group:
            r.warnings = [w for w in r.warnings if not w.startswith(DUPLICATE)]
            if len(group) > 1:
                others = ", ".join(o.submission for o in group if o is not r)
                r.warnings.append(f"{DUPLICATE}: {r.student!r} is also claimed by {others}")
    return results


class PartCache:
    """Math-part results already given in a batch, per (exercise variant, part, answer text).

    Many students type the same answer, and a math part's result depends on nothing else. The
    variant is keyed by its parameter values and option orders, not by the seed: students whose
    seeds draw the same ones (every student, for an exercise without parameters) share one entry. Code parts are
    never cached (their instances depend on the student).

    `shared`: hand out the kept result itself, not a copy — for a batch worker, whose results are
    packed (by identity: batch._pack) and sent away at once; nothing may change them there, and
    grading under an assignment copies a part before rescaling it.
    """

    def __init__(self, limit: int = 200_000, *, shared: bool = False):
        self.limit = limit
        self.hits = 0
        self.shared = shared
        self._results: dict[tuple, PartResult] = {}

    def result(self, key: tuple, ex, variant, part, answer: str) -> PartResult:
        """The result for `key` (a fresh copy, unless shared): the one kept, or `_check_math`'s, kept
        on a miss."""
        found = self._results.get(key)
        if found is None:
            found = _check_math(ex, variant, part, answer)
            if len(self._results) < self.limit:
                self._results[key] = found
        else:
            self.hits += 1
        if self.shared:
            return found
        return PartResult(found.exercise, found.part, found.status, found.score, found.max_score, found.feedback,
                          list(found.diagnostics), found.interpreted, list(found.misconceptions))


def _variant_key(ex, variant) -> tuple:
    # the option orders too: two seeds with the same numbers may show a choice's options apart
    return (ex.id, str(ex.path), repr(sorted(variant.values.items())), repr(sorted(variant.orders.items())))


_PLANS: dict[int, tuple] = {}
"""id(variant) → (variant, its cache key, its part names): what every submission of that variant
needs, made once (the variant is held, so its id is not reused while the entry lives)."""


def _plan(ex, variant) -> tuple[tuple, frozenset[str]]:
    found = _PLANS.get(id(variant))
    if found is None or found[0] is not variant:
        if len(_PLANS) >= 8192:
            _PLANS.clear()
        found = _PLANS[id(variant)] = (variant, _variant_key(ex, variant), frozenset(p.name for p in variant.parts))
    return found[1], found[2]


@dataclass(frozen=True)
class Share:
    """The exercises one of several processes grades: those `owners` gives to `group` (any other id
    to group 0, as are the notes about answers outside the assignment). Every process grades every
    submission, each its own exercises, so that no two check the same answers (batch.py)."""

    group: int
    owners: dict[str, int]

    def owns(self, exercise_id: str) -> bool:
        return self.owners.get(exercise_id, 0) == self.group

    @property
    def tail(self) -> bool:
        return self.group == 0


def grade_path(path: Path, exercises: list[str] | None = None, *, unsandboxed: bool = False,
               secret: bytes | None = None, cache: PartCache | None = None,
               share: Share | None = None) -> SubmissionResult:
    """Read and grade one submission; never raises.

    Code parts run only inside bubblewrap unless ``unsandboxed`` (code you trust); ``secret`` (the
    course secret) makes each student's hidden-test instances unguessable from the package.
    ``cache`` (shared by a batch) reuses the results of math answers already checked; ``share``:
    only these exercises.
    """
    start = time.perf_counter()
    try:
        sub = read_submission(path)
        result = grade_submission(sub, exercises, unsandboxed=unsandboxed, secret=secret, cache=cache, share=share)
    except Exception as exc:  # a grader bug must not sink the batch: report it on this submission
        result = SubmissionResult(str(path), path.stem, 0, [], error=f"{INTERNAL_ERROR}: {type(exc).__name__}")
    result.seconds = time.perf_counter() - start
    return result


def grade_submission(sub: Submission, exercises: list[str] | None = None, *, unsandboxed: bool = False,
                     secret: bytes | None = None, cache: PartCache | None = None,
                     share: Share | None = None) -> SubmissionResult:
    from ..content.loader import load_bank

    bank = load_bank()
    result = SubmissionResult(str(sub.path), sub.student, sub.seed, [], error=sub.error)
    wanted = list(exercises) if exercises else list(sub.answers)
    for segment, exercise_id in enumerate(wanted):
        if share is not None and not share.owns(exercise_id):
            continue
        ex = bank.get(exercise_id)
        given = sub.answers.get(exercise_id, {})
        if ex is None:
            result.add(segment, [PartResult(exercise_id, "*", INVALID, 0.0, 0.0, f"unknown exercise {exercise_id!r}")])
            continue
        result.add(segment, _grade_exercise(ex, given, sub, _CodePolicy(unsandboxed, secret), cache))
    if exercises and (share is None or share.tail):  # answers outside the assignment are reported, not graded
        result.add(len(wanted), [PartResult(exercise_id, "*", INVALID, 0.0, 0.0, "not part of this assignment (ignored)")
                                 for exercise_id in sorted(set(sub.answers) - set(exercises))])
    return result


def instance_seed(secret: bytes, exercise: str, student: str) -> int:
    """The seed of a student's hidden-test instances: HMAC-SHA256(secret, exercise, student).

    Without the course secret, knowing the package (its generators) and the submission does not
    tell which instances a student's code is tested on.
    """
    message = exercise.encode("utf-8") + b"\x00" + student.encode("utf-8", "surrogatepass")
    return int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:8], "big") >> 1


@dataclass(frozen=True)
class _CodePolicy:
    unsandboxed: bool = False
    secret: bytes | None = None


def _grade_exercise(ex, given: dict, sub: Submission, policy: _CodePolicy,
                    cache: PartCache | None = None) -> list[PartResult]:
    from ..content.variants import make_variant

    variant = make_variant(ex, sub.seed)
    variant_key, known = _plan(ex, variant)
    out = []
    for part in variant.parts:
        answer = given.get(part.name)
        if part.kind == "code":
            out.append(_grade_code(ex, part, answer, sub, policy))
            continue
        if type(answer) is str and answer.strip():  # the common case first: a typed answer
            out.append(_check_math(ex, variant, part, answer) if cache is None
                       else cache.result((variant_key, part.name, answer), ex, variant, part, answer))
            continue
        if sub.error is not None and answer is None:
            out.append(PartResult(ex.id, part.name, INVALID, 0.0, part.points, sub.error))
            continue
        if answer is None or (isinstance(answer, str) and not answer.strip()):  # a template's blank
            out.append(PartResult(ex.id, part.name, MISSING, 0.0, part.points, "no answer given"))
            continue
        if not isinstance(answer, (str, int, float)) or isinstance(answer, bool):
            out.append(PartResult(ex.id, part.name, INVALID, 0.0, part.points,
                                  "the answer must be a string (in quotes)"))
            continue
        text = str(answer)
        out.append(_check_math(ex, variant, part, text) if cache is None
                   else cache.result((variant_key, part.name, text), ex, variant, part, text))
    if not known.issuperset(given):
        for name in sorted(set(given) - known):
            out.append(PartResult(ex.id, name or "*", INVALID, 0.0, 0.0,
                                  f"{ex.id} has no part {name!r} (parts: {', '.join(sorted(known))})"))
    return out


def _check_math(ex, variant, part, answer: str) -> PartResult:
    from ..content.answers import check_part

    verdict = check_part(variant, part, answer)
    return PartResult(ex.id, part.name, verdict.status, verdict.score, part.points,
                      _feedback(verdict), [d.code for d in verdict.diagnostics], verdict.interpreted,
                      _misconceptions(ex, part, verdict))


def _feedback(verdict) -> str:
    lines = [verdict.message]
    lines += [d.message for d in verdict.diagnostics if d.message != verdict.message]
    if verdict.interpreted and verdict.status != CORRECT:
        lines.append(f"(read as {verdict.interpreted})")
    return " ".join(lines)


def _grade_code(ex, part, answer, sub: Submission, policy: _CodePolicy) -> PartResult:
    name = answer if isinstance(answer, str) else None
    if name is None and (sub.path.parent / part.stub).is_file() and sub.error is None:
        name = part.stub
    if name is None:
        return PartResult(ex.id, part.name, MISSING, 0.0, part.points,
                          f"no code file (name it {part.stub} next to the submission)")
    code, problem = read_code_file(sub, name)
    if problem or code is None:
        return PartResult(ex.id, part.name, INVALID, 0.0, part.points, problem or "the code file could not be read")
    from .runner import NEEDS_BUBBLEWRAP, run_challenge, sandbox_status

    mode, why = sandbox_status()
    if mode != "bwrap" and not policy.unsandboxed:
        return PartResult(ex.id, part.name, NOT_GRADED, 0.0, part.points, f"not graded: this code part "
                          f"{NEEDS_BUBBLEWRAP} ({why})")
    seed = sub.seed if policy.secret is None else instance_seed(policy.secret, ex.id, sub.student)
    result = run_challenge(part.challenge, {part.stub: code}, seed=seed)
    fraction = result.score / result.max_score if result.max_score else 0.0
    status = CORRECT if fraction >= 1 else (PARTIAL if fraction > 0 else INCORRECT)
    lines = [f"{'PASS' if t.passed else 'FAIL'} {t.name}: {escape_controls(t.message)}" for t in result.tests]
    if result.error:
        lines.insert(0, escape_controls(result.error))
    if result.warning:
        lines.append(result.warning)
    failing = [t.name for t in result.tests if not t.passed]
    return PartResult(ex.id, part.name, status, round(fraction * part.points, 6), part.points,
                      "\n".join(lines), [f"test:{name}" for name in failing],
                      misconceptions=[f"test: {name}" for name in failing])


_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


def _misconceptions(ex, part, verdict) -> list[str]:
    """Name each finding so that it is the same in every variant: a listed mistake by its feedback as
    written in the bank ({a} shown as a), any other diagnostic by its code (only when no listed
    mistake matched)."""
    raw = ex.part(part.name)
    out: list[str] = []
    for d in verdict.diagnostics:
        label = d.code
        if d.code == "mistake":
            index = next((i for i, m in enumerate(part.mistakes) if m.feedback == d.message), None)
            text = raw.mistakes[index].feedback if raw is not None and index is not None else d.message
            label = "mistake: " + _PLACEHOLDER.sub(r"\1", " ".join(text.split()))
        if label not in out:
            out.append(label)
    if any(label.startswith("mistake: ") for label in out):
        # the instructor's name for this wrong answer: a generic check that also fired on it (2Ax
        # also trips "symmetric") is the same finding, and counted again it split the re-teach list
        out = [label for label in out if label.startswith("mistake: ")]
    return out


def grade_assigned(path: Path, assignment: Assignment, key: bytes | None = None,
                   student: str | None = None, *, unsandboxed: bool = False, roster: Roster | None = None,
                   cache: PartCache | None = None, share: Share | None = None) -> SubmissionResult:
    """Grade one submission against an assignment: its exercises and parts in its order, its points,
    and the student's own variant: the seed comes from the student id under the assignment's `key`
    (seeds.assignment_key), never from the file.
    `student` overrides the id the submission gives (Gradescope's submitter); with a roster, a student
    who wrote their email is graded under their roster id. The same key seeds the hidden tests of
    code parts (instance_seed). Never raises."""
    start = time.perf_counter()
    sub = read_submission(path)
    if student:
        sub.student = student
    known = roster.find(sub.student) if roster is not None else None
    if known is not None:
        sub.student = known.id
    try:
        result = _grade_assigned(sub, assignment, key, _CodePolicy(unsandboxed, key), cache, share)
    except Exception as exc:  # a grader bug must not sink the batch: report it on this submission
        result = SubmissionResult(str(path), sub.student, sub.seed, [], error=f"{INTERNAL_ERROR}: {type(exc).__name__}")
    result.seconds = time.perf_counter() - start
    return result


def _grade_assigned(sub: Submission, assignment: Assignment, key: bytes | None,
                    policy: _CodePolicy, cache: PartCache | None = None, share: Share | None = None
                    ) -> SubmissionResult:
    from ..content.loader import load_bank

    bank = load_bank()
    seed = assignment.seed_for(sub.student, key)
    warnings = []
    written = sub.seed if sub.seed_given else None
    if written is not None and written != seed:
        warnings.append(f"[meta] seed = {written} ignored: this student's seed is {seed}")
    sub.seed = seed
    result = SubmissionResult(str(sub.path), sub.student, seed, [], error=sub.error, warnings=warnings)
    for segment, assigned in enumerate(assignment.exercises):
        if share is not None and not share.owns(assigned.id):
            continue
        ex = bank.get(assigned.id)
        given = sub.answers.get(assigned.id, {})
        if ex is None:  # the bank changed since the assignment was loaded
            result.add(segment, [PartResult(assigned.id, p.name, INVALID, 0.0, p.points,
                                            f"unknown exercise {assigned.id!r}") for p in assigned.parts])
            continue
        graded = {p.part: replace(p) for p in _grade_exercise(ex, given, sub, policy, cache)}  # rescaled below
        bank_points = {p.name: p.points for p in ex.parts}
        kept = []
        for part in assigned.parts:
            p = graded.pop(part.name)
            full = bank_points[part.name]
            p.score = round(p.score / full * part.points, 6) if full else 0.0
            p.max_score = part.points
            kept.append(p)
        for name, p in graded.items():  # answered parts outside the assignment, or parts that do not exist
            if p.status == MISSING or (name in bank_points and name not in given):
                continue  # not written (an unreadable file marks every part invalid: not the student's extra)
            if name in bank_points:
                p.status, p.feedback = INVALID, "not part of this assignment (ignored)"
            p.score = p.max_score = 0.0
            kept.append(p)
        result.add(segment, kept)
    if share is None or share.tail:
        result.add(len(assignment.exercises),
                   [PartResult(exercise_id, "*", INVALID, 0.0, 0.0, "not part of this assignment (ignored)")
                    for exercise_id in sorted(set(sub.answers) - set(assignment.exercise_ids))])
    return result


def for_students(result: SubmissionResult, policy: str) -> SubmissionResult:
    """What a student may see under the assignment's feedback policy: `score` keeps only status and
    points; `diagnostics` keeps the feedback (which never holds the expected answer); `full` adds the
    expected answer of each part not answered correctly (for after the due date)."""
    parts = []
    for p in result.parts:
        if policy == "score":
            q = replace(p, feedback="", diagnostics=[], interpreted=None, misconceptions=[])
        elif policy == "full" and p.status != CORRECT:
            expected = _expected_answer(p, result.seed)
            q = replace(p, feedback=p.feedback + (f"\nExpected: {expected}" if expected else ""))
        else:
            q = replace(p)
        parts.append(q)
    return replace(result, parts=parts, warnings=[])


def _expected_answer(p: PartResult, seed: int) -> str | None:
    from ..content.loader import load_bank
    from ..content.variants import make_variant

    ex = load_bank().get(p.exercise)
    if ex is None or ex.part(p.part) is None:
        return None
    part = make_variant(ex, seed).part(p.part)
    if part is None or part.kind == "code" or part.answer is None:
        return None
    if isinstance(part.answer, list):  # critical points: [{at, type}]
        return "; ".join(f"{q.get('at', '')} {q.get('type', '')}".strip() for q in part.answer)
    return str(part.answer)


def max_score_warning(results: list[SubmissionResult]) -> str | None:
    """Without an assignment each submission is graded on what it answers, so a student who answers
    one exercise can score full marks: a batch graded that way says so."""
    if len(results) < 2:
        return None
    maxima = {r.max_score for r in results}
    differ = (f"maximum scores differ between students ({min(maxima):g} to {max(maxima):g})" if len(maxima) > 1
              else "maximum scores can differ between students")
    return f"{differ}: without --assignment each submission is graded on the exercises it answers"
