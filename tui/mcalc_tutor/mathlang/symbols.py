"""Declared symbols: names with shapes and properties, parsed from specs like "A: n×n symmetric".

Names are canonicalised so that `x_1`, `x1` and `x₁` (and `delta_z`, `δ_z`, `δz`) are one symbol.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .errors import DeclarationError

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "eps": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "lam": "λ",
    "mu": "μ", "nu": "ν", "xi": "ξ", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ϵϑϕϱϖ", "0123456789εθφρπ")  # digits; Greek variant forms
PROPERTIES = ("symmetric", "positive definite", "invertible", "diagonal", "positive")
_PROPERTY_ALIASES = {
    "spd": ("symmetric", "positive definite"), "pd": ("positive definite",),
    "positive-definite": ("positive definite",), "posdef": ("positive definite",),
    "nonsingular": ("invertible",), "sym": ("symmetric",), "positive": ("positive",),
    "symmetric": ("symmetric",), "invertible": ("invertible",), "diagonal": ("diagonal",),
}


def canonical_name(name: str) -> str:
    """One spelling per symbol: NFC, subscript digits as digits, no underscores, Greek as letters.

    `delta_z` → `δz`, `x_1` → `x1`, `σ₁` → `σ1`. A Greek word is converted only when it is the
    whole name or the part before an underscore or digit, so `beta` and `beta_1` convert while
    `beat` does not.
    """
    name = unicodedata.normalize("NFC", name).translate(SUBSCRIPT_DIGITS)
    match = re.match(r"([A-Za-z]+)(.*)", name)
    if match and match.group(1) in GREEK and (not match.group(2) or match.group(2)[0] in "_0123456789{"):
        name = GREEK[match.group(1)] + match.group(2)
    return name.replace("_", "").replace("{", "").replace("}", "")


Dim = int | str  # a concrete size or a symbolic size name like "n"


@dataclass(frozen=True)
class Symbol:
    """A declared name: its shape (rows, cols; (1, 1) for scalars) and properties."""

    name: str
    rows: Dim = 1
    cols: Dim = 1
    properties: frozenset[str] = field(default_factory=frozenset)
    is_function: bool = False
    differential_of: str | None = None
    """For a differential symbol (dx): the canonical name of the variable it is the direction of."""

    @property
    def is_scalar(self) -> bool:
        return self.rows == 1 and self.cols == 1 and not self.is_function

    @property
    def shape(self) -> tuple[Dim, Dim]:
        return (self.rows, self.cols)

    def has(self, prop: str) -> bool:
        return prop in self.properties

    def describe(self) -> str:
        if self.is_function:
            return "function"
        if self.is_scalar:
            base = "scalar"
        elif self.cols == 1:
            base = str(self.rows)
        else:
            base = f"{self.rows}×{self.cols}"
        return " ".join([base, *sorted(self.properties)])


class SymbolTable(dict):
    """Canonical name → Symbol, plus the spelling each was declared with (for printing)."""

    def __init__(self, symbols=()):
        super().__init__()
        self.display: dict[str, str] = {}
        self.definitions: dict[str, str] = {}
        """Canonical name → the expression a declared symbol stands for (z = "W x + b"), in order:
        answers may use the name or write it out, and both are checked as the same thing."""
        self.parsed_definitions: dict[str, tuple] = {}
        """name → (text, parsed definition): filled on first use, so draws do not re-parse."""
        for sym in symbols:
            self.add(sym)

    def add(self, sym: Symbol, display: str | None = None) -> None:
        key = canonical_name(sym.name)
        self[key] = sym
        self.display[key] = display or sym.name

    def differentials(self) -> dict[str, str]:
        """Variable → its differential symbol (x → dx), canonical names, as declared in pairs."""
        return {sym.differential_of: key for key, sym in self.items() if sym.differential_of is not None}

    def lookup(self, name: str) -> Symbol | None:
        return self.get(canonical_name(name))

    def size_names(self) -> list[str]:
        """Symbolic size names in order of first appearance (n before m if n was declared first)."""
        seen: list[str] = []
        for sym in self.values():
            for d in (sym.rows, sym.cols):
                if isinstance(d, str) and d not in seen:
                    seen.append(d)
        return seen

    def spec(self) -> str:
        return ", ".join(f"{self.display[k]}: {s.describe()}" for k, s in self.items())


_DIM = r"(?:[1-9][0-9]{0,2}|[A-Za-z][A-Za-z0-9_]*)"
_MATRIX_RE = re.compile(rf"^({_DIM})\s*(?:×|x|X|\*|by)\s*({_DIM})$")
MAX_FIXED_SIZE = 50


def parse_spec(name: str, spec: str) -> Symbol:
    """Parse one declaration's right-hand side: `scalar`, `n`, `3`, `m×n`, then properties."""
    text = " ".join(str(spec).replace(",", " ").split())
    if not text:
        raise DeclarationError(f"{name}: empty declaration")
    lowered = text.lower()
    if lowered in ("function", "fn", "func"):
        return Symbol(name, is_function=True)
    words = text.split(" ")
    head, rest = words[0], words[1:]
    # allow "n × n" with spaces around the ×
    if len(rest) >= 2 and rest[0] in ("×", "x", "X", "*", "by"):
        head, rest = head + "×" + rest[1], rest[2:]
    props: set[str] = set()
    i = 0
    while i < len(rest):
        word = rest[i].lower()
        if word == "positive" and i + 1 < len(rest) and rest[i + 1].lower() in ("definite", "semidefinite"):
            if rest[i + 1].lower() == "semidefinite":
                raise DeclarationError(f"{name}: 'positive semidefinite' is not supported; use 'symmetric'")
            props.add("positive definite")
            i += 2
            continue
        if word not in _PROPERTY_ALIASES:
            raise DeclarationError(
                f"{name}: unknown property {rest[i]!r} (known: symmetric, positive definite, invertible, diagonal, positive)"
            )
        props.update(_PROPERTY_ALIASES[word])
        i += 1
    rows: Dim
    cols: Dim
    if head.lower() == "scalar":
        rows = cols = 1
    else:
        match = _MATRIX_RE.match(head)
        if match:
            rows, cols = (_dim(match.group(1)), _dim(match.group(2)))
        elif re.fullmatch(_DIM, head):
            rows, cols = _dim(head), 1
        else:
            raise DeclarationError(f"{name}: cannot read shape {head!r} (write scalar, n, 3, m×n)")
    for d in (rows, cols):
        if isinstance(d, int) and d > MAX_FIXED_SIZE:
            raise DeclarationError(f"{name}: size {d} is too large (at most {MAX_FIXED_SIZE})")
    square = rows == cols
    if props & {"symmetric", "positive definite", "invertible", "diagonal"} and not square:
        raise DeclarationError(f"{name}: only a square matrix can be {' and '.join(sorted(props))}")
    if "positive definite" in props:
        props.add("symmetric")
        props.add("invertible")
    if "positive" in props and not (rows == 1 and cols == 1):
        raise DeclarationError(f"{name}: 'positive' applies to scalars")
    return Symbol(name, rows, cols, frozenset(props))


