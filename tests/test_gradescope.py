"""A simulated Gradescope run, end to end: the package installed non-editably (`pip install .`) in a
fresh venv builds an offline bundle (carrying a course bank from outside the package); a folder
laid out like /autograder runs its setup.sh with no package index, then run_autograder on a good,
a broken and an empty submission. Each must leave a results.json that follows Gradescope's
documented format (gradescope-autograders.readthedocs.io, "Autograder Specifications")."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from gradescope_sim import (
    autograder_root,
    build_bundle,
    course_folder,
    instructor_install,
    python_version,
    right_answers,
    run,
    setup,
    target_python,
    upload,
)
from mcalc_tutor.grading.assignment import load_assignment
from mcalc_tutor.grading.seeds import student_seed
from mcalc_tutor.grading.template import answer_key

ROOT = Path(__file__).resolve().parent.parent
SECRET = "gradescope-test-secret\n"
ASSIGNMENT = """\
id = "hw-gs"
title = "Gradescope homework"
feedback = "diagnostics"
visibility = "after_due_date"
stdout_visibility = "hidden"

[[exercises]]
id = "hess-random-quadratic"
parts = ["a", "b"]

[[exercises]]
id = "grad-quadratic-form"
parts = ["b"]
points = 2

[[exercises]]
id = "code-gradient-check"
"""

# Gradescope's results.json: top-level and per-test keys, and the allowed values
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
             "tags", "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


BANK = ROOT / "examples" / "course" / "bank"
"""A course bank outside the package: the simulated run's assignment uses one of its exercises."""
WITH_BANK = ASSIGNMENT + '\n[[exercises]]\nid = "ridge-gradient"\n'


def check_results_schema(data: dict) -> None:
    assert isinstance(data, dict) and set(data) <= TOP_KEYS, set(data) - TOP_KEYS
    assert isinstance(data["score"], (int, float)) and isinstance(data.get("output", ""), str)
    for key in ("visibility", "stdout_visibility"):
        assert data.get(key, "visible") in VISIBILITY
    assert isinstance(data.get("execution_time", 0), (int, float))
    for test in data.get("tests", []):
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert test.get("status", "passed") in ("passed", "failed")
        assert test.get("visibility", "visible") in VISIBILITY
        assert isinstance(test["name"], str) and isinstance(test.get("output", ""), str)
        assert isinstance(test.get("number", ""), str)


