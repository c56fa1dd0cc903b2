"""Spaced review: FSRS cards rated from outcomes, deterministic given the review times, kept in
the progress store (schema 3) through SIGKILL, listed by `mcalc-tutor review`, answered in the
Review screen."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest

from app_helpers import SIZE, make_app, settle
from mcalc_tutor.cli import main
from mcalc_tutor.progress import store as store_module
from mcalc_tutor.progress.store import DB_NAME, open_store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clocked(tmp_path):
    s, notice = open_store(tmp_path)
    assert notice is None
    s.clock = Clock()
    yield s
    s.close()


def _cards(s):
    return {(c["exercise"], c["part"]): c for c in s.review_cards()}


def _ratings(s):
    return [r["rating"] for r in s.export_json()["reviews"]]


@pytest.mark.parametrize("events, ratings, why", [
    ([("attempt", "incorrect")], ["again"], "wrong → Again"),
    ([("hint",), ("attempt", "correct")], ["hard"], "right after a hint → Hard"),
    ([("reveal",), ("attempt", "correct")], ["again"], "right after the solution → Again"),
    ([("attempt", "correct")], [], "right first time with no card: no card at all"),
    ([("attempt", "invalid")], [], "an unreadable answer rates nothing"),
    ([("attempt", "incorrect"), ("attempt", "correct")], ["again", "good"],
     "after the Again, a right first try (no hint since) → Good"),
    ([("attempt", "incorrect"), ("attempt", "correct", 5), ("wait", 24 * 60), ("attempt", "correct", 5)],
     ["again", "good", "easy"], "right quickly twice in a row (the second when due) → Easy"),
    ([("attempt", "incorrect"), ("attempt", "correct", 5), ("attempt", "correct", 5)],
     ["again", "good"], "the same right answer checked again before the card is due: rates nothing"),
    ([("attempt", "incorrect"), ("attempt", "correct", 5), ("attempt", "correct", 5, "1*x")],
     ["again", "good", "good"], "another right answer before the card is due: one showing, not two quick ones"),
    ([("attempt", "incorrect"), ("attempt", "correct"), ("wait", 24 * 60), ("attempt", "correct")],
     ["again", "good", "good"], "the same answer again once the card is due: a review"),
    ([("attempt", "incorrect"), ("attempt", "correct", 5), ("wait", 24 * 60), ("attempt", "correct", 500)],
     ["again", "good", "good"], "the second was slow: Good"),
    ([("attempt", "incorrect"), ("attempt", "correct"), ("wait", 24 * 60), ("attempt", "correct")],
     ["again", "good", "good"], "no time known (the exercise screen): never Easy"),
])
def test_ratings_from_outcomes(clocked, events, ratings, why):
    for event in events:
        clocked.clock.now += timedelta(minutes=1)
        if event[0] == "wait":
            clocked.clock.now += timedelta(minutes=event[1])
        elif event[0] == "hint":
            clocked.record_hint("ex", "a", 0)
        elif event[0] == "reveal":
            clocked.record_reveal("ex")
        else:
            seconds = event[2] if len(event) > 2 else None
            answer = event[3] if len(event) > 3 else "x"
            clocked.record_attempt("ex", "a", answer, event[1], 1.0, seconds=seconds)
    assert _ratings(clocked) == ratings, why
    assert bool(_cards(clocked)) == bool(ratings), why


def test_reveal_rates_the_listed_unsolved_parts_again(clocked):
    clocked.record_attempt("ex", "a", "x", "correct", 1.0)
    clocked.record_reveal("ex", ["a", "b"])
    assert set(_cards(clocked)) == {("ex", "b")}, "a was solved before the reveal, b was not"
    assert _ratings(clocked) == ["again"]


def test_an_answer_typed_after_the_solution_rates_again_even_when_the_reveal_rated_its_card(clocked):
    """The app's reveal lists the unsolved parts, rating each Again: the right answer typed next
    (copied from the solution) is Again too, not Good; the one after that counts again."""
    clocked.record_reveal("ex", ["a"])
    clocked.clock.now += timedelta(minutes=1)
    clocked.record_attempt("ex", "a", "x", "correct", 1.0)
    assert _ratings(clocked) == ["again", "again"]
    clocked.clock.now += timedelta(days=1)
    clocked.record_attempt("ex", "a", "x", "correct", 1.0)
    assert _ratings(clocked) == ["again", "again", "good"]


def _schedule(tmp_path, name):
    s, _ = open_store(tmp_path / name)
    clock = s.clock = Clock()
    for minutes, status in [(0, "incorrect"), (3, "correct"), (30, "correct"), (3000, "correct")]:
        clock.now = T0 + timedelta(minutes=minutes)
        s.record_attempt("ex", "a", "x", status, 1.0, seconds=10)
    try:
        return [(c["due"], c["state"]) for c in s.review_cards()], s.export_json()["cards"]
    finally:
        s.close()


def test_scheduling_is_deterministic_given_the_review_times(tmp_path):
    first, second = _schedule(tmp_path, "one"), _schedule(tmp_path, "two")
    assert first == second
    due = datetime.fromisoformat(first[0][0][0].replace("Z", "+00:00"))
    assert due > T0 + timedelta(minutes=3000), "three right answers push the card past the last review"


def test_a_card_failed_today_is_due_before_one_passed(clocked):
    for part in ("failed", "passed"):
        clocked.record_attempt("ex", part, "x", "incorrect", 0.0)
    clocked.clock.now += timedelta(minutes=5)
    clocked.record_attempt("ex", "passed", "x", "correct", 1.0)
    clocked.record_attempt("ex", "failed", "x", "incorrect", 0.0)
    order = [c["part"] for c in clocked.review_cards()]
    assert order == ["failed", "passed"]
    cards = _cards(clocked)
    assert cards[("ex", "failed")]["due"] < cards[("ex", "passed")]["due"]
    # only the failed one is due a little later; the passed one is not yet
    clocked.clock.now += timedelta(minutes=2)
    assert [c["part"] for c in clocked.due_cards()] == ["failed"]


def _version_2_database(path):
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        store_module._migrate_to_1(conn)
        store_module._migrate_to_2(conn)
        conn.execute("INSERT INTO events (time, kind, exercise, part, answer, status, score, diagnostics) "
                     "VALUES ('2026-01-01T00:00:00Z', 'attempt', 'ex', 'a', '2x', 'incorrect', 0.0, '[]')")
        conn.execute("INSERT INTO drafts VALUES ('ex', 'b', 'x^T', '2026-01-01T00:01:00Z')")
        conn.execute("PRAGMA user_version = 2")
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_a_version_2_database_opens_unchanged_and_gains_cards(tmp_path):
    path = tmp_path / DB_NAME
    _version_2_database(path)
    with sqlite3.connect(path) as conn:
        before = {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in ("events", "drafts", "meta")}
    s, notice = open_store(tmp_path)
    try:
        assert notice is None and s.persistent
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
        for table, rows in before.items():
            kept = [row[:len(rows[0])] for row in s._conn.execute(f"SELECT * FROM {table}")]
            assert kept == rows  # columns added since version 2 come after
        assert s.review_cards() == [] and s.part_status("ex", "a") == "attempted"
        s.record_attempt("ex", "a", "2x", "incorrect", 0.0)
        assert [c["part"] for c in s.review_cards()] == ["a"]
    finally:
        s.close()
    assert not list(tmp_path.glob("*.damaged-*"))


SIGKILL_CHILD = textwrap.dedent("""
    import sys
    from mcalc_tutor.progress.store import open_store
    store, notice = open_store(sys.argv[1])
    assert store.persistent, notice
    for k in range(1_000_000):
        store.record_attempt("ex", f"p{k}", "x", "incorrect", 0.0)
        print(f"checked p{k}", flush=True)
