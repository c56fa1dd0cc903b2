"""The progress store: status logic, durable transactions, seeds, damaged and unwritable places,
the data-dir precedence, the `progress` command, and an attempt shown as checked surviving SIGKILL.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from mcalc_tutor.cli import main
from mcalc_tutor.progress import store as store_module
from mcalc_tutor.progress.report import render_text
from mcalc_tutor.progress.store import DB_NAME, ProgressStore, open_store, resolve_data_dir

SRC = str(Path(__file__).resolve().parents[1] / "tui")


@pytest.fixture
def store(tmp_path):
    s, notice = open_store(tmp_path)
    assert notice is None and s.persistent and s.path == tmp_path / DB_NAME
    yield s
    s.close()


def _env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.pop(store_module.HOME_ENV, None)
    env.update(extra)
    return env


# --- status logic -------------------------------------------------------------------------------

# (events, part asked about, expected part status, why)
PART_CASES = [
    ([], "new", "nothing recorded"),
    ([("attempt", "a", "incorrect")], "attempted", "a wrong attempt"),
    ([("attempt", "a", "invalid")], "new", "an unreadable answer is recorded but never held against the learner"),
    ([("attempt", "a", "partial")], "attempted", "partial credit does not solve"),
    ([("hint", "a", 0)], "attempted", "a hint alone means the learner started"),
    ([("attempt", "a", "correct")], "solved", "a correct attempt"),
    ([("attempt", "a", "correct"), ("attempt", "a", "incorrect")], "solved",
     "solved stays solved after a later wrong attempt"),
    ([("attempt", "b", "correct")], "new", "another part's attempts do not count"),
    ([("reveal",)], "new", "a reveal is not an attempt at a part"),
]


def _apply(s: ProgressStore, events, exercise="ex"):
    for event in events:
        if event[0] == "attempt":
            s.record_attempt(exercise, event[1], "x", event[2], 1.0 if event[2] == "correct" else 0.0)
        elif event[0] == "hint":
            s.record_hint(exercise, event[1], event[2])
        else:
            s.record_reveal(exercise)


@pytest.mark.parametrize("events,expected,why", PART_CASES, ids=[c[2] for c in PART_CASES])
def test_part_status(store, events, expected, why):
    _apply(store, events)
    assert store.part_status("ex", "a") == expected


# (events, parts, expected exercise status, why)
EXERCISE_CASES = [
    ([], ["a", "b"], "new", "nothing recorded"),
    ([("attempt", "a", "correct")], ["a", "b"], "attempted", "one of two parts solved"),
    ([("attempt", "a", "correct"), ("attempt", "b", "correct")], ["a", "b"], "solved", "every part"),
    ([("attempt", "a", "correct")], ["a"], "solved", "single part"),
    ([("hint", "b", 1)], ["a", "b"], "attempted", "a hint is engagement"),
    ([("reveal",)], ["a"], "attempted", "a reveal is engagement"),
    ([("attempt", "a", "correct")], [], "attempted", "no parts listed is never solved"),
]


@pytest.mark.parametrize("events,parts,expected,why", EXERCISE_CASES, ids=[c[3] for c in EXERCISE_CASES])
def test_exercise_status(store, events, parts, expected, why):
    _apply(store, events)
    assert store.exercise_status("ex", parts) == expected
    assert store.exercise_status("other", parts) == "new"


def test_hints_reveals_last_answer_and_position(store):
    assert store.hints_used("ex", "a") == 0 and not store.revealed("ex")
    assert store.last_answer("ex", "a") is None and store.position() is None
    store.record_hint("ex", "a", 0)
    store.record_hint("ex", "a", 2)
    store.record_hint("ex", "a", 1)
    assert store.hints_used("ex", "a") == 3 and store.hints_used("ex", "b") == 0
    store.record_attempt("ex", "a", "2x", "incorrect", 0)
    store.record_attempt("ex", "a", "2Ax", "correct", 1, ["layout"])
    assert store.last_answer("ex", "a") == "2Ax" and store.last_answer("ex", "b") is None
    store.record_reveal("ex")
    assert store.revealed("ex") and not store.revealed("other")
    store.set_position("ex")
    store.set_position("next")
    assert store.position() == "next"


def test_summary_counts_and_recent(store):
    store.record_attempt("g1", "a", "x", "correct", 1)
    store.record_hint("g2", "a", 0)
    store.record_attempt("h1", "a", "x", "correct", 1)
    store.record_attempt("h1", "b", "y", "incorrect", 0)
    store.record_reveal("gone")  # no longer in the bank: counted in activity, not in sections
    for k in range(12):
        store.record_attempt("g3", "a", str(k), "incorrect", 0)
    summary = store.summary({"gradients": [("g1", ["a"]), ("g2", ["a"]), ("g3", ["a"]), ("g4", ["a"])],
                             "hessians": [("h1", ["a", "b"])]})
    assert summary["sections"] == [
        {"section": "gradients", "solved": 1, "attempted": 2, "new": 1, "total": 4},
        {"section": "hessians", "solved": 0, "attempted": 1, "new": 0, "total": 1},
    ]
    assert summary["totals"] == {"solved": 1, "attempted": 3, "new": 1, "total": 5,
                                 "attempts": 15, "hints": 1, "reveals": 1}
    recent = summary["recent"]
    assert len(recent) == 10
    assert recent[0] == {"time": recent[0]["time"], "kind": "attempt", "exercise": "g3", "part": "a",
                         "status": "incorrect"}
    assert recent[0]["time"].endswith("Z")
    json.dumps(summary)


def test_export_has_everything(store):
    store.record_attempt("ex", "a", "2x", "incorrect", 0, ["sign", "factor"])
    store.record_hint("ex", "a", 1)
    store.record_reveal("ex")
    store.set_position("ex")
    doc = json.loads(json.dumps(store.export_json()))
    assert doc["learner_id"] == store.learner_id and doc["position"] == "ex"
    assert doc["attempts"] == [{"time": doc["attempts"][0]["time"], "exercise": "ex", "part": "a",
                                "answer": "2x", "status": "incorrect", "score": 0.0,
                                "diagnostics": ["sign", "factor"]}]
    assert [(h["part"], h["hint_index"]) for h in doc["hints"]] == [("a", 1)]
    assert [r["exercise"] for r in doc["reveals"]] == ["ex"]


# --- transactions and durability ----------------------------------------------------------------

def test_an_attempt_is_committed_when_record_returns(store):
    store.record_attempt("ex", "a", "2x", "correct", 1)
    # A second, independent connection sees it at once: nothing is left in an open transaction.
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("SELECT answer FROM events WHERE kind = 'attempt'").fetchall() == [("2x",)]
    finally:
        other.close()
    assert not store._conn.in_transaction


def test_pragmas_wal_and_full_sync(store):
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION


def test_a_failed_write_leaves_nothing_behind(store):
    def half_then_fail(conn):
        conn.execute("INSERT INTO events (time, kind, exercise) VALUES ('t', 'hint', 'ex')")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store._run(half_then_fail, write=True)
    assert store.hints_used("ex", "") == 0 and store.persistent
    store.record_hint("ex", "a", 0)  # and the store still works
    assert store.hints_used("ex", "a") == 1


def test_recording_from_many_threads(store):
    def worker(n):
        for k in range(25):
            store.record_attempt(f"ex{n}", "a", str(k), "incorrect", 0)
            store.part_status(f"ex{n}", "a")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.summary({})["totals"]["attempts"] == 150


def test_using_a_closed_store_is_an_error_not_a_silent_fallback(tmp_path):
    s, _ = open_store(tmp_path)
    s.close()
    s.close()  # twice is fine
    with pytest.raises(sqlite3.ProgrammingError):
        s.record_attempt("ex", "a", "x", "correct", 1)


SIGKILL_CHILD = textwrap.dedent("""
    import sys
    from mcalc_tutor.progress.store import open_store
    store, notice = open_store(sys.argv[1])
    assert store.persistent, notice
    for k in range(1_000_000):
        store.record_attempt("ex", "a", f"answer {k}", "incorrect", 0.0, ["d"])
        print(f"checked {k}", flush=True)
