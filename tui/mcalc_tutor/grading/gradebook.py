"""Gradebooks an LMS can import: one row per student, columns fixed by the assignment.

The columns never depend on what students submitted: an unknown exercise, an extra part, a second
submission from one student or a student missing from the roster goes to the problems report,
never into a column. Submission paths are shown relative to the graded folder.

Formats: `csv` (id, name, email, section, submission, one column per graded part in the
assignment's order, total) and `canvas` (Canvas's gradebook-import CSV: Student, ID, SIS User ID,
SIS Login ID, Section, then the assignment's column, with its points in the "Points Possible" row).
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from .assignment import Assignment
from .grader import SubmissionResult
from .roster import Roster, Student
from .text import neutralize_formula


@dataclass(frozen=True)
class GradebookProblem:
    student: str
    submission: str
    what: str        # "exercise:part" or "" for the whole submission
    problem: str


@dataclass
class GradebookRow:
    student: Student
    submission: str = ""
    scores: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(self.scores.values()), 6)


@dataclass
class Gradebook:
    assignment: Assignment
    rows: list[GradebookRow]
    problems: list[GradebookProblem]


def build_gradebook(results: list[SubmissionResult], assignment: Assignment, roster: Roster | None = None,
                    base: str | Path | None = None) -> Gradebook:
    columns = set(assignment.columns)
    problems: list[GradebookProblem] = []
    rows: dict[str, GradebookRow] = {}
    order: list[str] = []
    for result in sorted(results, key=lambda r: r.submission):
        where = relative_path(result.submission, base)
        student = roster.find(result.student) if roster is not None else Student(result.student)
        if student is None:
            problems.append(GradebookProblem(result.student, where, "",
                                             "student not on the roster (not in the gradebook)"))
            continue
        if student.id in rows:
            problems.append(GradebookProblem(student.id, where, "", "a second submission for this student "
                                             f"(ignored; the gradebook has {rows[student.id].submission})"))
            continue
        row = GradebookRow(student, where)
        rows[student.id] = row
        order.append(student.id)
        if result.error:
            problems.append(GradebookProblem(student.id, where, "", result.error))
        for flag in result.warnings:
            problems.append(GradebookProblem(student.id, where, "", flag))
        for p in result.parts:
            key = (p.exercise, p.part)
            if key in columns and key not in row.scores:
                row.scores[key] = p.score
            else:
                problems.append(GradebookProblem(student.id, where, f"{p.exercise}:{p.part}", p.feedback))
    if roster is not None:
        missing = [s for s in roster if s.id not in rows]
        for s in missing:
            problems.append(GradebookProblem(s.id, "", "", "no submission"))
        ordered = [rows.get(s.id) or GradebookRow(s) for s in roster]
    else:
        ordered = [rows[i] for i in sorted(order)]
    return Gradebook(assignment, ordered, problems)


def relative_path(path: str, base: str | Path | None) -> str:
    """`path` relative to the graded folder `base` when inside it, else as given."""
    if base is None:
        return path
    try:
        rel = os.path.relpath(Path(path).resolve(), Path(base).resolve())
    except ValueError:
        return path
    return path if rel.startswith("..") else Path(rel).as_posix()


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{round(x, 4):g}"


def _write(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralize_formula(c) for c in row])
    return buf.getvalue()


def gradebook_csv(book: Gradebook) -> str:
    columns = book.assignment.columns
    header = ["id", "name", "email", "section", "submission", *[f"{e}:{p}" for e, p in columns], "total"]
    rows = [header]
    for row in book.rows:
        s = row.student
        if not row.submission:  # no submission: blank cells, so an import changes nothing
            rows.append([s.id, s.name, s.email, s.section, "", *[""] * len(columns), ""])
            continue
        rows.append([s.id, s.name, s.email, s.section, row.submission,
                     *[_num(row.scores.get(c, 0.0)) for c in columns], _num(row.total)])
    return _write(rows)


def canvas_csv(book: Gradebook) -> str:
    """Canvas's import format: the Student name, Canvas's own ID (left blank: Canvas matches the row
    by SIS User ID, here the roster id), SIS Login ID (the roster email), Section, then one
    assignment column whose "Points Possible" row holds the assignment's maximum."""
    title = book.assignment.title
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title],
            ["    Points Possible", "", "", "", "", _num(book.assignment.max_score)]]
    for row in book.rows:
        s = row.student
        rows.append([s.name, "", s.id, s.email, s.section, _num(row.total) if row.submission else ""])
    return _write(rows)


def problems_csv(book: Gradebook) -> str:
    rows = [["student", "submission", "part", "problem"]]
    rows += [[p.student, p.submission, p.what, " ".join(p.problem.split())] for p in book.problems]
    return _write(rows)
