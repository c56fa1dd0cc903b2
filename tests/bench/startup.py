"""Startup of the app: time from process start to the first screen being interactive, against a
bare Textual app (Header, Static, Footer) measured in the same run, and the app's peak memory.
Opening an exercise: time from the Enter key on the chapter map to the exercise being interactive
(its first answer box focused and the screen drawn), against a bare Textual app pushing a screen
with one Input on Enter, measured in the same run.

Run:  .venv/bin/python tests/bench/startup.py [--runs N] [--opens N] [--no-session]

Each process runs in its own pseudo-terminal of 80×24 (as over SSH). "Interactive" is when the app
has painted its first screen and handles keys: both apps append a line to a file named by
$MCALC_TUTOR_STARTUP_LOG from `call_after_refresh` in `on_ready`; the clock is this script's,
from just before the spawn to the line appearing. The bare apps draw at mcalc-tutor's frame rate
(it sets TEXTUAL_FPS=FRAME_RATE for itself, app/main.py). Memory is the peak resident set (ru_maxrss
from wait4) of a session: first screen, the engine warmed in the background, an exercise opened
and an answer checked, the lab run, quit. Goal: ratio <= 1.5 and peak RSS <= 150 MB. It prints
figures and asserts nothing.

Opening: each of --runs sessions (app and bare alternating) waits for its first screen (the app:
also for the engine to be warm, as when a learner has read the map), then opens --opens exercises
one after the other (Enter, Esc, ↓), each timed from writing the Enter key to the pty until the
exercise screen appends "phase-exercise-interactive" to the log (from `call_after_refresh` once
its answer box has focus); the bare app logs the same line the same way. Goal: median <= 100 ms.
The machine may be loaded by other work: ratios against the bare runs of the same moment are the
steadier figure; medians over all opens are printed.
"""
from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import os
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

from mcalc_tutor.app.main import FRAME_RATE

GOAL_RATIO = 1.25
GOAL_RSS_MB = 150.0
GOAL_OPEN_MS = 100.0
OPEN_LINE = "phase-exercise-interactive"

BARE_APP = r'''
import os
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield Header()
        yield Static("Hello")
        yield Footer()
    def on_ready(self):
        self.call_after_refresh(self._shown)
    def _shown(self):
        with open(os.environ["MCALC_TUTOR_STARTUP_LOG"], "a") as fh:
            fh.write("first-screen 0\n")

Bare().run()
'''

BARE_PUSH = r'''
import os, time
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Static

class One(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back")]
    def compose(self):
        yield Input()
    def on_mount(self):
        self.query_one(Input).focus()
        self.call_after_refresh(self._shown)
    def _shown(self):
        with open(os.environ["MCALC_TUTOR_STARTUP_LOG"], "a") as fh:
            fh.write("phase-exercise-interactive 0\n")

class Bare(App):
    BINDINGS = [("ctrl+q", "quit", "Quit"), ("enter", "open", "Open")]
    def compose(self):
        yield Static("Hello")
    def action_open(self):
        self.push_screen(One())
    def on_ready(self):
        self.call_after_refresh(self._shown)
    def _shown(self):
        with open(os.environ["MCALC_TUTOR_STARTUP_LOG"], "a") as fh:
            fh.write("first-screen 0\n")

Bare().run()
'''


