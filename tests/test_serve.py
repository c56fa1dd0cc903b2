"""`mcalc-tutor serve` in a real browser: the command runs on a random free port, headless Chromium
opens the page (driven over the DevTools protocol on a pipe, so no extra port and no client
library), and the tests read the terminal's text from the page, take a screenshot, and type.

The browser tests are skipped only where Chromium is not installed (Debian package `chromium`);
the check that the served page and its assets name no outside host runs without a browser.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from pathlib import Path

import pytest

from mcalc_tutor.cli.serve import offline_page, reach_message

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")

WIDTH, HEIGHT = 1100, 720  # CSS pixels: about 110×36 cells of the 16px terminal font


# --------------------------------------------------------------------------------------------
# Processes: each in its own process group, and nothing of it left afterwards


def _alive_in_group(pgid: int) -> list[int]:
    """Processes of the group that still run (a zombie waiting for its parent has stopped)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _end_group(process: subprocess.Popen, grace: float = 10.0) -> list[int]:
    """SIGTERM the process's group (what Ctrl+C in a terminal does), SIGKILL what outlives `grace`;
    returns the processes that had to be killed."""
    pgid = process.pid
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (process.poll() is None or _alive_in_group(pgid)):
        time.sleep(0.05)
    leftover = _alive_in_group(pgid)
    if leftover or process.poll() is None:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)
    return leftover


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))  # the kernel picks a free port at random
        return int(probe.getsockname()[1])


class Served:
    """`mcalc-tutor --data-dir DATA serve --port P` running until `stop`."""

    def __init__(self, tmp_path: Path, *, through_environment: bool = False) -> None:
        """The data directory is given with --data-dir, or else in $MCALC_TUTOR_HOME."""
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.data = tmp_path / "progress data"  # a space: the app's command line is quoted
        self.log = tmp_path / "serve.log"
        env = dict(os.environ, MCALC_TUTOR_HOME=str(self.data)) if through_environment else None
        where = [] if through_environment else ["--data-dir", str(self.data)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mcalc_tutor", *where, "serve", "--port", str(self.port)], env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not come up:\n{self.output()}")
            time.sleep(0.1)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=5) as response:
            return str(response.read().decode("utf-8"))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> list[int]:
        return _end_group(self.process)


class PortForward:
    """What `ssh -L OTHER:127.0.0.1:PORT` does for the browser: another local port, relayed."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
            upstream.settimeout(None)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        for each in self.sockets:
            each.close()


@pytest.fixture
def served(tmp_path):
    server = Served(tmp_path)
    yield server
    leftover = server.stop()
    assert not leftover, f"processes outlived SIGTERM to the server's group: {leftover}"


# --------------------------------------------------------------------------------------------
# Chromium over the DevTools protocol (--remote-debugging-pipe: JSON messages ending in NUL)


# textual.js keeps its terminal in a closure; catch the object when it sets its `fitAddon`, so the
# test can read what the page's xterm.js terminal shows (its `.terminal` is the xterm Terminal).
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "fitAddon", {value, writable: true, configurable: true, enumerable: true});
    window.__tutorTerminal = this;
  },
});
"""
SCREEN_TEXT = """(() => {
  const term = window.__tutorTerminal && window.__tutorTerminal.terminal;
  if (!term) return null;
  const buffer = term.buffer.active, lines = [];
  for (let row = 0; row < term.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()"""


ON_FDS_3_AND_4 = """import os, sys
os.dup2(int(sys.argv[1]), 3)
os.dup2(int(sys.argv[2]), 4)
os.close(int(sys.argv[1]))
os.close(int(sys.argv[2]))
os.execv(sys.argv[3], sys.argv[3:])
"""


