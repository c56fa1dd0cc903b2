"""Notation learners type, and how the answer language reads it (issue 10, item 0).

Each row is a spelling a learner types and the canonical spelling it must mean; the equivalence
checker compares the two at random points, so a row passes only when the reading is right. The
second table holds readings that must stay distinct from a tempting neighbour.
"""
from __future__ import annotations

import pytest

from mcalc_tutor.checking.equivalence import check_answer
from mcalc_tutor.mathlang import parse_declarations, read
from mcalc_tutor.mathlang.pretty import pretty

SYMBOLS = ("X: m×n, w: n, W: m×n, x: n, A: n×n, B: n×n, Y: n×n invertible, z: n, s: scalar, y: m, "
           "b: n, G: n×n")

# (what the learner types, what it means)
READS_AS = [
    # a function name glued after a transpose
    ("X^Tσ(Xw)", "X^T sigma(X w)"),
    ("X^Tsigma(Xw)", "X^T sigma(X w)"),
    ("W^Tsoftmax(Wx)", "W^T softmax(W x)"),
    ("X^Tdiag(σ(Xw))X", "X^T diag(sigma(X w)) X"),
    ("X^Ttanh(Xw)", "X^T tanh(X w)"),
    # |X| is the determinant of a square matrix; of a scalar it stays the absolute value
    ("|Y|", "det(Y)"),
    ("log|Y|", "log(det(Y))"),
    ("|Y|Y^{-T}", "det(Y) inv(Y)^T"),
    ("|A^T A|", "det(A)^2"),
    ("|s|", "abs(s)"),
    ("|x|", "abs(x)"),
    # MATLAB-style rows
    ("[3 1; 1 1]", "[[3, 1], [1, 1]]"),
    ("[1 2 3]", "[1, 2, 3]"),
    ("[1 -2]", "[1, -2]"),
    ("[1 - 2]", "-1"),
    ("[s 2s; 0 -s]", "[s, 2s; 0, -s]"),
    ("[sin(s) cos(s)]", "[sin(s), cos(s)]"),
    ("[1 2 3]'", "(1, 2, 3)"),
    ("[x^T A x]", "x^T A x"),
    # transposes and inverses spelled otherwise
    ("A^t", "A^T"),
    ("x^tAx", "x^T A x"),
    ("A^{t}", "A^T"),
    ("Y^(-T)", "inv(Y)^T"),
    ("Y^(T)", "Y^T"),
    ("Y^{-t}", "inv(Y^T)"),
    ("A.'x", "A^T x"),
    ("x^\\intercal A x", "x^T A x"),
    ("X^{\\mathsf{T}}y", "X^T y"),
    # fullwidth and other compatibility characters
    ("Ａx", "A x"),
    ("（A＋Aᵀ）x", "(A + A^T) x"),
    ("𝐀𝑥", "A x"),
    ("ｓ²", "s^2"),
    ("2ｘᵀＡ", "2 x^T A"),
    ("½xᵀAx", "x^T A x / 2"),
    # the derivative of a registry function
    ("relu'(z)", "step(z)"),
    ("ReLU'(z)", "step(z)"),
    ("σ'(z)", "sigma(z) ⊙ (1 - sigma(z))"),
    ("σ′(z)", "sigma(z) ⊙ (1 - sigma(z))"),
    ("sigma'(z)", "sigma(z) ⊙ (1 - sigma(z))"),
    ("sigmoid'(z)", "sigma(z) ⊙ (1 - sigma(z))"),
    ("tanh'(z)", "1 - tanh(z)^2"),
    ("tanh'(s)", "sech(s)^2"),
    ("X^Tdiag(σ'(Xw))X", "X^T diag(sigma(X w) ⊙ (1 - sigma(X w))) X"),
    ("log'(s^2 + 1)", "1/(s^2 + 1)"),
    # LaTeX as pasted from notes
    ("\\mathbf{x}^T A \\mathbf{x}", "x^T A x"),
    ("\\operatorname{tr}(A B)", "tr(A B)"),
    ("\\mathrm{tr}(A)", "tr(A)"),
    ("\\lVert x \\rVert^2", "x^T x"),
    ("\\tfrac{1}{2} x^T A x", "x^T A x / 2"),
    ("\\dfrac{s}{2}", "s/2"),
    ("x^T\\,A\\,x", "x^T A x"),
    ("\\bigl(A + B\\bigr) x", "(A + B) x"),
    ("\\langle x, b \\rangle", "x^T b"),
    # numpy and MATLAB habits
    ("A @ x", "A x"),
    ("X.T @ (X @ w - y)", "X^T (X w - y)"),
    ("A\\b", "inv(A) b"),
    ("(A^TA)\\(A^Tb)", "inv(A^T A) A^T b"),
    # inner products, sized identities, brackets that group
    ("⟨x, b⟩", "x^T b"),
    ("<A, B>", "tr(A^T B)"),
    ("2⟨x, b⟩", "2 x^T b"),
    # a centred dot between two vectors is their dot product, however it is typed (as x·b was)
    ("x \\cdot b", "x^T b"),
    ("x∙b", "x^T b"),
    ("2x \\cdot b", "2 x^T b"),
    ("A \\cdot x", "A x"),
    ("(A + 2I_n)x", "(A + 2I) x"),
    ("I_n - A", "I - A"),
    ("tr[AB]", "tr(A B)"),
    # norms as typed on other keyboards, the Frobenius product
    ("∥x∥", "sqrt(x^T x)"),
    ("‖x‖²₂", "x^T x"),
    ("‖x‖^2_2", "x^T x"),
    ("‖G‖^2_F", "tr(G^T G)"),
    ("A:B", "tr(A^T B)"),
    ("A : G B", "tr(A^T G B)"),
    ("A∶B + 2", "tr(A^T B) + 2"),
    ("[A + B]x", "(A + B) x"),
    # a LaTeX operator name ends at its brace, as LaTeX prints it: \operatorname{tr}X is tr X
    ("\\operatorname{tr}A", "tr(A)"),
    ("\\mathrm{tr}A^T", "tr(A^T)"),
    ("\\operatorname{Tr}G", "tr(G)"),
    ("\\operatorname{diag}z", "diag(z)"),
    # capitalised names from textbooks and frameworks (Tr and ReLU were already read)
    ("Det(Y)", "det(Y)"),
    ("Diag(z)", "diag(z)"),
    ("Sigmoid(s)", "sigma(s)"),
    ("Softmax(z)", "softmax(z)"),
    # numpy's and Julia's name for ln det (one registry entry and its row in test_function_registry)
    ("logdet(Y)", "log(det(Y))"),
    ("logdet(Y^T Y)", "2 log(det(Y))"),
]


