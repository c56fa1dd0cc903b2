"""``mcalc-tutor serve``: the same app in a web browser, for a learner without a terminal or SSH.

textual-serve runs one app process per browser connection (``python -m mcalc_tutor --data-dir D``,
so the progress store is the terminal app's) and relays it to xterm.js in the page. Everything the
page loads comes from the installed textual-serve package: its stock page asks Google Fonts for
Roboto Mono, so we serve a copy of that page that uses the font file the package ships instead.
The copy also takes every address from the page's own location (static files, the websocket), so
it works through an SSH port-forward on any local port. It binds to localhost unless told
otherwise. Registering stays cheap; textual-serve and aiohttp are imported in ``run``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import usage_error

if TYPE_CHECKING:
    from textual_serve.server import Server

    from ._common import Subparsers

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "mcalc-tutor"
FONT_FILE = "RobotoMono-VariableFont_wght.ttf"  # in textual_serve/static/fonts


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="the app in a web browser (textual-serve), on localhost by default",
        description="Serve the tutor to a web browser: every page load starts the app, with the "
                    "same progress store as the terminal app (the global --data-dir option, or "
                    "$MCALC_TUTOR_HOME). Nothing is loaded from the internet.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
                             "0.0.0.0 lets anyone who can reach it in)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import tempfile

    from ..progress.store import resolve_data_dir

    if not 1 <= args.port <= 65535:
        return usage_error(f"--port must be between 1 and 65535, not {args.port}")
    import textual_serve

    data_dir = resolve_data_dir(getattr(args, "data_dir", None)).resolve()
    upstream = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    with tempfile.TemporaryDirectory(prefix="mcalc-tutor-serve-") as templates:
        (Path(templates) / "app_index.html").write_text(
            offline_page(upstream.read_text(encoding="utf-8")), encoding="utf-8")
        server = _server(app_command(data_dir), args.host, args.port, Path(templates),
                         banner=reach_message(args.host, args.port, data_dir))
        try:
            server.serve()
        except OSError as exc:  # the port is taken, or the address is not this machine's
            print(f"mcalc-tutor: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 1
    return 0


def app_command(data_dir: Path) -> str:
    """The shell command textual-serve runs per connection: this Python, this package's app, with
    the course banks this command was given."""
    import shlex

    from ..content.banks import active_banks

    banks = [arg for bank in active_banks() for arg in ("--bank", str(bank))]
    return shlex.join([sys.executable, "-m", "mcalc_tutor", "--data-dir", str(data_dir), *banks])


def offline_page(upstream: str) -> str:
    """textual-serve's page without its one outside resource, and with same-origin addresses.

    Raises RuntimeError if the page is not the one this was written for (a textual-serve update):
    better to stop than to serve a page that quietly loads fonts from the internet.
    """
    import re

    static_prefix = "{{ config.static.url }}"
    websocket = 'data-session-websocket-url="{{ app_websocket_url }}"'
    for needle in (static_prefix, websocket, "</head>"):
        if needle not in upstream:
            raise RuntimeError(f"textual-serve's page has changed: {needle!r} not found")
    local_font = (
        f'<link rel="preload" href="static/fonts/{FONT_FILE}" as="font" type="font/ttf" crossorigin />\n'
        '    <style>\n'
        '      @font-face {\n'
        '        font-family: "Roboto Mono";\n'
        f'        src: url("static/fonts/{FONT_FILE}") format("truetype");\n'
        '        font-weight: 100 700;\n'
        '      }\n'
        '    </style>')
    # textual.js reads the websocket address on window load; set it from where the page came from
    same_origin_websocket = (
        '<script>\n'
        '      document.addEventListener("DOMContentLoaded", () => {\n'
        '        const url = new URL("ws", window.location.href);\n'
        '        url.protocol = url.protocol === "https:" ? "wss:" : "ws:";\n'
        '        document.getElementById("terminal").dataset.sessionWebsocketUrl = url.href;\n'
        '      });\n'
        '    </script>\n'
        '  </head>')
    google_fonts = re.compile(r'<link\s[^>]*href="https://fonts\.googleapis\.com/[^"]*"[^>]*>')
    page, fonts = google_fonts.subn(local_font, upstream)
    if fonts != 1:
        raise RuntimeError("textual-serve's page has changed: its Google Fonts link is not found")
    page = page.replace(static_prefix, "static/").replace(websocket, 'data-session-websocket-url=""')
    page = page.replace("</head>", same_origin_websocket, 1)
    if outside := re.search(r'(?:href|src)="((?:https?:)?//[^"]+)"', page):
        raise RuntimeError(f"textual-serve's page has changed: it loads {outside.group(1)}")
    return page


def public_url(host: str, port: int) -> str:
    """Where a browser on this machine finds the server (a wildcard address is no place to go)."""
    if _is_wildcard(host):
        import socket

        host = socket.gethostname()
    return f"http://{_bracketed(host)}:{port}"


def _bracketed(host: str) -> str:
    """An IPv6 literal in brackets, as URLs and ssh -L want it."""
    return f"[{host}]" if ":" in host else host


def reach_message(host: str, port: int, data_dir: Path) -> str:
    """What the learner reads on start: the address, and how to get there from another machine."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        user = "USER"
    machine = socket.gethostname()
    lines = [f"mcalc-tutor in your browser: open {public_url(host, port)}"]
    if _is_loopback(host):
        lines += ["It listens on this machine only. On a course server, forward the port from your own "
                  "machine, then open the address above there:",
                  f"    ssh -N -L {port}:{_bracketed(host)}:{port} {user}@{machine}"]
    elif _is_wildcard(host):
        lines.append(f"It listens on every network interface: anyone who can reach port {port} of this "
                     "machine can use the app and this progress store.")
    lines += [f"Progress is kept in {data_dir}.", "Press Ctrl+C to stop the server."]
    return "\n".join(lines)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return host == ""


