"""Feedback never hands over the answer (unless the solution was revealed): for every part of the
bank, neither the expected answer's printed form nor its values appear in what a learner reads
after a listed mistake or a generated wrong answer (sign flip, ×2, transpose, a dropped term)."""
from __future__ import annotations

import re

import numpy as np
import pytest

from mcalc_tutor.checking.equivalence import check_answer
from mcalc_tutor.checking.reference import evaluate_all, reference
from mcalc_tutor.checking.withhold import normalize
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant
from mcalc_tutor.mathlang import MathError, SymbolTable, parse_declarations, read
from mcalc_tutor.mathlang import ast as A
from mcalc_tutor.mathlang.evaluate import evaluate
from mcalc_tutor.mathlang.pretty import pretty

KINDS = ("expression", "vector", "matrix", "number")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def _table(part, variant) -> SymbolTable:
    return SymbolTable() if part.kind == "number" else variant.symbols


def wrong_answers(part, variant) -> list[str]:
    """The part's listed mistakes, and generated slips of its expected answer."""
    a = str(part.answer)
    out = [m.answer for m in part.mistakes] + [f"-({a})", f"2({a})", f"({a})^T"]
    tree = read(a, _table(part, variant)).tree
    if isinstance(tree, (A.Add, A.Sub)):  # a dropped term
        out += [pretty(tree.left, variant.symbols), pretty(tree.right, variant.symbols)]
    return out


def _tokens(values) -> set[str]:
    """How a value would be printed in a message (as the checker prints values), for non-integers."""
    out = set()
    for v in values:
        if v is None:
            continue
        for x in np.ravel(v):
            if np.isfinite(x) and abs(x - round(x)) > 1e-9:
                out |= {f"{x:.6g}", f"{x:.4g}", f"{x:.3g}"}
    return {t for t in out if "." in t}  # 0.9999 rounded to "1" is not a value anyone can read off


def _printed(values) -> set[str]:
    """A vector or matrix value as the checker prints one ([26; 11], [1, 2; 3, 4]), integers included:
    a single integer is too common to look for, a whole printed vector is not."""
    out = set()
    for v in values:
        if v is None or np.size(v) < 2 or not np.all(np.isfinite(v)):
            continue
        for fmt in ("{:.4g}", "{:.6g}"):
            rows = ["; ".join(fmt.format(x) for x in np.ravel(v))] if 1 in np.shape(v) else \
                ["; ".join(", ".join(fmt.format(x) for x in row) for row in v)]
            out |= {f"[{r}]" for r in rows} | {f"({r.replace('; ', ', ')})" for r in rows if 1 in np.shape(v)}
    return out


def _evaluated(text: str, part, variant) -> list:
    table = _table(part, variant)
    try:
        typed = read(text, table)
        if part.kind == "number":
            return [evaluate(typed, {}, {})]
        return list(evaluate_all(typed, reference(str(part.answer), table).instances))
    except (MathError, Exception):
        return []


def _values(text: str, part, variant) -> set[str]:
    return _tokens(_evaluated(text, part, variant))


def _bank_parts():
    for ex in load_bank().exercises:
        variant = make_variant(ex, 0)
        for part in variant.parts:
            if part.kind in KINDS and isinstance(part.answer, str):
                yield pytest.param(variant, part, id=f"{ex.id}:{part.name}")


@pytest.mark.parametrize("variant, part", list(_bank_parts()))
def test_no_feedback_states_the_expected_answer(variant, part):
    table = _table(part, variant)
    expected = str(part.answer)
    forms = {normalize(expected), normalize(pretty(read(expected, table).tree, table))}
    forms = {f for f in forms if len(f) >= 2}
    expected_values = _values(expected, part, variant)
    for wrong in wrong_answers(part, variant):
        verdict = check_part(variant, part, wrong)
        if verdict.status == "correct":
            continue  # a generated slip may be right (−0 = 0, a symmetric matrix transposed)
        shown = [verdict.message] + [d.message for d in verdict.diagnostics]
        flat = normalize(" ".join(shown))
        for own in _own_readings(wrong, table):  # the learner's own answer may be quoted back
            flat = flat.replace(own, "")
        leaked = [f for f in forms if f in flat]
        assert not leaked, (wrong, leaked, shown)
        numbers = set(_NUMBER.findall(" ".join(shown)))
        own = _values(wrong, part, variant)
        assert not (numbers & expected_values) - own, (wrong, numbers & expected_values, shown)
        printed = [p for p in _printed(_evaluated(expected, part, variant)) if p in " ".join(shown)]
        assert not set(printed) - _printed(_evaluated(wrong, part, variant)), (wrong, printed, shown)


def test_a_counterexample_shows_the_learners_value_not_the_expected():
    symbols = parse_declarations("x: scalar")
    hidden = check_answer("x^2", "x^3", symbols)
    assert hidden.codes == ["value"] and "your answer gives" in hidden.message
    assert "correct value" not in hidden.message and "which is not the expected value" in hidden.message
    shown = check_answer("x^2", "x^3", symbols, reveal=True)
    assert "the correct value is" in shown.message  # the solution was revealed: the value may be shown


def test_a_counterexample_names_the_entry_that_is_off():
    symbols = parse_declarations("x: scalar, y: scalar")
    verdict = check_answer("(x, y)", "(x, y + 1)", symbols)
    assert verdict.message.endswith("the second entry is off."), verdict.message


