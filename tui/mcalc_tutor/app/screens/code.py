"""A code challenge: the learner's copy of the stub in an editor, saved to the data directory, and
the hidden tests run in the sandboxed runner (in a worker), with pass/fail per test."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, TextArea
from textual.worker import get_current_worker

from ..typed_app import tutor_app
from ..widgets.footer import KeyFooter
from ..widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from ...checking.verdict import Verdict
    from ...content.model import Part
    from ...content.variants import Variant
    from ...grading.runner import ChallengeResult

__all__ = ["CodeScreen", "python_highlighting", "result_verdict", "short_path"]


def python_highlighting() -> str | None:
    """"python" when this install can highlight Python (tree-sitter is optional), else None."""
    from textual._tree_sitter import TREE_SITTER, get_language  # noqa: PLC2701 - how TextArea decides

    return "python" if TREE_SITTER and get_language("python") is not None else None


def result_verdict(result: ChallengeResult, points: float) -> Verdict:
    """A ChallengeResult as a Verdict: correct when every test passes, partial when some do."""
    from ...checking.verdict import Diagnostic, Verdict

    passed = sum(1 for t in result.tests if t.passed)
    total = len(result.tests)
    if total and passed == total and not result.error:
        status = "correct"
    elif passed:
        status = "partial"
    else:
        status = "incorrect"
    fraction = (result.score / result.max_score) if result.max_score else (passed / total if total else 0.0)
    message = f"{passed} of {total} tests passed."
    if result.error:
        message += f" {result.error}"
    diagnostics = [Diagnostic("test", f"{t.name}: {t.message}") for t in result.tests if not t.passed]
    return Verdict(status, round(fraction * points, 6), message, diagnostics=diagnostics)


def render_result(result: ChallengeResult) -> Text:
    lines = []
    passed = sum(1 for t in result.tests if t.passed)
    head = Text(f"{passed}/{len(result.tests)} tests passed", style="bold green" if passed == len(result.tests)
                and result.tests and not result.error else "bold red")
    head.append(f"   score {result.score:g}/{result.max_score:g}   {result.seconds:.1f} s", style="dim")
    lines.append(head)
    if result.error:
        lines.append(Text(result.error, style="bold"))
    for test in result.tests:
        line = Text("✓ PASS  " if test.passed else "✗ FAIL  ", style="green" if test.passed else "red")
        line.append(test.name, style="bold")
        if test.message and not test.passed:
            line.append(f" — {test.message}")
        lines.append(line)
    if result.output.strip():
        lines.append(Text("Your program printed:", style="dim"))
        lines.append(Text(result.output.rstrip()[-1500:]))
    if result.warning:
        lines.append(Text(f"Note: {result.warning}", style="dim"))
    return Text("\n").join(lines)


def short_path(path: Path, width: int) -> str:
    """`path` in at most `width` characters: the home directory as ~, then the start elided, so
    that the file's own name and folder stay readable (a wrapped path showed as an empty line)."""
    text = str(path)
    home = str(Path.home())
    if home not in ("", "/") and text.startswith(home + os.sep):
        text = "~" + text[len(home):]
    if len(text) <= width:
        return text
    return "…" + text[-(width - 1):]


def save_text(path: Path, text: str) -> None:
    """Write atomically: a crash mid-save leaves the old file, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CodeScreen(Screen["Verdict | None"]):
    """Edit, save, run the hidden tests (each run recorded here, before it is shown). Dismisses with
    the last verdict (or None)."""

    HELP = """\
**Code editor**