def _dim(text: str) -> Dim:
    return int(text) if text.isdigit() else text


_NAME_RE = re.compile(r"^[^\W\d][\w'′]*$", re.UNICODE)


def parse_declarations(text: str | dict | None) -> SymbolTable:
    """Read "A: n×n symmetric, x: n" (or a TOML-style dict name → spec) into a SymbolTable."""
    table = SymbolTable()
    if not text:
        return table
    if isinstance(text, dict):
        items = list(text.items())
    else:
        if len(text) > 2000:
            raise DeclarationError("symbol declarations are too long (at most 2000 characters)")
        items = []
        # split on commas that start a new "name:" (a property list never contains a colon)
        for chunk in re.split(r"[,;]\s*(?=[^,;:]+:)", text.strip()):
            if not chunk.strip():
                continue
            if ":" not in chunk:
                raise DeclarationError(f"cannot read declaration {chunk.strip()!r} (write name: shape)")
            name, spec = chunk.split(":", 1)
            items.append((name.strip(), spec.strip()))
    for name, spec in items:
        name = str(name).strip()
        if not _NAME_RE.match(name) or len(name) > 20:
            raise DeclarationError(f"bad symbol name {name!r}")
        key = canonical_name(name)
        if key in table:
            raise DeclarationError(f"{name}: declared twice")
        table.add(parse_spec(name, spec), display=name)
    return table
