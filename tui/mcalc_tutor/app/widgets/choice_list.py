"""The lists of a choice part: letter keys pick an option, Enter checks, and nothing is chosen
until the learner chooses (an Enter on arrival must not record option A as an answer).

Options are labelled "A." "B." … so that they do not read like the parts' "(a)" "(b)".
"""
from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from .check_list import CheckList

__all__ = ["ChoiceList", "TickList", "choice_keys", "option_label"]


def option_label(letter: str, text: str) -> str:
    """How an option is shown: "B. two steps"."""
    return f"{letter.upper()}. {text}"


def choice_keys(letters: list[str]) -> str:
    """The letter keys of a list, as the hint line names them: "a–c"."""
    if not letters:
        return ""
    return letters[0] if len(letters) == 1 else f"{letters[0]}–{letters[-1]}"


def _letter(event: events.Key, letters: list[str]) -> str | None:
    character = (event.character or "").lower()
    return character if character in letters else None


class ChoiceList(OptionList):
    """One answer: ↑↓ or a letter highlights an option, Enter checks it. Starts with none highlighted."""

    @dataclass
    class NothingChosen(Message):
        """Enter was pressed before any option was highlighted (nothing is checked)."""

        choice_list: ChoiceList

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    def __init__(self, choices: list[tuple[str, str]], *, id: str | None = None) -> None:
        """`choices` are (letter, text) pairs."""
        self.letters = [letter for letter, _ in choices]
        super().__init__(*[Option(option_label(letter, text), id=letter) for letter, text in choices],
                         compact=True, id=id)

    def on_mount(self) -> None:
        self.highlighted = None

    def on_key(self, event: events.Key) -> None:
        letter = _letter(event, self.letters)
        if letter is not None:
            event.stop()
            event.prevent_default()
            self.highlighted = self.letters.index(letter)

    def action_select(self) -> None:
        if self.highlighted is None:
            self.post_message(self.NothingChosen(self))
            return
        super().action_select()


class TickList(CheckList):
    """Several answers: Space or a letter ticks an option, Enter checks the ticked ones."""

    BINDINGS = [
        Binding("space", "tick", "Tick", show=False),
        Binding("enter", "submit", "Check", show=False),
    ]

    @dataclass
    class Submitted(Message):
        """Enter: check the ticked options."""

        tick_list: TickList

        @property
        def control(self) -> TickList:
            return self.tick_list

    def __init__(self, choices: list[tuple[str, str]], selected: list[str] | None = None, *,
                 id: str | None = None) -> None:
        """`choices` are (letter, text) pairs."""
        self.letters = [letter for letter, _ in choices]
        super().__init__([(option_label(letter, text), letter) for letter, text in choices], selected or (), id=id)

    def on_key(self, event: events.Key) -> None:
        letter = _letter(event, self.letters)
        if letter is not None:
            event.stop()
            event.prevent_default()
            self.highlighted = self.letters.index(letter)
            self.action_tick()

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self))
