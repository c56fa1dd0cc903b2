"""The answer language: parse what learners type, infer shapes, evaluate on numpy, print it back.

Nothing here executes user text: the parser is our own and the evaluator walks the tree.
Textual, sympy and the rest of the app are never imported by this package.
"""
from __future__ import annotations

from .ast import Node, walk
from .differentials import parse_differentials
from .errors import DeclarationError, MathError, ParseError, ShapeError
from .symbols import Symbol, SymbolTable, canonical_name, parse_declarations

MAX_TREE_DEPTH = 150

__all__ = [
    "DeclarationError", "MathError", "Node", "ParseError", "ShapeError", "Symbol", "SymbolTable",
    "canonical_name", "parse_declarations", "parse_differentials", "read", "tree_depth", "walk",
]


def read(text: str, symbols: SymbolTable):
    """Parse and type `text`: returns a shapes.Typed, or raises ParseError / ShapeError."""
    from .parser import parse
    from .shapes import infer

    tree = parse(text, symbols)
    if tree_depth(tree) > MAX_TREE_DEPTH:
        raise ParseError(f"the answer is too long a chain of operations (depth over {MAX_TREE_DEPTH})", 0)
    return infer(tree, symbols)


def tree_depth(tree: Node) -> int:
    """Depth of the tree, computed without recursion (a chain x+x+…+x is deep but not nested)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.children())
    return deepest
