"""Stated numeric precision, policy by policy (exact, sigfigs as STACK's NumSigFigs, decimals,
rel_tol / abs_tol), entry by entry; the default is what the bank always did."""
from __future__ import annotations

import pytest

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_exercise
from mcalc_tutor.content.precision import precision_label
from mcalc_tutor.content.variants import make_variant

HEAD = '''
id = "bg-precision"
title = "Precision"
section = "background"
source = "seed003:norm-inequalities"
statement = "s"
[symbols]
x = "n"
'''

PARTS = {
    "root": 'kind = "number"\nanswer = "sqrt(101)"\nsigfigs = 3',
    "ninth": 'kind = "number"\nanswer = "1/9"\ndecimals = 2',
    "exact": 'kind = "number"\nanswer = "1/9"\nprecision = "exact"',
    "rel": 'kind = "number"\nanswer = "1/9"\nrel_tol = 0.01',
    "zero": 'kind = "number"\nanswer = "0"\nabs_tol = 0.01',
    "legacy": 'kind = "number"\nanswer = "1/9"\ntolerance = 1e-3',
    "default": 'kind = "number"\nanswer = "1/9"',
    "pair": 'kind = "number"\nanswer = "(sqrt(101), 1/3)"\nsigfigs = 3',
    "grid": 'kind = "matrix"\nanswer = "[1/3, 2; 0, 1]"\ndecimals = 2',
    "vec": 'kind = "vector"\nanswer = "(1/3, 2/3)"\nsigfigs = 2',
    "misread": ('kind = "number"\nanswer = "80/3"\nsigfigs = 3\n'
                '[[parts.mistakes]]\nanswer = "80"\nfeedback = "That is the numerator alone: divide by the count."'),
}


def _exercise_text(parts: dict[str, str]) -> str:
    return HEAD + "".join(f'[[parts]]\nname = "{name}"\n{body}\n' for name, body in parts.items())


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    path = tmp_path_factory.mktemp("bank") / "background" / "bg-precision.toml"
    path.parent.mkdir()
    path.write_text(_exercise_text(PARTS), encoding="utf-8")
    exercise, problems = load_exercise(path)
    assert exercise is not None, [str(p) for p in problems]
    return make_variant(exercise, 0)


ROWS = [
    # √101 = 10.0498… at 3 significant figures (the row)
    ("root", "10.0", "correct", None), ("root", "10.05", "correct", None), ("root", "1.00e1", "correct", None),
    ("root", "sqrt(101)", "correct", None), ("root", "10.050", "correct", None),
    ("root", "10", "invalid", "2 significant figures"), ("root", "10.1", "incorrect", None),
    ("root", "10.04", "incorrect", None), ("root", "-10.0", "incorrect", "sign"),
    ("root", "sqrt(100)", "incorrect", None),  # an exact form is judged exactly
    # 1/9 = 0.1111… to 2 decimal places
    ("ninth", "0.11", "correct", None), ("ninth", "0.111", "correct", None), ("ninth", "1/9", "correct", None),
    ("ninth", "0.1", "invalid", "1 decimal places"), ("ninth", "0.12", "incorrect", None),
    # exact: a decimal is told to give the exact value, not marked wrong
    ("exact", "1/9", "correct", None), ("exact", "2/18", "correct", None),
    ("exact", "0.1111", "invalid", "exact value"), ("exact", "1/8", "incorrect", None),
    # explicit tolerances
    ("rel", "0.111", "correct", None), ("rel", "0.1", "incorrect", None),
    ("zero", "0.005", "correct", None), ("zero", "0.02", "incorrect", None),
    # the older `tolerance` and the unstated default behave as they always did
    ("legacy", "0.1111", "correct", None), ("legacy", "0.11", "incorrect", None),
    ("default", "0.1111111", "correct", None), ("default", "0.1111", "incorrect", None),
    # per entry, naming the entry and never its value
    ("pair", "(10.0, 0.333)", "correct", None), ("pair", "[10.0, 0.333]", "correct", None),
    ("pair", "(10.0, 0.334)", "incorrect", "entry 2 is off"), ("pair", "(10.1, 0.334)", "incorrect", "entries 1 and 2"),
    ("pair", "(10, 0.333)", "invalid", "entry 1 has fewer than 3"),
    ("grid", "[0.33, 2; 0, 1]", "correct", None), ("grid", "[0.34, 2; 0, 1]", "incorrect", "entry (1, 1) is off"),
    ("vec", "(0.33, 0.67)", "correct", None), ("vec", "(0.33, 0.66)", "incorrect", "entry 2 is off"),
    # a listed misconception is named before any complaint about digits; others still get the digits
    ("misread", "80", "incorrect", "numerator alone"), ("misread", "80.0", "incorrect", "numerator alone"),
    ("misread", "27", "invalid", "2 significant figures"), ("misread", "26.7", "correct", None),
]


@pytest.mark.parametrize("name, answer, status, says", ROWS, ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_policy_rows(variant, name, answer, status, says):
    verdict = check_part(variant, variant.part(name), answer)
    assert verdict.status == status, verdict.render()
    if says:
        assert says in verdict.message or says in verdict.codes, verdict.render()
    if status != "correct":  # never the expected value
        for shown in ("10.0", "10.05", "0.333", "0.33", "0.111", "0.11"):
            assert shown not in verdict.message or shown in answer


def test_labels_state_the_policy(variant):
    labels = {name: precision_label(variant.part(name)) for name in PARTS}
    assert labels["root"] == "exact, or 3 significant figures"
    assert labels["ninth"] == "exact, or 2 decimal places"
    assert labels["exact"].startswith("exact value")
    assert "0.01" in labels["rel"] and "0.01" in labels["zero"]
    assert labels["default"] is None  # unstated: nothing new is shown for the bank's existing parts


@pytest.mark.parametrize("body, field, says", [
    ('kind = "number"\nanswer = "1"\nsigfigs = 0', "sigfigs", "whole number"),
    ('kind = "number"\nanswer = "1"\nprecision = "approx"', "precision", "exact"),
    ('kind = "number"\nanswer = "1"\nsigfigs = 3\ndecimals = 2', "decimals", "state one precision"),
    ('kind = "number"\nanswer = "1"\nrel_tol = 2', "rel_tol", "[0, 1)"),
    ('kind = "vector"\nanswer = "2 x"\nsigfigs = 3', "precision", "not a constant"),
])
def test_the_loader_reports_a_bad_precision(tmp_path, body, field, says):
    path = tmp_path / "background" / "bg-precision.toml"
    path.parent.mkdir()
    path.write_text(_exercise_text({"p": body}), encoding="utf-8")
    exercise, problems = load_exercise(path)
    assert exercise is None
    messages = {p.field: p.message for p in problems}
    key = f"parts[0].{field}" if field != "precision" or "constant" not in says else "parts.p.precision"
    assert key in messages and says in messages[key], [str(p) for p in problems]
