"""Every form rule and stated precision in the bank, exercised on the bank itself (issue 11): an
answer that breaks a part's form is refused as `invalid` with the form message (not a wrong
attempt), the expected answer is accepted, and a sigfigs part accepts a correct rounding to its
stated digits while one with fewer digits is told so."""
from __future__ import annotations

import numpy as np
import pytest

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import SymbolTable, read
from mcalc_tutor.mathlang.evaluate import evaluate

BANK = load_bank()
SEEDS = (0, 1, 2)


def _seeds(exercise):
    return SEEDS if exercise.randomized else (0,)


FORMED = [(e, p.name) for e in BANK.exercises for p in e.parts if not p.form.empty]
SIGFIGS = [(e, p.name) for e in BANK.exercises for p in e.parts
           if p.precision.stated and p.precision.mode == "sigfigs"]

# exercise, part, an answer that breaks the part's form (issue 10's wrong spellings first)
BROKEN = [
    ("bp-fc-layer", "a", "δ"),
    ("bg-norm-inequalities", "b", "‖x‖₁"),
    ("bg-frobenius-nuclear", "e", "‖X‖_F"),
    ("opt-newton-quadratic-one-step", "c", "x − A⁻¹(Ax − b)"),
    ("bp-activations", "a", "exp(−z)/(1+exp(−z))²"),
    ("jac-chain-matrix", "d", "2yᵀC"),
    ("grad-warmup-quadratic", "a", "[6 x1 + 2 x2, 2 x1 + 2 x2]"),
    ("bp-two-layer", "b", "δ₂"),
    ("bp-two-layer", "f", "δ₁"),
    ("bp-two-layer", "i", "δ₁"),
    ("bp-fc-layer", "e", "δ xᵀ"),
    # the other rules of the same parts, and the parts added beside them
    ("bp-fc-layer", "b", "(g ⊙ φ'(z)) xᵀ"),
    ("bp-fc-layer", "e", "(g ⊙ φ'(z)) xᵀ"),
    ("bp-two-layer", "i", "(W₂ᵀ(g ⊙ σ₂'(W₂ a₁ + b₂))) ⊙ σ₁'(z₁)"),
    ("bg-norm-inequalities", "b", "sum(abs(x))"),
    ("bg-norm-inequalities", "b", "|x|ᵀ sign(x)"),
    ("bg-frobenius-nuclear", "e", "sqrt(sum(X ⊙ X))"),
    ("bp-activations", "b", "1/cosh(z)^2"),
    ("bp-activations", "b", "4/(exp(z) + exp(-z))^2"),
    ("app-normal-equations", "b", "w - (XᵀX)⁻¹(XᵀXw - Xᵀy)"),
    ("app-ridge-regression", "c", "w - (XᵀX + λI)⁻¹((XᵀX + λI)w - Xᵀy)"),
    ("opt-gd-error-recursion", "a", "(I - α A)(x - x)"),
    ("bp-two-layer", "i", "(W₂^T δ₂) ⊙ σ₁'(z₁)"),
    ("app-normal-equations", "b", "w - (X^T X)^{-1} X^T (X w - y)"),
    ("app-ridge-regression", "c", "w - (X^T X + λ I)^{-1} (X^T (X w - y) + λ w)"),
    # the rules main added beside them
    ("jac-chain-concrete", "c", "[1, 1; v, x^2][2x, 0; y, x]"),
    ("mat-layout-conventions", "e", "g^T A"),
    ("mat-layout-conventions", "f", "(r A)^T"),
    ("cvx-logsumexp-tangent-plane", "c", "v^T (diag(s) - s s^T) v"),
    ("cvx-logsumexp-tangent-plane", "c", "sum(softmax(z) ⊙ v ⊙ v) - (softmax(z)^T v)^2"),
    ("app-adversarial-fgsm", "b", "-ε y sign(w)"),
    ("bg-cauchy-schwarz-triangle", "a", "‖x‖² + 2 x^T y + ‖y‖²"),
    ("bg-cauchy-schwarz-triangle", "d", "y^T x - (x^T y)/(y^T y) (y^T y)"),
    ("bg-cauchy-schwarz-triangle", "e", "(x^T y)^2 / ‖y‖^2"),
]
BROKEN_PARTS = {(e, p) for e, p, _ in BROKEN}