@pytest.mark.slow  # about a minute per Python; CI runs it (pytest -q runs every test)
@pytest.mark.parametrize("which", ["3.10", "newest"])
def test_simulated_gradescope_run(tmp_path, which):
    """On Gradescope's default Python (3.10) and on the newest one on this machine (issue 13)."""
    target, why = target_python(which)
    if target is None:
        print(f"skipped: {why}")
        pytest.skip(why)
    version = python_version(target)
    # 1. a non-editable install in a fresh venv (its dependencies borrowed from this environment)
    py = instructor_install(tmp_path)
    course = course_folder(tmp_path, WITH_BANK, SECRET)
    bundle = tmp_path / "autograder.zip"
    build_bundle(py, bundle, course / "assignment.toml", course / "secret", version, "--bank", str(BANK))
    # (that the same inputs give the same bytes: test_bundle_is_reproducible)
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        assert {"setup.sh", "run_autograder", "assignment.toml", "assignment.key"} <= set(names)
        assert "banks/01-bank/exercises/least-squares/ridge-gradient.toml" in names  # the bank travels along
        assert any(n.startswith("wheelhouse/numpy-") for n in names)
        assert SECRET.strip() not in b"".join(zf.read(n) for n in names if not n.endswith(".whl")).decode()
    # 2. /autograder laid out as Gradescope does
    ag = tmp_path / "autograder"
    env = autograder_root(bundle, ag, target)
    setup(ag, env)
    installed = run([str(ag / "venv" / "bin" / "python"), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
    assert installed.stdout.strip() == version  # the wheel installed on the target Python

    good, max_score = right_answers(course / "assignment.toml", SECRET, "s1", (BANK,))
    reference = (ROOT / "solutions" / "gradients" / "gradient_check.py").read_text()
    cases = {
        "good": {"submission.toml": good, "gradient_check.py": reference},
        "broken": {"submission.toml": '[answers.grad-quadratic-form]\nb = "(A + A^T) x\n'},
        "empty": {},
        "pdf": {"homework.pdf": "%PDF-1.4 not really"},
    }
    seen = {}
    for case, files in cases.items():
        seen[case] = upload(ag, env, files)
        check_results_schema(seen[case])
    assert seen["good"]["score"] == max_score == 10, seen["good"]  # 3 of them from the bank
    assert any(t["name"].startswith("ridge-gradient") and t["score"] == 2 for t in seen["good"]["tests"])
    assert seen["good"]["visibility"] == "after_due_date" and seen["good"]["stdout_visibility"] == "hidden"
    assert {t["visibility"] for t in seen["good"]["tests"]} == {"after_due_date"}
    assert seen["broken"]["score"] == 0 and "line 2" in seen["broken"]["output"]
    assert seen["empty"]["score"] == 0 and "empty" in seen["empty"]["output"]
    assert seen["pdf"]["score"] == 0 and "homework.pdf" in seen["pdf"]["output"]
    for case in ("broken", "empty", "pdf"):
        assert sum(t["max_score"] for t in seen[case]["tests"]) == 10  # the same maximum for every student


# --- the same code in-process: every kind of upload leaves a results.json -----------------------

def _root(tmp_path, metadata: dict | None) -> Path:
    from mcalc_tutor.grading.seeds import assignment_key

    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    math_only = ASSIGNMENT.replace('[[exercises]]\nid = "code-gradient-check"\n', "")
    (root / "source" / "assignment.toml").write_text(math_only)
    (root / "source" / "assignment.key").write_text(assignment_key(SECRET.strip().encode(), "hw-gs").hex())
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def _upload(root: Path, files: dict[str, str]) -> dict:
    from mcalc_tutor.grading.bundle import autograde

    shutil.rmtree(root / "submission", ignore_errors=True)
    (root / "submission").mkdir()
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text)
    autograde(root)
    data = json.loads((root / "results" / "results.json").read_text())
    check_results_schema(data)
    return data


def test_every_upload_gets_results(tmp_path):
    root = _root(tmp_path, {"users": [{"email": "ada@uni.edu", "sid": "", "name": "Ada"}]})
    assignment = load_assignment(root / "source" / "assignment.toml")
    seed = student_seed(SECRET.strip().encode(), "hw-gs", "ada@uni.edu")  # no sid: the email is the id
    answers = answer_key(assignment, seed)["parts"]
    good = "[answers.hess-random-quadratic]\n" + "".join(
        f'{p["part"]} = {json.dumps(p["answer"])}\n' for p in answers if p["exercise"] == "hess-random-quadratic")
    good += '[answers.grad-quadratic-form]\nb = "(A + A^T) x"\n'
    assert _upload(root, {"folder/mine.toml": good})["score"] == 4  # one TOML anywhere in the upload
    two = _upload(root, {"a.toml": good, "b.toml": good})
    assert two["score"] == 0 and "several TOML files" in two["output"]
    assert sum(t["max_score"] for t in two["tests"]) == 4 and all(t["status"] == "failed" for t in two["tests"])
    binary = _upload(root, {"submission.toml": "\x00\x01 not text"})
    assert binary["score"] == 0 and binary["output"]


def test_missing_identity_or_a_broken_bundle_still_gives_results(tmp_path):
    root = _root(tmp_path, None)
    data = _upload(root, {"submission.toml": '[answers.grad-quadratic-form]\nb = "(A + A^T) x"\n'})
    assert data["score"] == 0 and "no student id" in data["output"]
    (root / "source" / "assignment.key").unlink()
    data = _upload(root, {"submission.toml": ""})
    assert data["score"] == 0 and "misconfigured" in data["output"] and data["tests"] == []


def test_bundle_is_reproducible_and_carries_no_secret(tmp_path):
    from mcalc_tutor._toml import tomllib
    from mcalc_tutor.content.loader import load_bank
    from mcalc_tutor.grading.assignment import parse_assignment
    from mcalc_tutor.grading.bundle import write_assignment_bundle
    from mcalc_tutor.grading.seeds import assignment_key

    assignment = parse_assignment(tomllib.loads(ASSIGNMENT), "a.toml", load_bank())
    key = assignment_key(SECRET.strip().encode(), assignment.id)
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    write_assignment_bundle(one, ASSIGNMENT, assignment, key)
    write_assignment_bundle(two, ASSIGNMENT, assignment, key)
    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as zf:
        wheel = next(n for n in zf.namelist() if n.startswith("wheels/mcalc_tutor-"))
        assert zf.read("assignment.key").decode().strip() == key.hex()
        zf.extract(wheel, tmp_path)
    with zipfile.ZipFile(tmp_path / wheel) as whl:
        names = whl.namelist()
        assert "mcalc_tutor/_content/exercises/gradients/grad-quadratic-form.toml" in names
        assert "mcalc_tutor/grading/challenges/harness/driver.py" in names
        assert not any("__pycache__" in n for n in names)
        meta = next(n for n in names if n.endswith("METADATA"))
        assert "Requires-Dist: numpy" in whl.read(meta).decode()
        record = whl.read(next(n for n in names if n.endswith("RECORD"))).decode()
        assert all(n in record for n in names)
    with pytest.raises(ValueError, match="needs its key"):
        write_assignment_bundle(tmp_path / "x.zip", ASSIGNMENT, assignment, None)
