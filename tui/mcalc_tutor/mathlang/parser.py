"""A hand-written Pratt parser for the answer language (see DESIGN.md).

It builds an AST from tokens and the exercise's declared symbols. Limits (length, nesting depth,
tree size, literal size, exponent size and power-tower height) are enforced while parsing, before
anything is evaluated; nothing the learner types is ever executed.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

from . import ast as A
from .errors import ParseError, ShapeError
from .functions import SPELLINGS, FunctionSpec, spec_of
from .lexer import Token, tokenize
from .shapes import Var, infer
from .symbols import SUBSCRIPT_DIGITS, SymbolTable, canonical_name

MAX_DEPTH = 60
MAX_NODES = 1500
MAX_LITERAL_ENTRIES = 400
MAX_EXPONENT = 64
MAX_POWER_TOWER = 2

FUNCTIONS = SPELLINGS  # name as typed -> canonical built-in (from the function registry)
CONSTANTS = {"pi": "pi", "π": "pi", "e": "e"}

# what may follow ^ to mean a transpose or an inverse (T stands for T, ⊤, \top, and t when no t is declared)
_EXPONENT_PATTERNS = (
    (("T",), "T"), (("{", "T", "}"), "T"), (("(", "T", ")"), "T"),
    (("{", "-", "1", "}"), "-1"),
    (("{", "-", "T", "}"), "-T"), (("(", "-", "T", ")"), "-T"), (("-", "T"), "-T"),
)
_PIECES = {"{": ("LC", "{"), "}": ("RC", "}"), "(": ("LP", "("), ")": ("RP", ")"), "-": ("OP", "-"),
           "1": ("NUM", "1")}

BP_ADD, BP_FROBENIUS, BP_MUL, BP_PREFIX, BP_POW, BP_POST = 10, 15, 20, 25, 30, 40


def parse(text: str, symbols: SymbolTable | None = None) -> A.Node:
    """Parse `text` into an AST; raises ParseError with a column on any problem."""
    if not text or not text.strip():
        raise ParseError("the answer is empty", 0)
    return _Parser(tokenize(text), symbols or SymbolTable()).parse_all()


class _Parser:
    def __init__(self, tokens: list[Token], symbols: SymbolTable):
        self.tokens = tokens
        self.pos = 0
        self.symbols = symbols
        self.depth = 0
        self.nodes = 0
        self.open_bars: list[str] = []  # "|" or "‖" currently open, so a bar can close them
        self.in_differential = False
        self.space_separates = False  # inside a MATLAB-style row [3 1; 1 1]: a space starts a new entry

    # -- token helpers ------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, kind: str, what: str, opened: Token | None = None) -> Token:
        if self.tok.kind != kind:
            if opened is not None and self.tok.kind == "END":
                raise ParseError(f"'{opened.text}' is never closed", opened.col)
            found = "the end of the answer" if self.tok.kind == "END" else f"'{self.tok.text}'"
            raise ParseError(f"expected {what} but found {found}", self.tok.col)
        return self.advance()

    def node(self, cls, *args, col: int):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ParseError(f"the answer is too complicated (more than {MAX_NODES} parts)", col)
        return cls(*args, col=col)

    # -- entry --------------------------------------------------------------------------------
    def parse_all(self) -> A.Node:
        tree = self.expr(0)
        if self.tok.kind != "END":
            tok = self.tok
            if tok.kind in ("RP", "RB", "RC"):
                raise ParseError(f"unmatched '{tok.text}'", tok.col)
            raise ParseError(f"unexpected '{tok.text}'", tok.col)
        return tree

    def expr(self, rbp: int) -> A.Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"the answer is nested too deeply (at most {MAX_DEPTH} levels)", self.tok.col)
        try:
            left = self.nud(self.advance())
            while True:
                lbp = self.left_bp(self.tok)
                if lbp <= rbp:
                    break
                left = self.led(left, self.tok, lbp)
            return left
        finally:
            self.depth -= 1

    # -- binding powers -----------------------------------------------------------------------
    def left_bp(self, tok: Token) -> int:
        if self.ends_entry(tok):
            return 0
        if tok.kind == "OP":
            if tok.text in "+-":
                return BP_ADD
            if tok.text in ("*", "·", "/", "⊙", "⊘", "\\"):
                return BP_MUL
            if tok.text == "^":
                return BP_POW
            if tok.text == ":":
                return BP_FROBENIUS
            if tok.text == "√":
                return BP_MUL  # 4√5: juxtaposition
            return 0
        if tok.kind == "POST":
            return BP_POST
        if self.starts_operand(tok):
            return BP_MUL  # juxtaposition: 2x, A x, x^T A x
        return 0

    def starts_operand(self, tok: Token) -> bool:
        if tok.kind in ("NUM", "NAME", "LP", "LB", "LANGLE"):
            return True
        if tok.kind == "OP" and tok.text == "√":
            return True
        if tok.kind == "BAR":
            return not (self.open_bars and self.open_bars[-1] == "|")
        if tok.kind == "DBAR":
            return not (self.open_bars and self.open_bars[-1] == "‖")
        return False

    # -- prefix position ----------------------------------------------------------------------
    def nud(self, tok: Token) -> A.Node:
        kind = tok.kind
        if kind == "NUM":
            return self.number(tok)
        if kind == "NAME":
            return self.name(tok)
        if kind == "OP" and tok.text == "-":
            return self.node(A.Neg, self.expr(BP_PREFIX), col=tok.col)
        if kind == "OP" and tok.text == "+":
            return self.expr(BP_PREFIX)
        if kind == "OP" and tok.text == "√":
            return self.node(A.Call, "sqrt", (self.expr(BP_POW - 1),), col=tok.col)
        if kind == "LP":
            return self.parenthesised(tok)
        if kind == "LB":
            return self.bracket_literal(tok)
        if kind == "LC":
            inner = self.expr(0)
            self.expect("RC", "'}'", tok)
            return inner
        if kind in ("BAR", "DBAR"):
            return self.bars(tok)
        if kind == "LANGLE":
            return self.inner_product(tok)
        if kind == "END":
            raise ParseError("the answer ends too early: something is missing here", tok.col)
        if kind in ("RP", "RB", "RC"):
            raise ParseError(f"unmatched '{tok.text}'", tok.col)
        if kind == "POST" and tok.text == "T":
            raise ParseError("a transpose needs something before it", tok.col)
        raise ParseError(f"unexpected '{tok.text}'", tok.col)

    def number(self, tok: Token) -> A.Node:
        text = tok.text
        try:
            if "e" in text.lower():
                mantissa, _, exponent = text.lower().partition("e")
                if abs(int(exponent)) > 300:
                    raise ParseError("number out of range", tok.col)
                value: Fraction | float = Fraction(mantissa) * Fraction(10) ** int(exponent)
            else:
                value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ParseError(f"cannot read the number {text!r}", tok.col) from None
        return self.node(A.Num, value, col=tok.col)

    def name(self, tok: Token) -> A.Node:
        word = tok.text
        if word.startswith("\\"):
            word = word[1:]
        key = canonical_name(word)
        sym = self.symbols.get(key)
        if sym is not None:
            if sym.is_function:
                return self.generic_function(tok, key)
            return self.node(A.Sym, key, col=tok.col)
        if word == "d" and self.symbols.differentials():
            return self.differential(tok)
        if word in FUNCTIONS:
            return self.function(tok, FUNCTIONS[word])
        if word == "frac" and self.tok.kind == "LC":  # LaTeX \frac{a}{b}
            numerator = self.nud(self.advance())
            if self.tok.kind != "LC":
                raise ParseError("\\frac needs two groups: \\frac{a}{b}", tok.col)
            denominator = self.nud(self.advance())
            return self.node(A.Div, numerator, denominator, col=tok.col)
        if word in CONSTANTS:
            return self.node(A.Const, CONSTANTS[word], col=tok.col)
        if word == "I":
            return self.node(A.Identity, col=tok.col)
        identity = self.sized_identity(word, tok)
        if identity is not None:
            return identity
        entry = self.vector_entry(word, tok)
        if entry is not None:
            return entry
        pieces = self.split_word(word)
        if pieces is None:
            known = ", ".join(self.symbols.display[k] for k in self.symbols) or "none"
            if word in ("T",):
                raise ParseError("a transpose is written x^T, xᵀ, x' or x.T", tok.col)
            if word in ("lambda", "import", "eval", "exec", "class", "def", "os", "sys"):
                raise ParseError(f"'{word}' is not part of the answer language", tok.col)
            raise ParseError(f"unknown symbol '{word}' (declared: {known})", tok.col)
        # The pieces go back into the token stream as separate names, so that a postfix or a power
        # binds to the last piece only, as it would with spaces: `ssᵀ` is s·sᵀ, `abᵀ` is a·bᵀ.
        split, col = [], tok.col
        for piece in pieces:
            split.append(Token("NAME", piece, col))
            col += len(piece)
        self.tokens[self.pos:self.pos] = split[1:]
        first = pieces[0]
        if first in FUNCTIONS and self.symbols.get(canonical_name(first)) is None:
            return self.function(split[0], FUNCTIONS[first])
        return self.resolve_piece(first, tok.col)

    def differential(self, tok: Token) -> A.Node:
        """d(expr), or `d x` for the declared direction dx (when no symbol d is declared)."""
        pairs = self.symbols.differentials()
        if self.tok.kind == "NAME" and canonical_name(self.tok.text) in pairs:
            name = self.advance()
            return self.node(A.Sym, pairs[canonical_name(name.text)], col=tok.col)
        if self.tok.kind != "LP":
            declared = ", ".join(self.symbols.display[d] for d in pairs.values())
            raise ParseError(f"d is the differential: write d(expression) or a direction ({declared})", tok.col)
        if self.in_differential:
            raise ParseError("a differential inside a differential is not supported", tok.col)
        opened = self.advance()
        self.in_differential = True
        try:
            with self.grouping():
                arg = self.expr(0)
        finally:
            self.in_differential = False
        self.expect("RP", "')'", opened)
        return self.node(A.Differential, arg, tuple(pairs.items()), self.definitions_used(arg), col=tok.col)

    def definitions_used(self, tree: A.Node) -> tuple[tuple[str, A.Node], ...]:
        """The defined names `tree` depends on, directly or through other definitions, parsed."""
        found: dict[str, A.Node] = {}
        pending = [tree]
        while pending:
            for node in A.walk(pending.pop()):
                if isinstance(node, A.Sym) and node.name in self.symbols.definitions and node.name not in found:
                    found[node.name] = parse(self.symbols.definitions[node.name], self.symbols)
                    pending.append(found[node.name])
        return tuple(found.items())

    def sized_identity(self, word: str, tok: Token) -> A.Node | None:
        """`I_n`, `I₃`, `I_{m}`: an identity matrix of a declared size (when no such name is declared)."""
        match = re.fullmatch(r"I_?\{?([0-9]{1,2}|[A-Za-z][A-Za-z0-9]*)\}?", word.translate(SUBSCRIPT_DIGITS))
        if match is None or "I" in self.symbols:
            return None
        size = match.group(1)
        if size.isdigit():
            return self.node(A.Identity, int(size), col=tok.col)
        if size in self.symbols.size_names():
            return self.node(A.Identity, size, col=tok.col)
        return None

    def vector_entry(self, word: str, tok: Token) -> A.Node | None:
        """`x_1`, `x₁`, `x1` for the first entry of a declared vector x (when no such name is declared)."""
        match = re.fullmatch(r"(.+?)_?\{?([0-9]{1,2})\}?", word.translate(SUBSCRIPT_DIGITS))
        if match is None:
            return None
        base = self.symbols.get(canonical_name(match.group(1)))
        index = int(match.group(2))
        if base is None or base.is_function or base.cols != 1 or base.rows == 1:
            return None
        if index < 1 or (isinstance(base.rows, int) and index > base.rows):
            raise ParseError(f"{word}: {match.group(1)} has no entry {index}", tok.col)
        return self.node(A.Entry, canonical_name(match.group(1)), index, col=tok.col)

    def resolve_piece(self, piece: str, col: int) -> A.Node:
        key = canonical_name(piece)
        sym = self.symbols.get(key)
        if sym is not None:
            if sym.is_function:
                return self.generic_function(Token("NAME", piece, col), key)
            return self.node(A.Sym, key, col=col)
        if piece in CONSTANTS:
            return self.node(A.Const, CONSTANTS[piece], col=col)
        return self.node(A.Identity, col=col)  # "I" is the only other piece split_word allows

    def split_word(self, word: str) -> list[str] | None:
        """Split juxtaposed letters into declared names: `Ax` → A·x when `Ax` is not declared.

        Pieces are declared symbols, constants, `I`, or a function name as the last piece
        (`2xsin` is not split, `xsin x` is not either). Fewest pieces wins.
        """
        n = len(word)
        if n > 40:
            return None
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            if best[i] is None:
                continue
            for j in range(i + 1, n + 1):
                piece = word[i:j]
                ok = (canonical_name(piece) in self.symbols or piece in CONSTANTS or piece == "I"
                      or (j == n and i > 0 and piece in FUNCTIONS))
                if not ok:
                    continue
                candidate = [*(best[i] or []), piece]
                current = best[j]
                if current is None or len(candidate) < len(current):
                    best[j] = candidate
        return best[n]

    def function(self, tok: Token, func: str) -> A.Node:
        spec = spec_of(func)
        order = self.derivative_order(tok, spec)
        power = self.function_power(tok)
        args = self.function_arguments(tok)
        if func == "diag" and len(args) > 1:  # diag(2, -2), as the chapter writes a diagonal Hessian
            self.check_literal_size(len(args), tok)
            args = [self.node(A.Matrix, tuple((arg,) for arg in args), col=tok.col)]
        if len(args) != spec.arity:
            raise ParseError(f"{tok.text} takes {spec.arity} argument{'s' if spec.arity > 1 else ''}, "
                             f"got {len(args)}", tok.col)
        result = self.function_node(tok, spec, args, order)
        if power is not None:
            result = self.node(A.Pow, result, power, col=tok.col)
        return result

    def derivative_order(self, tok: Token, spec: FunctionSpec) -> int:
        """relu'(z), σ'(z): the registry's derivative of an element-wise function."""
        order = 0
        while self.tok.kind == "POST" and self.tok.text == "'":
            self.advance()
            order += 1
        if order and spec.derivative is None:
            raise ParseError(f"the derivative {tok.text}' is not part of the answer language; "
                             f"write it out", tok.col)
        if order > 1:
            raise ParseError(f"only a first derivative of {tok.text} is supported; write {tok.text}'' out",
                             tok.col)
        return order

    def function_power(self, tok: Token) -> A.Node | None:
        """sin^2 x and sin² x mean (sin x)^2."""
        if self.tok.kind == "OP" and self.tok.text == "^" and self.tokens[self.pos + 1].kind == "NUM":
            self.advance()
            return self.number(self.advance())
        if self.tok.kind == "POST" and self.tok.text.isdigit():
            return self.node(A.Num, Fraction(int(self.advance().text)), col=tok.col)
        return None

    def function_arguments(self, tok: Token) -> list[A.Node]:
        if self.tok.kind == "LP":
            opened = self.advance()
            with self.grouping():
                args = [self.expr(0)]
                while self.tok.kind == "COMMA":
                    self.advance()
                    args.append(self.expr(0))
            self.expect("RP", "')'", opened)
            return args
        if self.tok.kind == "LB":  # tr[AB]: the brackets delimit the argument, as parentheses would
            return [self.bracket_literal(self.advance())]
        if self.tok.kind in ("END", "RP", "RB", "COMMA", "SEMI") or (self.tok.kind == "OP" and self.tok.text in "+*/^"):
            raise ParseError(f"{tok.text} needs an argument", tok.col)
        return [self.bare_argument()]

    def function_node(self, tok: Token, spec: FunctionSpec, args: list[A.Node], order: int) -> A.Node:
        if spec.node == "inverse":
            return self.node(A.Inverse, args[0], col=tok.col)
        if spec.node == "transpose":
            return self.node(A.Transpose, args[0], col=tok.col)
        if spec.node == "hadamard":
            return self.node(A.Hadamard, args[0], args[1], col=tok.col)
        if spec.node == "norm":
            return self.node(A.Norm, args[0], self.norm_subscript() or "", col=tok.col)
        return self.node(A.Call, spec.name, tuple(args), order, col=tok.col)

    def bare_argument(self) -> A.Node:
        """`sin 2x` is sin(2x), `ln det X` is ln(det X), `sin x cos y` is sin(x)·cos(y), and a space
        ends the argument: `det X X^{-T}` is det(X)·X⁻ᵀ."""
        arg = self.expr(BP_POW - 1)
        while self.starts_operand(self.tok) and not self.is_function_name(self.tok) and not self.tok.spaced:
            nxt = self.expr(BP_POW - 1)
            arg = self.node(A.Mul, arg, nxt, col=arg.col)
        return arg

    def is_function_name(self, tok: Token) -> bool:
        if tok.kind != "NAME":
            return False
        sym = self.symbols.lookup(tok.text)
        return (sym is not None and sym.is_function) or (sym is None and tok.text in FUNCTIONS)

    def generic_function(self, tok: Token, key: str) -> A.Node:
        order = 0
        while self.tok.kind == "POST" and self.tok.text == "'":
            self.advance()
            order += 1
        if order > 2:
            raise ParseError("at most a second derivative (f'') is supported", tok.col)
        if self.tok.kind == "LP":
            opened = self.advance()
            arg = self.expr(0)
            self.expect("RP", "')'", opened)
        elif self.starts_operand(self.tok):
            arg = self.bare_argument()
        else:
            raise ParseError(f"{tok.text} is a function: write {tok.text}(z)", tok.col)
        return self.node(A.Apply, key, order, arg, col=tok.col)

    @contextmanager
    def grouping(self) -> Iterator[None]:
        """Inside brackets of any kind, bars opened outside cannot close (|(a|b|)|), and spaces
        no longer separate the entries of a MATLAB-style row ([f(a b) c])."""
        saved = self.open_bars, self.space_separates
        self.open_bars, self.space_separates = [], False
        try:
            yield
        finally:
            self.open_bars, self.space_separates = saved

    def parenthesised(self, opened: Token) -> A.Node:
        with self.grouping():
            first = self.expr(0)
            if self.tok.kind in ("COMMA", "SEMI"):  # (a, b) and (a; b) are column vectors
                items = [first]
                separator = self.tok.kind
                while self.tok.kind == separator:
                    self.advance()
                    items.append(self.expr(0))
                self.expect("RP", "')'", opened)
                self.check_literal_size(len(items), opened)
                return self.node(A.Matrix, tuple((item,) for item in items), col=opened.col)
            self.expect("RP", "')'", opened)
            return first

    def bracket_literal(self, opened: Token) -> A.Node:
        with self.grouping():
            if self.tok.kind == "LB":  # [[1, 2], [3, 4]]
                rows = self.nested_rows()
            else:
                rows = self.matlab_rows() or self.rows()
            self.expect("RB", "']'", opened)
        if len(rows) == 1 and len(rows[0]) == 1 and self.shape_of(rows[0][0]) not in (None, (1, 1)):
            return rows[0][0]  # [A + B]x: brackets that group a matrix or vector, not a literal
        widths = {len(r) for r in rows}
        if len(widths) != 1:
            raise ParseError("the rows of this matrix have different lengths", opened.col)
        self.check_literal_size(len(rows) * len(rows[0]), opened)
        return self.node(A.Matrix, tuple(tuple(r) for r in rows), col=opened.col)

    def nested_rows(self) -> list[list[A.Node]]:
        rows = []
        while True:
            row_open = self.expect("LB", "'['")
            rows.append(self.row_entries())
            self.expect("RB", "']'", row_open)
            if self.tok.kind not in ("COMMA", "SEMI"):
                return rows
            self.advance()

    def rows(self) -> list[list[A.Node]]:
        rows = [self.row_entries()]
        while self.tok.kind == "SEMI":
            self.advance()
            rows.append(self.row_entries())
        return rows

    def matlab_rows(self) -> list[list[A.Node]] | None:
        """[3 1; 1 1] and [1 -2 3] as MATLAB reads them, spaces between entries, when the literal has
        no commas and every entry so read is a scalar; otherwise None and the parser reads the
        spaces as products ([xᵀA x] is the 1×1 literal xᵀAx), from the same place."""
        if not self.spaced_without_commas():
            return None
        saved = self.pos, self.nodes, list(self.tokens)
        self.space_separates = True
        try:
            rows = self.rows()
        except ParseError:
            rows = None
        finally:
            self.space_separates = False
        if rows is not None and self.tok.kind == "RB" and max(map(len, rows)) > 1 and \
                all(self.shape_of(entry) == (1, 1) for row in rows for entry in row):
            return rows
        self.pos, self.nodes, self.tokens = saved
        return None

    def spaced_without_commas(self) -> bool:
        """Whether the literal that starts here has a space between two of its top-level tokens, no
        comma at its top level and no bracket inside (so that no reading is ever tried twice inside
        another: nested tries would take exponential time)."""
        depth, spaced = 0, False
        for tok in self.tokens[self.pos:]:
            if tok.kind == "LB":
                return False
            if tok.kind in ("LP", "LC"):
                depth += 1
            elif tok.kind in ("RP", "RB", "RC"):
                if depth == 0:
                    return spaced
                depth -= 1
            elif tok.kind == "COMMA" and depth == 0:
                return False
            elif tok.kind == "END":
                return False
            spaced = spaced or (tok.spaced and depth == 0 and tok is not self.tok)
        return False

    def row_entries(self) -> list[A.Node]:
        entries = [self.expr(0)]
        while self.tok.kind == "COMMA" or (self.space_separates and self.starts_entry(self.tok)):
            if self.tok.kind == "COMMA":
                self.advance()
            entries.append(self.expr(0))
        return entries

    def starts_entry(self, tok: Token) -> bool:
        return self.starts_operand(tok) or (tok.kind == "OP" and tok.text in "+-")

    def ends_entry(self, tok: Token) -> bool:
        """In a MATLAB-style row, a space before an operand starts the next entry ([3 1]), and so
        does a sign glued to what follows it ([1 -2]); `1 - 2` stays a difference."""
        if not (self.space_separates and tok.spaced):
            return False
        if tok.kind == "OP" and tok.text in "+-":
            following = self.tokens[self.pos + 1]
            return not following.spaced and self.starts_operand(following)
        return self.starts_operand(tok)

    def check_literal_size(self, count: int, tok: Token) -> None:
        if count > MAX_LITERAL_ENTRIES:
            raise ParseError(f"literal too large ({count} entries; at most {MAX_LITERAL_ENTRIES})", tok.col)

    def bars(self, opened: Token) -> A.Node:
        bar = "|" if opened.kind == "BAR" else "‖"
        self.open_bars.append(bar)
        try:
            inner = self.expr(0)
        finally:
            self.open_bars.pop()
        if opened.kind == "BAR" and self.tok.kind == "DBAR" and bar == "|":
            raise ParseError("'|' is never closed", opened.col)
        self.expect(opened.kind, f"a closing '{bar}'", opened)
        if bar == "|":
            func = "det" if self.is_square_matrix(inner) else "abs"
            return self.node(A.Call, func, (inner,), col=opened.col)
        self.subscript_before_power()
        return self.node(A.Norm, inner, self.norm_subscript() or "", col=opened.col)

    def inner_product(self, opened: Token) -> A.Node:
        """⟨a, b⟩ (also <a, b>, \\langle a, b \\rangle): the sum of a ⊙ b, which is aᵀb for vectors and
        tr(AᵀB) for matrices."""
        with self.grouping():
            left = self.expr(0)
            self.expect("COMMA", "',' between the two sides of ⟨a, b⟩", opened)
            right = self.expr(0)
        self.expect("RANGLE", "a closing '⟩'", opened)
        product = self.node(A.Hadamard, left, right, col=opened.col)
        return self.node(A.Call, "sum", (product,), col=opened.col)

    def is_square_matrix(self, node: A.Node) -> bool:
        """|X| is the determinant of a square matrix (the Matrix Cookbook's notation), else |x| is the
        absolute value; a part that cannot be typed is left to shape inference to report."""
        shape = self.shape_of(node)
        return shape is not None and shape[0] == shape[1] and shape[0] != 1 and not isinstance(shape[0], Var)

    def shape_of(self, node: A.Node) -> tuple[object, object] | None:
        try:
            return infer(node, self.symbols).shape
        except ShapeError:
            return None

    def subscript_before_power(self) -> None:
        """‖x‖²₂ and ‖x‖^2_2 as ‖x‖₂²: the norm's subscript is moved before the power."""
        toks = self.tokens[self.pos:self.pos + 4]
        if len(toks) > 1 and toks[0].kind == "POST" and toks[0].text.isdigit() and toks[1].kind == "SUBNUM":
            self.tokens[self.pos:self.pos + 2] = [toks[1], toks[0]]
        elif len(toks) == 4 and toks[0].text == "^" and toks[1].kind == "NUM" and toks[2].kind == "SUB" and \
                toks[3].kind in ("NUM", "NAME"):
            self.tokens[self.pos:self.pos + 4] = [toks[2], toks[3], toks[0], toks[1]]

    def norm_subscript(self) -> str | None:
        tok = self.tok
        if tok.kind == "SUBNUM":
            self.advance()
            return tok.text
        if tok.kind != "SUB":
            return None
        self.advance()
        sub = self.advance()
        if sub.kind == "LC":
            sub = self.advance()
            self.expect("RC", "'}'")
        text = sub.text
        if text in ("1", "2", "F", "inf", "∞", "infty", "fro", "*", "nuc"):
            return {"∞": "inf", "infty": "inf", "fro": "F", "nuc": "*"}.get(text, text)
        if sub.kind == "NUM" and text.isdigit() and 1 <= int(text) <= 10:
            return text
        raise ParseError(f"unknown norm subscript '{text}' (use 1, 2, F, inf or a small integer p)", sub.col)

    # -- infix / postfix position -------------------------------------------------------------
    def led(self, left: A.Node, tok: Token, lbp: int) -> A.Node:
        if tok.kind == "POST":
            self.advance()
            return self.postfix(left, tok)
        if tok.kind == "OP" and tok.text != "√":  # √ after an operand is juxtaposition: 4√5
            self.advance()
            op = tok.text
            if op == "+":
                return self.node(A.Add, left, self.expr(BP_ADD), col=tok.col)
            if op == "-":
                return self.node(A.Sub, left, self.expr(BP_ADD), col=tok.col)
            if op == "*":
                return self.node(A.Mul, left, self.expr(BP_MUL), col=tok.col)
            if op == "·":
                return self.node(A.Mul, left, self.expr(BP_MUL), True, col=tok.col)
            if op == "/":
                return self.node(A.Div, left, self.expr(BP_MUL), col=tok.col)
            if op == "⊙":
                return self.node(A.Hadamard, left, self.expr(BP_MUL), col=tok.col)
            if op == "⊘":
                return self.node(A.HadamardDiv, left, self.expr(BP_MUL), col=tok.col)
            if op == ":":  # the Frobenius product A : B = tr(AᵀB), looser than products: A : X B
                product = self.node(A.Hadamard, left, self.expr(BP_FROBENIUS), col=tok.col)
                return self.node(A.Call, "sum", (product,), col=tok.col)
            if op == "\\":  # MATLAB's left division: A\\b is A⁻¹b
                return self.node(A.Mul, self.node(A.Inverse, left, col=tok.col), self.expr(BP_MUL), col=tok.col)
            if op == "^":
                return self.power(left, tok)
        # juxtaposition
        return self.node(A.Mul, left, self.expr(BP_MUL), col=left.col)

    def postfix(self, left: A.Node, tok: Token) -> A.Node:
        text = tok.text
        if text in ("T", "'"):
            return self.node(A.Transpose, left, col=tok.col)
        if text == "-1":
            return self.node(A.Inverse, left, col=tok.col)
        if text == "-T":
            return self.node(A.Inverse, self.node(A.Transpose, left, col=tok.col), col=tok.col)
        try:
            value = int(text)
        except ValueError:
            raise ParseError(f"cannot read the superscript '{text}'", tok.col) from None
        self.check_exponent(Fraction(value), tok.col)
        return self.node(A.Pow, left, self.node(A.Num, Fraction(value), col=tok.col), col=tok.col)

    def power(self, base: A.Node, tok: Token) -> A.Node:
        nxt = self.tok
        # ^T, ^{T}, ^-1, ^{-1}, ^{-T}, ^⊤
        special = self.transpose_or_inverse_exponent()
        if special == "T":
            return self.node(A.Transpose, base, col=tok.col)
        if special == "-1":
            return self.node(A.Inverse, base, col=tok.col)
        if special == "-T":
            return self.node(A.Inverse, self.node(A.Transpose, base, col=tok.col), col=tok.col)
        exponent = self.expr(BP_POW - 1)  # right associative
        if _tower_height(exponent) >= MAX_POWER_TOWER:
            raise ParseError(f"power tower too tall (at most {MAX_POWER_TOWER} levels)", tok.col)
        try:
            value = constant_value(exponent)
        except OverflowError:
            value = Fraction(10**13)  # too large to fold is too large to use
        if value is not None:
            self.check_exponent(value, nxt.col)
        return self.node(A.Pow, base, exponent, col=tok.col)

    def transpose_or_inverse_exponent(self) -> str | None:
        """^T, ^{T}, ^(T), ^t, ^-1 in braces, ^{-T}, ^(-T), ^-T: the kind ("T", "-1", "-T"), or None."""
        first = self.tok
        if first.kind == "NAME" and len(first.text) > 1 and self.exponent_piece(Token("NAME", first.text[0], 0), "T") \
                and canonical_name(first.text) not in self.symbols and self.glued_after_transpose(first.text[1:]):
            # X^TX, X^Tσ(Xw), x^tAx: the T is the transpose, the rest is the next factor
            self.tokens[self.pos] = Token("NAME", first.text[1:], first.col + 1)
            return "T"
        for pattern, kind in _EXPONENT_PATTERNS:
            toks = self.tokens[self.pos:self.pos + len(pattern)]
            if len(toks) == len(pattern) and all(self.exponent_piece(t, p) for t, p in zip(toks, pattern, strict=True)):
                self.pos += len(pattern)
                return kind
        return None

    def glued_after_transpose(self, rest: str) -> bool:
        return self.split_word(rest) is not None or (rest in FUNCTIONS and self.symbols.lookup(rest) is None)

    def exponent_piece(self, tok: Token, piece: str) -> bool:
        if piece == "T":
            return (tok.kind == "NAME" and (tok.text in ("T", "⊤", "top") or
                                            (tok.text == "t" and self.symbols.lookup("t") is None))) or \
                (tok.kind == "POST" and tok.text == "T")
        return (tok.kind, tok.text) == _PIECES[piece]

    def check_exponent(self, value: Fraction, col: int) -> None:
        if abs(value) > MAX_EXPONENT:
            shown = _short(value)
            raise ParseError(f"exponent {shown} is too large (at most {MAX_EXPONENT} in size)", col)


