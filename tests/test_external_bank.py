"""Course banks outside the package (`--bank DIR`, MCALC_TUTOR_BANK): an instructor's folder with
an expression exercise (in a section of its own) and a choice exercise (in a package section),
through list, show, check, validate, grade (also in worker processes), key, the class report, the
Gradescope bundle and the app's map; a clashing id or a missing folder is a clear usage error."""
from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from mcalc_tutor.cli import main
from mcalc_tutor.content.banks import use_banks

EXAMPLE_BANK = Path(__file__).resolve().parent.parent / "examples" / "course" / "bank"
GRADIENT = "2 A^T (A x - b) + 2 λ x"
DIFFERENTIAL = "2 (A x - b)^T A dx + 2 λ x^T dx"


def _shown(declared: str) -> str:
    """The letter the example bank's choice option `declared` has on screen: options are shuffled
    per variant, and an exercise without parameters has the same order for every seed."""
    from mcalc_tutor.content.loader import bank_sources, load_exercise
    from mcalc_tutor.content.variants import make_variant

    path = EXAMPLE_BANK / "exercises" / "gradients" / "ridge-unique-minimizer.toml"
    exercise, problems = load_exercise(path, bank_sources(EXAMPLE_BANK)[0], course_bank=True)
    assert exercise is not None and not problems, problems
    return make_variant(exercise, 0).shown_answer("a", declared)


RIGHT, WRONG_OPTION = _shown("b"), _shown("a")
GOOD = f'[meta]\nstudent = "s1"\n[answers.ridge-gradient]\na = "{DIFFERENTIAL}"\nb = "{GRADIENT}"\n' \
       f'[answers.ridge-unique-minimizer]\na = "{RIGHT}"\n'
WRONG = '[meta]\nstudent = "s2"\n[answers.ridge-gradient]\na = "2 (A x - b)^T A dx"\nb = "2 A^T (A x - b)"\n' \
        f'[answers.ridge-unique-minimizer]\na = "{WRONG_OPTION}"\n'
ASSIGNMENT = """\
id = "hw-ridge"
title = "Ridge regression"
[seed]
policy = "fixed"
value = 0
[[exercises]]
id = "ridge-gradient"
[[exercises]]
id = "grad-quadratic-form"
parts = ["b"]
[[exercises]]
id = "ridge-unique-minimizer"
"""


@pytest.fixture(autouse=True)
def _no_banks_after(monkeypatch):
    """Every CLI call sets this process's banks; leave none behind for the other tests."""
    monkeypatch.delenv("MCALC_TUTOR_BANK", raising=False)
    yield
    use_banks(())


@pytest.fixture
def bank(tmp_path) -> Path:
    """A course bank in a temporary folder: the example bank's two exercises, solutions, sources."""
    folder = tmp_path / "course-bank"
    shutil.copytree(EXAMPLE_BANK, folder)
    return folder


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_the_bank_after_the_package_and_in_its_sections(bank, capsys):
    code, out, err = cli(capsys, "list", "--bank", bank)
    assert code == 0 and not err
    lines = out.splitlines()
    # the bank's own section comes last, titled after its folder; its choice exercise joins Gradients
    assert lines[-2] == "Least squares" and "ridge-gradient" in lines[-1]
    gradients = lines.index("Gradients and directional derivatives")
    assert any("ridge-unique-minimizer" in line for line in lines[gradients:lines.index("Jacobians")])
    code, out, _ = cli(capsys, "list", "--json", "--section", "least-squares", "--bank", bank)
    listed = json.loads(out)
    assert code == 0 and [e["id"] for e in listed] == ["ridge-gradient"]
    assert listed[0]["source"] == "course:lecture-4" and [p["kind"] for p in listed[0]["parts"]] == ["expression",
                                                                                                     "vector"]
    code, out, _ = cli(capsys, "list", "--json")  # without --bank, the package's bank alone
    ids = {e["id"] for e in json.loads(out)}
    assert code == 0 and not ids & {"ridge-gradient", "ridge-unique-minimizer"} and "grad-quadratic-form" in ids


