"""Differentials: d(expr) by forward mode, the differential symbols dx and dX, and their check.

Each row of RULES is a function and the textbook form of its differential. The tests prove, for
each row, that forward mode agrees with a central finite difference of the function computed
here in the test (the implementation never differences), that the checker accepts the textbook
form as equal to d(f), and that forward mode is exact where a difference could not be.
"""
from __future__ import annotations

import numpy as np
import pytest

from mcalc_tutor.checking.equivalence import check_answer
from mcalc_tutor.checking.sampling import sample_instance, size_assignments
from mcalc_tutor.mathlang import DeclarationError, ParseError, parse_declarations, read
from mcalc_tutor.mathlang import ast as A
from mcalc_tutor.mathlang.differentials import parse_differentials
from mcalc_tutor.mathlang.evaluate import DomainError, evaluate
from mcalc_tutor.mathlang.pretty import pretty

DECLARATIONS = ("x: n, y: n, A: n×n, b: n, X: n×n, Y: n×n, S: n×n symmetric, s: scalar, p: scalar positive, "
                "f: function")
PAIRS = "x: dx, y: dy, X: dX, Y: dY, S: dS, s: ds, p: dp"


def _symbols():
    return parse_differentials(PAIRS, parse_declarations(DECLARATIONS))


# (function, the textbook form of its differential)
RULES = [
    # products
    ("x^T A x", "dx^T A x + x^T A dx"),
    ("x^T A x", "x^T (A + A^T) dx"),
    ("X Y", "dX Y + X dY"),
    ("s x", "ds x + s dx"),
    ("x^T y", "dx^T y + x^T dy"),
    ("x·y", "dx·y + x·dy"),
    ("x_1 x_2", "dx_1 x_2 + x_1 dx_2"),
    ("(A x - b)^T (A x - b)", "2 (A x - b)^T A dx"),
    # transposes
    ("X^T", "dX^T"),
    ("X^T X", "dX^T X + X^T dX"),
    ("x^T x", "2 x^T dx"),
    # inverses
    ("X^{-1}", "-X^{-1} dX X^{-1}"),
    ("inv(X^T X)", "-inv(X^T X) (dX^T X + X^T dX) inv(X^T X)"),
    ("1/s", "-ds/s^2"),
    ("X^{-T}", "-X^{-T} dX^T X^{-T}"),
    # traces
    ("tr(A X)", "tr(A dX)"),
    ("tr(X^T X)", "2 tr(X^T dX)"),
    ("tr(X A X^T)", "tr(dX A X^T + X A dX^T)"),
    ("tr(X^{-1} A)", "-tr(X^{-1} dX X^{-1} A)"),
    # determinants and log-determinants
    ("det(X)", "det(X) tr(X^{-1} dX)"),
    ("log(det(S^2 + I))", "tr(inv(S^2 + I) (dS S + S dS))"),
    ("log|X^T X|", "2 tr(inv(X) dX)"),
    ("ln det(X^T X)", "2 tr(X^{-1} dX)"),
    ("logdet(X)", "tr(X^{-1} dX)"),
    ("logdet(X^T X)", "2 tr(X^{-1} dX)"),
    # Hadamard products
    ("x ⊙ x", "2 x ⊙ dx"),
    ("x ⊙ (A x)", "dx ⊙ (A x) + x ⊙ (A dx)"),
    ("x ⊘ y", "dx ⊘ y - (x ⊙ dy) ⊘ (y ⊙ y)"),
    # element-wise functions
    ("σ(A x)", "σ'(A x) ⊙ (A dx)"),
    ("σ(s)", "σ(s)(1 - σ(s)) ds"),
    ("sum(exp(x))", "exp(x)^T dx"),
    ("tanh(x)", "(1 - tanh(x)^2) ⊙ dx"),
    ("relu(A x + b)", "step(A x + b) ⊙ (A dx)"),
    ("log(p)", "dp/p"),
    ("sqrt(p)", "dp/(2 sqrt(p))"),
    ("sin(s) cos(s)", "cos(2s) ds"),
    ("f(s)", "f'(s) ds"),
    ("e^x", "e^x ⊙ dx"),
    ("max(0, x)", "step(x) ⊙ dx"),
    # powers
    ("s^3", "3 s^2 ds"),
    ("p^s", "p^s (ds log(p) + s dp/p)"),
    ("X^3", "dX X^2 + X dX X + X^2 dX"),
    ("X^-2", "-(X^-1 dX X^-2 + X^-2 dX X^-1)"),
    ("x^2", "2 x ⊙ dx"),
    # norms
    ("‖x‖", "x^T dx / ‖x‖"),
    ("‖x‖^2", "2 x^T dx"),
    ("‖X‖_F", "tr(X^T dX) / ‖X‖_F"),
    ("‖x‖_1", "sign(x)^T dx"),
    # softmax, logsumexp, literals
    ("softmax(x)", "(diag(softmax(x)) - softmax(x) softmax(x)^T) dx"),
    ("logsumexp(x)", "softmax(x)^T dx"),
    ("[s, s^2; 0, 1]", "[ds, 2 s ds; 0, 0]"),
    ("diag(x) y", "diag(dx) y + diag(x) dy"),
]


def _instance(symbols, seed):
    rng = np.random.default_rng(seed)
    return sample_instance(symbols, size_assignments(symbols)[seed % 3], rng)


def _finite_difference(function, instance, symbols, h=1e-6):
    """Central difference of `function` along the sampled directions: the test's own reference."""
    def at(t):
        values = dict(instance.values)
        for variable, direction in symbols.differentials().items():
            values[variable] = instance.values[variable] + t * instance.values[direction]
        return evaluate(function, values, instance.sizes, instance.functions)

    return (at(h) - at(-h)) / (2 * h)


