"""A Footer that redraws its keys only when the keys on show change.

Textual's Footer recomposes (new widgets for every key, each one styled) after every bindings
refresh, and a refresh comes with every focus move: opening an exercise rebuilt its footer about
eight times, and the hidden map's footer too, a third of all the styling the screen did. This one
draws its keys in its first compose, coalesces the refreshes of a frame into one, skips it when the
keys, their labels and whether they are enabled are the same, and skips it on a covered screen.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["SteadyFooter"]


class SteadyFooter(Footer):
    """Footer(compact=...) that recomposes at most once per frame, and only for a real change."""

    _shown: tuple | None = None
    """What the footer last drew: (key, label, action, enabled, tooltip) per key on show."""
    _pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def keys_on_show(self) -> tuple:
        """The keys the footer shows now, as compose would draw them."""
        return tuple((binding.key, binding.description, binding.action, enabled, tooltip)
                     for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                     if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING)

    def compose(self) -> ComposeResult:
        """The keys from the first compose (Textual's draws nothing until the first bindings
        refresh, then everything again), each born compact (not restyled twice to become so)."""
        self._bindings_ready = True
        bindings = [(binding, enabled, tooltip)
                    for (_, binding, enabled, tooltip) in self.screen.active_bindings.values() if binding.show]
        if any(binding.group is not None for binding, _, _ in bindings):
            yield from super().compose()  # key groups: drawn as Textual draws them
            return
        self._shown = self.keys_on_show()
        seen: set[str] = {binding.action for binding, _, _ in bindings}
        self.styles.grid_size_columns = len(seen)
        seen = set()
        extra = " -compact" if self.compact else ""
        for binding, enabled, tooltip in bindings:
            if binding.action in seen:  # one key per action, as Textual's footer shows
                continue
            seen.add(binding.action)
            key = FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip, classes=extra.strip())
            key.set_reactive(FooterKey.compact, self.compact)
            yield key
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, tooltip = found
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                                binding.action, classes="-command-palette -compact", disabled=not enabled,
                                tooltip=binding.tooltip or binding.description)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached or self.screen is not self.app.screen:
            return  # a screen under another one: its keys are redrawn when it is back on top
        shown = self.keys_on_show()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
