"""Code challenges: for each, the hidden test inputs (made from a seed) and the judge of raw outputs.

A challenge module never runs learner code. It says what to call (its harness, in ``harness/``,
runs inside the sandbox) and decides, outside the sandbox, whether what came back is right. The
judges must accept any JSON the sandbox sends, however malformed, and turn it into a reason.
"""
from __future__ import annotations

import importlib
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "CHALLENGE_NAMES",
    "Challenge",
    "HiddenTest",
    "OutputError",
    "get_challenge",
    "judge_output",
    "list_challenges",
    "as_array",
    "as_number",
    "compare_arrays",
]

CHALLENGE_NAMES = ("gradient_check", "optimizers", "two_layer_net", "comp_graph", "power_iteration")


@dataclass(frozen=True)
class HiddenTest:
    name: str
    payload: Any
    """Sent into the sandbox: the inputs of the call (plain JSON)."""
    expected: Any = None
    """Kept outside: whatever the judge needs (reference values, held-out data)."""
    points: float = 1.0


class OutputError(Exception):
    """The learner's output has the wrong type or shape; the message says so plainly."""


@dataclass(frozen=True)
class Challenge:
    name: str
    title: str
    module_file: str
    """The file the learner submits, e.g. ``gradient_check.py``."""
    hidden_tests: Callable[[int], list[HiddenTest]]
    judge: Callable[..., tuple[bool, str]]
    """``judge(test, output)``, or ``judge(test, output, trace)`` for a traced challenge."""
    harness_source: str = field(repr=False)
    preimport: tuple[str, ...] = ()
    traced: bool = False
    """The harness reports each step of the learner's method (``trace`` events); the judge gets them."""

    @property
    def module_name(self) -> str:
        return self.module_file.removesuffix(".py")


def list_challenges() -> list[str]:
    return list(CHALLENGE_NAMES)


_cache: dict[str, Challenge] = {}


def get_challenge(name: str) -> Challenge:
    """The challenge called ``name``; ``KeyError`` for an unknown name."""
    if name not in CHALLENGE_NAMES:
        raise KeyError(f"unknown code challenge {name!r}; known: {', '.join(CHALLENGE_NAMES)}")
    if name not in _cache:
        module: ModuleType = importlib.import_module(f"{__name__}.{name}")
        source = resources.files(__name__).joinpath("harness", f"{name}.py").read_text(encoding="utf-8")
        _cache[name] = Challenge(
            name=name,
            title=module.TITLE,
            module_file=module.MODULE_FILE,
            hidden_tests=module.hidden_tests,
            judge=module.judge,
            harness_source=source,
            preimport=tuple(getattr(module, "PREIMPORT", ())),
            traced=bool(getattr(module, "TRACED", False)),
        )
    return _cache[name]


def judge_output(spec: Challenge, test: HiddenTest, output: Any, trace: list) -> tuple[bool, str]:
    """Run the challenge's judge, handing it the trace when the challenge asks for one."""
    return spec.judge(test, output, trace) if spec.traced else spec.judge(test, output)


def driver_source() -> str:
    return resources.files(__name__).joinpath("harness", "driver.py").read_text(encoding="utf-8")


# ---- helpers for judges -------------------------------------------------------------------------

def as_array(value: Any, shape: tuple[int, ...] | None = None, what: str = "the result") -> np.ndarray:
    """Decode an array sent as ``{"shape": [...], "data": [...]}``; check its shape."""
    if not isinstance(value, dict) or not isinstance(value.get("shape"), list) or not isinstance(value.get("data"), list):
        raise OutputError(f"{what} is not an array of numbers")
    dims = value["shape"]
    if not all(isinstance(d, int) and d >= 0 for d in dims) or len(dims) > 4:
        raise OutputError(f"{what} has an unreadable shape")
    if math.prod(dims) != len(value["data"]):
        raise OutputError(f"{what} is malformed")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value["data"]):
        raise OutputError(f"{what} contains something that is not a number")
    arr = np.asarray(value["data"], dtype=float).reshape(dims)
    if shape is not None and arr.shape != tuple(shape):
        raise OutputError(f"{what} has shape {_shape(arr.shape)}, expected {_shape(shape)}")
    return arr


def as_number(value: Any, what: str = "the result") -> float:
    """Decode a single number, sent as a plain float or as a 1-element array."""
    if isinstance(value, bool):
        raise OutputError(f"{what} is a boolean, expected a number")
    if isinstance(value, (int, float)):
        return float(value)
    arr = as_array(value, what=what)
    if arr.size != 1:
        raise OutputError(f"{what} has shape {_shape(arr.shape)}, expected a single number")
    return float(arr.reshape(-1)[0])


def compare_arrays(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float = 0.0,
                   what: str = "the result") -> tuple[bool, str]:
    """Compare with a relative tolerance on the whole array (Frobenius norm), not entry by entry."""
    if actual.shape != expected.shape:
        return False, f"{what} has shape {_shape(actual.shape)}, expected {_shape(expected.shape)}"
    if not np.all(np.isfinite(actual)):
        return False, f"{what} contains NaN or infinity"
    err = float(np.linalg.norm(actual - expected))
    scale = float(np.linalg.norm(expected))
    if err <= rtol * scale + atol:
        return True, "ok"
    rel = err / scale if scale > 0 else err
    return False, f"{what} is off by a relative error of {rel:.1e} (allowed {rtol:.0e})"


def _shape(dims) -> str:
    dims = tuple(dims)
    if not dims:
        return "() (a scalar)"
    return "×".join(str(d) for d in dims) if len(dims) > 1 else f"({dims[0]},)"


def rng_for(name: str, seed: int) -> np.random.Generator:
    """One generator per (challenge, seed): the same seed gives every challenge different data."""
    return np.random.default_rng([int(seed) % 2**64, zlib.crc32(name.encode())])  # any int seed, negative too
