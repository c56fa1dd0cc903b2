"""Full garbage collections while the learner is idle, not while they type or open an exercise.

After the warm-up everything loaded is frozen (gc.freeze), and what the session makes after it
(screens, widgets, verdicts) is what a full collection walks: measured, about 50 ms each, and
Python's own schedule ran one every few exercise openings, in the middle of one. The app turns
Python's automatic full collections off and asks `IdleCollector.tick` once a second: it runs a
full collection when Python would have run one by now (as many young-generation collections
have happened since the last) and nothing was pressed or clicked for a while. The young
generations are collected as Python always does: they are cheap.
"""
from __future__ import annotations

import gc
from collections.abc import Callable

__all__ = ["IDLE_AFTER_S", "IdleCollector"]

IDLE_AFTER_S = 2.0
"""How long after the last key or click the learner counts as idle."""

_DUE_AFTER = 10
"""Middle-generation collections after which a full one is due (Python's default threshold)."""

_NEVER = 1_000_000
"""A full-collection threshold Python never reaches in a session."""


def _middle_collections() -> int:
    return int(gc.get_stats()[1]["collections"])


class IdleCollector:
    """Decides when to run the full collections Python no longer runs by itself."""

    def __init__(self, *, collect: Callable[[], object] = gc.collect,
                 middle_collections: Callable[[], int] = _middle_collections) -> None:
        self._collect = collect
        self._middle_collections = middle_collections
        self._at_last_full = middle_collections()
        self.last_input = float("-inf")
        self.full_collections = 0
        """How many this collector ran (tests read it)."""

    @staticmethod
    def take_over() -> None:
        """Turn Python's automatic full collections off (the young generations keep theirs)."""
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, _NEVER)

    def input_seen(self, now: float) -> None:
        self.last_input = now

    def tick(self, now: float) -> bool:
        """Run a full collection if one is due and the learner is idle; True if it ran."""
        middle = self._middle_collections()
        if middle - self._at_last_full < _DUE_AFTER or now - self.last_input < IDLE_AFTER_S:
            return False
        self._collect()
        self._at_last_full = self._middle_collections()
        self.full_collections += 1
        return True
