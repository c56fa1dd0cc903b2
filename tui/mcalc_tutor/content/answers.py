"""Checking a learner's answer to one part of an exercise variant, whatever the part's kind.

The answer is read by `reading.read_answer` (the reader the live preview uses too); expression-like
parts then go through the layered equivalence check, and choice, points and number parts have
their own small judges; steps and iterates parts are judged line by line (checking/steps.py,
checking/iterates.py). Never raises on anything a learner types.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from ..checking.equivalence import ExpectedAnswerError, Mistake, judge
from ..checking.reference import reference
from ..checking.verdict import CORRECT, INCORRECT, INVALID, PARTIAL, Diagnostic, Verdict, invalid
from ..checking.withhold import answer_forms, withhold
from ..mathlang import MathError, SymbolTable, read
from ..mathlang import ast as A
from ..mathlang.evaluate import DomainError, evaluate
from .form import pieces
from .model import EXACT_RTOL, Part
from .precision import Judgement, Literal, Precision, entry_literals, entry_names, judge_entries
from .reading import Reading, read_answer, text_problem
from .variants import Variant

if TYPE_CHECKING:
    from ..checking.iterates import IteratesVerdict
    from ..checking.steps import StepsVerdict


def check_part(variant: Variant, part: Part, answer: str, *, reveal: bool = False) -> Verdict:
    """Grade `answer` for `part` of `variant`; the score is scaled to the part's points.

    reveal: the learner has seen the solution (or the instructor asked for full feedback), so
    feedback may state the expected answer; otherwise it never does."""
    problem = text_problem(answer)
    if problem:
        return invalid(problem)
    if part.kind == "code":
        return invalid("code parts are graded by running them: use the app or `mcalc-tutor grade`")
    if part.kind in ("steps", "iterates"):
        verdict = _check_steps(variant, part, answer) if part.kind == "steps" else _check_iterates(part, answer)
        verdict.score = round(verdict.score * part.points, 6)
        return verdict
    if part.kind not in ("choice", "points", "number"):
        try:  # an authoring error is reported before anything about the answer
            reference(str(part.answer), variant.symbols)
        except ExpectedAnswerError as exc:
            return _broken(exc)
    reading = read_answer(part, answer, variant.symbols)
    if reading.form_error:
        verdict = _form_error(variant.symbols, part, reading, reveal)
    elif not reading.ok:
        return _unreadable(reading)
    elif part.kind == "choice":
        verdict = _check_choice(part, reading)
    elif part.kind == "points":
        verdict = _check_points(part, reading)
    elif part.kind == "number":
        verdict = _check_number(part, reading, reveal)
    else:
        verdict = _check_expression(variant.symbols, part, reading, reveal)
    verdict.score = round(verdict.score * part.points, 6)
    return verdict


def steps_verdict(variant: Variant, part: Part, answer: str) -> StepsVerdict:
    """A steps part's derivation judged line by line (checking/steps.py), with each line's verdict
    for the app's box (`lines[i].ok`, `.diagnostics`, `.row`) and `first_broken`. Raises
    ExpectedAnswerError or MathError when the part itself is broken."""
    from ..checking.steps import check_steps
    from .reading import part_symbols

    mistakes = [Mistake(m.answer, m.feedback) for m in part.mistakes]
    return check_steps(answer, part_symbols(part, variant.symbols), start=part.start,
                       expected=None if part.answer is None else str(part.answer), mistakes=mistakes)


def iterates_verdict(part: Part, answer: str) -> IteratesVerdict:
    """An iterates part's answer, each iterate one update of the lab's rule from the learner's
    previous one (checking/iterates.py). Raises ValueError when the part itself is broken."""
    from ..checking.iterates import check_iterates, method, objective_from

    m = method(str(part.method), objective_from(part.objective), lr=part.lr, x0=part.x0, params=part.hyperparameters,
               batches=part.batches)
    return check_iterates(m, answer, k=part.count)


def _check_steps(variant: Variant, part: Part, answer: str) -> Verdict:
    reading = read_answer(part, answer, variant.symbols)
    if not reading.ok:
        return _unreadable(reading)
    try:
        return steps_verdict(variant, part, answer).as_verdict()
    except (ExpectedAnswerError, MathError) as exc:
        return _broken(exc)


def _check_iterates(part: Part, answer: str) -> Verdict:
    reading = read_answer(part, answer, SymbolTable())
    if not reading.ok:
        return _unreadable(reading)
    try:
        return iterates_verdict(part, answer).as_verdict(read_as=reading.interpreted)
    except ValueError as exc:
        return _broken(exc)


def _unreadable(reading: Reading) -> Verdict:
    if reading.kind == "points":  # a point's column is within the point, not the whole answer
        return invalid(reading.error or "")
    return invalid(reading.error or "", reading.column, reading.caret)


def _form_error(symbols: SymbolTable, part: Part, reading: Reading, reveal: bool) -> Verdict:
    """Not in the form asked: `invalid` (not a wrong attempt), unless it is a misconception the part
    lists, whose feedback is more use to the learner than "write it another way"."""
    if part.kind != "number" and part.mistakes:
        verdict = _check_expression(symbols, part, reading, reveal)
        if verdict.status == INCORRECT and verdict.codes[:1] == ["mistake"]:
            return verdict
    verdict = _unreadable(reading)
    verdict.interpreted, verdict.shape = reading.interpreted, reading.shape
    return verdict


def _broken(exc: Exception) -> Verdict:
    return invalid(f"this part's expected answer is broken ({exc}); please report it")


def _check_expression(symbols: SymbolTable, part: Part, reading: Reading, reveal: bool = False) -> Verdict:
    assert reading.typed is not None
    if part.precision.stated:  # a constant vector or matrix with a stated precision: judged entry by entry
        numeric = _constant_values(part, reading)
        if numeric is not None:
            return _judge_numbers(part, reading, *numeric, reveal=reveal)
    mistakes = [Mistake(m.answer, m.feedback) for m in part.mistakes]
    layout = "either" if part.layout == "either" else "exact"
    try:
        return judge(str(part.answer), reading.typed, symbols, mistakes=mistakes, layout=layout, reveal=reveal)
    except ExpectedAnswerError as exc:  # an authoring error: never blame the learner
        return _broken(exc)


def _check_choice(part: Part, reading: Reading) -> Verdict:
    letters = set(reading.letters)
    expected = {a.strip() for a in str(part.answer).split(",")}
    shown = ", ".join(sorted(letters))
    if letters == expected:
        return Verdict(CORRECT, 1.0, "Correct.", interpreted=shown)
    diagnostics = [Diagnostic("mistake", m.feedback) for m in part.mistakes
                   if {a.strip() for a in m.answer.lower().split(",")} == letters]
    message = diagnostics[0].message if diagnostics else "Not the right choice."
    if len(expected) > 1 and letters and letters < expected:
        message = "Some of the right choices, but not all of them." if not diagnostics else message
    return Verdict(INCORRECT, 0.0, message, interpreted=shown, diagnostics=diagnostics)


@lru_cache(maxsize=4096)
def constant(text: str) -> np.ndarray:
    """The value of a constant written in the bank (an expected answer, a listed mistake), read once:
    every check of a numeric part needs them, and reading them was a fifth of a batch's checking.
    Read-only, as it is shared."""
    value = evaluate(read(text, SymbolTable()), {}, {})
    value.setflags(write=False)
    return value


def _check_number(part: Part, reading: Reading, reveal: bool = False) -> Verdict:
    typed = reading.typed
    assert typed is not None
    try:
        expected = constant(str(part.answer))
    except (MathError, DomainError) as exc:
        return invalid(f"this part's expected answer is broken ({exc}); please report it")
    interpreted = reading.interpreted
    if typed.shape != expected.shape:
        return Verdict(INCORRECT, 0.0, f"A {'number' if expected.shape == (1, 1) else 'vector'} is expected here.",
                       interpreted=interpreted, diagnostics=[Diagnostic("shape", "Wrong shape.")])
    try:
        value = evaluate(typed, {}, {})
    except DomainError:
        return invalid("that value is undefined")
    return _judge_numbers(part, reading, value, expected, reveal=reveal)


def _constant_values(part: Part, reading: Reading) -> tuple[np.ndarray, np.ndarray] | None:
    """The answer's and the expected answer's values when both are constants of one shape."""
    assert reading.typed is not None
    if any(p.key.startswith("sym:") for p in pieces(reading.typed.tree)):
        return None
    try:
        value = evaluate(reading.typed, {}, {})
        expected = constant(str(part.answer))
    except (MathError, DomainError, KeyError, ValueError, TypeError):  # not a constant after all (I, …)
        return None
    return (value, expected) if value.shape == expected.shape else None


def _judge_numbers(part: Part, reading: Reading, value: np.ndarray, expected: np.ndarray, *,
                   reveal: bool = False) -> Verdict:
    """A numeric answer, entry by entry, under the part's stated precision."""
    assert reading.typed is not None
    precision, interpreted = part.precision, reading.interpreted
    literals = entry_literals(reading.typed.tree, reading.checked_text)
    judged = judge_entries(value, expected, literals, precision)
    if judged.correct:
        return Verdict(CORRECT, 1.0, "Correct.", interpreted=interpreted, method="numeric")
    several = value.size > 1

    def agrees(other: np.ndarray) -> bool:
        return other.shape == value.shape and judge_entries(value, other, literals, precision).correct

    def is_listed(other: np.ndarray) -> bool:  # the value itself, however many digits it was given with
        return agrees(other) or (other.shape == value.shape and bool(np.allclose(value, other, rtol=1e-9, atol=0)))

    # A listed misconception is named before any complaint about digits: "80" for a part asking 3
    # significant figures is that mistake, not a rounding problem.
    diagnostics, listed = [], False
    for m in part.mistakes:
        try:
            if is_listed(constant(m.answer)):
                listed = True
                feedback = m.feedback if reveal else withhold(m.feedback, answer_forms(str(part.answer), SymbolTable()))
                if feedback:
                    diagnostics.append(Diagnostic("mistake", feedback))
                break
        except (MathError, DomainError):
            continue
    if not listed and (judged.not_exact or judged.too_few):
        verdict = invalid(_digits_message(judged, precision, literals, value.shape, several))
        verdict.interpreted = interpreted
        return verdict
    if not diagnostics and agrees(-expected) and np.any(expected != 0):
        diagnostics.append(Diagnostic("sign", "Check the sign."))
    off = [i for i, right in enumerate(judged.right) if not right]
    message = diagnostics[0].message if diagnostics else (
        f"Not the right value: {entry_names(off, value.shape)} {'is' if len(off) == 1 else 'are'} off."
        if several else "Not the right value.")
    return Verdict(INCORRECT, 0.0, message, interpreted=interpreted, diagnostics=diagnostics)


