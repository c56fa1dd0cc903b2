"""Rendering grading results: text, JSON, Gradescope results.json, a CSV gradebook, and the
class report (which misconceptions to re-teach). Deterministic: no timestamps unless asked.
"""
from __future__ import annotations

import csv
import io
import json
import textwrap
from collections import Counter, defaultdict

from ..checking.verdict import CORRECT, INCORRECT, INVALID, PARTIAL
from .grader import MISSING, NOT_GRADED, SubmissionResult, mark_duplicates
from .text import escape_controls, neutralize_formula

# Every renderer escapes what a submission controls (names, paths, feedback) and flags students
# claimed by more than one submission: a warning line, and a status ("duplicate") in the data.


def _num(x: float):
    return int(x) if float(x).is_integer() else round(x, 4)


def text_report(results: list[SubmissionResult]) -> str:
    out = []
    for r in mark_duplicates(results):
        out.append(f"{escape_controls(r.student)} ({escape_controls(r.submission)}): "
                   f"{_num(r.score)} / {_num(r.max_score)}")
        if r.error:
            out.append(f"  ! {escape_controls(r.error)}")
        for w in r.warnings:
            out.append(f"  ! warning: {escape_controls(w)}")
        for p in r.parts:
            feedback = "\n      ".join(escape_controls(line) for line in p.feedback.split("\n"))
            out.append(f"  {escape_controls(p.exercise)}:{escape_controls(p.part):<4} {_num(p.score)}/"
                       f"{_num(p.max_score)}  {p.status:<9} {feedback}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def json_report(results: list[SubmissionResult]) -> str:
    mark_duplicates(results)
    data = results[0].to_json() if len(results) == 1 else [r.to_json() for r in results]
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def gradescope_report(result: SubmissionResult, execution_time: float | None = None) -> str:
    """A Gradescope autograder results.json for one submission."""
    tests = []
    for p in result.parts:
        tests.append({
            "name": f"{p.exercise} ({p.part})",
            "score": _num(p.score),
            "max_score": _num(p.max_score),
            "status": "passed" if p.status == CORRECT else "failed",
            "output": f"{p.status}: {p.feedback}",
            "visibility": "visible",
        })
    output = result.error or f"Graded {len(result.parts)} parts for {escape_controls(result.student)}."
    data = {"score": _num(result.score), "max_score": _num(result.max_score),
            "output": "\n".join([output, *result.warnings]), "tests": tests}
    if execution_time is not None:
        data["execution_time"] = round(execution_time, 2)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def csv_report(results: list[SubmissionResult]) -> str:
    """One row per submission; text cells cannot run as spreadsheet formulas."""
    columns = sorted({f"{p.exercise}:{p.part}" for r in results for p in r.parts})
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    cell = neutralize_formula
    writer.writerow(["student", "submission", "score", "max_score", "error", "status", "warnings",
                     *[cell(c) for c in columns]])
    for r in mark_duplicates(results):
        scores = {f"{p.exercise}:{p.part}": _num(p.score) for p in r.parts}
        writer.writerow([cell(r.student), cell(r.submission), _num(r.score), _num(r.max_score), cell(r.error or ""),
                         r.status, cell("; ".join(r.warnings)), *[scores.get(c, "") for c in columns]])
    return buf.getvalue()


_STATUSES = (CORRECT, PARTIAL, INCORRECT, INVALID, MISSING, NOT_GRADED)  # "ungraded" only where it occurs


def class_report_data(results: list[SubmissionResult]) -> dict:
    """Per part: how many were correct / partial / incorrect / invalid / missing, and the most
    common diagnostics and feedback (STACK's "answer notes")."""
    per_part: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"counts": Counter(), "notes": Counter(), "codes": Counter()})
    for r in results:
        for p in r.parts:
            entry = per_part[(p.exercise, p.part)]
            entry["counts"][p.status] += 1
            if p.status in (INCORRECT, PARTIAL):
                first = p.feedback.split("\n")[0].split(" (read as")[0]
                entry["notes"][first] += 1
                entry["codes"].update(p.diagnostics)
    parts = []
    for (exercise, part), entry in sorted(per_part.items()):
        counts = entry["counts"]
        total = sum(counts.values())
        parts.append({
            "exercise": exercise, "part": part, "submissions": total,
            "share": {s: round(counts[s] / total, 4) for s in _STATUSES if s != NOT_GRADED or counts[s]},
            "common_mistakes": [{"feedback": note, "count": n}
                                for note, n in sorted(entry["notes"].items(), key=lambda kv: (-kv[1], kv[0]))
                                ][:3],
            "common_diagnostics": [{"code": code, "count": n}
                                   for code, n in sorted(entry["codes"].items(), key=lambda kv: (-kv[1], kv[0]))],
        })
    duplicates = [w for r in mark_duplicates(results) for w in r.warnings]
    return {"submissions": len(results), "parts": parts, "duplicates": duplicates}


