"""The progress store: one SQLite file of attempts, hints and reveals, the learner's unchecked
drafts and the spaced-review cards (FSRS) of parts that went wrong, written in short durable
transactions so that an attempt shown as checked, and the card it rated, survive even SIGKILL.

It must never crash the app over a bad file: a damaged database is moved aside and a fresh one
started; an unwritable place, or a file written by a newer version, means an in-memory store and
a notice. Imports neither Textual nor the app, nor numpy or sympy — it is opened at startup and
must be cheap.

Variants: an attempt or hint made in a variant that is not the learner's own (a practice variant
drawn with ctrl+g, or a review card's fresh variant) is recorded with that variant's ``seed``
(NULL means the own variant); so is a practice variant's solution being shown. Such events count
in the log, the export, the activity totals and spaced review (they rate cards like any attempt);
but an exercise's own record — its parts' status, the exercise's status and the summary's solved
and started sets, the hints used, the last answer (what the own variant's boxes show) and whether
its solution was shown — comes from own-variant events only.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

APP_NAME = "mcalc-tutor"
HOME_ENV = "MCALC_TUTOR_HOME"
DB_NAME = "progress.sqlite3"
SCHEMA_VERSION = 4
QUICK_S = 60.0
"""A right first try within this many seconds of the part being shown is "quick"; two quick ones
in a row on a review card rate Easy (the exercise screen passes no time, so it never rates Easy)."""
STATE_NAMES = {1: "learning", 2: "review", 3: "relearning"}  # fsrs.State values, without importing it
RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}  # fsrs.Rating values
RECENT_LIMIT = 10
SOLVED = "correct"  # the Verdict status that solves a part
BUSY_TIMEOUT_S = 5.0

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # the learner gets a notice; stderr would garble the TUI
T = TypeVar("T")


class SchemaError(Exception):
    """The file is an SQLite database, but not one this version can use or migrate."""


class NewerSchemaError(SchemaError):
    """The file was written by a newer version: readable, perhaps, but not ours to change."""


# ---------------------------------------------------------------------------------------------
# Where the file lives


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """The data directory: ``--data-dir`` beats ``$MCALC_TUTOR_HOME`` beats the platform's."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    """A UTC time as stored: to the second, ``Z``-suffixed, so that text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------
# Schema and migrations


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # One table for all three kinds of event: its id is the true order of what the learner did.
    conn.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('attempt', 'hint', 'reveal')),
            exercise TEXT NOT NULL,
            part TEXT NOT NULL DEFAULT '',
            answer TEXT,
            status TEXT,
            score REAL,
            diagnostics TEXT,
            hint_index INTEGER
        )"""
    )
    conn.execute("CREATE INDEX events_by_part ON events (exercise, part, kind)")
    # Generated inside the creating transaction, so two processes racing to create the file agree.
    conn.execute("INSERT INTO meta (key, value) VALUES ('learner_id', ?)", (secrets.token_hex(16),))


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    # What the learner typed but has not checked, one row per part: kept across Esc and restarts.
    # A table of its own, so that events stay a log of what was checked; version 1 data is untouched.
    conn.execute(
        """CREATE TABLE drafts (
            exercise TEXT NOT NULL,
            part TEXT NOT NULL,
            text TEXT NOT NULL,
            time TEXT NOT NULL,
            PRIMARY KEY (exercise, part)
        )"""
    )


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    # Spaced review: one FSRS card per part that went wrong, needed hints or the solution, and
    # the log of its reviews. New tables only: version 2 data is untouched (no backfill: cards
    # start with the first outcome recorded by this version).
    conn.execute(
        """CREATE TABLE cards (
            exercise TEXT NOT NULL,
            part TEXT NOT NULL,
            state INTEGER NOT NULL,
            due TEXT NOT NULL,
            card TEXT NOT NULL,
            last_event INTEGER NOT NULL,
            PRIMARY KEY (exercise, part)
        )"""
    )
    conn.execute("CREATE INDEX cards_by_due ON cards (due)")
    conn.execute(
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            exercise TEXT NOT NULL,
            part TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            quick INTEGER NOT NULL DEFAULT 0,
            event INTEGER NOT NULL
        )"""
    )