def test_every_part_with_a_form_rule_has_a_breaking_answer_here():
    """A rule that is added to the bank without a row here (or a generic one) fails this test."""
    missing = [f"{e.id}:{name}" for e, name in FORMED
               if (e.id, name) not in BROKEN_PARTS and e.part(name).form.asks is None]
    assert not missing, missing


def test_the_bank_states_the_forms_issue_11_lists():
    listed = ["bp-fc-layer:a", "bp-fc-layer:e", "bp-two-layer:b", "bp-two-layer:f", "bp-two-layer:i",
              "bg-norm-inequalities:b", "bg-frobenius-nuclear:e", "opt-newton-quadratic-one-step:c",
              "opt-gd-error-recursion:a", "app-normal-equations:b", "app-ridge-regression:c",
              "bp-activations:a", "bp-activations:b", "jac-chain-matrix:d", "grad-warmup-quadratic:a"]
    formed = {f"{e.id}:{name}" for e, name in FORMED}
    assert not set(listed) - formed, sorted(set(listed) - formed)
    assert BANK.get("bp-activations").part("e").precision.mode == "sigfigs"


@pytest.mark.parametrize("exercise, name", FORMED, ids=[f"{e.id}:{n}" for e, n in FORMED])
def test_the_expected_answer_keeps_its_own_form(exercise, name):
    for seed in _seeds(exercise):
        variant = make_variant(exercise, seed)
        part = variant.part(name)
        assert check_part(variant, part, part.answer).status == "correct", (seed, part.answer)


ASKED = [(e, n) for e, n in FORMED if e.part(n).form.asks]


@pytest.mark.parametrize("exercise, name", ASKED, ids=[f"{e.id}:{n}" for e, n in ASKED])
def test_the_name_of_the_asked_quantity_is_not_its_value(exercise, name):
    variant = make_variant(exercise, 0)
    part = variant.part(name)
    verdict = check_part(variant, part, part.form.asks)
    assert verdict.status == "invalid" and verdict.score == 0, verdict.render()
    assert "asks for" in verdict.message and part.form.asks in verdict.message


@pytest.mark.parametrize("ex_id, name, answer", BROKEN, ids=[f"{r[0]}:{r[1]}:{r[2]}" for r in BROKEN])
def test_an_answer_in_another_form_is_refused_with_the_form_message(ex_id, name, answer):
    exercise = BANK.get(ex_id)
    for seed in _seeds(exercise):
        variant = make_variant(exercise, seed)
        verdict = check_part(variant, variant.part(name), answer)
        assert verdict.status == "invalid" and verdict.score == 0, verdict.render()
        assert verdict.message.startswith("your answer"), verdict.message
        assert not verdict.diagnostics


def _values(text: str) -> np.ndarray:
    return np.atleast_1d(evaluate(read(str(text), SymbolTable()), {}, {})).ravel()


def _rounded(values: np.ndarray, digits: int) -> str:
    """The values at `digits` significant figures, trailing zeros kept (10.0, not 10)."""
    entries = [f"{x:#.{digits}g}".rstrip(".") for x in values]
    return entries[0] if len(entries) == 1 else "(" + ", ".join(entries) + ")"


@pytest.mark.parametrize("exercise, name", SIGFIGS, ids=[f"{e.id}:{n}" for e, n in SIGFIGS])
def test_a_sigfigs_part_takes_a_correct_rounding_and_tells_fewer_digits(exercise, name):
    for seed in _seeds(exercise):
        variant = make_variant(exercise, seed)
        part = variant.part(name)
        digits = part.precision.digits
        values = _values(part.answer)
        fine = _rounded(values, digits)
        assert check_part(variant, part, fine).status == "correct", (seed, fine)
        short = _rounded(values, digits - 1)
        if all(abs(x) >= 10 ** (digits - 1) for x in values):
            continue  # every figure written is before the point: the shorter rounding is an integer
        verdict = check_part(variant, part, short)
        if np.allclose(_values(short), values, rtol=1e-12, atol=0):
            assert verdict.status == "correct", (seed, short)  # the exact value, however few its digits
            continue
        assert verdict.status == "invalid", (seed, short, verdict.render())
        assert "significant figure" in verdict.message or "fewer than" in verdict.message, verdict.message
