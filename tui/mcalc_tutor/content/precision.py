"""A part's stated numeric precision, and judging numbers against it entry by entry.

Policies: `exact` (a decimal approximation is told to give the exact value), `sigfigs = N` (as
STACK's NumSigFigs: any value correctly rounded to at least N significant figures is right; fewer
digits are told so), `decimals = N` (the same, counting decimal places), and `rel_tol` / `abs_tol`
(the default: rel_tol 1e-6, what the bank always used). Whatever the policy, an exact value (a
fraction, a surd) that equals the answer is right. Messages name which entries are off, never
their correct values.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..mathlang import ast as A
from .model import EXACT_RTOL, Precision

if TYPE_CHECKING:  # numpy is not imported with the data model: the app's first screen comes before it
    import numpy as np

def precision_label(part: object) -> str | None:
    """The policy of a part (or a Precision) as shown with the prompt ("exact, or 3 significant
    figures"), or None when the part states none."""
    precision = getattr(part, "precision", part)
    if not isinstance(precision, Precision) or not precision.stated:
        return None
    if precision.mode == "exact":
        return "exact value (a fraction or a surd such as sqrt(2), not a decimal)"
    if precision.mode == "sigfigs":
        return f"exact, or {_plural(precision.digits, 'significant figure')}"
    if precision.mode == "decimals":
        return f"exact, or {_plural(precision.digits, 'decimal place')}"
    return f"exact, or within {precision.rel_tol:g} (relative)" + (
        f" or {precision.abs_tol:g} (absolute)" if precision.abs_tol > precision.rel_tol * 1e-3 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- entries as typed ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Literal:
    """How an entry was written: a bare number's digits, or an expression (exact or not)."""

    decimal: bool                 # written with a decimal point or an exponent
    bare: bool                    # a number alone (possibly negated), whose digits can be counted
    sigfigs: int = 0
    decimals: int = 0
    last_place: float = 1.0       # the value of one unit in the last digit written


_NUMBER = re.compile(r"(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")


def entry_literals(tree: A.Node, text: str) -> list[Literal] | None:
    """One Literal per entry of the answer (row by row, as its values are), or None when its entries
    cannot be told apart (a product of matrices, …)."""
    if isinstance(tree, A.Matrix):
        entries = [e for row in tree.rows for e in row]
        if any(isinstance(e, A.Matrix) for e in entries):
            return None
        return [_literal(e, text) for e in entries]
    return [_literal(tree, text)]


def _literal(node: A.Node, text: str) -> Literal:
    bare = node.arg if isinstance(node, A.Neg) and isinstance(node.arg, A.Num) else node
    if isinstance(bare, A.Num):
        digits = _digits(text, bare.col)
        if digits is not None:
            return digits
    decimal = any(isinstance(n, A.Num) and _is_decimal(text, n.col) for n in A.walk(node))
    return Literal(decimal=decimal, bare=False)


def _is_decimal(text: str, col: int) -> bool:
    match = _NUMBER.match(text, col)
    return bool(match and (match.group(2) is not None or match.group(3) is not None))


def _digits(text: str, col: int) -> Literal | None:
    match = _NUMBER.match(text, col)
    if not match or not (match.group(1) or match.group(2)):
        return None
    whole, frac, exp = match.group(1) or "", match.group(2), match.group(3)
    decimal = frac is not None or exp is not None
    frac = frac or ""
    mantissa = (whole + frac).lstrip("0")
    sigfigs = len(mantissa) if mantissa else len(frac) or 1  # 0.00 has as many figures as decimals
    exponent = int(exp) if exp else 0
    return Literal(decimal=decimal, bare=True, sigfigs=sigfigs, decimals=max(0, len(frac) - exponent),
                   last_place=10.0 ** (exponent - len(frac)))


# --- judging ------------------------------------------------------------------------------------

@dataclass
class Judgement:
    right: list[bool]
    too_few: list[int]            # entries (0-based) written with fewer digits than asked
    not_exact: list[int]          # entries given as decimals where the exact value is asked

    @property
    def correct(self) -> bool:
        return all(self.right)


def judge_entries(value: np.ndarray, expected: np.ndarray, literals: list[Literal] | None,
                  precision: Precision) -> Judgement:
    """Each entry of `value` against `expected` (same shape) under `precision`."""
    a, e = value.ravel(), expected.ravel()
    lits = literals if literals is not None and len(literals) == a.size else [None] * a.size
    out = Judgement([], [], [])
    for i, (x, want, lit) in enumerate(zip(a, e, lits, strict=True)):
        verdict = _entry(float(x), float(want), lit, precision)
        out.right.append(verdict == "right")
        if verdict == "too few":
            out.too_few.append(i)
        elif verdict == "not exact":
            out.not_exact.append(i)
    return out


def _entry(x: float, want: float, lit: Literal | None, p: Precision) -> str:
    if p.mode == "tolerance":
        return "right" if abs(x - want) <= p.abs_tol + p.rel_tol * abs(want) else "off"
    if math.isclose(x, want, rel_tol=EXACT_RTOL, abs_tol=1e-12):
        return "right"  # an exact value, or a decimal that is the value itself
    if lit is None or not lit.decimal and not lit.bare:
        return "off"  # an exact form that is not the value (or entries we cannot tell apart)
    if p.mode == "exact":
        return "not exact" if lit.decimal else "off"
    if lit.bare:
        given = lit.sigfigs if p.mode == "sigfigs" else lit.decimals
        if given < p.digits:
            return "too few"
        return "right" if abs(x - want) <= 0.5 * lit.last_place * (1 + 1e-9) else "off"
    return "right" if abs(x - want) <= 0.5 * _place(want, p) * (1 + 1e-9) else "off"


def _place(want: float, p: Precision) -> float:
    """One unit in the last place the policy asks for, at the expected value's magnitude."""
    if p.mode == "decimals":
        return 10.0 ** -p.digits
    magnitude = math.floor(math.log10(abs(want))) if want else 0
    return 10.0 ** (magnitude - p.digits + 1)


def entry_names(indices: list[int], shape: tuple[int, ...]) -> str:
    """"entry 2", "entries 1 and 3", "entry (2, 1)": which entries, never their values."""
    if len(shape) == 2 and shape[1] > 1 and shape[0] > 1:
        names = [f"({i // shape[1] + 1}, {i % shape[1] + 1})" for i in indices]
    else:
        names = [str(i + 1) for i in indices]
    if len(names) == 1:
        return f"entry {names[0]}"
    return "entries " + ", ".join(names[:-1]) + " and " + names[-1]
