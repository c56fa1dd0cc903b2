"""Issue 15: at --jobs > 1 the exercises are shared out among the workers (each grades every
submission, its own exercises only) and each submission's pieces are merged back in order: the
same bytes as --jobs 1, with an exercise list, without one, under an assignment, and when a worker
dies mid-batch."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from class_folder import synthesize
from mcalc_tutor._toml import tomllib
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.grading import batch
from mcalc_tutor.grading.assignment import parse_assignment
from mcalc_tutor.grading.batch import grade_many, share_out
from mcalc_tutor.grading.reports import csv_report, json_report, text_report
from mcalc_tutor.grading.seeds import assignment_key

pytestmark = pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                                reason="exercises are shared out only where workers can be forked")


def _renders(results) -> list[str]:
    for r in results:
        r.seconds = 0.0
    return [f(results) for f in (json_report, text_report, csv_report)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> list[Path]:
    paths = synthesize(18, tmp_path_factory.mktemp("class"), exercises=16, seeds=3)
    # one student answers an exercise the first three do not (graded by worker 0), one a part and
    # an exercise that do not exist
    first = load_bank().exercises[-1].id
    with paths[7].open("a", encoding="utf-8") as fh:
        fh.write(f'\n[answers.{first}]\na = "x"\n\n[answers.no-such-exercise]\na = "1"\n')
    return paths


@pytest.fixture()
def shared_out(monkeypatch):
    """Counts the batches graded with the exercises shared out."""
    calls = []
    real = batch._by_exercise

    def spy(*args, **kwargs):
        calls.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "_by_exercise", spy)
    return calls


def test_the_same_bytes_without_an_exercise_list(folder, shared_out):
    one = _renders(grade_many(folder, None, 1))
    assert _renders(grade_many(folder, None, 2)) == one
    assert len(shared_out) == 1 and set(shared_out[0].values()) == {0, 1}  # both workers had exercises


def test_the_same_bytes_with_an_exercise_list_and_answers_outside_it(folder, shared_out):
    ids = [ex.id for ex in load_bank().exercises[:16:2]] + ["no-such-exercise"]
    one = _renders(grade_many(folder, ids, 1))
    assert "not part of this assignment" in one[0] and "unknown exercise" in one[0]
    assert _renders(grade_many(folder, ids, 3)) == one
    assert len(shared_out) == 1


def test_the_same_bytes_under_an_assignment(folder, shared_out):
    text = "\n".join(['id = "hw-share"', 'title = "Share"'] +
                     [f'[[exercises]]\nid = "{ex.id}"' for ex in load_bank().exercises[:16]])
    assignment = parse_assignment(tomllib.loads(text), "a.toml", load_bank())
    key = assignment_key(b"share-secret", assignment.id)
    one = _renders(grade_many(folder, None, 1, assignment=assignment, key=key))
    assert _renders(grade_many(folder, None, 2, assignment=assignment, key=key)) == one
    assert len(shared_out) == 1


def test_a_worker_that_dies_leaves_its_share_to_the_parent(folder, monkeypatch, shared_out):
    one = _renders(grade_many(folder, None, 1))
    real = batch._share_worker

    def dies_after_one_chunk(grade, chunks, share, writer, banks):
        if share.group == 1:
            real(grade, chunks[:1], share, writer, banks)
            os._exit(9)  # as if killed: the pipe closes with chunks still owed
        real(grade, chunks, share, writer, banks)

    monkeypatch.setattr(batch, "_share_worker", dies_after_one_chunk)
    assert _renders(grade_many(folder, None, 2)) == one
    assert len(shared_out) == 1


def test_progress_is_reported_per_submission_in_order(folder):
    seen = []
    results = grade_many(folder, None, 2, on_result=seen.append)
    assert [r.submission for r in seen] == [r.submission for r in results] == [str(p) for p in folder]


def test_share_out_balances_parts_and_refuses_what_cannot_be_balanced():
    bank = load_bank()
    ids = [ex.id for ex in bank.exercises]
    owners = share_out(ids, 2)
    assert owners is not None and set(owners) == set(ids)
    loads = [0, 0]
    for ex in bank.exercises:
        loads[owners[ex.id]] += sum(20 if p.kind == "code" else 1 for p in ex.parts)
    assert max(loads) <= batch.BALANCE * sum(loads) / 2
    assert share_out(ids[:1], 2) is None  # one exercise: the submissions are shared out instead
    assert share_out(ids, 1) is None


def test_one_exercise_shares_out_the_submissions(tmp_path, shared_out):
    paths = synthesize(6, tmp_path, exercises=1, seeds=2)
    one = _renders(grade_many(paths, None, 1))
    assert _renders(grade_many(paths, None, 2)) == one
    assert shared_out == []
