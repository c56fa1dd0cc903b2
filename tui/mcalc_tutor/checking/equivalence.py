"""The layered equivalence check: parse and shape, seeded numeric sampling, cheap symbolic
confirmation, then diagnostics that name the mistake (transpose, sign, factor, symmetry,
factor order, listed mistakes).

Same expected answer, same symbols, same answer → same verdict, every run: instances are drawn
from a seed derived from the expected answer and the declarations only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

from ..mathlang import MathError, read
from ..mathlang.evaluate import DomainError, evaluate
from ..mathlang.pretty import display_name, pretty
from ..mathlang.shapes import Typed, Var, describe_shape, format_shape
from ..mathlang.symbols import SymbolTable
from .sampling import Instance, sample_instance, seed_for, size_assignments
from .verdict import CORRECT, INCORRECT, Diagnostic, Verdict, invalid

DRAWS_PER_SIZE = 2
MAX_RESAMPLES = 12
RTOL, ATOL = 1e-8, 1e-10


class ExpectedAnswerError(ValueError):
    """The expected answer itself does not parse or cannot be evaluated: an authoring error."""


@dataclass(frozen=True)
class Mistake:
    """A listed misconception: an answer and the feedback a learner who gives it should read."""

    answer: str
    feedback: str


@dataclass
class _Reference:
    """The expected answer, typed, with its sample instances and values (cached per expected)."""

    typed: Typed
    instances: list[Instance]
    values: list[np.ndarray]
    mistakes: dict = field(default_factory=dict)  # mistake text -> its values at the instances
    special: dict = field(default_factory=dict)   # diagnostic sampling options -> (instances, values)


def check_answer(expected: str, answer: str, symbols: SymbolTable, *, mistakes: Sequence[Mistake] = (),
                 layout: str = "exact", symbolic: bool = True) -> Verdict:
    """Decide whether `answer` equals `expected` for all values of the declared symbols.

    layout: "exact" (or "column"/"row": the expected's own orientation is required) or
    "either" (the transpose of the expected is accepted too).
    """
    ref = _reference(expected, symbols)
    try:
        typed = read(answer, symbols)
    except MathError as exc:
        return invalid(exc.message if exc.column is None else f"{exc.message} (column {exc.column + 1})",
                       exc.column, exc.caret(answer))
    interpreted = pretty(typed.tree, symbols)
    shape_text = format_shape(typed.shape)
    verdict = Verdict(INCORRECT, 0.0, "", interpreted=interpreted, shape=shape_text, method="numeric")

    same_shape = _fit_shape(typed, ref.typed.shape)
    if not same_shape:
        _fit_shape(typed, _t(ref.typed.shape))
    answers = _evaluate_all(typed, ref.instances)  # even of another shape: a listed mistake may match it

    if same_shape and answers is not None and _all_close(answers, ref.values):
        verdict.status, verdict.score, verdict.message = CORRECT, 1.0, "Correct."
        if symbolic and _symbolically_confirmed(ref.typed, typed, symbols):
            verdict.method = "numeric+symbolic"
        return verdict

    diagnostics = _diagnose(ref, typed, answers, same_shape, symbols, mistakes, expected)
    if layout == "either" and any(d.code == "transpose" for d in diagnostics):
        verdict.status, verdict.score = CORRECT, 1.0
        verdict.message = "Correct (in the other layout: the transpose of the expected form, accepted here)."
        return verdict
    verdict.diagnostics = diagnostics
    verdict.message = diagnostics[0].message if diagnostics else "Not equivalent to the expected answer."
    return verdict


# --- the reference (cached: a part's expected answer is checked against many answers) -------------

def _reference(expected: str, symbols: SymbolTable) -> _Reference:
    return _cached_reference(expected, _Frozen(symbols))


class _Frozen:
    """Hashable wrapper of a SymbolTable (by its declarations), for the cache key."""

    def __init__(self, symbols: SymbolTable):
        self.symbols = symbols
        self.key = tuple((k, s.rows, s.cols, tuple(sorted(s.properties)), s.is_function) for k, s in symbols.items()) \
            + tuple(symbols.definitions.items())

    def __hash__(self):
        return hash(self.key)

    def __eq__(self, other):
        return isinstance(other, _Frozen) and self.key == other.key


@lru_cache(maxsize=512)
def _cached_reference(expected: str, frozen: _Frozen) -> _Reference:
    symbols = frozen.symbols
    try:
        typed = read(expected, symbols)
    except MathError as exc:
        raise ExpectedAnswerError(f"expected answer {expected!r}: {exc}") from None
    rng = np.random.default_rng(seed_for(expected, repr(frozen.key)))
    instances, values = _draw(typed, symbols, rng)
    if not instances:
        raise ExpectedAnswerError(f"expected answer {expected!r} is undefined at every sample point")
    return _Reference(typed, instances, values)


def _draw(typed: Typed, symbols: SymbolTable, rng, **options) -> tuple[list[Instance], list[np.ndarray]]:
    instances, values = [], []
    for sizes in size_assignments(symbols):
        for _ in range(DRAWS_PER_SIZE):
            for _attempt in range(MAX_RESAMPLES):
                try:
                    inst = sample_instance(symbols, sizes, rng, **options)
                    value = evaluate(typed, inst.values, inst.sizes, inst.functions)
                except DomainError:
                    continue
                instances.append(inst)
                values.append(value)
                break
    return instances, values


# --- shapes -----------------------------------------------------------------------------------

def _t(shape):
    return (shape[1], shape[0])


def _fit_shape(typed: Typed, shape) -> bool:
    """Does the answer's shape equal `shape`? Unknown sizes (of I) in the answer are fixed to it."""
    mine = typed.shape
    for a, b in zip(mine, shape):
        a = typed.unifier.find(a)
        if isinstance(a, Var):
            continue
        if isinstance(b, Var):
            continue
        if a != b:
            return False
    for a, b in zip(mine, shape):
        if isinstance(typed.unifier.find(a), Var) and not isinstance(b, Var):
            typed.unifier.unify(a, b)
    return True


# --- numerics ---------------------------------------------------------------------------------

def _evaluate_all(typed: Typed, instances: Iterable[Instance]) -> list[np.ndarray | None]:
    out = []
    for inst in instances:
        try:
            out.append(evaluate(typed, inst.values, inst.sizes, inst.functions))
        except DomainError:
            out.append(None)
    return out


def _close(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None or a.shape != b.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return bool(np.all(np.abs(a - b) <= RTOL * scale + ATOL))


def _all_close(answers: Sequence, values: Sequence) -> bool:
    return len(answers) == len(values) and all(_close(a, b) for a, b in zip(answers, values))


def _same_values(answers: Sequence, values: Sequence) -> bool:
    """Equal wherever defined, and undefined at the same points (a listed mistake like (XᵀX)⁻¹Xᵀy
    is undefined where XᵀX is singular, exactly as the learner's answer is)."""
    both = 0
    for a, v in zip(answers, values):
        if (a is None) != (v is None):
            return False
        if a is not None:
            if not _close(a, v):
                return False
            both += 1
    return both >= 2 and len(answers) == len(values)


def _symbolically_confirmed(expected: Typed, answer: Typed, symbols: SymbolTable) -> bool:
    from .symbolic import symbolically_equal

    return symbolically_equal(expected.tree, answer.tree, symbols) is True


# --- diagnostics ------------------------------------------------------------------------------

def _diagnose(ref: _Reference, typed: Typed, answers, same_shape: bool, symbols: SymbolTable,
              mistakes: Sequence[Mistake], expected_text: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    exp_shape, ans_shape = ref.typed.shape, typed.shape

    for mistake in mistakes:
        mistake_values = _mistake_values(ref, mistake.answer, symbols)
        if mistake_values is not None and answers is not None and _same_values(answers, mistake_values):
            found.append(Diagnostic("mistake", mistake.feedback))
            break

    if not same_shape:
        found.append(Diagnostic(
            "shape", f"Your answer is {describe_shape(ans_shape)}, but the answer should be "
                     f"{describe_shape(exp_shape)}."))

    if answers is None or any(a is None for a in answers):
        defined = [a is not None for a in (answers or [])]
        if answers is not None and not any(defined):
            found.append(Diagnostic("undefined", "Your answer is undefined (or infinite) at the test points "
                                                 "where the expected answer is defined."))
        elif answers is not None:
            # undefined at some points only (2 ln x for ln x², x of either sign): not a shape problem
            agrees = all(_close(a, e) for a, e in zip(answers, ref.values) if a is not None)
            found.append(Diagnostic("undefined", (
                "Your answer agrees where it is defined, but it is undefined (or infinite) at some test points "
                "where the expected answer is defined (a log or square root of a negative number, or a division "
                "by zero?).") if agrees else (
                "Not equivalent, and your answer is undefined (or infinite) at some test points where the "
                "expected answer is defined.")))
        return found or [Diagnostic("shape", "Your answer has a different shape from the expected one.")]

    transposed = [v.T for v in ref.values]
    if exp_shape != _t(exp_shape) or not same_shape or not _all_close(ref.values, transposed):
        c = _multiple(answers, transposed)
        if c is not None:  # the transpose, possibly with a sign or factor slip on top
            found.append(Diagnostic("transpose", _transpose_message(exp_shape)))
            found += _scale_diagnostics(c, also=True)
            return _dedupe(found)
    if not same_shape:
        return _dedupe(found)

    c = _multiple(answers, ref.values)
    if c is not None:
        found += _scale_diagnostics(c)
        return _dedupe(found)

    mentioned = _names_in(ref.typed.tree) | _names_in(typed.tree)
    matrices = [k for k, s in symbols.items() if k in mentioned
                and not s.is_function and s.rows == s.cols and s.rows != 1 and not s.has("symmetric")]
    for name in matrices:
        c = _multiple_under(ref, typed, symbols, expected_text, force_symmetric=frozenset([name]))
        if c is not None:
            shown = display_name(name, symbols)
            if abs(c - 1) < 1e-9:
                message = (f"Your answer would be right only if {shown} were symmetric; {shown} is a general "
                           f"matrix here (use {shown}ᵀ where it belongs).")
            else:
                message = (f"Your answer treats {shown} as if it were symmetric; {shown} is a general matrix here "
                           f"(use {shown}ᵀ where it belongs).")
            found.append(Diagnostic("symmetric", message))
            found += _scale_diagnostics(c, also=True, even=f"even with {shown} symmetric")
            return _dedupe(found)
    if len(matrices) > 1:
        c = _multiple_under(ref, typed, symbols, expected_text, force_symmetric=frozenset(matrices))
        if c is not None:
            names = ", ".join(display_name(m, symbols) for m in matrices)
            found.append(Diagnostic("symmetric", f"Your answer would be right only if {names} were symmetric."))
            found += _scale_diagnostics(c, also=True)
            return _dedupe(found)
    square = [k for k, s in symbols.items()
              if k in mentioned and not s.is_function and s.rows == s.cols and s.rows != 1]
    if len(square) > 1:
        c = _multiple_under(ref, typed, symbols, expected_text, commuting=True)
        if c is not None:
            found.append(Diagnostic("commute", "The order of the matrix factors matters: your answer would be right "
                                               "only if the matrices commuted (check the order, e.g. (AB)ᵀ = BᵀAᵀ)."))
            found += _scale_diagnostics(c, also=True)
            return _dedupe(found)
    example = _counterexample(ref, answers, symbols)
    if example and not found:
        found.append(Diagnostic("value", example))
    return _dedupe(found)


_PRIORITY = {"mistake": 0, "transpose": 1}


def _names_in(tree) -> set[str]:
    from ..mathlang.ast import Sym, walk

    return {n.name for n in walk(tree) if isinstance(n, Sym)}


def _dedupe(found: list[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats and lead with the most specific finding (a listed mistake, then a transpose)."""
    seen, out = set(), []
    for d in sorted(found, key=lambda d: _PRIORITY.get(d.code, 2)):
        if d.message not in seen:
            seen.add(d.message)
            out.append(d)
    return out


def _transpose_message(exp_shape) -> str:
    if exp_shape[1] == 1 and exp_shape[0] != 1:
        return ("Your answer is the transpose of the correct one: this part writes the gradient as a column "
                "vector (numerator layout would give the row).")
    if exp_shape[0] == 1 and exp_shape[1] != 1:
        return ("Your answer is the transpose of the correct one: this part writes the derivative as a row "
                "vector (as ∂f/∂x in the row convention).")
    return ("Your answer is the transpose of the correct one: check the layout convention (which index is the "
            "row) and where a transpose belongs.")


def _multiple(answers, values) -> float | None:
    """c when answers ≈ c·values at every sample (c = 1 is equality, −1 a sign slip), else None."""
    factors = []
    for a, e in zip(answers, values):
        if a is None or e is None or a.shape != e.shape:
            return None
        denom = float(np.sum(e * e))
        if denom < 1e-12:
            continue
        factors.append(float(np.sum(a * e)) / denom)
    if not factors or abs(factors[0]) < 1e-9:
        return None
    c = factors[0]
    if abs(c - round(c)) < 1e-9:
        c = float(round(c))
    if all(_close(a, c * e) for a, e in zip(answers, values)):
        return c
    return None


def _scale_diagnostics(c: float, also: bool = False, even: str | None = None) -> list[Diagnostic]:
    """A sign or factor slip, said alone or on top of another finding."""
    on_top = f" ({even})" if even else " as well" if also else ""
    if abs(c - 1) < 1e-9:
        return []
    if abs(c - 1) < 1e-3:  # equal but for rounding: say so, not "1 times"
        return [Diagnostic("precision", f"Your answer is within {abs(c - 1):.1e} (relative) of the correct one "
                                        f"but not equal to it: give more digits, or an exact form.")]
    if abs(c + 1) < 1e-9:
        return [Diagnostic("sign", f"Your answer has the wrong sign{on_top}: it is the negative of the correct one.")]
    return [Diagnostic("factor", f"Your answer is off by a constant factor{on_top}: it is {_show_factor(c)} "
                                 f"times the correct one.")]


def _show_factor(c: float) -> str:
    frac = Fraction(c).limit_denominator(24)
    if abs(float(frac) - c) < 1e-9 * max(1, abs(c)):
        return str(frac)
    return f"{c:.6g}"


def _mistake_values(ref: _Reference, text: str, symbols: SymbolTable) -> list | None:
    """A listed mistake's values at the reference instances, computed once per reference."""
    if text not in ref.mistakes:
        try:
            mtyped = read(text, symbols)
            ref.mistakes[text] = _evaluate_all(mtyped, ref.instances)
        except MathError:
            ref.mistakes[text] = None
    return ref.mistakes[text]


def _multiple_under(ref: _Reference, typed: Typed, symbols: SymbolTable, expected_text: str,
                    **options) -> float | None:
    """Like _multiple, at instances drawn under an extra assumption (a matrix made symmetric, all
    square matrices commuting); the draws are cached on the reference."""
    key = repr(sorted(options.items()))
    if key not in ref.special:
        rng = np.random.default_rng(seed_for(expected_text, "diagnostic", key))
        ref.special[key] = _draw(ref.typed, symbols, rng, **options)
    instances, values = ref.special[key]
    if not instances:
        return None
    return _multiple(_evaluate_all(typed, instances), values)


def _counterexample(ref: _Reference, answers, symbols: SymbolTable) -> str | None:
    """For scalar-only declarations, show one test point where the two differ (as WeBWorK does)."""
    if not symbols or any(not s.is_scalar for s in symbols.values() if not s.is_function):
        return None
    for inst, a, e in zip(ref.instances, answers, ref.values):
        if a is not None and not _close(a, e):
            point = ", ".join(f"{display_name(k, symbols)} = {v[0, 0]:.4g}" for k, v in inst.values.items())
            return (f"Not equivalent: at {point} your answer gives {_fmt(a)} but the correct value is "
                    f"{_fmt(e)}.")
    return None


def _fmt(v: np.ndarray) -> str:
    if v.shape == (1, 1):
        return f"{v[0, 0]:.6g}"
    return "[" + "; ".join(", ".join(f"{x:.4g}" for x in row) for row in v) + "]"
