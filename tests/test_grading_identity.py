"""Issue 15: the fast grading path (workers forked with the bank loaded, results sent back as a
table of distinct parts, no symbolic confirmation in a batch, the exercises shared out among the
workers) gives the bytes of the path before it (MCALC_TUTOR_OLD_PATH=1), in every report format, at --jobs 1
and 2, without and with an assignment (per-student seeds)."""
from __future__ import annotations

from pathlib import Path

import pytest

from class_folder import synthesize
from mcalc_tutor._toml import tomllib
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.grading import batch
from mcalc_tutor.grading.assignment import parse_assignment
from mcalc_tutor.grading.batch import OLD_PATH_ENV, grade_many
from mcalc_tutor.grading.grader import PartResult, SubmissionResult
from mcalc_tutor.grading.reports import class_report_text, csv_report, json_report, text_report
from mcalc_tutor.grading.seeds import assignment_key

ASSIGNMENT = """\
id = "hw-identity"
title = "Identity"

[[exercises]]
id = "hess-random-quadratic"

[[exercises]]
id = "grad-quadratic-form"
points = 2
"""


def _renders(results: list[SubmissionResult]) -> list[str]:
    for r in results:
        r.seconds = 0.0
    return [f(results) for f in (json_report, text_report, csv_report, class_report_text)]


def _graded(monkeypatch, old: bool, paths, jobs: int, **kw) -> list[str]:
    if old:
        monkeypatch.setenv(OLD_PATH_ENV, "1")
    else:
        monkeypatch.delenv(OLD_PATH_ENV, raising=False)
    return _renders(grade_many(paths, None, jobs, **kw))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> list[Path]:
    return synthesize(40, tmp_path_factory.mktemp("class"), exercises=24, seeds=4)


def test_old_and_new_paths_give_the_same_bytes(monkeypatch, folder):
    old = _graded(monkeypatch, True, folder, 1)
    assert "correct" in old[0] and "incorrect" in old[0] and "invalid" in old[0]  # a real mix was graded
    assert _graded(monkeypatch, False, folder, 1) == old
    assert _graded(monkeypatch, False, folder, 2) == old
    assert _graded(monkeypatch, True, folder, 2) == old


def test_the_same_bytes_under_an_assignment_with_per_student_seeds(monkeypatch, folder):
    assignment = parse_assignment(tomllib.loads(ASSIGNMENT), "a.toml", load_bank())
    key = assignment_key(b"identity-secret", assignment.id)
    old = _graded(monkeypatch, True, folder, 1, assignment=assignment, key=key)
    assert _graded(monkeypatch, False, folder, 2, assignment=assignment, key=key) == old


def test_packed_results_unpack_to_equal_and_unshared_parts():
    parts = [PartResult("ex", "a", "incorrect", 0.0, 1.0, "Check the sign.", ["sign"], "−x", ["sign"]),
             PartResult("ex", "b", "correct", 1.0, 1.0, "Correct.", [], "x")]
    results = [SubmissionResult(f"s{i}.toml", f"s{i}", i, [PartResult(**vars(p)) for p in parts],
                                warnings=["w"] if i else []) for i in range(3)]
    odd = SubmissionResult("odd.toml", "odd", 9, [PartResult("ex", "a", "x", 0.0, 1.0, "f", ("t",))])  # type: ignore[arg-type]
    packed = batch._pack(results + [odd])
    assert len(packed[0]) == 2  # each distinct part once
    back = list(batch._unpack(packed))
    assert [r.to_json() for r in back] == [r.to_json() for r in results + [odd]]
    assert back[0].parts[0].diagnostics is not back[1].parts[0].diagnostics
    assert back[3].parts[0].diagnostics == ("t",)  # not a plain row: travelled as it was
