"""Derivations checked line by line: each expression must equal the one before it.

A derivation is a list of lines (or one multi-line text; blank lines are ignored). A line is an
expression, a chain `a = b = c`, a continuation `= c`, or a labelled line `f = …`, `d f = …`,
`∇f = …`, `∂f/∂X = …` (the label names what is derived and is not itself checked). Each expression
is compared with the expression just before it by the equivalence checker (checking/equivalence),
so a broken step is explained by the same diagnostics as a single answer ("line 3 does not follow
from line 2: a transpose was dropped or added …"). A gradient line is read off the differential
before it: after `d f = tr(G₀ᵀ dX)`, `∂f/∂X = G` must satisfy tr(Gᵀ dX) = d f for every direction
(gᵀdx for a vector x); after an expression without differentials, `∇f = g` is checked against its
differential d(f).

Error carried forward: each step is judged from the learner's own previous expression, so one slip
is named once and costs only its own step. Score: every step counts equally — the step from the
part's starting expression to line 1, each step between expressions, and reaching the expected
answer. The expected answer never appears in the feedback.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from ..mathlang import MathError, read
from ..mathlang import ast as A
from ..mathlang.ast import walk
from ..mathlang.pretty import display_name, pretty
from ..mathlang.shapes import Typed, describe_shape
from ..mathlang.symbols import SymbolTable, canonical_name
from .diagnostics import Mistake, _multiple, _scale_diagnostics
from .equivalence import ExpectedAnswerError, judge
from .reference import all_close, evaluate_all, fit_shape, reference
from .sampling import Instance
from .verdict import CORRECT, EXIT_CODES, INCORRECT, INVALID, PARTIAL, Diagnostic, Verdict

__all__ = ["LinePreview", "LineVerdict", "StepsVerdict", "check_steps", "expression_texts", "preview_line",
           "split_lines"]

MAX_LINES = 40

# --- reading ------------------------------------------------------------------------------------

_NAME = r"[^\W\d]\w*"
_ARGS = r"(?:\(\s*[\w\s,]*\))?"
_SUBSCRIPT = rf"(?:_\s*\{{?\s*(?P<var>{_NAME})\s*\}}?)?"
_GRADIENT_LABEL = re.compile(rf"^(?:∇|nabla|grad)\s*{_SUBSCRIPT}\s*(?P<f>{_NAME})?\s*{_ARGS}$")
_PARTIAL_LABEL = re.compile(rf"^(?P<d>∂|d)\s*(?P<f>{_NAME})\s*{_ARGS}\s*/\s*(?:∂|d)\s*(?P<var>{_NAME})$")
_NAME_LABEL = re.compile(rf"^(?:d\s*)?(?P<f>{_NAME})\s*{_ARGS}$")
_OPEN, _CLOSE = "([{⟨", ")]}⟩"
_UNRESOLVED = "?"  # ∇f with several differentials declared: the variable is the one the line before uses


@dataclass(frozen=True)
class Segment:
    """One expression of a line: its text, where it starts in the line, and how it was read.
    `gradient` names the variable when the expression is the value of a ∇f / ∂f/∂X label."""

    text: str
    offset: int
    typed: Typed
    gradient: str | None = None


@dataclass(frozen=True)
class _Line:
    number: int          # 1-based, among the lines written (blank lines are not counted)
    row: int             # 0-based row in the text as given (blank lines counted)
    text: str
    label: str | None
    segments: tuple[Segment, ...]


class _Unreadable(Exception):
    def __init__(self, number: int, text: str, error: MathError):
        super().__init__(error.message)
        self.number, self.text, self.error = number, text, error


def split_lines(lines: str | Sequence[str]) -> list[tuple[int, str]]:
    """(row, text) of each non-blank line; one text is split on new lines."""
    rows = lines.splitlines() if isinstance(lines, str) else [str(line) for line in lines]
    return [(i, row) for i, row in enumerate(rows) if row.strip()]


def _split_equals(text: str) -> list[tuple[str, int]]:
    """The pieces of `a = b = c` at top level (not inside brackets), each with its start column."""
    pieces, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == "=" and depth == 0:
            pieces.append((text[start:i], start))
            while i + 1 < len(text) and text[i + 1] == "=":
                i += 1  # `==` is an equals sign too
            start = i + 1
        i += 1
    pieces.append((text[start:], start))
    return pieces


def _gradient_label(label: str, symbols: SymbolTable) -> str | None:
    """The variable a ∇f / ∂f/∂X label differentiates by (canonical), or None if not such a label.
    Raises MathError when it is one but names no variable with a declared differential."""
    text = unicodedata.normalize("NFKC", label).strip()
    match = _GRADIENT_LABEL.match(text)
    partial = _PARTIAL_LABEL.match(text)
    if match is None and partial is None:
        return None
    if match is None and partial is not None and partial["d"] == "d":
        try:  # df/dx is a label only where it is not an expression
            read(text, symbols)
            return None
        except MathError:
            pass
    pairs = symbols.differentials()
    if not pairs:
        raise MathError(f"{label.strip()} is read off a differential: declare the differentials "
                        f"(e.g. x: dx) to write a gradient line", 0)
    var = (match["var"] if match is not None else partial["var"] if partial is not None else None)
    if var is None:
        return next(iter(pairs)) if len(pairs) == 1 else _UNRESOLVED
    key = canonical_name(var)
    if key not in pairs:
        declared = ", ".join(display_name(v, symbols) for v in pairs)
        raise MathError(f"{var} has no declared differential (variables with one: {declared})", 0)
    return key


def _is_label(text: str, symbols: SymbolTable) -> bool:
    """`f`, `f(x)`, `d f`, `df`: a name for what is derived, not an expression (not declared)."""
    match = _NAME_LABEL.match(unicodedata.normalize("NFKC", text).strip())
    if match is None or symbols.lookup(match["f"]) is not None:
        return False
    try:
        read(text, symbols)
        return False
    except MathError:
        return True


def _read_segment(text: str, offset: int, symbols: SymbolTable, gradient: str | None) -> Segment:
    try:
        typed = read(text, symbols)
    except MathError as exc:
        column = None if exc.column is None else exc.column + offset
        raise type(exc)(exc.message, column) from None
    return Segment(text.strip(), offset, typed, gradient)


def _read_line(number: int, row: int, text: str, symbols: SymbolTable) -> _Line:
    pieces = _split_equals(text)
    label = None
    gradient = None
    if len(pieces) > 1 and not pieces[0][0].strip():
        pieces = pieces[1:]  # `= …`: a continuation of the line before
    elif len(pieces) > 1:
        head, head_at = pieces[0]
        try:
            gradient = _gradient_label(head, symbols)
        except MathError as exc:
            column = head_at + len(head) - len(head.lstrip())
            raise _Unreadable(number, text, MathError(exc.message, column)) from None
        if gradient is not None or _is_label(head, symbols):
            label, pieces = head.strip(), pieces[1:]
    segments = []
    for i, (piece, at) in enumerate(pieces):
        if not piece.strip():
            raise _Unreadable(number, text, MathError("an expression is missing beside '='", max(0, at - 1)))
        try:
            segments.append(_read_segment(piece, at, symbols, gradient if i == 0 else None))
        except MathError as exc:
            raise _Unreadable(number, text, exc) from None
    return _Line(number, row, text, label, tuple(segments))


def _read_all(lines: str | Sequence[str], symbols: SymbolTable) -> list[_Line]:
    written = split_lines(lines)
    if len(written) > MAX_LINES:
        raise _Unreadable(MAX_LINES + 1, written[MAX_LINES][1],
                          MathError(f"too many lines (at most {MAX_LINES})", None))
    return [_read_line(k, row, text, symbols) for k, (row, text) in enumerate(written, start=1)]


def expression_texts(lines: str | Sequence[str]) -> list[str]:
    """The expressions of a derivation without its labels, read by syntax alone: for a caller that
    declares every name it finds as a scalar (`mcalc-tutor steps` without --symbols)."""
    out: list[str] = []
    for _, text in split_lines(lines):
        pieces = [p for p, _ in _split_equals(text)]
        if len(pieces) > 1:
            head = unicodedata.normalize("NFKC", pieces[0]).strip()
            if not head or any(rx.match(head) for rx in (_GRADIENT_LABEL, _PARTIAL_LABEL, _NAME_LABEL)):
                pieces = pieces[1:]
        out.extend(p.strip() for p in pieces if p.strip())
    return out



def final_expression(lines: str | Sequence[str], symbols: SymbolTable) -> tuple[int, Segment] | None:
    """The derivation's last expression (its 1-based line number and segment), the one a part's form
    rules apply to; None when no line is written or a line cannot be read."""
    try:
        read_lines = _read_all(lines, symbols)
    except _Unreadable:
        return None
    return (read_lines[-1].number, read_lines[-1].segments[-1]) if read_lines else None

# --- the live preview ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LinePreview:
    """One line as read, for a preview under the line being typed: never raises, parses only."""

    interpreted: str | None
    error: str | None = None
    column: int | None = None


def preview_line(text: str, symbols: SymbolTable) -> LinePreview:
    if not text.strip():
        return LinePreview("")
    try:
        line = _read_line(1, 0, text, symbols)
    except _Unreadable as exc:
        return LinePreview(None, exc.error.message, exc.error.column)
    return LinePreview(_interpreted(line, symbols))


def _interpreted(line: _Line, symbols: SymbolTable) -> str:
    shown = [pretty(s.typed.tree, symbols) for s in line.segments]
    if line.label is not None:
        shown.insert(0, line.label)
    elif line.text.lstrip().startswith("="):
        shown.insert(0, "")
    return " = ".join(shown).strip()


# --- the verdict --------------------------------------------------------------------------------

@dataclass
class LineVerdict:
    text: str
    interpreted: str | None = None
    ok: bool = True
    diagnostics: list[Diagnostic] = field(default_factory=list)
    row: int = 0
    """0-based row of the line in the text as given (blank lines counted), for the app's box."""

    def to_json(self) -> dict:
        return {"text": self.text, "interpreted": self.interpreted, "ok": self.ok,
                "diagnostics": [asdict(d) for d in self.diagnostics]}


