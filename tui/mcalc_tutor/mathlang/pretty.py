"""Unicode pretty printer for "your answer was interpreted as …" (in the spirit of sympy's).

Products are shown with ⋅ so that the way juxtaposition was read (2Ax → 2⋅A⋅x) is visible.
"""
from __future__ import annotations

import re
from fractions import Fraction

from . import ast as A
from .functions import spec_of
from .symbols import SymbolTable

_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
# precedence: higher binds tighter
_P_ADD, _P_MUL, _P_NEG, _P_POW, _P_ATOM = 1, 2, 3, 4, 5


def display_name(name: str, symbols: SymbolTable | None) -> str:
    shown = symbols.display.get(name, name) if symbols is not None else name
    shown = re.sub(r"_\{?(\d+)\}?$", lambda m: m.group(1).translate(_SUB), shown)
    shown = re.sub(r"(?<=[^\W\d_])(\d+)$", lambda m: m.group(1).translate(_SUB), shown)
    return shown


def pretty(node: A.Node, symbols: SymbolTable | None = None) -> str:
    return _Printer(symbols).show(node)[0]


class _Printer:
    def __init__(self, symbols):
        self.symbols = symbols

    def wrap(self, node: A.Node, min_prec: int) -> str:
        text, prec = self.show(node)
        return f"({text})" if prec < min_prec else text

    def show(self, node: A.Node) -> tuple[str, int]:
        if isinstance(node, A.Num):
            return _number(node.value)
        if isinstance(node, A.Const):
            return ("π" if node.name == "pi" else "e"), _P_ATOM
        if isinstance(node, A.Identity):
            return ("I" if node.size is None else f"I_{node.size}"), _P_ATOM
        if isinstance(node, A.Sym):
            return display_name(node.name, self.symbols), _P_ATOM
        if isinstance(node, A.Entry):
            return display_name(node.name, self.symbols) + str(node.index).translate(_SUB), _P_ATOM
        if isinstance(node, A.Neg):
            return "-" + self.wrap(node.arg, _P_MUL), _P_NEG
        if isinstance(node, A.Add):
            right = self.wrap(node.right, _P_ADD)
            if right.startswith("-"):
                return f"{self.wrap(node.left, _P_ADD)} + ({right})", _P_ADD
            return f"{self.wrap(node.left, _P_ADD)} + {right}", _P_ADD
        if isinstance(node, A.Sub):
            return f"{self.wrap(node.left, _P_ADD)} - {self.wrap(node.right, _P_MUL)}", _P_ADD
        if isinstance(node, A.Mul):
            right = self.wrap(node.right, _P_MUL)
            if _leads_with_hadamard(node.right):  # A⋅(t ⊙ x), not A⋅t ⊙ x, which reads as (A⋅t) ⊙ x
                right = f"({self.show(node.right)[0]})"
            return f"{self.wrap(node.left, _P_MUL)}⋅{right}", _P_MUL
        if isinstance(node, A.Hadamard):
            return f"{self.wrap(node.left, _P_MUL)} ⊙ {self.wrap(node.right, _P_NEG)}", _P_MUL
        if isinstance(node, A.HadamardDiv):
            return f"{self.wrap(node.left, _P_MUL)} ⊘ {self.wrap(node.right, _P_NEG)}", _P_MUL
        if isinstance(node, A.Div):
            return f"{self.wrap(node.left, _P_MUL)}/{self.wrap(node.right, _P_POW)}", _P_MUL
        if isinstance(node, A.Pow):
            base = self.wrap(node.base, _P_ATOM)
            exp = node.exp
            if isinstance(exp, A.Num) and Fraction(exp.value).denominator == 1 and 0 <= exp.value < 100:
                return base + str(int(exp.value)).translate(_SUP), _P_POW
            if isinstance(exp, A.Neg) and isinstance(exp.arg, A.Num) and Fraction(exp.arg.value).denominator == 1:
                return base + ("-" + str(int(exp.arg.value))).translate(_SUP), _P_POW
            return f"{base}^{self.wrap(exp, _P_ATOM)}", _P_POW
        if isinstance(node, A.Transpose):
            return self.wrap(node.arg, _P_ATOM) + "ᵀ", _P_POW
        if isinstance(node, A.Inverse):
            if isinstance(node.arg, A.Transpose):
                return self.wrap(node.arg.arg, _P_ATOM) + "⁻ᵀ", _P_POW
            return self.wrap(node.arg, _P_ATOM) + "⁻¹", _P_POW
        if isinstance(node, A.Call):
            name = spec_of(node.func).shown + "'" * node.order
            args = ", ".join(self.show(a)[0] for a in node.args)
            return f"{name}({args})", _P_ATOM
        if isinstance(node, A.Apply):
            return f"{display_name(node.func, self.symbols)}{chr(39) * node.order}({self.show(node.arg)[0]})", _P_ATOM
        if isinstance(node, A.Differential):
            return f"d({self.show(node.arg)[0]})", _P_ATOM
        if isinstance(node, A.Norm):
            inner = self.show(node.arg)[0]
            sub = {"": "", "2": "₂", "1": "₁", "inf": "_∞", "F": "_F", "*": "_*"}.get(node.p, node.p.translate(_SUB))
            return f"‖{inner}‖{sub}", _P_ATOM
        if isinstance(node, A.Matrix):
            rows = [", ".join(self.show(e)[0] for e in row) for row in node.rows]
            if all(len(row) == 1 for row in node.rows) and len(node.rows) > 1:
                return "(" + ", ".join(rows) + ")", _P_ATOM  # a column vector, as a tuple
            return "[" + "; ".join(rows) + "]", _P_ATOM
        return type(node).__name__, _P_ATOM  # pragma: no cover


def _leads_with_hadamard(node: A.Node) -> bool:
    """Whether the text of `node` starts with an unbracketed ⊙ product (same precedence as ⋅)."""
    while isinstance(node, (A.Mul, A.Div)):
        node = node.left
    return isinstance(node, A.Hadamard)


def _number(value) -> tuple[str, int]:
    value = Fraction(value)
    if value.denominator == 1:
        digits = str(abs(value.numerator))
        zeros = len(digits) - len(digits.rstrip("0"))
        if len(digits) > 15 and zeros:  # 1e40 as typed, not 41 digits the parser would refuse to read back
            return f"{value.numerator // 10 ** zeros}e{zeros}", _P_ATOM
        return str(value.numerator), _P_ATOM
    as_float = float(value)
    if len(str(as_float)) <= 8 and Fraction(str(as_float)) == value and value.denominator % 3 != 0:
        return str(as_float), _P_ATOM
    return f"{value.numerator}/{value.denominator}", _P_MUL
