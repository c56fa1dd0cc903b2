"""Seeded random instances of declared symbols that respect their shapes and properties.

Symmetric matrices are symmetric, positive definite ones are well conditioned, invertible ones
have singular values in [0.5, 2], positive scalars are in [0.5, 2.5]. Generic function symbols
become matched (f, f', f'') triples of random smooth functions.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..mathlang.symbols import Symbol, SymbolTable

SIZE_TRIALS = ((3, 2, 4, 5, 6), (4, 3, 2, 6, 5), (2, 4, 3, 5, 6))


def seed_for(*parts: str) -> int:
    """A stable seed from strings (Python's hash() is salted per process; this is not)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def size_assignments(symbols: SymbolTable) -> list[dict[str, int]]:
    """Several size assignments; distinct size names always get distinct sizes."""
    names = symbols.size_names()
    return [{name: trial[i % len(trial)] + 5 * (i // len(trial)) for i, name in enumerate(names)}
            for trial in SIZE_TRIALS]


@dataclass
class Instance:
    values: dict[str, np.ndarray]
    sizes: dict[str, int]
    functions: dict[str, tuple]


def sample_instance(symbols: SymbolTable, sizes: dict[str, int], rng: np.random.Generator,
                    *, force_symmetric: frozenset[str] = frozenset(), commuting: bool = False) -> Instance:
    """Random values for every symbol. `force_symmetric` names square matrices to make symmetric
    (to test "correct only if A were symmetric"); `commuting` makes all square matrices diagonal
    in one shared random basis so that they commute (to test "order of factors")."""
    values: dict[str, np.ndarray] = {}
    functions: dict[str, tuple] = {}
    basis: dict[int, np.ndarray] = {}
    for key, sym in symbols.items():
        if sym.is_function:
            functions[key] = _random_function(rng)
            continue
        rows, cols = _dim(sym.rows, sizes), _dim(sym.cols, sizes)
        values[key] = _sample_value(sym, rows, cols, rng, key in force_symmetric, commuting, basis)
    apply_definitions(symbols, values, sizes, functions)
    return Instance(values, sizes, functions)


def apply_definitions(symbols: SymbolTable, values: dict, sizes: dict, functions: dict,
                      skip: frozenset[str] | set[str] = frozenset()) -> None:
    """Give each defined symbol (z = W x + b) the value of its definition at these values, in
    order; `skip` keeps the sampled value of the names being varied. Raises DomainError where a
    definition is undefined (the caller draws again)."""
    if not symbols.definitions:
        return
    from ..mathlang import read
    from ..mathlang.evaluate import evaluate

    typed = symbols.parsed_definitions
    for name, text in symbols.definitions.items():
        if name in skip:
            continue
        if typed.get(name, (None,))[0] != text:
            typed[name] = (text, read(text, symbols))
        values[name] = evaluate(typed[name][1], values, sizes, functions)


def _dim(d, sizes) -> int:
    return d if isinstance(d, int) else sizes[d]


def _sample_value(sym: Symbol, rows: int, cols: int, rng, make_symmetric, commuting, basis) -> np.ndarray:
    if rows == 1 and cols == 1:
        if sym.has("positive"):
            return np.array([[rng.uniform(0.5, 2.5)]])
        value = rng.uniform(0.4, 2.0) * rng.choice([-1.0, 1.0])
        return np.array([[value]])
    if rows != cols:
        return rng.standard_normal((rows, cols))
    n = rows
    if commuting:
        q = basis.setdefault(n, np.linalg.qr(rng.standard_normal((n, n)))[0])
        eig = rng.uniform(0.5, 2.0, n) * (1.0 if sym.has("positive definite") else rng.choice([-1.0, 1.0], n))
        return q @ np.diag(eig) @ q.T
    if sym.has("diagonal"):
        eig = rng.uniform(0.5, 2.0, n)
        if not sym.has("positive definite"):
            eig *= rng.choice([-1.0, 1.0], n)
        return np.diag(eig)
    if sym.has("positive definite"):
        b = rng.standard_normal((n, n))
        return b @ b.T / n + np.eye(n)
    if sym.has("symmetric") or make_symmetric:
        b = rng.standard_normal((n, n))
        m = (b + b.T) / 2
        if sym.has("invertible"):
            w, v = np.linalg.eigh(m)
            w = np.sign(w + 1e-12) * np.clip(np.abs(w), 0.5, 2.0)
            m = v @ np.diag(w) @ v.T
        return m
    if sym.has("invertible"):
        q1 = np.linalg.qr(rng.standard_normal((n, n)))[0]
        q2 = np.linalg.qr(rng.standard_normal((n, n)))[0]
        return q1 @ np.diag(rng.uniform(0.5, 2.0, n)) @ q2
    return rng.standard_normal((n, n))


def _random_function(rng: np.random.Generator) -> tuple:
    """f(t) = a·sin(b·t + c) + d·t + k·t², with f' and f''; smooth and non-degenerate."""
    a, b, c = rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5), rng.uniform(0, 3)
    d, k = rng.uniform(-1, 1), rng.uniform(0.1, 0.5)

    def f(t):
        return a * np.sin(b * t + c) + d * t + k * t * t

    def f1(t):
        return a * b * np.cos(b * t + c) + d + 2 * k * t

    def f2(t):
        return -a * b * b * np.sin(b * t + c) + 2 * k + 0 * t

    return (f, f1, f2)
