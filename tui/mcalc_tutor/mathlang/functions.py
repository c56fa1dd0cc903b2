"""The answer language's built-in functions: one declarative spec per function, read by every layer.

The lexer takes the LaTeX words, the parser the spellings, arity and node kind, shape inference
the shape rule, the evaluator the numpy implementation, domain and derivative, the printer the
printed form, and the sympy lowering, symbolic check and content generators the sympy side.
Adding a function is one entry in REGISTRY plus one row in tests/test_function_registry.py.

Importing this module is cheap: numpy is imported only when a function is evaluated, and sympy
only when one is lowered.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

    Array = np.ndarray
else:
    Array = Any

ShapeRule = Literal["elementwise", "pair", "square_to_scalar", "to_scalar", "vector", "diag", "node"]
NodeKind = Literal["call", "inverse", "transpose", "hadamard", "norm"]
Domain = Literal["positive", "nonnegative"]


@dataclass(frozen=True)
class FunctionSpec:
    """Everything the language knows about one built-in function."""

    name: str
    """Canonical name: the AST's Call.func, and what the content generators print."""
    spellings: tuple[str, ...]
    """What learners type, in ASCII and unicode (the name itself included)."""
    latex: tuple[str, ...] = ()
    """LaTeX control words (without the backslash) that mean this function: \\sin, \\det."""
    arity: int = 1
    shape: ShapeRule = "elementwise"
    """A rule in shapes.SHAPE_RULES: element-wise, a pair taken element-wise, a square matrix to a
    scalar, anything to a scalar, a vector to a vector, diag; "node" when the parser builds a
    node of its own (see `node`)."""
    numpy: Callable[..., Array] | None = None
    """The implementation on 2-D float arrays (scalars are 1×1); None when `node` is not "call"."""
    derivative: Callable[[Array], Array] | None = None
    """f' of an element-wise function, so that relu'(z), σ'(z) read as the derivative; also the
    forward-mode rule d f(u) = f'(u) ⊙ du."""
    sympy: Callable[[Any, Any], Any] | None = None
    """(sympy module, argument) → the sympy expression, for scalar lowering; None: not lowerable."""
    sympy_head: str | None = None
    """The sympy function class printed back as this function by the content generators."""
    printed: str | None = None
    """How the printer writes the name (default: the name)."""
    noun: str | None = None
    """What messages call the result ("only a square matrix has a determinant"; default: the name)."""
    domain: Domain | None = None
    """Where the argument must lie: outside it the value is undefined and the sampler draws again."""
    node: NodeKind = "call"
    """The AST node the parser builds for a call: inv(A) is an Inverse, norm(x) a Norm."""
    symbolic: bool = False
    """Cheap and safe for the bounded sympy confirmation of a numeric verdict."""
    jvp: Callable[[list[Array], list[Array]], Array] | None = None
    """Forward mode: (argument values, their tangents) → the tangent of the result, exactly, for
    d(expr). An element-wise function with a `derivative` needs none: its tangent is f'(u) ⊙ du."""

    def tangent(self, args: list[Array], tangents: list[Array]) -> Array | None:
        """The exact tangent of this function's value, or None when the language has no rule."""
        if self.jvp is not None:
            return self.jvp(args, tangents)
        if self.shape == "elementwise" and self.derivative is not None:
            return self.derivative(args[0]) * tangents[0]
        return None

    @property
    def shown(self) -> str:
        return self.printed or self.name


def _np() -> Any:
    import numpy

    return numpy


def _scalar(value: Any) -> Array:
    return _np().array([[value]], dtype=float)


def _sigmoid(x: Array) -> Array:
    return 0.5 * (1.0 + _np().tanh(0.5 * x))


def _softmax(x: Array) -> Array:
    z = _np().exp(x - x.max())
    return z / z.sum()


def _logsumexp(x: Array) -> Array:
    top = x.max()
    return _scalar(top + _np().log(_np().exp(x - top).sum()))