def _fd_above_4(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One headless Chromium with one page, its own profile, and its own process group."""

    def __init__(self, profile: Path) -> None:
        assert CHROMIUM is not None
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # above 4, so that putting one end on fd 3 or 4 cannot overwrite the other
        to_browser_r, from_browser_w = (_fd_above_4(fd) for fd in (to_browser_r, from_browser_w))
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--remote-debugging-pipe", f"--user-data-dir={profile}",
                f"--window-size={WIDTH},{HEIGHT}", "about:blank"]
        # the protocol runs on the browser's fds 3 (in) and 4 (out); a small Python puts them there
        self.process = subprocess.Popen(
            [sys.executable, "-c", ON_FDS_3_AND_4, str(to_browser_r), str(from_browser_w), CHROMIUM, *args],
            pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for method in ("Page.enable", "Network.enable", "Runtime.enable"):
            self.page(method)
        self.page("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
                  deviceScaleFactor=1, mobile=False)
        self.page("Emulation.setFocusEmulationEnabled", enabled=True)
        self.page("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)

    def send(self, method: str, session: str | None = None, timeout: float = 15.0, **params) -> dict:
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline, method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def page(self, method: str, **params) -> dict:
        return self.send(method, session=self.session, **params)

    def _receive(self, deadline: float, waiting_for: str) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise AssertionError(f"Chromium did not answer {waiting_for} in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise AssertionError(f"Chromium closed the protocol pipe (waiting for {waiting_for})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def evaluate(self, expression: str):
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} raised: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screen(self) -> str:
        return self.evaluate(SCREEN_TEXT) or ""

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        """The terminal's text once any of `texts` is on it."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if any(text in shown for text in texts):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{texts!r} did not appear in the browser; the terminal showed:\n{shown}")

    def key(self, key: str, code: int, text: str = "") -> None:
        """Press and release one key, as a keyboard does (keydown with its text, then keyup)."""
        common = {"key": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        self.page("Input.dispatchKeyEvent", type="keyDown", text=text, unmodifiedText=text, **common)
        self.page("Input.dispatchKeyEvent", type="keyUp", **common)

    def type(self, text: str) -> None:
        for char in text:
            self.key(char, ord(char.upper()) if char.isalnum() else 0, text=char)

    def enter(self) -> None:
        self.key("Enter", 13, text="\r")

    def backspace(self) -> None:
        self.key("Backspace", 8)

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for, websockets included, in order."""
        urls = []
        for event in self.events:
            if event.get("method") == "Network.requestWillBeSent":
                urls.append(event["params"]["request"]["url"])
            elif event.get("method") == "Network.webSocketCreated":
                urls.append(event["params"]["url"])
        return urls

    def screenshot(self, path: Path) -> bytes:
        png = base64.b64decode(self.page("Page.captureScreenshot", format="png")["data"])
        path.write_bytes(png)
        return png

    def close(self) -> None:
        try:
            os.write(self._to_browser, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        _end_group(self.process, grace=5.0)
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture
def browser():
    with tempfile.TemporaryDirectory(prefix="mcalc-chromium-") as profile:
        chromium = Browser(Path(profile))
        try:
            yield chromium
        finally:
            chromium.close()


def _open_app(browser: Browser, served: Served | PortForward) -> str:
    browser.page("Page.navigate", url=served.url)
    browser.wait_for("Chapter map")
    # as a learner's click would: the page tells the app it has focus, and Textual draws the footer
    browser.evaluate('document.querySelector(".xterm-helper-textarea").focus()')
    return browser.wait_for("Quit")


def _first_answer_box(screen: str) -> str | None:
    """What the exercise's first answer box holds ('' when it shows its placeholder)."""
    for line in screen.splitlines():
        if "▊  " in line:
            text = line.split("▊  ", 1)[1].rsplit("▎", 1)[0].strip()
            return "" if "Enter checks" in text else text
    return None


# --------------------------------------------------------------------------------------------
# PNG pixels, decoded with zlib alone (8-bit RGB or RGBA, as Chromium writes them)


def _png_pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of raw pixel bytes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    channels = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, up_left = previous[x], previous[x - channels] if x >= channels else 0
            if filter_type == 1:
                line[x] = (line[x] + left) & 0xFF
            elif filter_type == 2:
                line[x] = (line[x] + up) & 0xFF
            elif filter_type == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(bytes(line) if channels == 3 else
                    bytes(b for i, b in enumerate(line) if i % 4 != 3))
        previous = line
    return width, height, rows


# --------------------------------------------------------------------------------------------
# The tests


def test_the_page_and_its_assets_name_no_outside_host(served):
    """Nothing comes from the internet: no URL in the page, its scripts or styles names another host."""
    page = served.get("/")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "static/js/textual.js" in assets and "static/css/xterm.css" in assets, assets
    texts = {"/": page}
    for asset in assets:
        assert not re.match(r"[a-z]+:", asset), f"{asset} is not served by this server"
        if asset.endswith(".js"):
            texts[asset] = served.get("/" + asset)
        elif asset.endswith(".css"):  # its licence comment names where xterm.js came from
            texts[asset] = re.sub(r"/\*.*?\*/", "", served.get("/" + asset), flags=re.S)
    for name, text in texts.items():
        hosts = set(re.findall(r"(?:https?|wss?)://([^/\"'\s)]+)", text))
        # the SVG namespace in the logo is a name, never fetched
        assert hosts <= {"www.w3.org"}, f"{name} names outside hosts: {hosts}"
    assert 'family=Roboto' not in page and "static/fonts/" in page
    font = urllib.request.urlopen(served.url + "static/fonts/RobotoMono-VariableFont_wght.ttf", timeout=5)
    assert font.status == 200 and len(font.read()) > 10_000


def test_the_offline_page_refuses_an_unknown_upstream_page():
    with pytest.raises(RuntimeError, match="changed"):
        offline_page("<html><head></head><body>a different page</body></html>")


@pytest.mark.parametrize("through_environment", [False, True], ids=["--data-dir", "MCALC_TUTOR_HOME"])
def test_serve_says_where_to_go_how_to_forward_the_port_and_where_progress_is(tmp_path, through_environment):
    served = Served(tmp_path, through_environment=through_environment)
    try:
        deadline = time.monotonic() + 10
        while "Ctrl+C" not in served.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        text = served.output()
    finally:
        assert not served.stop()
    assert f"open http://127.0.0.1:{served.port}" in text
    assert re.search(rf"ssh -N -L {served.port}:127\.0\.0\.1:{served.port} \S+@\S+", text), text
    assert f"Progress is kept in {served.data}." in text


def test_the_start_message_for_other_addresses():
    everywhere = reach_message("0.0.0.0", 8000, Path("/d"))
    assert "every network interface" in everywhere and "ssh" not in everywhere
    assert "open http://[::1]:8001" in reach_message("::1", 8001, Path("/d"))
    assert "ssh -N -L 8001:[::1]:8001 " in reach_message("::1", 8001, Path("/d"))


def test_serve_rejects_a_port_that_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mcalc_tutor", "--data-dir", str(tmp_path), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    # the start message says "open http://…": never for a server that is not there
    assert "open http" not in result.stdout + result.stderr, result.stdout


@needs_chromium
def test_the_browser_shows_the_chapter_map(served, browser, tmp_path):
    screen = _open_app(browser, served)
    assert "Gradients and directional derivatives" in screen and "solved" in screen
    assert browser.evaluate('document.body.classList.contains("-first-byte")')  # the intro is gone
    assert browser.evaluate("document.fonts.check('16px \"Roboto Mono\"')"), "the shipped font did not load"
    cols = browser.evaluate("window.__tutorTerminal.terminal.cols")
    assert cols >= 80, cols

    shot = tmp_path / "chapter-map.png"
    width, height, rows = _png_pixels(browser.screenshot(shot))
    assert (width, height) == (WIDTH, HEIGHT)
    colours = {row[x:x + 3] for row in rows[::4] for x in range(0, len(row), 12)}
    assert len(colours) > 20, f"the screenshot {shot} is nearly blank: {len(colours)} colours"
    top_left = {rows[y][x:x + 3] for y in range(0, 40, 2) for x in range(0, 600, 6)}
    assert len(top_left) > 3, f"no header drawn at the top of {shot}"

    origin = served.url.rstrip("/")
    elsewhere = [url for url in browser.requested_urls()
                 if not url.startswith((origin + "/", origin.replace("http", "ws", 1) + "/", "data:"))]
    assert not elsewhere, f"the page asked other hosts: {elsewhere}"


@needs_chromium
def test_typing_an_answer_in_the_browser_shows_its_verdict(served, browser):
    from mcalc_tutor.content.loader import load_bank

    first = load_bank().exercises[0]
    part = first.parts[0]
    assert isinstance(part.answer, str) and part.mistakes and not first.params, \
        f"this test wants the map's first exercise to have a fixed answer and a listed mistake: {first.id}"
    _open_app(browser, served)
    # `c` starts at the first exercise. (Enter would open the one under the cursor only once the
    # list has keyboard focus: served, the app starts blurred, and Textual skips AUTO_FOCUS then.)
    browser.type("c")
    browser.wait_for(first.title[:40])
    browser.wait_for("Hint")

    wrong = part.mistakes[0].answer
    browser.type(wrong)
    browser.enter()
    screen = browser.wait_for("✗ Not right", "✓ Correct", "◐ Partly right", "! Cannot check")
    assert "✗ Not right" in screen, screen
    assert part.mistakes[0].feedback.split()[0] in screen

    # the box takes keys again once the check is done: clear it, type, and see it there
    deadline = time.monotonic() + 10
    while _first_answer_box(browser.screen()) != "" and time.monotonic() < deadline:
        browser.backspace()
        time.sleep(0.2)
    browser.type(part.answer)
    while _first_answer_box(browser.screen()) != part.answer and time.monotonic() < deadline:
        time.sleep(0.1)
    browser.enter()
    screen = browser.wait_for("✓ Correct")
    assert "solved" in screen

    # the same progress store as the terminal app: both attempts are on disk
    with sqlite3.connect(served.data / "progress.sqlite3") as conn:
        rows = conn.execute("SELECT answer, status FROM events WHERE kind = 'attempt' ORDER BY id").fetchall()
    assert [answer for answer, _ in rows] == [wrong, part.answer], rows


@needs_chromium
def test_the_page_works_through_a_port_forward_to_another_local_port(served, browser):
    """A learner's `ssh -L 9000:127.0.0.1:8000`: the page, its files and its websocket all go to the
    port the browser used, not to the address the server thinks it has."""
    forward = PortForward(served.port)
    try:
        screen = _open_app(browser, forward)
        assert "Gradients and directional derivatives" in screen
        asked = browser.requested_urls()
        assert any(url.startswith(f"ws://127.0.0.1:{forward.port}/ws") for url in asked), asked
        assert not [url for url in asked if f":{served.port}/" in url], asked
    finally:
        forward.close()


@needs_chromium
def test_ctrl_c_on_the_server_ends_every_browsers_app_at_once(served, browser):
    _open_app(browser, served)
    group = served.process.pid
    assert len(_alive_in_group(group)) >= 2  # the server and the app it started for this page
    started = time.monotonic()
    os.kill(served.process.pid, signal.SIGINT)  # the server alone: its apps are its to end
    assert served.process.wait(timeout=15) == 0
    deadline = time.monotonic() + 5
    while _alive_in_group(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive_in_group(group), "an app outlived the server"
    assert time.monotonic() - started < 10
    output = served.output()
    assert "Traceback" not in output and "Exception ignored" not in output, output
