"""The row of keys at the bottom of every screen, drawn by one widget.

Textual's Footer is a widget per key, each mounted, styled (twice: the key and its description
are component styles) and drawn, and it rebuilds them all after every bindings refresh, which
comes with every focus move. Opening an exercise spent about a sixth of its time on its footer.
This one draws the same keys, in the same colours, as one line of text: it is redrawn (not laid
out) when the keys on show, their labels or whether they are enabled change, and a key is
clicked, hovered and described as Textual's are.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

__all__ = ["KeyFooter", "ShownKey"]


@dataclass(frozen=True)
class ShownKey:
    """A key as the footer shows it."""

    key: str
    """The key pressed (what a click simulates)."""
    display: str
    """The key as shown, such as ^t."""
    description: str
    enabled: bool
    tooltip: str
    palette: bool = False
    """The command palette's key, at the right end."""


class KeyFooter(Widget):
    """The active bindings on show, one per action, and the command palette's key on the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--item",
                         "key-footer--hover", "key-footer--separator"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--item { color: $footer-foreground; background: $footer-item-background; }
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover { color: $footer-key-foreground; background: $block-hover-background; }
        & > .key-footer--separator { color: $foreground 20%; }
    }
    """

    compact: reactive[bool] = reactive(False)
    """Compact: no padding round keys, one column between them (Footer's compact style)."""

    _hover: reactive[int | None] = reactive(None)

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(KeyFooter.compact, compact)
        self.show_command_palette = show_command_palette
        self.shown: tuple[ShownKey, ...] = ()
        """The keys drawn, in order (the palette's last)."""
        self.spans: list[tuple[int, int]] = []
        """The columns [start, end) of each key of `shown` as last drawn."""

    def on_mount(self) -> None:
        self.shown = self.keys_on_show()
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def keys_on_show(self) -> tuple[ShownKey, ...]:
        """The keys to show now: one per action, as Textual's Footer shows them."""
        app = self.app
        keys: list[ShownKey] = []
        actions: set[str] = set()
        active = self.screen.active_bindings
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append(ShownKey(binding.key, app.get_key_display(binding), binding.description,
                                     enabled, tooltip))
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE and palette is not None:
            _, binding, enabled, _ = palette
            keys.append(ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled,
                                 binding.tooltip or binding.description, palette=True))
        return tuple(keys)

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            shown = self.keys_on_show()
            if shown != self.shown:
                self.shown = shown
                self.refresh()

    # -- drawing ---------------------------------------------------------------------------------
    def _key_text(self, index: int, shown: ShownKey, compact: bool) -> Text:
        """A key as Textual's FooterKey draws it: the key and its description in their component
        styles, over the item's (or, under the pointer, the hover) style."""
        pad = "" if compact else " "
        label = Text.assemble((f"{pad}{shown.display}{pad}",
                               self.get_component_rich_style("key-footer--key", partial=True)))
        if shown.description:
            described = f" {shown.description}" if compact else f"{shown.description} "
            label.append(described, self.get_component_rich_style("key-footer--description", partial=True))
        item = "key-footer--hover" if index == self._hover else "key-footer--item"
        label.stylize_before(self.get_component_rich_style(item))
        if not shown.enabled:
            label.stylize(Style(dim=True))
        return label

    def render(self) -> Text:
        width = self.size.width
        line, right = Text(no_wrap=True, overflow="crop", end=""), Text(end="")
        palette = self.shown[-1] if self.shown and self.shown[-1].palette else None
        keys = self.shown[:-1] if palette else self.shown
        if palette is not None:
            right.append("▏", self.get_component_rich_style("key-footer--separator"))
            # compact in both styles, as Textual's Footer draws its palette key
            right.append_text(self._key_text(len(keys), palette, compact=True))
            right.append(" ")
        room = max(0, width - right.cell_len)
        spans: list[tuple[int, int]] = []
        for index, key in enumerate(keys):
            label = self._key_text(index, key, self.compact)
            start = line.cell_len
            spans.append((min(room, start), min(room, start + label.cell_len)))
            line.append_text(label)
            if self.compact:
                line.append(" ")
        line.truncate(room, pad=True)
        if palette is not None:
            spans.append((room + 1, width))
        self.spans = spans
        line.append_text(right)
        return line

    # -- the mouse -------------------------------------------------------------------------------
    def _key_at(self, x: int) -> int | None:
        for index, (start, end) in enumerate(self.spans):
            if start <= x < end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._key_at(event.x)
        if index != self._hover:
            self._hover = index
            self.tooltip = self.shown[index].tooltip or None if index is not None else None

    def on_leave(self) -> None:
        self._hover = None
        self.tooltip = None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._key_at(event.x)
        if index is None:
            return
        key = self.shown[index]
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