def class_report_text(results: list[SubmissionResult], width: int = 80) -> str:
    data = class_report_data(results)
    out = [f"Class report: {data['submissions']} submissions", ""]
    if data["duplicates"]:
        out[1:1] = [f"! warning: {escape_controls(w)}" for w in data["duplicates"]]
    for p in data["parts"]:
        share = p["share"]
        bar_len = 20
        filled = round(share[CORRECT] * bar_len)
        out.append(escape_controls(f"{p['exercise']}:{p['part']}"))
        out.append(f"  {'█' * filled}{'░' * (bar_len - filled)} {share[CORRECT]:4.0%} correct  "
                   f"{share[INCORRECT] + share[PARTIAL]:4.0%} wrong  {share[INVALID]:4.0%} invalid  "
                   f"{share[MISSING]:4.0%} missing" + (f"  {share[NOT_GRADED]:4.0%} not graded (no sandbox)"
                                                        if NOT_GRADED in share else ""))
        if p["common_diagnostics"]:
            out.append("    diagnostics: " + ", ".join(f"{d['code']} ×{d['count']}" for d in p["common_diagnostics"]))
        for m in p["common_mistakes"]:
            text = escape_controls(m["feedback"])
            limit = width - 12
            out.append(f"    {m['count']:>3}× {text[:limit] + ('…' if len(text) > limit else '')}")
    return "\n".join(out) + "\n"


