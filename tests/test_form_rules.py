"""Form rules per part (forbid, only, free_of, require, literal, asks), each both ways: an answer
that breaks the rule is `invalid` with a message naming the offending piece and what is asked, the
preview says so before Enter, and an answer in the asked form is graded as before."""
from __future__ import annotations

from pathlib import Path

import pytest

from mcalc_tutor.app.widgets.preview import preview_text
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_exercise
from mcalc_tutor.content.reading import read_answer
from mcalc_tutor.content.variants import make_variant

EXERCISE = '''
id = "bp-form"
title = "Form rules"
section = "backprop"
source = "seed000:backprop-fc-layer"
statement = "s"
[symbols]
"φ" = "function"
g = "m"
W2 = "m×n"
z1 = "n"
z2 = "m"
"δ2" = "m"
"δ1" = "n"
A = "n×n positive definite"
b = "n"
x = "n"
t = "scalar"
[definitions]
"δ2" = "g ⊙ φ'(z2)"
"δ1" = "(W2^T δ2) ⊙ φ'(z1)"
[[parts]]
name = "d2"
kind = "vector"
answer = "g ⊙ φ'(z2)"
asks = "δ2"
[[parts]]
name = "d1"
kind = "vector"
answer = "(W2^T (g ⊙ φ'(z2))) ⊙ φ'(z1)"
asks = "δ1"
only = ["g", "W2", "z1", "z2", "φ"]
[[parts]]
name = "l1"
kind = "expression"
answer = "sign(x)^T x"
forbid = ["‖"]
[[parts]]
name = "newton"
kind = "vector"
answer = "A^{-1} b"
free_of = ["x"]
[[parts.mistakes]]
answer = "x - A (A x - b)"
feedback = "Newton multiplies the gradient by the inverse Hessian."
[[parts]]
name = "sigma"
kind = "expression"
answer = "σ(t) (1 - σ(t))"
require = ["σ"]
[[parts]]
name = "simplified"
kind = "expression"
answer = "σ(t) - 1"
forbid = ["/"]
[[parts]]
name = "factored"
kind = "vector"
answer = "(A - t I)(x - b)"
factor = "x - b"
[[parts]]
name = "column"
kind = "vector"
answer = "(1, 2)"
literal = "column"
[[parts]]
name = "row"
kind = "vector"
answer = "(1, 2)"
'''

# part, answer that breaks its rule, words its message must contain, answer in the asked form
RULES = [
    ("d2", "δ₂", ["δ₂", "asks for"], "g ⊙ φ'(z₂)"),
    ("d1", "W₂ᵀδ₂ ⊙ φ'(z₁)", ["δ₂", "g, W₂, z₁, z₂ and φ"], "(W₂ᵀ(g ⊙ φ'(z₂))) ⊙ φ'(z₁)"),
    ("d1", "δ₁", ["δ₁", "asks for", "write it out with g, W₂"], "(W2^T (g ⊙ φ'(z2))) ⊙ φ'(z1)"),
    ("l1", "‖x‖₁", ["‖·‖", "without"], "sign(x)ᵀx"),
    ("newton", "x - A^{-1}(A x - b)", ["contains x", "simplify"], "inv(A) b"),
    ("sigma", "exp(-t)/(1 + exp(-t))^2", ["does not use σ", "in terms of σ"], "sigmoid(t)(1 - sigmoid(t))"),
    ("column", "[1, 2]", ["row", "asks for a column"], "[1; 2]"),
    ("simplified", "(σ(t) - 1)/(σ(t)(1 - σ(t))) σ(t)(1 - σ(t))", ["a division", "without"], "σ(t) − 1"),
    ("simplified", "(σ(t) - 1) (σ(t)(1 - σ(t)))^{-1} σ(t)(1 - σ(t))", ["a division"], "-(1 - σ(t))"),
    ("simplified", "(σ(t) - 1) σ(t)^-1 σ(t)", ["a division"], "σ(t) + (-1)^2 - 2"),
    ("simplified", "1/(1 + exp(-t)) - 1", ["a division"], "sigmoid(t) - 1"),
    ("factored", "A x - A b - t x + t b", ["product with the factor (x - b)", "factor (x - b) out"],
     "-(t I - A)(x - b)"),
    ("factored", "(A - t I) x - (A - t I) b", ["factor (x - b) out"], "(A - tI)(x - b)"),
]


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    path = tmp_path_factory.mktemp("bank") / "backprop" / "bp-form.toml"
    path.parent.mkdir()
    path.write_text(EXERCISE, encoding="utf-8")
    exercise, problems = load_exercise(path)
    assert exercise is not None, [str(p) for p in problems]
    return make_variant(exercise, 0)


