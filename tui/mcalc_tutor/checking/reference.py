"""The expected answer as the checker holds it: typed, with its sample instances and its values
there, plus the numeric comparisons every later stage (verdict, diagnostics) shares.

Same expected answer, same symbols → same instances, every run: they are drawn from a seed derived
from the expected answer and the declarations only.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from ..mathlang import MathError, read
from ..mathlang.evaluate import DomainError, evaluate
from ..mathlang.shapes import Typed, Var
from ..mathlang.symbols import SymbolTable
from .sampling import Instance, sample_instance, seed_for, size_assignments

DRAWS_PER_SIZE = 2
MAX_RESAMPLES = 12
RTOL, ATOL = 1e-8, 1e-10

Values = list[np.ndarray | None]
"""An expression's value at each instance; None where it is undefined there."""


class ExpectedAnswerError(ValueError):
    """The expected answer itself does not parse or cannot be evaluated: an authoring error."""


@dataclass
class Reference:
    """The expected answer, typed, with its sample instances and values (cached per expected)."""

    text: str
    typed: Typed
    instances: list[Instance]
    values: list[np.ndarray]
    mistakes: dict[str, Values | None] = field(default_factory=dict)  # mistake text -> its values
    special: dict[str, tuple[list[Instance], list[np.ndarray]]] = field(default_factory=dict)
    """Draws under an extra assumption (a matrix made symmetric, …) -> (instances, values)."""


def reference(expected: str, symbols: SymbolTable) -> Reference:
    return _cached_reference(expected, _Frozen(symbols))


class _Frozen:
    """Hashable wrapper of a SymbolTable (by its declarations), for the cache key."""

    def __init__(self, symbols: SymbolTable):
        self.symbols = symbols
        self.key = tuple((k, s.rows, s.cols, tuple(sorted(s.properties)), s.is_function, s.differential_of)
                         for k, s in symbols.items()) \
            + tuple(symbols.definitions.items())

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Frozen) and self.key == other.key


@lru_cache(maxsize=512)
def _cached_reference(expected: str, frozen: _Frozen) -> Reference:
    symbols = frozen.symbols
    try:
        typed = read(expected, symbols)
    except MathError as exc:
        raise ExpectedAnswerError(f"expected answer {expected!r}: {exc}") from None
    rng = np.random.default_rng(seed_for(expected, repr(frozen.key)))
    instances, values = draw(typed, symbols, rng)
    if not instances:
        raise ExpectedAnswerError(f"expected answer {expected!r} is undefined at every sample point")
    return Reference(expected, typed, instances, values)


def draw(typed: Typed, symbols: SymbolTable, rng: np.random.Generator,
         **options: Any) -> tuple[list[Instance], list[np.ndarray]]:
    """Instances where `typed` is defined, DRAWS_PER_SIZE per size assignment, and its values there."""
    instances, values = [], []
    for sizes in size_assignments(symbols):
        for _ in range(DRAWS_PER_SIZE):
            for _attempt in range(MAX_RESAMPLES):
                try:
                    inst = sample_instance(symbols, sizes, rng, **options)
                    value = evaluate(typed, inst.values, inst.sizes, inst.functions)
                except DomainError:
                    continue
                instances.append(inst)
                values.append(value)
                break
    return instances, values


# --- shapes -----------------------------------------------------------------------------------

Shape = tuple[Any, Any]


def transposed(shape: Shape) -> Shape:
    return (shape[1], shape[0])


def fit_shape(typed: Typed, shape: Shape) -> bool:
    """Does the answer's shape equal `shape`? Unknown sizes (of I) in the answer are fixed to it."""
    mine = typed.shape
    for a, b in zip(mine, shape, strict=False):
        a = typed.unifier.find(a)
        if isinstance(a, Var):
            continue
        if isinstance(b, Var):
            continue
        if a != b:
            return False
    for a, b in zip(mine, shape, strict=False):
        if isinstance(typed.unifier.find(a), Var) and not isinstance(b, Var):
            typed.unifier.unify(a, b)
    return True


# --- numerics ---------------------------------------------------------------------------------

def evaluate_all(typed: Typed, instances: Iterable[Instance]) -> Values:
    """The value at each instance (None where undefined), one tree walk each. (Evaluating the
    instances of one size as a stack was tried: with two instances per size it was 20% slower per
    check, and no faster in a batch.)"""
    out: Values = []
    for inst in instances:
        try:
            out.append(evaluate(typed, inst.values, inst.sizes, inst.functions))
        except DomainError:
            out.append(None)
    return out


def close(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None or a.shape != b.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return bool(np.all(np.abs(a - b) <= RTOL * scale + ATOL))


def all_close(answers: Sequence[np.ndarray | None], values: Sequence[np.ndarray | None]) -> bool:
    return len(answers) == len(values) and all(close(a, b) for a, b in zip(answers, values, strict=False))