- **ctrl+s**: save your copy (it is also saved before each run and when you leave)
- **ctrl+r**: run the hidden tests (in a sandbox; the results list every test)
- **Esc**: leave the editor box; **Esc** again goes back to the exercise
- **Tab** in the editor indents; ctrl+z / ctrl+y undo and redo
"""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+r", "run_tests", "Run tests"),
        Binding("escape", "back", "Back"),
    ]

    DEFAULT_CSS = """
    CodeScreen #code-info { height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap; }
    CodeScreen TextArea { height: 1fr; min-height: 6; }
    CodeScreen #results { height: 8; border-top: solid $panel; padding: 0 1; }
    """

    @dataclass
    class TestsRan(Message):
        """The hidden tests finished (posted from the worker)."""

        result: ChallengeResult

    def __init__(self, variant: Variant, part: Part, *, seed: int | None = None) -> None:
        super().__init__()
        self.variant = variant
        self.seed = seed
        """Recorded with each run: the variant's seed when it is not the learner's own, else None."""
        self.part = part
        self.exercise = variant.exercise
        self.path: Path | None = None
        self.saved_text = ""
        self.last_verdict: Verdict | None = None

    def compose(self) -> ComposeResult:
        app = tutor_app(self)
        text, self.path = app.course.read_code(app.code_dir, self.exercise, self.part)
        self.saved_text = text
        yield TitleBar()
        yield Static(id="code-info")
        yield TextArea.code_editor(text, language=python_highlighting(), id="editor")
        with VerticalScroll(id="results", can_focus=True):
            yield Static("ctrl+r runs the hidden tests; each one is listed here.", id="results-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = f"{self.exercise.title} — {self.part.stub or 'code'}"
        self._update_info()
        self.query_one(TextArea).focus()

    def _update_info(self, note: str = "") -> None:
        dirty = self.query_one(TextArea).text != self.saved_text
        head = f"{note + ' · ' if note else ''}{'● modified · ' if dirty else ''}"
        if self.path is None:
            text = f"{head}NOT SAVED (no writable data directory)"
        else:
            room = max(20, (self.query_one("#code-info").content_region.width or self.app.size.width - 2)
                       - len(head) - len("saved to "))
            text = f"{head}saved to {short_path(self.path, room)}"
        self.query_one("#code-info", Static).update(escape(text))

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_info)

    @on(TextArea.Changed)
    def _edited(self) -> None:
        self._update_info()

    def save(self) -> bool:
        text = self.query_one(TextArea).text
        if self.path is None:
            return False
        try:
            save_text(self.path, text)
        except OSError as exc:
            self.notify(f"Could not save {self.path}: {exc.strerror or exc}", severity="error")
            return False
        self.saved_text = text
        self._update_info()
        return True

    def action_save(self) -> None:
        if self.save() and self.path is not None:
            self.notify(f"Saved {self.path.name}.", timeout=2)
        elif self.path is None:
            self.notify("Nothing can be saved here: the data directory is not writable.", severity="warning")

    def action_run_tests(self) -> None:
        self.save()
        self.query_one("#results-text", Static).update(Text("… running the hidden tests", style="dim"))
        self._run(self.query_one(TextArea).text)

    @work(thread=True, exclusive=True, group="run-tests", exit_on_error=False)
    def _run(self, source: str) -> None:
        import warnings

        from ...grading.runner import SandboxWarning, TestOutcome, run_challenge

        warnings.filterwarnings("ignore", category=SandboxWarning)  # shown in the panel instead
        filename = self.part.stub or "solution.py"
        try:
            result = run_challenge(self.part.challenge or "", {filename: source}, seed=self.variant.seed)
        except Exception as exc:  # an unknown challenge is an authoring fault: report, do not crash
            from ...grading.runner import ChallengeResult

            result = ChallengeResult(self.part.challenge or "?", [TestOutcome("run", False, str(exc))], 0.0, 1.0,
                                     "", "none", error=f"the tests could not be run: {exc}")
        if not get_current_worker().is_cancelled:
            self.post_message(self.TestsRan(result))

    def on_code_screen_tests_ran(self, message: TestsRan) -> None:
        result = message.result
        verdict = result_verdict(result, self.part.points)
        app = tutor_app(self)
        # Committed before it is shown, as on the exercise screen.
        app.store.record_attempt(self.exercise.id, self.part.name, self.query_one(TextArea).text, verdict.status,
                                 verdict.score, [d.message.split(":")[0] for d in verdict.diagnostics],
                                 seed=self.seed)
        app.store_written()
        self.last_verdict = verdict
        self.query_one("#results-text", Static).update(render_result(result))
        self.query_one("#results").scroll_home(animate=False)

    def action_back(self) -> None:
        if self.query_one(TextArea).text != self.saved_text:
            self.save()
        self.dismiss(self.last_verdict)
