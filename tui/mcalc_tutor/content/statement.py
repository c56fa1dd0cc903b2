"""An exercise variant as plain text for a terminal (what `mcalc-tutor show` prints)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Part, section_title

if TYPE_CHECKING:
    from .variants import Variant


def render_statement(variant: Variant) -> str:
    """Plain-text statement for a terminal: title, statement, symbols, then each part's prompt
    (with its stated numeric precision)."""
    from .precision import precision_label

    ex = variant.exercise
    lines = [f"{ex.title}  ({ex.id}, {section_title(ex.section)}, difficulty {ex.difficulty})", ""]
    lines.append(variant.statement)
    if variant.symbols:
        lines += ["", "Symbols: " + variant.symbols.spec()]
    if ex.randomized:
        lines += ["", f"(variant {variant.seed})"]
    for part in variant.parts:
        lines += ["", f"({part.name}) {part.prompt or describe_kind(part)}"]
        label = precision_label(part)
        if label:
            lines.append(f"  - precision: {label}")
        for i, choice in enumerate(part.choices):
            lines.append(f"  - {chr(ord('a') + i)}) {choice}")
        if part.kind == "points":
            lines.append("  - answer like: (0, 0) saddle; (1, 1) min")
        if part.kind == "code":
            lines.append(f"  - edit {part.stub} and grade it with `mcalc-tutor grade`")
    return "\n".join(lines)


def describe_kind(part: Part) -> str:
    """The prompt of a part that has none of its own, by its kind."""
    return {"choice": "Choose.", "points": "List the critical points, each classified.",
            "number": "Give the value.", "code": "Write the code.", "vector": "Give the vector.",
            "matrix": "Give the matrix.", "steps": "Write the derivation, one step per line.",
            "iterates": "Give the iterates, one per line."}.get(part.kind, "Give the expression.")