@pytest.mark.parametrize("name, broken, says, fine", RULES, ids=[f"{r[0]}:{r[1]}" for r in RULES])
def test_each_rule_both_ways(variant, name, broken, says, fine):
    part = variant.part(name)
    verdict = check_part(variant, part, broken)
    assert verdict.status == "invalid" and verdict.score == 0, verdict.render()
    assert all(word in verdict.message for word in says), verdict.message
    preview = preview_text(broken, part, variant.symbols).plain
    assert "not in the form asked" in preview and verdict.message in preview
    assert check_part(variant, part, fine).status == "correct"
    assert read_answer(part, fine, variant.symbols).ok


def test_a_part_without_literal_rule_still_reads_a_flat_row_as_the_column(variant):
    assert check_part(variant, variant.part("row"), "[1, 2]").status == "correct"


def test_a_wrong_answer_in_the_asked_form_is_still_just_wrong(variant):
    verdict = check_part(variant, variant.part("newton"), "A b")
    assert verdict.status == "incorrect"


def test_a_listed_mistake_in_a_forbidden_form_keeps_its_feedback(variant):
    verdict = check_part(variant, variant.part("newton"), "x - A (A x - b)")
    assert verdict.status == "incorrect" and verdict.message == "Newton multiplies the gradient by the inverse Hessian."


def test_a_form_error_is_not_counted_as_an_attempt(variant):
    from mcalc_tutor.progress.store import ProgressStore

    store = ProgressStore.in_memory()
    verdict = check_part(variant, variant.part("d2"), "δ₂")
    store.record_attempt("bp-form", "d2", "δ₂", verdict.status, verdict.score, verdict.codes)
    assert store.part_status("bp-form", "d2") == "new"  # as an unreadable answer: not against the learner
    wrong = check_part(variant, variant.part("d2"), "g")
    store.record_attempt("bp-form", "d2", "g", wrong.status, wrong.score, wrong.codes)
    assert store.part_status("bp-form", "d2") == "attempted"


@pytest.mark.parametrize("field, value, says", [
    ("forbid", '["nosuch"]', "neither a declared symbol nor a function"),
    ("only", '"g, qq"', "neither a declared symbol nor a function"),
    ("require", "[3]", "must be a list of names"),
    ("literal", '"diagonal"', "must be one of any, column, row"),
    ("asks", '"tr"', "not a declared symbol"),
    ("free_of", '["g"]', "breaks the part's own form rules"),  # the expected answer contains g
    ("factor", '"x +"', "cannot read"),
    ("factor", '"z2"', "breaks the part's own form rules"),  # g ⊙ φ'(z2) is no product with the factor z2
])
def test_the_loader_reports_bad_form_rules_by_file_and_field(tmp_path, field, value, says):
    text = EXERCISE.replace('asks = "δ2"\n', f'{field} = {value}\n', 1)
    path = tmp_path / "backprop" / "bp-form.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    exercise, problems = load_exercise(Path(path))
    assert exercise is None
    fields = {p.field: p.message for p in problems}
    key = "parts.d2.answer" if says.startswith("breaks") else (f"parts[0].{field}" if field in ("require", "literal")
                                                          else f"parts.d2.{field}")
    assert key in fields and says in fields[key], [str(p) for p in problems]
    assert all(str(p).count(": ") >= 2 for p in problems)  # file: field: problem