def test_show_and_check_a_bank_exercise(bank, capsys):
    code, out, _ = cli(capsys, "show", "ridge-gradient", "--bank", bank)
    assert code == 0 and "Ridge regression fits x" in out and "Least squares" in out
    assert cli(capsys, "check", "ridge-gradient:b", GRADIENT, "--bank", bank)[0] == 0
    code, out, _ = cli(capsys, "--bank", bank, "check", "ridge-gradient:b", "2 A^T (A x - b)", "--json")
    assert code == 1 and "penalty" in json.loads(out)["message"]
    assert cli(capsys, "check", "ridge-unique-minimizer", RIGHT, "--bank", bank)[0] == 0
    assert cli(capsys, "check", "ridge-unique-minimizer", "-b", "--bank", bank)[0] == 2  # not a letter
    code, _, err = cli(capsys, "check", "ridge-gradient:b", GRADIENT)
    assert code == 2 and "unknown exercise 'ridge-gradient'" in err


def test_a_bank_exercise_shows_its_own_worked_solution(bank):
    from mcalc_tutor.app.course import Course
    from mcalc_tutor.content.loader import load_bank
    from mcalc_tutor.content.solutions import solution_answers
    from mcalc_tutor.content.variants import make_variant

    variant = make_variant(load_bank(banks=[bank]).get("ridge-gradient"), 0)
    assert solution_answers(variant) == {"a": DIFFERENTIAL, "b": GRADIENT}
    text = Course(banks=[bank]).solution_text(variant)
    assert text is not None and "d‖u‖² = 2uᵀdu" in text


def test_validate_deep_checks_the_bank_and_only_the_bank(bank, capsys):
    code, out, _ = cli(capsys, "validate", "--bank", bank, "--deep")
    assert code == 0 and out.strip() == "2 exercises, 3 parts, 0 problems"
    assert cli(capsys, "validate", bank) == (0, out, "")  # a bank's folder as the path: the same
    toml = bank / "exercises" / "least-squares" / "ridge-gradient.toml"
    toml.write_text(toml.read_text().replace(f'answer = "{GRADIENT}"', 'answer = "2 A^T (A x - b) + λ x"'))
    code, out, _ = cli(capsys, "validate", "--bank", bank)  # shallow: the wrong gradient still parses
    assert code == 0
    code, out, _ = cli(capsys, "validate", "--bank", bank, "--deep")
    assert code == 1 and "ridge-gradient: parts.b" in out and "finite differences" in out
    choice = bank / "exercises" / "gradients" / "ridge-unique-minimizer.toml"
    choice.write_text(choice.read_text().replace('source = "course:lecture-4"', 'source = "course:lecture-9"'))
    code, out, _ = cli(capsys, "validate", str(choice), "--bank", bank)
    assert code == 1 and "unknown chapter item 'course:lecture-9' (add it to the bank's sources.toml)" in out


def test_a_bank_may_cite_only_known_sources_and_name_sections_plainly(bank, capsys):
    toml = bank / "exercises" / "least-squares" / "ridge-gradient.toml"
    (bank / "exercises" / "Least Squares").mkdir()
    toml.rename(bank / "exercises" / "Least Squares" / "ridge-gradient.toml")
    text = (bank / "exercises" / "Least Squares" / "ridge-gradient.toml").read_text()
    (bank / "exercises" / "Least Squares" / "ridge-gradient.toml").write_text(
        text.replace('section = "least-squares"', 'section = "Least Squares"'))
    (bank / "sources.toml").write_text('"course:lecture-4" = 4\n')
    code, out, _ = cli(capsys, "validate", "--bank", bank)
    assert code == 1
    assert "sources.toml: sources: give each source as key = \"description\"" in out
    assert "section: name a section with lowercase letters, digits and hyphens" in out


