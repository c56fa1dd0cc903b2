"""Running a course: assignment files, rosters, per-student seeds, templates and answer keys,
gradebooks an LMS takes (with a separate problems report), and the class report's re-teach list."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from mcalc_tutor.grading.assignment import AssignmentError, load_assignment
from mcalc_tutor.grading.gradebook import build_gradebook, canvas_csv, gradebook_csv, problems_csv
from mcalc_tutor.grading.grader import (
    MISSING,
    PartResult,
    SubmissionResult,
    for_students,
    grade_assigned,
    grade_path,
    max_score_warning,
)
from mcalc_tutor.grading.reports import gradescope_results, reteach_data, reteach_text
from mcalc_tutor.grading.roster import RosterError, parse_roster, read_roster
from mcalc_tutor.grading.seeds import SecretError, assignment_key, read_secret, secret_warnings, student_seed
from mcalc_tutor.grading.template import answer_key, student_template

SECRET = b"course-secret-for-tests"

ASSIGNMENT = """\
id = "hw1"
title = "Homework 1"
feedback = "diagnostics"
visibility = "after_due_date"

[[exercises]]
id = "hess-random-quadratic"
parts = ["a", "b"]
points = 4

[[exercises]]
id = "grad-quadratic-form"
points = { b = 3, a = 1 }
"""

ROSTER = ("\ufeffid, name ,email,section,notes\n\ns1,Ada Lovelace,ada@uni.edu,A,x\n"
          " s2 ,\"Turing, Alan\",alan@uni.edu,B,\n\n")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def hw1(tmp_path):
    return load_assignment(_write(tmp_path / "assignment.toml", ASSIGNMENT))


def _filled(template: str, key: dict, skip: set[tuple[str, str]] = frozenset()) -> str:
    """A template with each blank filled from the answer key (except the parts in `skip`)."""
    answers = {(p["exercise"], p["part"]): p["answer"] for p in key["parts"]}
    lines, current = [], None
    for line in template.splitlines():
        if line.startswith("[answers."):
            current = line[len("[answers."):-1]
        name = line.split("=")[0].strip()
        if current and line.endswith('= ""') and (current, name) not in skip:
            line = f"{name} = {json.dumps(answers[(current, name)])}"
        lines.append(line)
    return "\n".join(lines) + "\n"


# --- assignment files -------------------------------------------------------------------------

def test_assignment_order_points_and_policies(hw1):
    assert hw1.columns == [("hess-random-quadratic", "a"), ("hess-random-quadratic", "b"),
                           ("grad-quadratic-form", "b"), ("grad-quadratic-form", "a")]
    random_q = hw1.exercise("hess-random-quadratic")
    assert [p.points for p in random_q.parts] == [2.0, 2.0]  # 4 shared in proportion to the bank's 1:1
    assert hw1.exercise("grad-quadratic-form").part("b").points == 3
    assert hw1.max_score == 8
    assert (hw1.feedback, hw1.visibility, hw1.stdout_visibility, hw1.seed_policy) == \
        ("diagnostics", "after_due_date", "hidden", "student")


def test_assignment_problems_are_all_reported_with_file_and_field(tmp_path):
    path = _write(tmp_path / "bad.toml", """\
