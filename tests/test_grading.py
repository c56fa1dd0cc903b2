"""The grader: example submissions, every output format, determinism, parallel batches, and the
bad submissions of issue 6 — each gets a reason and zero for that part only; the batch finishes."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from mcalc_tutor.grading.batch import grade_many
from mcalc_tutor.grading.grader import grade_path
from mcalc_tutor.grading.reports import class_report_data, json_report
from mcalc_tutor.grading.submission import find_submissions, read_submission
from mcalc_tutor.grading.template import template

DATA = Path(__file__).parent / "data" / "submissions"
CLI = [sys.executable, "-m", "mcalc_tutor"]


def _cli(*args, cwd=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_example_submissions():
    alice = grade_path(DATA / "alice" / "submission.toml")
    answered = [p for p in alice.parts if p.status != "missing"]
    assert alice.error is None and len(answered) == 6 and all(p.status == "correct" for p in answered)
    bob = {(p.exercise, p.part): p for p in grade_path(DATA / "bob" / "submission.toml").parts}
    assert bob[("grad-quadratic-form", "b")].status == "incorrect"
    assert "mistake" in bob[("grad-quadratic-form", "b")].diagnostics
    assert bob[("hess-cubic-critical-points", "a")].diagnostics[0] == "transpose"
    assert bob[("hess-cubic-critical-points", "b")].status == "missing"
    assert bob[("hess-cubic-critical-points", "c")].status == "partial"
    assert 0 < bob[("hess-cubic-critical-points", "c")].score < 1


def test_formats_are_valid_and_deterministic(tmp_path):
    first = _cli("grade", str(DATA), "--format", "json")
    second = _cli("grade", str(DATA), "--format", "json", "--jobs", "2")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert [d["student"] for d in data] == ["alice", "bob"]
    for d in data:
        assert {"submission", "score", "max_score", "parts"} <= set(d)
        assert all({"exercise", "part", "status", "score", "max_score", "feedback"} <= set(p) for p in d["parts"])

    out = tmp_path / "results" / "results.json"
    run = _cli("grade", str(DATA / "bob"), "--format", "gradescope", "--out", str(out))
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    assert {"score", "max_score", "output", "tests"} <= set(results)
    assert "execution_time" not in results  # no timing unless asked: same bytes every run
    for t in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(t)
        assert t["status"] in ("passed", "failed")
    assert results["score"] == sum(t["score"] for t in results["tests"])

    rows = list(csv.reader(io.StringIO(_cli("grade", str(DATA), "--format", "csv").stdout)))
    assert rows[0][:4] == ["student", "submission", "score", "max_score"] and len(rows) == 3


def test_class_report_names_the_misconception():
    results = grade_many(sorted(find_submissions([str(DATA)])[0]), None, 1)
    report = class_report_data(results)
    part = next(p for p in report["parts"] if (p["exercise"], p["part"]) == ("grad-quadratic-form", "b"))
    assert part["share"]["correct"] == 0.5
    assert "symmetric" in part["common_mistakes"][0]["feedback"]
    text = _cli("grade", str(DATA), "--format", "report").stdout
    assert "grad-quadratic-form:b" in text and "50% correct" in text


def test_template_round_trip_with_the_worked_solutions(tmp_path):
    """A template filled in with the worked solutions' answers gets full marks."""
    import re

    from mcalc_tutor.content.loader import load_bank
    from mcalc_tutor.content.paths import solutions_dir

    ids = ["grad-quadratic-form", "hess-cubic-critical-points"]
    bank = load_bank()
    answers = {}
    for ex_id in ids:
        ex = bank.get(ex_id)
        text = (solutions_dir() / ex.section / f"{ex_id}.md").read_text(encoding="utf-8")
        answers[ex_id] = dict(re.findall(r"\*\*Answer \(([^)]+)\):\*\*\s*`([^`]+)`", text))
    lines, current = [], None
    for line in template(ids, seed=0).splitlines():
        if line.startswith("[answers."):
            current = line[len("[answers."):-1]
        if current and line.endswith('= ""'):
            name = line.split("=")[0].strip()
            line = f"{name} = {json.dumps(answers[current][name])}"
        lines.append(line)
    text = "\n".join(lines).replace('student = ""', 'student = "t"')
    path = _write(tmp_path / "s" / "submission.toml", text)
    result = grade_path(path)
    assert result.score == result.max_score > 0, json_report([result])


BAD = {
    "invalid_toml": "[meta\nstudent = 'x'",
    "binary": b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n" * 50,
    "huge_answer": '[answers.grad-quadratic-form]\nb = "' + "x+" * 5_000_000 + 'x"\n',
    "unknown_ids": '[answers.no-such-exercise]\na = "1"\n[answers.grad-quadratic-form]\nzz = "1"\nb = "(A+A^T)x"\n',
    "injection": '[answers.grad-quadratic-form]\na = "__import__(\'os\').system(\'touch PWNED\')"\n'
                 'b = "().__class__.__bases__"\nc = "eval(\'1\')"\n',
    "wrong_types": '[answers.grad-quadratic-form]\na = 3\nb = [1, 2]\nc = true\n',
}


