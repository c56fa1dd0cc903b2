"""The batched evaluator (mathlang/batched.py) against the per-instance one (mathlang/evaluate.py):
the same value, bit for bit, or the same None (undefined), at every instance: shapes, broadcasting
of constants over a stack, inverse/det/trace/transpose, element-wise functions, norms, powers,
declared functions, matrix literals, domain errors in one slice only, overflow and NaN."""
from __future__ import annotations

import numpy as np
import pytest

from equivalence_cases import CASES
from mcalc_tutor.checking.reference import reference
from mcalc_tutor.checking.sampling import Instance, sample_instance, size_assignments
from mcalc_tutor.mathlang import MathError, evaluate, parse_declarations, read
from mcalc_tutor.mathlang import batched as B
from mcalc_tutor.mathlang.evaluate import DomainError


def _one_by_one(typed, instances) -> list[np.ndarray | None]:
    out = []
    for inst in instances:
        try:
            out.append(evaluate.evaluate(typed, inst.values, inst.sizes, inst.functions))
        except DomainError:
            out.append(None)
    return out


def _same(got, want) -> bool:
    return len(got) == len(want) and all(
        (g is None and w is None) or (g is not None and w is not None and g.shape == w.shape
                                      and g.tobytes() == np.ascontiguousarray(w).tobytes())
        for g, w in zip(got, want, strict=True))


def _instances(symbols, draws: int = 3, seed: int = 7) -> list[Instance]:
    rng = np.random.default_rng(seed)
    return [sample_instance(symbols, sizes, rng) for sizes in size_assignments(symbols) for _ in range(draws)]


DECLS = "x: n, y: n, z: m, a: scalar, b: scalar positive, A: n×n, S: n×n symmetric, P: n×n positive definite, " \
        "M: n×n invertible, B: m×n, D: n×n diagonal, f: function"

TABLE = [  # (expression, why)
    ("x", "a symbol"), ("3", "a constant broadcast to every instance"), ("pi + e", "constants"),
    ("x + 1", "a constant added to a stack"), ("2 x - y", "scaling and subtraction"), ("-A x", "negation"),
    ("A x", "matrix times vector"), ("x^T A x", "a quadratic form: row times matrix times column"),
    ("x x^T", "an outer product"), ("B A x", "a chain of products, rectangular"), ("x^T y", "inner product"),
    ("x · y", "explicit dot product of two columns"), ("x ⊙ y", "Hadamard product"), ("x ⊘ (y ⊙ y + 1)", "Hadamard quotient"),
    ("A^T", "transpose"), ("(A B^T)^T", "transpose of a product"), ("inv(M)", "inverse"), ("M^{-1} x", "inverse applied"),
    ("M^{-T}", "inverse transpose"), ("det(M)", "determinant"), ("ln det(P)", "log determinant"),
    ("tr(A)", "trace"), ("tr(A^T S A)", "trace of a product"), ("diag(x)", "diag of a vector"), ("diag(A)", "diag of a matrix"),
    ("sin(x) + cos(y)", "element-wise functions"), ("exp(-x ⊙ x)", "exp"), ("tanh(A)", "element-wise on a matrix"),
    ("σ(x)", "sigmoid"), ("relu(x - y)", "relu"), ("relu'(x)", "a derivative from the registry"),
    ("max(x, y) - min(x, y)", "pair functions"), ("softmax(x)", "softmax (per slice)"), ("logsumexp(x)", "logsumexp"),
    ("sum(x)", "sum"), ("abs(a) + sign(a)", "abs and sign"), ("sqrt(b) + ln(b)", "domain functions, inside"),
    ("‖x‖", "2-norm"), ("‖A‖_F", "Frobenius norm"), ("‖x‖_1 + ‖x‖_inf", "1- and ∞-norms"), ("‖A‖_2", "spectral norm"),
    ("x^T x / ‖x‖^2", "a quotient of scalars"), ("a^2 + b^{1/2}", "scalar powers"), ("A^3", "a matrix power"),
    ("M^{-2}", "a negative matrix power"), ("x ⊙ x ⊙ x", "repeated Hadamard"), ("e^x", "e to a vector"),
    ("b^a", "a variable exponent"), ("f(a) + f'(a)", "a declared function and its derivative"),
    ("[[a, b], [1, a b]]", "a matrix literal"), ("[a, 2 b]", "a vector literal"), ("I + A", "identity sized from context"),
    ("x_1 + x_2", "entries"), ("D x", "a diagonal matrix"), ("(A + A^T) x", "a gradient"), ("2 P x - x", "mixed"),
]