def _short(value: Fraction) -> str:
    text = str(value)
    return text if len(text) <= 12 else f"~10^{len(str(abs(value.numerator))) - len(str(value.denominator))}"


def _tower_height(node: A.Node) -> int:
    height = 0
    while isinstance(node, A.Pow):
        height += 1
        node = node.exp
    return height


def constant_value(node: A.Node) -> Fraction | None:
    """The exact value of a constant expression (numbers, + − × ÷, whole powers), or None when it
    is not constant. Refuses with OverflowError before any number can grow large."""
    if isinstance(node, A.Num):
        return Fraction(node.value)
    if isinstance(node, A.Neg):
        inner = constant_value(node.arg)
        return None if inner is None else -inner
    if isinstance(node, (A.Add, A.Sub, A.Mul, A.Div)):
        a, b = constant_value(node.left), constant_value(node.right)
        if a is None or b is None:
            return None
        if max(abs(a), abs(b)) > 10**12:
            raise OverflowError("constant too large to fold")
        if isinstance(node, A.Add):
            return a + b
        if isinstance(node, A.Sub):
            return a - b
        if isinstance(node, A.Mul):
            return a * b
        return a / b if b != 0 else None
    if isinstance(node, A.Pow):
        base, exp = constant_value(node.base), constant_value(node.exp)
        if base is None or exp is None:
            return None
        if exp.denominator != 1 or abs(exp) > MAX_EXPONENT or abs(base) > 10**6:
            raise OverflowError("power too large to fold")
        if base == 0 and exp < 0:
            return None
        return base ** int(exp)
    return None
