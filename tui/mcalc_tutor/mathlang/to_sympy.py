"""Lowering of parsed answers to sympy, for scalar expressions only (symbolic confirmation and
the derivative generators of the exercise bank). Built node by node: never sympify on text.
"""
from __future__ import annotations

from fractions import Fraction

from . import ast as A
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

    funcs = {"sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "log": sp.log,
             "sqrt": sp.sqrt, "abs": sp.Abs, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
             "sigma": lambda t: 1 / (1 + sp.exp(-t)), "sign": sp.sign, "sech": sp.sech,
             "arctan": sp.atan}

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
        if isinstance(n, A.Call) and n.func in funcs and len(n.args) == 1:
            return funcs[n.func](go(n.args[0]))
        if isinstance(n, A.Norm) and n.p == "abs":
            return sp.Abs(go(n.arg))
        raise NotLowerable(type(n).__name__)

    if isinstance(node, A.Matrix):
        return sp.Matrix([[go(e) for e in row] for row in node.rows])
    return go(node)
