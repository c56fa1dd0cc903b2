"""Starting the app from the command line: resolve the data directory, run, return an exit code.

Only Textual and the app's own light modules are imported before the first screen; numpy and
sympy come later, in a background worker.
"""
from __future__ import annotations

from collections.abc import MutableMapping

__all__ = ["FRAME_RATE", "run_app", "use_frame_rate"]

FRAME_RATE = 120
"""The most frames a second Textual draws (TEXTUAL_FPS; Textual's default is 60), see run_app."""


def use_frame_rate(environ: MutableMapping[str, str]) -> None:
    """Textual draws at most TEXTUAL_FPS frames a second (60 by default): a change waits up to a
    frame's time to be drawn, and opening an exercise takes two frames. FRAME_RATE halves that
    wait, for every key as well; Textual draws only what changed, so a still screen costs nothing
    more. A value the user set wins."""
    environ.setdefault("TEXTUAL_FPS", str(FRAME_RATE))


def run_app(data_dir: str | None = None) -> int:
    """Run the tutor until the learner quits; returns the process exit code."""
    import gc
    import os

    use_frame_rate(os.environ)  # before Textual is imported: it reads it once
    # Start-up allocates many long-lived objects (Textual's styles, widgets, the catalogue):
    # collecting them over and over only delays the first screen. The app turns the collector
    # back on once that screen is up.
    gc.disable()
    from ..progress.store import resolve_data_dir
    from .app import TutorApp

    app = TutorApp(data_dir=resolve_data_dir(data_dir))
    result = app.run()
    if app.return_code not in (None, 0):
        return int(app.return_code)
    return int(result or 0)