@pytest.mark.parametrize(("function", "rule"), RULES)
def test_forward_mode_agrees_with_finite_differences(function, rule):
    symbols = _symbols()
    f = read(function, symbols)
    df = read(f"d({function})", symbols)
    assert df.shape == f.shape
    checked = 0
    for seed in range(12):
        instance = _instance(symbols, seed)
        try:
            exact = evaluate(df, instance.values, instance.sizes, instance.functions)
            numeric = _finite_difference(f, instance, symbols)
        except DomainError:
            continue
        scale = max(1.0, float(np.max(np.abs(numeric))))
        np.testing.assert_allclose(exact, numeric, rtol=1e-5, atol=1e-5 * scale)
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize(("function", "rule"), RULES)
def test_the_textbook_differential_is_accepted(function, rule):
    verdict = check_answer(f"d({function})", rule, _symbols())
    assert verdict.status == "correct", (function, rule, verdict.message)


def test_forward_mode_is_exact_where_a_difference_is_not():
    symbols = _symbols()
    df = read("d(exp(s) x^T A x)", symbols)
    closed = read("exp(s) ds x^T A x + exp(s) x^T (A + A^T) dx", symbols)
    for seed in range(3):
        instance = _instance(symbols, seed)
        got = evaluate(df, instance.values, instance.sizes, instance.functions)
        want = evaluate(closed, instance.values, instance.sizes, instance.functions)
        assert abs(got[0, 0] - want[0, 0]) <= 1e-13 * max(1.0, abs(want[0, 0]))


def test_the_checker_compares_differentials_and_names_a_dropped_transpose():
    symbols = _symbols()
    assert check_answer("d(x^T A x)", "x^T(A+A^T)dx", symbols).status == "correct"
    assert check_answer("d(x^T A x)", "dx^T A x + x^T A dx", symbols).status == "correct"
    dropped = check_answer("d(x^T A x)", "x^T(A+A)dx", symbols)
    assert dropped.status == "incorrect"
    assert check_answer("d(x^T A x)", "2 x^T A dx", symbols).status == "incorrect"
    assert check_answer("d(X^{-1})", "-X^{-1} dX^T X^{-1}", symbols).status == "incorrect"
    assert check_answer("d(log det X)", "tr(X^{-T} dX)", symbols).status == "incorrect"
    assert check_answer("d(x^T A x)", "x^T (A + A^T)", symbols).status != "correct"


# (as typed, the same differential written canonically)
SPELLINGS = [
    ("d x", "dx"),
    ("d(x)", "dx"),
    ("d X^T", "dX^T"),
    ("\\mathrm{d}x", "dx"),
    ("dx^TAx", "dx^T A x"),
    ("d(x)^T A x", "dx^T A x"),
    ("x^T A d x", "x^T A dx"),
    ("d(x^T) A x", "dx^T A x"),
    ("2 d(s)", "2 ds"),
]


@pytest.mark.parametrize(("typed", "canonical"), SPELLINGS)
def test_differential_spellings(typed, canonical):
    assert check_answer(canonical, typed, _symbols()).status == "correct"


def test_a_printed_differential_reads_back():
    symbols = _symbols()
    typed = read("d(x^T A x) + d(tr(X))", symbols)
    assert isinstance(typed.tree, A.Add) and isinstance(typed.tree.left, A.Differential)
    shown = pretty(typed.tree, symbols)
    assert check_answer("d(x^T A x) + d(tr(X))", shown, symbols).status == "correct"


def test_a_defined_name_moves_with_its_variables():
    symbols = parse_declarations("W: m×n, x: n, b: m, z: m")
    symbols.definitions["z"] = "W x + b"
    symbols = parse_differentials("x: dx, W: dW", symbols)
    assert check_answer("d(σ(z))", "σ'(z) ⊙ (W dx + dW x)", symbols).status == "correct"
    assert check_answer("d(σ(z))", "σ'(z) ⊙ (W dx)", symbols).status == "incorrect"


def test_the_direction_of_a_symmetric_matrix_is_symmetric():
    symbols = _symbols()
    assert symbols["dS"].has("symmetric") and symbols["dS"].shape == symbols["S"].shape
    assert not symbols["dp"].has("positive")
    instance = _instance(symbols, 0)
    np.testing.assert_allclose(instance.values["dS"], instance.values["dS"].T)


def test_a_short_declaration_names_the_directions():
    symbols = parse_differentials("x, X", parse_declarations("x: n, X: n×n"))
    assert symbols.differentials() == {"x": "dx", "X": "dX"}


@pytest.mark.parametrize("text", ["z: dz", "x: A", "f: df", "x: dx, x: dx2"])
def test_bad_differential_declarations(text):
    with pytest.raises(DeclarationError):
        parse_differentials(text, parse_declarations("x: n, A: n×n, f: function"))


@pytest.mark.parametrize("text", ["d(d(x))", "d", "d + x", "d(x"])
def test_unreadable_differentials_say_where(text):
    with pytest.raises(ParseError) as info:
        read(text, _symbols())
    assert info.value.column is not None


def test_without_differentials_d_is_not_special():
    symbols = parse_declarations("x: n")
    with pytest.raises(ParseError):
        read("d(x)", symbols)
    declared = parse_differentials("x: dx", parse_declarations("x: n, d: scalar"))
    assert isinstance(read("d(x)", declared).tree, A.Mul)  # a declared d is a scalar factor
