"""Worked solutions: `solutions/<section>/<id>.md` in the exercise's own bank, with the variant's
parameters filled in, and the `**Answer (part):** `…`` lines that tests and the grader's examples check with the engine."""
from __future__ import annotations

import re

from .banks import solutions_folder
from .variants import Variant, substitute

ANSWER_LINE = re.compile(r"\*\*Answer \(([^)]+)\):\*\*\s*`([^`]+)`")


def solution_markdown(variant: Variant) -> str | None:
    """The worked solution for this variant ({a} placeholders replaced), or None if there is none."""
    ex = variant.exercise
    path = solutions_folder(ex.path, ex.section) / f"{ex.id}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return substitute_answers(text, variant.values)


def substitute_answers(text: str, values: dict) -> str:
    """Placeholders inside `code spans` are math (negatives parenthesised) and a span that becomes
    plain arithmetic is shown folded (`4 + 2 - 2` → `4`); elsewhere placeholders are plain text."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1 and "{" in part:
            inner = substitute(part[1:-1], values, for_math=True)
            out.append(f"`{fold_constant(inner)}`")
        else:
            out.append(substitute(part, values, for_math=False))
    return "".join(out)


def fold_constant(text: str) -> str:
    """Exact rational folding of a constant expression (numbers, + − × ÷, integer powers, tuples
    and matrix literals of those); anything else is returned unchanged."""
    from ..mathlang import MathError, SymbolTable
    from ..mathlang import ast as A
    from ..mathlang.parser import constant_value, parse

    def fold(node):
        value = constant_value(node)
        if value is None:
            raise ValueError("not a constant")
        return value

    def show(v) -> str:
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"

    try:
        tree = parse(text, SymbolTable())
        if isinstance(tree, A.Matrix):
            rows = [[show(fold(e)) for e in row] for row in tree.rows]
            if all(len(r) == 1 for r in rows) and text.strip().startswith("("):
                return "(" + ", ".join(r[0] for r in rows) + ")"
            return "[" + "; ".join(", ".join(r) for r in rows) + "]"
        return show(fold(tree))
    except (MathError, ValueError, ZeroDivisionError, OverflowError):
        return text


def solution_answers(variant: Variant) -> dict[str, str]:
    """Part name → the answer the worked solution gives for this variant."""
    text = solution_markdown(variant)
    return dict(ANSWER_LINE.findall(text)) if text else {}
