"""Diagnostics that name the mistake in a wrong answer, as an ordered table of small detectors.

Each detector looks at one possible slip (a listed mistake, the shape, points where the answer is
undefined, a transpose, a sign or factor, a matrix treated as symmetric, factors that were made to
commute, a counterexample) and returns its findings. `diagnose` runs them in order; a detector
whose finding explains the answer ends the run (`final`), because later ones would only repeat it.
Adding a diagnostic is one function here, one entry in DETECTORS, and one row in
tests/test_diagnostics.py.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..mathlang import MathError, read
from ..mathlang.ast import Node, Sym, walk
from ..mathlang.pretty import display_name
from ..mathlang.shapes import Typed, describe_shape
from ..mathlang.symbols import SymbolTable
from .reference import Reference, Values, all_close, close, draw, evaluate_all, transposed
from .sampling import seed_for
from .verdict import Diagnostic
from .withhold import answer_forms, withhold


@dataclass(frozen=True)
class Mistake:
    """A listed misconception: an answer and the feedback a learner who gives it should read."""

    answer: str
    feedback: str


@dataclass
class Context:
    """What every detector may look at: the expected answer, the learner's, and their values."""

    ref: Reference
    symbols: SymbolTable
    typed: Typed
    answers: Values
    same_shape: bool
    mistakes: Sequence[Mistake] = ()
    reveal: bool = False
    """The learner has asked for the solution: feedback may state the expected answer and values."""
    found: list[Diagnostic] = field(default_factory=list)
    """The findings of the detectors that ran before (the run fills it in)."""


@dataclass(frozen=True)
class Findings:
    diagnostics: tuple[Diagnostic, ...] = ()
    final: bool = False  # the answer is explained: the detectors after this one do not run


NOTHING = Findings()
Detector = Callable[[Context], Findings]


def diagnose(ctx: Context) -> list[Diagnostic]:
    """Run DETECTORS in order and return their findings, most specific first, without repeats."""
    for detector in DETECTORS:
        findings = detector(ctx)
        ctx.found.extend(findings.diagnostics)
        if findings.final:
            break
    return _dedupe(ctx.found)


# --- the detectors, in the order they run ------------------------------------------------------

def listed_mistake(ctx: Context) -> Findings:
    """The answer has the values of a misconception the part lists (even of another shape). Unless
    the solution is revealed, sentences of its feedback that state the expected answer are withheld."""
    for mistake in ctx.mistakes:
        values = _mistake_values(ctx, mistake.answer)
        if values is not None and _same_values(ctx.answers, values):
            feedback = mistake.feedback if ctx.reveal else withhold(mistake.feedback,
                                                                    answer_forms(ctx.ref.text, ctx.symbols))
            return Findings((Diagnostic("mistake", feedback),)) if feedback else NOTHING
    return NOTHING


def other_shape(ctx: Context) -> Findings:
    """The answer's shape is not the expected one."""
    if ctx.same_shape:
        return NOTHING
    return Findings((Diagnostic("shape", f"Your answer is {describe_shape(ctx.typed.shape)}, but the answer should "
                                         f"be {describe_shape(ctx.ref.typed.shape)}."),))


def undefined_somewhere(ctx: Context) -> Findings:
    """The answer is undefined at some test points where the expected answer is defined."""
    answers = ctx.answers
    if all(a is not None for a in answers):
        return NOTHING
    if not any(a is not None for a in answers):
        message = "Your answer is undefined (or infinite) at the test points where the expected answer is defined."
    elif all(close(a, e) for a, e in zip(answers, ctx.ref.values, strict=False) if a is not None):
        # undefined at some points only (2 ln x for ln x², x of either sign): not a shape problem
        message = ("Your answer agrees where it is defined, but it is undefined (or infinite) at some test points "
                   "where the expected answer is defined (a log or square root of a negative number, or a division "
                   "by zero?).")
    else:
        message = ("Not equivalent, and your answer is undefined (or infinite) at some test points where the "
                   "expected answer is defined.")
    return Findings((Diagnostic("undefined", message),), final=True)


def transpose(ctx: Context) -> Findings:
    """The answer is the transpose of the expected one, possibly with a sign or factor slip on top."""
    ref = ctx.ref
    exp_shape = ref.typed.shape
    flipped = [v.T for v in ref.values]
    if exp_shape == transposed(exp_shape) and ctx.same_shape and all_close(ref.values, flipped):
        return NOTHING  # a symmetric expected answer is its own transpose: nothing to tell
    c = _multiple(ctx.answers, flipped)
    if c is None:
        return NOTHING
    return Findings((Diagnostic("transpose", _transpose_message(exp_shape)), *_scale_diagnostics(c, also=True)),
                    final=True)


