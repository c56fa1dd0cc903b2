"""Feedback that never hands over the answer: find the expected answer in a piece of prose (in any
of the usual spellings) and withhold the sentences that state it, unless the learner has asked for
the solution (`reveal`)."""
from __future__ import annotations

import math
import re
from functools import lru_cache

from ..mathlang import MathError, read
from ..mathlang.pretty import pretty
from ..mathlang.shapes import Typed
from ..mathlang.symbols import SymbolTable

MIN_FORM_LENGTH = 2  # a one-letter answer (A, δ) is named in prose for other reasons all the time

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SPELLINGS = (
    ("−", "-"), (r"\^\{?-T\}?|\^\(-T\)", "⁻ᵀ"), (r"\^\{?-1\}?|\^\(-1\)", "⁻¹"), (r"\^\{?T\}?", "ᵀ"), (r"\^\{?2\}?", "²"),
    (r"sqrt", "√"), (r"\blog\b", "ln"), (r"_\{?(\d+)\}?", None), (r"[\s⋅*·()]", ""),
)


def normalize(text: str) -> str:
    """One spelling for comparing math in prose: Wᵀδ, W^T δ, W^T*δ and Wᵀ⋅δ all become Wᵀδ."""
    for pattern, replacement in _SPELLINGS:
        if replacement is None:
            text = re.sub(pattern, lambda m: m.group(1).translate(_SUB), text)
        else:
            text = re.sub(pattern, replacement, text)
    return text


_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?")
_NUM = "num:"


def answer_forms(expected: str, symbols: SymbolTable) -> tuple[str, ...]:
    """The expected answer's spellings worth looking for: as the author wrote it, as printed, and,
    for a constant answer, its non-integer values as a message would round them ("num:2.92").
    Made once per expected answer and symbol table (every wrong answer's feedback needs them)."""
    from .reference import _Frozen

    return _answer_forms(expected, _Frozen(symbols))


@lru_cache(maxsize=1024)
def _answer_forms(expected: str, frozen) -> tuple[str, ...]:
    symbols = frozen.symbols
    forms = {normalize(expected)}
    try:
        typed = read(expected, symbols)
    except MathError:
        typed = None
    if typed is not None:
        forms.add(normalize(pretty(typed.tree, symbols)))
        forms |= {_NUM + t for t in _value_tokens(typed)}
    return tuple(sorted(f for f in forms if len(f) >= MIN_FORM_LENGTH))


def _value_tokens(typed: Typed) -> set[str]:
    from ..mathlang.evaluate import DomainError, evaluate

    try:
        value = evaluate(typed, {}, {})
    except (DomainError, KeyError, ValueError, TypeError, MathError):  # not a constant
        return set()
    out = set()
    for x in value.ravel():
        x = abs(float(x))
        if math.isfinite(x) and abs(x - round(x)) > 1e-9:
            out |= {f"{x:.2g}", f"{x:.3g}", f"{x:.4g}", f"{x:.6g}"}
    return {t for t in out if "." in t}  # 1.04 rounded to "1" says nothing about the answer


def mentions(text: str, forms: tuple[str, ...]) -> bool:
    flat = normalize(text)
    numbers = set(_NUMBER.findall(text))
    return any(form.removeprefix(_NUM) in numbers if form.startswith(_NUM) else form in flat for form in forms)


def withhold(feedback: str, forms: tuple[str, ...]) -> str:
    """The feedback without the sentences that state the expected answer ("" if nothing is left)."""
    sentences = re.split(r"(?<=[.!?])\s+", feedback.strip())
    return " ".join(s for s in sentences if not mentions(s, forms)).strip()