def _digits_message(judged: Judgement, precision: Precision, literals: list[Literal] | None,
                    shape: tuple[int, ...], several: bool) -> str:
    if judged.not_exact:
        where = f" ({entry_names(judged.not_exact, shape)})" if several else ""
        return f"this part asks for the exact value: write it as a fraction or with sqrt(…), not as a decimal{where}"
    unit = "significant figures" if precision.mode == "sigfigs" else "decimal places"
    if several or literals is None:
        return (f"{entry_names(judged.too_few, shape)} {'has' if len(judged.too_few) == 1 else 'have'} fewer than "
                f"{precision.digits} {unit}: give at least {precision.digits}, correctly rounded")
    given = literals[0].sigfigs if precision.mode == "sigfigs" else literals[0].decimals
    return f"your answer has {given} {unit}; give at least {precision.digits}, correctly rounded"


def _check_points(part: Part, reading: Reading) -> Verdict:
    given = []
    for point in reading.points:
        try:
            given.append((evaluate(point.typed, {}, {}).ravel(), point.point_type, point.shown))
        except DomainError:
            return invalid(f"the point {point.coords!r} is undefined")
    expected = []
    for p in part.answer if isinstance(part.answer, list) else []:
        value = evaluate(read(p["at"], SymbolTable()), {}, {}).ravel()
        expected.append((value, p["type"]))
    exact = part.precision.mode == "exact"
    if exact:
        rounded = [point.coords.strip() for point, (value, _, _) in zip(reading.points, given, strict=True)
                   if _rounds_a_point(point.typed.tree, point.coords, value, [ev for ev, _ in expected])]
        if rounded:
            verdict = invalid(f"this part asks for the exact coordinates: write {' and '.join(rounded)} with "
                              f"fractions (or sqrt(…)), not decimals")
            verdict.interpreted = reading.interpreted
            return verdict

    def same(ev: np.ndarray, value: np.ndarray) -> bool:
        if ev.shape != value.shape:
            return False
        return bool(np.allclose(ev, value, rtol=EXACT_RTOL, atol=1e-12) if exact else np.allclose(ev, value, atol=1e-6))

    matched: set[int] = set()
    good = 0.0
    diagnostics = []
    interpreted = reading.interpreted
    for value, point_type, shown in given:
        hit = next((i for i, (ev, _) in enumerate(expected) if i not in matched and same(ev, value)), None)
        if hit is None and any(same(ev, value) for ev, _ in expected):
            diagnostics.append(Diagnostic("repeat", f"{shown} is listed more than once."))
            continue
        if hit is None:
            diagnostics.append(Diagnostic("extra", f"{shown} is not a critical point: the gradient is not zero there."))
            continue
        matched.add(hit)
        if point_type == expected[hit][1]:
            good += 1
        elif point_type is None:
            good += 0.5
            diagnostics.append(Diagnostic("classify", f"{shown}: classify it (min, max, saddle or inconclusive)."))
        else:
            good += 0.5
            diagnostics.append(Diagnostic("classify", _misclassified(shown, point_type, expected[hit][1])))
    missing = len(expected) - len(matched)
    if missing:
        are = "s are" if missing > 1 else " is"
        diagnostics.append(Diagnostic("missing", f"{missing} critical point{are} missing."))
    extras = sum(1 for d in diagnostics if d.code in ("extra", "repeat"))
    score = max(0.0, (good - 0.5 * extras) / len(expected))
    if score >= 1.0 and not diagnostics:
        return Verdict(CORRECT, 1.0, "Correct: every critical point, each classified.", interpreted=interpreted)
    status = PARTIAL if score > 0 else INCORRECT
    return Verdict(status, round(score, 4), diagnostics[0].message if diagnostics else "Not right.",
                   interpreted=interpreted, diagnostics=diagnostics)


