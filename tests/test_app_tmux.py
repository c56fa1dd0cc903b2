"""The real app in a real terminal: `mcalc-tutor` started in tmux at 80×24, driven with keys,
read back with `capture-pane`, and quit cleanly. Skipped only where tmux is not installed."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


class Terminal:
    """One tmux server of our own (-L), one 80×24 window running the app."""

    def __init__(self, tmp_path: Path, *, env: dict[str, str] | None = None) -> None:
        self.socket = f"mcalc-test-{os.getpid()}-{time.monotonic_ns()}"
        self.rc_file = tmp_path / "exit-code"
        data = tmp_path / "data"
        extra = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        app = f"{shlex.quote(sys.executable)} -m mcalc_tutor --data-dir {shlex.quote(str(data))}"
        command = f"env {extra} {app}; echo $? > {shlex.quote(str(self.rc_file))}"
        self.tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24", command)

    def tmux(self, *args: str) -> str:
        result = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=20)
        return result.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "app", *(["-l"] if literal else []), *keys)

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "app")

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        """The screen once any of `texts` is on it."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if any(text in shown for text in texts):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{texts!r} did not appear; the screen was:\n{shown}")

    def exit_code(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.rc_file.exists() and self.rc_file.read_text().strip():
                return int(self.rc_file.read_text())
            time.sleep(0.1)
        raise AssertionError(f"the app did not exit; the screen was:\n{self.screen()}")

    def app_pid(self) -> int:
        """The Python process of the app (the pane runs a shell that runs it)."""
        shell = int(self.tmux("list-panes", "-t", "app", "-F", "#{pane_pid}").split()[0])
        children = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True).stdout.split()
        return int(children[0]) if children else shell

    def close(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, timeout=20)


@pytest.fixture
def terminal_factory(tmp_path):
    opened: list[Terminal] = []

    def make(**kwargs) -> Terminal:
        term = Terminal(tmp_path, **kwargs)
        opened.append(term)
        return term

    yield make
    for term in opened:
        term.close()


def test_a_session_in_a_real_80x24_terminal(terminal_factory):
    term = terminal_factory()
    term.wait_for("Chapter map")
    term.wait_for("Quit")
    screen = term.wait_for("Open")  # the list's own key joins the footer once the list has focus
    lines = screen.rstrip("\n").splitlines()
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
    assert "Gradients and directional derivatives" in screen and "solved" in screen
    footer = lines[-1]
    for key in ("Open", "Continue", "Lab", "Progress", "Quit", "Help", "palette"):
        assert key in footer, footer  # nothing of the footer is cut off at 80 columns

    term.keys("Enter")  # the first exercise
    term.wait_for("Hint")
    screen = term.wait_for("palette")
    footer = screen.rstrip("\n").splitlines()[-1]
    for key in ("Hint", "Solution", "Next", "Map", "Help", "palette"):  # Prev is in the help only
        assert key in footer, footer
    assert "○ new" in screen or "attempted" in screen or "solved" in screen

    # the learner asks for the first exercise's first hint, and comes back to the map
    term.keys("C-t")
    term.wait_for("Hint 1:")
    term.keys("Escape")
    screen = term.wait_for("continues where you left off")
    assert "attempted" in screen

    term.keys("l")  # the lab draws its charts
    screen = term.wait_for("iteration")
    assert "Optimizer lab" in screen
    term.wait_for("steps")  # the notes under the charts
    term.keys("Escape")
    term.wait_for("Chapter map")

    term.keys("F1")
    term.wait_for("Everywhere")
    term.keys("Escape")
    term.wait_for("Continue")
    term.keys("C-q")
    assert term.exit_code() == 0


