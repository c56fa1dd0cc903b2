"""Lowering of parsed answers to sympy, for scalar expressions only (symbolic confirmation and
the derivative generators of the exercise bank). Built node by node: never sympify on text.
"""
from __future__ import annotations

from fractions import Fraction

from . import ast as A
from .functions import BY_NAME
from .symbols import SymbolTable


class NotLowerable(ValueError):
    """The expression has matrix parts or functions sympy cannot take from us safely."""


def to_sympy(node: A.Node, symbols: SymbolTable):
    import sympy as sp

    cache: dict[str, object] = {}

    def sym(name: str):
        if name not in cache:
            decl = symbols.get(name)
            if decl is None or not decl.is_scalar:
                raise NotLowerable(name)
            cache[name] = sp.Symbol(name, real=True, positive=True if decl.has("positive") else None)
        return cache[name]

    def call(n: A.Call):
        spec = BY_NAME[n.func]
        if spec.sympy is None or len(n.args) != 1:
            raise NotLowerable(n.func)
        arg = go(n.args[0])
        if not n.order:
            return spec.sympy(sp, arg)
        t = sp.Dummy("t", real=True)
        return sp.diff(spec.sympy(sp, t), t).subs(t, arg)

    def go(n: A.Node):
        if isinstance(n, A.Num):
            v = Fraction(n.value)
            return sp.Rational(v.numerator, v.denominator)
        if isinstance(n, A.Const):
            return sp.pi if n.name == "pi" else sp.E
        if isinstance(n, A.Sym):
            return sym(n.name)
        if isinstance(n, A.Neg):
            return -go(n.arg)
        if isinstance(n, A.Add):
            return go(n.left) + go(n.right)
        if isinstance(n, A.Sub):
            return go(n.left) - go(n.right)
        if isinstance(n, (A.Mul, A.Hadamard)):
            return go(n.left) * go(n.right)
        if isinstance(n, (A.Div, A.HadamardDiv)):
            return go(n.left) / go(n.right)
        if isinstance(n, A.Pow):
            return go(n.base) ** go(n.exp)
        if isinstance(n, A.Transpose):
            return go(n.arg)
        if isinstance(n, A.Inverse):
            return 1 / go(n.arg)
        if isinstance(n, A.Call):
            return call(n)
        if isinstance(n, A.Norm) and n.p == "abs":
            return sp.Abs(go(n.arg))
        raise NotLowerable(type(n).__name__)

    if isinstance(node, A.Matrix):
        return sp.Matrix([[go(e) for e in row] for row in node.rows])
    return go(node)