""")


def test_sigkill_loses_no_card_of_an_attempt_shown_as_checked(tmp_path):
    env = {**os.environ, "MCALC_TUTOR_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", SIGKILL_CHILD, str(tmp_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    printed = set()
    try:
        for _ in range(60):
            line = proc.stdout.readline()
            assert line.startswith("checked "), (line, proc.stderr.read())
            printed.add(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        printed |= {line.split()[1] for line in proc.stdout.read().splitlines() if line.startswith("checked ")}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    s, notice = open_store(tmp_path)
    try:
        assert notice is None
        cards = {c["part"] for c in s.review_cards()}
        reviews = {r["part"] for r in s.export_json()["reviews"]}
    finally:
        s.close()
    assert printed <= cards and printed <= reviews


def test_export_includes_cards_and_reviews(clocked):
    clocked.record_attempt("ex", "a", "x", "incorrect", 0.0)
    document = clocked.export_json()
    assert [(c["exercise"], c["part"], c["state"]) for c in document["cards"]] == [("ex", "a", "learning")]
    assert document["cards"][0]["fsrs"]["due"]
    assert document["reviews"] == [{"time": "2026-03-01T09:00:00Z", "exercise": "ex", "part": "a",
                                    "rating": "again", "quick": False}]


def test_review_command_lists_what_is_due(tmp_path, capsys):
    s, _ = open_store(tmp_path)
    s.record_attempt("ex", "a", "x", "incorrect", 0.0)  # due a minute from now (real clock)
    s.clock = Clock(datetime.now(UTC) - timedelta(days=1))
    s.record_attempt("ex", "b", "x", "incorrect", 0.0)  # due a day ago
    s.close()
    assert main(["--data-dir", str(tmp_path), "review", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in document["due"]] == ["ex:b"] and document["cards"] == 2
    assert set(document["due"][0]) >= {"id", "exercise", "part", "due", "state"}
    assert main(["--data-dir", str(tmp_path), "review"]) == 0
    out = capsys.readouterr().out
    assert "ex:b" in out and "ex:a" not in out and "1 due of 2 cards" in out


def test_review_command_counts_one_card_in_the_singular(tmp_path, capsys):
    s, _ = open_store(tmp_path)
    s.record_attempt("ex", "a", "x", "incorrect", 0.0)  # due a minute from now
    s.close()
    assert main(["--data-dir", str(tmp_path), "review"]) == 0
    assert capsys.readouterr().out == "Nothing is due for review (1 card in all).\n"


# --- the Review screen (80×24) ---------------------------------------------------------------------



def _run(coro):
    import asyncio

    asyncio.run(coro)


def _seed_due(tmp_path, parts=("b",)):
    """Wrong answers recorded a day ago, so that their cards are due now."""
    s, _ = open_store(tmp_path)
    s.clock = Clock(datetime.now(UTC) - timedelta(days=1))
    for part in parts:
        s.record_attempt("grad-quadratic-form", part, "2 A x", "incorrect", 0.0)
    s.close()


def test_review_screen_from_the_map_answers_a_card(tmp_path):
    _seed_due(tmp_path)

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.screen.title.endswith("1 due (r)")
            footer_keys = {b.key for _, b, enabled, _ in app.screen.active_bindings.values() if b.show}
            assert "r" in footer_keys
            await pilot.press("r")
            await settle(pilot)
            screen = app.screen
            assert type(screen).__name__ == "ReviewScreen" and screen.title == "Review · 1 due"
            assert screen.card["part"] == "b"
            from textual.widgets import Input

            box = screen.query_one("#part-b Input", Input)
            assert box.has_focus
            box.value = "(A + A^T) x"
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot)
            assert screen.query_one("#part-b").last_verdict.status == "correct"
            assert screen.title == "Review · 0 due", "answering right takes the card off the due list"
            assert "comes back in " in str(screen.query_one("#review-note").render())
            assert [r["rating"] for r in app.store.export_json()["reviews"]] == ["again", "good"]
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert screen.card is None
            assert "Nothing is due" in str(screen.query_one("#review-heading").render())
            await pilot.press("escape")
            await settle(pilot)
            assert type(app.screen).__name__ == "MapScreen"
            assert app.screen.title.endswith("solved"), "no due count once nothing is due"

    _run(go())


def test_review_wrong_answer_and_hint_keep_the_card_and_next_passes_over(tmp_path):
    _seed_due(tmp_path, parts=("a", "b"))

    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            screen = app.screen
            first = screen.card["part"]
            await pilot.press("ctrl+t")
            await settle(pilot)
            assert app.store.hints_used("grad-quadratic-form", first) == 1
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert screen.card["part"] != first and screen.title == "Review · 2 due"
            await pilot.press("ctrl+n")
            await settle(pilot)
            heading = str(screen.query_one("#review-heading").render())
            assert screen.card is None and screen.title == "Review · 2 due"
            assert "passed over the 2 due cards" in heading and "Nothing is due" not in heading
            assert "go round them again" in str(screen.query_one("#review-note").render())
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert screen.card is not None and screen.card["part"] == first

    _run(go())


def test_a_randomized_card_comes_back_in_a_fresh_variant(tmp_path, monkeypatch):
    exercise_id = "grad-quadratic-numeric"  # randomized ([params]) in the real bank
    s, _ = open_store(tmp_path)
    learner_seed = s.learner_seed(exercise_id)
    s.clock = Clock(datetime.now(UTC) - timedelta(days=1))
    s.record_attempt(exercise_id, "a", "[1, 2]", "incorrect", 0.0)
    s.close()
    fresh = (learner_seed + 12345) % (1 << 31)
    monkeypatch.setattr("mcalc_tutor.app.course.secrets.randbelow", lambda n: fresh)

    async def go():
        app = make_app(tmp_path, real_bank=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            view = app.screen.query_one("#part-a")
            assert view.variant.exercise.randomized and view.variant.seed == fresh != learner_seed

    _run(go())


@pytest.mark.parametrize("later, said", [
    (timedelta(seconds=-5), "now"), (timedelta(seconds=40), "in 1 minute"),
    (timedelta(minutes=10), "in 10 minutes"), (timedelta(hours=5), "in 5 hours"),
    (timedelta(days=1), "in 24 hours"), (timedelta(days=3, hours=2), "in 3 days"),
])
def test_the_review_note_says_when_a_card_comes_back_in_words(later, said):
    from mcalc_tutor.app.screens.review import comes_back
    from mcalc_tutor.progress.store import _stamp

    assert comes_back(_stamp(T0 + later), T0) == said
