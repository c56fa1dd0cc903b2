"""Form rules of a part: what an answer may, must and must not be written with.

A part asks for more than a value: "in terms of σ(z)", "written with g, W₂, z₁ and z₂ only",
"simplified", "no norm symbols", "no division left", "factor w out", "as a column", and it must
not accept the name of the quantity it asks for (δ₂ = … answered "δ₂"). These rules are checked
on the answer as read (the tree), so the live preview shows a violation before Enter and the
checker reports it as `invalid`, which is not counted as a wrong attempt. Parsing only: no numpy.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from ..mathlang import MathError, SymbolTable, canonical_name, parse_declarations, read
from ..mathlang import ast as A
from ..mathlang.pretty import display_name
from .model import Form

LITERALS = ("any", "column", "row")


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
    if item.strip() in DIVISION:
        return "op:divide"
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


DIVISION = ("/", "÷")
"""How a rule names division ("simplify: no fraction left"): any spelling of it, a / b, a ./ b,
a negative power (s^-1) or an inverse (inv(s), X⁻¹)."""


def _divides(node: A.Node) -> bool:
    if isinstance(node, (A.Div, A.HadamardDiv, A.Inverse)):
        return True
    if isinstance(node, A.Pow):
        exp = node.exp
        return isinstance(exp, A.Neg) or isinstance(exp, A.Num) and exp.value < 0
    return False


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
        if _divides(node):
            out.append(_Piece("op:divide", node.col))
    return out


@dataclass
class _Answer:
    """What every rule looks at: the rules, the answer's tree and pieces, and how to name things."""

    form: Form
    tree: A.Node
    symbols: SymbolTable
    used: list[_Piece]
    names: _Names

    def key(self, item: str) -> str | None:
        return resolve(item, self.symbols)


def check_form(form: Form, tree: A.Node, symbols: SymbolTable) -> Violation | None:
    """The first rule the answer breaks, with a message naming the offending piece and what is asked."""
    if form.empty:
        return None
    answer = _Answer(form, tree, symbols, pieces(tree), _Names(symbols))
    for rule in FORM_RULES:
        violation = rule(answer)
        if violation is not None:
            return violation
    return None


def _asks_itself(answer: _Answer) -> Violation | None:
    """`asks = "δ₂"`: the name of the quantity asked for is not its value."""
    form, names = answer.form, answer.names
    if form.asks is None:
        return None
    asked = answer.key(form.asks)
    for piece in answer.used:
        if piece.key == asked:
            shown = names.show(piece.key, form.asks)
            what = _asked(form, names) or f"write out what {shown} stands for"
            return Violation(f"your answer uses {shown}, the quantity this part asks for; {what}", piece.col)
    return None


def _forbidden(answer: _Answer) -> Violation | None:
    """`forbid`: symbols, defined names or functions that may not appear."""
    form, names = answer.form, answer.names
    forbidden = {answer.key(item): item for item in form.forbid}
    for piece in answer.used:
        if piece.key in forbidden:
            what = _asked(form, names) or f"write it without {names.join(form.forbid)}"
            return Violation(f"your answer uses {names.show(piece.key, forbidden[piece.key])}; {what}", piece.col)
    return None


def _only(answer: _Answer) -> Violation | None:
    """`only`: the declared symbols allowed ("written with g, W₂, z₁ and z₂ only")."""
    form, names = answer.form, answer.names
    if not form.only:
        return None
    allowed = {answer.key(item) for item in form.only}
    for piece in answer.used:
        if piece.key.startswith("sym:") and piece.key not in allowed:
            return Violation(f"your answer uses {names.show(piece.key)}; write it with {names.join(form.only)} only",
                             piece.col)
    return None


def _free_of(answer: _Answer) -> Violation | None:
    """`free_of`: variables that must not appear, even through a definition ("simplified")."""
    form, names = answer.form, answer.names
    for item in form.free_of:
        key = answer.key(item)
        for piece in answer.used:
            through = _through(piece.key, key, answer.symbols)
            if through is not None:
                via = f" (through {names.show(piece.key)})" if through else ""
                return Violation(f"your answer still contains {names.show(key or '', item)}{via}; simplify it "
                                 f"until it no longer contains {names.join(form.free_of)}", piece.col)
    return None


def _required(answer: _Answer) -> Violation | None:
    """`require`: what must appear ("in terms of σ(z)")."""
    keys = {piece.key for piece in answer.used}
    for item in answer.form.require:
        if answer.key(item) not in keys:
            return Violation(f"your answer does not use {item}; write it in terms of "
                             f"{answer.names.join(answer.form.require)}")
    return None


def _literal(answer: _Answer) -> Violation | None:
    """`literal`: a row literal where a column is asked (or the other way round), anywhere."""
    return _literal_violation(answer.form.literal, answer.tree)


def _factored(answer: _Answer) -> Violation | None:
    """`factor`: the answer is a product (up to its sign) one of whose factors is written as the
    given expression or its transpose ("a matrix times the old error", "simplifies to (…)w"):
    compared as printed, so inv(A), A^-1 and A⁻¹ are one spelling."""
    factor = answer.form.factor
    if factor is None:
        return None
    from ..mathlang.pretty import pretty

    try:
        wanted = pretty(read(factor, answer.symbols).tree, answer.symbols)
    except MathError:
        return None  # reported by the loader
    node = answer.tree
    while isinstance(node, A.Neg):
        node = node.arg
    factors, stack = [], [node]
    while stack:
        piece = stack.pop()
        if isinstance(piece, A.Mul):
            stack += [piece.left, piece.right]
        else:
            factors.append(piece)
    shown = [pretty(f.arg if isinstance(f, A.Transpose) else f, answer.symbols) for f in factors]
    if len(factors) > 1 and wanted in shown:
        return None
    named = wanted if wanted.isalnum() else f"({wanted})"
    return Violation(f"your answer is not written as a product with the factor {named}; factor {named} out")


FORM_RULES: tuple[Callable[[_Answer], Violation | None], ...] = (
    _asks_itself, _forbidden, _only, _free_of, _required, _literal, _factored,
)
"""The rules in the order they are checked; the first one broken is reported."""


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


_NOTATION = {"fn:norm": "‖·‖", "fn:inverse": "⁻¹", "fn:transpose": "ᵀ", "fn:abs": "|·|", "op:divide": "a division"}


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
