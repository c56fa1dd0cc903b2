"""Worked solutions: `solutions/<section>/<id>.md`, with the variant's parameters filled in, and
the `**Answer (part):** `…`` lines that tests and the grader's examples check with the engine."""
from __future__ import annotations

import re

from .loader import solutions_dir
from .variants import Variant, substitute

ANSWER_LINE = re.compile(r"\*\*Answer \(([^)]+)\):\*\*\s*`([^`]+)`")


def solution_markdown(variant: Variant) -> str | None:
    """The worked solution for this variant ({a} placeholders replaced), or None if there is none."""
    ex = variant.exercise
    path = solutions_dir() / ex.section / f"{ex.id}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return substitute_answers(text, variant.values)


def substitute_answers(text: str, values: dict) -> str:
    """Placeholders inside `code spans` are math (negatives parenthesised); elsewhere plain text."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(substitute(p, values, for_math=p.startswith("`")) for p in parts)


def solution_answers(variant: Variant) -> dict[str, str]:
    """Part name → the answer the worked solution gives for this variant."""
    text = solution_markdown(variant)
    return dict(ANSWER_LINE.findall(text)) if text else {}