def test_no_color_leaves_only_greys(terminal_factory):
    """NO_COLOR: the screen uses no hue at all (Textual turns every colour into a grey)."""
    def hues(text: str) -> set[str]:
        found = set()
        for params in re.findall(r"\x1b\[([0-9;]*)m", text):
            values = [int(v) for v in params.split(";") if v]
            i = 0
            while i < len(values):
                if values[i] in (38, 48) and i + 2 < len(values) and values[i + 1] == 5:
                    n = values[i + 2]
                    grey = n in (0, 7, 8, 15, 16, 231) or 232 <= n <= 255 or (
                        16 <= n <= 231 and len({(n - 16) // 36, (n - 16) // 6 % 6, (n - 16) % 6}) == 1)
                    if not grey:
                        found.add(f"{values[i]};5;{n}")
                    i += 3
                elif values[i] in (38, 48) and i + 4 < len(values) and values[i + 1] == 2:
                    r, g, b = values[i + 2:i + 5]
                    if not (r == g == b):
                        found.add(f"{values[i]};2;{r};{g};{b}")
                    i += 5
                else:
                    if 31 <= values[i] <= 36 or 41 <= values[i] <= 46 or 91 <= values[i] <= 96:
                        found.add(str(values[i]))
                    i += 1
        return found

    plain = terminal_factory(env={"NO_COLOR": "1"})
    plain.wait_for("Chapter map")
    plain.keys("Enter")
    plain.wait_for("Hint")
    assert hues(plain.screen(escapes=True)) == set()
    plain.keys("C-q")
    assert plain.exit_code() == 0

    coloured = terminal_factory()  # the same screen with colour does use hues: the check can fail
    coloured.wait_for("Chapter map")
    assert hues(coloured.screen(escapes=True))
    coloured.keys("C-q")
    assert coloured.exit_code() == 0


@pytest.mark.skipif(shutil.which("pgrep") is None, reason="pgrep is not installed")
def test_sigkill_after_a_verdict_loses_nothing(terminal_factory, tmp_path):
    """What the learner saw checked is on disk even if the app is killed the next moment."""
    term = terminal_factory()
    term.wait_for("Quit")
    term.keys("Enter")
    term.wait_for("Hint")
    term.keys("7", literal=True)  # whatever the first exercise asks, 7 reads and is checked
    term.keys("Enter")
    term.wait_for("✓ Correct", "✗ Not right", "◐ Partly right", "! Cannot check")  # the verdict is shown
    os.kill(term.app_pid(), signal.SIGKILL)
    with sqlite3.connect(tmp_path / "data" / "progress.sqlite3") as conn:
        rows = conn.execute("SELECT answer, status FROM events WHERE kind = 'attempt'").fetchall()
    assert rows and rows[-1][0] == "7"


def test_after_a_correct_answer_the_next_keys_answer_the_next_part(terminal_factory, tmp_path):
    """Solve (a), then type (b)'s answer without touching Tab: (b) is the part solved, and (a)
    keeps the answer it was given, as `mcalc-tutor progress --json` on the same data reads back."""
    import json

    log = tmp_path / "startup.log"
    term = terminal_factory(env={"MCALC_TUTOR_STARTUP_LOG": str(log)})
    term.wait_for("Quit")
    deadline = time.monotonic() + 60  # the engine warms in a thread; until then it competes for the GIL
    while not (log.exists() and "engine-warm" in log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    term.keys("C-p")
    term.wait_for("Search")
    term.keys("grad-basic-identities", literal=True)
    term.wait_for("grad-basic-identities)")
    term.keys("Enter")
    term.wait_for("∇ₓ(aᵀx)")
    # Focus is placed on (a) on the first refresh after the screen is shown; a key before that
    # lands nowhere (nothing else takes letters), so type again until the preview reads it.
    deadline = time.monotonic() + 30
    while "read as: a" not in term.screen():
        assert time.monotonic() < deadline, term.screen()
        if "type a vector" in term.screen().split("∇ₓ(xᵀx)")[0]:  # (a) is still empty
            term.keys("a", literal=True)
            shown_by = time.monotonic() + 10  # a loaded machine is slow to redraw: wait before typing again
            while "type a vector" in term.screen().split("∇ₓ(xᵀx)")[0] and time.monotonic() < shown_by:
                time.sleep(0.2)
        time.sleep(0.2)
    term.keys("Enter")
    term.wait_for("✓ Correct", timeout=60)
    term.keys("2x", literal=True)
    term.keys("Enter")
    deadline = time.monotonic() + 60
    while term.screen().count("✓ Correct") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    term.keys("C-q")
    assert term.exit_code() == 0
    out = subprocess.run([sys.executable, "-m", "mcalc_tutor", "--data-dir", str(tmp_path / "data"),
                          "progress", "--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    recent = [(r["exercise"], r["part"], r["status"]) for r in reversed(json.loads(out.stdout)["recent"])]
    assert recent == [("grad-basic-identities", "a", "correct"), ("grad-basic-identities", "b", "correct")]
