"""A list of options each ticked or not, shown as [x] / [ ] so that the state reads without colour
(SelectionList marks its choices by colour alone, which NO_COLOR erases)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

__all__ = ["CheckList"]


class CheckList(OptionList):
    """Space (or Enter) ticks the highlighted option; `selected` lists the ticked values in order."""

    BINDINGS = [Binding("space,enter", "tick", "Tick", show=False)]

    @dataclass
    class Changed(Message):
        check_list: CheckList

        @property
        def control(self) -> CheckList:
            return self.check_list

    def __init__(self, items: list[tuple[str, str]], selected: Iterable[str] = (), *, id: str | None = None,
                 compact: bool = True) -> None:
        self._items = list(items)
        self._ticked = {value for value in selected}
        super().__init__(*self._make_options(), id=id, compact=compact)

    def _make_options(self) -> list[Option]:
        return [Option(self._prompt(label, value), id=value) for label, value in self._items]

    def _prompt(self, label: str, value: str) -> Text:
        ticked = value in self._ticked
        text = Text("[x] " if ticked else "[ ] ", style="bold" if ticked else "dim")
        text.append(label)
        return text

    @property
    def selected(self) -> list[str]:
        return [value for _, value in self._items if value in self._ticked]

    def select(self, value: str, ticked: bool = True) -> None:
        if ticked:
            self._ticked.add(value)
        else:
            self._ticked.discard(value)
        label = next((lab for lab, v in self._items if v == value), None)
        if label is not None:
            self.replace_option_prompt(value, self._prompt(label, value))

    def action_tick(self) -> None:
        """Tick or untick the highlighted option."""
        option = self.highlighted_option
        if option is None or option.id is None:
            return
        self.select(option.id, option.id not in self._ticked)
        self.post_message(self.Changed(self))
