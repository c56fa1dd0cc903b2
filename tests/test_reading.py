"""One reader of answers: the live preview shows exactly the reading the checker grades, for every
part of the bank, and the spellings where they once differed (a flat [1, 2] in a vector part or in
a number part whose answer is a vector) are read the same way by both."""
from __future__ import annotations

import pytest

from mcalc_tutor.app.widgets.preview import preview_text
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.model import Part
from mcalc_tutor.content.reading import read_answer
from mcalc_tutor.content.solutions import solution_answers
from mcalc_tutor.content.variants import Variant, make_variant
from mcalc_tutor.mathlang import parse_declarations


def solution_text(variant: Variant, part: Part) -> str:
    """The part's own answer, written as a learner would type it: a derivation or a list of iterates
    is the worked solution's answer line (the part's `answer` holds only the chain's end)."""
    if part.kind in ("steps", "iterates"):
        return solution_answers(variant)[part.name]
    if part.kind == "points":
        return "; ".join(f"{p['at']} {p['type']}" for p in part.answer)
    return str(part.answer)


def _bank_parts():
    for ex in load_bank().exercises:
        variant = make_variant(ex, 0)
        for part in variant.parts:
            if part.kind != "code":
                yield pytest.param(variant, part, id=f"{ex.id}:{part.name}")


@pytest.mark.parametrize("variant, part", list(_bank_parts()))
def test_preview_and_checker_read_the_solution_alike(variant, part):
    text = solution_text(variant, part)
    reading = read_answer(part, text, variant.symbols)
    assert reading.ok, reading.error
    verdict = check_part(variant, part, text)
    assert verdict.status == "correct", verdict.render()
    assert verdict.interpreted == reading.interpreted
    shown = preview_text(text, part, variant.symbols).plain
    if part.kind == "points":
        assert all(p.shown in shown for p in reading.points)
    else:
        assert reading.interpreted in shown
    if reading.shape is not None:
        assert f"shape {reading.shape}" in shown and verdict.shape in (None, reading.shape)  # number: no shape


@pytest.mark.parametrize("part, text, read_as", [
    (Part("a", "vector", answer="(1, 2)"), "[1, 2]", "(1, 2)"),
    (Part("a", "number", answer="(3, 4)"), "[3, 4]", "(3, 4)"),
    (Part("a", "matrix", answer="[1, 2]"), "[1, 2]", "[1, 2]"),  # in a matrix part a row stays a row
])
def test_a_flat_literal_is_read_the_same_by_preview_and_checker(part, text, read_as):
    from mcalc_tutor.checking.verdict import CORRECT
    from mcalc_tutor.content.variants import Variant

    symbols = parse_declarations("")
    reading = read_answer(part, text, symbols)
    assert reading.interpreted == read_as
    variant = Variant(None, 0, {}, "", symbols, (part,))  # type: ignore[arg-type]
    verdict = check_part(variant, part, text)
    assert verdict.status == CORRECT and verdict.interpreted == read_as
    assert f"read as: {read_as}" in preview_text(text, part, symbols).plain


@pytest.mark.parametrize("kind, text, says", [
    ("expression", "(A + x", "never closed"),
    ("number", "y + 1", "a number is expected here"),
    ("points", "(1, 1) sadle", "unknown classification"),
    ("choice", "q", "letter(s) of your choice"),
    ("expression", "x" * 5000, "too long"),
])
def test_an_unreadable_answer_gets_the_checkers_message_in_the_preview(kind, text, says):
    part = Part("a", kind, answer="x", choices=("one", "two"))
    symbols = parse_declarations("A: n×n, x: n")
    reading = read_answer(part, text, symbols)
    assert not reading.ok and says in (reading.error or "")
    assert reading.error in preview_text(text, part, symbols).plain
