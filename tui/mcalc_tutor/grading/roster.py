"""A class roster: a CSV with a header naming at least `id` (and usually name, email, section).

Extra columns are ignored; a byte-order mark, blank lines and padding whitespace are tolerated
(spreadsheets add them). Two rows with one id are an error naming both lines, since a gradebook
row must stand for exactly one student.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("id", "name", "email", "section")


class RosterError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""
    section: str = ""


@dataclass(frozen=True)
class Roster:
    students: tuple[Student, ...]

    def __iter__(self):
        return iter(self.students)

    def __len__(self) -> int:
        return len(self.students)

    def find(self, key: str) -> Student | None:
        """The student whose id is `key` (or, failing that, whose email is, ignoring case)."""
        key = key.strip()
        by_id = next((s for s in self.students if s.id == key), None)
        if by_id is not None or not key:
            return by_id
        return next((s for s in self.students if s.email and s.email.lower() == key.lower()), None)


def read_roster(path: str | Path) -> Roster:
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RosterError([f"{name}: cannot read: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError([f"{name}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8"]) from None
    return parse_roster(text, name)


def parse_roster(text: str, name: str = "roster.csv") -> Roster:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    numbered = [(i + 1, [c.strip() for c in row]) for i, row in enumerate(rows)]
    numbered = [(n, row) for n, row in numbered if any(row)]
    if not numbered:
        raise RosterError([f"{name}: empty roster (a header line id,name,email,section is needed)"])
    header_line, header = numbered[0]
    header = [h.lower() for h in header]
    if "id" not in header:
        raise RosterError([f"{name}:{header_line}: the header needs an 'id' column (got {', '.join(header)})"])
    index = {col: header.index(col) for col in COLUMNS if col in header}
    problems: list[str] = []
    seen: dict[str, int] = {}
    students: list[Student] = []
    for line, row in numbered[1:]:
        values = {col: (row[i] if i < len(row) else "") for col, i in index.items()}
        student_id = values["id"]
        if not student_id:
            problems.append(f"{name}:{line}: no id")
            continue
        if student_id in seen:
            problems.append(f"{name}:{line}: duplicate id {student_id!r} (first on line {seen[student_id]})")
            continue
        seen[student_id] = line
        students.append(Student(student_id, values.get("name", ""), values.get("email", ""),
                                values.get("section", "")))
    if problems:
        raise RosterError(problems)
    return Roster(tuple(students))