@pytest.mark.parametrize(("typed", "meant"), READS_AS)
def test_learner_notation_reads_as_meant(typed, meant):
    symbols = parse_declarations(SYMBOLS)
    verdict = check_answer(meant, typed, symbols)
    assert verdict.status == "correct", (typed, verdict.interpreted, verdict.message)


@pytest.mark.parametrize(("typed", "meant"), READS_AS)
def test_the_printed_reading_reads_back_the_same(typed, meant):
    """"Your answer was interpreted as …" shows text that itself reads as the same answer."""
    symbols = parse_declarations(SYMBOLS)
    shown = pretty(read(typed, symbols).tree, symbols)
    assert check_answer(meant, shown, symbols).status == "correct", shown


# (what the learner types, a neighbour it must not be read as)
DISTINCT = [
    ("[3 1; 1 1]", "(3, 1)"),          # no longer a column of products
    ("[1 -2]", "[-1]"),
    ("[1 - 2]", "[1, -2]"),
    ("|s|", "s"),                       # a scalar's bars stay the absolute value
    ("|x|", "x"),
    ("X^Tσ(Xw)", "X^T X w"),
    ("relu'(z)", "relu(z)"),
    ("σ'(z)", "sigma(z)"),
    ("A\\b", "A b"),
    ("x \\cdot b", "x ⊙ b"),            # the dot product, not the element-wise one
    ("A.'x", "A x"),
    ("<A, B>", "tr(A B)"),
    ("A:B", "tr(A B)"),
    ("‖x‖²₂", "x^T x x^T x"),
    ("\\operatorname{tr}A", "A"),         # the operator is applied, not dropped
    ("\\mathrm{tr}A", "tr(A) A"),
]


@pytest.mark.parametrize(("typed", "neighbour"), DISTINCT)
def test_learner_notation_is_not_read_as_its_neighbour(typed, neighbour):
    symbols = parse_declarations(SYMBOLS)
    assert check_answer(neighbour, typed, symbols).status != "correct"


def test_a_declared_t_keeps_its_meaning_as_an_exponent():
    symbols = parse_declarations("s: scalar, t: scalar")
    assert check_answer("s^t", "s^t", symbols).status == "correct"
    assert check_answer("s", "s^t", symbols).status != "correct"


def test_a_declared_name_wins_over_a_size_subscripted_identity():
    symbols = parse_declarations("I_n: n×n, A: n×n")
    assert check_answer("I_n A", "I_n A", symbols).status == "correct"
    assert check_answer("A", "I_n A", symbols).status != "correct"


def test_an_identity_of_the_wrong_size_is_a_shape_error():
    symbols = parse_declarations("A: n×n, x: m")
    assert check_answer("A", "A + I_m", symbols).status == "invalid"


def test_columns_stay_right_after_compatibility_characters():
    verdict = check_answer("x", "Ａx + ？", parse_declarations("A: n×n, x: n"))
    assert verdict.status == "invalid" and verdict.column == 5