@dataclass
class StepsVerdict:
    """status: correct (every step holds), partial / incorrect (some step does not; by score), or
    invalid (a line cannot be read: `invalid_line`, 1-based, and `column` in that line, 0-based)."""

    status: str
    score: float
    message: str
    first_broken: int | None = None
    lines: list[LineVerdict] = field(default_factory=list)
    steps: int = 0
    steps_ok: int = 0
    invalid_line: int | None = None
    column: int | None = None
    caret: str | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def to_json(self) -> dict:
        return {"status": self.status, "score": self.score, "first_broken": self.first_broken,
                "lines": [line.to_json() for line in self.lines], "message": self.message,
                "steps": self.steps, "steps_ok": self.steps_ok}

    def as_verdict(self) -> Verdict:
        """The Verdict the grader and the app show for a steps part: each line as read, and the
        diagnostics of the broken lines, each saying which line it is about."""
        diagnostics = [Diagnostic(d.code, f"Line {k}: {d.message}") for k, line in enumerate(self.lines, start=1)
                       for d in line.diagnostics if d.code != "unreadable"]
        interpreted = "\n".join(line.interpreted or line.text.strip() for line in self.lines) or None
        return Verdict(self.status, self.score, self.message, interpreted=interpreted, diagnostics=diagnostics,
                       column=self.column, caret=self.caret, method="numeric")

    def render(self) -> str:
        """Plain text for a terminal: the verdict, then each line with a mark and its diagnostics."""
        out = [f"{self.status}: {self.message}"]
        for k, line in enumerate(self.lines, start=1):
            out.append(f"{'✓' if line.ok else '✗'} {k}. {line.interpreted or line.text.strip()}")
            out.extend(f"     - [{d.code}] {d.message}" for d in line.diagnostics)
        return "\n".join(out)


