"""Checking a learner's answer to one part of an exercise variant, whatever the part's kind.

Expression-like parts go through the layered equivalence check; choice, points and number parts
have their own small readers. Never raises on anything a learner types.
"""
from __future__ import annotations

import re

import numpy as np

from ..checking.equivalence import ExpectedAnswerError, Mistake, check_answer
from ..checking.verdict import CORRECT, INCORRECT, INVALID, PARTIAL, Diagnostic, Verdict, invalid
from ..mathlang import MathError, SymbolTable, ast as A, read
from ..mathlang.evaluate import DomainError, evaluate
from ..mathlang.lexer import MAX_INPUT_LENGTH
from ..mathlang.pretty import pretty
from .model import Part
from .variants import Variant

_TYPE_WORDS = {
    "min": "minimum", "minimum": "minimum", "minimizer": "minimum", "local min": "minimum", "local minimum": "minimum",
    "max": "maximum", "maximum": "maximum", "maximizer": "maximum", "local max": "maximum", "local maximum": "maximum",
    "saddle": "saddle", "saddle point": "saddle", "inconclusive": "inconclusive", "degenerate": "inconclusive",
    "unknown": "inconclusive", "test fails": "inconclusive",
}


def check_part(variant: Variant, part: Part, answer: str) -> Verdict:
    """Grade `answer` for `part` of `variant`; the score is scaled to the part's points."""
    if not isinstance(answer, str):
        return invalid("the answer must be text")
    if len(answer) > MAX_INPUT_LENGTH:
        return invalid(f"the answer is too long ({len(answer)} characters; at most {MAX_INPUT_LENGTH})")
    if "\x00" in answer:
        return invalid("the answer contains a NUL byte")
    kind = part.kind
    if kind == "code":
        return invalid("code parts are graded by running them: use the app or `mcalc-tutor grade`")
    if kind == "choice":
        verdict = _check_choice(part, answer)
    elif kind == "points":
        verdict = _check_points(variant.symbols, part, answer)
    elif kind == "number":
        verdict = _check_number(part, answer)
    else:
        verdict = _check_expression(variant.symbols, part, answer)
    verdict.score = round(verdict.score * part.points, 6)
    return verdict


def _check_expression(symbols: SymbolTable, part: Part, answer: str) -> Verdict:
    text = answer
    if part.kind == "vector":
        text = _row_literal_as_column(answer)
    mistakes = [Mistake(m.answer, m.feedback) for m in part.mistakes]
    layout = "either" if part.layout == "either" else "exact"
    try:
        return check_answer(str(part.answer), text, symbols, mistakes=mistakes, layout=layout)
    except ExpectedAnswerError as exc:  # an authoring error: never blame the learner
        return invalid(f"this part's expected answer is broken ({exc}); please report it")


def _row_literal_as_column(answer: str) -> str:
    """For vector parts, `[1, 2, 3]` means the vector, not a 1×3 row: read it as a column."""
    stripped = answer.strip()
    if stripped.startswith("[") and stripped.endswith("]") and ";" not in stripped and "[" not in stripped[1:]:
        return "(" + stripped[1:-1] + ")" if "," in stripped else stripped
    return answer


def _check_choice(part: Part, answer: str) -> Verdict:
    letters = set(re.findall(r"[a-z]", answer.lower().replace("and", ",")))
    cleaned = re.sub(r"[\s,;()\[\].]|and", "", answer.lower())
    valid = {chr(ord("a") + i) for i in range(len(part.choices))}
    if not cleaned or not set(cleaned) <= valid:
        return invalid(f"answer with the letter(s) of your choice: {', '.join(sorted(valid))}")
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


def _check_number(part: Part, answer: str) -> Verdict:
    empty = SymbolTable()
    if "," in str(part.answer) or ";" in str(part.answer):  # a vector of numbers: [a, b] means the column
        answer = _row_literal_as_column(answer)
    try:
        typed = read(answer, empty)
    except MathError as exc:
        if "unknown symbol" in exc.message:
            return invalid(f"a number is expected here: {exc.message.split(' (declared')[0]}", exc.column,
                           exc.caret(answer))
        return invalid(exc.message, exc.column, exc.caret(answer))
    try:
        expected = evaluate(read(str(part.answer), empty), {}, {})
    except (MathError, DomainError) as exc:
        return invalid(f"this part's expected answer is broken ({exc}); please report it")
    interpreted = pretty(typed.tree)
    if typed.shape != expected.shape:
        return Verdict(INCORRECT, 0.0, f"A {'number' if expected.shape == (1, 1) else 'vector'} is expected here.",
                       interpreted=interpreted, diagnostics=[Diagnostic("shape", "Wrong shape.")])
    try:
        value = evaluate(typed, {}, {})
    except DomainError:
        return invalid("that value is undefined")
    tol = part.tolerance
    if np.allclose(value, expected, rtol=tol, atol=tol * 1e-3):
        return Verdict(CORRECT, 1.0, "Correct.", interpreted=interpreted, method="numeric")
    diagnostics = []
    for m in part.mistakes:
        try:
            mv = evaluate(read(m.answer, empty), {}, {})
            if mv.shape == value.shape and np.allclose(value, mv, rtol=tol, atol=tol * 1e-3):
                diagnostics.append(Diagnostic("mistake", m.feedback))
                break
        except (MathError, DomainError):
            continue
    if not diagnostics and np.allclose(value, -expected, rtol=tol, atol=tol * 1e-3) and np.any(expected != 0):
        diagnostics.append(Diagnostic("sign", "Check the sign."))
    message = diagnostics[0].message if diagnostics else "Not the right value."
    return Verdict(INCORRECT, 0.0, message, interpreted=interpreted, diagnostics=diagnostics)


