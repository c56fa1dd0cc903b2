"""The bank's form rules, both ways: an answer that breaks a part's rule is refused as `invalid`
(not counted as a wrong attempt) and the part's own expected answer, which keeps it, is accepted."""
from __future__ import annotations

import pytest

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant

BANK = load_bank()
EXERCISES = {e.id: e for e in (BANK.exercises.values() if isinstance(BANK.exercises, dict) else BANK.exercises)}

# exercise:part, an answer in a spelling the prompt rules out (issue 10's list and more)
BROKEN = [
    ("bp-fc-layer:a", "δ"),
    ("bp-fc-layer:b", "(g ⊙ φ'(z)) x^T"),
    ("bp-fc-layer:e", "δ x^T"),
    ("bp-fc-layer:e", "(g ⊙ φ'(z)) x^T"),
    ("bp-two-layer:b", "δ₂"),
    ("bp-two-layer:f", "δ₁"),
    ("bp-two-layer:i", "δ₁"),
    ("bp-two-layer:i", "(W₂^T δ₂) ⊙ σ₁'(z₁)"),
    ("bg-norm-inequalities:b", "‖x‖₁"),
    ("bg-frobenius-nuclear:e", "‖X‖_F"),
    ("opt-newton-quadratic-one-step:c", "x − A⁻¹(Ax − b)"),
    ("bp-activations:a", "exp(−z)/(1+exp(−z))²"),
    ("bp-activations:b", "1/cosh(z)^2"),
    ("jac-chain-matrix:d", "2yᵀC"),
    ("grad-warmup-quadratic:a", "[6 x1 + 2 x2, 2 x1 + 2 x2]"),
    ("app-normal-equations:b", "w - (X^T X)^{-1} X^T (X w - y)"),
    ("app-ridge-regression:c", "w - (X^T X + λ I)^{-1} (X^T (X w - y) + λ w)"),
]


def _variant_part(key: str):
    ex_id, name = key.split(":")
    variant = make_variant(EXERCISES[ex_id], 0)
    part = variant.part(name)
    assert part is not None, key
    return variant, part


@pytest.mark.parametrize(("key", "answer"), BROKEN)
def test_an_answer_in_the_wrong_form_is_refused_as_invalid(key, answer):
    variant, part = _variant_part(key)
    verdict = check_part(variant, part, answer)
    assert verdict.status == "invalid", (key, answer, verdict)
    assert verdict.score == 0


RULED = sorted(f"{e.id}:{p.name}" for e in EXERCISES.values() for p in e.parts if not p.form.empty)


def test_the_bank_states_forms_on_the_parts_issue_11_lists():
    for key in ("bp-fc-layer:a", "bp-fc-layer:e", "bp-two-layer:b", "bp-two-layer:f", "bp-two-layer:i",
                "bg-norm-inequalities:b", "bg-frobenius-nuclear:e", "opt-newton-quadratic-one-step:c",
                "opt-gd-error-recursion:a", "app-normal-equations:b", "app-ridge-regression:c",
                "bp-activations:a", "bp-activations:b", "jac-chain-matrix:d", "grad-warmup-quadratic:a"):
        assert key in RULED, key


@pytest.mark.parametrize("key", RULED)
def test_the_expected_answer_keeps_its_own_form_and_is_accepted(key):
    variant, part = _variant_part(key)
    verdict = check_part(variant, part, str(part.answer))
    assert verdict.status == "correct", (key, verdict)
