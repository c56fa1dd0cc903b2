"""Evaluating a parsed expression at many sampled instances at once: a leading batch axis.

The checker evaluates every answer at a handful of instances, two per size assignment. Instances
of one size assignment have the same shapes, so their values stack into (k, rows, cols) arrays and
one walk computes them all: numpy's element-wise functions, matmul, inv and det broadcast over
the stack. The tree is compiled once into closures (no per-node dispatch), and each group is one
call of the compiled closure.

Same values as evaluate.evaluate, instance by instance: whatever could differ is not batched. An
operation numpy cannot stack the same way (softmax, norms, powers, declared functions, …) runs on
each slice with the per-instance code; a value the per-instance evaluator would refuse anywhere in
the stack (a division by zero, a log of a negative, a singular inverse) or any error at all sends
the group back to evaluate.evaluate, one instance at a time. tests/test_batched_evaluate.py checks
the two bit for bit. Nothing here reads text: it walks our own tree.
"""
from __future__ import annotations

import math
import os
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, Protocol

import numpy as np

from . import ast as A
from .functions import spec_of
from .shapes import Typed, Var

OLD_PATH_ENV = "MCALC_TUTOR_OLD_PATH"


def old_path() -> bool:
    """MCALC_TUTOR_OLD_PATH=1: the code path before the speed work (one tree walk per instance,
    symbolic confirmation in batches, one pickled result per submission). Only the grading bench
    and tests/test_grading_identity.py set it, to prove both paths give the same bytes."""
    return os.environ.get(OLD_PATH_ENV, "") not in ("", "0")


class Point(Protocol):
    """What an instance gives the evaluator (checking.sampling.Instance)."""

    values: dict[str, np.ndarray]
    sizes: dict[str, int]
    functions: dict[str, tuple]


class _Unbatchable(Exception):
    """This expression (or this group) is evaluated one instance at a time."""


class _Env:
    """One group of instances: each symbol's values stacked (on first use), the shared sizes, and
    each instance's functions."""

    __slots__ = ("points", "sizes", "functions", "k", "stacks")

    def __init__(self, points: Sequence[Point]):
        self.points = points
        self.k = len(points)
        self.sizes = points[0].sizes
        self.functions = [p.functions for p in points]
        self.stacks: dict[str, np.ndarray] = {}

    def stack(self, name: str) -> np.ndarray:
        found = self.stacks.get(name)
        if found is None:
            found = self.stacks[name] = np.stack([np.asarray(p.values[name], dtype=float) for p in self.points])
        return found


Stack = np.ndarray
"""(k, rows, cols), or (1, rows, cols) for a value that is the same at every instance."""
Run = Callable[[_Env], Stack]

_CACHE_SIZE = 256
_groups: dict[int, tuple[tuple[Point, ...], list[tuple[list[int], _Env]]]] = {}
"""Instance lists seen lately (a reference's, evaluated for every answer checked against it) ->
their size groups, with the values stacked as they are used."""
_compiled: dict[int, tuple[weakref.ref, Run | None]] = {}
"""Expressions compiled lately (a listed mistake is evaluated at several instance sets)."""


def evaluate_many(typed: Typed, points: Sequence[Point]) -> list[np.ndarray | None]:
    """evaluate.evaluate at each point, None where it raises DomainError (as checking's evaluate_all)."""
    from .evaluate import DomainError, evaluate

    def one(p: Point) -> np.ndarray | None:
        try:
            return evaluate(typed, p.values, p.sizes, p.functions)
        except DomainError:
            return None

    out: list[np.ndarray | None] = [None] * len(points)
    groups = _size_groups(points)
    run = _compile_cached(typed) if any(len(members) > 1 for members, _ in groups) else None
    with np.errstate(all="ignore"):
        for members, env in groups:
            values = None
            if run is not None and len(members) > 1:
                try:
                    values = _finish(run(env), env.k)
                except Exception:  # noqa: BLE001 - anything at all: the per-instance path decides, as before
                    values = None
            if values is None:
                for i in members:
                    out[i] = one(points[i])
            else:
                for i, value in zip(members, values, strict=True):
                    out[i] = value
    return out


def _size_groups(points: Sequence[Point]) -> list[tuple[list[int], _Env]]:
    key = id(points)
    found = _groups.get(key)
    if found is not None and len(found[0]) == len(points) and all(a is b for a, b in zip(found[0], points, strict=True)):
        return found[1]
    by_sizes: dict[tuple, list[int]] = {}
    for i, p in enumerate(points):
        by_sizes.setdefault(tuple(sorted(p.sizes.items())), []).append(i)
    groups = [(members, _Env([points[i] for i in members])) for members in by_sizes.values()]
    if len(_groups) >= _CACHE_SIZE:
        _groups.pop(next(iter(_groups)))
    _groups[key] = (tuple(points), groups)
    return groups