def _diag(x: Array) -> Array:
    np = _np()
    if x.shape == (1, 1):
        return x
    if x.shape[1] == 1 or x.shape[0] == 1:
        return np.diag(x.ravel())
    return np.diag(x).reshape(-1, 1)


def _softmax_jvp(args: list[Array], tangents: list[Array]) -> Array:
    s, dx = _softmax(args[0]), tangents[0]
    return s * (dx - (s * dx).sum())


def _det_jvp(args: list[Array], tangents: list[Array]) -> Array:
    """Jacobi's formula: d det X = det X · tr(X⁻¹ dX)."""
    np = _np()
    x, dx = args[0], tangents[0]
    return _scalar(np.linalg.det(x) * np.trace(np.linalg.solve(x, dx)))


def _logdet(x: Array) -> Array:
    """ln det X, defined where det X > 0 (NaN elsewhere, which the evaluator reports as undefined)."""
    sign, value = _np().linalg.slogdet(x)
    return _scalar(value if sign > 0 else float("nan"))


def _logdet_jvp(args: list[Array], tangents: list[Array]) -> Array:
    """d ln det X = tr(X⁻¹ dX)."""
    np = _np()
    return _scalar(np.trace(np.linalg.solve(args[0], tangents[0])))


def _pick(larger: bool) -> Callable[[list[Array], list[Array]], Array]:
    """max/min: the tangent of the side that is taken (the first at a tie)."""

    def jvp(args: list[Array], tangents: list[Array]) -> Array:
        (a, b), (da, db) = args, tangents
        first = a >= b if larger else a <= b
        return _np().where(first, da, db) + 0.0 * (a + b)

    return jvp


def _elementwise(name: str, spellings: tuple[str, ...], numpy: Callable[[Array], Array],
                 derivative: Callable[[Array], Array] | None, sympy_head: str | None, *,
                 latex: tuple[str, ...] = (), sympy: Callable[[Any, Any], Any] | None = None,
                 printed: str | None = None, domain: Domain | None = None, symbolic: bool = False) -> FunctionSpec:
    """An element-wise function; its sympy lowering defaults to the sympy function `sympy_head`."""
    if sympy is None and sympy_head is not None:
        head = sympy_head

        def sympy(sp: Any, t: Any) -> Any:
            return getattr(sp, head)(t)

    return FunctionSpec(name, spellings, latex, 1, "elementwise", numpy, derivative, sympy, sympy_head,
                        printed, domain=domain, symbolic=symbolic)


