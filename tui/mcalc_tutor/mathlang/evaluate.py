"""Our own numpy evaluator for parsed answers: no eval, no lambdify, no generated code.

Every value is a 2-D float array (scalars are 1×1). Anything undefined at the sampled point
(a log of a negative, a singular inverse, an overflow) raises DomainError so the checker can
draw another sample.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import ast as A
from .functions import spec_of
from .shapes import Typed, Var


class DomainError(ArithmeticError):
    """The expression is undefined (or not finite) at these values."""


ScalarFunction = Callable[[np.ndarray], np.ndarray]


def evaluate(typed: Typed, values: Mapping[str, np.ndarray], sizes: Mapping[str, int],
             functions: Mapping[str, tuple[ScalarFunction, ...]] | None = None) -> np.ndarray:
    """Evaluate `typed` at symbol values (canonical name → array) and sizes (size name → int)."""
    ev = _Evaluator(typed, values, sizes, functions or {})
    with np.errstate(all="ignore"):
        try:
            result = ev.eval(typed.tree)
        except (np.linalg.LinAlgError, OverflowError, ZeroDivisionError, ValueError, FloatingPointError) as exc:
            raise DomainError(str(exc)) from None
    if not np.all(np.isfinite(result)):
        raise DomainError("not finite")
    return result


_DOMAINS = {
    "positive": (lambda x: bool(np.all(x > 0)), "of a non-positive number"),
    "nonnegative": (lambda x: bool(np.all(x >= 0)), "of a negative number"),
}


class _Evaluator:
    def __init__(self, typed: Typed, values, sizes, functions):
        self.typed = typed
        self.values = values
        self.sizes = sizes
        self.functions = functions

    def size(self, d) -> int:
        d = self.typed.unifier.find(d)
        if isinstance(d, int):
            return d
        if isinstance(d, Var):
            raise DomainError("the size of I cannot be told from context")
        return int(self.sizes[d])

    def eval(self, node: A.Node) -> np.ndarray:
        rule = _RULES.get(type(node))
        if rule is None:
            raise DomainError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover
        return rule(self, node)

    # One method per node type, found by the node's exact type (every AST class derives from Node
    # directly): a dictionary look-up per node instead of a chain of isinstance tests.
    def num(self, node: A.Num) -> np.ndarray:
        return np.array([[float(node.value)]])

    def const(self, node: A.Const) -> np.ndarray:
        return np.array([[math.pi if node.name == "pi" else math.e]])

    def sym(self, node: A.Sym) -> np.ndarray:
        return np.asarray(self.values[node.name], dtype=float)

    def entry(self, node: A.Entry) -> np.ndarray:
        vector = np.asarray(self.values[node.name], dtype=float)
        if node.index > vector.shape[0]:
            raise DomainError(f"{node.name} has no entry {node.index} at this size")
        return vector[node.index - 1:node.index, :1]

    def identity(self, node: A.Identity) -> np.ndarray:
        rows, _ = self.typed.shape_of(node)
        return np.eye(self.size(rows))

    def neg(self, node: A.Neg) -> np.ndarray:
        return -self.eval(node.arg)

    def add(self, node: A.Add) -> np.ndarray:
        return self.eval(node.left) + self.eval(node.right)

    def sub(self, node: A.Sub) -> np.ndarray:
        return self.eval(node.left) - self.eval(node.right)

    def hadamard(self, node: A.Hadamard) -> np.ndarray:
        return self.eval(node.left) * self.eval(node.right)

    def divide(self, node: A.Div | A.HadamardDiv) -> np.ndarray:
        right = self.eval(node.right)
        if np.any(right == 0):
            raise DomainError("division by zero")
        return self.eval(node.left) / right

    def mul(self, node: A.Mul) -> np.ndarray:
        left, right = self.eval(node.left), self.eval(node.right)
        if left.shape == (1, 1) or right.shape == (1, 1):
            return left * right
        if node.dot and left.shape == right.shape and 1 in left.shape:
            return np.array([[float(np.sum(left * right))]])
        return left @ right

    def transpose(self, node: A.Transpose) -> np.ndarray:
        return self.eval(node.arg).T

    def inverse_of(self, node: A.Inverse) -> np.ndarray:
        return self.inverse(self.eval(node.arg))

    def apply(self, node: A.Apply) -> np.ndarray:
        funcs = self.functions.get(node.func)
        if funcs is None or node.order >= len(funcs):
            raise DomainError(f"no instance for function {node.func}")
        return funcs[node.order](self.eval(node.arg))

    def differential(self, node: A.Differential) -> np.ndarray:
        from .forward import differential

        return differential(self, node)

    def matrix(self, node: A.Matrix) -> np.ndarray:
        return np.array([[self.eval(e)[0, 0] for e in row] for row in node.rows], dtype=float)

    @staticmethod
    def inverse(m: np.ndarray) -> np.ndarray:
        if m.shape == (1, 1):
            if m[0, 0] == 0:
                raise DomainError("division by zero")
            return 1.0 / m
        if np.linalg.cond(m) > 1e12:
            raise DomainError("singular matrix")
        return np.linalg.inv(m)

    def power(self, node: A.Pow) -> np.ndarray:
        return self.power_of(self.eval(node.base), self.eval(node.exp))

    def power_of(self, base: np.ndarray, exponent: np.ndarray) -> np.ndarray:
        if exponent.shape != (1, 1):  # e^x with a vector x
            return np.exp(exponent)
        exp = exponent[0, 0]
        if base.shape[0] == 1 or base.shape[1] == 1:
            if abs(exp) > 1e3:
                raise DomainError("exponent too large")
            if np.any(base == 0) and exp < 0:
                raise DomainError("division by zero")
            return np.power(base, exp)
        k = int(round(exp))
        if k < 0:
            base, k = self.inverse(base), -k
        return np.linalg.matrix_power(base, k)

    def call(self, node: A.Call) -> np.ndarray:
        return self.apply_call(node, [self.eval(a) for a in node.args])

    def apply_call(self, node: A.Call, args: list[np.ndarray]) -> np.ndarray:
        """The registry function of `node` at argument values (its derivative when order is 1)."""
        spec = spec_of(node.func)
        if spec.domain is not None:
            inside, outside = _DOMAINS[spec.domain]
            if not inside(args[0]):
                raise DomainError(f"{spec.name} {outside}")
        implementation = spec.derivative if node.order else spec.numpy
        if implementation is None:
            raise DomainError(f"cannot evaluate {spec.name}")  # pragma: no cover
        return np.asarray(implementation(*args), dtype=float)

    def norm(self, node: A.Norm) -> np.ndarray:
        return norm_value(self.eval(node.arg), node.p)


def norm_value(x: np.ndarray, p: str) -> np.ndarray:
    """‖x‖ₚ as a 1×1 array: p is "" (2-norm of a vector, Frobenius of a matrix), 1, 2, inf, F, * or an integer."""
    is_vector = x.shape[0] == 1 or x.shape[1] == 1
    order: Any
    if is_vector:
        v = x.ravel()
        order = {"": 2, "2": 2, "1": 1, "inf": np.inf}.get(p)
        value = np.linalg.norm(v, order if order is not None else int(p))
    else:
        order = {"": "fro", "F": "fro", "2": 2, "1": 1, "inf": np.inf, "*": "nuc"}.get(p)
        if order is None:
            raise DomainError(f"the {p}-norm of a matrix is not supported")
        value = np.linalg.norm(x, order)
    return np.array([[value]])


_RULES: dict[type, Callable[[_Evaluator, Any], np.ndarray]] = {
    A.Num: _Evaluator.num, A.Const: _Evaluator.const, A.Sym: _Evaluator.sym, A.Entry: _Evaluator.entry,
    A.Identity: _Evaluator.identity, A.Neg: _Evaluator.neg, A.Add: _Evaluator.add, A.Sub: _Evaluator.sub,
    A.Hadamard: _Evaluator.hadamard, A.HadamardDiv: _Evaluator.divide, A.Mul: _Evaluator.mul,
    A.Div: _Evaluator.divide, A.Pow: _Evaluator.power, A.Transpose: _Evaluator.transpose,
    A.Inverse: _Evaluator.inverse_of, A.Call: _Evaluator.call, A.Apply: _Evaluator.apply,
    A.Norm: _Evaluator.norm, A.Differential: _Evaluator.differential, A.Matrix: _Evaluator.matrix,
}
