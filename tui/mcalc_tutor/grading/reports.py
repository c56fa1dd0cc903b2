"""Rendering grading results: text, JSON, Gradescope results.json, a CSV gradebook, and the
class report (which misconceptions to re-teach). Deterministic: no timestamps unless asked.
"""
from __future__ import annotations

import csv
import io
import json
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