def _compile_cached(typed: Typed) -> Run | None:
    found = _compiled.get(id(typed))
    if found is not None and found[0]() is typed:
        return found[1]
    try:
        run: Run | None = compile_stack(typed)
    except _Unbatchable:
        run = None
    if len(_compiled) >= _CACHE_SIZE:
        _compiled.pop(next(iter(_compiled)))
    _compiled[id(typed)] = (weakref.ref(typed), run)
    return run


def _finish(result: Stack, k: int) -> list[np.ndarray | None]:
    """Each slice, None where it is not finite (evaluate's last check)."""
    if result.shape[0] != k:
        result = np.repeat(result, k, axis=0)
    finite = np.isfinite(result).reshape(k, -1).all(axis=1)
    return [result[i] if finite[i] else None for i in range(k)]


def compile_stack(typed: Typed) -> Run:
    """The expression as a tree of closures over stacks; raises _Unbatchable for what has no rule."""
    return _Compiler(typed).node(typed.tree)


def _at(a: Stack, i: int) -> np.ndarray:
    """Slice i of a stack (its only slice when the value is the same everywhere)."""
    return a[i] if a.shape[0] > 1 else a[0]


def _each(env: _Env, f: Callable[..., np.ndarray], *stacks: Stack) -> Stack:
    """f, the per-instance code, on each slice: for what numpy would stack differently."""
    return np.stack([np.asarray(f(*(_at(s, i) for s in stacks)), dtype=float) for i in range(env.k)])


def _refuse(message: str) -> NoReturn:
    from .evaluate import DomainError

    raise DomainError(message)


