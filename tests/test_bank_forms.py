"""Every form rule and stated precision in the bank, exercised both ways on the bank itself
(issues 10 and 11).

Form: for every rule of every part (asks, each forbid / require item, only, each free_of item,
literal) an answer that breaks exactly that rule is refused as `invalid` with the form message (not
a wrong attempt, score 0), and the expected answer, with other spellings that keep the form, is
accepted. Breaking answers are derived from the rule where that can be done (the asked name itself;
the right value times 1 + 0·(a scalar made of a symbol the rule rules out)), and written by hand
for the rest (issue 10's wrong spellings first).

Precision: a sigfigs / decimals part accepts the value correctly rounded to its digits (trailing
zeros kept) and tells fewer digits so; an exact part accepts the exact value and tells a rounded
decimal to give it exactly; a tolerance part accepts an answer inside its tolerance and marks one
well outside it wrong. Off values are marked wrong, never told to add digits.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.form import check_form, resolve
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.model import Form
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import MathError, SymbolTable, read
from mcalc_tutor.mathlang.evaluate import evaluate

BANK = load_bank()
SEEDS = (0, 1, 2)


def _seeds(exercise):
    return SEEDS if exercise.randomized else (0,)


def _id(row) -> str:
    return ":".join(str(x) for x in row)


# single-answer parts; a steps part's rules hold its last line, and tests/test_steps_form.py
# exercises them both ways on derivations
FORMED = [(e, p.name) for e in BANK.exercises for p in e.parts
          if not p.form.empty and p.kind not in ("steps", "iterates")]

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
    ("bg-norm-inequalities", "b", "sign(1)"),
    ("bg-frobenius-nuclear", "e", "sqrt(sum(X ⊙ X))"),
    ("bp-activations", "a", "sigmoid(z) - sigmoid(z)^2 + 0 exp(z)"),
    ("bp-activations", "a", "exp(-z)/(1 + exp(-z))^2"),
    ("bp-activations", "b", "1/cosh(z)^2"),
    ("bp-activations", "b", "sech(z)^2"),
    ("bp-activations", "b", "1 - sinh(z)^2/cosh(z)^2"),
    ("bp-activations", "b", "4/(exp(z) + exp(-z))^2"),
    ("app-normal-equations", "b", "w - (XᵀX)⁻¹(XᵀXw - Xᵀy)"),
    ("app-ridge-regression", "c", "w - (XᵀX + λI)⁻¹((XᵀX + λI)w - Xᵀy)"),
    ("opt-gd-error-recursion", "a", "(I - α A) x - (I - α A) x + (I - α A)(x - x)"),
    ("opt-gd-error-recursion", "a", "x - α (A x - b) - x"),
    ("bp-two-layer", "i", "(W₂^T δ₂) ⊙ σ₁'(z₁)"),
    ("app-normal-equations", "b", "w - (X^T X)^{-1} X^T (X w - y)"),
    ("app-ridge-regression", "c", "w - (X^T X + λ I)^{-1} (X^T (X w - y) + λ w)"),
    ("jac-chain-concrete", "c", "[1, 1; v, x^2][2x, 0; y, x]"),
    ("mat-layout-conventions", "e", "g^T A"),
    ("mat-layout-conventions", "f", "(r A)^T"),
    ("cvx-logsumexp-tangent-plane", "c", "v^T (diag(s) - s s^T) v"),
    ("cvx-logsumexp-tangent-plane", "c", "sum(softmax(z) ⊙ v ⊙ v) - (softmax(z)^T v)^2"),
    ("app-adversarial-fgsm", "b", "-ε y sign(w)"),
    ("bg-cauchy-schwarz-triangle", "a", "‖x‖² + 2 x^T y + ‖y‖²"),
    ("bg-cauchy-schwarz-triangle", "d", "y^T x - (x^T y)/(y^T y) (y^T y)"),
    ("bg-cauchy-schwarz-triangle", "e", "(x^T y)^2 / ‖y‖^2"),
    # rules added when every prompt was read again
    ("grad-least-squares", "a", "‖A x - b‖^2 - x^T A^T A x - b^T b"),
    ("grad-least-squares", "a", "(A x - b)^T (A x - b) - x^T A^T A x - b^T b"),
    ("jac-chain-concrete", "d", "[2x + y, x; 3x^2 y, x^3]"),
    ("mat-det-logdet", "e", "det(X) X^{-T}"),
    ("bp-two-layer-shapes-first", "e", "W₂^T δ₂"),
    ("bp-two-layer-shapes-first", "f", "W₁^T (W₂^T δ₂ ⊙ σ₁'(z₁))"),
    ("bp-two-layer-shapes-first", "g", "W₁^T δ₁"),
    ("bp-two-layer-minibatch", "d", "Δ R"),
    ("opt-bfgs-secant", "d", "B s - B s (s^T B s)/(s^T B s) + y (y^T s)/(y^T s)"),
    ("opt-bfgs-secant", "e", "I + y y^T/(y^T s) - s s^T/(s^T s)"),
    # forms no rule could state before: no division (forbid "/")
    ("bp-logistic-regression", "b", "(s - t)/(s(1 - s)) s(1 - s)"),
    ("bp-logistic-regression", "b", "(σ(u) - t) (σ(u)(1 - σ(u)))^{-1} σ(u)(1 - σ(u))"),
    # and a required factor ("a matrix times the old error", "simplifies to (…)w", "one product with x")
    ("opt-gd-error-recursion", "a", "x - α (A x - b) - A^{-1} b"),
    ("opt-gd-error-recursion", "a", "(x - A^{-1} b) - α A (x - A^{-1} b)"),
    ("app-regularization-gradients", "c", "w - α λ w"),
    ("app-regularization-gradients", "c", "w - α (λ w)"),
]

# exercise, part, another spelling that keeps the part's form (and is right)
KEPT = [
    ("bp-fc-layer", "a", "φ'(z) ⊙ g"),
    ("bp-fc-layer", "b", "δ x^T"),
    ("bp-fc-layer", "e", "(g ⊙ φ'(W x + b)) x^T"),
    ("bp-two-layer", "b", "σ₂'(z₂) ⊙ g"),
    ("bp-two-layer", "f", "σ₁'(z₁) ⊙ (W₂^T δ₂)"),
    ("bp-two-layer", "i", "σ₁'(z₁) ⊙ (W₂^T (σ₂'(z₂) ⊙ g))"),
    ("bg-norm-inequalities", "b", "x^T sign(x)"),
    ("bg-frobenius-nuclear", "e", "sqrt(tr(X X^T))"),
    ("opt-newton-quadratic-one-step", "c", "inv(A) b"),
    ("bp-activations", "a", "σ(z) - σ(z)^2"),
    ("bp-activations", "b", "1 - tanh(z) tanh(z)"),
    ("jac-chain-matrix", "d", "2 x^T C^T C"),
    ("grad-warmup-quadratic", "a", "(6 x1 + 2 x2, 2 x1 + 2 x2)"),
    ("app-normal-equations", "b", "inv(X^T X) X^T y"),
    ("app-ridge-regression", "c", "inv(X^T X + λ I) X^T y"),
    ("opt-gd-error-recursion", "a", "-(α A - I)(x - inv(A) b)"),
    ("app-regularization-gradients", "c", "w (1 - α λ)"),
    ("jac-chain-concrete", "c", "[2x + y, x; 3x^2 y, x^3]"),
    ("mat-layout-conventions", "e", "(A^T r^T)^T"),
    ("mat-layout-conventions", "f", "(g^T A)^T"),
    ("cvx-logsumexp-tangent-plane", "c", "(s ⊙ v)^T v - (v^T s)^2"),
    ("app-adversarial-fgsm", "b", "sign(g) ε"),
    ("bg-cauchy-schwarz-triangle", "a", "x^T x + x^T y + y^T x + y^T y"),
    ("bg-cauchy-schwarz-triangle", "e", "(y^T x)^2 / (y^T y)"),
    ("grad-least-squares", "a", "-2 x^T A^T b"),
    ("grad-least-squares", "a", "-2 b^T (A x)"),
    ("bp-two-layer-shapes-first", "e", "W₂^T (σ₂'(z₂) ⊙ g)"),
    ("bp-two-layer-shapes-first", "f", "(δ₁^T W₁)^T"),
    ("bp-two-layer-shapes-first", "g", "W₁^T ((W₂^T δ₂) ⊙ σ₁'(z₁))"),
    ("bp-two-layer-minibatch", "d", "(R^T G)^T"),
    ("opt-bfgs-secant", "d", "y"),
    ("bp-logistic-regression", "b", "s - t"),
    ("bp-logistic-regression", "b", "-(t - sigmoid(u))"),
]


def _scalar_of(name: str, symbols: SymbolTable) -> str | None:
    """A scalar built from a declared symbol (x, xᵀx or tr(XᵀX)), typed as the learner would."""
    sym = symbols.lookup(name)
    if sym is None or sym.is_function:
        return None
    shown = symbols.display.get(name.removeprefix("sym:"), name)
    return shown if sym.is_scalar else f"{shown}^T {shown}" if sym.cols == 1 else f"tr({shown}^T {shown})"


def _derived(variant, part) -> list[tuple[str, str]]:
    """(rule, answer) pairs that break one rule of `part` and keep the value: the asked name itself,
    and the right answer times 1 + 0·(a scalar of a symbol `only` or `free_of` rules out)."""
    form, symbols, answer = part.form, variant.symbols, str(part.answer)
    out = []
    if form.asks:
        out.append(("asks", form.asks))
    allowed = {resolve(item, symbols) for item in form.only}
    outside = [key for key in symbols if form.only and f"sym:{key}" not in allowed]
    for rule, names in (("only", outside[:1]), ("free_of", list(form.free_of))):
        for name in names:
            scalar = _scalar_of(name, symbols)
            if scalar is not None:
                out.append((rule, f"({answer}) (1 + 0 {scalar})"))
    return out


def _rule_forms(form: Form) -> list[tuple[str, Form]]:
    """Each rule of `form` alone, so a breaking answer can be traced to the rule it breaks."""
    rules = [("asks", Form(asks=form.asks))] if form.asks else []
    rules += [(f"forbid {item}", Form(forbid=(item,))) for item in form.forbid]
    rules += [("only", Form(only=form.only))] if form.only else []
    rules += [(f"free_of {item}", Form(free_of=(item,))) for item in form.free_of]
    rules += [(f"require {item}", Form(require=(item,))) for item in form.require]
    rules += [("literal", Form(literal=form.literal))] if form.literal != "any" else []
    rules += [("factor", Form(factor=form.factor))] if form.factor else []
    return rules


def _broken_rules(variant, part, answer: str) -> set[str]:
    try:
        tree = read(answer, variant.symbols).tree
    except MathError:
        return set()
    return {name for name, alone in _rule_forms(part.form) if check_form(alone, tree, variant.symbols)}


ALL_BROKEN = [(e.id, n, rule, answer) for e, n in FORMED
              for rule, answer in _derived(make_variant(e, 0), make_variant(e, 0).part(n))]
ALL_BROKEN += [(ex, n, "hand", answer) for ex, n, answer in BROKEN]


def test_every_rule_of_every_part_has_an_answer_here_that_breaks_it():
    """A rule added to the bank without a breaking answer (derived or in BROKEN) fails this test."""
    missing = []
    for exercise, name in FORMED:
        variant = make_variant(exercise, 0)
        part = variant.part(name)
        broken: set[str] = set()
        for ex_id, n, _, answer in ALL_BROKEN:
            if (ex_id, n) == (exercise.id, name):
                broken |= _broken_rules(variant, part, answer)
        missing += [f"{exercise.id}:{name} {rule}" for rule, _ in _rule_forms(part.form) if rule not in broken]
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


@pytest.mark.parametrize("ex_id, name, answer", KEPT, ids=[_id(r) for r in KEPT])
def test_another_spelling_in_the_asked_form_is_accepted(ex_id, name, answer):
    exercise = BANK.get(ex_id)
    assert not exercise.part(name).form.empty, "KEPT lists parts with a form rule"
    for seed in _seeds(exercise):
        variant = make_variant(exercise, seed)
        verdict = check_part(variant, variant.part(name), answer)
        assert verdict.status == "correct", (seed, verdict.render())


ASKED = [(e, n) for e, n in FORMED if e.part(n).form.asks]


@pytest.mark.parametrize("exercise, name", ASKED, ids=[f"{e.id}:{n}" for e, n in ASKED])
def test_the_name_of_the_asked_quantity_is_not_its_value(exercise, name):
    variant = make_variant(exercise, 0)
    part = variant.part(name)
    verdict = check_part(variant, part, part.form.asks)
    assert verdict.status == "invalid" and verdict.score == 0, verdict.render()
    assert "asks for" in verdict.message and part.form.asks in verdict.message


@pytest.mark.parametrize("ex_id, name, rule, answer", ALL_BROKEN, ids=[_id(r) for r in ALL_BROKEN])
def test_an_answer_in_another_form_is_refused_with_the_form_message(ex_id, name, rule, answer):
    exercise = BANK.get(ex_id)
    for seed in _seeds(exercise):
        variant = make_variant(exercise, seed)
        part = variant.part(name)
        verdict = check_part(variant, part, answer)
        assert verdict.status == "invalid" and verdict.score == 0, (seed, verdict.render())
        assert verdict.message.startswith("your answer"), verdict.message
        assert not verdict.diagnostics
        assert _broken_rules(variant, part, answer), "refused, but by no rule of the part"
        if rule != "hand":
            assert any(b.startswith(rule) for b in _broken_rules(variant, part, answer)), rule


def test_a_number_part_is_written_with_numbers_only():
    """Parts asking for numbers ("write it as (…, …)") are read without the exercise's symbols:
    a symbol is refused as unreadable, not marked wrong."""
    exercise = BANK.get("cvx-kkt-projection")
    variant = make_variant(exercise, 0)
    verdict = check_part(variant, variant.part("d"), "(x, x)")
    assert verdict.status == "invalid" and verdict.score == 0, verdict.render()


# --- precision -------------------------------------------------------------------------------

def _values(text: str) -> np.ndarray:
    return np.atleast_2d(evaluate(read(str(text), SymbolTable()), {}, {}))


def _constant(part) -> np.ndarray | None:
    try:
        return _values(part.answer)
    except (MathError, ValueError, TypeError, KeyError):
        return None


def _typed(entries: list[str], shape: tuple[int, int], kind: str) -> str:
    """Entries written as the part expects them: a number, a tuple (a column), [a, b] or [a, b; c, d]."""
    if shape == (1, 1):
        return entries[0]
    if shape[1] == 1:
        return "(" + ", ".join(entries) + ")"
    rows = [", ".join(entries[i * shape[1]:(i + 1) * shape[1]]) for i in range(shape[0])]
    return "[" + "; ".join(rows) + "]"


def _sig(x: float, digits: int) -> str:
    """x correctly rounded to `digits` significant figures, trailing zeros kept (10.0, not 10)."""
    return f"{x:#.{digits}g}".rstrip(".")


def _dec(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


# constant answers; a points part's precision (exact coordinates) is exercised both ways by
# tests/test_points_precision.py
STATED = [(e, p.name) for e in BANK.exercises for p in e.parts if p.precision.stated and p.kind != "points"]


def _cases(exercise, name):
    for seed in _seeds(exercise):
        variant = make_variant(exercise, seed)
        part = variant.part(name)
        values = _constant(part)
        assert values is not None, (seed, part.answer)
        yield variant, part, values


def _write(values: np.ndarray, kind: str, fmt) -> str:
    return _typed([fmt(float(x)) for x in values.ravel()], values.shape, kind)


def _is_listed(part, text: str) -> bool:
    for m in part.mistakes:
        try:
            if np.allclose(_values(m.answer), _values(text), rtol=1e-9, atol=0):
                return True
        except (MathError, ValueError):
            continue
    return False


@pytest.mark.parametrize("exercise, name", STATED, ids=[f"{e.id}:{n}" for e, n in STATED])
def test_a_stated_precision_accepts_what_it_promises(exercise, name):
    for variant, part, values in _cases(exercise, name):
        p = part.precision
        assert check_part(variant, part, str(part.answer)).status == "correct", part.answer
        if p.mode == "sigfigs":
            texts = [_write(values, part.kind, lambda x, d=d: _sig(x, d)) for d in (p.digits, p.digits + 1)]
        elif p.mode == "decimals":
            texts = [_write(values, part.kind, lambda x, d=d: _dec(x, d)) for d in (p.digits, p.digits + 1)]
        elif p.mode == "exact":
            texts = [_write(values, part.kind, repr)]  # the value itself, as a float prints it
        else:
            texts = [_write(values * (1 + p.rel_tol / 2), part.kind, repr)]
        for text in texts:
            verdict = check_part(variant, part, text)
            assert verdict.status == "correct", (text, verdict.render())


def _fraction(x: float) -> str:
    return str(Fraction(x).limit_denominator(10**9))


@pytest.mark.parametrize("exercise, name", STATED, ids=[f"{e.id}:{n}" for e, n in STATED])
def test_a_stated_precision_refuses_what_it_does_not(exercise, name):
    """A value off by more than the policy allows is wrong (as an exact fraction, and as a decimal
    with digits to spare); too few digits, or a decimal where the exact value is asked, is told so
    as `invalid`. A rounding that happens to be exact, or a listed mistake, is judged as what it is."""
    for variant, part, values in _cases(exercise, name):
        p = part.precision
        moved = np.where(values != 0, values * 1.05, 0.05)  # every entry off by 5 %
        offs = [_write(moved, part.kind, _fraction)]
        if p.mode != "exact":
            offs.append(_write(moved, part.kind, lambda x: _sig(x, 8)))
        for off in offs:
            if not _is_listed(part, off):
                verdict = check_part(variant, part, off)
                assert verdict.status == "incorrect", (off, verdict.render())
        if p.mode == "sigfigs":
            fmt, message = (lambda x, d=p.digits - 1: _sig(x, d)), "significant figure"
        elif p.mode == "decimals":
            fmt, message = (lambda x, d=p.digits - 1: _dec(x, d)), "decimal place"
        elif p.mode == "exact":
            fmt, message = (lambda x: repr(x * (1 + 1e-6) + 1e-7)), "exact value"
        else:
            continue
        if p.mode == "sigfigs" and (p.digits == 1 or all(abs(x) >= 10 ** (p.digits - 1) for x in values.ravel())):
            continue  # one figure, or every figure before the point: the shorter rounding is an integer
        short = _write(values, part.kind, fmt)
        if np.allclose(_values(short), values, rtol=1e-12, atol=1e-15) or _is_listed(part, short):
            continue  # the exact value however few its digits, or a misconception the part names
        verdict = check_part(variant, part, short)
        assert verdict.status == "invalid" and verdict.score == 0, (short, verdict.render())
        assert message in verdict.message, verdict.message


def test_issue_10s_precision_table():
    """√101 at 3 significant figures: 10.0 and 10.05 right, 10 and 10.1 not (issue 10's table), on
    a bank part with that policy."""
    variant = make_variant(BANK.get("bp-autodiff-trace"), 0)
    part = replace(variant.part("d"), answer="sqrt(101)")
    assert part.precision.mode == "sigfigs" and part.precision.digits == 3
    assert check_part(variant, part, "10.0").status == "correct"
    assert check_part(variant, part, "10.05").status == "correct"
    assert check_part(variant, part, "10").status == "invalid"
    assert check_part(variant, part, "10.1").status == "incorrect"


def test_every_numeric_part_states_its_precision():
    """Issue 11: "give every numeric part its precision policy": a number part, and a vector,
    matrix or expression part whose answer is a constant, states one (no unstated 1e-6 rule)."""
    unstated = []
    for exercise in BANK.exercises:
        for seed in _seeds(exercise):
            variant = make_variant(exercise, seed)
            for part in variant.parts:
                numeric = part.kind == "number" or (
                    part.kind in ("vector", "matrix", "expression") and isinstance(part.answer, str)
                    and _constant(part) is not None)
                if numeric and not part.precision.stated:
                    unstated.append(f"{exercise.id}:{part.name}")
    assert not unstated, sorted(set(unstated))
