"""Derivations checked line by line (checking/steps.py) and `mcalc-tutor steps`.

RULES has one row per differential rule the chapter uses (products, transposes, inverses, traces,
log-determinants, ⊙, σ, chains ending in a gradient read off gᵀdx or tr(Gᵀ dX)): a true
derivation, which must be accepted, and the same derivation with one slip, which must be broken at
that line with the named diagnostic. The Hypothesis tests build random chains of true rewrites.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcalc_tutor._toml import tomllib
from mcalc_tutor.checking.steps import check_steps, expression_texts, preview_line
from mcalc_tutor.cli import main
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import known_sources, load_exercise
from mcalc_tutor.content.reading import read_answer
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import parse_declarations, parse_differentials

DECLARATIONS = "x: n, y: n, A: n×n, B: n×n, b: n, X: n×n invertible, S: n×n symmetric positive definite, s: scalar"
SYMBOLS = parse_differentials("x: dx, X: dX, S: dS, s: ds", parse_declarations(DECLARATIONS))

# (rule, true derivation, the same with one slip, the broken line (1-based), its diagnostic code)
RULES = [
    ("product xᵀAx",
     ["d(x^T A x)", "= dx^T A x + x^T A dx", "= x^T A^T dx + x^T A dx", "= x^T (A + A^T) dx", "∇f = (A + A^T) x"],
     ["d(x^T A x)", "= dx^T A x + x^T A dx", "= x^T A dx + x^T A dx", "= 2 x^T A dx", "∇f = 2 A^T x"],
     3, "symmetric"),
    ("product XᵀAX", ["d(X^T A X)", "= dX^T A X + X^T A dX"], ["d(X^T A X)", "= dX^T A X + X^T A^T dX"],
     2, "symmetric"),
    ("transpose in a trace", ["d(tr(X^T A))", "= tr(dX^T A)", "= tr(A^T dX)", "∂f/∂X = A"],
     ["d(tr(X^T A))", "= tr(dX^T A)", "= tr(A^T dX)", "∂f/∂X = A^T"], 4, "transpose"),
    ("inverse: order", ["d(X^{-1})", "= -X^{-1} dX X^{-1}"], ["d(X^{-1})", "= -X^{-1} X^{-1} dX"], 2, "commute"),
    ("inverse: sign", ["d(X^{-1})", "= -X^{-1} dX X^{-1}"], ["d(X^{-1})", "= X^{-1} dX X^{-1}"], 2, "sign"),
    ("trace of an inverse", ["f = tr(X^{-1})", "d f = -tr(X^{-1} dX X^{-1})", "= -tr(X^{-2} dX)",
                             "∂f/∂X = -(X^{-2})^T"],
     ["f = tr(X^{-1})", "d f = -tr(X^{-1} dX X^{-1})", "= -tr(X^{-2} dX)", "∂f/∂X = -X^{-2}"], 4, "transpose"),
    ("trace XᵀX", ["d(tr(X^T X))", "= tr(dX^T X + X^T dX)", "= 2 tr(X^T dX)", "∂f/∂X = 2 X"],
     ["d(tr(X^T X))", "= tr(dX^T X + X^T dX)", "= tr(X^T dX)", "∂f/∂X = X"], 3, "factor"),
    ("log-determinant", ["d(ln det X)", "= tr(X^{-1} dX)", "∂f/∂X = X^{-T}"],
     ["d(ln det X)", "= tr(X^{-1} dX)", "∂f/∂X = X^{-1}"], 3, "transpose"),
    ("log-determinant, symmetric", ["d(log det S)", "= tr(S^{-1} dS)", "∂f/∂S = S^{-1}"],
     ["d(log det S)", "= tr(S dS)", "∂f/∂S = S"], 2, "value"),
    ("Hadamard product", ["d(x ⊙ (A x))", "= dx ⊙ (A x) + x ⊙ (A dx)"],
     ["d(x ⊙ (A x))", "= dx ⊙ (A x) + x ⊙ (A^T dx)"], 2, "symmetric"),
    ("Hadamard square", ["d(x ⊙ x)", "= 2 x ⊙ dx"], ["d(x ⊙ x)", "= x ⊙ dx"], 2, "factor"),
    ("σ and log", ["f = log(σ(y^T x))", "d f = σ(y^T x)(1 - σ(y^T x)) y^T dx / σ(y^T x)",
                   "= (1 - σ(y^T x)) y^T dx", "∇f = (1 - σ(y^T x)) y"],
     ["f = log(σ(y^T x))", "d f = (1 - σ(y^T x)) y^T dx", "∇f = (1 - σ(y^T x)) y^T"], 3, "shape"),
    ("σ element-wise", ["f = y^T σ(A x)", "d f = y^T (σ'(A x) ⊙ (A dx))", "= (y ⊙ σ'(A x))^T A dx",
                        "∇f = A^T (y ⊙ σ'(A x))"],
     ["f = y^T σ(A x)", "d f = (y ⊙ σ'(A x))^T A dx", "∇f = A (y ⊙ σ'(A x))"], 3, "symmetric"),
    ("least squares", ["f = (A x - b)^T (A x - b)", "d f = 2 (A x - b)^T A dx", "∇f = 2 A^T (A x - b)"],
     ["f = (A x - b)^T (A x - b)", "d f = 2 (A x - b)^T A dx", "∇f = 2 A (A x - b)"], 3, "symmetric"),
    ("scalar power", ["f = s^3", "d f = 3 s^2 ds", "∂f/∂s = 3 s^2"], ["f = s^3", "d f = 3 s ds", "∂f/∂s = 3 s"],
     2, "value"),
]


@pytest.mark.parametrize("rule, good, bad, line, code", RULES, ids=[r[0] for r in RULES])
def test_a_true_derivation_is_accepted(rule, good, bad, line, code):
    verdict = check_steps(good, SYMBOLS)
    assert verdict.status == "correct", verdict.message
    assert verdict.first_broken is None and verdict.score == 1.0
    assert all(v.ok for v in verdict.lines)


@pytest.mark.parametrize("rule, good, bad, line, code", RULES, ids=[r[0] for r in RULES])
def test_a_slip_is_named_at_its_line(rule, good, bad, line, code):
    verdict = check_steps(bad, SYMBOLS)
    assert verdict.first_broken == line, verdict.message
    assert verdict.lines[line - 1].diagnostics[0].code == code
    assert verdict.message.startswith(f"Line {line} does not follow from line {line - 1}")
    assert [v.ok for v in verdict.lines] == [k != line for k in range(1, len(bad) + 1)]  # named once


def test_message_reads_like_the_issue():
    verdict = check_steps(["(A + A^T) x", "= 2 A x"], SYMBOLS)
    assert verdict.message.startswith("Line 2 does not follow from line 1: a transpose was dropped")


def test_error_carried_forward_costs_one_step():
    lines = ["x^T (A + A^T) x", "= 2 x^T A x", "= x^T A x", "= x^T A^T x"]  # line 3 halves it
    verdict = check_steps(lines, SYMBOLS, start="x^T A x + x^T A^T x")
    assert verdict.first_broken == 3
    assert [v.ok for v in verdict.lines] == [True, True, False, True]
    assert (verdict.steps, verdict.steps_ok) == (4, 3)  # start→1, 1→2, 2→3, 3→4
    assert verdict.status == "partial" and verdict.score == 0.75


def test_scoring_counts_the_start_and_the_final_answer_as_steps():
    lines = ["d(x^T x)", "= 2 x^T dx", "∇f = 2 x"]
    right = check_steps(lines, SYMBOLS, start="d(x^T x)", expected="2 x")
    assert (right.status, right.score, right.steps) == ("correct", 1.0, 4)
    wrong_start = check_steps(lines, SYMBOLS, start="d(x^T A x)", expected="2 x")
    assert wrong_start.first_broken == 1 and wrong_start.score == 0.75
    assert wrong_start.message.startswith("Line 1 does not start from the expression asked for")


def test_final_answer_feedback_never_shows_the_expected_answer():
    # every step holds, but the chain ends at the differential, not the gradient asked for
    symbols = parse_differentials("s: ds", parse_declarations("s: scalar"))
    verdict = check_steps(["s^3 + 7 s", "= s (s^2 + 7)"], symbols, expected="3 s^2 + 7")
    assert verdict.first_broken == 2 and verdict.status == "partial" and verdict.score == 0.5
    text = json.dumps(verdict.to_json(), ensure_ascii=False)
    assert "the answer asked for" in verdict.message
    for shown in ("3 s^2 + 7", "3⋅s² + 7", "3s²", "correct value"):
        assert shown not in text
    assert all(d.code != "value" for d in verdict.lines[-1].diagnostics)  # no counterexample values


def test_final_answer_with_a_slip_earlier_names_the_slip_first():
    verdict = check_steps(["d(x^T x)", "= x^T dx", "∇f = x"], SYMBOLS, expected="2 x")
    assert verdict.first_broken == 2
    assert "The last line is not the answer asked for" in verdict.message


@pytest.mark.parametrize("lines", [
    ["f = x^T A x", "∇f = (A + A^T) x"],                    # the gradient of f itself (no d f line)
    ["f(x) = x^T A x", "d f = x^T (A + A^T) dx", "∂f/∂x = (A + A^T) x"],
    ["x^T A x = x^T A^T x = 1/2 x^T (A + A^T) x"],          # a chain on one line
    ["d(x^T x) = 2 x^T dx", "grad f = 2 x", "= x + x"],        # gradient space continues
    ["f = x^T A x", "df = dx^T A x + x^T A dx", "∇_x f = (A + A^T) x"],
])
def test_labels_chains_and_gradient_lines(lines):
    verdict = check_steps(lines, SYMBOLS)
    assert verdict.status == "correct", verdict.message


def test_partial_derivatives_hold_the_other_variables_still():
    symbols = parse_differentials("x: dx, y: dy", parse_declarations("x: n, y: n, A: n×n"))
    good = check_steps(["f = x^T A y", "∂f/∂x = A y", "∇_y f = A^T x"], symbols)
    assert good.status == "correct", good.message
    bad = check_steps(["f = x^T A y", "∂f/∂x = A y", "∇_y f = A x"], symbols)
    assert bad.first_broken == 3


def test_a_gradient_needs_differentials_and_one_variable():
    plain = parse_declarations("x: n")
    verdict = check_steps(["x^T x", "∇f = 2x"], plain)
    assert verdict.status == "invalid" and verdict.invalid_line == 2 and "differential" in verdict.message
    two = parse_differentials("x: dx, y: dy", parse_declarations("x: n, y: n"))
    verdict = check_steps(["f = x^T y", "∇f = y"], two)
    assert verdict.status == "invalid" and "which variable" in verdict.message


@pytest.mark.parametrize("lines, line, column", [
    (["x^T x", "= x^T +"], 2, 8),
    (["x^T x", "x^T x = = x^T x"], 2, 7),
    (["x^T x", "", "   ", "x^T q"], 2, 5),  # blank lines are not counted
])
def test_unreadable_line_says_where(lines, line, column):
    verdict = check_steps(lines, SYMBOLS)
    assert verdict.status == "invalid" and verdict.exit_code == 2
    assert verdict.invalid_line == line and verdict.column is not None and verdict.column + 1 == column
    assert verdict.message.startswith(f"line {line}, column {column}:")


def test_one_multiline_text_is_split_and_rows_kept():
    verdict = check_steps("d(x^T x)\n\n= 2 x^T dx\n", SYMBOLS)
    assert verdict.status == "correct" and [v.row for v in verdict.lines] == [0, 2]


def test_preview_reads_one_line_without_checking():
    assert preview_line("∇f = (A + A^T) x", SYMBOLS).interpreted == "∇f = (A + Aᵀ)⋅x"
    assert preview_line("= dx^T A x", SYMBOLS).interpreted == "= dxᵀ⋅A⋅x"
    bad = preview_line("= x +", SYMBOLS)
    assert bad.interpreted is None and bad.column == 5 and bad.error


def test_expression_texts_drop_labels():
    assert expression_texts(["f = x^2", "d f = 2 x dx", "∂f/∂x = 2x", "= 2 x"]) == \
        ["x^2", "2 x dx", "2x", "2 x"]


# --- Hypothesis: random chains of true rewrites ------------------------------------------------------

MATRICES = parse_declarations("A: n×n, B: n×n, X: n×n invertible")
BASES = ["A X", "X^T B", "A + X", "X^{-1} A", "A X B", "X ⊙ A", "tr(A X) B"]
REWRITES = [  # each keeps the value of any n×n expression E
    lambda e: f"(({e})^T)^T", lambda e: f"({e}) + A - A", lambda e: f"1/2 (2 ({e}))", lambda e: f"({e}) I",
    lambda e: f"I ({e})", lambda e: f"({e}) + 0 B", lambda e: f"X X^{{-1}} ({e})", lambda e: f"(({e}) X) X^{{-1}}",
]
CORRUPTIONS = [lambda e: f"2 ({e})", lambda e: f"-({e})", lambda e: f"({e}) + A", lambda e: f"({e}) B"]


def _chain(base: str, rewrites: list[int]) -> list[str]:
    lines = [base]
    for r in rewrites:
        lines.append("= " + REWRITES[r](lines[-1].removeprefix("= ")))
    return lines


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(BASES), st.lists(st.integers(0, len(REWRITES) - 1), min_size=1, max_size=4))
def test_random_chain_of_true_rewrites_is_accepted(base, rewrites):
    verdict = check_steps(_chain(base, rewrites), MATRICES)
    assert verdict.status == "correct", verdict.message


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(BASES), st.lists(st.integers(0, len(REWRITES) - 1), min_size=2, max_size=4),
       st.data())
def test_the_same_chain_with_one_line_corrupted_breaks_at_that_line(base, rewrites, data):
    at = data.draw(st.integers(1, len(rewrites)), label="corrupted line (0-based)")
    corrupt = data.draw(st.sampled_from(CORRUPTIONS), label="corruption")
    lines = [base]
    for i, r in enumerate(rewrites, start=1):
        previous = lines[-1].removeprefix("= ")
        line = REWRITES[r](previous)
        lines.append("= " + (corrupt(line) if i == at else line))  # later lines rewrite the corrupted one
    verdict = check_steps(lines, MATRICES)
    assert verdict.first_broken == at + 1, verdict.message
    assert [v.ok for v in verdict.lines] == [k != at for k in range(len(lines))]
    # the true chain with only that line replaced: broken there, and the next line no longer follows
    true_chain = _chain(base, rewrites)
    replaced = true_chain[:at] + ["= " + corrupt(true_chain[at].removeprefix("= "))] + true_chain[at + 1:]
    verdict = check_steps(replaced, MATRICES)
    assert verdict.first_broken == at + 1, verdict.message
    assert [v.ok for v in verdict.lines] == [k not in (at, at + 1) for k in range(len(replaced))]


# --- the command ---------------------------------------------------------------------------------

def _run(*argv, capsys):
    code = main(["steps", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes_and_json(capsys):
    args = ("--symbols", "x: n", "--differentials", "x: dx")
    assert _run("d(x^T x)", "2 x^T dx", *args, capsys=capsys)[0] == 0
    code, out, _ = _run("d(x^T x)", "x^T dx", *args, "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 1 and data["first_broken"] == 2 and data["status"] == "incorrect"
    assert set(data) >= {"status", "first_broken", "lines", "message"}
    assert [set(line) >= {"interpreted", "ok", "diagnostics"} for line in data["lines"]] == [True, True]
    assert data["lines"][1]["diagnostics"][0]["code"] == "factor"


def test_cli_unreadable_line_goes_to_stderr_with_line_and_column(capsys):
    code, out, err = _run("x", "x +", "--symbols", "x: n", capsys=capsys)
    assert code == 2 and out == "" and "line 2, column 4" in err


def test_cli_bad_differentials_or_symbols_is_a_usage_error(capsys):
    code, _, err = _run("x", "x", "--differentials", "z: dz", capsys=capsys)
    assert code == 2 and err.startswith("mcalc-tutor: error: --differentials:")
    code, _, err = _run("x", "x", "--symbols", "x: q×", capsys=capsys)
    assert code == 2 and err.startswith("mcalc-tutor: error: --symbols:")


def test_cli_without_symbols_reads_names_as_scalars(capsys):
    code, out, _ = _run("f = (x+1)^2", "= x^2 + 2x + 1", "d f = (2x + 2) dx", "∂f/∂x = 2(x + 1)",
                        "--differentials", "x: dx", capsys=capsys)
    assert code == 0, out


def test_cli_line_may_start_with_a_minus_sign():
    done = subprocess.run([sys.executable, "-m", "mcalc_tutor", "steps", "-x - 1", "= -(x + 1)"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


PIECES = ["x", "A", "X", "dx", "dX", "d", "d(", "f", "∇f", "∇_x f", "∂f/∂X", "∂f/∂q", "grad f", "=", "==", " = ",
          "^T", "(", ")", "[", "]", "+", "-", "2", "tr(", "det", "ln", "σ", "⊙", "^{-1}", "\n", ",", ";", "I", "'"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), max_size=5),
       st.sampled_from([None, "x^T A x"]), st.sampled_from([None, "(A + A^T) x"]))
def test_whatever_is_written_gets_a_verdict(lines, start, expected):
    verdict = check_steps(lines, SYMBOLS, start=start, expected=expected)
    assert verdict.status in ("correct", "partial", "incorrect", "invalid")
    assert verdict.first_broken is None or 1 <= verdict.first_broken <= len(verdict.lines)
    json.dumps(verdict.to_json())


# --- steps parts in the bank's schema (tests/data/derivations) -----------------------------------------

DATA = Path(__file__).resolve().parent / "data" / "derivations" / "exercises"


def _steps_exercise():
    exercise, problems = load_exercise(DATA / "matrix-derivatives" / "steps-quadratic-form.toml", known_sources())
    assert exercise is not None, problems
    return make_variant(exercise, 0)


SUBMISSION = '''
[answers.steps-quadratic-form]
a = """
d(x^T A x) = dx^T A x + x^T A dx
= x^T A^T dx + x^T A dx
= x^T (A + A^T) dx
∇f = (A + A^T) x
"""
b = """
d(ln det X) = tr(X^{-1} dX)
∂f/∂X = X^{-1}
"""
'''


def test_a_steps_part_is_graded_from_a_multiline_toml_string():
    variant = _steps_exercise()
    answers = tomllib.loads(SUBMISSION)["answers"]["steps-quadratic-form"]
    right = check_part(variant, variant.part("a"), answers["a"])
    assert right.status == "correct" and right.score == 2.0
    wrong = check_part(variant, variant.part("b"), answers["b"])  # the transpose of the gradient
    assert wrong.status == "partial" and wrong.score == 0.5  # 4 steps: start, tr(X⁻¹dX), ∂f/∂X, the answer
    assert wrong.message.startswith("Line 2 does not follow from line 1")
    assert wrong.codes[0] == "transpose" and wrong.diagnostics[0].message.startswith("Line 2: ")


def test_a_steps_part_hides_its_answer_and_gives_listed_mistake_feedback():
    variant = _steps_exercise()
    lines = "d(x^T A x)\n= 2 x^T A dx\n∇f = 2 A x"
    verdict = check_part(variant, variant.part("a"), lines)
    assert verdict.status == "partial"
    feedback = verdict.message + " ".join(d.message for d in verdict.diagnostics)
    assert "where did Aᵀ go?" in feedback  # the part's listed mistake, for the last line
    for shown in ("(A + A^T) x", "(A + Aᵀ)⋅x", "(A + Aᵀ)x"):
        assert shown not in feedback


def test_a_steps_part_is_read_line_by_line_for_the_preview():
    variant = _steps_exercise()
    reading = read_answer(variant.part("a"), "d(x^T A x)\n= x^T (A +", variant.symbols)
    assert not reading.ok and reading.error.startswith("line 2, column")
    ok = read_answer(variant.part("a"), "d(x^T A x)\n= 2 x^T A dx", variant.symbols)
    assert ok.ok and ok.interpreted == "d(xᵀ⋅A⋅x)\n= 2⋅xᵀ⋅A⋅dx"
    assert check_part(variant, variant.part("a"), "d(x^T A x)\n= x^T (A +").status == "invalid"


@pytest.mark.parametrize("extra, field", [
    ('differentials = "q: dq"', "parts.a.differentials"),
    ('start = "d(x^T A x"', "parts.a.start"),
    ('start = 3', "parts[0].start"),
])
def test_a_broken_steps_part_does_not_load(tmp_path, extra, field):
    text = (DATA / "matrix-derivatives" / "steps-quadratic-form.toml").read_text(encoding="utf-8")
    text = text.replace('start = "d(x^T A x)"\ndifferentials = "x: dx"', 'differentials = "x: dx"\n' + extra, 1) \
        if extra.startswith("start") else text.replace('differentials = "x: dx"', extra, 1)
    folder = tmp_path / "matrix-derivatives"
    folder.mkdir()
    (folder / "steps-quadratic-form.toml").write_text(text, encoding="utf-8")
    exercise, problems = load_exercise(folder / "steps-quadratic-form.toml", known_sources())
    assert exercise is None and any(p.field == field for p in problems), [str(p) for p in problems]


def test_a_start_without_differentials_may_be_followed_by_its_differential():
    lines = ["d(x^T A x) = dx^T A x + x^T A dx", "∇f = (A + A^T) x"]
    assert check_steps(lines, SYMBOLS, start="x^T A x", expected="(A + A^T) x").status == "correct"
    assert check_steps(["∇f = (A + A^T) x"], SYMBOLS, start="x^T A x", expected="(A + A^T) x").status == "correct"
    assert check_steps(["∇f = 2 A x"], SYMBOLS, start="x^T A x").first_broken == 1


def test_the_app_gets_each_lines_verdict_from_steps_verdict():
    from mcalc_tutor.content.answers import steps_verdict

    variant = _steps_exercise()
    verdict = steps_verdict(variant, variant.part("a"), "d(x^T A x)\n\n= x^T A dx + x^T A dx\n∇f = 2 A^T x")
    assert verdict.first_broken == 2 and verdict.lines[1].row == 2 and not verdict.lines[1].ok