def entrywise_needs_same_shape(ctx: Context) -> Findings:
    """The detectors below compare values entry by entry: an answer of another shape stops here."""
    return NOTHING if ctx.same_shape else Findings(final=True)


def sign_or_factor(ctx: Context) -> Findings:
    """The answer is a constant multiple of the expected one (−1: a sign slip; ≈1: rounding)."""
    c = _multiple(ctx.answers, ctx.ref.values)
    return NOTHING if c is None else Findings(tuple(_scale_diagnostics(c)), final=True)


def treated_as_symmetric(ctx: Context) -> Findings:
    """The answer would be right if one general square matrix were symmetric."""
    for name in _general_matrices(ctx):
        c = _multiple_under(ctx, force_symmetric=frozenset([name]))
        if c is None:
            continue
        shown = display_name(name, ctx.symbols)
        if abs(c - 1) < 1e-9:
            message = (f"Your answer would be right only if {shown} were symmetric; {shown} is a general "
                       f"matrix here (use {shown}ᵀ where it belongs).")
        else:
            message = (f"Your answer treats {shown} as if it were symmetric; {shown} is a general matrix here "
                       f"(use {shown}ᵀ where it belongs).")
        return Findings((Diagnostic("symmetric", message),
                         *_scale_diagnostics(c, also=True, even=f"even with {shown} symmetric")), final=True)
    return NOTHING


def all_treated_as_symmetric(ctx: Context) -> Findings:
    """The answer would be right only if every general square matrix in it were symmetric."""
    matrices = _general_matrices(ctx)
    if len(matrices) <= 1:
        return NOTHING
    c = _multiple_under(ctx, force_symmetric=frozenset(matrices))
    if c is None:
        return NOTHING
    names = ", ".join(display_name(m, ctx.symbols) for m in matrices)
    return Findings((Diagnostic("symmetric", f"Your answer would be right only if {names} were symmetric."),
                     *_scale_diagnostics(c, also=True)), final=True)


def factors_commuted(ctx: Context) -> Findings:
    """The answer would be right only if the square matrices commuted ((AB)ᵀ written AᵀBᵀ)."""
    square = [k for k, s in ctx.symbols.items()
              if k in _mentioned(ctx) and not s.is_function and s.rows == s.cols and s.rows != 1]
    if len(square) <= 1:
        return NOTHING
    c = _multiple_under(ctx, commuting=True)
    if c is None:
        return NOTHING
    return Findings((Diagnostic("commute", "The order of the matrix factors matters: your answer would be right "
                                           "only if the matrices commuted (check the order, e.g. (AB)ᵀ = BᵀAᵀ)."),
                     *_scale_diagnostics(c, also=True)), final=True)


def counterexample(ctx: Context) -> Findings:
    """For scalar-only declarations, one test point where the two differ (as WeBWorK does)."""
    if ctx.found:
        return NOTHING
    example = _counterexample(ctx)
    return Findings((Diagnostic("value", example),)) if example else NOTHING


DETECTORS: tuple[Detector, ...] = (
    listed_mistake, other_shape, undefined_somewhere, transpose, entrywise_needs_same_shape, sign_or_factor,
    treated_as_symmetric, all_treated_as_symmetric, factors_commuted, counterexample,
)


# --- helpers ----------------------------------------------------------------------------------

_PRIORITY = {"mistake": 0, "transpose": 1}