class _Compiler:
    def __init__(self, typed: Typed):
        self.typed = typed
        self.rules: dict[type, Callable[[Any], Run]] = {
            A.Num: self.num, A.Const: self.const, A.Sym: self.sym, A.Entry: self.entry, A.Identity: self.identity,
            A.Neg: self.neg, A.Add: self.add, A.Sub: self.sub, A.Hadamard: self.hadamard, A.Div: self.divide,
            A.HadamardDiv: self.divide, A.Mul: self.mul, A.Transpose: self.transpose, A.Inverse: self.inverse,
            A.Pow: self.power, A.Call: self.call, A.Apply: self.apply, A.Norm: self.norm, A.Matrix: self.matrix,
        }

    def node(self, node: A.Node) -> Run:
        rule = self.rules.get(type(node))
        if rule is None:  # d(expr): forward mode stays per instance
            raise _Unbatchable(type(node).__name__)
        return rule(node)

    # -- leaves -----------------------------------------------------------------------------------
    def num(self, node: A.Num) -> Run:
        value = np.array([[[float(node.value)]]])
        return lambda env: value

    def const(self, node: A.Const) -> Run:
        value = np.array([[[math.pi if node.name == "pi" else math.e]]])
        return lambda env: value

    def sym(self, node: A.Sym) -> Run:
        name = node.name
        return lambda env: env.stack(name)

    def entry(self, node: A.Entry) -> Run:
        name, index = node.name, node.index

        def run(env: _Env) -> Stack:
            vector = env.stack(name)
            if index > vector.shape[1]:
                _refuse(f"{name} has no entry {index} at this size")
            return vector[:, index - 1:index, :1]
        return run

    def identity(self, node: A.Identity) -> Run:
        rows = self.typed.unifier.find(self.typed.shape_of(node)[0])
        if isinstance(rows, Var):
            raise _Unbatchable("the size of I cannot be told from context")

        def run(env: _Env) -> Stack:
            return np.eye(rows if isinstance(rows, int) else int(env.sizes[rows]))[None]
        return run

    # -- arithmetic -------------------------------------------------------------------------------
    def neg(self, node: A.Neg) -> Run:
        arg = self.node(node.arg)
        return lambda env: -arg(env)

    def add(self, node: A.Add) -> Run:
        left, right = self.node(node.left), self.node(node.right)
        return lambda env: left(env) + right(env)

    def sub(self, node: A.Sub) -> Run:
        left, right = self.node(node.left), self.node(node.right)
        return lambda env: left(env) - right(env)

    def hadamard(self, node: A.Hadamard) -> Run:
        left, right = self.node(node.left), self.node(node.right)
        return lambda env: left(env) * right(env)

    def divide(self, node: A.Div | A.HadamardDiv) -> Run:
        left, right = self.node(node.left), self.node(node.right)

        def run(env: _Env) -> Stack:
            r = right(env)
            if np.any(r == 0):
                _refuse("division by zero")
            return left(env) / r
        return run

    def mul(self, node: A.Mul) -> Run:
        left, right, dot = self.node(node.left), self.node(node.right), node.dot

        def run(env: _Env) -> Stack:
            a, b = left(env), right(env)
            if a.shape[1:] == (1, 1) or b.shape[1:] == (1, 1):
                return a * b
            if dot and a.shape[1:] == b.shape[1:] and 1 in a.shape[1:]:
                products = a * b
                return np.array([[[float(np.sum(p))]] for p in products])
            return a @ b  # a constant (1, r, c) operand broadcasts over the stack
        return run

    def transpose(self, node: A.Transpose) -> Run:
        arg = self.node(node.arg)
        return lambda env: np.swapaxes(arg(env), 1, 2)

    def inverse(self, node: A.Inverse) -> Run:
        arg = self.node(node.arg)
        return lambda env: _inverse(arg(env))

    def power(self, node: A.Pow) -> Run:
        from .evaluate import _Evaluator

        base, exponent = self.node(node.base), self.node(node.exp)
        if isinstance(node.exp, A.Num):  # a constant exponent, as nearly always: the same for every slice
            return self.constant_power(base, np.array([[float(node.exp.value)]])[0, 0])
        power_of = _Evaluator(self.typed, {}, {}, {}).power_of  # per slice: the exponent may differ

        def run(env: _Env) -> Stack:
            return _each(env, power_of, base(env), exponent(env))
        return run

    def constant_power(self, base: Run, exp: np.float64) -> Run:
        """evaluate._Evaluator.power_of with a constant exponent, over the stack."""
        def run(env: _Env) -> Stack:
            b = base(env)
            if b.shape[1] == 1 or b.shape[2] == 1:
                if abs(exp) > 1e3:
                    _refuse("exponent too large")
                if np.any(b == 0) and exp < 0:
                    _refuse("division by zero")
                return np.power(b, exp)
            k = int(round(exp))
            if k < 0:
                b, k = _inverse(b), -k
            return np.linalg.matrix_power(b, k)
        return run

    # -- functions --------------------------------------------------------------------------------
    def call(self, node: A.Call) -> Run:
        from .evaluate import _DOMAINS

        spec = spec_of(node.func)
        args = [self.node(a) for a in node.args]
        implementation = spec.derivative if node.order else spec.numpy
        if implementation is None:
            raise _Unbatchable(spec.name)
        inside = _DOMAINS[spec.domain] if spec.domain is not None else None
        stacks_alike = spec.shape in ("elementwise", "pair")

        def run(env: _Env) -> Stack:
            values = [a(env) for a in args]
            if inside is not None and not inside[0](values[0]):
                _refuse(f"{spec.name} {inside[1]}")
            if stacks_alike:
                return np.asarray(implementation(*values), dtype=float)
            return _each(env, implementation, *values)
        return run

    def apply(self, node: A.Apply) -> Run:
        arg, func, order = self.node(node.arg), node.func, node.order

        def run(env: _Env) -> Stack:
            x = arg(env)
            out = []
            for i in range(env.k):
                funcs = env.functions[i].get(func)
                if funcs is None or order >= len(funcs):
                    _refuse(f"no instance for function {func}")
                out.append(np.asarray(funcs[order](_at(x, i)), dtype=np.float64))
            return np.stack(out)
        return run

    def norm(self, node: A.Norm) -> Run:
        from .evaluate import norm_value

        arg, p = self.node(node.arg), node.p
        return lambda env: _each(env, lambda x: norm_value(x, p), arg(env))

    def matrix(self, node: A.Matrix) -> Run:
        cells = [[self.node(e) for e in row] for row in node.rows]

        def run(env: _Env) -> Stack:
            out = np.empty((env.k, len(cells), len(cells[0]) if cells else 0))
            for i, row in enumerate(cells):
                for j, cell in enumerate(row):
                    out[:, i, j] = cell(env)[:, 0, 0]
            return out
        return run


def _inverse(m: Stack) -> Stack:
    """evaluate._Evaluator.inverse on every slice: refused if any slice would be."""
    if m.shape[1:] == (1, 1):
        if np.any(m == 0):
            _refuse("division by zero")
        return 1.0 / m
    if np.any(np.linalg.cond(m) > 1e12):
        _refuse("singular matrix")
    return np.linalg.inv(m)

