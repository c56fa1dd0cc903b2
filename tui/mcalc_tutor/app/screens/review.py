"""Spaced review: the parts due (by the store's FSRS cards) one at a time, each in a fresh variant
of its exercise, answered in the same part view as in the exercise. The store rates the card in
the transaction that records the attempt; this screen only says when it comes back. A fresh
variant's answers and hints are recorded with its seed: they rate the card, but do not become the
own variant's answers (progress/store.py)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Markdown, Static

from ..course import fresh_seed
from ..typed_app import tutor_app
from ..widgets.footer import KeyFooter
from ..widgets.part_view import CodePartView, PartRecord, PartView, make_part_view
from ..widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from ...checking.verdict import Verdict

__all__ = ["ReviewScreen", "comes_back"]


class ReviewScreen(Screen):
    """The due review cards, one by one."""

    HELP = """\
**Review** — the parts you got wrong, or needed a hint or the solution for, when they are due.

- **Enter** (in the answer box): check; a wrong answer brings the card back in a minute
- **ctrl+t**: a hint (a right answer after a hint counts as hard)
- **ctrl+n**: the next due card (after the last, round again)
- **Esc**: back to the chapter map

Each card is a fresh variant of a randomized exercise. Answering right first try twice, each
within a minute of the card appearing, spaces the card out furthest.
"""

    BINDINGS = [
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+n", "next_card", "Next card"),
        Binding("escape", "app.pop_screen", "Map"),
    ]

    DEFAULT_CSS = """
    ReviewScreen #review-heading, ReviewScreen #review-note { height: auto; padding: 0 1; }
    ReviewScreen #review-note { color: $text-muted; }
    ReviewScreen #review-part { height: auto; }
    """

    @dataclass
    class CardPrepared(Message):
        """A due card's variant is ready (posted from the worker that made it), or `error` says why not."""

        card: dict
        variant: Any
        error: str | None

    def __init__(self) -> None:
        super().__init__()
        self.card: dict | None = None
        """The card on screen: {exercise, part, due, state, reviews}."""
        self._shown_at = 0.0
        self._skipped: set[tuple[str, str]] = set()
        """Cards passed over with ctrl+n (or that cannot be shown) this visit."""
        self.recorded_seed: int | None = None
        """The card's variant's seed when it is a fresh one, recorded with its attempts; else None."""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="review-heading")
        with VerticalScroll(id="review-body"):
            yield Markdown(id="review-statement")
            yield Vertical(id="review-part")
        yield Static(id="review-note", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.show_next()

    def due(self) -> list[dict]:
        return tutor_app(self).store.due_cards()

    def _update_title(self) -> None:
        self.title = f"Review · {len(self.due())} due"

    def show_next(self) -> None:
        """Show the soonest due card not passed over, or say that nothing is due."""
        self._update_title()
        due = self.due()
        waiting = [c for c in due if (c["exercise"], c["part"]) not in self._skipped]
        self.query_one("#review-part").remove_children()
        if not waiting:
            self.card = None
            # the title still counts the cards passed over: say so rather than "nothing is due"
            self.query_one("#review-heading", Static).update(
                f"You passed over the {len(due)} due card{'' if len(due) == 1 else 's'}." if due
                else "Nothing is due for review.")
            self.query_one("#review-statement", Markdown).update("")
            self.query_one("#review-note", Static).update(
                ("ctrl+n: go round them again. " if due else "") + "Esc: back to the chapter map.")
            return
        self.card = waiting[0]
        self._prepare(self.card, tutor_app(self).store.learner_seed(self.card["exercise"]))

    @work(thread=True, exclusive=True, group="review-card", exit_on_error=False)
    def _prepare(self, card: dict, learner_seed: int) -> None:
        """Make the card's variant (loading the bank may need sympy): a fresh seed when the
        exercise is randomized, so that the numbers are not simply remembered."""
        course = tutor_app(self).course
        try:
            exercise = course.exercise(card["exercise"])
            seed = fresh_seed(learner_seed) if exercise is not None and exercise.randomized else learner_seed
            variant, error = course.variant(card["exercise"], seed), None
        except Exception as exc:  # an authoring fault must not take the app down
            variant, error = None, f"{type(exc).__name__}: {exc}"
        self.post_message(self.CardPrepared(card, variant, error))

    @on(CardPrepared)
    async def _card_prepared(self, event: CardPrepared) -> None:
        card, variant = event.card, event.variant
        part = next((p for p in variant.parts if p.name == card["part"]), None) if variant else None
        if part is None:  # gone from the bank, or broken: pass it over rather than stop the review
            self._skipped.add((card["exercise"], card["part"]))
            self.notify(f"{card['exercise']}:{card['part']} cannot be shown"
                        f"{': ' + event.error if event.error else ''}.", severity="warning")
            self.show_next()
            return
        own = tutor_app(self).store.learner_seed(card["exercise"])
        self.recorded_seed = variant.seed if variant.exercise.randomized and variant.seed != own else None
        entry = tutor_app(self).course.entry(card["exercise"])
        title = entry.title if entry is not None else card["exercise"]
        self.query_one("#review-heading", Static).update(
            f"[b]{_escape(title)}[/b] · part ({_escape(part.name)}) · {card['state']}")
        self.query_one("#review-statement", Markdown).update(variant.statement)
        view = make_part_view(variant, part, PartRecord())
        holder = self.query_one("#review-part")
        await holder.remove_children()
        await holder.mount(view)
        self.query_one("#review-note", Static).update("ctrl+n: pass over this card for now.")
        self._shown_at = time.monotonic()
        view.focus_answer()

    def _view(self) -> PartView | None:
        views = list(self.query(PartView))
        return views[0] if views else None

    @on(PartView.AnswerChecked)
    def _answer_checked(self, event: PartView.AnswerChecked) -> None:
        event.stop()
        if self.card is None:
            return
        self._record(event.part_view, event.answer, event.verdict)

    def _record(self, view: PartView, answer: str, verdict: Verdict) -> None:
        app = tutor_app(self)
        exercise, part = self.card["exercise"], self.card["part"]  # type: ignore[index]
        stored = view.variant.stored_answer(part, answer)  # a choice by its options, not their shuffled letters
        app.store.record_attempt(exercise, part, stored, verdict.status, verdict.score,
                                 [d.code for d in verdict.diagnostics],
                                 seconds=time.monotonic() - self._shown_at, seed=self.recorded_seed)
        app.store_written()
        right = verdict.status == "correct"
        view.show_verdict(answer, verdict, "solved" if right else "attempted")
        self._update_title()
        card = next((c for c in app.store.review_cards() if (c["exercise"], c["part"]) == (exercise, part)), None)
        when = f" It comes back {comes_back(card['due'], app.store.clock())}." if card else ""
        note = "Right." if right else "Not right yet: try again, or ctrl+t for a hint."
        self.query_one("#review-note", Static).update(f"{note}{when} ctrl+n: the next card.")

    @on(PartView.DraftChanged)
    def _draft_changed(self, event: PartView.DraftChanged) -> None:
        event.stop()  # a review answer is not kept as the exercise's draft

    @on(PartView.HintRequested)
    def _hint_requested(self, event: PartView.HintRequested) -> None:
        event.stop()
        if self.card is None:
            return
        app = tutor_app(self)
        app.store.record_hint(self.card["exercise"], self.card["part"], event.index, seed=self.recorded_seed)
        app.store_written()
        event.part_view.reveal_hint(event.index, event.part_view.status)

    @on(CodePartView.EditorRequested)
    def _editor_requested(self, event: CodePartView.EditorRequested) -> None:
        event.stop()
        from .code import CodeScreen

        view = event.part_view

        def closed(verdict: Verdict | None) -> None:  # the editor recorded its runs itself
            view.show_result(verdict, "solved" if verdict is not None and verdict.status == "correct"
                             else "attempted")
            self._update_title()

        self.app.push_screen(CodeScreen(view.variant, view.part, seed=self.recorded_seed), closed)

    def action_hint(self) -> None:
        view = self._view()
        if view is not None and not view.request_hint():
            self.notify("No more hints for this part.", timeout=3)

    def action_next_card(self) -> None:
        if self.card is not None:
            self._skipped.add((self.card["exercise"], self.card["part"]))
        else:  # every due card passed over: round again
            self._skipped.clear()
        self.show_next()


def comes_back(due: str, now: datetime) -> str:
    """When a card is due, as a learner reads it: "in 10 minutes", "in 2 days" (not a UTC stamp)."""
    seconds = (datetime.fromisoformat(due.replace("Z", "+00:00")) - now).total_seconds()
    if seconds <= 0:
        return "now"
    minutes, hours, days = round(seconds / 60), round(seconds / 3600), round(seconds / 86400)
    count, unit = ((max(minutes, 1), "minute") if minutes < 90 else (hours, "hour") if hours < 36
                   else (days, "day"))
    return f"in {count} {unit}{'' if count == 1 else 's'}"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
