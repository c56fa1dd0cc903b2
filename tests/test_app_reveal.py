"""The app passes reveal to the checker: feedback states the expected answer only once the
learner has seen the exercise's worked solution (the store knows), never before."""
from __future__ import annotations

import asyncio

import pytest

from app_helpers import make_app, open_exercise, part_view, settle, type_answer

# grad-basic-identities (b): the listed mistake `x` has feedback ending "so ∇‖x‖² = 2x",
# which is withheld until the solution is revealed.
EXERCISE, PART, MISTAKE, STATES_ANSWER = "grad-basic-identities", "b", "x", "= 2x"


@pytest.mark.parametrize("revealed", [False, True], ids=["hidden", "revealed"])
def test_feedback_states_the_answer_only_after_reveal(tmp_path, revealed):
    asyncio.run(_session(tmp_path, revealed))


async def _session(tmp_path, revealed):
    app = make_app(tmp_path, real_bank=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_exercise(pilot, EXERCISE)
        if revealed:
            screen.action_solution()
            await settle(pilot)
            await pilot.press("y")  # "Show it" in the confirm dialog
            await settle(pilot)
            assert app.store.revealed(EXERCISE)
            await pilot.press("escape")  # close the solution
            await settle(pilot)
        await type_answer(pilot, PART, MISTAKE)
        verdict = part_view(app, PART).last_verdict
        assert verdict is not None and verdict.status == "incorrect"
        shown = verdict.message + " ".join(d.message for d in verdict.diagnostics)
        assert (STATES_ANSWER in shown) is revealed, shown
