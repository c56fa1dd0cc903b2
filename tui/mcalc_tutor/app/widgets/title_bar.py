"""The title row at the top of every screen, drawn by one widget.

Textual's Header is four widgets (the header, its icon, its title and the clock's space), each
mounted, styled, laid out and drawn whenever a screen opens: about a sixth of the time to open an
exercise. This one draws the same row (the palette icon on the left, the screen's title and
sub-title centred) by itself; a click on the icon opens the command palette, as Header's does.
"""
from __future__ import annotations

from textual import events
from textual.content import Content
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget

__all__ = ["TitleBar"]

ICON = "⭘"
ICON_WIDTH = 8
"""Columns of the icon's cell (Header's HeaderIcon: width 8, the icon after one column)."""
RIGHT_WIDTH = 10
"""Columns kept free on the right (Header's clock space), so that the title is centred as Header's."""


class TitleBar(Widget):
    """The screen's title and sub-title (or the app's), centred, with the palette icon."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        & > .title-bar--icon-hover { background: $foreground 10%; }
    }
    """
    COMPONENT_CLASSES = {"title-bar--icon-hover"}

    _icon_hover: reactive[bool] = reactive(False)

    def on_mount(self) -> None:
        for obj in (self.app, self.screen):
            for name in ("title", "sub_title"):
                self.watch(obj, name, self._title_changed, init=False)

    def _title_changed(self) -> None:
        self.refresh()

    @property
    def title_content(self) -> Content:
        """The title as shown: the screen's (or else the app's) title and sub-title."""
        screen = self.screen
        title = screen.title if screen.title is not None else self.app.title
        sub_title = screen.sub_title if screen.sub_title is not None else self.app.sub_title
        return self.app.format_title(title, sub_title)

    def render(self) -> Content:
        width = self.size.width
        icon = Content(f" {ICON}").pad_right(ICON_WIDTH - 2)
        if self._icon_hover and self.app.ENABLE_COMMAND_PALETTE:
            icon = icon.stylize(Style.from_rich_style(self.get_component_rich_style("title-bar--icon-hover")))
        middle = max(0, width - ICON_WIDTH - RIGHT_WIDTH)
        return Content.assemble(icon, self.title_content.center(middle, ellipsis=True), " " * RIGHT_WIDTH)

    def _on_icon(self, x: int) -> bool:
        return 0 <= x < ICON_WIDTH

    def on_mouse_move(self, event: events.MouseMove) -> None:
        over = self._on_icon(event.x) and self.app.ENABLE_COMMAND_PALETTE
        if over != self._icon_hover:
            self._icon_hover = over
            self.tooltip = "Open the command palette" if over else None

    def on_leave(self) -> None:
        self._icon_hover = False
        self.tooltip = None

    async def on_click(self, event: events.Click) -> None:
        if self._on_icon(event.x) and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            await self.run_action("app.command_palette")
