"""How an answer to a part is read: the one reader used by the checker, the live preview and the
grader, so the preview never shows one reading while the checker grades another.

Reading is parsing only (no numpy, no sympy): cheap enough for every keystroke. Deciding whether
the reading is right is `answers.check_part`'s job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..mathlang import MathError, SymbolTable, read
from ..mathlang.lexer import MAX_INPUT_LENGTH
from ..mathlang.pretty import pretty
from ..mathlang.shapes import Typed, format_shape
from .form import check_form
from .model import Part

EXPRESSION_KINDS = ("expression", "matrix", "vector", "number")

POINT_WORD = re.compile(r"^(.*?)(?:[\s:,]+|\s*[-–]\s*)?([A-Za-z][A-Za-z ]*)?$")
"""One critical point as typed: its coordinates, then an optional classification word."""

_POINT_SEPARATOR = re.compile(r";|\n|(?<=[A-Za-z])\s*,\s*(?=[(\[])")
"""Points are separated by ";" or new lines, or by a comma after a classification word."""

MAX_POINTS = 20

TYPE_WORDS = {
    "min": "minimum", "minimum": "minimum", "minimizer": "minimum", "local min": "minimum", "local minimum": "minimum",
    "max": "maximum", "maximum": "maximum", "maximizer": "maximum", "local max": "maximum", "local maximum": "maximum",
    "saddle": "saddle", "saddle point": "saddle", "inconclusive": "inconclusive", "degenerate": "inconclusive",
    "unknown": "inconclusive", "test fails": "inconclusive",
}
"""Words a learner may use for a classification → one of model.POINT_TYPES."""


@dataclass(frozen=True)
class PointReading:
    """One critical point of a points answer, as read (its value is the checker's to compute)."""

    coords: str          # the coordinates as typed
    typed: Typed
    word: str | None     # the classification as typed (spaces collapsed)
    point_type: str | None  # that word as one of POINT_TYPES
    shown: str           # the coordinates pretty-printed


@dataclass(frozen=True)
class Reading:
    """An answer as read for a part: what it was read as, or why it cannot be read."""

    kind: str
    text: str                       # as typed
    checked_text: str               # as read (a vector part's flat [1, 2] is the column (1, 2))
    typed: Typed | None = None      # expression kinds
    interpreted: str | None = None  # how it was read, printed back
    shape: str | None = None
    error: str | None = None        # the message of an invalid verdict
    column: int | None = None
    caret: str | None = None        # the input with a caret under the column
    letters: frozenset[str] = frozenset()    # choice parts
    points: tuple[PointReading, ...] = ()    # points parts
    form_error: bool = False        # read, but not in the form the part asks for (its form rules)

    @property
    def ok(self) -> bool:
        return self.error is None


def read_answer(part: Part, text: str, symbols: SymbolTable) -> Reading:
    """Read `text` as an answer to `part` (symbols: the variant's); never raises."""
    kind = part.kind
    problem = text_problem(text)
    if problem:
        return Reading(kind, text if isinstance(text, str) else "", "", error=problem)
    if kind == "choice":
        return _read_choice(part, text)
    if kind == "points":
        return _read_points(text)
    if kind in EXPRESSION_KINDS:
        return _read_expression(part, text, symbols)
    if kind == "steps":
        return _read_steps(part, text, symbols)
    if kind == "iterates":
        return _read_iterates(text)
    return Reading(kind, text, text, error=f"{kind} parts are not read as text")


def part_symbols(part: Part, symbols: SymbolTable) -> SymbolTable:
    """The symbols a part's answer is read with: a steps part adds its differentials (dx, dX).
    Raises DeclarationError for bad pairs (reported when the bank loads)."""
    if part.kind == "steps" and part.differentials:
        from ..mathlang import parse_differentials

        return parse_differentials(part.differentials, symbols)
    return symbols


def _read_steps(part: Part, text: str, symbols: SymbolTable) -> Reading:
    """Each line as the derivation checker reads it (checking/steps.py); the first unreadable line
    is named, with its column."""
    from ..checking.steps import preview_line, split_lines

    try:
        table = part_symbols(part, symbols)
    except MathError as exc:
        return Reading("steps", text, text, error=f"this part's differentials are broken ({exc}); please report it")
    lines = split_lines(text)
    if not lines:
        return Reading("steps", text, text, error="no lines given: write the derivation one step per line")
    shown = []
    for number, (_, line) in enumerate(lines, start=1):
        preview = preview_line(line, table)
        if preview.error is not None:
            column = preview.column
            where = f"line {number}" + ("" if column is None else f", column {column + 1}")
            caret = MathError(preview.error, column).caret(line) or None
            return Reading("steps", text, text, error=f"{where}: {preview.error}", column=column, caret=caret)
        shown.append(preview.interpreted or "")
    interpreted = "\n".join(shown)
    violation = _final_line_form(part, text, table)
    if violation is not None:
        return Reading("steps", text, text, interpreted=interpreted, error=violation[0], column=violation[1],
                       caret=violation[2], form_error=True)
    return Reading("steps", text, text, interpreted=interpreted)


def _final_line_form(part: Part, text: str, table: SymbolTable) -> tuple[str, int | None, str | None] | None:
    """A derivation ends in the form the part asks for: its rules apply to the last line's last
    expression only (the lines before it are the working). (message, column in that line, caret)."""
    if part.form.empty:
        return None
    from ..checking.steps import final_expression, split_lines

    last = final_expression(text, table)
    if last is None:
        return None
    number, segment = last
    violation = check_form(part.form, segment.typed.tree, table)
    if violation is None:
        return None
    column = None if violation.column is None else violation.column + segment.offset
    caret = MathError(violation.message, column).caret(split_lines(text)[-1][1]) or None
    return f"line {number}: {violation.message}", column, caret


def _read_iterates(text: str) -> Reading:
    """One iterate per line; the numbers are read and judged by checking/iterates.py."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return Reading("iterates", text, text, error="no iterates given: write one per line, e.g. (1, 2)")
    return Reading("iterates", text, text, interpreted="\n".join(lines))


def text_problem(text: object) -> str | None:
    """What makes `text` unreadable before any parsing (not text, too long, a NUL byte)."""
    if not isinstance(text, str):
        return "the answer must be text"
    if len(text) > MAX_INPUT_LENGTH:
        return f"the answer is too long ({len(text)} characters; at most {MAX_INPUT_LENGTH})"
    if "\x00" in text:
        return "the answer contains a NUL byte"
    return None


def as_checked(part: Part, text: str) -> str:
    """The text as the checker reads it: in a vector part (or a number part whose answer is a
    vector) a flat `[1, 2, 3]` means the vector, the column (1, 2, 3), not a 1×3 row — unless the
    part states the literal's layout (`literal = "column"`), when a row literal is a form error."""
    if part.form.literal != "any":
        return text
    if part.kind == "vector" or (part.kind == "number" and any(c in str(part.answer) for c in ",;")):
        return row_literal_as_column(text)
    return text


def row_literal_as_column(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]") and ";" not in stripped and "[" not in stripped[1:]:
        return "(" + stripped[1:-1] + ")" if "," in stripped else stripped
    return text


def _read_expression(part: Part, text: str, symbols: SymbolTable) -> Reading:
    checked = as_checked(part, text)
    table = SymbolTable() if part.kind == "number" else symbols
    try:
        typed = read(checked, table)
    except MathError as exc:
        if part.kind != "number":
            message = exc.message if exc.column is None else f"{exc.message} (column {exc.column + 1})"
        elif "unknown symbol" in exc.message:
            message = f"a number is expected here: {exc.message.split(' (declared')[0]}"
        else:
            message = exc.message
        return Reading(part.kind, text, checked, error=message, column=exc.column, caret=exc.caret(checked) or None)
    interpreted, shape = pretty(typed.tree, table), format_shape(typed.shape)
    violation = check_form(part.form, typed.tree, table)
    if violation is not None:
        caret = MathError(violation.message, violation.column).caret(checked) or None
        return Reading(part.kind, text, checked, typed=typed, interpreted=interpreted, shape=shape,
                       error=violation.message, column=violation.column, caret=caret, form_error=True)
    return Reading(part.kind, text, checked, typed=typed, interpreted=interpreted, shape=shape)


def _read_choice(part: Part, text: str) -> Reading:
    letters = frozenset(re.findall(r"[a-z]", text.lower().replace("and", ",")))
    cleaned = re.sub(r"[\s,;()\[\].]|and", "", text.lower())
    valid = {chr(ord("a") + i) for i in range(len(part.choices))}
    if not cleaned or not set(cleaned) <= valid:
        return Reading("choice", text, text,
                       error=f"answer with the letter(s) of your choice: {', '.join(sorted(valid))}")
    return Reading("choice", text, text, letters=letters, interpreted=", ".join(sorted(letters)))


def split_point(item: str) -> tuple[str, str | None]:
    """"(1, 1) local min" → ("(1, 1)", "local min"); a bare point has no word."""
    match = POINT_WORD.match(item)
    coords, word = (match.group(1), match.group(2)) if match else (item, None)
    if not coords.strip():
        return item, None
    return coords, word


def point_type(word: str) -> str | None:
    """The classification a word names (one of POINT_TYPES), or None when it names none."""
    key = " ".join(word.lower().split())
    key = re.sub(r"^(?:is\s+)?(?:an?\s+)?(?:strict\s+|local\s+)*", "", key)
    key = re.sub(r"\s+point$", "", key) if key != "saddle point" else key
    return TYPE_WORDS.get(key)


def _read_points(text: str) -> Reading:
    """"(0,0) saddle; (1, 1) min": each point's coordinates (constants) and classification."""
    items = [s.strip() for s in _POINT_SEPARATOR.split(text) if s.strip()]
    if not items:
        return Reading("points", text, text, error="no points given: write e.g. (0, 0) saddle; (1, 1) min")
    if len(items) > MAX_POINTS:
        return Reading("points", text, text, error=f"too many points (at most {MAX_POINTS})")
    points = []
    for item in items:
        coords, word = split_point(item)
        kind = None
        if word:
            kind = point_type(word)
            if kind is None:
                return Reading("points", text, text,
                               error=f"unknown classification {word!r} (use min, max, saddle or inconclusive)")
        try:
            typed = read(coords, SymbolTable())
        except MathError as exc:
            return Reading("points", text, text, error=exc.message, column=exc.column,
                           caret=exc.caret(coords) or None)
        if not _is_literal_point(typed):
            return Reading("points", text, text, error=f"cannot read the point {coords!r}: write (x, y)")
        points.append(PointReading(coords, typed, " ".join(word.split()) if word else None, kind,
                                   pretty(typed.tree)))
    interpreted = "; ".join(f"{p.shown} {p.point_type or '(no classification)'}" for p in points)
    return Reading("points", text, text, interpreted=interpreted, points=tuple(points))


def _is_literal_point(typed: Typed) -> bool:
    from ..mathlang import ast as A

    return isinstance(typed.tree, A.Matrix) or typed.shape == (1, 1)