def _server(command: str, host: str, port: int, templates: Path, *, banner: str) -> Server:
    """textual-serve's Server with our page and start-up message, which ends its apps when stopped."""
    import asyncio
    import logging

    from aiohttp import web
    from textual_serve.server import Server

    class TutorServer(Server):
        def __init__(self) -> None:
            super().__init__(command, host=host, port=port, title=TITLE, public_url=public_url(host, port),
                             templates_path=templates)
            self.sessions: dict[asyncio.Task[object], asyncio.Event] = {}

        def initialize_logging(self) -> None:
            super().initialize_logging()
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # not a line per file served

        async def on_startup(self, app: web.Application) -> None:
            """Nothing: textual-serve prints its logo here, before the port is bound; our banner
            comes once it is (`serve`), so a taken port is not announced as a place to go."""

        def serve(self, debug: bool = False) -> None:
            """textual-serve's `serve`, with the banner printed once the server listens."""
            import signal

            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        print=lambda *_: self.console.print(banner, highlight=False, markup=False,
                                                            soft_wrap=True))

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """One browser's app; remembered so that stopping the server can end it."""
            task, ended = asyncio.current_task(), asyncio.Event()
            assert task is not None
            self.sessions[task] = ended
            try:
                return await super().handle_websocket(request)
            finally:
                ended.set()
                self.sessions.pop(task, None)

        async def on_shutdown(self, app: web.Application) -> None:
            """Ctrl+C: quit every browser's app now (textual-serve would wait for the browsers to
            hang up, up to a minute) and let each process exit before the event loop closes."""
            waiting = [asyncio.create_task(ended.wait()) for ended in self.sessions.values()]
            for task in list(self.sessions):
                task.cancel()
            if waiting:
                await asyncio.wait(waiting, timeout=10)
            await asyncio.sleep(0.1)  # the child watcher reaps the exited apps

    return TutorServer()
