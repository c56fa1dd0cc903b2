"""Unit tests of the answer language: how spellings are read (shown by the pretty printer), their
shapes, the errors with their columns, the limits, declarations and the numpy evaluator."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from mcalc_tutor.mathlang import (
    DeclarationError,
    MathError,
    ParseError,
    ShapeError,
    canonical_name,
    parse_declarations,
    read,
    tree_depth,
)
from mcalc_tutor.mathlang import ast as A
from mcalc_tutor.mathlang.evaluate import DomainError, evaluate
from mcalc_tutor.mathlang.lexer import tokenize
from mcalc_tutor.mathlang.parser import parse
from mcalc_tutor.mathlang.pretty import display_name, pretty
from mcalc_tutor.mathlang.shapes import describe_shape, format_shape

SYMBOLS = parse_declarations(
    "A: n×n, B: n×n, X: m×n, Y: n×n invertible, x: n, y: n, s: n, z: m, a: scalar, b: scalar, c: scalar, "
    "δ_z: m, t: scalar, σ1: function, x_1: scalar, λ: scalar positive")


def shown(text: str) -> tuple[str, str]:
    typed = read(text, SYMBOLS)
    return pretty(typed.tree, SYMBOLS), format_shape(typed.shape)


# --- how spellings are read ------------------------------------------------------------------------

@pytest.mark.parametrize("text, reading, shape", [
    # implicit products and the splitting of juxtaposed letters into declared names
    ("2Ax", "2⋅A⋅x", "n×1"),
    ("2 A x", "2⋅A⋅x", "n×1"),
    ("x^T A x", "xᵀ⋅A⋅x", "scalar"),
    ("xᵀAx", "xᵀ⋅A⋅x", "scalar"),
    ("x'Ax", "xᵀ⋅A⋅x", "scalar"),
    ("ssᵀ", "s⋅sᵀ", "n×n"),
    ("s s'", "s⋅sᵀ", "n×n"),
    ("X^TX", "Xᵀ⋅X", "n×n"),
    ("A^Tx", "Aᵀ⋅x", "n×1"),
    ("ab", "a⋅b", "scalar"),
    ("ab^2", "a⋅b²", "scalar"),
    ("2pi a", "2⋅π⋅a", "scalar"),
    ("λI", "λ⋅I", "?×?"),
    ("lambdax", "λ⋅x", "n×1"),
    ("asin b", "a⋅sin(b)", "scalar"),
    # transposes and inverses
    ("x^T", "xᵀ", "1×n"), ("xᵀ", "xᵀ", "1×n"), ("x'", "xᵀ", "1×n"), ("x.T", "xᵀ", "1×n"),
    ("x^{T}", "xᵀ", "1×n"), ("x^⊤", "xᵀ", "1×n"), ("transpose(x)", "xᵀ", "1×n"), ("x^\\top", "xᵀ", "1×n"),
    ("A''", "(Aᵀ)ᵀ", "n×n"),
    ("Y^{-1}", "Y⁻¹", "n×n"), ("Y^-1", "Y⁻¹", "n×n"), ("Y⁻¹", "Y⁻¹", "n×n"), ("inv(Y)", "Y⁻¹", "n×n"),
    ("Y^{-T}", "Y⁻ᵀ", "n×n"), ("Y^-T", "Y⁻ᵀ", "n×n"), ("Y⁻ᵀ", "Y⁻ᵀ", "n×n"), ("(Y^T)^{-1}", "Y⁻ᵀ", "n×n"),
    ("(Y^{-1})^T", "(Y⁻¹)ᵀ", "n×n"),
    # products
    ("x ⊙ y", "x ⊙ y", "n×1"), ("x .* y", "x ⊙ y", "n×1"), ("hadamard(x, y)", "x ⊙ y", "n×1"),
    ("x ∘ y", "x ⊙ y", "n×1"), ("a · b", "a⋅b", "scalar"), ("a × b", "a⋅b", "scalar"),
    ("a \\cdot b", "a⋅b", "scalar"), ("a**2", "a²", "scalar"), ("a²", "a²", "scalar"),
    # norms
    ("||x||", "‖x‖", "scalar"), ("‖x‖", "‖x‖", "scalar"), ("||x||^2", "‖x‖²", "scalar"),
    ("‖x‖₂", "‖x‖₂", "scalar"), ("||x||_2", "‖x‖₂", "scalar"), ("||x||_1", "‖x‖₁", "scalar"),
    ("||x||_inf", "‖x‖_∞", "scalar"), ("‖x‖_∞", "‖x‖_∞", "scalar"), ("||X||_F", "‖X‖_F", "scalar"),
    ("norm(x)", "‖x‖", "scalar"), ("\\|x\\|", "‖x‖", "scalar"), ("|a|", "abs(a)", "scalar"),
    # functions, with and without brackets
    ("sin x", "sin(x)", "n×1"), ("sin 2a", "sin(2⋅a)", "scalar"), ("sin a cos b", "sin(a)⋅cos(b)", "scalar"),
    ("ln det Y", "ln(det(Y))", "scalar"), ("log(det(Y))", "ln(det(Y))", "scalar"),
    ("sin^2 a", "sin(a)²", "scalar"), ("√a", "sqrt(a)", "scalar"), ("σ(x)", "σ(x)", "n×1"),
    ("sigmoid(x)", "σ(x)", "n×1"), ("tr(A)", "tr(A)", "scalar"), ("trace(A B)", "tr(A⋅B)", "scalar"),
    ("det A", "det(A)", "scalar"), ("diag(x)", "diag(x)", "n×n"), ("diag(A)", "diag(A)", "n×1"),
    ("diag(2, -2)", "diag((2, -2))", "2×2"), ("softmax(x)", "softmax(x)", "n×1"), ("sum(x)", "sum(x)", "scalar"),
    ("σ1'(x)", "σ₁'(x)", "n×1"), ("σ₁''(a)", "σ₁''(a)", "scalar"), ("sigma_1(a)", "σ₁(a)", "scalar"),
    ("max(a, b)", "max(a, b)", "scalar"), ("relu(x)", "relu(x)", "n×1"), ("e^a", "e^a", "scalar"),
    # names: subscripts and Greek in every spelling are one symbol
    ("x1 + x_1 + x₁ + x_{1}", "x₁ + x₁ + x₁ + x₁", "scalar"),
    ("δ_z + delta_z + δz + \\delta_z", "δ_z + δ_z + δ_z + δ_z", "m×1"),
    ("lambda + lam + λ + \\lambda", "λ + λ + λ + λ", "scalar"),
    # literals and tuples
    ("[1, 2; 3, 4]", "[1, 2; 3, 4]", "2×2"), ("[[1, 2], [3, 4]]", "[1, 2; 3, 4]", "2×2"),
    ("[1; 2]", "(1, 2)", "2×1"), ("(a, b)", "(a, b)", "2×1"), ("[a, b]", "[a, b]", "1×2"),
    ("(2a + b, a + 2b)", "(2⋅a + b, a + 2⋅b)", "2×1"), ("[a]", "[a]", "scalar"),
    # numbers
    ("1/2", "1/2", "scalar"), ("0.5", "0.5", "scalar"), (".5", "0.5", "scalar"), ("1e3", "1000", "scalar"),
    ("1.5e-3", "0.0015", "scalar"), ("1e40", "1e40", "scalar"), ("1e3ᵀ", "1000ᵀ", "scalar"),
    # identity takes its size from context
    ("A + I", "A + I", "n×n"), ("I x", "I⋅x", "n×1"), ("x^T I", "xᵀ⋅I", "1×n"),
    # element-wise operations on vectors with scalars
    ("1 - σ(x)", "1 - σ(x)", "n×1"), ("x^2", "x²", "n×1"), ("x/a", "x/a", "n×1"),
])
def test_reading(text, reading, shape):
    assert shown(text) == (reading, shape)


@pytest.mark.parametrize("text, same_as", [
    ("-a^2", "-(a^2)"),
    ("2^3^2", "2^(3^2)"),
    ("a/b/c", "(a/b)/c"),
    ("a-b-c", "(a-b)-c"),
    ("a b^T", "a (b^T)"),
    ("-a b", "(-a) b"),
    ("x^T A^T", "(x^T)(A^T)"),
    ("sin a b", "sin(a) b"),  # a space ends a bare argument ...
    ("sin ab", "sin(a b)"),  # ... juxtaposed letters do not
    ("det Y Y^{-1}", "det(Y) Y^{-1}"),
    ("2 x ⊙ y", "(2 x) ⊙ y"),
    ("A x ⊙ y", "(A x) ⊙ y"),
])
def test_precedence(text, same_as):
    assert parse(text, SYMBOLS) == parse(same_as, SYMBOLS)


def test_tree_nodes_remember_columns():
    tree = parse("a + sin(b)", SYMBOLS)
    assert isinstance(tree, A.Add) and tree.col == 2
    assert tree.right.col == 4 and tree.right.args[0].col == 8


# --- errors say what and where ---------------------------------------------------------------------

@pytest.mark.parametrize("text, kind, fragment, column", [
    ("", ParseError, "empty", 0),
    ("a +", ParseError, "ends too early", 3),
    ("(a + b", ParseError, "'(' is never closed", 0),
    ("a + b)", ParseError, "unmatched ')'", 5),
    ("[1, 2", ParseError, "'[' is never closed", 0),
    ("(a]", ParseError, "expected ')'", 2),
    ("|a", ParseError, "'|' is never closed", 0),
    ("a = b", ParseError, "no '='", 2),
    ("∇a", ParseError, "'∇'", 0),
    ("a $ b", ParseError, "unexpected character $", 2),
    ("q + a", ParseError, "unknown symbol 'q'", 0),
    ("a + foo", ParseError, "unknown symbol 'foo'", 4),
    ("T", ParseError, "transpose", 0),
    ("import", ParseError, "not part of the answer language", 0),
    ("sin", ParseError, "needs an argument", 0),
    ("max(a)", ParseError, "takes 2 arguments", 0),
    ("σ1'''(a)", ParseError, "second derivative", 0),
    ("σ1", ParseError, "is a function", 0),
    ("[1, 2; 3]", ParseError, "different lengths", 0),
    ("||x||_q", ParseError, "unknown norm subscript 'q'", 6),
    ("a^65", ParseError, "exponent 65 is too large", 2),
    ("a^(2^7)", ParseError, "exponent 128", None),
    ("a^b^c^2", ParseError, "tower", None),
    ("1" * 31, ParseError, "number too long", 0),
    ("1e301", ParseError, "out of range", 0),
    ("x + z", ShapeError, "cannot add n×1 and m×1", 2),
    ("A z", ShapeError, "cannot multiply n×n by m×1", 0),
    ("x - x^T", ShapeError, "cannot subtract n×1 and 1×n", 2),
    ("A + 1", ShapeError, "a multiple of I", 2),
    ("X^{-1}", ShapeError, "only a square matrix has an inverse; this is m×n", 1),
    ("tr(X)", ShapeError, "only a square matrix has a trace", 0),
    ("det X", ShapeError, "determinant", 0),
    ("a/x", ShapeError, "only by a scalar", 1),
    ("A^a", ShapeError, "whole number", 2),
    ("X^2", ShapeError, "square matrix has powers", 1),
    ("a^x", ShapeError, "exponent must be a scalar", 2),
    ("[x, a]", ShapeError, "entries of a vector or matrix literal must be scalars", 1),
    ("softmax(A)", ShapeError, "softmax needs a vector", 0),
    ("||x||_F", ShapeError, "matrix norm", 0),
    ("x ⊙ z", ShapeError, "element-wise product of n×1 and m×1", 2),
])
def test_errors(text, kind, fragment, column):
    with pytest.raises(kind) as info:
        read(text, SYMBOLS)
    err = info.value
    assert isinstance(err, MathError) and "\n" not in err.message
    if fragment is not None:
        assert fragment in err.message
    if column is not None:
        assert err.column == column
        assert f"(at column {column + 1})" in str(err)


def test_caret_points_at_the_column_and_hides_control_characters():
    err = ParseError("unexpected", 4)
    assert err.caret("a + $ b") == "a + $ b\n    ^"
    assert err.caret("ab\x1b[2Jc") == "ab\N{REPLACEMENT CHARACTER}[2Jc\n    ^"
    assert err.caret("a\tb\nc") == "a b c\n    ^"
    assert ParseError("x", None).caret("abc") == ""
    long = "a+" * 100
    line, caret = err.__class__("m", 150).caret(long).split("\n")
    assert len(line) <= 80 and line[caret.index("^")] == long[150]


def test_unknown_symbol_lists_what_is_declared():
    with pytest.raises(ParseError) as info:
        read("w", parse_declarations("A: n×n, x: n"))
    assert info.value.message == "unknown symbol 'w' (declared: A, x)"


# --- limits are enforced while parsing -------------------------------------------------------------

@pytest.mark.parametrize("text, fragment", [
    ("a+" * 1000 + "a", "too long"),
    ("(" * 61 + "a" + ")" * 61, "nested too deeply"),
    ("-" * 100 + "a", "nested too deeply"),
    ("+".join(["a"] * 200), "chain"),
    ("[" + ",".join(["1"] * 401) + "]", "literal too large"),
    ("a\x00", "NUL"),
])
def test_limits(text, fragment):
    with pytest.raises(ParseError) as info:
        read(text, SYMBOLS)
    assert fragment in info.value.message


def test_limits_leave_room_for_real_answers():
    read("(" * 40 + "a" + ")" * 40, SYMBOLS)
    read("+".join(["a"] * 140), SYMBOLS)
    read("[" + ",".join(["1"] * 400) + "]", SYMBOLS)
    read("a^64", SYMBOLS)
    read("2^3^2", SYMBOLS)


def test_tree_depth_is_iterative():
    chain = parse("+".join(["a"] * 140), SYMBOLS)
    assert tree_depth(chain) == 140
    assert tree_depth(A.Num(Fraction(1))) == 1


def test_tokens_carry_columns():
    tokens = tokenize("x^T A⁻¹")
    assert [(t.kind, t.text, t.col) for t in tokens] == [
        ("NAME", "x", 0), ("OP", "^", 1), ("NAME", "T", 2), ("NAME", "A", 4), ("POST", "-1", 5), ("END", "", 7)]


# --- names and declarations ------------------------------------------------------------------------

@pytest.mark.parametrize("name, canonical", [
    ("x_1", "x1"), ("x₁", "x1"), ("x_{1}", "x1"), ("delta_z", "δz"), ("δ_z", "δz"), ("δz", "δz"),
    ("sigma_1", "σ1"), ("σ₁", "σ1"), ("beta", "β"), ("beta_1", "β1"), ("beat", "beat"), ("Sigma", "Σ"),
    ("lam", "λ"), ("x", "x"),
])
def test_canonical_names(name, canonical):
    assert canonical_name(name) == canonical


def test_display_names_use_the_declared_spelling():
    assert display_name("x1", SYMBOLS) == "x₁"
    assert display_name("δz", SYMBOLS) == "δ_z"


@pytest.mark.parametrize("spec, expected", [
    ("A: n×n symmetric, x: n", {"A": ("n", "n", {"symmetric"}), "x": ("n", 1, set())}),
    ("X: m x n", {"X": ("m", "n", set())}),
    ("X: m by n", {"X": ("m", "n", set())}),
    ("M: 3×3 spd", {"M": (3, 3, {"symmetric", "positive definite", "invertible"})}),
    ("S: n×n positive definite", {"S": ("n", "n", {"symmetric", "positive definite", "invertible"})}),
    ("t: scalar positive; u: scalar", {"t": (1, 1, {"positive"}), "u": (1, 1, set())}),
    ("v: 3", {"v": (3, 1, set())}),
    ("D: n × n diagonal", {"D": ("n", "n", {"diagonal"})}),
    ({"A": "n×n invertible", "b": "n"}, {"A": ("n", "n", {"invertible"}), "b": ("n", 1, set())}),
    ("", {}),
])
def test_declarations(spec, expected):
    table = parse_declarations(spec)
    assert {table.display[k]: (s.rows, s.cols, set(s.properties)) for k, s in table.items()} == expected


def test_function_declaration():
    table = parse_declarations("σ1: function, f: fn")
    assert all(s.is_function and not s.is_scalar for s in table.values())


@pytest.mark.parametrize("spec, fragment", [
    ("A: n×n banana", "unknown property 'banana'"),
    ("X: m×n symmetric", "only a square matrix"),
    ("x: n, x: m", "declared twice"),
    ("x_1: scalar, x1: scalar", "declared twice"),
    ("1x: n", "bad symbol name"),
    ("A: n×n positive semidefinite", "not supported"),
    ("A: 100×100", "too large"),
    ("x: n positive", "applies to scalars"),
    ("x n", "cannot read declaration"),
    ("x:", "empty declaration"),
    ("x: 3×", "cannot read shape"),
])
def test_bad_declarations(spec, fragment):
    with pytest.raises(DeclarationError) as info:
        parse_declarations(spec)
    assert fragment in info.value.message


def test_describe_shape():
    assert describe_shape((1, 1)) == "a scalar"
    assert describe_shape(("n", 1)) == "an n×1 column vector"
    assert describe_shape((1, "n")) == "a 1×n row vector"
    assert describe_shape(("m", "n")) == "an m×n matrix"
    assert describe_shape((3, 3)) == "a 3×3 matrix"


# --- the evaluator ---------------------------------------------------------------------------------

RNG = np.random.default_rng(11)
VALUES = {"A": RNG.standard_normal((3, 3)), "x": RNG.standard_normal((3, 1)), "y": RNG.standard_normal((3, 1)),
          "a": np.array([[0.7]]), "b": np.array([[-1.3]])}
VALUES["Y"] = VALUES["A"] + 4 * np.eye(3)


def ev(text: str) -> np.ndarray:
    return evaluate(read(text, SYMBOLS), VALUES, {"n": 3, "m": 2})


@pytest.mark.parametrize("text, value", [
    ("x^T A x", lambda v: v["x"].T @ v["A"] @ v["x"]),
    ("2Ax", lambda v: 2 * v["A"] @ v["x"]),
    ("x ⊙ y", lambda v: v["x"] * v["y"]),
    ("inv(Y)", lambda v: np.linalg.inv(v["Y"])),
    ("Y^{-T}", lambda v: np.linalg.inv(v["Y"]).T),
    ("Y^-2", lambda v: np.linalg.matrix_power(np.linalg.inv(v["Y"]), 2)),
    ("A^3", lambda v: v["A"] @ v["A"] @ v["A"]),
    ("ln det Y", lambda v: np.log(np.linalg.det(v["Y"]))),
    ("tr(A)", lambda v: np.trace(v["A"])),
    ("diag(x)", lambda v: np.diag(v["x"].ravel())),
    ("diag(A)", lambda v: np.diag(v["A"]).reshape(-1, 1)),
    ("softmax(x)", lambda v: np.exp(v["x"]) / np.exp(v["x"]).sum()),
    ("logsumexp(x)", lambda v: np.log(np.exp(v["x"]).sum())),
    ("||x||", lambda v: np.linalg.norm(v["x"])),
    ("||x||_1", lambda v: np.abs(v["x"]).sum()),
    ("||x||_inf", lambda v: np.abs(v["x"]).max()),
    ("||A||_F", lambda v: np.linalg.norm(v["A"])),
    ("||A||_2", lambda v: np.linalg.norm(v["A"], 2)),
    ("σ(x)", lambda v: 1 / (1 + np.exp(-v["x"]))),
    ("relu(x)", lambda v: np.maximum(v["x"], 0)),
    ("A + I", lambda v: v["A"] + np.eye(3)),
    ("x^2", lambda v: v["x"] ** 2),
    ("1 - x", lambda v: 1 - v["x"]),
    ("[a, b; b, a]", lambda v: np.array([[0.7, -1.3], [-1.3, 0.7]])),
    ("(a, b)", lambda v: np.array([[0.7], [-1.3]])),
    ("|b|", lambda v: 1.3),
    ("pi e", lambda v: np.pi * np.e),
])
def test_evaluate(text, value):
    got = ev(text)
    want = np.atleast_2d(np.asarray(value(VALUES), dtype=float))
    assert got.shape == want.shape and np.allclose(got, want)


@pytest.mark.parametrize("text", ["ln(b)", "sqrt(b)", "1/(a - a)", "inv(A - A)", "exp(1e3)", "(a-a)^(-1)"])
def test_evaluate_raises_domain_error_where_undefined(text):
    with pytest.raises(DomainError):
        ev(text)


def test_identity_without_context_is_a_domain_error():
    with pytest.raises(DomainError):
        evaluate(read("I", SYMBOLS), VALUES, {"n": 3})
