"""Starting the app from the command line: resolve the data directory, run, return an exit code.

Only Textual and the app's own light modules are imported before the first screen; numpy and
sympy come later, in a background worker.
"""
from __future__ import annotations

__all__ = ["run_app"]


def run_app(data_dir: str | None = None) -> int:
    """Run the tutor until the learner quits; returns the process exit code."""
    import gc

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
