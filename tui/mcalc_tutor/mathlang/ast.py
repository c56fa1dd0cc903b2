"""The answer language's syntax tree: small immutable nodes, each remembering its column.

Nodes hold no numbers beyond literals and no code; they are evaluated by `evaluate`, typed by
`shapes`, printed by `pretty` and lowered to sympy by `to_sympy`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Node:
    col: int = field(default=0, compare=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True)
class Num(Node):
    value: Fraction | float


@dataclass(frozen=True)
class Const(Node):
    name: str  # "pi" or "e"


@dataclass(frozen=True)
class Identity(Node):
    """`I`: an identity matrix whose size comes from context, or is given (`I_n`, `I₃`)."""

    size: int | str | None = None


@dataclass(frozen=True)
class Sym(Node):
    name: str  # canonical name


@dataclass(frozen=True)
class Entry(Node):
    """Entry `index` (1-based) of a declared vector: x_1, x₁."""

    name: str  # canonical name of the vector
    index: int


@dataclass(frozen=True)
class Neg(Node):
    arg: Node

    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class Add(Node):
    left: Node
    right: Node

    def children(self):
        return (self.left, self.right)


@dataclass(frozen=True)
class Sub(Node):
    left: Node
    right: Node

    def children(self):
        return (self.left, self.right)


@dataclass(frozen=True)
class Mul(Node):
    """Product: matrix product, or scaling when one side is a scalar. `dot` marks an explicit
    centre dot, which between two vectors of the same shape means their dot product (x·y)."""

    left: Node
    right: Node
    dot: bool = False

    def children(self):
        return (self.left, self.right)


@dataclass(frozen=True)
class Hadamard(Node):
    left: Node
    right: Node

    def children(self):
        return (self.left, self.right)


@dataclass(frozen=True)
class HadamardDiv(Node):
    """Element-wise division a ⊘ b (also written ./)."""

    left: Node
    right: Node

    def children(self):
        return (self.left, self.right)


@dataclass(frozen=True)
class Div(Node):
    left: Node
    right: Node

    def children(self):
        return (self.left, self.right)


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exp: Node

    def children(self):
        return (self.base, self.exp)


@dataclass(frozen=True)
class Transpose(Node):
    arg: Node

    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class Inverse(Node):
    arg: Node

    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class Call(Node):
    """A built-in function of the registry (`tr`, `det`, `sin`, `sigma`, `softmax`, …); order 1 is
    its derivative (relu'(z), σ'(z)), for element-wise functions."""

    func: str
    args: tuple[Node, ...]
    order: int = 0

    def children(self):
        return self.args


@dataclass(frozen=True)
class Apply(Node):
    """A declared generic function symbol (σ₁) or its derivative (σ₁', order 1), element-wise."""

    func: str  # canonical name
    order: int
    arg: Node

    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class Differential(Node):
    """d(expr): the differential of expr when each declared variable moves along its direction
    (x along dx, X along dX); evaluated exactly by forward mode. Other symbols are constants."""

    arg: Node
    directions: tuple[tuple[str, str], ...]  # (variable, its differential symbol), canonical names
    definitions: tuple[tuple[str, Node], ...] = ()
    """The parsed definitions of the defined names the argument depends on (z = W x + b), so that
    d(σ(z)) moves z with x; not children: they belong to the exercise, not to the answer."""

    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class Norm(Node):
    """‖x‖ₚ: p is "" (2-norm of a vector, Frobenius of a matrix), "1", "2", "inf", "F", "*" or an integer."""

    arg: Node
    p: str = ""

    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class Matrix(Node):
    """A literal: rows of entries. Tuples `(a, b)` are column vectors (one entry per row)."""

    rows: tuple[tuple[Node, ...], ...]

    def children(self):
        return tuple(e for row in self.rows for e in row)


def walk(node: Node):
    """Every node of the tree, parents before children (iteratively: trees can be deep)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children()))


def size(node: Node) -> int:
    return sum(1 for _ in walk(node))
