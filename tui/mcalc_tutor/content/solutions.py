"""Worked solutions: `solutions/<section>/<id>.md` in the exercise's own bank, with the variant's
parameters filled in, and the `**Answer (part):** `…`` lines that tests and the grader's examples
check with the engine.

A choice part's options are shuffled per variant (content/variants.py), so a solution names an
option by its declaration letter in a token, `{opt c}`, inside that part's section (from its
`**(d)**` heading to the next): it is shown as the option's letter in the variant ("A"), and a run
of bullets that each start with a token is put in shown order. A choice part's answer line is
written in declaration letters too and shown in the variant's.
"""
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
    return show_options(substitute_answers(text, variant.values), variant)


OPTION_TOKEN = re.compile(r"\{opt ([a-z])\}")
"""An option named by its declaration letter, in a choice part's section of a solution."""
PART_HEADING = re.compile(r"^\*\*\(([^)]+)\)\*\*")


def show_options(text: str, variant: Variant) -> str:
    """Option tokens and choice answer lines in the variant's letters (see the module docstring).
    A token outside a choice part's section, or naming no option, is left as written (a test
    of the bank fails on it)."""
    ex = variant.exercise
    current = ex.parts[0].name if len(ex.parts) == 1 else None
    sections: list[tuple[str | None, str]] = []  # each line with the part whose section holds it
    for line in text.split("\n"):
        heading = PART_HEADING.match(line)
        if heading:
            current = heading.group(1)
        sections.append((current, line))
    out: list[str] = []
    i = 0
    while i < len(sections):
        part_name, line = sections[i]
        if not _option_bullet(line, variant, part_name):
            out.append(_show_line(line, variant, part_name))
            i += 1
            continue
        items: list[tuple[str, list[str]]] = []  # a run of option bullets, each with its continuation
        while i < len(sections) and _option_bullet(sections[i][1], variant, part_name):
            first = sections[i][1]
            item = [first]
            i += 1
            while i < len(sections) and sections[i][1].startswith("  ") and sections[i][1].strip():
                item.append(sections[i][1])
                i += 1
            token = OPTION_TOKEN.match(first[2:])
            assert token is not None
            items.append((variant.shown_answer(str(part_name), token.group(1)), item))
        for _, item in sorted(items, key=lambda it: it[0]):  # stable: ties keep their order
            out += [_show_line(line, variant, part_name) for line in item]
    return "\n".join(out)


def _option_bullet(line: str, variant: Variant, part_name: str | None) -> bool:
    """A bullet about one option of a choice part: "- {opt c} is false: …"."""
    return part_name in variant.orders and line.startswith("- ") and OPTION_TOKEN.match(line[2:]) is not None


def _show_line(line: str, variant: Variant, part_name: str | None) -> str:
    def answer(match: re.Match) -> str:
        name, given = match.group(1), match.group(2)
        if name not in variant.orders:
            return match.group(0)
        return match.group(0).replace(f"`{given}`", f"`{variant.shown_answer(name, given)}`")

    line = ANSWER_LINE.sub(answer, line)
    order = variant.orders.get(part_name or "")
    if order is None:
        return line

    def option(match: re.Match) -> str:
        letter = match.group(1)
        if ord(letter) - ord("a") >= len(order):
            return match.group(0)
        return variant.shown_answer(str(part_name), letter).upper()

    return OPTION_TOKEN.sub(option, line)


def substitute_answers(text: str, values: dict) -> str:
    """Placeholders inside `code spans` are math (negatives parenthesised) and a span that becomes
    plain arithmetic is shown folded (`4 + 2 - 2` → `4`); elsewhere placeholders are plain text."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`≈") and part.endswith("`") and "{" in part:
            out.append(approximately(substitute(part[2:-1], values, for_math=True)))
        elif part.startswith("`") and part.endswith("`") and len(part) > 1 and "{" in part:
            inner = substitute(part[1:-1], values, for_math=True)
            out.append(f"`{fold_constant(inner)}`")
        else:
            out.append(substitute(part, values, for_math=False))
    return "".join(out)


def approximately(text: str) -> str:
    """A `≈…` span of a worked example: the constant's value to 4 significant digits ("≈ 9.539",
    "= 13" when that is exact, "= (0.1, −0.1)" for a vector); the span as written when it is not
    a constant."""
    from ..mathlang import MathError, SymbolTable, read
    from ..mathlang.evaluate import DomainError, evaluate

    try:
        value = evaluate(read(text, SymbolTable()), {}, {})
    except (MathError, DomainError, KeyError, ValueError, TypeError):
        return f"`{text}`"
    if value.ndim == 2 and min(value.shape) != 1:
        return f"`{text}`"
    numbers = [float(x) for x in value.ravel()]
    exact = all(abs(x - float(f"{x:.4g}")) < 1e-12 for x in numbers)
    shown = ", ".join(f"{x:.4g}".replace("-", "−") for x in numbers)
    return f"{'=' if exact else '≈'} {shown if len(numbers) == 1 else f'({shown})'}"


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
