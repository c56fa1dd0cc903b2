"""Form rules of a part: what an answer may, must and must not be written with.

A part asks for more than a value: "in terms of σ(z)", "written with g, W₂, z₁ and z₂ only",
"simplified", "no norm symbols", "as a column", and it must not accept the name of the quantity it
asks for (δ₂ = … answered "δ₂"). These rules are checked on the answer as read (the tree), so the
live preview shows a violation before Enter and the checker reports it as `invalid`, which is not
counted as a wrong attempt. Parsing only: no numpy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from ..mathlang import MathError, SymbolTable, canonical_name, parse_declarations, read
from ..mathlang import ast as A
from ..mathlang.pretty import display_name

LITERALS = ("any", "column", "row")


@dataclass(frozen=True)
class Form:
    """A part's form rules, as the author wrote them (names resolved against the variant's symbols)."""

    forbid: tuple[str, ...] = ()    # symbols, defined names or functions that may not appear
    only: tuple[str, ...] = ()      # if given, the only declared symbols that may appear
    free_of: tuple[str, ...] = ()   # variables the answer must not contain, even through a definition
    require: tuple[str, ...] = ()   # symbols or functions that must appear
    literal: str = "any"            # "column": a flat row literal [1, 2] is refused, not read as the column
    asks: str | None = None         # the quantity the part asks for: its name may not be the answer

    @property
    def empty(self) -> bool:
        return self == Form()


@dataclass(frozen=True)
class Violation:
    message: str
    column: int | None = None


@dataclass(frozen=True)
class _Piece:
    """One thing an answer is written with: a symbol (by canonical name) or a function."""

    key: str   # "sym:δ1", "fn:sigma", "fn:norm", "fn:inverse", …
    col: int


@cache
def _probe_table() -> SymbolTable:
    return parse_declarations("ξ: scalar")


def resolve(item: str, symbols: SymbolTable) -> str | None:
    """The key of a rule item: a declared symbol, or a function or notation as the parser reads it
    (σ, sigma, tr, trace, ‖, norm, inv, ⁻¹, …). None when it names nothing the answer language has."""
    name = canonical_name(item.strip())
    if name in symbols:
        return f"sym:{name}"
    from ..mathlang.parser import parse

    for probe in (f"{item}(ξ)", f"{item}ξ{item}", f"ξ{item}"):
        try:
            tree = parse(probe, _probe_table())
        except MathError:
            continue
        key = _function_key(tree)
        if key is not None and _only_arg_is(tree, "ξ"):
            return key
    return None


def _function_key(node: A.Node) -> str | None:
    if isinstance(node, A.Call):
        return f"fn:{node.func}"
    if isinstance(node, A.Norm):
        return "fn:norm"
    if isinstance(node, A.Inverse):
        return "fn:inverse"
    if isinstance(node, A.Transpose):
        return "fn:transpose"
    return None


def _only_arg_is(node: A.Node, t: str) -> bool:
    children = node.children()
    return len(children) == 1 and isinstance(children[0], A.Sym) and children[0].name == t


def pieces(tree: A.Node) -> list[_Piece]:
    """Everything the answer is written with, in reading order."""
    out = []
    for node in A.walk(tree):
        if isinstance(node, (A.Sym, A.Entry)):
            out.append(_Piece(f"sym:{node.name}", node.col))
        elif isinstance(node, A.Apply):
            out.append(_Piece(f"sym:{node.func}", node.col))
        else:
            key = _function_key(node)
            if key is not None:
                out.append(_Piece(key, node.col))
    return out


def check_form(form: Form, tree: A.Node, symbols: SymbolTable) -> Violation | None:
    """The first rule the answer breaks, with a message naming the offending piece and what is asked."""
    if form.empty:
        return None
    used = pieces(tree)
    names = _Names(symbols)
    asked = _asked(form, names)
    forbidden = {resolve(item, symbols): item for item in form.forbid}
    if form.asks:
        forbidden.setdefault(resolve(form.asks, symbols), form.asks)
    for piece in used:
        if piece.key in forbidden:
            if form.asks and piece.key == resolve(form.asks, symbols):
                what = asked or f"write out what {names.show(piece.key, form.asks)} stands for"
                return Violation(f"your answer uses {names.show(piece.key, form.asks)}, the quantity this part "
                                 f"asks for; {what}", piece.col)
            return Violation(f"your answer uses {names.show(piece.key, forbidden[piece.key])}; "
                             f"{asked or 'write it without ' + names.join(form.forbid)}", piece.col)
    if form.only:
        allowed = {resolve(item, symbols) for item in form.only}
        for piece in used:
            if piece.key.startswith("sym:") and piece.key not in allowed:
                return Violation(f"your answer uses {names.show(piece.key)}; write it with "
                                 f"{names.join(form.only)} only", piece.col)
    for item in form.free_of:
        key = resolve(item, symbols)
        for piece in used:
            through = _through(piece.key, key, symbols)
            if through is not None:
                via = f" (through {names.show(piece.key)})" if through else ""
                return Violation(f"your answer still contains {names.show(key or '', item)}{via}; simplify it "
                                 f"until {names.join(form.free_of)} no longer appears", piece.col)
    keys = {piece.key for piece in used}
    for item in form.require:
        if resolve(item, symbols) not in keys:
            return Violation(f"your answer does not use {item}; write it in terms of {names.join(form.require)}")
    return _literal_violation(form.literal, tree)


def _asked(form: Form, names: _Names) -> str:
    """What the part asks for, said as an instruction (for a message about a forbidden piece)."""
    if form.only:
        return f"write it out with {names.join(form.only)}"
    if form.require:
        return f"write it in terms of {names.join(form.require)}"
    return ""


def _through(key: str, target: str | None, symbols: SymbolTable) -> bool | None:
    """Does the piece `key` contain `target`: False if it is it, True if through a definition, None if not."""
    if target is None:
        return None
    if key == target:
        return False
    return True if target in _expanded(key, symbols) else None


def _expanded(key: str, symbols: SymbolTable, seen: frozenset[str] = frozenset()) -> set[str]:
    """The symbols a defined name stands for, transitively (z = Wx + b contains W, x and b)."""
    name = key.removeprefix("sym:")
    text = symbols.definitions.get(name) if key.startswith("sym:") else None
    if text is None or name in seen:
        return set()
    try:
        tree = read(text, symbols).tree
    except MathError:
        return set()
    out = set()
    for piece in pieces(tree):
        out.add(piece.key)
        out |= _expanded(piece.key, symbols, seen | {name})
    return out


def _literal_violation(literal: str, tree: A.Node) -> Violation | None:
    """A row literal where a column is asked (or the other way round), anywhere in the answer."""
    if literal == "any":
        return None
    for node in A.walk(tree):
        if not isinstance(node, A.Matrix):
            continue
        rows, cols = len(node.rows), max((len(r) for r in node.rows), default=0)
        if literal == "column" and rows == 1 and cols > 1:
            return Violation("your answer is written as a row [a, b]; this part asks for a column: write [a; b] "
                             "or (a, b)", node.col)
        if literal == "row" and cols == 1 and rows > 1:
            return Violation("your answer is written as a column; this part asks for a row: write [a, b]", node.col)
    return None


_NOTATION = {"fn:norm": "‖·‖", "fn:inverse": "⁻¹", "fn:transpose": "ᵀ", "fn:abs": "|·|"}


@dataclass
class _Names:
    """Shows rule items and answer pieces the way the learner reads them (δ₁, W₂, σ)."""

    symbols: SymbolTable
    cache: dict[str, str] = field(default_factory=dict)

    def show(self, key: str, spelled: str | None = None) -> str:
        if key.startswith("sym:"):
            return display_name(key.removeprefix("sym:"), self.symbols)
        return _NOTATION.get(key) or spelled or key[3:]

    def join(self, items: tuple[str, ...]) -> str:
        shown = [self.show(resolve(item, self.symbols) or "", item) for item in items]
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
