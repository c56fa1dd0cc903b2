"""Randomized variants: an exercise's params drawn from a seed, substituted into its text, and
expected answers computed by generators. Same exercise and seed → same variant, always.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import overload

from ..mathlang import SymbolTable, parse_declarations
from .model import Exercise, Part

_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Variant:
    exercise: Exercise
    seed: int
    values: dict
    statement: str
    symbols: SymbolTable
    parts: tuple[Part, ...]

    def part(self, name: str) -> Part | None:
        return next((p for p in self.parts if p.name == name), None)


def draw_params(exercise: Exercise, seed: int) -> dict:
    from ..checking.sampling import seed_for

    rng = random.Random(seed_for(exercise.id, str(seed)))
    values = {}
    for name, spec in exercise.params.items():
        if "int" in spec:
            low, high = spec["int"]
            while True:
                value = rng.randint(low, high)
                if not (spec.get("nonzero") and value == 0) and value not in spec.get("exclude", []):
                    break
        else:
            value = rng.choice(spec["choice"])
        values[name] = value
    return values


@overload
def substitute(text: str, values: dict, *, for_math: bool) -> str: ...
@overload
def substitute(text: None, values: dict, *, for_math: bool) -> None: ...


def substitute(text: str | None, values: dict, *, for_math: bool) -> str | None:
    """Replace {name} by the parameter's value; in math, negatives are parenthesised: x + (-3)."""
    if not values or not isinstance(text, str):
        return text

    def repl(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        shown = _show(value)
        if for_math and isinstance(value, (int, float, Fraction)) and value < 0:
            return f"({shown})"
        return shown

    return _PLACEHOLDER.sub(repl, text)


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_VARIANTS: dict[tuple, Variant] = {}
_MAX_CACHED_VARIANTS = 8192


def make_variant(exercise: Exercise, seed: int = 0) -> Variant:
    """The exercise's variant for `seed` (cached: variants are immutable and generators are slow)."""
    key = (exercise.id, str(exercise.path), int(seed))
    variant = _VARIANTS.get(key)
    if variant is None or variant.exercise is not exercise:
        variant = _build_variant(exercise, int(seed))
        if len(_VARIANTS) >= _MAX_CACHED_VARIANTS:
            _VARIANTS.clear()
        _VARIANTS[key] = variant
    return variant


def _build_variant(exercise: Exercise, seed: int) -> Variant:
    values = draw_params(exercise, seed)
    symbols = exercise_symbols(exercise, values)
    parts = []
    for part in exercise.parts:
        math = dict(answer=_sub_answer(part.answer, values), of=substitute(part.of, values, for_math=True),
                    start=substitute(part.start, values, for_math=True),
                    at=substitute(part.at, values, for_math=True),
                    mistakes=tuple(replace(m, answer=substitute(m.answer, values, for_math=True),
                                           feedback=substitute(m.feedback, values, for_math=False))
                                   for m in part.mistakes))
        new = replace(part, prompt=substitute(part.prompt, values, for_math=False),
                      hints=tuple(substitute(h, values, for_math=False) for h in part.hints),
                      choices=tuple(substitute(c, values, for_math=False) for c in part.choices), **math)
        if new.generator:
            from .generators import generate

            new = replace(new, answer=generate(new, symbols))
        parts.append(new)
    return Variant(exercise, seed, values, substitute(exercise.statement, values, for_math=False), symbols,
                   tuple(parts))


def exercise_symbols(exercise: Exercise, values: dict) -> SymbolTable:
    """The declared symbols, with the exercise's definitions (z = W x + b) for this variant."""
    from ..mathlang.symbols import canonical_name

    symbols = parse_declarations({k: str(v) for k, v in exercise.symbols.items()})
    symbols.definitions = {canonical_name(k): substitute(str(v), values, for_math=True)
                           for k, v in exercise.definitions.items()}
    return symbols


def _sub_answer(answer, values):
    if isinstance(answer, str):
        return substitute(answer, values, for_math=True)
    if isinstance(answer, list):
        return [{**p, "at": substitute(p.get("at", ""), values, for_math=True)} for p in answer]
    return answer
