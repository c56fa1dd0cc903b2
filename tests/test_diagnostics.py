"""The diagnostics registry, detector by detector: each has an answer that triggers it and one that
does not (adding a detector without a row here fails test_every_detector_has_a_row)."""
from __future__ import annotations

import pytest

from mcalc_tutor.checking.diagnostics import DETECTORS, Context, Mistake
from mcalc_tutor.checking.equivalence import diagnostic_context
from mcalc_tutor.mathlang import parse_declarations, read

# detector name -> ((expected, triggering answer, not triggering answer, symbols), code it reports or None)
ROWS = {
    "listed_mistake": (("2 diag(x)", "2x", "3x", "x: n"), "mistake"),
    "other_shape": (("A x", "x^T A", "2 A x", "A: n×n, x: n"), "shape"),
    "undefined_somewhere": (("x^2", "x^2 + log(x) - log(x)", "x^3", "x: scalar"), "undefined"),
    "transpose": (("A x", "x^T A^T", "2 A x", "A: n×n, x: n"), "transpose"),
    "entrywise_needs_same_shape": (("A x", "x^T A", "2 A x", "A: n×n, x: n"), None),
    "sign_or_factor": (("A x", "-A x", "A^T x", "A: n×n, x: n"), "sign"),
    "treated_as_symmetric": (("(A + A^T) x", "2 A x", "3 A x + x", "A: n×n, x: n"), "symmetric"),
    "all_treated_as_symmetric": (("A^T B^T x", "A B x", "A B x + x", "A: n×n, B: n×n, x: n"), "symmetric"),
    "factors_commuted": (("A B", "B A", "A + B", "A: n×n, B: n×n"), "commute"),
    "counterexample": (("x^2", "x^3", "x x", "x: scalar"), "value"),
}
MISTAKES = {"listed_mistake": [Mistake("2x", "That is the gradient of the sum.")]}


def _context(name: str, answer: str) -> Context:
    (expected, _, _, declarations), _ = ROWS[name]
    symbols = parse_declarations(declarations)
    return diagnostic_context(expected, read(answer, symbols), symbols, MISTAKES.get(name, ()))


def test_every_detector_has_a_row():
    assert [d.__name__ for d in DETECTORS] == list(ROWS)


@pytest.mark.parametrize("detector", DETECTORS, ids=lambda d: d.__name__)
def test_detector_fires_on_its_slip_only(detector):
    (_, triggers, does_not, _), code = ROWS[detector.__name__]
    fired = detector(_context(detector.__name__, triggers))
    assert fired.diagnostics or fired.final
    if code is None:  # a gate: it reports nothing, it only stops the run
        assert fired.final and not fired.diagnostics
    else:
        assert fired.diagnostics[0].code == code, fired
    quiet = detector(_context(detector.__name__, does_not))
    assert not quiet.diagnostics and not quiet.final, quiet
