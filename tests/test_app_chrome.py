"""The title row and the key row of every screen (widgets/title_bar.py, widgets/footer.py): each
one widget, doing what Textual's Header and Footer do for a learner — clicked keys act, a key
that cannot act now rings the bell, hovering a key describes it, the icon opens the palette and
the title follows the screen's."""
from __future__ import annotations

import asyncio

from textual.command import CommandPalette

from app_helpers import SIZE, make_app, open_exercise, part_view, screen_text, settle
from mcalc_tutor.app.widgets.footer import KeyFooter
from mcalc_tutor.app.widgets.title_bar import TitleBar


def run(coro):
    return asyncio.run(coro)


def key_offset(footer: KeyFooter, description: str) -> tuple[int, int]:
    """Where a key is drawn in the footer (checked against the row on screen by the caller)."""
    index = [k.description for k in footer.shown].index(description)
    return footer.spans[index][0], 0


def test_clicking_a_footer_key_does_what_the_key_does(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "grad-quadratic-form")
            footer = screen.query_one(KeyFooter)
            x, y = key_offset(footer, "Hint")
            assert screen_text(app)[-1][x:].startswith("^t Hint")
            await pilot.click(KeyFooter, offset=(x + 1, y))
            await settle(pilot)
            assert part_view(app, screen.current_part).hints_shown == 1
    run(go())


def test_a_disabled_key_rings_the_bell_and_does_nothing(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, app.course.entries[-1].id)  # no next exercise
            footer = screen.query_one(KeyFooter)
            nxt = next(k for k in footer.shown if k.description == "Next")
            assert not nxt.enabled
            bells = []
            app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
            await pilot.click(KeyFooter, offset=key_offset(footer, "Next"))
            await settle(pilot)
            assert bells == [1] and app.screen is screen
    run(go())


def test_hovering_a_key_shows_its_tooltip_and_the_palette_key_opens_the_palette(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_exercise(pilot, "opt-step-size")  # randomized: the Variant key
            footer = screen.query_one(KeyFooter)
            await pilot.hover(KeyFooter, offset=key_offset(footer, "Variant"))
            await pilot.pause()
            assert footer.tooltip == "A new variant of this exercise to practise on"
            await pilot.hover(KeyFooter, offset=key_offset(footer, "Hint"))
            await pilot.pause()
            assert footer.tooltip is None  # Hint has none
            assert footer.shown[-1].palette
            await pilot.click(KeyFooter, offset=(footer.spans[-1][0] + 1, 0))
            await settle(pilot)
            assert isinstance(app.screen, CommandPalette)
    run(go())


def test_the_title_row_follows_the_screen_and_its_icon_opens_the_palette(tmp_path):
    async def go():
        app = make_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Chapter map" in screen_text(app)[0]
            screen = await open_exercise(pilot, "grad-quadratic-form")
            assert screen.entry.title in screen_text(app)[0]
            screen.title = "Another title"
            await pilot.pause()
            assert "Another title" in screen_text(app)[0]
            await pilot.click(TitleBar, offset=(1, 0))
            await settle(pilot)
            assert isinstance(app.screen, CommandPalette)
    run(go())
