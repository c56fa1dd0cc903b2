"""Randomized variants: an exercise's params drawn from a seed, substituted into its text, and
expected answers computed by generators. Same exercise and seed → same variant, always.

A choice part's options are shown in a shuffled order (`option_order`), so that the right one is
not usually (a) or (b) as authors tend to write them. The bank keeps declaring options, the answer
and listed mistakes by their declaration letters; a variant's part carries the *shown* letters
(its choices, answer and mistakes remapped), so that checking, the app, `show`, templates and
keys all agree with what the learner sees. What is stored (progress) is the option itself, by its
declaration letter: `stored_answer` / `shown_answer` translate. Records made before shuffling
existed are declaration letters already (the shown order was the declared one), so they need no
migration.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field, replace
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
    orders: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Choice part name → declaration index of each shown option, in shown order."""

    def part(self, name: str) -> Part | None:
        return next((p for p in self.parts if p.name == name), None)

    def stored_answer(self, part_name: str, answer: str) -> str:
        """An answer as shown in this variant → as stored: a choice part's letters become the
        options' declaration letters ("c" shown → "a" declared); anything else is unchanged."""
        order = self.orders.get(part_name)
        if order is None:
            return answer
        return _map_letters(answer, {_letter(shown): _letter(declared) for shown, declared in enumerate(order)})

    def shown_answer(self, part_name: str, stored: str) -> str:
        """A stored answer (declaration letters, as every build has recorded them) → the letters
        of the same options in this variant; anything else is unchanged."""
        order = self.orders.get(part_name)
        if order is None:
            return stored
        return _map_letters(stored, {_letter(declared): _letter(shown) for shown, declared in enumerate(order)})


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
    orders = {}
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
        if new.kind == "choice":
            orders[new.name] = option_order(exercise, new, seed)
            new = _shuffled(new, orders[new.name])
        parts.append(new)
    return Variant(exercise, seed, values, substitute(exercise.statement, values, for_math=False), symbols,
                   tuple(parts), orders)


_REFERS_TO_OTHERS = re.compile(r"^\s*(none|all|both|neither) of (them|these|the above|those)\b", re.IGNORECASE)
"""An option that speaks of the other options ("None of them") keeps its declared place."""


def option_order(exercise: Exercise, part: Part, seed: int) -> tuple[int, ...]:
    """The declaration index of each option in the order shown: a Fisher–Yates shuffle drawn from
    SHA-256 of (exercise id, part name, seed), so the same on every run, machine and Python version
    (no hash(), no `random` module). Seed 0 shuffles too: it is the variant `show`, `check` and
    fixed-seed assignments use, and the declared order is the author's, where the right option is
    usually first or second. An exercise without parameters has one variant whatever the seed
    (the same numbers for everyone), so its order does not depend on the seed either: `mcalc-tutor
    check` agrees with the app without a seed. Options that speak of the others stay put."""
    n = len(part.choices)
    key = f"{exercise.id}\0{part.name}\0{seed if exercise.randomized else 0}"
    movable = [i for i, text in enumerate(part.choices) if not _REFERS_TO_OTHERS.match(text)]
    order = list(range(n))
    shuffled = list(movable)
    for i in range(len(shuffled) - 1, 0, -1):
        digest = hashlib.sha256(f"{key}\0{i}".encode()).digest()
        j = int.from_bytes(digest[:8], "big") % (i + 1)
        shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
    for place, declared in zip(movable, shuffled, strict=True):
        order[place] = declared
    return tuple(order)


def _letter(index: int) -> str:
    return chr(ord("a") + index)


_CHOICE_TEXT = re.compile(r"^[\sa-z,;()\[\].]*$")


def _map_letters(text: str, mapping: dict[str, str]) -> str:
    """Letters of a choice answer through `mapping`, as "a, c"; text that is not a list of the
    part's letters (which the reader refuses anyway) is returned unchanged."""
    if not isinstance(text, str):
        return text
    lowered = text.lower().replace("and", ",")
    letters = re.findall(r"[a-z]", lowered)
    if not letters or not _CHOICE_TEXT.match(lowered) or not set(letters) <= mapping.keys():
        return text
    return ", ".join(sorted({mapping[letter] for letter in letters}))


def _shuffled(part: Part, order: tuple[int, ...]) -> Part:
    """The part with its options in shown order and its answer and mistakes in shown letters."""
    to_shown = {_letter(declared): _letter(shown) for shown, declared in enumerate(order)}

    def shown(letters: str) -> str:
        return ",".join(sorted(to_shown.get(a.strip().lower(), a.strip()) for a in str(letters).split(",")))

    return replace(part, choices=tuple(part.choices[i] for i in order), answer=shown(str(part.answer)),
                   mistakes=tuple(replace(m, answer=shown(m.answer)) for m in part.mistakes))


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
