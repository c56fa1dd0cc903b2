"""Fuzzing the answer language: whatever a learner types, reading it returns or raises MathError,
and checking it returns a verdict — never another exception. HYPOTHESIS_PROFILE=ci runs
thousands of examples per property (see conftest.py)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, note
from hypothesis import strategies as st

from mcalc_tutor.checking.equivalence import Mistake, check_answer
from mcalc_tutor.checking.sampling import sample_instance, size_assignments
from mcalc_tutor.mathlang import MathError, parse_declarations, read
from mcalc_tutor.mathlang.evaluate import DomainError, evaluate
from mcalc_tutor.mathlang.pretty import pretty

SYMBOLS = parse_declarations(
    "A: n×n, S: n×n symmetric, X: n×n invertible, W: m×n, x: n, y: n, δ_z: m, t: scalar, "
    "λ: scalar positive, x_1: scalar, σ1: function")

# pieces of text a learner might type, glued in any order: most results are nonsense, some parse
PIECES = [
    "x", "y", "A", "S", "X", "W", "t", "λ", "lambda", "x_1", "x₁", "x1", "δ_z", "delta_z", "σ1", "σ₁'", "I",
    "2", "0", "1.5", ".5", "1e3", "1e-3", "9", "1/2", "pi", "π", "e",
    "sin", "cos", "exp", "log", "ln", "sqrt", "abs", "tr", "det", "diag", "inv", "norm", "sum", "softmax",
    "sigma", "σ", "relu", "tanh", "hadamard", "max", "logsumexp", "transpose", "step", "sign",
    "+", "-", "−", "*", "/", "^", "**", "·", "⋅", "×", "⊙", ".*", "'", "ᵀ", "⁻¹", "⁻ᵀ", "²", ".T",
    "^T", "^{T}", "^{-1}", "^-1", "^{-T}", "^-T", "(", ")", "[", "]", "{", "}", ",", ";", "|", "||", "‖",
    "_", "_2", "₂", "_F", "_1", "_inf", "∞", " ", "  ", "\\cdot", "\\|", "\\left(", "\\right)", "\\lambda",
    "\\top", "\\odot", "=", "∇", "∂", "?", "$", "\t", "Ax", "xᵀAx", "2Ax", "ssᵀ", "λI", "x'Ax", "X^TX", "tA",
]
grammarish = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
any_text = st.text(max_size=200)
mixed = st.one_of(grammarish, any_text, st.lists(st.sampled_from(PIECES) | st.characters(), max_size=40).map("".join))

EXPECTED = ["A x + t y", "t^2 + sin(λ)", "W^T δ_z", "tr(A)", "X^{-T}", "x/||x||", "σ1'(x) ⊙ y", "2S", "(t, λ)"]


@given(mixed)
def test_read_returns_or_raises_math_error(text):
    try:
        typed = read(text, SYMBOLS)
    except MathError as exc:
        assert exc.message and "\n" not in exc.message
        assert exc.column is None or 0 <= exc.column <= len(text)
        exc.caret(text)  # must not raise either
        return
    assert typed.shape is not None
    pretty(typed.tree, SYMBOLS)


@given(grammarish, st.sampled_from(EXPECTED))
def test_check_answer_never_raises(answer, expected):
    verdict = check_answer(expected, answer, SYMBOLS, mistakes=[Mistake("x", "not x")])
    assert verdict.status in ("correct", "incorrect", "invalid")
    assert verdict.message and "\n" not in verdict.message
    assert (verdict.status == "invalid") == (verdict.interpreted is None)


@given(any_text, st.sampled_from(EXPECTED))
def test_check_answer_never_raises_on_random_unicode(answer, expected):
    verdict = check_answer(expected, answer, SYMBOLS)
    assert verdict.status in ("correct", "incorrect", "invalid")


@given(st.text(max_size=120) | st.lists(st.sampled_from(
    ["A", "x", "λ", ":", ",", ";", " ", "n", "m", "×", "x", "by", "3", "60", "scalar", "symmetric", "spd",
     "positive", "definite", "semidefinite", "invertible", "diagonal", "function", "_", "'", "0"]), max_size=30).map("".join))
def test_declarations_parse_or_raise_math_error(spec):
    try:
        table = parse_declarations(spec)
    except MathError as exc:
        assert exc.message
        return
    for sym in table.values():
        assert sym.rows and sym.cols


# --- pretty printing round trip: what we echo back reads back to the same value ------------------

LEAVES = ["t", "λ", "x_1", "2", "3", "1/2", "0.5", "pi", "e", "x", "y", "δ_z", "A", "S", "X", "W", "I", "1e-3",
          "1e20"]
UNARY = ["-@", "(@)^T", "(@)'", "sin(@)", "exp(@)", "tr(@)", "det(@)", "inv(@)", "(@)^2", "(@)^{-1}", "||@||",
         "||@||_1", "||@||_inf", "||@||^2", "σ1'(@)", "σ1(@)", "sigma(@)", "diag(@)", "softmax(@)", "sum(@)",
         "abs(@)", "(@)^(-1/2)", "(@)^{-T}", "sqrt(@)", "tanh(@)", "relu(@)"]
BINARY = ["(@)+(@)", "(@)-(@)", "(@)(@)", "(@)*(@)", "(@)/(@)", "(@)⊙(@)", "(@)^(@)", "max(@,@)", "[@, @]",
          "(@, @)", "[@; @]", "hadamard(@, @)"]


def _fill(template: str, *parts: str) -> str:
    for part in parts:
        template = template.replace("@", part, 1) if template.count("@") > 1 else template.replace("@", part)
    return template


expressions = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: (st.tuples(st.sampled_from(UNARY), inner).map(lambda p: _fill(*p))
                   | st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda p: _fill(*p))),
    max_leaves=8)


@given(expressions)
def test_pretty_reads_back_to_the_same_value(text):
    try:
        typed = read(text, SYMBOLS)
    except MathError:
        return
    shown = pretty(typed.tree, SYMBOLS)
    note(f"pretty: {shown}")
    again = read(shown, SYMBOLS)  # must read back
    inst = sample_instance(SYMBOLS, size_assignments(SYMBOLS)[0], np.random.default_rng(7))
    try:
        value = evaluate(typed, inst.values, inst.sizes, inst.functions)
    except DomainError:
        return
    echoed = evaluate(again, inst.values, inst.sizes, inst.functions)
    assert echoed.shape == value.shape
    assert np.allclose(echoed, value, rtol=1e-9, atol=1e-12)
