"""The equivalence table (tests/equivalence_cases.py), row by row, and the identities behind it
checked against finite differences — so a row that says "correct" is a promise we can keep."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from equivalence_cases import CASES, CORRECT, IDENTITIES, INCORRECT, INVALID, Case, Identity
from mcalc_tutor.checking.equivalence import Mistake, check_answer
from mcalc_tutor.checking.sampling import sample_instance, size_assignments
from mcalc_tutor.mathlang import canonical_name, parse_declarations, read
from mcalc_tutor.mathlang.evaluate import DomainError, evaluate


def _check(case: Case):
    return check_answer(case.expected, case.answer, parse_declarations(case.symbols), layout=case.layout,
                        mistakes=[Mistake(answer, feedback) for answer, feedback in case.mistakes])


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}:{c.answer}" for i, c in enumerate(CASES)])
def test_case(case: Case):
    verdict = _check(case)
    assert verdict.status == case.status, (
        f"{case.why}\nexpected {case.expected!r}, answer {case.answer!r} [{case.symbols}]\n"
        f"got {verdict.status}: {verdict.message} (interpreted as {verdict.interpreted})")
    assert verdict.message and "\n" not in verdict.message
    if case.status == CORRECT:
        assert verdict.score == 1.0 and verdict.diagnostics == []
    elif case.status == INCORRECT:
        assert verdict.score == 0.0
        assert tuple(verdict.codes) == case.codes, (case.why, verdict.render())
        assert verdict.message == (verdict.diagnostics[0].message if verdict.diagnostics
                                   else "Not equivalent to the expected answer.")
        assert verdict.interpreted, "a wrong answer is still echoed as it was read"
    else:
        assert verdict.status == INVALID and verdict.exit_code == 2
        assert verdict.interpreted is None


def test_table_is_broad():
    statuses = Counter(c.status for c in CASES)
    assert len(CASES) >= 150
    assert statuses[CORRECT] >= 100 and statuses[INCORRECT] >= 60 and statuses[INVALID] >= 20
    codes = Counter(code for c in CASES for code in c.codes)
    for code in ("mistake", "shape", "transpose", "sign", "factor", "symmetric", "commute", "undefined", "value"):
        assert codes[code] >= 1, f"no row produces the {code!r} diagnostic"
    assert all(c.why for c in CASES), "every row says why it exists"
    assert len({(c.expected, c.answer, c.symbols, c.layout, c.mistakes) for c in CASES}) == len(CASES), "duplicate rows"


@pytest.mark.parametrize("expected, answer, symbols, codes", [
    ("(A + A^T) x", "2Ax", "A: n×n, x: n", ("symmetric",)),
    ("(A + A^T) x", "xᵀ(A + Aᵀ)", "A: n×n, x: n", ("transpose", "shape")),
    ("(A + A^T) x", "x^T(A+A^T)", "A: n×n, x: n", ("transpose", "shape")),
    ("A^T B^T", "B^T A^T", "A: n×n, X: n×n, B: n×n", ("commute",)),
    ("det(X) X^{-T}", "det(X) X^{-1}", "X: n×n invertible", ("transpose",)),
    ("X^{-T}", "0", "X: n×n invertible", ("shape",)),
])
def test_the_issue_near_misses_are_in_the_table(expected, answer, symbols, codes):
    """The near-misses the issue names must be rejected with these diagnostics (and be table rows)."""
    rows = [c for c in CASES if (c.expected, c.answer, c.symbols, c.layout) == (expected, answer, symbols, "exact")]
    assert rows and rows[0].status == INCORRECT and rows[0].codes == codes


def test_verdicts_are_deterministic():
    for case in CASES[::17]:
        first, second = _check(case), _check(case)
        assert (first.status, first.codes, first.message) == (second.status, second.codes, second.message)


def test_a_correct_row_is_correct_both_ways_round():
    """Equivalence is symmetric: swapping expected and answer keeps a correct verdict (same shapes)."""
    swapped = 0
    for case in CASES:
        if case.status != CORRECT or case.layout != "exact" or "I" in case.expected + case.answer:
            continue
        verdict = check_answer(case.answer, case.expected, parse_declarations(case.symbols))
        assert verdict.status == CORRECT, (case.id, verdict.message)
        swapped += 1
    assert swapped >= 100


# --- the identities, by finite differences ------------------------------------------------------

def _coordinates(identity: Identity, values: dict) -> tuple[list[tuple[str, tuple]], tuple[int, int]]:
    names = [canonical_name(w.strip()) for w in identity.wrt.split(",")]
    if len(names) == 1:
        shape = values[names[0]].shape
        return [(names[0], idx) for idx in np.ndindex(shape)], shape
    assert all(values[n].shape == (1, 1) for n in names), "several wrt names must be scalars"
    return [(n, (0, 0)) for n in names], (len(names), 1)


def _shifted(values: dict, *moves) -> dict:
    out = dict(values)
    for (name, idx), step in moves:
        arr = out[name].copy()
        arr[idx] += step
        out[name] = arr
    return out


def finite_difference(identity: Identity, f, values: dict) -> np.ndarray:
    """Central differences of f (values → array) as gradient, Jacobian, Hessian or differential."""
    if identity.kind == "differential":
        name, direction = canonical_name(identity.wrt), canonical_name(identity.along)
        h = 1e-6
        plus, minus = dict(values), dict(values)
        plus[name] = values[name] + h * values[direction]
        minus[name] = values[name] - h * values[direction]
        return (f(plus) - f(minus)) / (2 * h)
    coords, shape = _coordinates(identity, values)
    if identity.kind == "hessian":
        h, k = 1e-4, len(coords)
        hess = np.empty((k, k))
        for i, ci in enumerate(coords):
            for j, cj in enumerate(coords):
                hess[i, j] = (f(_shifted(values, (ci, h), (cj, h))) - f(_shifted(values, (ci, h), (cj, -h)))
                              - f(_shifted(values, (ci, -h), (cj, h)))
                              + f(_shifted(values, (ci, -h), (cj, -h))))[0, 0] / (4 * h * h)
        return hess
    h = 1e-6
    columns = [((f(_shifted(values, (c, h))) - f(_shifted(values, (c, -h)))) / (2 * h)).ravel() for c in coords]
    value = f(values)
    if value.shape == (1, 1):
        return np.array([col[0] for col in columns]).reshape(shape)
    assert value.shape[1] == 1 and shape[1] == 1, "a Jacobian is of a vector with respect to a vector"
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("identity", IDENTITIES, ids=[f"{i:02d}:{d.function}|{d.wrt}" for i, d in enumerate(IDENTITIES)])
def test_identity_matches_finite_differences(identity: Identity):
    symbols = parse_declarations(identity.symbols)
    function, expected = read(identity.function, symbols), read(identity.expected, symbols)
    rng = np.random.default_rng(20240601)
    checked = 0
    for sizes in size_assignments(symbols):
        for _attempt in range(10):
            inst = sample_instance(symbols, sizes, rng)

            def f(values, inst=inst):
                return evaluate(function, values, inst.sizes, inst.functions)

            try:
                want = evaluate(expected, inst.values, inst.sizes, inst.functions)
                got = finite_difference(identity, f, inst.values)
            except DomainError:
                continue
            scale = max(1.0, float(np.max(np.abs(want))))
            assert got.shape == want.shape, (got.shape, want.shape)
            assert np.allclose(got, want, rtol=1e-5, atol=1e-5 * scale), (
                f"{identity.expected} is not the derivative of {identity.function} w.r.t. {identity.wrt}:\n"
                f"finite differences\n{got}\nexpected\n{want}")
            checked += 1
            break
    assert checked >= 2, "the identity could not be evaluated at enough sample points"


def test_every_identity_has_rows():
    expected_with_rows = {(c.expected, c.symbols) for c in CASES}
    assert all((d.expected, d.symbols) in expected_with_rows for d in IDENTITIES)
    assert len(IDENTITIES) >= 40
