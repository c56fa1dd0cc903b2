"""Forward mode for d(expr): dual numbers over numpy, in our own evaluator.

Every node gets a pair (value, tangent): the tangent is the exact directional derivative of the
value when each declared variable x moves along its direction dx (the sampled value of the
symbol dx). No finite differences anywhere: d(X⁻¹) = −X⁻¹ dX X⁻¹, d det X = det X · tr(X⁻¹dX),
and element-wise functions take f' from the function registry.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from . import ast as A
from .functions import spec_of

if TYPE_CHECKING:
    from .evaluate import _Evaluator

Pair = tuple[np.ndarray, np.ndarray]  # (value, tangent), the tangent of the value's shape


def differential(ev: _Evaluator, node: A.Differential) -> np.ndarray:
    """The value of d(expr) at the evaluator's point: the tangent of expr."""
    return _Forward(ev, dict(node.directions), dict(node.definitions)).pair(node.arg)[1]


def _fit(tangent: np.ndarray, value: np.ndarray) -> np.ndarray:
    """The tangent broadcast to the value's shape (a scalar's tangent added to a vector's)."""
    return tangent if tangent.shape == value.shape else np.broadcast_to(tangent, value.shape).copy()


class _Forward:
    def __init__(self, ev: _Evaluator, directions: dict[str, str], definitions: dict[str, A.Node]):
        self.ev = ev
        self.directions = directions
        self.definitions = definitions
        self.defined_tangents: dict[str, np.ndarray] = {}
        self.rules: dict[type, Callable[..., Pair]] = {
            A.Sym: self.symbol, A.Entry: self.entry, A.Neg: self.neg, A.Add: self.add, A.Sub: self.sub,
            A.Mul: self.mul, A.Hadamard: self.hadamard, A.HadamardDiv: self.divide, A.Div: self.divide,
            A.Pow: self.power, A.Transpose: self.transpose, A.Inverse: self.inverse, A.Call: self.call,
            A.Apply: self.apply, A.Norm: self.norm, A.Matrix: self.matrix,
        }

    def pair(self, node: A.Node) -> Pair:
        from .evaluate import DomainError

        rule = self.rules.get(type(node))
        if rule is not None:
            return rule(node)
        if isinstance(node, (A.Num, A.Const, A.Identity)):
            value = self.ev.eval(node)
            return value, np.zeros_like(value)
        raise DomainError(f"no forward-mode rule for {type(node).__name__}")  # pragma: no cover

    # -- leaves ---------------------------------------------------------------------------------
    def direction(self, name: str) -> np.ndarray | None:
        key = self.directions.get(name)
        return None if key is None else np.asarray(self.ev.values[key], dtype=float)

    def symbol(self, node: A.Sym) -> Pair:
        value = self.ev.eval(node)
        if node.name in self.definitions:  # z = W x + b: z moves as its definition does
            if node.name not in self.defined_tangents:
                self.defined_tangents[node.name] = self.pair(self.definitions[node.name])[1]
            return value, self.defined_tangents[node.name]
        direction = self.direction(node.name)
        return value, np.zeros_like(value) if direction is None else direction

    def entry(self, node: A.Entry) -> Pair:
        value = self.ev.eval(node)
        direction = self.direction(node.name)
        if direction is None:
            return value, np.zeros_like(value)
        return value, direction[node.index - 1:node.index, :1]

    # -- arithmetic ------------------------------------------------------------------------------
    def neg(self, node: A.Neg) -> Pair:
        value, tangent = self.pair(node.arg)
        return -value, -tangent

    def add(self, node: A.Add) -> Pair:
        (a, da), (b, db) = self.pair(node.left), self.pair(node.right)
        value = a + b
        return value, _fit(da + db, value)

    def sub(self, node: A.Sub) -> Pair:
        (a, da), (b, db) = self.pair(node.left), self.pair(node.right)
        value = a - b
        return value, _fit(da - db, value)

    def mul(self, node: A.Mul) -> Pair:
        (a, da), (b, db) = self.pair(node.left), self.pair(node.right)
        if a.shape == (1, 1) or b.shape == (1, 1):
            value = a * b
            return value, _fit(da * b + a * db, value)
        if node.dot and a.shape == b.shape and 1 in a.shape:
            return np.array([[float(np.sum(a * b))]]), np.array([[float(np.sum(da * b + a * db))]])
        return a @ b, da @ b + a @ db

    def hadamard(self, node: A.Hadamard) -> Pair:
        (a, da), (b, db) = self.pair(node.left), self.pair(node.right)
        value = a * b
        return value, _fit(da * b + a * db, value)

    def divide(self, node: A.Div | A.HadamardDiv) -> Pair:
        from .evaluate import DomainError

        (a, da), (b, db) = self.pair(node.left), self.pair(node.right)
        if np.any(b == 0):
            raise DomainError("division by zero")
        value = a / b
        return value, _fit(da / b - value * db / b, value)

    def power(self, node: A.Pow) -> Pair:
        from .evaluate import DomainError

        (base, dbase), (exponent, dexp) = self.pair(node.base), self.pair(node.exp)
        if exponent.shape != (1, 1):  # e^x with a vector x
            value = np.exp(exponent)
            return value, value * dexp
        p = exponent[0, 0]
        if base.shape[0] == 1 or base.shape[1] == 1:
            value = self.ev.power_of(base, exponent)
            tangent = p * np.power(base, p - 1) * dbase if np.any(dbase) else np.zeros_like(value)
            if np.any(dexp):
                if np.any(base <= 0):
                    raise DomainError("a variable exponent needs a positive base")
                tangent = tangent + value * np.log(base) * dexp
            return value, _fit(tangent, value)
        return self.matrix_power(base, dbase, int(round(p)))

    def matrix_power(self, base: np.ndarray, dbase: np.ndarray, k: int) -> Pair:
        """d(Mᵏ) = Σᵢ Mⁱ dM Mᵏ⁻¹⁻ⁱ; a negative power is a power of the inverse."""
        if k < 0:
            base, dbase = self.inverse_pair(base, dbase)
            k = -k
        powers = [np.eye(base.shape[0])]
        for _ in range(k):
            powers.append(powers[-1] @ base)
        tangent = np.zeros_like(base)
        for i in range(k):
            tangent = tangent + powers[i] @ dbase @ powers[k - 1 - i]
        return powers[k], tangent

    def transpose(self, node: A.Transpose) -> Pair:
        value, tangent = self.pair(node.arg)
        return value.T, tangent.T

    def inverse(self, node: A.Inverse) -> Pair:
        return self.inverse_pair(*self.pair(node.arg))

    def inverse_pair(self, m: np.ndarray, dm: np.ndarray) -> Pair:
        """d(X⁻¹) = −X⁻¹ dX X⁻¹ (and d(1/x) = −dx/x² for a scalar)."""
        value = self.ev.inverse(m)
        return value, -value @ dm @ value

    # -- functions -------------------------------------------------------------------------------
    def call(self, node: A.Call) -> Pair:
        from .evaluate import DomainError

        pairs = [self.pair(arg) for arg in node.args]
        value = self.ev.apply_call(node, [v for v, _ in pairs])
        tangents = [t for _, t in pairs]
        if not any(np.any(t) for t in tangents):
            return value, np.zeros_like(value)
        spec = spec_of(node.func)
        tangent = None if node.order else spec.tangent([v for v, _ in pairs], tangents)
        if tangent is None:
            shown = spec.shown + "'" * node.order
            raise DomainError(f"no forward-mode rule for {shown}")
        return value, _fit(np.asarray(tangent, dtype=float), value)

    def apply(self, node: A.Apply) -> Pair:
        from .evaluate import DomainError

        u, du = self.pair(node.arg)
        funcs = self.ev.functions.get(node.func)
        if funcs is None or node.order + 1 >= len(funcs):
            raise DomainError(f"no derivative of order {node.order + 1} for function {node.func}")
        return funcs[node.order](u), funcs[node.order + 1](u) * du

    def norm(self, node: A.Norm) -> Pair:
        from .evaluate import DomainError, norm_value

        x, dx = self.pair(node.arg)
        value = norm_value(x, node.p)
        if not np.any(dx):
            return value, np.zeros_like(value)
        if value[0, 0] == 0:
            raise DomainError("a norm is not differentiable at zero")
        if x.shape[0] == 1 or x.shape[1] == 1:
            return value, np.array([[_vector_norm_tangent(x.ravel(), dx.ravel(), node.p, value[0, 0])]])
        return value, np.array([[_matrix_norm_tangent(x, dx, node.p, value[0, 0])]])

    def matrix(self, node: A.Matrix) -> Pair:
        pairs = [[self.pair(e) for e in row] for row in node.rows]
        value = np.array([[v[0, 0] for v, _ in row] for row in pairs], dtype=float)
        tangent = np.array([[t[0, 0] for _, t in row] for row in pairs], dtype=float)
        return value, tangent


def _vector_norm_tangent(v: np.ndarray, dv: np.ndarray, p: str, norm: float) -> float:
    if p in ("", "2"):
        return float(v @ dv) / norm
    if p == "1":
        return float(np.sign(v) @ dv)
    if p == "inf":
        k = int(np.argmax(np.abs(v)))
        return float(np.sign(v[k]) * dv[k])
    q = int(p)
    return float(norm ** (1 - q) * np.sum(np.abs(v) ** (q - 1) * np.sign(v) * dv))


def _matrix_norm_tangent(x: np.ndarray, dx: np.ndarray, p: str, norm: float) -> float:
    if p in ("", "F"):
        return float(np.sum(x * dx)) / norm
    if p in ("2", "*"):
        u, _, vt = np.linalg.svd(x, full_matrices=False)
        if p == "2":
            return float(u[:, 0] @ dx @ vt[0])
        return float(np.trace(u.T @ dx @ vt.T))
    axis = 0 if p == "1" else 1  # the largest column sum (1-norm) or row sum (∞-norm)
    k = int(np.argmax(np.abs(x).sum(axis=axis)))
    if axis == 0:
        return float(np.sign(x[:, k]) @ dx[:, k])
    return float(np.sign(x[k]) @ dx[k])