def _migrate_to_4(conn: sqlite3.Connection) -> None:
    # The seed of the variant an attempt or hint was made in when it is not the learner's own
    # (a practice or review variant); NULL, as every version 3 row gets, is the own variant.
    conn.execute("ALTER TABLE events ADD COLUMN seed INTEGER")


# MIGRATIONS[v] turns a version v-1 database into version v; each runs in its own transaction.
# To change the schema: add a function here and raise SCHEMA_VERSION.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_to_1, 2: _migrate_to_2,
                                                                3: _migrate_to_3, 4: _migrate_to_4}

REQUIRED_COLUMNS = {
    "meta": {"key", "value"},
    "events": {"id", "time", "kind", "exercise", "part", "answer", "status", "score", "diagnostics",
               "hint_index", "seed"},
    "drafts": {"exercise", "part", "text", "time"},
    "cards": {"exercise", "part", "state", "due", "card", "last_event"},
    "reviews": {"id", "time", "exercise", "part", "rating", "quick", "event"},
}


def _configure(conn: sqlite3.Connection) -> None:
    # Durability over speed: with synchronous=FULL every commit is fsynced to the WAL.
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() not in ("wal", "memory"):
        log.warning("progress database journal mode is %s, not WAL", mode)
    conn.execute("PRAGMA synchronous=FULL")