def test_listed_mistake_feedback_stating_the_answer_is_withheld_until_revealed():
    from mcalc_tutor.checking.equivalence import Mistake

    symbols = parse_declarations("W: m×n, δ: m")
    mistake = Mistake("δ^T W", "δᵀW has the right numbers but is a row. Write Wᵀδ.")
    hidden = check_answer("W^T δ", "δ^T W", symbols, mistakes=[mistake])
    assert hidden.message == "δᵀW has the right numbers but is a row."
    assert check_answer("W^T δ", "δ^T W", symbols, mistakes=[mistake], reveal=True).message == mistake.feedback
    only_the_answer = Mistake("δ^T W", "Write Wᵀδ.")  # nothing left to say: the generic diagnosis speaks
    verdict = check_answer("W^T δ", "δ^T W", symbols, mistakes=[only_the_answer])
    assert verdict.codes[0] == "transpose" and "Wᵀδ" not in verdict.message


def test_the_grader_hides_the_answer_by_default(tmp_path):
    from mcalc_tutor.grading.grader import grade_path

    path = tmp_path / "submission.toml"
    path.write_text('[meta]\nstudent = "eve"\nseed = 0\n[answers.bp-fc-layer]\nd = "δ^T W"\n', encoding="utf-8")
    hidden = next(p for p in grade_path(path).parts if p.part == "d")
    assert hidden.status == "incorrect"
    assert "Wᵀδ" not in hidden.feedback.split("(read as")[0] and "W^T δ" not in hidden.feedback, hidden.feedback


def test_grade_feedback_full_shows_the_answer_only_when_asked(tmp_path, capsys):
    import json

    from mcalc_tutor.cli import main
    from mcalc_tutor.cli.grade import FEEDBACK
    from mcalc_tutor.grading.assignment import FEEDBACK_POLICIES

    assert FEEDBACK == FEEDBACK_POLICIES
    path = tmp_path / "submission.toml"
    path.write_text('[meta]\nstudent = "eve"\nseed = 0\n[answers.bp-fc-layer]\nd = "δ^T W"\n', encoding="utf-8")

    def part_d(*options):
        assert main(["grade", "--format", "json", *options, str(path)]) == 0
        data = json.loads(capsys.readouterr().out)
        return next(p for s in data.get("submissions", [data]) for p in s["parts"] if p["part"] == "d")

    default, diagnostics, full, score = part_d(), part_d("--feedback", "diagnostics"), part_d("--feedback", "full"), \
        part_d("--feedback", "score")
    assert default == diagnostics and "row" in default["feedback"]
    assert "W^T δ" not in default["feedback"] and "Expected" not in default["feedback"]
    assert full["feedback"].endswith("\nExpected: W^T δ") and full["feedback"].count("Expected") == 1
    assert full["feedback"].startswith(default["feedback"]) and full["score"] == default["score"]
    assert score["feedback"] == "" and score["score"] == default["score"]
    with pytest.raises(SystemExit) as stop:  # only the assignment's policy names
        main(["grade", "--feedback", "answers", str(path)])
    assert stop.value.code == 2


def _steps_parts():
    for ex in load_bank().exercises:
        variant = make_variant(ex, 0)
        for part in variant.parts:
            if part.kind == "steps":
                yield pytest.param(variant, part, id=f"{ex.id}:{part.name}")


@pytest.mark.parametrize("variant, part", list(_steps_parts()))
def test_no_derivation_feedback_states_the_expected_answer(variant, part):
    """The same for derivations: the start line, then a listed mistake or a slip of the final answer."""
    expected = str(part.answer)
    forms = {normalize(expected), normalize(pretty(read(expected, variant.symbols).tree, variant.symbols))}
    forms = {f for f in forms if len(f) >= 2}
    start = normalize(part.start or "")
    for wrong in [m.answer for m in part.mistakes] + [f"-({expected})", f"2({expected})", f"({expected})^T"]:
        verdict = check_part(variant, part, "\n".join(line for line in (part.start, wrong) if line))
        if verdict.status == "correct":
            continue
        flat = normalize(" ".join([verdict.message] + [d.message for d in verdict.diagnostics]))
        for own in _own_readings(wrong, variant.symbols):  # the learner's own line may be quoted back
            flat = flat.replace(own, "")
        leaked = [f for f in forms if f in flat and f not in start]
        assert not leaked, (wrong, leaked, verdict.message)


def _own_readings(text: str, symbols) -> list[str]:
    out = [normalize(text)]
    try:
        out.append(normalize(pretty(read(text, symbols).tree, symbols)))
    except MathError:
        pass
    return sorted(set(out), key=len, reverse=True)


@pytest.mark.parametrize("ex_id, name, wrong", [
    ("bp-logistic-regression", "b", "t - σ(u)"),            # feedback ended "… = σ(u) − t."
    ("grad-least-squares", "a", "-b^T A x"),                # feedback ended "… give −2bᵀAx."
])
def test_an_answer_written_with_a_unicode_minus_in_feedback_is_withheld(ex_id, name, wrong):
    from mcalc_tutor.checking.withhold import answer_forms, mentions
    from mcalc_tutor.content.answers import check_part as check
    from mcalc_tutor.content.loader import load_bank as bank
    from mcalc_tutor.content.variants import make_variant as variant_of

    variant = variant_of(bank().get(ex_id), 0)
    part = variant.part(name)
    forms = answer_forms(str(part.answer), variant.symbols)
    assert any("−" in m.feedback and mentions(m.feedback, forms) for m in part.mistakes)
    verdict = check(variant, part, wrong)
    assert verdict.status == "incorrect"
    for text in [verdict.message, *(d.message for d in verdict.diagnostics)]:
        assert not mentions(text, forms), text
    assert any(mentions(d.message, forms) for d in check(variant, part, wrong, reveal=True).diagnostics)