def gradescope_results(result: SubmissionResult, assignment, execution_time: float | None = None) -> str:
    """results.json for one submission under an assignment: the feedback policy decides what the
    student reads, the assignment's visibility applies to the whole result and to each test."""
    from .grader import for_students

    shown = for_students(result, assignment.feedback)
    tests = []
    for number, p in enumerate(shown.parts, start=1):
        name = f"{escape_controls(p.exercise)} ({escape_controls(p.part)})"
        if p.max_score == 0 and p.score == 0 and p.status == INVALID:
            name += ": not graded"
        tests.append({
            "name": name,
            "number": str(number),
            "score": _num(p.score),
            "max_score": _num(p.max_score),
            "status": "passed" if p.status == CORRECT else "failed",
            "output": f"{p.status}: {p.feedback}" if p.feedback else p.status,
            "visibility": assignment.visibility,
        })
    output = (escape_controls(shown.error) if shown.error
              else f"{assignment.title}: graded {len(assignment.columns)} parts.")
    data = {"score": _num(shown.score), "output": output, "visibility": assignment.visibility,
            "stdout_visibility": assignment.stdout_visibility,
            "tests": tests}
    if execution_time is not None:
        data["execution_time"] = round(execution_time, 2)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def reteach_data(results: list[SubmissionResult], assignment=None) -> dict:
    """What to re-teach. Per part: the share of each status and its misconceptions (a listed mistake
    by its feedback as written in the bank, so variants merge; another diagnostic by its code; a
    failing test of a code part by the test's name, never a pass). Then one ranked list over the
    whole assignment: each misconception's share of the class and the parts where it occurs."""
    n = len(results)
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    found: dict[tuple[str, str], Counter] = defaultdict(Counter)
    undiagnosed: Counter = Counter()
    students: dict[str, set[int]] = defaultdict(set)
    where: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for i, r in enumerate(results):
        for p in r.parts:
            if p.max_score == 0 and p.status == INVALID:
                continue  # not part of the assignment: the gradebook's problems report lists it
            key = (p.exercise, p.part)
            counts[key][p.status] += 1
            if p.status not in (INCORRECT, PARTIAL):
                continue
            if not p.misconceptions:
                undiagnosed[key] += 1
            for label in p.misconceptions:
                found[key][label] += 1
                students[label].add(i)
                where[label].add(key)
    order = assignment.columns if assignment is not None else []
    keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
    position = {k: i for i, k in enumerate(keys)}
    parts = []
    for key in keys:
        c = counts[key]
        total = sum(c.values())
        parts.append({
            "exercise": key[0], "part": key[1], "submissions": total,
            "share": {s: round(c[s] / total, 4) for s in _STATUSES if s != NOT_GRADED or c[s]},
            "misconceptions": [{"misconception": label, "count": k}
                               for label, k in sorted(found[key].items(), key=lambda kv: (-kv[1], kv[0]))],
            "wrong_without_diagnosis": undiagnosed[key],
        })
    ranked = [{"misconception": label, "students": len(ids), "share": round(len(ids) / n, 4) if n else 0.0,
               "parts": [f"{e}:{p}" for e, p in sorted(where[label], key=lambda k: position[k])]}
              for label, ids in sorted(students.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    return {"submissions": n, "assignment": assignment.id if assignment is not None else None,
            "parts": parts, "misconceptions": ranked}


def reteach_json(results: list[SubmissionResult], assignment=None) -> str:
    return json.dumps(reteach_data(results, assignment), ensure_ascii=False, indent=1) + "\n"


def reteach_text(results: list[SubmissionResult], assignment=None, width: int = 80) -> str:
    data = reteach_data(results, assignment)

    def clip(text: str, limit: int) -> str:
        return text if len(text) <= limit else text[:limit - 1] + "…"

    title = f" for {assignment.title}" if assignment is not None else ""
    out = [f"Class report{title}: {data['submissions']} submissions", ""]
    for p in data["parts"]:
        share = p["share"]
        filled = round(share[CORRECT] * 20)
        out.append(f"{p['exercise']}:{p['part']}")
        out.append(f"  {'█' * filled}{'░' * (20 - filled)} {share[CORRECT]:4.0%} correct  "
                   f"{share[INCORRECT] + share[PARTIAL]:4.0%} wrong  {share[INVALID]:4.0%} invalid  "
                   f"{share[MISSING]:4.0%} missing" + (f"  {share[NOT_GRADED]:4.0%} not graded (no sandbox)"
                                                        if NOT_GRADED in share else ""))
        for m in p["misconceptions"][:3]:
            out.append(f"    {m['count']:>3}× {clip(m['misconception'], width - 12)}")
        if p["wrong_without_diagnosis"]:
            out.append(f"    {p['wrong_without_diagnosis']:>3}× wrong, no named misconception")
    out += ["", "What to re-teach (the whole assignment, by share of the class):"]
    if not data["misconceptions"]:
        out.append("  nothing named: no wrong answer matched a listed mistake, a diagnostic or a failing test")
    for m in data["misconceptions"]:
        lead = f"  {m['share']:4.0%} ({m['students']}) "
        out += textwrap.wrap(m["misconception"], width, initial_indent=lead, subsequent_indent=" " * 8)
        out += textwrap.wrap(", ".join(m["parts"]), width, initial_indent="        in ", subsequent_indent=" " * 11)
    return "\n".join(out) + "\n"