def test_grade_a_class_with_the_bank_also_in_worker_processes(bank, tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.toml").write_text(GOOD)
    (subs / "s2.toml").write_text(WRONG)
    ids = ["--exercises", "ridge-gradient", "ridge-unique-minimizer"]
    code, one, _ = cli(capsys, "grade", subs, "--format", "json", "--bank", bank, *ids)
    assert code == 0
    results = json.loads(one)
    scores = {r["submission"].split("/")[-1]: (r["score"], r["max_score"]) for r in results}
    assert scores == {"s1.toml": (4, 4), "s2.toml": (0, 4)}
    code, two, _ = cli(capsys, "grade", subs, "--format", "json", "--jobs", "2", "--bank", bank, *ids)
    assert code == 0 and two == one  # the workers load the same banks
    (tmp_path / "a.toml").write_text(ASSIGNMENT)
    code, report, _ = cli(capsys, "grade", subs, "--assignment", tmp_path / "a.toml", "--format", "report",
                          "--bank", bank)
    assert code == 0 and "ridge-unique-minimizer:a" in report and "A need not be square" in report
    code, _, err = cli(capsys, "grade", subs, *ids)
    assert code == 2 and "unknown exercise id(s): ridge-gradient, ridge-unique-minimizer" in err
    assert "for a course bank's exercise, give --bank DIR" in err


def test_spawned_workers_are_handed_the_banks(bank, tmp_path, monkeypatch):
    """A spawned worker shares no globals with the parent: the banks must travel as arguments."""
    import concurrent.futures
    import multiprocessing
    from functools import partial

    from mcalc_tutor.grading.batch import grade_many

    spawn = partial(concurrent.futures.ProcessPoolExecutor, mp_context=multiprocessing.get_context("spawn"))
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", spawn)
    paths = []
    for name, text in (("s1", GOOD), ("s2", WRONG)):
        paths.append(tmp_path / f"{name}.toml")
        paths[-1].write_text(text)
    use_banks([bank.resolve()])
    results = grade_many(paths, ["ridge-gradient", "ridge-unique-minimizer"], jobs=2)
    assert [(r.score, r.max_score) for r in results] == [(4, 4), (0, 4)]


def test_key_writes_the_bank_exercises_answers(bank, tmp_path, capsys):
    (tmp_path / "a.toml").write_text(ASSIGNMENT)
    code, out, _ = cli(capsys, "key", "--assignment", tmp_path / "a.toml", "--json", "--bank", bank)
    answers = {(p["exercise"], p["part"]): p["answer"] for p in json.loads(out)["parts"]}
    assert code == 0 and answers[("ridge-gradient", "b")] == GRADIENT
    assert answers[("ridge-gradient", "a")] == DIFFERENTIAL and answers[("ridge-unique-minimizer", "a")] == RIGHT
    code, _, err = cli(capsys, "key", "--assignment", tmp_path / "a.toml", "--json")
    assert code == 2 and "unknown exercise 'ridge-gradient'" in err


def test_the_environment_variable_works_like_bank(bank, tmp_path, capsys, monkeypatch):
    other = tmp_path / "second"  # a second bank: the choice exercise moves there
    (other / "exercises" / "gradients").mkdir(parents=True)
    moved = bank / "exercises" / "gradients" / "ridge-unique-minimizer.toml"
    moved.rename(other / "exercises" / "gradients" / moved.name)
    shutil.copy(bank / "sources.toml", other / "sources.toml")
    monkeypatch.setenv("MCALC_TUTOR_BANK", os.pathsep.join([str(bank), "", str(other)]))
    code, out, _ = cli(capsys, "list", "--json")
    ids = [e["id"] for e in json.loads(out)]
    assert code == 0 and "ridge-gradient" in ids and "ridge-unique-minimizer" in ids
    assert cli(capsys, "check", "ridge-unique-minimizer", RIGHT)[0] == 0
    code, out, _ = cli(capsys, "list", "--json", "--bank", bank)  # the same folder twice counts once
    assert code == 0 and [e["id"] for e in json.loads(out)] == ids
    monkeypatch.setenv("MCALC_TUTOR_BANK", str(tmp_path / "nowhere"))
    code, _, err = cli(capsys, "list")
    assert code == 2 and err.strip() == f"mcalc-tutor: error: bank folder not found: {tmp_path / 'nowhere'}"


def test_a_clashing_id_or_a_missing_folder_is_a_usage_error(bank, tmp_path, capsys):
    clash = bank / "exercises" / "gradients" / "grad-quadratic-form.toml"
    shutil.copy(bank / "exercises" / "gradients" / "ridge-unique-minimizer.toml", clash)
    for argv in (["list"], ["check", "grad-quadratic-form:b", "(A + A^T) x"], ["validate"], []):
        code, out, err = cli(capsys, *argv, "--bank", bank)
        assert code == 2 and not out, argv
        assert err.startswith("mcalc-tutor: error: exercise id 'grad-quadratic-form' is in two banks: ")
        assert "exercises/gradients/grad-quadratic-form.toml and " in err and str(clash) in err
    clash.unlink()
    second = tmp_path / "second"
    shutil.copytree(bank, second)
    code, _, err = cli(capsys, "list", "--bank", bank, "--bank", second)
    assert code == 2 and "' is in two banks: " in err and str(bank) in err and str(second) in err
    code, _, err = cli(capsys, "list", "--bank", tmp_path / "missing")
    assert code == 2 and err == f"mcalc-tutor: error: bank folder not found: {tmp_path / 'missing'}\n"
    (tmp_path / "not-a-bank").mkdir()
    code, _, err = cli(capsys, "grade", "x.toml", "--bank", tmp_path / "not-a-bank")
    assert code == 2 and "not-a-bank is not a bank: it has no exercises/ folder" in err and "Traceback" not in err


def test_the_bundle_carries_the_bank_and_grades_with_it(bank, tmp_path, capsys):
    from mcalc_tutor.grading.bundle import autograde

    (tmp_path / "a.toml").write_text(ASSIGNMENT)
    out = tmp_path / "autograder.zip"
    code, _, err = cli(capsys, "grade", "--gradescope-bundle", out, "--assignment", tmp_path / "a.toml",
                       "--bank", bank)
    assert code == 0, err
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert "banks/01-course-bank/exercises/least-squares/ridge-gradient.toml" in names
        assert "banks/01-course-bank/solutions/gradients/ridge-unique-minimizer.md" in names
        assert "banks/01-course-bank/sources.toml" in names
        zf.extractall(tmp_path / "autograder" / "source")
    use_banks(())  # the autograder starts in a fresh process: only what the bundle carries
    root = tmp_path / "autograder"
    (root / "submission").mkdir()
    (root / "submission" / "submission.toml").write_text(GOOD + '[answers.grad-quadratic-form]\nb = "(A + A^T) x"\n')
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": "s1", "email": "a@b.c"}]}))
    data = autograde(root)
    assert data["score"] == 6, data  # 3 bank points + 2 for grad-quadratic-form:b + 1
    names = " ".join(t["name"] for t in data["tests"])
    assert "ridge-gradient" in names and "ridge-unique-minimizer" in names


def test_the_bundle_is_reproducible_with_a_bank(bank, tmp_path):
    from mcalc_tutor._toml import tomllib
    from mcalc_tutor.content.loader import load_bank
    from mcalc_tutor.grading.assignment import parse_assignment
    from mcalc_tutor.grading.bundle import write_assignment_bundle

    assignment = parse_assignment(tomllib.loads(ASSIGNMENT), "a.toml", load_bank(banks=[bank]))
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    write_assignment_bundle(one, ASSIGNMENT, assignment, banks=[bank])
    (bank / "exercises" / "__pycache__").mkdir()
    (bank / "exercises" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (bank / "solutions" / ".notes.swp").write_text("editor leftovers")
    write_assignment_bundle(two, ASSIGNMENT, assignment, banks=[bank])
    assert one.read_bytes() == two.read_bytes()  # caches and hidden files stay out


def test_the_app_with_bank_shows_the_exercise_on_the_map(bank, tmp_path, monkeypatch):
    """`mcalc-tutor --bank DIR`: the option reaches the app, whose map lists the bank's exercises,
    its own section after the package's under a title made from the folder name."""
    import asyncio

    import mcalc_tutor.app.main
    from app_helpers import SIZE, open_exercise, settle
    from mcalc_tutor.app.app import TutorApp

    seen: dict = {}

    def run_app(data_dir=None) -> int:
        monkeypatch.delenv("TEXTUAL_DRIVER")

        async def go():
            app = TutorApp(tmp_path / "data", warm=False)  # its Course takes this process's banks
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                chapter = app.screen.query_one("#chapter")
                seen["ids"] = [row.id for row in chapter.rows]
                seen["rows"] = [chapter.row_text(i) for i in range(len(chapter.rows))]
                screen = await open_exercise(pilot, "ridge-gradient")
                seen["heading"] = str(screen.query_one("#exercise-heading").render())
                seen["parts"] = [view.id for view in screen.query("PartView")]
                seen["path"] = screen.variant.exercise.path
        asyncio.run(go())
        return 0

    monkeypatch.setattr(mcalc_tutor.app.main, "run_app", run_app)
    monkeypatch.setenv("TEXTUAL_DRIVER", "pilot")  # what `serve` sets: no terminal check
    assert main(["--bank", str(bank)]) == 0
    ids = seen["ids"]
    assert ids[-2:] == ["section:least-squares", "ridge-gradient"]
    assert seen["rows"][-2].startswith("Least squares")
    assert ids.index("section:gradients") < ids.index("ridge-unique-minimizer") < ids.index("section:jacobians")
    assert seen["heading"].startswith("Least squares") and seen["parts"] == ["part-a", "part-b"]
    assert seen["path"] == bank.resolve() / "exercises" / "least-squares" / "ridge-gradient.toml"


def test_the_authoring_walk_through_in_exercises_readme_is_true(tmp_path, capsys):
    """exercises/README.md's course-bank section: its sources, exercise and solution, written to
    a folder of their own, validate deeply and check as the walk-through shows."""
    import re

    from mcalc_tutor.content.loader import load_bank
    from mcalc_tutor.content.solutions import solution_answers
    from mcalc_tutor.content.variants import make_variant

    readme = (EXAMPLE_BANK.parent.parent.parent / "exercises" / "README.md").read_text(encoding="utf-8")
    walk = readme[readme.index("## Your own course bank"):]
    sources, exercise, solution = (text for _, text in re.findall(r"```(toml|markdown)\n(.*?)```", walk, re.S))
    folder = tmp_path / "my-course"
    for rel, text in (("sources.toml", sources), ("exercises/least-squares/ridge-gradient.toml", exercise),
                      ("solutions/least-squares/ridge-gradient.md", solution)):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    code, out, _ = cli(capsys, "validate", "--bank", folder, "--deep")
    assert code == 0 and out.strip() in walk
    code, out, _ = cli(capsys, "check", "ridge-gradient:b", "2 A^T (A x - b) + 2 λ x", "--bank", folder)
    assert code == 0 and out.splitlines()[0] in walk
    code, out, _ = cli(capsys, "check", "ridge-gradient:b", "2 A^T (A x - b)", "--bank", folder)
    assert code == 1 and out.splitlines()[0] in walk
    variant = make_variant(load_bank(banks=[folder]).get("ridge-gradient"), 0)
    assert solution_answers(variant) == {"b": "2 A^T (A x - b) + 2 λ x"}