id = "hw 2"
feedback = "answers"
visibility = "later"
colour = "red"
[seed]
policy = "fixed"
value = -1
[[exercises]]
id = "no-such-exercise"
[[exercises]]
id = "grad-quadratic-form"
parts = ["a", "zz"]
""")
    with pytest.raises(AssignmentError) as err:
        load_assignment(path)
    problems = err.value.problems
    text = "\n".join(problems)
    assert all(p.startswith(f"{path}:") for p in problems)
    for expected in ("id:", "feedback: must be one of full, diagnostics, score", "visibility:", "colour: unknown key",
                     "seed.value:", "exercises[0].id: unknown exercise 'no-such-exercise'",
                     "exercises[1].parts: grad-quadratic-form has no part 'zz'"):
        assert expected in text, text


def test_assignment_syntax_error_and_missing_file(tmp_path):
    with pytest.raises(AssignmentError, match="line 1"):
        load_assignment(_write(tmp_path / "a.toml", 'id = "x\n'))
    with pytest.raises(AssignmentError, match="no such file"):
        load_assignment(tmp_path / "missing.toml")


# --- rosters and seeds ------------------------------------------------------------------------

def test_roster_tolerates_spreadsheet_habits(tmp_path):
    roster = read_roster(_write(tmp_path / "roster.csv", ROSTER))
    assert [(s.id, s.name, s.email, s.section) for s in roster] == [
        ("s1", "Ada Lovelace", "ada@uni.edu", "A"), ("s2", "Turing, Alan", "alan@uni.edu", "B")]
    assert roster.find("S2") is None and roster.find("ALAN@uni.edu").id == "s2"


def test_roster_errors_name_the_line():
    with pytest.raises(RosterError, match=r"roster.csv:4: duplicate id 's1' \(first on line 2\)"):
        parse_roster("id,name\ns1,A\ns2,B\ns1,C\n")
    with pytest.raises(RosterError, match="needs an 'id' column"):
        parse_roster("name,email\nA,a@x\n")


def test_seeds_are_stable_and_cannot_be_chosen(tmp_path):
    seed = student_seed(SECRET, "hw1", "s1")
    assert seed == student_seed(SECRET, "hw1", " s1 ") and 0 <= seed < 2**63
    # the derivation is part of a running course: changing it would change every student's variant
    assert seed == 3385569776489455124
    others = {student_seed(SECRET, "hw1", "s2"), student_seed(SECRET, "hw2", "s1"), student_seed(b"other", "hw1", "s1")}
    assert seed not in others and len(others) == 3


def test_secret_file_checks(tmp_path):
    with pytest.raises(SecretError, match="empty"):
        read_secret(_write(tmp_path / "empty", "  \n"))
    with pytest.raises(SecretError, match="cannot read"):
        read_secret(tmp_path / "missing")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    inside = _write(tmp_path / "repo" / "conf" / "secret", "abc\n")
    inside.chmod(0o600)
    assert read_secret(inside) == b"abc"
    assert any("git checkout" in w for w in secret_warnings(inside))
    outside = _write(tmp_path / "elsewhere" / "secret", "abc")
    outside.chmod(0o600)
    assert secret_warnings(outside) == []


# --- grading against an assignment --------------------------------------------------------------

def test_template_and_key_round_trip_per_student(tmp_path, hw1):
    key = assignment_key(SECRET, hw1.id)
    seeds = {}
    for student in ("s1", "s2"):
        seed = hw1.seed_for(student, key)
        seeds[student] = seed
        template = student_template(hw1, seed, student)
        assert f'student = "{student}"' in template and f"seed = {seed}" in template
        assert "missing quote" in template  # the template says how to avoid a TOML syntax error
        path = _write(tmp_path / student / "submission.toml", _filled(template, answer_key(hw1, seed, student)))
        result = grade_assigned(path, hw1, key)
        assert result.score == result.max_score == 8, [(p.part, p.status, p.feedback) for p in result.parts]
        assert result.warnings == []
    variants = {json.dumps(answer_key(hw1, s)["values"], sort_keys=True) for s in seeds.values()}
    assert len(variants) == 2  # the two students got different random quadratics


def test_a_chosen_seed_is_ignored_and_flagged(tmp_path, hw1):
    key = assignment_key(SECRET, hw1.id)
    mine = hw1.seed_for("s1", key)
    other = mine + 1
    # s1 copies the template and answers of seed `other` (say, a friend's variant)
    text = _filled(student_template(hw1, other, "s1"), answer_key(hw1, other))
    result = grade_assigned(_write(tmp_path / "s1.toml", text), hw1, key)
    assert result.seed == mine
    assert result.warnings and f"seed = {other} ignored" in result.warnings[0]
    random_parts = [p for p in result.parts if p.exercise == "hess-random-quadratic"]
    assert all(p.status != "correct" for p in random_parts)


def test_blanks_are_missing_and_a_syntax_error_costs_the_submission_with_line_and_column(tmp_path, hw1):
    key = assignment_key(SECRET, hw1.id)
    blank = grade_assigned(_write(tmp_path / "blank.toml", student_template(hw1, 0, "s1")), hw1, key)
    assert {p.status for p in blank.parts} == {MISSING} and len(blank.parts) == 4
    broken = _write(tmp_path / "broken.toml",
                    '[meta]\nstudent = "s1"\n[answers.grad-quadratic-form]\nb = "(A + A^T) x\n')
    result = grade_assigned(broken, hw1, key)
    assert result.score == 0 and result.max_score == 8
    assert "line 4" in result.error and "column" in result.error
    assert all(p.status == "invalid" for p in result.parts)
    # the bank's parts outside the assignment were not written: they are no "extra answers" to report
    assert [(p.exercise, p.part) for p in result.parts] == [(e.id, q.name) for e in hw1.exercises for q in e.parts]
    book = build_gradebook([result], hw1, parse_roster(ROSTER), base=tmp_path)
    assert "not part of this assignment" not in problems_csv(book), problems_csv(book)


def test_unexpected_answers_never_become_columns(tmp_path, hw1):
    key = assignment_key(SECRET, hw1.id)
    seed = hw1.seed_for("s1", key)
    good = _filled(student_template(hw1, seed, "s1"), answer_key(hw1, seed))
    extra = good + '\n[answers.no-such-exercise]\na = "1"\n[answers.grad-warmup-quadratic]\na = "1"\n'
    extra = extra.replace('[answers.grad-quadratic-form]', '[answers.grad-quadratic-form]\nzz = "1"\nc = "4"')
    paths = [_write(tmp_path / "class" / "s1" / "submission.toml", extra),
             _write(tmp_path / "class" / "s2" / "submission.toml", '[meta]\nstudent = "s2"\n'),
             _write(tmp_path / "class" / "t1-again" / "submission.toml", good),
             _write(tmp_path / "class" / "s9" / "submission.toml", '[meta]\nstudent = "s9"\n')]
    results = [grade_assigned(p, hw1, key) for p in paths]
    roster = parse_roster(ROSTER)
    book = build_gradebook(results, hw1, roster, base=tmp_path / "class")
    rows = list(csv.reader(io.StringIO(gradebook_csv(book))))
    assert rows[0] == ["id", "name", "email", "section", "submission", "hess-random-quadratic:a",
                       "hess-random-quadratic:b", "grad-quadratic-form:b", "grad-quadratic-form:a", "total"]
    assert rows[1][:5] == ["s1", "Ada Lovelace", "ada@uni.edu", "A", "s1/submission.toml"] and rows[1][-1] == "8"
    assert rows[2][:5] == ["s2", "Turing, Alan", "alan@uni.edu", "B", "s2/submission.toml"] and rows[2][-1] == "0"
    assert len(rows) == 3
    problems = problems_csv(book)
    for expected in ("no-such-exercise:*", "grad-warmup-quadratic:*", "grad-quadratic-form:zz",
                     "grad-quadratic-form:c", "a second submission", "s9", "not on the roster"):
        assert expected in problems, problems
    canvas = list(csv.reader(io.StringIO(canvas_csv(book))))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 1"]
    assert canvas[1] == ["    Points Possible", "", "", "", "", "8"]
    assert canvas[2] == ["Ada Lovelace", "", "s1", "ada@uni.edu", "A", "8"]
    assert canvas[3] == ["Turing, Alan", "", "s2", "alan@uni.edu", "B", "0"]


def test_gradebook_without_roster_and_students_without_submission(tmp_path, hw1):
    key = assignment_key(SECRET, hw1.id)
    result = grade_assigned(_write(tmp_path / "=cmd.toml", '[meta]\nstudent = "=HYPERLINK(1)"\n'), hw1, key)
    rows = list(csv.reader(io.StringIO(gradebook_csv(build_gradebook([result], hw1, base=tmp_path)))))
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][4] == "'=cmd.toml"  # never read as a formula
    roster = parse_roster("id,name\ns1,A\ns3,C\n")
    book = build_gradebook([], hw1, roster)
    assert [r[-1] for r in csv.reader(io.StringIO(gradebook_csv(book)))][1:] == ["", ""]
    assert problems_csv(book).count("no submission") == 2


# --- what students see ------------------------------------------------------------------------

def _wrong_result(hw1, tmp_path) -> SubmissionResult:
    key = assignment_key(SECRET, hw1.id)
    text = '[meta]\nstudent = "s1"\n[answers.grad-quadratic-form]\nb = "2 A x"\n'
    return grade_assigned(_write(tmp_path / "w.toml", text), hw1, key)


def test_feedback_policies(tmp_path, hw1):
    result = _wrong_result(hw1, tmp_path)
    b = next(p for p in result.parts if (p.exercise, p.part) == ("grad-quadratic-form", "b"))
    assert "symmetric" in b.feedback and "A^T" not in b.feedback
    shown = {policy: next(p for p in for_students(result, policy).parts if p.part == "b" and p.exercise == b.exercise)
             for policy in ("full", "diagnostics", "score")}
    assert shown["diagnostics"].feedback == b.feedback
    assert shown["score"].feedback == "" and shown["score"].score == b.score
    assert "Expected: (A + A^T) x" in shown["full"].feedback


def test_gradescope_results_follow_the_assignment(tmp_path, hw1):
    data = json.loads(gradescope_results(_wrong_result(hw1, tmp_path), hw1))
    assert data["visibility"] == "after_due_date" and data["stdout_visibility"] == "hidden"
    assert data["score"] == 0 and sum(t["max_score"] for t in data["tests"]) == 8
    assert len(data["tests"]) == 4 and {t["visibility"] for t in data["tests"]} == {"after_due_date"}
    assert all(t["status"] in ("passed", "failed") for t in data["tests"])


# --- the class report -------------------------------------------------------------------------

def test_reteach_merges_variants_and_ranks_across_the_assignment(tmp_path, hw1):
    from mcalc_tutor.content.loader import load_bank
    from mcalc_tutor.content.variants import make_variant

    key = assignment_key(SECRET, hw1.id)
    ex = load_bank().get("hess-random-quadratic")
    results = []
    for student in ("s1", "s2", "s3", "s4"):
        seed = hw1.seed_for(student, key)
        mistake = make_variant(ex, seed).part("a").mistakes[0].answer  # this variant's form of the mistake
        text = f'[meta]\nstudent = "{student}"\n[answers.hess-random-quadratic]\na = "{mistake}"\n'
        if student in ("s1", "s2"):
            text += '[answers.grad-quadratic-form]\nb = "2 A x"\n'
        results.append(grade_assigned(_write(tmp_path / f"{student}.toml", text), hw1, key))
    data = reteach_data(results, hw1)
    part_a = data["parts"][0]
    assert (part_a["exercise"], part_a["part"]) == ("hess-random-quadratic", "a")
    assert len(part_a["misconceptions"]) == 1 and part_a["misconceptions"][0]["count"] == 4  # one, not four
    assert part_a["misconceptions"][0]["misconception"].startswith("mistake: The mixed term")
    top, second = data["misconceptions"][:2]
    assert top["share"] == 1.0 and top["parts"] == ["hess-random-quadratic:a"]
    assert second["share"] == 0.5 and second["parts"] == ["grad-quadratic-form:b"]
    # "2 A x" is a listed mistake and also trips the generic "symmetric" check: one finding, not two
    part_b = next(p for p in data["parts"] if (p["exercise"], p["part"]) == ("grad-quadratic-form", "b"))
    assert [m["misconception"][:24] for m in part_b["misconceptions"]] == ["mistake: 2Ax is the grad"]
    assert len(data["misconceptions"]) == 2
    text = reteach_text(results, hw1)
    assert "What to re-teach" in text and "100% (4) mistake: The mixed term" in text


def test_reteach_lists_failing_tests_of_code_parts_not_passes():
    def code(student, failing):
        tests = [f"FAIL {name}: wrong" for name in failing] + ["PASS shape: ok"]
        part = PartResult("code-gradient-check", "a", "partial" if failing else "correct", 1.0, 3.0,
                          "\n".join(tests), [f"test:{n}" for n in failing],
                          misconceptions=[f"test: {n}" for n in failing])
        return SubmissionResult(f"{student}.toml", student, 0, [part])

    results = [code("a", ["centered"]), code("b", ["centered", "restores x"]), code("c", [])]
    data = reteach_data(results)
    labels = [m["misconception"] for m in data["parts"][0]["misconceptions"]]
    assert labels == ["test: centered", "test: restores x"]
    assert all("PASS" not in m["misconception"] for m in data["misconceptions"])
    assert data["misconceptions"][0] == {"misconception": "test: centered", "students": 2,
                                         "share": round(2 / 3, 4), "parts": ["code-gradient-check:a"]}


def test_without_an_assignment_differing_maxima_are_warned(tmp_path):
    one = grade_path(_write(tmp_path / "a.toml", '[answers.grad-quadratic-form]\nb = "(A + A^T) x"\n'))
    two = grade_path(_write(tmp_path / "b.toml", '[answers.grad-warmup-quadratic]\na = "1"\n'))
    assert one.max_score != two.max_score
    assert "maximum scores differ between students (3 to 5)" in max_score_warning([one, two])
    assert max_score_warning([one]) is None


# --- the command line: the term's round trip ---------------------------------------------------

def _cli(*args, cwd=None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "mcalc_tutor", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, stdin=subprocess.DEVNULL)


def test_cli_roster_templates_key_gradebooks(tmp_path):
    course = tmp_path / "course"
    _write(course / "assignment.toml", ASSIGNMENT)
    _write(course / "roster.csv", ROSTER)
    secret = _write(tmp_path / "private" / "secret", "s3cr3t\n")
    secret.chmod(0o600)
    common = ["--assignment", str(course / "assignment.toml"), "--secret-file", str(secret)]
    made = _cli("grade", "--template", *common, "--roster", str(course / "roster.csv"),
                "--out-dir", str(tmp_path / "out"))
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["s1", "s2"]
    key = _cli("key", *common, "--student", "s1", "--json")
    assert key.returncode == 0, key.stderr
    key_data = json.loads(key.stdout)
    template = (tmp_path / "out" / "s1" / "submission.toml").read_text()
    assert f"seed = {key_data['seed']}" in template
    _write(tmp_path / "in" / "s1" / "submission.toml", _filled(template, key_data))
    _write(tmp_path / "in" / "s2" / "submission.toml", (tmp_path / "out" / "s2" / "submission.toml").read_text())
    graded = _cli("grade", str(tmp_path / "in"), *common, "--roster", str(course / "roster.csv"), "--format", "csv",
                  "--out", str(tmp_path / "gradebook.csv"))
    assert graded.returncode == 0, graded.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "gradebook.csv").read_text())))
    assert [r[0] for r in rows] == ["id", "s1", "s2"] and [r[-1] for r in rows[1:]] == ["8", "0"]
    assert (tmp_path / "gradebook.problems.csv").read_text().startswith("student,submission,part,problem")
    canvas = _cli("grade", str(tmp_path / "in"), *common, "--roster", str(course / "roster.csv"), "--format", "canvas")
    assert canvas.returncode == 0 and canvas.stdout.splitlines()[1] == "    Points Possible,,,,,8"
    report = _cli("grade", str(tmp_path / "in"), *common, "--format", "report", "--json")
    assert json.loads(report.stdout)["assignment"] == "hw1"
    assert "progress" not in report.stderr and "━" not in report.stderr  # no bar when stderr is not a terminal


def test_cli_course_errors(tmp_path):
    course = tmp_path / "course"
    _write(course / "assignment.toml", ASSIGNMENT)
    bad_file = _write(course / "bad.toml", 'id = "x"\n[[exercises]]\nid = "nope"\n')
    bad = _cli("grade", str(course), "--assignment", str(bad_file))
    assert bad.returncode == 2 and "exercises[0].id: unknown exercise 'nope'" in bad.stderr
    no_secret = _cli("grade", str(course), "--assignment", str(course / "assignment.toml"))
    assert no_secret.returncode == 2 and "--secret-file" in no_secret.stderr
    empty = _cli("key", "--assignment", str(course / "assignment.toml"), "--student", "s1",
                 "--secret-file", str(_write(tmp_path / "empty", "")))
    assert empty.returncode == 2 and "empty" in empty.stderr
    assert _cli("grade", str(course), "--format", "canvas").returncode == 2
    dup = _cli("grade", "--template", "--assignment", str(course / "assignment.toml"), "--seed", "1",
               "--roster", str(_write(course / "r.csv", "id\na\na\n")), "--out-dir", str(tmp_path / "o"))
    assert dup.returncode == 2 and "r.csv:3: duplicate id 'a'" in dup.stderr


def test_bare_command_without_a_terminal_says_so():
    run = _cli()
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().endswith("the app needs a terminal; try `mcalc-tutor --help`")
    assert len(run.stderr.strip().splitlines()) == 1


def test_batch_without_assignment_warns():
    data = Path(__file__).parent / "data" / "submissions"
    run = _cli("grade", str(data), "--format", "csv")
    assert run.returncode == 0 and "maximum scores can differ" in run.stderr


# --- examples/course: the walk-through's commands, as written -----------------------------------

FILL = r'''
import json, subprocess, sys
from pathlib import Path
secret, root = sys.argv[1], Path(sys.argv[2])
key = json.loads(subprocess.run([sys.executable, "-m", "mcalc_tutor", "key", "--assignment",
                                 "examples/course/assignment.toml", "--student", "s1001", "--secret-file", secret,
                                 "--json"], capture_output=True, text=True, check=True).stdout)
answers = {(p["exercise"], p["part"]): p["answer"] for p in key["parts"]}
for student in ("s1001", "s1002"):
    lines, current = [], None
    for line in Path(f"handout/{student}/submission.toml").read_text().splitlines():
        if line.startswith("[answers."):
            current = line[len("[answers."):-1]
        name = line.split("=")[0].strip()
        if student == "s1001" and line.endswith('= ""'):
            line = f"{name} = {json.dumps(answers[(current, name)])}"
        if student == "s1002" and current == "grad-quadratic-form" and name == "b":
            line = 'b = "2 A x"'
        lines.append(line)
    folder = Path("submissions") / student
    folder.mkdir(parents=True)
    (folder / "submission.toml").write_text("\n".join(lines) + "\n")
reference = root / "solutions" / "gradients" / "gradient_check.py"
(Path("submissions/s1001") / "gradient_check.py").write_text(reference.read_text())
Path("submissions/visitor").mkdir()
Path("submissions/visitor/submission.toml").write_text('[meta]\nstudent = "x9"\n')
'''


@pytest.mark.slow  # runs the whole term, with an offline Gradescope bundle; CI runs it
def test_example_course_walk_through(tmp_path):
    import re
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    readme = (root / "examples" / "course" / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    assert len(blocks) == 4 and "--template" in blocks[1] and "--format canvas" in blocks[2]
    shutil.copytree(root / "examples" / "course", tmp_path / "examples" / "course")
    _write(tmp_path / "fill.py", FILL)
    script = ["set -euo pipefail", f'mcalc-tutor() {{ "{sys.executable}" -m mcalc_tutor "$@"; }}',
              blocks[0], blocks[1], f'"{sys.executable}" fill.py "$SECRET" "{root}"', blocks[2], blocks[3]]
    env = {k: v for k, v in __import__("os").environ.items() if k != "MCALC_TUTOR_HOME"}
    env["HOME"] = str(tmp_path / "home")
    run = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.name for p in (tmp_path / "handout").iterdir()) == ["s1001", "s1002", "s1003", "s1004"]
    rows = list(csv.reader(io.StringIO((tmp_path / "gradebook.csv").read_text())))
    assert [r[0] for r in rows] == ["id", "s1001", "s1002", "s1003", "s1004"]
    assert rows[0][5:] == ["grad-quadratic-form:a", "grad-quadratic-form:b", "grad-quadratic-form:d",
                           "hess-random-quadratic:a", "hess-random-quadratic:b", "code-gradient-check:a", "total"]
    assert rows[1][-1] == "13" and rows[1][4] == "s1001/submission.toml"
    assert rows[3][-1] == "" and rows[4][-1] == ""  # no submission: a blank, not a zero
    problems = (tmp_path / "gradebook.problems.csv").read_text()
    assert "x9" in problems and "not on the roster" in problems and problems.count("no submission") == 2
    canvas = (tmp_path / "canvas.csv").read_text().splitlines()
    assert canvas[1] == "    Points Possible,,,,,13" and canvas[2].endswith(",s1001,ada@example.edu,A,13")
    assert "What to re-teach" in run.stdout and "mistake: 2Ax is the gradient only when A is symmetric" in run.stdout
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        assert any(n.startswith("wheelhouse/numpy-") and "cp310" in n for n in zf.namelist())


def test_a_student_who_writes_their_email_gets_their_own_variant(tmp_path, hw1):
    key = assignment_key(SECRET, hw1.id)
    roster = parse_roster(ROSTER)
    seed = hw1.seed_for("s2", key)
    text = _filled(student_template(hw1, seed, "s2"), answer_key(hw1, seed)).replace('"s2"', '"Alan@uni.edu"')
    result = grade_assigned(_write(tmp_path / "x.toml", text), hw1, key, roster=roster)
    assert result.student == "s2" and result.seed == seed and result.score == result.max_score


def test_reteach_counts_code_parts_left_ungraded():
    part = PartResult("code-gradient-check", "a", "ungraded", 0.0, 3.0, "not graded: needs bubblewrap")
    data = reteach_data([SubmissionResult("a.toml", "a", 0, [part])])
    assert data["parts"][0]["share"]["ungraded"] == 1.0 and data["misconceptions"] == []
    assert "not graded (no sandbox)" in reteach_text([SubmissionResult("a.toml", "a", 0, [part])])


def test_a_batch_on_a_terminal_shows_a_progress_bar_with_count_and_time_left():
    """Issue 13, item 7: on a terminal, stderr carries rich's bar (the count and the time left)."""
    import os
    import pty
    import select
    import subprocess
    import sys

    data = Path(__file__).parent / "data" / "submissions"
    total = len(list(data.iterdir()))  # one student folder each
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "mcalc_tutor", "grade", str(data), "--format", "csv"],
                            stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = seen.decode(errors="replace")
    assert "grading" in text and f"/{total}" in text and "━" in text, text[-2000:]
