"""Issue 15: the batch path (a PartCache shared by the batch, worker processes) gives the same
bytes as grading each submission on its own with nothing cached, in every report format."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from class_folder import synthesize
from mcalc_tutor.grading.batch import grade_many
from mcalc_tutor.grading.grader import PartCache, PartResult, grade_path
from mcalc_tutor.grading.reports import class_report_text, csv_report, json_report, text_report


def _renders(results) -> list[str]:
    for r in results:
        r.seconds = 0.0
    return [f(results) for f in (json_report, text_report, csv_report, class_report_text)]


def test_batch_results_are_the_bytes_of_one_by_one_grading(tmp_path: Path):
    paths = synthesize(24, tmp_path, exercises=12, seeds=3)
    one_by_one = [grade_path(p) for p in paths]  # the old path: every answer checked afresh
    cache = PartCache()
    cached = [grade_path(p, cache=cache) for p in paths]
    assert cache.hits > len(paths) * 10  # the sample repeats answers: the cache was really used
    assert _renders(cached) == _renders(one_by_one)
    assert _renders(grade_many(paths, None, 2)) == _renders(one_by_one)


def test_the_cache_keeps_results_apart_by_variant_part_and_answer(tmp_path: Path):
    """Same answer text to one part under two variants whose parameters differ: two verdicts."""
    paths = synthesize(6, tmp_path, exercises=40, seeds=6)
    cache = PartCache()
    for p in paths:
        mine = grade_path(p, cache=cache)
        assert mine.to_json() == grade_path(p).to_json()
    assert len({key[0] for key in cache._results}) > 40  # variants with parameters got their own keys


def test_part_result_json_is_asdict():
    """to_json spells the fields out (asdict's deep copy was a third of a JSON report's time):
    same keys, same order, same values, and a field added later cannot be forgotten."""
    part = PartResult("ex", "a", "incorrect", 0.0, 2.0, "Check the sign.", ["sign"], "−x")
    assert list(part.to_json().items()) == list(asdict(part).items())
    assert part.to_json()["diagnostics"] is not part.diagnostics