def _dedupe(found: list[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats and lead with the most specific finding (a listed mistake, then a transpose)."""
    seen, out = set(), []
    for d in sorted(found, key=lambda d: _PRIORITY.get(d.code, 2)):
        if d.message not in seen:
            seen.add(d.message)
            out.append(d)
    return out


def _names_in(tree: Node) -> set[str]:
    return {n.name for n in walk(tree) if isinstance(n, Sym)}


def _mentioned(ctx: Context) -> set[str]:
    return _names_in(ctx.ref.typed.tree) | _names_in(ctx.typed.tree)


def _general_matrices(ctx: Context) -> list[str]:
    """Square, non-symmetric matrices named in the expected answer or the learner's."""
    mentioned = _mentioned(ctx)
    return [k for k, s in ctx.symbols.items() if k in mentioned
            and not s.is_function and s.rows == s.cols and s.rows != 1 and not s.has("symmetric")]


def _same_values(answers: Values, values: Values) -> bool:
    """Equal wherever defined, and undefined at the same points (a listed mistake like (XᵀX)⁻¹Xᵀy
    is undefined where XᵀX is singular, exactly as the learner's answer is)."""
    both = 0
    for a, v in zip(answers, values, strict=False):
        if (a is None) != (v is None):
            return False
        if a is not None:
            if not close(a, v):
                return False
            both += 1
    return both >= 2 and len(answers) == len(values)


def _mistake_values(ctx: Context, text: str) -> Values | None:
    """A listed mistake's values at the reference instances, computed once per reference."""
    ref = ctx.ref
    if text not in ref.mistakes:
        try:
            ref.mistakes[text] = evaluate_all(read(text, ctx.symbols), ref.instances)
        except MathError:
            ref.mistakes[text] = None
    return ref.mistakes[text]


def _transpose_message(exp_shape: tuple[object, object]) -> str:
    if exp_shape[1] == 1 and exp_shape[0] != 1:
        return ("Your answer is the transpose of the correct one: this part writes the gradient as a column "
                "vector (numerator layout would give the row).")
    if exp_shape[0] == 1 and exp_shape[1] != 1:
        return ("Your answer is the transpose of the correct one: this part writes the derivative as a row "
                "vector (as ∂f/∂x in the row convention).")
    return ("Your answer is the transpose of the correct one: check the layout convention (which index is the "
            "row) and where a transpose belongs.")


def _multiple(answers: Values, values: Sequence[np.ndarray | None]) -> float | None:
    """c when answers ≈ c·values at every sample (c = 1 is equality, −1 a sign slip), else None."""
    factors = []
    for a, e in zip(answers, values, strict=False):
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
    if all(close(a, None if e is None else c * e) for a, e in zip(answers, values, strict=False)):
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


def _multiple_under(ctx: Context, **options: object) -> float | None:
    """Like _multiple, at instances drawn under an extra assumption (a matrix made symmetric, all
    square matrices commuting); the draws are cached on the reference."""
    ref = ctx.ref
    key = repr(sorted(options.items()))
    if key not in ref.special:
        rng = np.random.default_rng(seed_for(ref.text, "diagnostic", key))
        ref.special[key] = draw(ref.typed, ctx.symbols, rng, **options)
    instances, values = ref.special[key]
    if not instances:
        return None
    return _multiple(evaluate_all(ctx.typed, instances), list(values))


def _counterexample(ctx: Context) -> str | None:
    symbols, ref = ctx.symbols, ctx.ref
    if not symbols or any(not s.is_scalar for s in symbols.values() if not s.is_function):
        return None
    for inst, a, e in zip(ref.instances, ctx.answers, ref.values, strict=False):
        if a is not None and not close(a, e):
            point = ", ".join(f"{display_name(k, symbols)} = {v[0, 0]:.4g}" for k, v in inst.values.items())
            if ctx.reveal:
                return (f"Not equivalent: at {point} your answer gives {_fmt(a)} but the correct value is "
                        f"{_fmt(e)}.")
            where = _where_off(a, e)
            return (f"Not equivalent: at {point} your answer gives {_fmt(a)}; the {where} off." if where else
                    f"Not equivalent: at {point} your answer gives {_fmt(a)}, which is not the expected value.")
    return None


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _where_off(a: np.ndarray, e: np.ndarray) -> str:
    """Which entries of a vector or matrix value differ ("second entry is"), or "" for all or one."""
    if a.size == 1 or a.shape != e.shape:
        return ""
    off = [i for i, (x, y) in enumerate(zip(a.ravel(), e.ravel(), strict=True))
           if not close(np.array([[x]]), np.array([[y]]))]
    if not off or len(off) == a.size:
        return ""
    cols = a.shape[1]
    names = [(_ORDINALS[i] if i < len(_ORDINALS) else f"{i + 1}th") if 1 in a.shape
             else f"({i // cols + 1}, {i % cols + 1})" for i in off]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{listed} entr{'y is' if len(off) == 1 else 'ies are'}"


def _fmt(v: np.ndarray) -> str:
    if v.shape == (1, 1):
        return f"{v[0, 0]:.6g}"
    return "[" + "; ".join(", ".join(f"{x:.4g}" for x in row) for row in v) + "]"
