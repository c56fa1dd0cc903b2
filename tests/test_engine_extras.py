"""Learner spellings found while writing the bank: each was once refused or misread."""
import subprocess
import sys

from mcalc_tutor.checking.equivalence import Mistake, check_answer
from mcalc_tutor.mathlang import parse_declarations


def test_answer_starting_with_minus_on_the_command_line():
    run = subprocess.run([sys.executable, "-m", "mcalc_tutor", "equiv", "-x + 1", "-x+1", "--symbols", "x: scalar"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    run = subprocess.run([sys.executable, "-m", "mcalc_tutor", "equiv", "--symbols", "x: n", "-x", "-(x)", "--json"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_semicolon_tuple_is_a_column():
    assert check_answer("[1; -1]", "(1; -1)", parse_declarations("")).status == "correct"


def test_column_broadcasts_over_rows_in_a_hadamard_product():
    symbols = parse_declarations("σ1: function, W: m×n, x: n")
    assert check_answer("diag(σ1'(W x)) W", "σ1'(W x) ⊙ W", symbols).status == "correct"
    assert check_answer("diag(σ1'(W x)) W", "W ⊙ σ1'(W x)", symbols).status == "correct"


def test_a_listed_mistake_of_another_shape_is_recognised():
    symbols = parse_declarations("x: n")
    verdict = check_answer("2 diag(x)", "2x", symbols, mistakes=[Mistake("2x", "That is the gradient of the sum.")])
    assert verdict.status == "incorrect" and verdict.diagnostics[0].message == "That is the gradient of the sum."


def test_a_listed_mistake_undefined_where_the_answer_is_undefined_still_matches():
    symbols = parse_declarations("X: m×n, y: m, λ: scalar positive")
    forgot = Mistake("(X^T X)^{-1} X^T y", "You dropped λI.")
    verdict = check_answer("(X^T X + λ I)^{-1} X^T y", "inv(X' X) X' y", symbols, mistakes=[forgot])
    assert verdict.status == "incorrect" and verdict.message == "You dropped λI."


def test_latex_frac_and_e_to_a_vector():
    symbols = parse_declarations("a: scalar, b: scalar positive, x: n")
    assert check_answer("a/(b+1)", r"\frac{a}{b+1}", symbols).status == "correct"
    assert check_answer("exp(x)", "e^x", symbols).status == "correct"
    assert check_answer("softmax(x)", "e^x / sum(e^x)", symbols).status == "correct"


def test_centre_dot_between_vectors_is_the_dot_product():
    symbols = parse_declarations("A: n×n, x: n, y: n")
    assert check_answer("x^T y", "x·y", symbols).status == "correct"
    assert check_answer("x^T A x", "x⋅(A x)", symbols).status == "correct"
    assert check_answer("A x", "A·x", symbols).status == "correct"  # a matrix times a vector is unchanged
    verdict = check_answer("x^T y", "x*y", symbols)  # * keeps the matrix product: a shape error, with a hint
    assert verdict.status == "invalid" and "x·y" in verdict.message


def test_defined_symbols_may_be_used_or_written_out():
    """z = Wx + b and δ = g ⊙ φ'(z) are what the statement calls them: both spellings are right."""
    symbols = parse_declarations("φ: function, W: m×n, x: n, b: m, z: m, g: m, δ: m")
    symbols.definitions = {"z": "W x + b", "δ": "g ⊙ φ'(z)"}
    assert check_answer("g ⊙ φ'(z)", "g ⊙ φ'(W x + b)", symbols).status == "correct"
    assert check_answer("W^T δ", "W^T (g ⊙ φ'(z))", symbols).status == "correct"
    assert check_answer("δ x^T", "x δ^T", symbols).codes[0] == "transpose"  # still wrong when wrong
    assert check_answer("W^T δ", "W^T g", symbols).status == "incorrect"


def test_malformed_numbers_are_invalid_not_products():
    empty = parse_declarations("")
    for text in ("1.2.3", "1..2", "4.5.8"):
        assert check_answer("3.6", text, empty).status == "invalid", text


def test_a_rounded_answer_is_told_about_precision_not_a_factor_of_1():
    symbols = parse_declarations("")
    verdict = check_answer("(-10, 1)/sqrt(101)", "(-0.99504, 0.099504)", symbols)
    assert verdict.status == "incorrect" and verdict.codes == ["precision"]
    assert "1 times" not in verdict.message


def test_close_but_not_equal_is_not_equivalent():
    symbols = parse_declarations("A: n×n, x: n")
    assert check_answer("(A + A^T) x", "(A + A^T) x * 1.000001", symbols).status == "incorrect"
    assert check_answer("(A + A^T) x", "(A + A^T) x + 1e-7 x", symbols).status == "incorrect"


def test_root_sign_after_a_number_and_greek_variant_forms():
    assert check_answer("sqrt(80)", "4√5", parse_declarations("")).status == "correct"
    symbols = parse_declarations("ε: scalar, x: n")
    assert check_answer("ε x", "eps x", symbols).status == "correct"
    assert check_answer("ε x", "ϵ x", symbols).status == "correct"


def test_entries_of_a_declared_vector():
    symbols = parse_declarations("x: 3, a: 3")
    assert check_answer("x^T x", "x_1^2 + x₂^2 + x3^2", symbols).status == "correct"
    assert check_answer("x^T x", "x_4^2", symbols).status == "invalid"  # x has three entries
    declared = parse_declarations("x: 3, x_1: scalar")
    assert check_answer("x_1", "x_1", declared).status == "correct"  # a declared name wins