""")


def test_sigkill_loses_no_attempt_shown_as_checked(tmp_path):
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    printed: set[str] = set()
    for round_ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", SIGKILL_CHILD, str(tmp_path)], env=_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        kill_after = rng.randint(1, 400)
        try:
            for _ in range(kill_after):
                line = proc.stdout.readline()
                assert line.startswith("checked "), (line, proc.stderr.read())
                printed.add(f"answer {line.split()[1]}")
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            # Whatever reached the pipe before the kill was shown as checked too.
            for line in proc.stdout.read().splitlines():
                if line.startswith("checked "):
                    printed.add(f"answer {line.split()[1]}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        s, notice = open_store(tmp_path)
        try:
            assert notice is None, f"seed {seed} round {round_}: {notice}"
            saved = {a["answer"] for a in s.export_json()["attempts"]}
        finally:
            s.close()
        missing = printed - saved
        assert not missing, f"seed {seed} round {round_}: lost {sorted(missing)[:5]}"


# --- seeds --------------------------------------------------------------------------------------

def test_learner_seed_is_stable_across_reopen_and_differs_between_learners(tmp_path):
    a, _ = open_store(tmp_path / "one")
    first = {e: a.learner_seed(e) for e in ("ex1", "ex2", "ex3")}
    learner = a.learner_id
    a.close()
    b, _ = open_store(tmp_path / "one")
    assert {e: b.learner_seed(e) for e in first} == first and b.learner_id == learner
    b.close()
    assert len(set(first.values())) == 3, "different exercises get different seeds"
    assert all(isinstance(v, int) and 0 <= v < 2 ** 31 for v in first.values())
    c, _ = open_store(tmp_path / "two")
    assert c.learner_seed("ex1") != first["ex1"]
    c.close()


# --- damaged, unreadable and unwritable ---------------------------------------------------------

def _aside(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"{DB_NAME}.damaged-*"))


def _assert_moved_aside(directory: Path, notice: str | None, s: ProgressStore) -> Path:
    [moved] = [p for p in _aside(directory) if not p.name.endswith(("-wal", "-shm", "-journal"))]
    assert notice == f"Your progress file was damaged; it was moved to {moved} and a fresh one started."
    assert s.persistent and s.path == directory / DB_NAME
    s.record_attempt("ex", "a", "x", "correct", 1)
    assert s.part_status("ex", "a") == "solved"
    return moved


def test_garbage_bytes_are_moved_aside_and_a_fresh_store_works(tmp_path):
    garbage = b"this is not a database\x00\xff" * 100
    (tmp_path / DB_NAME).write_bytes(garbage)
    (tmp_path / (DB_NAME + "-wal")).write_bytes(b"stale wal")
    s, notice = open_store(tmp_path)
    try:
        moved = _assert_moved_aside(tmp_path, notice, s)
    finally:
        s.close()
    assert moved.read_bytes() == garbage, "the damaged file is kept for the learner, not deleted"
    # SQLite may drop the stale WAL when it closes the damaged file; it must never reach the fresh one.
    fresh_wal = tmp_path / (DB_NAME + "-wal")
    assert not fresh_wal.exists() or b"stale wal" not in fresh_wal.read_bytes()
    again, notice = open_store(tmp_path)
    assert notice is None and again.part_status("ex", "a") == "solved"
    again.close()


def test_corrupt_pages_are_detected(tmp_path):
    s, _ = open_store(tmp_path)
    rows = [("t", "attempt", f"ex{k % 7}", "a", "x" * 200) for k in range(300)]
    s._run(lambda c: c.executemany("INSERT INTO events (time, kind, exercise, part, answer) "
                                   "VALUES (?, ?, ?, ?, ?)", rows), write=True)  # one fsync, not 300
    s.close()
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    data[4096:4296] = b"\xab" * 200  # scribble over the second page
    path.write_bytes(bytes(data))
    s, notice = open_store(tmp_path)
    try:
        _assert_moved_aside(tmp_path, notice, s)
    finally:
        s.close()


@pytest.mark.parametrize("make,why", [
    (lambda c: c.execute("CREATE TABLE notes (text TEXT)"), "some other program's database"),
    (lambda c: (c.execute("CREATE TABLE meta (key TEXT)"), c.execute("PRAGMA user_version = 1")),
     "our version number but the wrong tables"),
], ids=["foreign", "wrong-tables"])
def test_a_schema_we_cannot_use_is_moved_aside(tmp_path, make, why):
    conn = sqlite3.connect(tmp_path / DB_NAME)
    make(conn)
    conn.commit()
    conn.close()
    s, notice = open_store(tmp_path)
    try:
        _assert_moved_aside(tmp_path, notice, s)
    finally:
        s.close()


def test_an_unopenable_file_is_moved_aside(tmp_path):
    # Tests run as root, where chmod 000 stops nothing: a directory where the file should be
    # cannot be opened by anyone.
    (tmp_path / DB_NAME).mkdir()
    (tmp_path / DB_NAME / "keep").write_text("x")
    s, notice = open_store(tmp_path)
    try:
        moved = _assert_moved_aside(tmp_path, notice, s)
    finally:
        s.close()
    assert (moved / "keep").read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_an_unreadable_file_is_moved_aside(tmp_path):
    path = tmp_path / DB_NAME
    path.write_bytes(b"")
    path.chmod(0)
    s, notice = open_store(tmp_path)
    try:
        _assert_moved_aside(tmp_path, notice, s)
    finally:
        s.close()


def test_an_unwritable_data_dir_means_memory_and_a_notice(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    s, notice = open_store(blocker / "data")
    assert notice == f"Progress cannot be saved: {blocker / 'data'} is not writable."
    assert not s.persistent and s.path is None
    s.record_attempt("ex", "a", "x", "correct", 1)  # works, in memory
    assert s.part_status("ex", "a") == "solved" and isinstance(s.learner_seed("ex"), int)
    s.close()
    assert blocker.read_text() == "not a directory"


def test_a_directory_that_refuses_files_means_memory(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store_module.tempfile, "mkstemp", refuse)
    s, notice = open_store(tmp_path)
    assert notice == f"Progress cannot be saved: {tmp_path} is not writable." and not s.persistent
    s.close()
    assert not (tmp_path / DB_NAME).exists()


class _FailingConnection:
    """Stands in for a connection whose disk went away mid-session."""

    in_transaction = False

    def execute(self, *args):
        raise sqlite3.OperationalError("disk I/O error")

    def backup(self, target):
        raise sqlite3.OperationalError("disk I/O error")

    def close(self):
        pass


def test_a_failure_mid_session_carries_on_in_memory(store):
    seed = store.learner_seed("ex")
    store.record_attempt("ex", "a", "x", "incorrect", 0)
    store._conn.close()
    store._conn = _FailingConnection()
    store.record_attempt("ex", "a", "y", "correct", 1)  # must not raise
    assert not store.persistent and "cannot be saved" in store.problem
    assert store.part_status("ex", "a") == "solved"
    assert store.learner_seed("ex") == seed, "the learner's variants must not change mid-session"


def test_migration_hook_upgrades_and_keeps_data(tmp_path, monkeypatch):
    s, _ = open_store(tmp_path)
    s.record_attempt("ex", "a", "x", "correct", 1)
    s.close()

    def add_seconds(conn):
        conn.execute("ALTER TABLE events ADD COLUMN seconds REAL")

    following = store_module.SCHEMA_VERSION + 1  # the version after today's (2 when drafts came)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", following)
    monkeypatch.setitem(store_module.MIGRATIONS, following, add_seconds)
    s, notice = open_store(tmp_path)
    try:
        assert notice is None and s.part_status("ex", "a") == "solved"
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == following
        assert "seconds" in {r[1] for r in s._conn.execute("PRAGMA table_info(events)")}
    finally:
        s.close()


# --- drafts (schema version 2) ------------------------------------------------------------------

def _version_1_database(path: Path) -> None:
    """A progress file as the version before drafts wrote it: schema 1, two events."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        store_module._migrate_to_1(conn)
        conn.execute("INSERT INTO events (time, kind, exercise, part, answer, status, score, diagnostics) "
                     "VALUES ('2026-01-01T00:00:00Z', 'attempt', 'ex', 'a', '2x', 'correct', 1.0, '[]')")
        conn.execute("INSERT INTO events (time, kind, exercise, part, hint_index) "
                     "VALUES ('2026-01-01T00:01:00Z', 'hint', 'ex', 'b', 0)")
        conn.execute("INSERT INTO meta (key, value) VALUES ('position', 'ex')")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_a_version_1_database_opens_unchanged_and_gains_drafts(tmp_path):
    path = tmp_path / DB_NAME
    _version_1_database(path)
    with sqlite3.connect(path) as conn:
        events_before = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
        meta_before = conn.execute("SELECT * FROM meta ORDER BY key").fetchall()
    s, notice = open_store(tmp_path)
    try:
        assert notice is None and s.persistent and s.path == path  # not moved aside, not in memory
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
        kept = [row[:len(events_before[0])] for row in s._conn.execute("SELECT * FROM events ORDER BY id")]
        assert kept == events_before  # columns added since version 1 come after
        assert s._conn.execute("SELECT * FROM meta ORDER BY key").fetchall() == meta_before
        assert s.part_status("ex", "a") == "solved" and s.hints_used("ex", "b") == 1 and s.position() == "ex"
        assert s.drafts("ex") == {}
        s.save_drafts("ex", {"b": "x^T"})
    finally:
        s.close()
    assert not list(tmp_path.glob("*.damaged-*"))
    s, _ = open_store(tmp_path)
    try:
        assert s.drafts("ex") == {"b": "x^T"}
    finally:
        s.close()


