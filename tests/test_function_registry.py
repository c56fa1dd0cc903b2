"""Every function of the registry is known to every layer of the answer language.

Adding a function is one entry in mathlang/functions.py plus one row in ROWS below: the test
fails for an entry without a row, and checks for each spelling (ASCII, unicode, LaTeX) that it
parses, gets a shape, evaluates to an independent reference value, prints and re-parses to the
same value, lowers to sympy where the entry says so, and that a declared derivative (relu'(z))
agrees with a finite difference of the reference.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from mcalc_tutor.mathlang import ast as A
from mcalc_tutor.mathlang import parse_declarations, read
from mcalc_tutor.mathlang.evaluate import DomainError, evaluate
from mcalc_tutor.mathlang.functions import REGISTRY, spec_of
from mcalc_tutor.mathlang.pretty import pretty

SYMBOLS = "u: 3, v: 3, M: 3×3, N: 3×3, s: scalar"
SIZES = {"u": (3, 1), "v": (3, 1), "M": (3, 3), "N": (3, 3), "s": (1, 1)}


@dataclass(frozen=True)
class Row:
    args: str                      # the arguments, as typed between the parentheses
    shape: tuple[int, int]         # the shape of the result
    reference: Callable[..., np.ndarray]  # independent of the registry: numpy/math on the argument values
    names: tuple[str, ...]         # the symbols in `args`, in the order `reference` takes them


def _m(value) -> np.ndarray:
    return np.array([[float(value)]])


def _elementwise(f: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    return np.vectorize(f, otypes=[float])


ROWS: dict[str, Row] = {
    "sin": Row("u", (3, 1), _elementwise(math.sin), ("u",)),
    "cos": Row("u", (3, 1), _elementwise(math.cos), ("u",)),
    "tan": Row("u", (3, 1), _elementwise(math.tan), ("u",)),
    "exp": Row("M", (3, 3), _elementwise(math.exp), ("M",)),
    "log": Row("u", (3, 1), _elementwise(math.log), ("u",)),
    "sqrt": Row("u", (3, 1), _elementwise(math.sqrt), ("u",)),
    "abs": Row("u", (3, 1), _elementwise(abs), ("u",)),
    "tanh": Row("u", (3, 1), _elementwise(math.tanh), ("u",)),
    "sinh": Row("u", (3, 1), _elementwise(math.sinh), ("u",)),
    "cosh": Row("u", (3, 1), _elementwise(math.cosh), ("u",)),
    "sigma": Row("u", (3, 1), _elementwise(lambda t: 1 / (1 + math.exp(-t))), ("u",)),
    "relu": Row("u", (3, 1), _elementwise(lambda t: max(t, 0.0)), ("u",)),
    "sign": Row("u", (3, 1), _elementwise(lambda t: math.copysign(1.0, t)), ("u",)),
    "step": Row("u", (3, 1), _elementwise(lambda t: 1.0 if t > 0 else 0.0), ("u",)),
    "sech": Row("u", (3, 1), _elementwise(lambda t: 1 / math.cosh(t)), ("u",)),
    "arctan": Row("u", (3, 1), _elementwise(math.atan), ("u",)),
    "max": Row("u, v", (3, 1), lambda a, b: np.where(a > b, a, b), ("u", "v")),
    "min": Row("u, v", (3, 1), lambda a, b: np.where(a < b, a, b), ("u", "v")),
    "tr": Row("M", (1, 1), lambda m: _m(sum(m[i, i] for i in range(3))), ("M",)),
    "det": Row("M", (1, 1), lambda m: _m(m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
                                         - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
                                         + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0])), ("M",)),
    "logdet": Row("M", (1, 1), lambda m: _m(math.log(m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
                                                      - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
                                                      + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]))), ("M",)),
    "diag": Row("u", (3, 3), lambda a: np.array([[a[i, 0] if i == j else 0.0 for j in range(3)]
                                                 for i in range(3)]), ("u",)),
    "softmax": Row("u", (3, 1), lambda a: np.exp(a) / sum(math.exp(t) for t in a.ravel()), ("u",)),
    "sum": Row("M", (1, 1), lambda m: _m(sum(m.ravel().tolist())), ("M",)),
    "logsumexp": Row("u", (1, 1), lambda a: _m(math.log(sum(math.exp(t) for t in a.ravel()))), ("u",)),
    "norm": Row("u", (1, 1), lambda a: _m(math.sqrt(sum(t * t for t in a.ravel()))), ("u",)),
    "inv": Row("M", (3, 3), lambda m: np.linalg.solve(m, np.eye(3)), ("M",)),
    "transpose": Row("M", (3, 3), lambda m: np.array([[m[j, i] for j in range(3)] for i in range(3)]), ("M",)),
    "hadamard": Row("u, v", (3, 1), lambda a, b: np.array([[a[i, 0] * b[i, 0]] for i in range(3)]), ("u", "v")),
}


def test_every_registry_entry_has_a_row_and_every_row_an_entry():
    assert {spec.name for spec in REGISTRY} == set(ROWS)


def test_no_spelling_means_two_functions():
    spellings = [s for spec in REGISTRY for s in spec.spellings]
    assert len(spellings) == len(set(spellings))


def _values(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    # positive, distinct entries: inside every declared domain (log, sqrt), away from relu's kink
    values = {name: rng.uniform(0.3, 1.6, shape) * (1 if name in ("u", "s") else rng.choice([-1, 1], shape))
              for name, shape in SIZES.items()}
    values["M"] = values["M"] + 3 * np.eye(3)  # well conditioned for inv and det
    return values


def _spellings(spec) -> list[str]:
    return [*spec.spellings, *(f"\\{word}" for word in spec.latex)]


CASES = [(spec.name, spelling) for spec in REGISTRY for spelling in _spellings(spec)]


@pytest.mark.parametrize(("name", "spelling"), CASES)
def test_each_spelling_parses_types_evaluates_prints_and_reparses(name, spelling):
    spec, row = spec_of(name), ROWS[name]
    symbols = parse_declarations(SYMBOLS)
    typed = read(f"{spelling}({row.args})", symbols)
    assert typed.shape == row.shape
    if spec.node == "call":
        assert isinstance(typed.tree, A.Call) and typed.tree.func == name
    for seed in range(3):
        values = _values(seed)
        expected = row.reference(*(values[n] for n in row.names))
        got = evaluate(typed, values, {})
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
        reread = read(pretty(typed.tree, symbols), symbols)
        np.testing.assert_allclose(evaluate(reread, values, {}), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", [spec.name for spec in REGISTRY if spec.sympy is not None])
def test_sympy_lowering_agrees_with_the_evaluator(name):
    import sympy as sp

    from mcalc_tutor.mathlang.to_sympy import to_sympy

    symbols = parse_declarations("s: scalar")
    typed = read(f"{name}(s)", symbols)
    lowered = to_sympy(typed.tree, symbols)
    for value in (0.37, 1.3):
        got = float(lowered.subs(sp.Symbol("s", real=True), value))
        assert got == pytest.approx(ROWS[name].reference(_m(value))[0, 0], rel=1e-12)


@pytest.mark.parametrize("name", [spec.name for spec in REGISTRY if spec.sympy_head is not None])
def test_generators_print_the_sympy_head_back_as_the_function(name):
    import sympy as sp

    from mcalc_tutor.content.generators import to_text

    spec = spec_of(name)
    text = to_text(getattr(sp, spec.sympy_head)(sp.Symbol("s", real=True)))
    symbols = parse_declarations("s: scalar")
    typed = read(text, symbols)
    assert evaluate(typed, {"s": _m(0.7)}, {})[0, 0] == pytest.approx(ROWS[name].reference(_m(0.7))[0, 0])


DERIVATIVE_CASES = [(spec.name, spelling) for spec in REGISTRY if spec.derivative is not None
                    for spelling in spec.spellings]


@pytest.mark.parametrize(("name", "spelling"), DERIVATIVE_CASES)
def test_a_declared_derivative_reads_as_the_derivative(name, spelling):
    symbols = parse_declarations(SYMBOLS)
    typed = read(f"{spelling}'(u)", symbols)
    assert isinstance(typed.tree, A.Call) and typed.tree.order == 1
    assert typed.shape == (3, 1)
    values = _values(5)
    h = 1e-6
    ref = ROWS[name].reference
    u = values["u"]
    numeric = (ref(u + h) - ref(u - h)) / (2 * h)
    np.testing.assert_allclose(evaluate(typed, values, {}), numeric, rtol=1e-6, atol=1e-7)
    assert "'" in pretty(typed.tree, symbols)
    reread = read(pretty(typed.tree, symbols), symbols)
    np.testing.assert_allclose(evaluate(reread, values, {}), numeric, rtol=1e-6, atol=1e-7)


def test_a_declared_domain_is_enforced():
    symbols = parse_declarations("s: scalar")
    for spec in REGISTRY:
        if spec.domain is None:
            continue
        typed = read(f"{spec.name}(s)", symbols)
        with pytest.raises(DomainError):
            evaluate(typed, {"s": _m(-1.0)}, {})


def test_a_function_without_a_derivative_refuses_the_prime():
    from mcalc_tutor.mathlang import ParseError

    symbols = parse_declarations(SYMBOLS)
    for spec in REGISTRY:
        if spec.derivative is None and spec.node == "call" and spec.arity == 1:
            with pytest.raises(ParseError):
                read(f"{spec.name}'(u)", symbols)


FORWARD_CASES = [spec.name for spec in REGISTRY
                 if spec.node == "call" and spec.tangent([np.ones((1, 1))] * spec.arity,
                                                         [np.ones((1, 1))] * spec.arity) is not None]


def test_every_call_with_a_derivative_has_a_forward_rule():
    assert {spec.name for spec in REGISTRY if spec.derivative is not None} <= set(FORWARD_CASES)


@pytest.mark.parametrize("name", FORWARD_CASES)
def test_forward_mode_rule_agrees_with_a_finite_difference(name):
    from mcalc_tutor.mathlang.differentials import parse_differentials

    row = ROWS[name]
    symbols = parse_differentials("u: du, v: dv, M: dM", parse_declarations(SYMBOLS))
    typed = read(f"d({name}({row.args}))", symbols)
    assert typed.shape == row.shape
    rng = np.random.default_rng(11)
    for seed in range(3):
        values = _values(seed)
        for key in ("u", "v", "M"):
            values["d" + key] = rng.standard_normal(values[key].shape)
        h = 1e-6

        def at(t, values=values):
            return row.reference(*(values[n] + t * values["d" + n] for n in row.names))

        numeric = (at(h) - at(-h)) / (2 * h)
        np.testing.assert_allclose(evaluate(typed, values, {}), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", [spec.name for spec in REGISTRY if spec.node == "call" and spec.arity == 1])
def test_the_symbolic_check_confirms_exactly_the_functions_marked_cheap(name):
    from mcalc_tutor.checking.equivalence import check_answer

    symbols = parse_declarations("p: scalar positive")
    verdict = check_answer(f"{name}(p) + p", f"p + {name}(p)", symbols)
    assert verdict.status == "correct"
    assert (verdict.method == "numeric+symbolic") == spec_of(name).symbolic