@pytest.mark.parametrize("text,why", TABLE, ids=[t for t, _ in TABLE])
def test_the_batched_values_are_the_per_instance_values(text, why):
    symbols = parse_declarations(DECLS)
    typed = read(text, symbols)
    instances = _instances(symbols)
    want = _one_by_one(typed, instances)
    assert any(w is not None for w in want), why
    assert _same(B.evaluate_many(typed, instances), want), why


def _pair(symbols, **values) -> list[Instance]:
    """Two instances of one size assignment that differ in the given symbols (one value per instance)."""
    sizes = size_assignments(symbols)[0]
    rng = np.random.default_rng(3)
    out = []
    for i in range(2):
        inst = sample_instance(symbols, sizes, rng)
        for name, pair in values.items():
            inst.values[name] = np.asarray(pair[i], dtype=float)
        out.append(inst)
    return out


@pytest.mark.parametrize("decls,text,values,defined", [
    ("a: scalar", "ln(a)", {"a": [[[1.5]], [[-1.0]]]}, [True, False]),  # a log of a negative in one slice
    ("a: scalar", "sqrt(a)", {"a": [[[4.0]], [[-4.0]]]}, [True, False]),
    ("a: scalar", "1 / a", {"a": [[[2.0]], [[0.0]]]}, [True, False]),  # division by zero in one slice
    ("A: 2×2", "inv(A)", {"A": [[[2, 0], [0, 1]], [[1, 2], [2, 4]]]}, [True, False]),  # singular in one slice
    ("A: 2×2", "A^{-1}", {"A": [[[1, 2], [2, 4]], [[2, 1], [1, 2]]]}, [False, True]),
    ("a: scalar", "exp(1000 a)", {"a": [[[0.1]], [[2.0]]]}, [True, False]),  # overflow: infinite in one slice
    ("a: scalar", "exp(1000 a) - exp(1000 a)", {"a": [[[0.1]], [[2.0]]]}, [True, False]),  # inf - inf = NaN
    ("a: scalar", "0 * exp(1000 a)", {"a": [[[0.1]], [[2.0]]]}, [True, False]),  # 0 · inf = NaN
    ("x: 2, y: 2", "x ⊘ y", {"x": [[[1], [2]], [[1], [2]]], "y": [[[1], [1]], [[1], [0]]]}, [True, False]),
    ("a: scalar", "a^{-1}", {"a": [[[0.5]], [[0.0]]]}, [True, False]),
])
def test_a_domain_error_in_one_slice_leaves_the_other_defined(decls, text, values, defined):
    symbols = parse_declarations(decls)
    typed = read(text, symbols)
    instances = _pair(symbols, **values)
    want = _one_by_one(typed, instances)
    assert [w is not None for w in want] == defined
    assert _same(B.evaluate_many(typed, instances), want)


def test_a_batchable_expression_is_not_walked_per_instance(monkeypatch):
    """The stack really is one walk: the per-instance evaluator is not called when all is defined."""
    symbols = parse_declarations(DECLS)
    typed = read("x^T inv(M) x + tr(A^T A) + ln det(P) + sum(tanh(B x))", symbols)
    instances = _instances(symbols)
    want = _one_by_one(typed, instances)
    calls = []
    real = evaluate.evaluate
    monkeypatch.setattr(evaluate, "evaluate", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert _same(B.evaluate_many(typed, instances), want)
    assert calls == []
    assert B.compile_stack(typed) is not None


def test_an_expression_without_a_batch_rule_goes_one_instance_at_a_time():
    from mcalc_tutor.mathlang import parse_differentials

    symbols = parse_differentials("x: dx", parse_declarations("x: n, A: n×n"))
    typed = read("d(x^T A x)", symbols)
    with pytest.raises(B._Unbatchable):
        B.compile_stack(typed)
    instances = _instances(symbols)
    assert _same(B.evaluate_many(typed, instances), _one_by_one(typed, instances))


def test_instances_of_different_sizes_stack_separately_and_keep_their_order():
    symbols = parse_declarations("x: n, A: n×n")
    typed = read("A x", symbols)
    instances = _instances(symbols, draws=2)
    instances = instances[::2] + instances[1::2]  # interleave the size groups
    got = B.evaluate_many(typed, instances)
    assert [g.shape for g in got] == [(i.sizes["n"], 1) for i in instances]
    assert _same(got, _one_by_one(typed, instances))


def test_every_answer_of_the_equivalence_table_at_its_reference_instances():
    """The whole case table: each answer (and its expected answer) at the instances it is judged on."""
    checked = 0
    for case in CASES:
        symbols = parse_declarations(case.symbols)
        try:
            ref = reference(case.expected, symbols)
            typed = read(case.answer, symbols)
        except (MathError, ValueError):
            continue
        for t in (ref.typed, typed):
            assert _same(B.evaluate_many(t, ref.instances), _one_by_one(t, ref.instances)), case.id
        checked += 1
    assert checked > 100