def test_drafts_are_kept_per_part_replaced_and_forgotten(store):
    store.save_drafts("ex", {"a": "2x", "b": "A x"})
    store.save_drafts("other", {"a": "y"})
    store.save_drafts("ex", {"a": "2 x + 1"})
    assert store.drafts("ex") == {"a": "2 x + 1", "b": "A x"}
    store.save_drafts("ex", {"b": "", "a": None})
    assert store.drafts("ex") == {} and store.drafts("other") == {"a": "y"}
    assert store.part_status("ex", "a") == "new"  # a draft is not an attempt
    assert not store._conn.in_transaction


def test_checking_an_answer_removes_its_draft_in_the_same_transaction(store):
    store.save_drafts("ex", {"a": "2x", "b": "A x"})
    store.record_attempt("ex", "a", "2x", "correct", 1)
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("SELECT part FROM drafts").fetchall() == [("b",)]
        assert other.execute("SELECT answer FROM events").fetchall() == [("2x",)]
    finally:
        other.close()


def test_a_failed_draft_write_leaves_the_old_drafts(store):
    store.save_drafts("ex", {"a": "old"})

    def half_then_fail(conn):
        conn.execute("INSERT OR REPLACE INTO drafts (exercise, part, text, time) VALUES ('ex', 'a', 'new', 't')")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store._run(half_then_fail, write=True)
    assert store.drafts("ex") == {"a": "old"}