class Session:
    """A child process on a pseudo-terminal, its output drained so that it never blocks."""

    def __init__(self, argv: list[str], log: Path, env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.master = master
        self.log = log
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        _RUNNING.add(self.proc)
        os.close(slave)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                if not os.read(self.master, 65536):
                    return
            except OSError:
                return

    def wait_line(self, prefix: str, timeout: float = 60.0) -> float:
        """Seconds from the spawn until a log line starting with `prefix` appears."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if any(line.startswith(prefix) for line in self.log.read_text().splitlines()):
                    return time.perf_counter() - self.started
            except FileNotFoundError:
                pass
            time.sleep(0.002)
        raise TimeoutError(f"no {prefix!r} line within {timeout} s")

    def lines(self, prefix: str) -> int:
        try:
            return sum(1 for line in self.log.read_text().splitlines() if line.startswith(prefix))
        except FileNotFoundError:
            return 0

    def time_key(self, data: str, prefix: str, timeout: float = 30.0) -> float:
        """Seconds from writing `data` until one more log line starting with `prefix` appears."""
        before = self.lines(prefix)
        started = time.perf_counter()
        os.write(self.master, data.encode())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.lines(prefix) > before:
                return time.perf_counter() - started
            time.sleep(0.001)
        raise TimeoutError(f"no new {prefix!r} line within {timeout} s")

    def send(self, data: str, pause: float = 0.3) -> None:
        os.write(self.master, data.encode())
        time.sleep(pause)

    def finish(self, timeout: float = 20.0) -> tuple[int, float]:
        """Quit (ctrl+q) and return (exit status, peak RSS in MB)."""
        self.send("\x11", 0)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                _RUNNING.discard(self.proc)
                os.close(self.master)
                return self.proc.returncode, usage.ru_maxrss / 1024.0
            time.sleep(0.02)
        self.proc.kill()
        raise TimeoutError("the app did not quit")


_RUNNING: set[subprocess.Popen] = set()
"""Apps started and not yet reaped: a run that stops on a timeout or an error must not leave them
running (two left behind once took a core for an hour and skewed every later figure)."""


@atexit.register
def _stop_running() -> None:
    for proc in _RUNNING:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)


def _env(log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL") and k != "NO_COLOR"}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", MCALC_TUTOR_STARTUP_LOG=str(log),
               LINES="24", COLUMNS="80")
    return env


def _bare_env(log: Path) -> dict[str, str]:
    """The bare apps draw at the app's frame rate (mcalc-tutor sets TEXTUAL_FPS for itself):
    the ratios compare the work done, not the frame clock."""
    return {**_env(log), "TEXTUAL_FPS": str(FRAME_RATE)}


def time_bare(workdir: Path, i: int) -> float:
    script = workdir / "bare_app.py"
    script.write_text(BARE_APP)
    log = workdir / f"bare-{i}.log"
    session = Session([sys.executable, str(script)], log, _bare_env(log))
    seconds = session.wait_line("first-screen")
    session.finish()
    return seconds


def time_app(workdir: Path, i: int, *, session_steps: bool) -> tuple[float, float | None, float]:
    """(seconds to the first screen, seconds to the engine being warm, peak RSS in MB)."""
    log = workdir / f"app-{i}.log"
    data = workdir / "data"  # one learner: from the second start on, the catalogue comes from its cache
    session = Session([sys.executable, "-m", "mcalc_tutor", "--data-dir", str(data)], log, _env(log))
    first = session.wait_line("first-screen")
    warm = None
    if session_steps or i < 0:
        warm = session.wait_line("engine-warm")
    if session_steps:
        session.send("c", 2.0)                 # open the first exercise
        session.send("2x", 0.3)                # type an answer in its first box
        session.send("\r", 2.0)                # check it (sympy/numpy at work)
        session.send("\x1b", 1.0)              # back to the map
        session.send("l", 3.0)                 # the lab runs and draws
    status, rss = session.finish()
    if status != 0:
        raise RuntimeError(f"the app exited with {status}")
    return first, warm, rss


def time_opens(workdir: Path, i: int, opens: int, *, bare: bool) -> list[float]:
    """Seconds from Enter on the first screen to an interactive exercise, for `opens` exercises."""
    log = workdir / f"open-{'bare' if bare else 'app'}-{i}.log"
    if bare:
        script = workdir / "bare_push.py"
        script.write_text(BARE_PUSH)
        argv = [sys.executable, str(script)]
    else:
        argv = [sys.executable, "-m", "mcalc_tutor", "--data-dir", str(workdir / f"open-data-{i}")]
    session = Session(argv, log, _bare_env(log) if bare else _env(log))
    session.wait_line("first-screen")
    if not bare:
        session.wait_line("engine-warm")
    time.sleep(0.5)  # a learner reads the map before pressing a key
    out = []
    for _ in range(opens):
        out.append(session.time_key("\r", OPEN_LINE))
        time.sleep(0.3)
        session.send("\x1b", 0.4)   # back to the map
        session.send("j", 0.3)       # the next exercise (the bare app ignores it)
    status, _ = session.finish()
    if status != 0:
        raise RuntimeError(f"{'bare' if bare else 'app'} exited with {status}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs of each app, alternating (default 7)")
    parser.add_argument("--no-session", action="store_true", help="measure startup only, skip the session")
    parser.add_argument("--opens", type=int, default=5, help="exercises opened per session (default 5; 0 skips)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mcalc-startup-") as tmp:
        workdir = Path(tmp)
        # one untimed run of each, so that both start from warm file caches and compiled bytecode,
        # and the app has its catalogue cache (as on every start but a learner's very first)
        time_bare(workdir, -1)
        time_app(workdir, -1, session_steps=False)
        bare, app, warm, rss = [], [], [], []
        for i in range(args.runs):
            bare.append(time_bare(workdir, i))
            first, ready, peak = time_app(workdir, i, session_steps=not args.no_session and i == 0)
            app.append(first)
            if ready is not None:
                warm.append(ready)
            rss.append(peak)
        open_bare: list[float] = []
        open_app: list[float] = []
        ratios: list[float] = []
        if args.opens:
            time_opens(workdir, -1, 1, bare=True)  # warm caches, as above
            for i in range(args.runs):
                b_run = time_opens(workdir, i, args.opens, bare=True)
                a_run = time_opens(workdir, i, args.opens, bare=False)
                open_bare += b_run
                open_app += a_run
                ratios.append(statistics.median(a_run) / statistics.median(b_run))

    b, a = statistics.median(bare), statistics.median(app)
    ratio = a / b
    print(f"bare Textual app (Header, Static, Footer): median {b * 1000:.0f} ms "
          f"(min {min(bare) * 1000:.0f}, max {max(bare) * 1000:.0f}) over {len(bare)} runs")
    print(f"mcalc-tutor, chapter map interactive:      median {a * 1000:.0f} ms "
          f"(min {min(app) * 1000:.0f}, max {max(app) * 1000:.0f}) over {len(app)} runs")
    print(f"ratio app / bare: {ratio:.2f}  (goal <= {GOAL_RATIO})  {'OK' if ratio <= GOAL_RATIO else 'OVER'}")
    if warm:
        print(f"engine warm (bank, numpy, sympy loaded in the background): {warm[0] * 1000:.0f} ms after start")
    if not args.no_session:
        print(f"peak RSS of a session (map, engine warm, an exercise checked, the lab): {rss[0]:.0f} MB "
              f"(goal <= {GOAL_RSS_MB:.0f})  {'OK' if rss[0] <= GOAL_RSS_MB else 'OVER'}")
    print(f"peak RSS, startup only (first screen, engine warm, quit): median "
          f"{statistics.median(rss[1:] or rss):.0f} MB")
    if open_app:
        ob, oa = statistics.median(open_bare), statistics.median(open_app)
        print(f"bare Textual screen push (one Input) on Enter: median {ob * 1000:.0f} ms "
              f"(min {min(open_bare) * 1000:.0f}, max {max(open_bare) * 1000:.0f}) over {len(open_bare)} opens")
        print(f"mcalc-tutor, Enter on the map to an interactive exercise: median {oa * 1000:.0f} ms "
              f"(min {min(open_app) * 1000:.0f}, max {max(open_app) * 1000:.0f}) over {len(open_app)} opens  "
              f"(goal <= {GOAL_OPEN_MS:.0f} ms)  {'OK' if oa * 1000 <= GOAL_OPEN_MS else 'OVER'}")
        print(f"ratio open / bare push: {oa / ob:.2f} overall; per session median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