@dataclass
class _Step:
    line: int          # the line whose expression is judged (1-based)
    kind: str          # "start", "chain" or "final"
    ok: bool
    diagnostics: list[Diagnostic]
    before: int | None = None  # the line of the expression it is judged from


def check_steps(lines: str | Sequence[str], symbols: SymbolTable, *, start: str | None = None,
                expected: str | None = None, mistakes: Sequence[Mistake] = ()) -> StepsVerdict:
    """Check a derivation. `symbols` (with differentials, from mathlang.parse_differentials, when
    the lines use them); `start`: the expression line 1 must equal; `expected`: the answer the last
    line must equal (its form: a gradient, a differential, …); `mistakes`: the part's listed
    misconceptions for the final answer. Raises ExpectedAnswerError when `start` or `expected`
    is itself unreadable or undefined (an authoring error); never on anything the learner wrote."""
    for given in (start, expected):  # an authoring error is raised before anything about the lines
        if given is not None:
            reference(given, symbols)
    try:
        read_lines = _read_all(lines, symbols)
        if not read_lines:
            return StepsVerdict(INVALID, 0.0, "no lines given: write the derivation one step per line")
        items = _resolved(read_lines, symbols, start)
    except _Unreadable as exc:
        return _unreadable(exc, lines, symbols)
    steps: list[_Step] = []
    if start is not None:
        steps.append(_judge_step(start, None, items[0], symbols, "start"))
    last_plain, gradient_of = items[0], items[0][1].gradient  # the last expression of f or d f; ∇ of what
    for previous, item in zip(items, items[1:], strict=False):
        seg = item[1]
        if seg.gradient is not None and seg.gradient != gradient_of:
            # a gradient (again, or by another variable) is read off the last expression of f or d f
            steps.append(_judge_step(last_plain[1].text, last_plain, item, symbols, "chain"))
            gradient_of = seg.gradient
            continue
        steps.append(_judge_step(previous[1].text, previous, item, symbols, "chain",
                                 in_gradient=gradient_of is not None))
        if gradient_of is None:
            last_plain = item
    if expected is not None:
        steps.append(_judge_final(expected, items[-1], symbols, mistakes))
    return _verdict(read_lines, steps, symbols)


def _resolved(read_lines: list[_Line], symbols: SymbolTable, start: str | None) -> list[tuple[int, Segment]]:
    """Every expression in order, each ∇f without a named variable given the one variable that
    the last expression of f or d f before it moves (raises _Unreadable when that is not one)."""
    pairs = symbols.differentials()
    used = set() if start is None else _names(reference(start, symbols).typed)
    out: list[tuple[int, Segment]] = []
    gradient_seen = False
    for line in read_lines:
        for seg in line.segments:
            if seg.gradient == _UNRESOLVED:
                candidates = [v for v, dv in pairs.items() if dv in used] or [v for v in pairs if v in used]
                if len(candidates) != 1:
                    raise _Unreadable(line.number, line.text, MathError(
                        "say which variable the gradient is taken with respect to: ∇_x f or ∂f/∂X", seg.offset))
                seg = Segment(seg.text, seg.offset, seg.typed, candidates[0])
            gradient_seen = gradient_seen or seg.gradient is not None
            if not gradient_seen:
                used = _names(seg.typed)
            out.append((line.number, seg))
    return out


def _names(typed: Typed) -> set[str]:
    names = {n.name for n in walk(typed.tree) if isinstance(n, A.Sym)}
    for node in walk(typed.tree):
        if isinstance(node, A.Differential):
            names |= {direction for variable, direction in node.directions if _mentions(node.arg, variable)}
    return names


def _mentions(tree: A.Node, name: str) -> bool:
    return any(isinstance(n, A.Sym) and n.name == name for n in walk(tree))


def _is_function(text: str, item: tuple[int, Segment] | None, symbols: SymbolTable) -> bool:
    """Whether an expression (a line's, or the part's start when `item` is None) is free of
    differentials, i.e. a function whose differential the next line may give."""
    if not symbols.differentials():
        return False
    if item is not None:
        return not _has_direction(item[1].typed, symbols)
    try:
        return not _has_direction(reference(text, symbols).typed, symbols)
    except ExpectedAnswerError:
        return False


def _has_direction(typed: Typed, symbols: SymbolTable) -> bool:
    directions = set(symbols.differentials().values())
    return any(isinstance(n, A.Differential) or (isinstance(n, A.Sym) and n.name in directions)
               for n in walk(typed.tree))


def _judge_step(before_text: str, before: tuple[int, Segment] | None, item: tuple[int, Segment],
                symbols: SymbolTable, kind: str, in_gradient: bool = False) -> _Step:
    number, seg = item
    ref = "the starting expression" if before is None else \
        f"line {before[0]}" if before[0] != number else "the expression before it on the same line"
    before_line = None if before is None else before[0]
    if seg.gradient is not None and not in_gradient:
        return _judge_gradient(before_text, before, item, symbols, kind, ref)
    if not in_gradient and _has_direction(seg.typed, symbols) and _is_function(before_text, before, symbols):
        before_text = f"d({before_text})"  # f, then d f = …: the line is the differential of the one before
    try:
        verdict = judge(before_text, seg.typed, symbols, symbolic=False)
    except ExpectedAnswerError:
        message = f"{ref[0].upper()}{ref[1:]} is undefined at every test point, so nothing can follow from it."
        return _Step(number, kind, False, [Diagnostic("undefined", message)], before_line)
    if verdict.status == CORRECT:
        return _Step(number, kind, True, [], before_line)
    return _Step(number, kind, False, _reworded(verdict.diagnostics, ref), before_line)


def _judge_gradient(before_text: str, before: tuple[int, Segment] | None, item: tuple[int, Segment],
                    symbols: SymbolTable, kind: str, ref: str) -> _Step:
    """`∂f/∂X = G` after a differential d f: G is right when tr(Gᵀ dX) equals d f (gᵀdx for a
    vector) with the other variables held still; after f itself (no differential in it), when
    tr(Gᵀ dX) equals d(f)."""
    number, seg = item
    assert seg.gradient is not None
    variable = symbols[seg.gradient]
    direction = symbols.differentials()[seg.gradient]
    shown_var, shown_dir = display_name(seg.gradient, symbols), display_name(direction, symbols)
    before_line = None if before is None else before[0]
    if not fit_shape(seg.typed, variable.shape):
        return _Step(number, kind, False, [Diagnostic("shape", f"The gradient has the shape of {shown_var} "
                                                      f"({describe_shape(variable.shape)}), but it is "
                                                      f"{describe_shape(seg.typed.shape)}.")], before_line)
    differential = f"d({before_text})" if _is_function(before_text, before, symbols) else before_text
    try:
        form = read(f"tr(({seg.text})^T {shown_dir})", symbols)
    except MathError as exc:  # only a text near the length limit gets here
        return _Step(number, kind, False, [Diagnostic("unreadable", exc.message)], before_line)
    square = variable.rows != 1 != variable.cols  # G could be written as the coefficient M of tr(M dX)
    try:
        others = [d for d in symbols.differentials().values() if d != direction
                  and d in _names(reference(differential, symbols).typed)]
    except ExpectedAnswerError:
        others = []
    if others:  # a partial derivative: d f along dX alone
        step = _judge_partial(differential, form, symbols, others, ref, number, kind, before_line, shown_dir)
        try:
            coefficient_transposed = not step.ok and square and _judge_partial(
                differential, read(f"tr(({seg.text}) {shown_dir})", symbols), symbols, others, ref, number, kind,
                before_line, shown_dir).ok
        except MathError:
            coefficient_transposed = False
    else:
        wrapped = Segment(f"tr(({seg.text})^T {shown_dir})", seg.offset, form)
        step = _judge_step(differential, before, (number, wrapped), symbols, kind, in_gradient=True)
        coefficient_transposed = False
        if not step.ok and square:
            try:
                unflipped = read(f"tr(({seg.text}) {shown_dir})", symbols)
                coefficient_transposed = judge(differential, unflipped, symbols, symbolic=False).status == CORRECT
            except (MathError, ExpectedAnswerError):
                pass
    if coefficient_transposed and not step.ok:
        return _Step(number, kind, False, [Diagnostic(
            "transpose", f"This is the transpose of the gradient: with d f = tr(M {shown_dir}) the "
                         f"gradient is Mᵀ (read it off as tr(Gᵀ {shown_dir})).")], before_line)
    return step


def _judge_partial(differential: str, form: Typed, symbols: SymbolTable, others: list[str], ref: str,
                   number: int, kind: str, before_line: int | None, shown_dir: str) -> _Step:
    """tr(Gᵀ dX) against d f with every other direction set to zero, at the reference instances."""
    base = reference(differential, symbols)
    instances = [Instance({**inst.values, **{o: np.zeros_like(inst.values[o]) for o in others}}, inst.sizes,
                          inst.functions) for inst in base.instances]
    wanted, given = evaluate_all(base.typed, instances), evaluate_all(form, instances)
    if all_close(given, wanted):
        return _Step(number, kind, True, [], before_line)
    c = _multiple(given, wanted)
    found = _scale_diagnostics(c) if c is not None else []
    diagnostics = _reworded(found, ref) if found else \
        [Diagnostic("value", f"It is not the coefficient of {shown_dir} in {ref}.")]
    return _Step(number, kind, False, diagnostics, before_line)


def _judge_final(expected: str, item: tuple[int, Segment], symbols: SymbolTable,
                 mistakes: Sequence[Mistake]) -> _Step:
    """The last expression against the expected answer; counterexamples (which would show the
    expected value) are left out of the feedback."""
    number, seg = item
    verdict = judge(expected, seg.typed, symbols, mistakes=mistakes, symbolic=False)
    if verdict.status == CORRECT:
        return _Step(number, "final", True, [])
    kept = [d for d in verdict.diagnostics if d.code != "value"]
    ref = "the answer asked for"
    diagnostics = [d if d.code == "mistake" else _reword(d, ref) for d in kept]
    return _Step(number, "final", False, diagnostics)


# --- feedback -----------------------------------------------------------------------------------

def _reword(d: Diagnostic, ref: str) -> Diagnostic:
    """A single-answer diagnostic said of one step: "your answer" is the line, "the correct one"
    the expression it is judged from (`ref`)."""
    message = d.message
    if d.code == "transpose":
        return Diagnostic("transpose", f"It is the transpose of {ref} (a transpose was dropped or added).")
    if d.code == "symmetric":
        match = re.search(r"only if (.+?) were symmetric|treats (.+?) as if", message)
        names = next((g for g in match.groups() if g), "a matrix") if match else "a matrix"
        return Diagnostic("symmetric", f"A transpose was dropped or added (it would follow from {ref} only if "
                                       f"{names} were symmetric).")
    if d.code == "commute":
        return Diagnostic("commute", f"The order of the matrix factors changed: it would follow from {ref} only if "
                                     f"the matrices commuted (e.g. (AB)ᵀ = BᵀAᵀ).")
    if d.code == "sign":
        return Diagnostic("sign", f"The sign changed: it is the negative of {ref}.")
    if d.code == "factor":
        match = re.search(r"it is (\S+) times", message)
        return Diagnostic("factor", f"A constant factor changed: it is {match[1] if match else 'a multiple'} times "
                                    f"{ref}.")
    for old, new in (("Your answer", "It"), ("your answer", "it"), ("the correct one", ref),
                     ("the expected answer", ref), ("the correct value is", f"{ref} gives"),
                     ("the answer should be", f"{ref} is")):
        message = message.replace(old, new)
    return Diagnostic(d.code, message)