# --- where the data lives -----------------------------------------------------------------------

def test_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv(store_module.HOME_ENV, raising=False)
    import platformdirs

    assert resolve_data_dir() == Path(platformdirs.user_data_dir("mcalc-tutor", appauthor=False))
    monkeypatch.setenv(store_module.HOME_ENV, str(tmp_path / "env"))
    assert resolve_data_dir() == tmp_path / "env"
    assert resolve_data_dir(str(tmp_path / "cli")) == tmp_path / "cli"
    s, _ = open_store()
    assert s.path == tmp_path / "env" / DB_NAME
    s.close()


def _bank_exercise():
    from mcalc_tutor.content.loader import load_bank

    return load_bank().exercises[0]


def test_progress_json_via_subprocess(tmp_path):
    exercise = _bank_exercise()
    data = tmp_path / "data"
    s, _ = open_store(data)
    for part in exercise.parts:
        s.record_attempt(exercise.id, part.name, "x", "correct", 1)
    s.close()
    # --data-dir beats $MCALC_TUTOR_HOME
    out = subprocess.run([sys.executable, "-m", "mcalc_tutor", "--data-dir", str(data), "progress", "--json"],
                         env=_env(MCALC_TUTOR_HOME=str(tmp_path / "elsewhere")), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["path"] == str(data / DB_NAME) and doc["persistent"] and doc["notice"] is None
    assert doc["totals"]["solved"] == 1 and doc["totals"]["attempts"] == len(exercise.parts)
    [row] = [r for r in doc["sections"] if r["section"] == exercise.section]
    assert row["solved"] == 1 and row["title"]
    assert doc["recent"][0]["exercise"] == exercise.id


def test_progress_command_uses_the_env_var(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(store_module.HOME_ENV, str(tmp_path))
    assert main(["progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(tmp_path / DB_NAME)


def test_progress_text_and_export(tmp_path, capsys):
    exercise = _bank_exercise()
    s, _ = open_store(tmp_path)
    s.record_attempt(exercise.id, exercise.parts[0].name, "x", "incorrect", 0)
    s.record_hint(exercise.id, exercise.parts[0].name, 0)
    s.close()
    assert main(["--data-dir", str(tmp_path), "progress"]) == 0
    out = capsys.readouterr().out
    assert "Progress: 0 of" in out and exercise.id in out and "Recent activity" in out
    assert max(len(line) for line in out.splitlines() if not line.startswith("Saved in")) <= 80
    target = tmp_path / "export.json"
    assert main(["--data-dir", str(tmp_path), "progress", "--export", str(target)]) == 0
    doc = json.loads(target.read_text())
    assert len(doc["attempts"]) == 1 and len(doc["hints"]) == 1
    # the wrong answer's review card and its history go out with the rest (issue 16)
    assert [(c["exercise"], c["part"]) for c in doc["cards"]] == [(exercise.id, exercise.parts[0].name)]
    assert [r["rating"] for r in doc["reviews"]] == ["again"] and doc["cards"][0]["fsrs"]["stability"]
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "progress", "--export", str(tmp_path / "no" / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mcalc-tutor: error: cannot write") and err.count("\n") == 1


def test_progress_command_reports_a_damaged_file_on_stderr(tmp_path, capsys):
    (tmp_path / DB_NAME).write_bytes(b"garbage" * 50)
    assert main(["--data-dir", str(tmp_path), "progress", "--json"]) == 0
    captured = capsys.readouterr()
    assert "was damaged" in captured.err
    assert "was damaged" in json.loads(captured.out)["notice"]


def test_text_bars_fit_80_columns_with_long_names():
    summary = {"sections": [{"section": "s", "title": "A very long section title " * 3, "solved": 3,
                             "attempted": 120, "new": 0, "total": 999}],
               "totals": {"solved": 3, "attempted": 120, "new": 876, "total": 999, "attempts": 1,
                          "hints": 0, "reveals": 0},
               "recent": [{"time": "2024-01-01T00:00:00Z", "kind": "attempt", "exercise": "x" * 90,
                           "part": "p" * 20, "status": "incorrect"}]}
    text = render_text(summary, Path("/tmp/p"))
    assert max(len(line) for line in text.splitlines()) <= 80


def test_store_imports_nothing_heavy():
    code = ("import sys, mcalc_tutor.progress.store, mcalc_tutor.progress.report, mcalc_tutor.cli.progress; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'numpy', 'sympy') "
            "or m.startswith('mcalc_tutor.app')))")
    out = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_an_unreadable_answer_does_not_count_as_an_attempt(tmp_path):
    """STACK's rule: an answer the engine could not read is recorded, never held against the learner."""
    from mcalc_tutor.progress.store import open_store

    store, _ = open_store(tmp_path)
    store.record_attempt("ex", "a", "((", "invalid", 0.0, [])
    assert store.part_status("ex", "a") == "new" and store.exercise_status("ex", ["a"]) == "new"
    assert store.summary({"gradients": [("ex", ["a"])]})["sections"][0]["new"] == 1
    store.record_attempt("ex", "a", "x", "incorrect", 0.0, [])
    assert store.part_status("ex", "a") == "attempted" and store.exercise_status("ex", ["a"]) == "attempted"
    store.close()


# --- variants other than the learner's own (schema version 4) ------------------------------------

def _version_3_database(path: Path) -> None:
    """A progress file as version 3 wrote it (its own DDL: no seed column): a solved part, a
    hint, a wrong answer that made a review card, a draft."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for step in (store_module._migrate_to_1, store_module._migrate_to_2, store_module._migrate_to_3):
            step(conn)
        conn.execute("INSERT INTO events (time, kind, exercise, part, answer, status, score, diagnostics) "
                     "VALUES ('2026-01-01T00:00:00Z', 'attempt', 'ex', 'a', '2x', 'correct', 1.0, '[]')")
        conn.execute("INSERT INTO events (time, kind, exercise, part, hint_index) "
                     "VALUES ('2026-01-01T00:01:00Z', 'hint', 'ex', 'b', 0)")
        conn.execute("INSERT INTO events (time, kind, exercise, part, answer, status, score, diagnostics) "
                     "VALUES ('2026-01-01T00:02:00Z', 'attempt', 'ex', 'b', 'x', 'incorrect', 0.0, '[]')")
        conn.execute("INSERT INTO cards VALUES ('ex', 'b', 1, '2026-01-01T00:03:00Z', '{}', 3)")
        conn.execute("INSERT INTO drafts VALUES ('ex', 'b', 'x^T', '2026-01-01T00:04:00Z')")
        conn.execute("PRAGMA user_version = 3")
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_a_version_3_database_gains_seeds_and_its_rows_stay_the_own_variant(tmp_path):
    path = tmp_path / DB_NAME
    _version_3_database(path)
    with sqlite3.connect(path) as conn:
        assert "seed" not in {r[1] for r in conn.execute("PRAGMA table_info(events)")}
        before = {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in ("events", "drafts", "cards", "meta")}
    s, notice = open_store(tmp_path)
    try:
        assert notice is None and s.persistent
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION == 4
        events = s._conn.execute("SELECT * FROM events").fetchall()
        assert [row[:-1] for row in events] == before["events"], "every row kept as it was"
        assert [row[-1] for row in events] == [None, None, None], "...and it is the own variant's"
        for table in ("drafts", "cards", "meta"):
            assert s._conn.execute(f"SELECT * FROM {table}").fetchall() == before[table]
        assert s.part_status("ex", "a") == "solved" and s.part_status("ex", "b") == "attempted"
        assert s.hints_used("ex", "b") == 1 and s.last_answer("ex", "b") == "x"
        assert s.drafts("ex") == {"b": "x^T"}
        assert "seed" not in s.export_json()["attempts"][0], "an own-variant attempt carries no seed"
    finally:
        s.close()
    assert not list(tmp_path.glob("*.damaged-*"))


def test_another_variant_counts_in_the_log_not_in_the_own_record(store):
    store.save_drafts("ex", {"a": "own draft"})
    store.record_attempt("ex", "a", "9", "correct", 1.0, seed=77)
    store.record_hint("ex", "a", 1, seed=77)
    assert store.part_status("ex", "a") == "new" and store.exercise_status("ex", ["a"]) == "new"
    assert store.hints_used("ex", "a") == 0 and store.last_answer("ex", "a") is None
    assert store.drafts("ex") == {"a": "own draft"}, "a practice answer is not the own draft's check"
    summary = store.summary({"s": [("ex", ["a"])]})
    assert summary["sections"][0]["new"] == 1
    assert summary["totals"]["attempts"] == 1 and summary["totals"]["hints"] == 1, "activity counts it"
    assert [r["exercise"] for r in summary["recent"]] == ["ex", "ex"]
    store.record_attempt("ex", "a", "4", "incorrect", 0.0)
    assert store.part_status("ex", "a") == "attempted" and store.last_answer("ex", "a") == "4"
    store.record_attempt("ex", "a", "5", "correct", 1.0)
    assert store.part_status("ex", "a") == "solved" and store.exercise_status("ex", ["a"]) == "solved"
    store.record_attempt("ex", "a", "8", "incorrect", 0.0, seed=78)
    assert store.last_answer("ex", "a") == "5", "the own box shows the own variant's last answer"
    assert store.summary({"s": [("ex", ["a"])]})["sections"][0]["solved"] == 1


def test_a_wrong_answer_in_another_variant_makes_a_review_card(store):
    store.record_attempt("ex", "a", "9", "incorrect", 0.0, seed=77)
    assert [(c["exercise"], c["part"]) for c in store.review_cards()] == [("ex", "a")]
    assert [r["rating"] for r in store.export_json()["reviews"]] == ["again"]


def test_a_reveal_rates_a_part_solved_only_in_another_variant(store):
    store.record_attempt("ex", "a", "9", "correct", 1.0, seed=77)
    store.record_reveal("ex", ["a"])
    assert [c["part"] for c in store.review_cards()] == ["a"], "the own part was not solved"


def test_another_variants_solution_is_not_the_own_but_an_answer_after_it_rates_again(store):
    store.record_reveal("ex", seed=77)
    assert not store.revealed("ex") and store.exercise_status("ex", ["a"]) == "new"
    assert store.review_cards() == [] and store.summary({})["totals"]["reveals"] == 1
    assert store.export_json()["reveals"][0]["seed"] == 77
    store.record_attempt("ex", "a", "9", "correct", 1.0, seed=77)
    assert [r["rating"] for r in store.export_json()["reviews"]] == ["again"]


def test_the_export_carries_the_seed_of_another_variant(store):
    store.record_attempt("ex", "a", "1", "incorrect", 0.0)
    store.record_attempt("ex", "a", "2", "correct", 1.0, seed=1234)
    store.record_hint("ex", "a", 0, seed=1234)
    doc = json.loads(json.dumps(store.export_json()))
    assert [a.get("seed") for a in doc["attempts"]] == [None, 1234]
    assert "seed" not in doc["attempts"][0]
    assert doc["hints"][0]["seed"] == 1234


def _newer_database(directory: Path) -> Path:
    """A file as a later version would leave it: our tables plus one of its own, a higher version."""
    s, _ = open_store(directory)
    s.record_attempt("ex", "a", "2x", "correct", 1.0)
    s.save_drafts("ex", {"b": "x^T"})
    learner = s.learner_id
    s.close()
    path = directory / DB_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE later (x TEXT)")
    conn.execute(f"PRAGMA user_version = {store_module.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    assert not (directory / (DB_NAME + "-wal")).exists()
    return path, learner


def test_a_newer_file_is_read_into_memory_and_left_untouched(tmp_path):
    path, learner = _newer_database(tmp_path)
    before = path.read_bytes()
    s, notice = open_store(tmp_path)
    try:
        assert notice == ("Your progress file was written by a newer mcalc-tutor; progress will not be "
                          "saved until you upgrade.")
        assert not s.persistent and s.path is None
        assert s.learner_id == learner and s.part_status("ex", "a") == "solved"
        assert s.drafts("ex") == {"b": "x^T"}
        s.record_attempt("ex", "b", "x", "correct", 1.0)  # works, in memory
        s.record_attempt("ex", "b", "y", "incorrect", 0.0, seed=5)
        assert s.part_status("ex", "b") == "solved"
    finally:
        s.close()
    assert path.read_bytes() == before, "not one byte of the newer file changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME], "nothing set aside or left beside it"


def test_a_newer_file_whose_tables_refuse_our_rows_still_opens(tmp_path):
    path, learner = _newer_database(tmp_path)
    conn = sqlite3.connect(path)  # a later version made a column required (with no default here)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("ALTER TABLE drafts RENAME TO old_drafts")
    conn.execute("CREATE TABLE drafts (exercise TEXT, part TEXT, text TEXT, time TEXT, device TEXT NOT NULL)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    s, notice = open_store(tmp_path)
    try:
        assert "newer mcalc-tutor" in notice and not s.persistent
        assert s.learner_id == learner, "the learner's variants stay the same"
        s.save_drafts("ex", {"a": "x"})
        s.record_attempt("ex", "a", "x", "incorrect", 0.0)
        assert s.drafts("ex") == {} and s.part_status("ex", "a") == "attempted"
    finally:
        s.close()
    assert path.read_bytes() == before
