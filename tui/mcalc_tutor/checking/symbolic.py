"""Symbolic confirmation of a numeric "equivalent" verdict, only where it is cheap and bounded.

sympy's simplify can run for minutes on small inputs and cannot be interrupted from a thread, so
we only expand small scalar polynomial-like expressions (bounded size and exponents); anything
else stays with the numeric verdict.
"""
from __future__ import annotations

from fractions import Fraction

from ..mathlang import ast as A
from ..mathlang.functions import spec_of
from ..mathlang.symbols import SymbolTable

MAX_NODES = 60
MAX_EXPONENT = 8
_CHEAP = (A.Num, A.Const, A.Sym, A.Neg, A.Add, A.Sub, A.Mul, A.Div, A.Pow, A.Matrix, A.Call)


def cheap_enough(node: A.Node, symbols: SymbolTable) -> bool:
    count = 0
    for n in A.walk(node):
        count += 1
        if count > MAX_NODES or not isinstance(n, _CHEAP):
            return False
        if isinstance(n, A.Sym) and not symbols[n.name].is_scalar:
            return False
        if isinstance(n, A.Call) and (n.order or not spec_of(n.func).symbolic):
            return False
        if isinstance(n, A.Pow):
            if not isinstance(n.exp, A.Num) or abs(Fraction(n.exp.value)) > MAX_EXPONENT:
                return False
    return True


def symbolically_equal(expected: A.Node, answer: A.Node, symbols: SymbolTable) -> bool | None:
    """True when expand(expected − answer) is 0; None when we could not tell cheaply."""
    if not (cheap_enough(expected, symbols) and cheap_enough(answer, symbols)):
        return None
    from ..mathlang.to_sympy import NotLowerable, to_sympy

    try:
        import sympy as sp

        diff = to_sympy(expected, symbols) - to_sympy(answer, symbols)
        if isinstance(diff, sp.MatrixBase):
            return all(sp.expand(e) == 0 for e in diff) or None
        return (sp.expand(diff) == 0) or None
    except (NotLowerable, TypeError, ValueError, ZeroDivisionError):
        return None