def _rounds_a_point(tree: object, text: str, value: np.ndarray, expected: list[np.ndarray]) -> bool:
    """Is a point written with decimals a rounding of a critical point that is not its exact value
    (0.27 for 3/11)? Each coordinate is the exact value, or a decimal that rounds or truncates it (a
    bare number), or within 10⁻³ relative of it (a decimal inside an expression)."""
    literals = entry_literals(tree, text) if isinstance(tree, A.Node) else None
    if literals is None or len(literals) != value.size or not any(lit.decimal for lit in literals):
        return False
    for ev in expected:
        if ev.shape != value.shape or np.allclose(ev, value, rtol=EXACT_RTOL, atol=1e-12):
            continue
        if all(_near(float(x), float(want), lit) for x, want, lit in zip(value, ev, literals, strict=True)):
            return True
    return False


def _near(x: float, want: float, lit: Literal) -> bool:
    if abs(x - want) <= 1e-12 + EXACT_RTOL * abs(want):
        return True
    if not lit.decimal:
        return False
    if lit.bare:  # rounded, or cut off after its last digit
        unit = lit.last_place * (1 + 1e-9)
        return abs(x - want) <= unit / 2 or (x * want >= 0 and abs(x) <= abs(want) < abs(x) + unit)
    return abs(x - want) <= 1e-3 * max(abs(want), 1e-3)


def _misclassified(shown: str, given: str, expected: str) -> str:
    """Why a critical point's classification is off, without denying what the point truly is: where
    the second-order test is inconclusive the point may still be a minimum (x² + y⁴ at the origin)."""
    if expected == "inconclusive":
        return (f"{shown}: the second-order test cannot decide there: the Hessian has a zero eigenvalue, "
                f"so its signs alone do not classify the point.")
    if given == "inconclusive":
        return (f"{shown}: the second-order test does decide there: no eigenvalue of the Hessian is zero; "
                f"look at their signs.")
    return (f"{shown} is a critical point, but the Hessian's eigenvalues there do not make it a {given}: "
            f"look at their signs.")


__all__ = ["check_part", "iterates_verdict", "steps_verdict", "CORRECT", "INCORRECT", "INVALID", "PARTIAL"]
