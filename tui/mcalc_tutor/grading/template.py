"""Submission templates, each part with its prompt as a comment: a blank one for a list of
exercises, or, for an assignment, one per student (their own variant, prefilled with their id);
and the answer key of a student's variant, for the instructor."""
from __future__ import annotations

import json

from .assignment import Assignment

TOML_ADVICE = (
    "# Write each answer between double quotes, on one line: b = \"(A + A^T) x\".",
    "# A missing quote or bracket makes the whole file unreadable, and then every part scores 0:",
    "# run `mcalc-tutor grade THIS_FILE` before you hand it in to see it read back.",
)


def template(ids: list[str], seed: int | None) -> str:
    """A blank submission: every part of the given exercises, each with its prompt as a comment.
    Raises ValueError naming the first id that is not in the bank."""
    from ..content.loader import load_bank
    from ..content.variants import make_variant

    bank = load_bank()
    lines = ["# mcalc-tutor submission: fill in each answer between the quotes.",
             "# Answers use the same language as the app (e.g. \"(A + A^T) x\").", *TOML_ADVICE, "",
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
            lines += _part_lines(part, part.name)
        lines.append("")
    return "\n".join(lines)




def _part_lines(part, label: str) -> list[str]:
    """A part in a template: its prompt and options as comments (in the variant's order: answer
    with these letters), then its blank answer line."""
    prompt = " ".join((part.prompt or part.kind).split())
    lines = [f"# ({label}) {prompt}"]
    lines += [f"#     {chr(ord('a') + i)}) {choice}" for i, choice in enumerate(part.choices)]
    if part.kind == "code":
        lines.append(f'{part.name} = "{part.stub}"   # put your {part.stub} next to this file')
    elif part.kind in ("steps", "iterates"):  # a multi-line TOML string, one step or iterate per line
        lines.append(f"#     one {'step' if part.kind == 'steps' else 'iterate'} per line, "
                     'between the triple quotes')
        lines += [f'{part.name} = """', '"""']
    else:
        lines.append(f'{part.name} = ""')
    return lines


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _points(x: float) -> str:
    return f"{_num(x)} point{'' if x == 1 else 's'}"


def student_template(assignment: Assignment, seed: int, student: str = "") -> str:
    """A submission for this student's variant: every graded part, each prompt as a comment."""
    from ..content.loader import load_bank
    from ..content.variants import make_variant

    bank = load_bank()
    lines = [f"# {assignment.title} ({_points(assignment.max_score)}) — mcalc-tutor submission",
             "# Answers use the same language as the app (e.g. \"(A + A^T) x\").", *TOML_ADVICE, "",
             "[meta]", f"student = {json.dumps(student)}",
             f"seed = {seed}                # your variant; the grader works it out from your id", ""]
    for assigned in assignment.exercises:
        ex = bank.get(assigned.id)
        if ex is None:
            raise ValueError(f"unknown exercise {assigned.id!r}")
        variant = make_variant(ex, seed)
        lines.append(f"# {ex.title} ({_points(assigned.max_score)})")
        for line in variant.statement.splitlines():
            lines.append(f"#   {line}" if line.strip() else "#")
        lines.append(f"[answers.{ex.id}]")
        for assigned_part in assigned.parts:
            part = variant.part(assigned_part.name)
            if part is None:
                raise ValueError(f"{ex.id} has no part {assigned_part.name!r}")
            lines += _part_lines(part, f"{part.name}, {_points(assigned_part.points)}")
        lines.append("")
    return "\n".join(lines)


def answer_key(assignment: Assignment, seed: int, student: str = "") -> dict:
    """The expected answer of every graded part in this variant (code parts name their reference)."""
    from ..content.loader import load_bank
    from ..content.variants import make_variant

    bank = load_bank()
    parts = []
    for assigned in assignment.exercises:
        ex = bank.get(assigned.id)
        if ex is None:
            raise ValueError(f"unknown exercise {assigned.id!r}")
        variant = make_variant(ex, seed)
        for assigned_part in assigned.parts:
            part = variant.part(assigned_part.name)
            if part is None:
                raise ValueError(f"{ex.id} has no part {assigned_part.name!r}")
            if part.kind == "code":
                answer = f"reference solution {part.reference or part.stub}"
            elif isinstance(part.answer, list):
                answer = "; ".join(f"{p.get('at', '')} {p.get('type', '')}".strip() for p in part.answer)
            else:
                answer = str(part.answer)
            entry = {"exercise": ex.id, "part": part.name, "points": assigned_part.points,
                     "kind": part.kind, "prompt": " ".join((part.prompt or "").split()), "answer": answer}
            if part.kind == "choice":  # the letters are this variant's (options are shuffled): name the options too
                entry["options"] = [part.choices[ord(a.strip()) - ord("a")] for a in answer.split(",")]
            parts.append(entry)
    return {"assignment": assignment.id, "title": assignment.title, "student": student, "seed": seed,
            "values": {k: v if isinstance(v, (int, float, str)) else str(v) for k, v in
                       _variant_values(assignment, seed).items()},
            "parts": parts}


def _variant_values(assignment: Assignment, seed: int) -> dict:
    from ..content.loader import load_bank
    from ..content.variants import make_variant

    bank = load_bank()
    values: dict = {}
    for assigned in assignment.exercises:
        ex = bank.get(assigned.id)
        if ex is not None and ex.randomized:
            for name, value in make_variant(ex, seed).values.items():
                values[f"{ex.id}.{name}"] = value
    return values


def answer_key_text(key: dict) -> str:
    who = f" for {key['student']}" if key["student"] else ""
    lines = [f"Answer key: {key['title']}{who} (seed {key['seed']})"]
    if key["values"]:
        lines.append("  parameters: " + ", ".join(f"{k} = {v}" for k, v in key["values"].items()))
    for p in key["parts"]:
        options = "".join(f"  [{text}]" for text in p.get("options", ()))
        lines.append(f"  {p['exercise']}:{p['part']} ({_num(p['points'])} pt)  {p['answer']}{options}")
    return "\n".join(lines) + "\n"
