"""Shape inference: every node of a parsed answer gets (rows, cols), from the declared symbols.

Sizes are concrete (3), symbolic ("n": distinct names are independent sizes) or unknown until
context fixes them (the size of `I`). A product or sum that cannot be formed is a ShapeError
that names both shapes.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction

from . import ast as A
from .errors import ShapeError
from .functions import spec_of
from .symbols import SymbolTable

_var_ids = itertools.count()


@dataclass(frozen=True)
class Var:
    """A size not yet known (the size of an identity matrix before context fixes it)."""

    ident: int = field(default_factory=lambda: next(_var_ids))

    def __repr__(self) -> str:
        return "?"


Shape = tuple  # (rows, cols), each Dim or Var


class Unifier:
    """Union-find over sizes: two sizes are equal when unified; concrete or named sizes are rigid."""

    def __init__(self):
        self.parent: dict[Var, object] = {}

    def find(self, d):
        while isinstance(d, Var) and d in self.parent:
            d = self.parent[d]
        return d

    def unify(self, a, b) -> bool:
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        if isinstance(a, Var):
            self.parent[a] = b
            return True
        if isinstance(b, Var):
            self.parent[b] = a
            return True
        return False

    def resolve(self, shape: Shape) -> Shape:
        return (self.find(shape[0]), self.find(shape[1]))


def format_dim(d) -> str:
    return "?" if isinstance(d, Var) else str(d)


def format_shape(shape: Shape) -> str:
    if shape == (1, 1):
        return "scalar"
    return f"{format_dim(shape[0])}×{format_dim(shape[1])}"


def describe_shape(shape: Shape) -> str:
    """'scalar', 'n×1 column vector', '1×n row vector', 'n×n matrix'."""
    if shape == (1, 1):
        return "a scalar"
    if shape[1] == 1:
        return f"an {format_shape(shape)} column vector" if _vowel(shape) else f"a {format_shape(shape)} column vector"
    if shape[0] == 1:
        return f"a {format_shape(shape)} row vector"
    return f"an {format_shape(shape)} matrix" if _vowel(shape) else f"a {format_shape(shape)} matrix"


def _vowel(shape: Shape) -> bool:
    """Whether the shape is read aloud starting with a vowel sound ("an n×1", "an 8×8")."""
    first = format_dim(shape[0])
    return first[:1] in tuple("nmfhlrsx8aeio") or first in ("11", "18")


@dataclass
class Typed:
    """A parsed answer with the shape of every node (keyed by node identity)."""

    tree: A.Node
    shapes: dict[int, Shape]
    unifier: Unifier

    @property
    def shape(self) -> Shape:
        return self.shape_of(self.tree)

    def shape_of(self, node: A.Node) -> Shape:
        return self.unifier.resolve(self.shapes[id(node)])

    def is_scalar_valued(self) -> bool:
        return self.shape == (1, 1)


def infer(tree: A.Node, symbols: SymbolTable) -> Typed:
    """Give every node a shape; raise ShapeError (with the column) where an operation cannot be formed."""
    return _Inferer(symbols).run(tree)


class _Inferer:
    def __init__(self, symbols: SymbolTable):
        self.symbols = symbols
        self.u = Unifier()
        self.shapes: dict[int, Shape] = {}

    def run(self, tree: A.Node) -> Typed:
        self.visit(tree)
        return Typed(tree, self.shapes, self.u)

    def is_scalar(self, shape: Shape) -> bool:
        return self.u.find(shape[0]) == 1 and self.u.find(shape[1]) == 1

    def is_vector(self, shape: Shape) -> bool:
        return self.u.find(shape[0]) == 1 or self.u.find(shape[1]) == 1

    def fmt(self, shape: Shape) -> str:
        return format_shape(self.u.resolve(shape))

    def visit(self, node: A.Node) -> Shape:
        shape = self._visit(node)
        self.shapes[id(node)] = shape
        return shape

    def _visit(self, node: A.Node) -> Shape:
        if isinstance(node, (A.Num, A.Const)):
            return (1, 1)
        if isinstance(node, A.Sym):
            return self.symbols[node.name].shape
        if isinstance(node, A.Entry):
            return (1, 1)
        if isinstance(node, A.Identity):
            if node.size is not None:
                return (node.size, node.size)
            v = Var()
            return (v, v)
        if isinstance(node, A.Neg):
            return self.visit(node.arg)
        if isinstance(node, (A.Add, A.Sub)):
            return self.elementwise_pair(node, "add" if isinstance(node, A.Add) else "subtract", allow_vector_broadcast=True)
        if isinstance(node, A.Hadamard):
            return self.elementwise_pair(node, "take the element-wise product of", allow_vector_broadcast=True)
        if isinstance(node, A.HadamardDiv):
            return self.elementwise_pair(node, "divide element-wise", allow_vector_broadcast=True)
        if isinstance(node, A.Mul):
            return self.product(node)
        if isinstance(node, A.Div):
            left, right = self.visit(node.left), self.visit(node.right)
            if not self.is_scalar(right):
                raise ShapeError(f"cannot divide by {describe_shape(self.u.resolve(right))}: only by a scalar "
                             f"(for element-wise division write ⊘ or ./)", node.col)
            return left
        if isinstance(node, A.Pow):
            return self.power(node)
        if isinstance(node, A.Transpose):
            rows, cols = self.visit(node.arg)
            return (cols, rows)
        if isinstance(node, A.Inverse):
            shape = self.visit(node.arg)
            if not self.u.unify(shape[0], shape[1]):
                raise ShapeError(f"only a square matrix has an inverse; this is {self.fmt(shape)}", node.col)
            return shape
        if isinstance(node, A.Call):
            return self.call(node)
        if isinstance(node, A.Differential):
            for _, definition in node.definitions:
                self.visit(definition)
            return self.visit(node.arg)
        if isinstance(node, A.Apply):
            return self.visit(node.arg)
        if isinstance(node, A.Norm):
            shape = self.visit(node.arg)
            if node.p == "abs":
                return shape
            if self.is_vector(shape) and node.p in ("F", "*"):
                raise ShapeError(f"‖·‖_{node.p} is a matrix norm; this is {describe_shape(self.u.resolve(shape))}", node.col)
            return (1, 1)
        if isinstance(node, A.Matrix):
            for i, row in enumerate(node.rows):
                for j, entry in enumerate(row):
                    shape = self.visit(entry)
                    if not self.is_scalar(shape):
                        raise ShapeError(
                            f"entries of a vector or matrix literal must be scalars; entry ({i + 1},{j + 1}) is "
                            f"{describe_shape(self.u.resolve(shape))}", entry.col)
            return (len(node.rows), len(node.rows[0]))
        raise ShapeError(f"cannot type {type(node).__name__}", node.col)  # pragma: no cover

    def elementwise_pair(self, node, verb: str, allow_vector_broadcast: bool) -> Shape:
        left, right = self.visit(node.left), self.visit(node.right)
        if self.is_scalar(left) and self.is_scalar(right):
            return (1, 1)
        if allow_vector_broadcast and (self.is_scalar(left) or self.is_scalar(right)):
            other = right if self.is_scalar(left) else left
            if self.is_vector(other) or isinstance(node, (A.Hadamard, A.HadamardDiv)):
                return other  # 1 - σ(z): element-wise on a vector
            raise ShapeError(
                f"cannot {verb} a scalar and {describe_shape(self.u.resolve(other))} (did you mean a multiple of I?)",
                node.col)
        if isinstance(node, (A.Hadamard, A.HadamardDiv)):
            broadcast = self.broadcast(left, right)
            if broadcast is not None:
                return broadcast
        if not (self.u.unify(left[0], right[0]) and self.u.unify(left[1], right[1])):
            raise ShapeError(f"cannot {verb} {self.fmt(left)} and {self.fmt(right)}", node.col)
        return left

    def broadcast(self, left: Shape, right: Shape) -> Shape | None:
        """v ⊙ W with v an m×1 column and W m×n scales W's rows (= diag(v) W), as numpy would."""
        for vec, mat, axis in ((left, right, 0), (right, left, 0), (left, right, 1), (right, left, 1)):
            other = 1 - axis
            if self.u.find(vec[other]) == 1 and self.u.find(mat[other]) != 1 and not self.is_vector(mat):
                if self.u.find(vec[axis]) == self.u.find(mat[axis]):
                    return mat
        return None

    def product(self, node: A.Mul) -> Shape:
        left, right = self.visit(node.left), self.visit(node.right)
        if self.is_scalar(left):
            return right
        if self.is_scalar(right):
            return left
        if node.dot and self.is_vector(left) and self.is_vector(right) and \
                self.u.find(left[1]) == self.u.find(right[1]) and self.u.find(left[0]) == self.u.find(right[0]):
            return (1, 1)  # x·y between two vectors of the same shape: the dot product
        if not self.u.unify(left[1], right[0]):
            lf, rf = self.fmt(left), self.fmt(right)
            hint = ""
            if lf == rf and self.is_vector(left):
                hint = " (for an element-wise product write ⊙ or .*; for a dot product write x·y or xᵀy)"
            raise ShapeError(
                f"cannot multiply {lf} by {rf}: the inner sizes {format_dim(self.u.find(left[1]))} and "
                f"{format_dim(self.u.find(right[0]))} differ{hint}", node.col)
        return (left[0], right[1])

    def power(self, node: A.Pow) -> Shape:
        base, exp = self.visit(node.base), self.visit(node.exp)
        if isinstance(node.base, A.Const) and node.base.name == "e" and self.is_vector(exp):
            return exp  # e^x on a vector: exp(x) element-wise
        if not self.is_scalar(exp):
            raise ShapeError("an exponent must be a scalar (for element-wise exp of a vector write exp(x))",
                             node.exp.col)
        if self.is_scalar(base) or self.is_vector(base):
            return base  # scalar power, or element-wise on a vector
        if not self.u.unify(base[0], base[1]):
            raise ShapeError(f"only a square matrix has powers; this is {self.fmt(base)}", node.col)
        value = _integer_constant(node.exp)
        if value is None:
            raise ShapeError("a matrix power must be a whole number", node.exp.col)
        return base

    def call(self, node: A.Call) -> Shape:
        shapes = [self.visit(arg) for arg in node.args]
        spec = spec_of(node.func)
        rule = getattr(self, f"rule_{spec.shape}", None)
        if rule is None:
            raise ShapeError(f"unknown function {node.func}", node.col)  # pragma: no cover
        return rule(node, shapes)

    # -- shape rules of the function registry (FunctionSpec.shape) ------------------------------
    def rule_elementwise(self, node: A.Call, shapes: list[Shape]) -> Shape:
        return shapes[0]

    def rule_pair(self, node: A.Call, shapes: list[Shape]) -> Shape:
        return self.elementwise_pair(_Pair(node.args[0], node.args[1], node.col), f"take the {node.func} of", True)

    def rule_square_to_scalar(self, node: A.Call, shapes: list[Shape]) -> Shape:
        shape = shapes[0]
        if not self.u.unify(shape[0], shape[1]):
            name = spec_of(node.func).noun or node.func
            raise ShapeError(f"only a square matrix has a {name}; this is {self.fmt(shape)}", node.col)
        return (1, 1)

    def rule_to_scalar(self, node: A.Call, shapes: list[Shape]) -> Shape:
        return (1, 1)

    def rule_vector(self, node: A.Call, shapes: list[Shape]) -> Shape:
        if not self.is_vector(shapes[0]):
            raise ShapeError(f"{node.func} needs a vector; this is {self.fmt(shapes[0])}", node.col)
        return shapes[0]

    def rule_diag(self, node: A.Call, shapes: list[Shape]) -> Shape:
        shape = shapes[0]
        if self.is_scalar(shape):
            return (1, 1)
        if self.u.find(shape[1]) == 1:
            return (shape[0], shape[0])
        if self.u.find(shape[0]) == 1:
            return (shape[1], shape[1])
        if not self.u.unify(shape[0], shape[1]):
            raise ShapeError(f"diag needs a vector or a square matrix; this is {self.fmt(shape)}", node.col)
        return (shape[0], 1)


@dataclass(frozen=True)
class _Pair:
    left: A.Node
    right: A.Node
    col: int


def _integer_constant(node: A.Node) -> int | None:
    if isinstance(node, A.Num) and Fraction(node.value).denominator == 1:
        return int(node.value)
    if isinstance(node, A.Neg):
        inner = _integer_constant(node.arg)
        return None if inner is None else -inner
    return None
