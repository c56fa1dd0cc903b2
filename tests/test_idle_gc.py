"""Full garbage collections wait for the learner to be idle (app/idle_gc.py): due as often as
Python would run them, never while keys are being pressed."""
from __future__ import annotations

import gc

from mcalc_tutor.app.idle_gc import IDLE_AFTER_S, IdleCollector


class Counts:
    def __init__(self) -> None:
        self.middle = 0
        self.collected = 0

    def collect(self) -> None:
        self.collected += 1


def collector(counts: Counts) -> IdleCollector:
    return IdleCollector(collect=counts.collect, middle_collections=lambda: counts.middle)


def test_nothing_is_collected_before_python_would_have_run_a_full_collection():
    counts = Counts()
    idle = collector(counts)
    counts.middle = 9
    assert not idle.tick(1000.0) and counts.collected == 0
    counts.middle = 10
    assert idle.tick(1000.0) and counts.collected == 1
    assert not idle.tick(1001.0)  # just collected: not due again
    counts.middle = 20
    assert idle.tick(1002.0) and counts.collected == 2


def test_a_due_collection_waits_while_the_learner_is_pressing_keys():
    counts = Counts()
    idle = collector(counts)
    counts.middle = 50
    idle.input_seen(100.0)
    assert not idle.tick(100.5)
    idle.input_seen(101.0)
    assert not idle.tick(101.0 + IDLE_AFTER_S - 0.1)
    assert idle.tick(101.0 + IDLE_AFTER_S) and counts.collected == 1


def test_taking_over_turns_off_only_pythons_full_collections():
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        IdleCollector.take_over()
        young, middle, full = gc.get_threshold()
        assert (young, middle) == (700, 10) and full >= 100_000
    finally:
        gc.set_threshold(*saved)


def test_the_real_collector_collects():
    class Cycle:
        pass

    a, b = Cycle(), Cycle()
    a.other, b.other = b, a
    del a, b
    runs = []
    middle = iter([0, 10, 10])  # at the start, at the tick, after the collection
    idle = IdleCollector(collect=lambda: runs.append(gc.collect()), middle_collections=lambda: next(middle))
    assert idle.tick(10.0) and runs and runs[0] >= 2  # the two objects of the cycle, at least


def test_the_warm_app_hands_full_collections_to_its_idle_collector(tmp_path):
    import asyncio

    from app_helpers import SIZE, make_app, wait_until

    saved = gc.get_threshold()

    async def go():
        app = make_app(tmp_path, warm=True)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.idle_collector is not None, timeout=60)
            assert gc.get_threshold()[2] >= 100_000 and gc.isenabled()
            before = app.idle_collector.last_input
            await pilot.press("down")  # a key: the learner is not idle
            assert app.idle_collector.last_input > before
            assert not app.idle_collector.tick(app.idle_collector.last_input + 0.1)
    try:
        asyncio.run(go())
    finally:
        gc.set_threshold(*saved)
