"""Expected answers computed from a part's function (`of`) with sympy, for scalar variables:
gradient, hessian, jacobian, critical_points, newton_step. Only authored content reaches here,
lowered through our own parser (never sympify on text).
"""
from __future__ import annotations

from ..mathlang import read
from ..mathlang.functions import REGISTRY
from ..mathlang.symbols import SymbolTable, canonical_name
from ..mathlang.to_sympy import to_sympy
from .model import Part


def generate(part: Part, symbols: SymbolTable):
    import sympy as sp

    if part.of is None:
        raise ValueError("a generated answer needs the part's function (`of`)")
    typed = read(part.of, symbols)
    f = to_sympy(typed.tree, symbols)
    variables = [sp.Symbol(canonical_name(v), real=True) for v in part.variables]
    variables = [_match(v, f) for v in variables]
    kind = part.generator
    if kind == "gradient":
        return to_text(sp.Matrix([sp.diff(f, v) for v in variables]))
    if kind == "hessian":
        return to_text(sp.hessian(f, variables))
    if kind == "jacobian":
        return to_text(sp.Matrix(f).jacobian(variables))
    if kind == "newton_step":
        if part.at is None:
            raise ValueError("newton_step needs the point (`at`)")
        point = _point(part.at, symbols)
        subs = dict(zip(variables, point, strict=False))
        grad = sp.Matrix([sp.diff(f, v) for v in variables]).subs(subs)
        hess = sp.hessian(f, variables).subs(subs)
        return to_text(sp.Matrix(point) - hess.inv() * grad)
    if kind == "critical_points":
        grad = [sp.diff(f, v) for v in variables]
        hess = sp.hessian(f, variables)
        points = []
        for sol in sp.solve(grad, variables, dict=True):
            if not all(sol.get(v, v).is_real for v in variables):
                continue
            at = [sol[v] for v in variables]
            h = hess.subs(dict(zip(variables, at, strict=True)))
            eig = [complex(e).real for e in h.eigenvals(multiple=True)]
            if any(abs(e) < 1e-12 for e in eig):
                kind_name = "inconclusive"
            elif all(e > 0 for e in eig):
                kind_name = "minimum"
            elif all(e < 0 for e in eig):
                kind_name = "maximum"
            else:
                kind_name = "saddle"
            points.append({"at": to_text(sp.Matrix(at)), "type": kind_name})
        return sorted(points, key=lambda p: p["at"])
    raise ValueError(f"unknown generator {kind}")


def _match(var, expr):
    for s in expr.free_symbols:
        if s.name == var.name:
            return s
    return var


def _point(text: str, symbols: SymbolTable):
    import sympy as sp

    typed = read(text, symbols)
    value = to_sympy(typed.tree, symbols)
    return list(value) if isinstance(value, sp.MatrixBase) else [value]


def to_text(expr) -> str:
    """Print a sympy expression or Matrix in the answer language (vectors as tuples)."""
    import sympy as sp

    if isinstance(expr, sp.MatrixBase):
        if expr.shape[1] == 1:
            return "(" + ", ".join(to_text(e) for e in expr) + ")" if expr.shape[0] > 1 else to_text(expr[0])
        return "[" + "; ".join(", ".join(to_text(e) for e in expr.row(i)) for i in range(expr.shape[0])) + "]"
    return _expr(sp.nsimplify(expr) if expr.is_Float else expr)


def _expr(e) -> str:
    import sympy as sp

    if e.is_Integer:
        return str(int(e)) if e >= 0 else f"({int(e)})"
    if e.is_Rational:
        return f"({e.p}/{e.q})"
    if e.is_Float:
        return repr(float(e))
    if e is sp.pi:
        return "pi"
    if e is sp.E:
        return "e"
    if e.is_Symbol:
        return e.name
    if e.is_Add:
        return "(" + " + ".join(_expr(a) for a in e.args) + ")"
    if e.is_Mul:
        return "(" + "*".join(_expr(a) for a in e.args) + ")"
    if e.is_Pow:
        return f"({_expr(e.base)})^({_expr(e.exp)})"
    names = {getattr(sp, spec.sympy_head): spec.name for spec in REGISTRY if spec.sympy_head is not None}
    if e.func in names:
        return f"{names[e.func]}({_expr(e.args[0])})"
    raise ValueError(f"cannot print {e} in the answer language")