def read_points(text: str, symbols: SymbolTable) -> list[tuple[np.ndarray, str | None, str]]:
    """Read "(0,0) saddle; (1, 1) min" into (coordinates, type, shown). Raises MathError."""
    # points are separated by ";" or new lines, or by a comma after a classification word
    items = [s.strip() for s in re.split(r";|\n|(?<=[A-Za-z])\s*,\s*(?=[(\[])", text) if s.strip()]
    if not items:
        raise MathError("no points given: write e.g. (0, 0) saddle; (1, 1) min", 0)
    if len(items) > 20:
        raise MathError("too many points (at most 20)", None)
    out = []
    for item in items:
        match = re.match(r"^(.*?)(?:[\s:,]+|\s*[-–]\s*)?([A-Za-z][A-Za-z ]*)?$", item)
        coords_text, word = (match.group(1), match.group(2)) if match else (item, None)
        if not coords_text.strip():
            coords_text, word = item, None
        point_type = None
        if word:
            key = " ".join(word.lower().split())
            key = re.sub(r"^(?:is\s+)?(?:an?\s+)?(?:strict\s+|local\s+)*", "", key)
            key = re.sub(r"\s+point$", "", key) if key != "saddle point" else key
            point_type = _TYPE_WORDS.get(key)
            if point_type is None:
                raise MathError(f"unknown classification {word!r} (use min, max, saddle or inconclusive)", None)
        typed = read(coords_text, SymbolTable())
        if not isinstance(typed.tree, (A.Matrix,)) and typed.shape != (1, 1):
            raise MathError(f"cannot read the point {coords_text!r}: write (x, y)", None)
        try:
            value = evaluate(typed, {}, {}).ravel()
        except DomainError:
            raise MathError(f"the point {coords_text!r} is undefined", None) from None
        out.append((value, point_type, pretty(typed.tree)))
    return out


def _check_points(symbols: SymbolTable, part: Part, answer: str) -> Verdict:
    try:
        given = read_points(answer, symbols)
    except MathError as exc:
        return invalid(exc.message)
    expected = []
    for p in part.answer:
        value = evaluate(read(p["at"], SymbolTable()), {}, {}).ravel()
        expected.append((value, p["type"]))
    matched: set[int] = set()
    good = 0.0
    diagnostics = []
    interpreted = "; ".join(f"{shown} {t or '(no classification)'}" for _, t, shown in given)
    for value, point_type, shown in given:
        hit = next((i for i, (ev, _) in enumerate(expected)
                    if i not in matched and ev.shape == value.shape and np.allclose(ev, value, atol=1e-6)), None)
        if hit is None and any(ev.shape == value.shape and np.allclose(ev, value, atol=1e-6) for ev, _ in expected):
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
            diagnostics.append(Diagnostic("classify", f"{shown} is a critical point, but it is not a {point_type}: "
                                                      f"look at the signs of the Hessian's eigenvalues there."))
    missing = len(expected) - len(matched)
    if missing:
        diagnostics.append(Diagnostic("missing", f"{missing} critical point{'s are' if missing > 1 else ' is'} missing."))
    extras = sum(1 for d in diagnostics if d.code in ("extra", "repeat"))
    score = max(0.0, (good - 0.5 * extras) / len(expected))
    if score >= 1.0 and not diagnostics:
        return Verdict(CORRECT, 1.0, "Correct: every critical point, each classified.", interpreted=interpreted)
    status = PARTIAL if score > 0 else INCORRECT
    return Verdict(status, round(score, 4), diagnostics[0].message if diagnostics else "Not right.",
                   interpreted=interpreted, diagnostics=diagnostics)


__all__ = ["check_part", "read_points", "CORRECT", "INCORRECT", "INVALID", "PARTIAL"]