def _begin(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")


def _finish(conn: sqlite3.Connection, ok: bool) -> None:
    if ok:
        try:
            conn.execute("COMMIT")
            return
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION, or raise SchemaError if that is impossible."""
    while True:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(f"schema version {version} is newer than this program's {SCHEMA_VERSION}")
        _begin(conn)
        ok = False
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()[0]:
                raise SchemaError("the file holds tables that are not a progress database")
            if version < SCHEMA_VERSION:
                step = MIGRATIONS.get(version + 1)
                if step is None:
                    raise SchemaError(f"no migration from schema version {version}")
                step(conn)
                conn.execute(f"PRAGMA user_version = {version + 1:d}")
            ok = True
        finally:
            _finish(conn, ok)


def _validate(conn: sqlite3.Connection) -> str:
    """Check the tables are what this version expects; return the learner id."""
    for table, wanted in REQUIRED_COLUMNS.items():
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not wanted <= have:
            raise SchemaError(f"table {table} lacks {', '.join(sorted(wanted - have))}")
    row = conn.execute("SELECT value FROM meta WHERE key = 'learner_id'").fetchone()
    if row is None or not row[0]:
        raise SchemaError("no learner id")
    return str(row[0])


def _connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly as long as
    # the code between them. check_same_thread=False: the app records from worker threads; a lock
    # in ProgressStore serialises every use of the connection.
    return sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                           check_same_thread=False, uri=uri)


def _open_file(path: Path) -> tuple[sqlite3.Connection, str]:
    conn = _connect(str(path))
    try:
        # Before anything is set: a newer version's file is not ours to change, not even its
        # journal mode (`_migrate` checks again, for one made newer meanwhile).
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(f"schema version {version} is newer than this program's {SCHEMA_VERSION}")
        _configure(conn)
        problem = conn.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {problem}")
        _migrate(conn)
        learner_id = _validate(conn)
        # Prove we can write now rather than at the learner's first answer.
        _begin(conn)
        _finish(conn, ok=False)
        return conn, learner_id
    except BaseException:
        conn.close()
        raise


def _new_memory(learner_id: str | None = None) -> tuple[sqlite3.Connection, str]:
    conn = _connect(":memory:")
    _migrate(conn)
    if learner_id:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'learner_id'", (learner_id,))
    return conn, _validate(conn)


def _copy_to_memory(path: Path, *, read_only: bool = True) -> tuple[sqlite3.Connection, str]:
    """What a file holds, in memory; a fresh memory database if it cannot be read. ``read_only``
    False reads a file we may not change through an ordinary connection, which (unlike a
    read-only one) removes the WAL and shared-memory files it made when it closes."""
    try:
        src = _connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) if read_only else _connect(str(path))
        try:
            mem = _connect(":memory:")
            src.backup(mem)
        finally:
            src.close()
        return mem, _validate(mem)
    except (sqlite3.Error, SchemaError, OSError, ValueError):
        return _new_memory()


def _copy_of_newer(path: Path) -> tuple[sqlite3.Connection, str]:
    """What a newer version's file holds, in memory, if this version can write to its tables
    (tried, then rolled back); else a fresh memory database with the same learner id, so that
    the learner's variants stay the same."""
    conn, learner_id = _copy_to_memory(path, read_only=False)
    try:
        _begin(conn)
        try:
            conn.execute("INSERT INTO events (time, kind, exercise, part, answer, status, score, diagnostics, "
                         "hint_index, seed) VALUES ('', 'attempt', '', '', '', '', 0, '[]', 0, 0)")
            conn.execute("INSERT OR REPLACE INTO drafts (exercise, part, text, time) VALUES ('', '', '', '')")
            conn.execute("INSERT OR REPLACE INTO cards (exercise, part, state, due, card, last_event) "
                         "VALUES ('', '', 1, '', '{}', 0)")
            conn.execute("INSERT INTO reviews (time, exercise, part, rating, quick, event) VALUES ('', '', '', 1, 0, 0)")
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('position', '')")
        finally:
            _finish(conn, ok=False)
        return conn, learner_id
    except sqlite3.Error:
        conn.close()
        return _new_memory(learner_id)


# ---------------------------------------------------------------------------------------------
# Opening: every fault becomes a store plus a notice


def _error_code(exc: BaseException) -> int:
    return (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_FULL = 5, 6, 8, 13


def _writable_dir(directory: Path) -> bool:
    """True when files can be created in ``directory`` (made if missing). Tried, not guessed:
    os.access says yes to root on a read-only mount."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=directory)
        os.close(fd)
        os.unlink(probe)
        return True
    except OSError:
        return False


def _set_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL and shared-memory files) out of the way."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while os.path.lexists(target):
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    # A stale WAL left beside a fresh database would be replayed into it: move it along.
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if os.path.lexists(side):
            try:
                os.replace(side, target.with_name(target.name + suffix))
            except OSError:
                side.unlink(missing_ok=True)
    return target


def open_store(data_dir: Path | str | None = None) -> tuple[ProgressStore, str | None]:
    """Open the progress database in ``data_dir`` (default: `resolve_data_dir()`).

    Returns the store and a notice for the learner, or None. Never raises for a bad file or
    place: a damaged or unreadable database is moved to ``progress.sqlite3.damaged-<time>`` and a
    fresh one started; when nothing can be saved the store lives in memory (``persistent`` False),
    a copy of the file when it can be read (read-only, or written by a newer version: left as it is).
    """
    directory = Path(data_dir).expanduser() if data_dir is not None else resolve_data_dir()
    if not _writable_dir(directory):
        return ProgressStore.in_memory(), f"Progress cannot be saved: {directory} is not writable."
    path = directory / DB_NAME
    try:
        return ProgressStore(*_open_file(path), path=path), None
    except NewerSchemaError as exc:
        log.warning("cannot write %s: %s", path, exc)
        return (ProgressStore(*_copy_of_newer(path), path=None),
                "Your progress file was written by a newer mcalc-tutor; progress will not be saved "
                "until you upgrade.")
    except (sqlite3.Error, SchemaError) as exc:
        log.warning("cannot open %s: %s", path, exc)
        failure = exc
    code = _error_code(failure)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return (ProgressStore.in_memory(),
                f"Progress cannot be saved: {path} is in use by another program.")
    if code == _SQLITE_READONLY:
        conn, learner_id = _copy_to_memory(path)
        return ProgressStore(conn, learner_id, path=None), f"Progress cannot be saved: {path} is not writable."
    if code == _SQLITE_FULL:
        return ProgressStore.in_memory(), f"Progress cannot be saved: the disk holding {directory} is full."
    try:
        aside = _set_aside(path)
    except OSError as exc:
        return (ProgressStore.in_memory(),
                f"Your progress file {path} is damaged and could not be moved aside ({exc.strerror}); "
                "progress will not be saved.")
    notice = f"Your progress file was damaged; it was moved to {aside} and a fresh one started."
    try:
        return ProgressStore(*_open_file(path), path=path), notice
    except (sqlite3.Error, SchemaError) as exc:
        return (ProgressStore.in_memory(),
                f"Your progress file was damaged; it was moved to {aside}, but a fresh one could "
                f"not be started ({exc}), so progress will not be saved.")


# ---------------------------------------------------------------------------------------------
# The store


class ProgressStore:
    """Attempts, hints, reveals, drafts, review cards and the resume position of one learner.
    Thread-safe. Every time it records comes from ``clock`` (UTC), so that a test can set it."""

    persistent: bool
    """True while what is recorded goes to a file; False for an in-memory store."""
    path: Path | None
    """The database file, or None in memory."""
    problem: str | None
    """Set when saving failed mid-session (the store then carries on in memory)."""

    clock: Callable[[], datetime]
    """Now, as an aware datetime: what every recorded time and review is stamped with."""

    def __init__(self, conn: sqlite3.Connection, learner_id: str, path: Path | None = None,
                 clock: Callable[[], datetime] = _utc_now):
        self.clock = clock
        self._conn = conn
        self._learner_id = learner_id
        self._lock = threading.RLock()
        self._closed = False
        self.path = path
        self.persistent = path is not None
        self.problem = None

    @classmethod
    def in_memory(cls) -> ProgressStore:
        return cls(*_new_memory(), path=None)

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------

    def _run(self, fn: Callable[[sqlite3.Connection], T], write: bool) -> T:
        with self._lock:
            try:
                return self._once(fn, write)
            except sqlite3.Error as exc:
                if not self._recoverable(exc):
                    raise
                self._fall_back_to_memory(exc)
                return self._once(fn, write)

    def _once(self, fn: Callable[[sqlite3.Connection], T], write: bool) -> T:
        if not write:
            return fn(self._conn)
        _begin(self._conn)
        ok = False
        try:
            result = fn(self._conn)
            ok = True
        finally:
            _finish(self._conn, ok)  # COMMIT returns only once the WAL is fsynced
        return result

    def _recoverable(self, exc: sqlite3.Error) -> bool:
        # Misuse (closed store, bad SQL, constraint) is a bug to surface, not a fault of the file.
        if self._closed or not self.persistent:
            return False
        return not isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError,
                                    sqlite3.IntegrityError))

    def _fall_back_to_memory(self, exc: sqlite3.Error) -> None:
        """The file failed mid-session (disk full, I/O error): keep going in memory, say so."""
        log.warning("progress database %s failed: %s; continuing in memory", self.path, exc)
        mem = _connect(":memory:")
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._conn.backup(mem)
            _validate(mem)
        except (sqlite3.Error, SchemaError):
            mem.close()
            mem, _ = _new_memory(self._learner_id)
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        self._conn = mem
        self.persistent = False
        self.problem = f"Progress cannot be saved: {self.path} failed ({exc})."

    def _insert(self, **row) -> None:
        row["time"] = _stamp(self.clock())
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        sql = f"INSERT INTO events ({columns}) VALUES ({marks})"
        self._run(lambda c: c.execute(sql, tuple(row.values())), write=True)

    def _set_meta(self, key: str, value: str) -> None:
        self._run(lambda c: c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                      (key, value)), write=True)

    def _get_meta(self, key: str) -> str | None:
        row = self._run(lambda c: c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone(),
                        write=False)
        return None if row is None else row[0]

    # -- recording --------------------------------------------------------------------------

    def learner_seed(self, exercise_id: str) -> int:
        """A seed for this learner's variant of an exercise: the same on every start."""
        digest = hashlib.sha256(f"{self._learner_id}\0{exercise_id}".encode()).digest()
        return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF

    @property
    def learner_id(self) -> str:
        return self._learner_id

    def record_attempt(self, exercise_id: str, part: str, answer: str, status: str, score: float,
                       diagnostics: Iterable[str] = (), *, seconds: float | None = None,
                       seed: int | None = None) -> None:
        """Record a checked answer; it is committed to disk before this returns. The part's draft
        and its review card go in the same transaction: what was checked is no longer a draft, and
        the card is never out of step with the attempt that rated it. ``seconds``: how long after
        the part was shown it was answered (None when unknown: never "quick"). ``seed``: the
        variant's, when it is not the learner's own (see the module's docstring); such an attempt
        leaves the own variant's draft alone."""
        now = self.clock()
        row = (_stamp(now), exercise_id, part, answer, status, float(score),
               json.dumps([str(d) for d in diagnostics]), _seed_value(seed))

        def write(c: sqlite3.Connection) -> None:
            event = c.execute(
                "INSERT INTO events (time, kind, exercise, part, answer, status, score, diagnostics, seed) "
                "VALUES (?, 'attempt', ?, ?, ?, ?, ?, ?, ?)", row).lastrowid
            if seed is None:
                c.execute("DELETE FROM drafts WHERE exercise = ? AND part = ?", (exercise_id, part))
            rating, quick = _attempt_rating(c, exercise_id, part, status, seconds, now)
            if rating is not None:
                _review(c, exercise_id, part, rating, quick, int(event or 0), now)

        self._run(write, write=True)

    def save_drafts(self, exercise_id: str, drafts: dict[str, str | None]) -> None:
        """Keep what the learner typed but has not checked, {part: text}, in one transaction; an
        empty text or None forgets the part's draft."""
        now = _stamp(self.clock())

        def write(c: sqlite3.Connection) -> None:
            for part, text in drafts.items():
                if text:
                    c.execute("INSERT OR REPLACE INTO drafts (exercise, part, text, time) VALUES (?, ?, ?, ?)",
                              (exercise_id, part, text, now))
                else:
                    c.execute("DELETE FROM drafts WHERE exercise = ? AND part = ?", (exercise_id, part))

        if drafts:
            self._run(write, write=True)

    def record_hint(self, exercise_id: str, part: str, hint_index: int, *, seed: int | None = None) -> None:
        """Record that a hint was shown; ``seed`` as for `record_attempt`."""
        self._insert(kind="hint", exercise=exercise_id, part=part, hint_index=int(hint_index),
                     seed=_seed_value(seed))

    def record_reveal(self, exercise_id: str, parts: Iterable[str] = (), *, seed: int | None = None) -> None:
        """Record that the worked solution was shown. Each of ``parts`` not yet solved (in the own
        variant) is rated Again in the same transaction; and the next right answer to any part of
        the exercise, in any variant, is rated Again too (it was right after seeing the solution).
        ``seed``: another variant's solution (practice passes no parts: seeing it costs nothing
        until an answer copied from it would rate a card)."""
        now = self.clock()
        names = list(parts)

        def write(c: sqlite3.Connection) -> None:
            event = c.execute("INSERT INTO events (time, kind, exercise, part, seed) VALUES (?, 'reveal', ?, '', ?)",
                              (_stamp(now), exercise_id, _seed_value(seed))).lastrowid
            for part in names:
                if not c.execute("SELECT EXISTS (SELECT 1 FROM events WHERE exercise = ? AND part = ? "
                                 "AND kind = 'attempt' AND status = ? AND seed IS NULL)",
                                 (exercise_id, part, SOLVED)).fetchone()[0]:
                    _review(c, exercise_id, part, _AGAIN, False, int(event or 0), now)

        self._run(write, write=True)

    def set_position(self, exercise_id: str) -> None:
        """Remember the exercise the learner is on, to resume there."""
        self._set_meta("position", exercise_id)

    # -- reading ----------------------------------------------------------------------------

    def position(self) -> str | None:
        return self._get_meta("position")

    def part_status(self, exercise_id: str, part: str) -> str:
        """"solved" once any attempt was correct; "attempted" after any readable attempt or a hint;
        else "new" — in the own variant. An answer the engine could not read is recorded but never
        counts against the learner (as STACK does)."""
        solved, engaged = self._run(lambda c: c.execute(
            "SELECT coalesce(max(kind = 'attempt' AND status = ?), 0), count(*) FROM events "
            "WHERE exercise = ? AND part = ? AND kind IN ('attempt', 'hint') AND seed IS NULL "
            "AND NOT (kind = 'attempt' AND status = 'invalid')",
            (SOLVED, exercise_id, part)).fetchone(), write=False)
        return "solved" if solved else "attempted" if engaged else "new"

    def exercise_status(self, exercise_id: str, parts: list[str]) -> str:
        """"solved" when every listed part is solved; "attempted" after any attempt, hint or
        reveal; else "new" — in the own variant."""
        def query(c: sqlite3.Connection):
            solved = {row[0] for row in c.execute(
                "SELECT DISTINCT part FROM events WHERE exercise = ? AND kind = 'attempt' AND status = ? "
                "AND seed IS NULL", (exercise_id, SOLVED))}
            engaged = c.execute("SELECT EXISTS (SELECT 1 FROM events WHERE exercise = ? AND seed IS NULL "
                                "AND NOT (kind = 'attempt' AND status = 'invalid'))",
                                (exercise_id,)).fetchone()[0]
            return solved, bool(engaged)

        solved, engaged = self._run(query, write=False)
        return _status(parts, solved, engaged)

    def hints_used(self, exercise_id: str, part: str) -> int:
        """How many hints the own variant has shown: the highest hint index shown + 1 (0 if none)."""
        row = self._run(lambda c: c.execute(
            "SELECT max(hint_index) FROM events WHERE exercise = ? AND part = ? AND kind = 'hint' "
            "AND seed IS NULL",
            (exercise_id, part)).fetchone(), write=False)
        return 0 if row[0] is None else int(row[0]) + 1

    def revealed(self, exercise_id: str) -> bool:
        """Whether the own variant's worked solution has been shown."""
        row = self._run(lambda c: c.execute(
            "SELECT EXISTS (SELECT 1 FROM events WHERE exercise = ? AND kind = 'reveal' AND seed IS NULL)",
            (exercise_id,)).fetchone(), write=False)
        return bool(row[0])

    def drafts(self, exercise_id: str) -> dict[str, str]:
        """The unchecked drafts of an exercise's parts, {part: text}."""
        rows = self._run(lambda c: c.execute(
            "SELECT part, text FROM drafts WHERE exercise = ?", (exercise_id,)).fetchall(), write=False)
        return {part: text for part, text in rows}

    def last_answer(self, exercise_id: str, part: str) -> str | None:
        """The answer last checked in the own variant (what its box shows), or None."""
        row = self._run(lambda c: c.execute(
            "SELECT answer FROM events WHERE exercise = ? AND part = ? AND kind = 'attempt' "
            "AND seed IS NULL ORDER BY id DESC LIMIT 1", (exercise_id, part)).fetchone(), write=False)
        return None if row is None else row[0]

    def summary(self, sections: dict[str, list[tuple[str, list[str]]]]) -> dict:
        """Per-section counts, totals and recent activity, for the progress screen and command.

        ``sections`` maps a section to its ``(exercise_id, [part names])`` in display order. In
        each count ``solved + attempted + new == total`` ("attempted" means started, not solved),
        by own-variant events as `exercise_status` counts. Activity totals and recent activity
        count everything recorded, other variants and exercises no longer in the bank included.
        """
        def query(c: sqlite3.Connection):
            solved = {(e, p) for e, p in c.execute(
                "SELECT DISTINCT exercise, part FROM events WHERE kind = 'attempt' AND status = ? "
                "AND seed IS NULL", (SOLVED,))}
            engaged = {row[0] for row in c.execute(
                "SELECT DISTINCT exercise FROM events WHERE seed IS NULL "
                "AND NOT (kind = 'attempt' AND status = 'invalid')")}
            counts = dict(c.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
            recent = c.execute(
                "SELECT time, kind, exercise, part, status, hint_index FROM events "
                "ORDER BY id DESC LIMIT ?", (RECENT_LIMIT,)).fetchall()
            return solved, engaged, counts, recent

        solved_parts, engaged, counts, recent_rows = self._run(query, write=False)
        solved_by_exercise: dict[str, set[str]] = {}
        for exercise_id, part in solved_parts:
            solved_by_exercise.setdefault(exercise_id, set()).add(part)
        rows: list[dict[str, str | int]] = []
        totals = {"solved": 0, "attempted": 0, "new": 0, "total": 0}
        for section, items in sections.items():
            counted = {"solved": 0, "attempted": 0, "new": 0, "total": 0}
            for exercise_id, parts in items:
                done = solved_by_exercise.get(exercise_id, set())
                counted[_status(parts, done, exercise_id in engaged)] += 1
                counted["total"] += 1
            for key in totals:
                totals[key] += counted[key]
            rows.append({"section": section, **counted})
        totals.update(attempts=counts.get("attempt", 0), hints=counts.get("hint", 0),
                      reveals=counts.get("reveal", 0))
        recent = [{"time": time, "kind": kind, "exercise": exercise, "part": part,
                   "status": status if kind == "attempt" else
                   f"hint {hint_index + 1}" if kind == "hint" else "revealed"}
                  for time, kind, exercise, part, status, hint_index in recent_rows]
        return {"sections": rows, "totals": totals, "recent": recent}

    def review_cards(self, due_by: datetime | None = None) -> list[dict]:
        """The review cards, soonest due first: all of them, or those due by ``due_by``. Each is
        {exercise, part, due, state, reviews}."""
        def query(c: sqlite3.Connection):
            sql = ("SELECT c.exercise, c.part, c.due, c.state, (SELECT count(*) FROM reviews r "
                   "WHERE r.exercise = c.exercise AND r.part = c.part) FROM cards c")
            if due_by is None:
                return c.execute(sql + " ORDER BY c.due, c.exercise, c.part").fetchall()
            return c.execute(sql + " WHERE c.due <= ? ORDER BY c.due, c.exercise, c.part",
                             (_stamp(due_by),)).fetchall()

        return [{"exercise": e, "part": p, "due": due, "state": STATE_NAMES.get(state, str(state)),
                 "reviews": n} for e, p, due, state, n in self._run(query, write=False)]

    def due_cards(self) -> list[dict]:
        """The cards due now (by ``clock``), soonest first."""
        return self.review_cards(self.clock())

    def export_json(self) -> dict:
        """Everything recorded, as one JSON-ready document. An attempt or hint made in a variant
        other than the learner's own carries its "seed"."""
        def query(c: sqlite3.Connection):
            return c.execute(
                "SELECT time, kind, exercise, part, answer, status, score, diagnostics, hint_index, seed "
                "FROM events ORDER BY id").fetchall()

        def review_query(c: sqlite3.Connection):
            cards = c.execute("SELECT exercise, part, state, due, card FROM cards "
                              "ORDER BY due, exercise, part").fetchall()
            reviews = c.execute("SELECT time, exercise, part, rating, quick FROM reviews ORDER BY id").fetchall()
            return cards, reviews

        rows = self._run(query, write=False)
        card_rows, review_rows = self._run(review_query, write=False)
        cards = [{"exercise": e, "part": p, "state": STATE_NAMES.get(state, str(state)), "due": due,
                  "fsrs": json.loads(card)} for e, p, state, due, card in card_rows]
        reviews = [{"time": time, "exercise": e, "part": p, "rating": RATINGS.get(rating, str(rating)),
                    "quick": bool(quick)} for time, e, p, rating, quick in review_rows]
        attempts, hints, reveals = [], [], []
        for time, kind, exercise, part, answer, status, score, diagnostics, hint_index, seed in rows:
            other_variant = {} if seed is None else {"seed": seed}
            if kind == "attempt":
                attempts.append({"time": time, "exercise": exercise, "part": part, "answer": answer,
                                 "status": status, "score": score,
                                 "diagnostics": _load_list(diagnostics), **other_variant})
            elif kind == "hint":
                hints.append({"time": time, "exercise": exercise, "part": part, "hint_index": hint_index,
                              **other_variant})
            else:
                reveals.append({"time": time, "exercise": exercise, **other_variant})
        return {"format": "mcalc-tutor-progress", "schema_version": SCHEMA_VERSION,
                "exported": _stamp(self.clock()), "learner_id": self._learner_id, "position": self.position(),
                "attempts": attempts, "hints": hints, "reveals": reveals, "cards": cards,
                "reviews": reviews}

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                try:
                    self._conn.close()
                except sqlite3.Error as exc:  # closing must not crash the app on its way out
                    log.warning("closing progress database: %s", exc)


# ---------------------------------------------------------------------------------------------
# Spaced review: the rating an outcome earns, and the FSRS step, inside the recording transaction

_AGAIN, _HARD, _GOOD, _EASY = 1, 2, 3, 4  # fsrs.Rating values


def _attempt_rating(c: sqlite3.Connection, exercise_id: str, part: str, status: str,
                    seconds: float | None, now: datetime) -> tuple[int | None, bool]:
    """The rating an attempt (just inserted) earns its part's card, and whether it was quick.

    Wrong → Again; right after the solution was shown → Again; right after a hint → Hard; right
    first try → Good, or Easy when quick twice in a row. "Since" means since the card's last
    review (ever, for a part without a card), that review's own event included: a reveal that
    rated the card Again still makes the answer typed after it Again. A part right first time
    with no hint and no card gets none (None): it is known, and a Good card would only bring it
    back for no reason. "Twice in a row" means on two showings: Easy only when the card was due,
    so checking a right answer again at once (Enter, Enter) is not a second quick review; and
    that same right answer checked again before the card is due rates nothing at all (each
    Good would move the card on a step). An unreadable answer rates nothing (it never counts
    against the learner)."""
    if status == "invalid":
        return None, False
    card = c.execute("SELECT last_event, due FROM cards WHERE exercise = ? AND part = ?",
                     (exercise_id, part)).fetchone()
    since = card[0] if card else 0
    if status != SOLVED:
        return _AGAIN, False
    if c.execute("SELECT EXISTS (SELECT 1 FROM events WHERE id >= ? AND exercise = ? AND kind = 'reveal')",
                 (since, exercise_id)).fetchone()[0]:
        return _AGAIN, False
    if c.execute("SELECT EXISTS (SELECT 1 FROM events WHERE id > ? AND exercise = ? AND part = ? "
                 "AND kind = 'hint')", (since, exercise_id, part)).fetchone()[0]:
        return _HARD, False
    if card is None:
        return None, False
    was_due = card[1] <= _stamp(now)
    this_and_before = c.execute("SELECT answer, status, seed FROM events WHERE exercise = ? AND part = ? "
                                "AND kind = 'attempt' ORDER BY id DESC LIMIT 2", (exercise_id, part)).fetchall()
    if not was_due and len(this_and_before) == 2 and this_and_before[0] == this_and_before[1]:
        return None, False  # the same right answer checked again: not a second recall
    quick = seconds is not None and 0 <= seconds <= QUICK_S
    last = c.execute("SELECT quick FROM reviews WHERE exercise = ? AND part = ? ORDER BY id DESC LIMIT 1",
                     (exercise_id, part)).fetchone()
    return (_EASY if quick and was_due and last is not None and last[0] else _GOOD), quick


def _card_id(exercise_id: str, part: str) -> int:
    digest = hashlib.sha256(f"{exercise_id}\0{part}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def _scheduler():
    # Fuzzing off: with it FSRS draws a random interval, and the schedule must follow from the
    # review times alone. Imported here: fsrs is not needed to open the store.
    from fsrs import Scheduler

    return Scheduler(enable_fuzzing=False)


def _review(c: sqlite3.Connection, exercise_id: str, part: str, rating: int, quick: bool, event: int,
            now: datetime) -> None:
    """Apply one FSRS review at ``now`` to the part's card (made if missing) and log it."""
    from fsrs import Card, Rating

    moment = now.astimezone(UTC).replace(microsecond=0)
    row = c.execute("SELECT card FROM cards WHERE exercise = ? AND part = ?", (exercise_id, part)).fetchone()
    card = Card.from_dict(json.loads(row[0])) if row else Card(card_id=_card_id(exercise_id, part), due=moment)
    card, _ = _scheduler().review_card(card, Rating(rating), moment)
    c.execute("INSERT OR REPLACE INTO cards (exercise, part, state, due, card, last_event) "
              "VALUES (?, ?, ?, ?, ?, ?)",
              (exercise_id, part, int(card.state), _stamp(card.due), json.dumps(card.to_dict()), event))
    c.execute("INSERT INTO reviews (time, exercise, part, rating, quick, event) VALUES (?, ?, ?, ?, ?, ?)",
              (_stamp(moment), exercise_id, part, rating, int(quick), event))


def _status(parts: list[str], solved: set[str], engaged: bool) -> str:
    if parts and all(p in solved for p in parts):
        return "solved"
    return "attempted" if engaged else "new"


def _seed_value(seed: int | None) -> int | None:
    """A variant seed as stored: NULL for the own variant, else an integer."""
    return None if seed is None else int(seed)


def _load_list(text: str | None) -> list:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []
