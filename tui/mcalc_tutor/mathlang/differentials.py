"""Differentials in the answer language: pairs of a variable and its direction (x with dx).

`parse_differentials("x: dx, X: dX", symbols)` returns a copy of the symbol table in which each
direction is a symbol of its variable's shape (symmetric when the variable is, so that dX stays in
the space X lives in). Answers may then write `dx`, `d x`, `dX` and `d(expr)`; `d(expr)` is
evaluated exactly by forward mode (mathlang.forward), never by finite differences.
"""
from __future__ import annotations

import re

from .errors import DeclarationError
from .symbols import Symbol, SymbolTable, canonical_name

# the properties a direction inherits: the tangent space of symmetric matrices is symmetric, of
# diagonal ones diagonal; positive definiteness and invertibility constrain points, not directions
_INHERITED = frozenset({"symmetric", "diagonal"})
_NAME = re.compile(r"^[^\W\d][\w]*$")


def parse_differentials(text: str, symbols: SymbolTable) -> SymbolTable:
    """A copy of `symbols` with the declared differentials: "x: dx, X: dX" (or "x, X", which
    names the directions dx and dX). Raises DeclarationError on a name that is not a declared
    variable, or a direction that is already declared."""
    table = SymbolTable()
    for key, sym in symbols.items():
        table.add(sym, symbols.display[key])
    table.definitions.update(symbols.definitions)
    for variable, direction in _pairs(text):
        base = symbols.lookup(variable)
        if base is None or base.is_function:
            raise DeclarationError(f"differential {direction}: {variable} is not a declared variable")
        if base.differential_of is not None:
            raise DeclarationError(f"differential {direction}: {variable} is itself a differential")
        if canonical_name(variable) in symbols.definitions:
            raise DeclarationError(f"differential {direction}: {variable} is defined by an expression; "
                                   f"pair its variables instead")
        if canonical_name(variable) in table.differentials():
            raise DeclarationError(f"differential {direction}: {variable} is paired twice")
        if table.lookup(direction) is not None:
            raise DeclarationError(f"differential {direction}: the name is already declared")
        if not _NAME.match(direction) or len(direction) > 20:
            raise DeclarationError(f"bad differential name {direction!r}")
        table.add(Symbol(direction, base.rows, base.cols, base.properties & _INHERITED,
                         differential_of=canonical_name(variable)), direction)
    return table


def _pairs(text: str) -> list[tuple[str, str]]:
    if len(text) > 2000:
        raise DeclarationError("differential declarations are too long (at most 2000 characters)")
    pairs = []
    for chunk in re.split(r"[,;]", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        variable, _, direction = (part.strip() for part in chunk.partition(":"))
        if not variable:
            raise DeclarationError(f"cannot read differential {chunk!r} (write x: dx)")
        pairs.append((variable, direction or f"d{variable}"))
    return pairs