REGISTRY: tuple[FunctionSpec, ...] = (
    _elementwise("sin", ("sin",), lambda x: _np().sin(x), lambda x: _np().cos(x), "sin",
                 latex=("sin",), symbolic=True),
    _elementwise("cos", ("cos",), lambda x: _np().cos(x), lambda x: -_np().sin(x), "cos",
                 latex=("cos",), symbolic=True),
    _elementwise("tan", ("tan",), lambda x: _np().tan(x), lambda x: 1.0 / _np().cos(x) ** 2, "tan",
                 latex=("tan",)),
    _elementwise("exp", ("exp",), lambda x: _np().exp(x), lambda x: _np().exp(x), "exp",
                 latex=("exp",), symbolic=True),
    _elementwise("log", ("log", "ln"), lambda x: _np().log(x), lambda x: 1.0 / x, "log",
                 latex=("log", "ln"), printed="ln", domain="positive", symbolic=True),
    _elementwise("sqrt", ("sqrt",), lambda x: _np().sqrt(x), lambda x: 0.5 / _np().sqrt(x), None,
                 latex=("sqrt",), sympy=lambda sp, t: sp.sqrt(t), domain="nonnegative", symbolic=True),
    _elementwise("abs", ("abs",), lambda x: _np().abs(x), lambda x: _np().sign(x), "Abs"),
    _elementwise("tanh", ("tanh",), lambda x: _np().tanh(x), lambda x: 1.0 - _np().tanh(x) ** 2, "tanh",
                 latex=("tanh",), symbolic=True),
    _elementwise("sinh", ("sinh",), lambda x: _np().sinh(x), lambda x: _np().cosh(x), "sinh",
                 latex=("sinh",)),
    _elementwise("cosh", ("cosh",), lambda x: _np().cosh(x), lambda x: _np().sinh(x), "cosh",
                 latex=("cosh",)),
    _elementwise("sigma", ("sigma", "σ", "sigmoid", "Sigmoid"), _sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x)),
                 None, sympy=lambda sp, t: 1 / (1 + sp.exp(-t)), printed="σ"),
    _elementwise("relu", ("relu", "ReLU"), lambda x: _np().maximum(x, 0.0), lambda x: (x > 0).astype(float),
                 None),
    _elementwise("sign", ("sign", "sgn"), lambda x: _np().sign(x), None, "sign"),
    _elementwise("step", ("step", "heaviside"), lambda x: (x > 0).astype(float), None, None),
    _elementwise("sech", ("sech",), lambda x: 1.0 / _np().cosh(x), lambda x: -_np().tanh(x) / _np().cosh(x),
                 "sech"),
    _elementwise("arctan", ("arctan", "atan"), lambda x: _np().arctan(x), lambda x: 1.0 / (1.0 + x * x),
                 "atan", latex=("arctan",)),
    FunctionSpec("max", ("max",), ("max",), 2, "pair", lambda a, b: _np().maximum(a, b), jvp=_pick(True)),
    FunctionSpec("min", ("min",), ("min",), 2, "pair", lambda a, b: _np().minimum(a, b), jvp=_pick(False)),
    FunctionSpec("tr", ("tr", "trace", "Tr"), arity=1, shape="square_to_scalar",
                 numpy=lambda x: _scalar(_np().trace(x)), jvp=lambda a, t: _scalar(_np().trace(t[0])), noun="trace"),
    FunctionSpec("det", ("det", "Det"), ("det",), 1, "square_to_scalar", lambda x: _scalar(_np().linalg.det(x)),
                 jvp=_det_jvp, noun="determinant"),
    FunctionSpec("logdet", ("logdet",), (), 1, "square_to_scalar", _logdet, jvp=_logdet_jvp,
                 noun="log-determinant"),
    FunctionSpec("diag", ("diag", "Diag"), shape="diag", numpy=_diag, jvp=lambda a, t: _diag(t[0])),
    FunctionSpec("softmax", ("softmax", "Softmax"), shape="vector", numpy=_softmax, jvp=_softmax_jvp),
    FunctionSpec("sum", ("sum",), shape="to_scalar", numpy=lambda x: _scalar(x.sum()),
                 jvp=lambda a, t: _scalar(t[0].sum())),
    FunctionSpec("logsumexp", ("logsumexp", "lse"), shape="to_scalar", numpy=_logsumexp,
                 jvp=lambda a, t: _scalar((_softmax(a[0]) * t[0]).sum())),
    FunctionSpec("norm", ("norm",), shape="node", node="norm"),
    FunctionSpec("inv", ("inv",), shape="node", node="inverse"),
    FunctionSpec("transpose", ("transpose",), shape="node", node="transpose"),
    FunctionSpec("hadamard", ("hadamard",), arity=2, shape="node", node="hadamard"),
)

BY_NAME: dict[str, FunctionSpec] = {spec.name: spec for spec in REGISTRY}
"""Canonical name → spec."""
SPELLINGS: dict[str, str] = {spelling: spec.name for spec in REGISTRY for spelling in spec.spellings}
"""Name as typed → canonical name."""
LATEX_WORDS: dict[str, str] = {word: spec.name for spec in REGISTRY for word in spec.latex}
"""LaTeX control word → canonical name."""


def spec_of(name: str) -> FunctionSpec:
    """The spec of a canonical function name (a KeyError is a bug: the parser only builds known ones)."""
    return BY_NAME[name]
