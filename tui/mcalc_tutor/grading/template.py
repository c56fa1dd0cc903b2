"""A blank submission file for a list of exercises, each part with its prompt as a comment."""
from __future__ import annotations


def template(ids: list[str], seed: int | None) -> str:
    """A blank submission: every part of the given exercises, each with its prompt as a comment.
    Raises ValueError naming the first id that is not in the bank."""
    from ..content.loader import load_bank
    from ..content.variants import make_variant

    bank = load_bank()
    lines = ["# mcalc-tutor submission: fill in each answer between the quotes.",
             "# Answers use the same language as the app (e.g. \"(A + A^T) x\").", "",
             "[meta]", 'student = ""', f"seed = {seed or 0}", ""]
    for exercise_id in ids:
        ex = bank.get(exercise_id)
        if ex is None:
            raise ValueError(f"unknown exercise id {exercise_id!r}")
        variant = make_variant(ex, seed or 0)
        lines.append(f"# {ex.title}")
        for line in variant.statement.splitlines():
            lines.append(f"#   {line}" if line.strip() else "#")
        lines.append(f"[answers.{ex.id}]")
        for part in variant.parts:
            prompt = " ".join((part.prompt or part.kind).split())
            lines.append(f"# ({part.name}) {prompt}")
            for i, choice in enumerate(part.choices):
                lines.append(f"#     {chr(ord('a') + i)}) {choice}")
            if part.kind == "code":
                lines.append(f'{part.name} = "{part.stub}"   # put your {part.stub} next to this file')
            else:
                lines.append(f'{part.name} = ""')
        lines.append("")
    return "\n".join(lines)
