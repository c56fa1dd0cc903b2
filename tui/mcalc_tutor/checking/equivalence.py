"""The layered equivalence check: parse and shape, seeded numeric sampling, cheap symbolic
confirmation, then diagnostics that name the mistake (checking/diagnostics.py).

Same expected answer, same symbols, same answer → same verdict, every run: instances are drawn
from a seed derived from the expected answer and the declarations only.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from ..mathlang import MathError, read
from ..mathlang.pretty import pretty
from ..mathlang.shapes import Typed, format_shape
from ..mathlang.symbols import SymbolTable
from .diagnostics import Context, Mistake, diagnose
from .reference import ExpectedAnswerError, _cached_reference, all_close, evaluate_all, fit_shape, reference, transposed
from .verdict import CORRECT, INCORRECT, Verdict, invalid

__all__ = ["ExpectedAnswerError", "Mistake", "batch_grading", "check_answer", "diagnostic_context",
           "_cached_reference"]

_CONFIRM = ContextVar("confirm_symbolically", default=True)
"""False while a batch grades: see batch_grading."""


@contextmanager
def batch_grading(active: bool = True) -> Iterator[None]:
    """Within it, a numeric "correct" is not confirmed symbolically. The confirmation only sets
    Verdict.method, which no grade, score or feedback shows, and it costs sympy's time (and its
    import in every worker) on each distinct correct answer of a batch."""
    token = _CONFIRM.set(not active)
    try:
        yield
    finally:
        _CONFIRM.reset(token)


def check_answer(expected: str, answer: str, symbols: SymbolTable, *, mistakes: Sequence[Mistake] = (),
                 layout: str = "exact", symbolic: bool = True, reveal: bool = False) -> Verdict:
    """Decide whether `answer` equals `expected` for all values of the declared symbols.

    layout: "exact" (or "column"/"row": the expected's own orientation is required) or
    "either" (the transpose of the expected is accepted too). reveal: the learner has asked for
    the solution, so feedback may state the expected answer and its values (never otherwise).
    """
    ref = reference(expected, symbols)
    try:
        typed = read(answer, symbols)
    except MathError as exc:
        return invalid(exc.message if exc.column is None else f"{exc.message} (column {exc.column + 1})",
                       exc.column, exc.caret(answer))
    return judge(ref.text, typed, symbols, mistakes=mistakes, layout=layout, symbolic=symbolic, reveal=reveal)


def judge(expected: str, typed: Typed, symbols: SymbolTable, *, mistakes: Sequence[Mistake] = (),
          layout: str = "exact", symbolic: bool = True, reveal: bool = False) -> Verdict:
    """The verdict on an answer already read (and typed) with `symbols`."""
    verdict = Verdict(INCORRECT, 0.0, "", interpreted=pretty(typed.tree, symbols), shape=format_shape(typed.shape),
                      method="numeric")  # the shape as read, before fitting it to the expected's
    ctx = diagnostic_context(expected, typed, symbols, mistakes)
    ctx.reveal = reveal
    if ctx.same_shape and all_close(ctx.answers, ctx.ref.values):
        verdict.status, verdict.score, verdict.message = CORRECT, 1.0, "Correct."
        if symbolic and _CONFIRM.get() and _symbolically_confirmed(ctx.ref.typed, typed, symbols):
            verdict.method = "numeric+symbolic"
        return verdict

    diagnostics = diagnose(ctx)
    if layout == "either" and any(d.code == "transpose" for d in diagnostics):
        verdict.status, verdict.score = CORRECT, 1.0
        verdict.message = "Correct (in the other layout: the transpose of the expected form, accepted here)."
        return verdict
    verdict.diagnostics = diagnostics
    verdict.message = diagnostics[0].message if diagnostics else "Not equivalent to the expected answer."
    return verdict


def diagnostic_context(expected: str, typed: Typed, symbols: SymbolTable,
                       mistakes: Sequence[Mistake] = ()) -> Context:
    """The answer's values at the expected answer's instances, its shape fitted to the expected's."""
    ref = reference(expected, symbols)
    same_shape = fit_shape(typed, ref.typed.shape)
    if not same_shape:
        fit_shape(typed, transposed(ref.typed.shape))
    answers = evaluate_all(typed, ref.instances)  # even of another shape: a listed mistake may match it
    return Context(ref, symbols, typed, answers, same_shape, mistakes)


def _symbolically_confirmed(expected: Typed, answer: Typed, symbols: SymbolTable) -> bool:
    from .symbolic import symbolically_equal

    return symbolically_equal(expected.tree, answer.tree, symbols) is True