def test_bad_submissions_get_reasons_and_the_batch_finishes(tmp_path):
    batch = tmp_path / "batch"
    for name, content in BAD.items():
        _write(batch / name / "submission.toml", content)
    _write(batch / "good" / "submission.toml", (DATA / "alice" / "submission.toml").read_text())
    paths, errors = find_submissions([str(batch)])
    assert not errors and len(paths) == len(BAD) + 1
    results = {Path(r.submission).parent.name: r for r in grade_many(paths, ["grad-quadratic-form"], 2)}
    good = [p for p in results["good"].parts if p.exercise == "grad-quadratic-form"]
    assert good and all(p.status in ("correct", "missing") for p in good) and results["good"].score > 0
    assert "TOML" in results["invalid_toml"].error and results["invalid_toml"].score == 0
    assert "UTF-8" in results["binary"].error
    huge = {p.part: p for p in results["huge_answer"].parts}
    assert huge["b"].status == "invalid" and "too long" in huge["b"].feedback and huge["a"].status == "missing"
    unknown = {(p.exercise, p.part): p for p in results["unknown_ids"].parts}
    assert unknown[("grad-quadratic-form", "zz")].status == "invalid"
    assert unknown[("grad-quadratic-form", "b")].status == "correct"
    assert any(p.exercise == "no-such-exercise" and "not part of this assignment" in p.feedback
               for p in results["unknown_ids"].parts)
    injected = [p for p in results["injection"].parts if p.part in ("a", "b", "c")]
    assert len(injected) == 3 and all(p.status == "invalid" and p.score == 0 for p in injected)
    assert not (Path.cwd() / "PWNED").exists() and not (tmp_path / "PWNED").exists()
    typed = {p.part: p.status for p in results["wrong_types"].parts}
    assert {k: typed[k] for k in "abc"} == {"a": "incorrect", "b": "invalid", "c": "invalid"}  # a TOML number is read as its text


def test_unknown_exercise_without_assignment_scores_zero(tmp_path):
    path = _write(tmp_path / "x.toml", '[answers.no-such-exercise]\na = "1"\n')
    result = grade_path(path)
    assert [(p.exercise, p.status, p.score) for p in result.parts] == [("no-such-exercise", "invalid", 0.0)]


def test_cli_errors():
    assert _cli("grade", "/nonexistent/submission.toml").returncode == 2
    assert _cli("grade", str(DATA), "--exercises", "nope").returncode == 2
    assert _cli("grade", str(DATA), "--format", "gradescope").returncode == 2  # one submission at a time
    assert _cli("grade", str(DATA), "--jobs", "0").returncode == 2


def test_submission_meta_is_validated(tmp_path):
    sub = read_submission(_write(tmp_path / "m.toml", '[meta]\nseed = "seven"\n'))
    assert sub.error and "seed" in sub.error


ROOT = Path(__file__).resolve().parent.parent


def test_code_challenge_parts_are_graded_in_the_sandbox(tmp_path):
    reference = (ROOT / "solutions" / "gradients" / "gradient_check.py").read_text()
    stub = (ROOT / "exercises" / "gradients" / "gradient_check.py").read_text()
    good = _write(tmp_path / "good" / "submission.toml", '[answers.code-gradient-check]\na = "gradient_check.py"\n')
    _write(good.parent / "gradient_check.py", reference)
    untouched = _write(tmp_path / "stub" / "submission.toml", '[meta]\nstudent = "s"\n')
    _write(untouched.parent / "gradient_check.py", stub)
    escape = _write(tmp_path / "escape" / "submission.toml", '[answers.code-gradient-check]\na = "../good/gradient_check.py"\n')
    from mcalc_tutor.grading.runner import sandbox_mode

    # without bubblewrap, code parts are graded only when asked (tests/test_grader_attacks.py: the refusal)
    results = grade_many([good, untouched, escape], ["code-gradient-check"], 1, unsandboxed=sandbox_mode() != "bwrap")
    by_name = {Path(r.submission).parent.name: r.parts[0] for r in results}
    assert by_name["good"].status == "correct" and by_name["good"].score == by_name["good"].max_score
    assert by_name["stub"].status == "incorrect" and by_name["stub"].score == 0  # found by its stub name
    assert "FAIL" in by_name["stub"].feedback
    assert by_name["escape"].status == "invalid" and "not found" in by_name["escape"].feedback


def test_gradescope_bundle(tmp_path):
    import zipfile

    out = tmp_path / "autograder.zip"
    run = _cli("grade", "--gradescope-bundle", str(out), "--exercises", "grad-quadratic-form", "code-gradient-check")
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert "setup.sh" in names and "run_autograder" in names
        wheel = next(n for n in names if n.startswith("wheels/mcalc_tutor-") and n.endswith(".whl"))
        assignment = zf.read("assignment.toml").decode()
        assert 'id = "grad-quadratic-form"' in assignment and 'id = "code-gradient-check"' in assignment
        assert "mcalc_tutor.grading.bundle autograde" in zf.read("run_autograder").decode()
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
        zf.extract(wheel, tmp_path)
    with zipfile.ZipFile(tmp_path / wheel) as whl:
        content = whl.namelist()
    assert "mcalc_tutor/_content/exercises/gradients/grad-quadratic-form.toml" in content
    assert "mcalc_tutor/_content/solutions/gradients/gradient_check.py" in content
    assert _cli("grade", "--gradescope-bundle", str(out), "--exercises", "nope").returncode == 2