def _reworded(diagnostics: Sequence[Diagnostic], ref: str) -> list[Diagnostic]:
    if not diagnostics:
        return [Diagnostic("value", f"It is not equal to {ref}.")]
    return [_reword(d, ref) for d in diagnostics]


_LOWER = frozenset({"A", "An", "It", "Its", "The", "This", "Not", "Your"})


def _lowered(message: str) -> str:
    """A diagnostic's sentence continued after a colon (a symbol's name keeps its case)."""
    first = message.split(" ", 1)[0]
    return message[0].lower() + message[1:] if first in _LOWER else message


def _verdict(read_lines: list[_Line], steps: list[_Step], symbols: SymbolTable) -> StepsVerdict:
    lines = [LineVerdict(line.text, _interpreted(line, symbols), row=line.row) for line in read_lines]
    for step in steps:
        if not step.ok:
            lines[step.line - 1].ok = False
            lines[step.line - 1].diagnostics.extend(step.diagnostics)
    passed = sum(step.ok for step in steps)
    score = passed / len(steps) if steps else 1.0
    broken = [step for step in steps if not step.ok]
    if not broken:
        final = any(step.kind == "final" for step in steps)
        message = "Correct: every line follows from the one before" + \
            (", and the last line is the answer asked for." if final else ".")
        return StepsVerdict(CORRECT, 1.0, message, None, lines, len(steps), passed)
    first = broken[0]
    message = _step_message(first)
    others = sorted({s.line for s in broken[1:] if s.kind == "chain" and s.line != first.line})
    if others:
        message += f" Lines after it are checked against each other: line{'s' * (len(others) > 1)} " \
                   f"{', '.join(map(str, others))} do{'es' * (len(others) == 1)} not follow either."
    if first.kind != "final" and broken[-1].kind == "final":
        message += " The last line is not the answer asked for."
    status = PARTIAL if passed else INCORRECT
    return StepsVerdict(status, score, message, first.line, lines, len(steps), passed)


def _step_message(step: _Step) -> str:
    reason = _lowered(step.diagnostics[0].message) if step.diagnostics else "it is not equal"
    if step.kind == "start":
        return f"Line 1 does not start from the expression asked for: {reason}"
    if step.kind == "final":
        return f"The last line (line {step.line}) is not the answer asked for: {reason}"
    if step.before == step.line:
        return f"Line {step.line}: an expression does not follow from the one before it on the same line: {reason}"
    return f"Line {step.line} does not follow from line {step.before}: {reason}"


def _unreadable(exc: _Unreadable, given: str | Sequence[str], symbols: SymbolTable) -> StepsVerdict:
    err = exc.error
    where = f"line {exc.number}" + ("" if err.column is None else f", column {err.column + 1}")
    lines = []
    for number, (row, text) in enumerate(split_lines(given)[:MAX_LINES], start=1):
        if number == exc.number:
            lines.append(LineVerdict(text, None, False, [Diagnostic("unreadable", err.message)], row))
            break
        lines.append(LineVerdict(text, None, True, [], row))
    return StepsVerdict(INVALID, 0.0, f"{where}: {err.message}", None, lines, invalid_line=exc.number,
                        column=err.column, caret=err.caret(exc.text) or None)
