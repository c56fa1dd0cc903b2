"""How statuses, difficulty and progress look: always a glyph or a word as well as a colour, so
that nothing is lost under NO_COLOR or on a monochrome terminal."""
from __future__ import annotations

from rich.text import Text

__all__ = ["STATUS_GLYPH", "STATUS_STYLE", "difficulty_text", "progress_bar", "status_text"]

STATUS_GLYPH = {"solved": "✓", "attempted": "•", "new": "○"}
STATUS_STYLE = {"solved": "bold green", "attempted": "yellow", "new": "dim"}


def status_text(status: str, *, glyph: bool = True) -> Text:
    word = f"{STATUS_GLYPH.get(status, ' ')} {status}" if glyph else status
    return Text(word, style=STATUS_STYLE.get(status, ""))


def difficulty_text(difficulty: int) -> Text:
    """1..3 as ●○○ / ●●○ / ●●●."""
    level = max(1, min(3, int(difficulty)))
    return Text("●" * level + "○" * (3 - level), style="dim")


def progress_bar(done: int, total: int, width: int = 12) -> Text:
    """A bar that reads without colour: heavy line for the solved share, light line for the rest."""
    filled = 0 if total <= 0 else round(width * done / total)
    if done and not filled:
        filled = 1
    bar = Text("━" * filled, style="green")
    bar.append("╌" * (width - filled), style="dim")
    return bar
