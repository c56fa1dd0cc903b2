"""A simulated Gradescope machine, shared by tests/test_gradescope.py and
tests/bench/gradescope_bundle.py: a non-editable install in a fresh venv, the bundle it builds, a
folder laid out like /autograder, its setup.sh and its run_autograder."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METADATA = {"id": 1, "users": [{"email": "ada@uni.edu", "id": 7, "name": "Ada", "sid": "s1"}],
            "assignment": {"title": "hw"}}


def pyenv_pythons() -> dict[tuple[int, int], Path]:
    """pyenv's CPython 3.10 and newer on this machine, by (major, minor)."""
    found: dict[tuple[int, int], Path] = {}
    for exe in sorted(Path.home().glob(".pyenv/versions/3.*/bin/python")):
        match = re.fullmatch(r"3\.(\d+)\.\d+", exe.parent.parent.name)
        if match and int(match.group(1)) >= 10:
            found[(3, int(match.group(1)))] = exe
    return found


def target_python(which: str) -> tuple[Path | None, str]:
    """``"3.10"`` (Gradescope's default image) or ``"newest"`` (the newest Python on the machine,
    this one included): (its executable or None, why not)."""
    found = pyenv_pythons()
    if which == "3.10":
        return found.get((3, 10)), "no Python 3.10 under ~/.pyenv/versions"
    found.setdefault(sys.version_info[:2], Path(sys.executable))  # type: ignore[index]
    return found[max(found)], ""


def python_version(python: Path) -> str:
    return run([str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).stdout.strip()


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def run(argv, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, **kw)
    assert proc.returncode == 0, f"{argv}\n{proc.stdout}\n{proc.stderr}"
    return proc


def instructor_install(tmp: Path) -> Path:
    """A non-editable install in a fresh venv (its dependencies borrowed from this environment):
    its python."""
    venv = tmp / "instructor"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    py = venv / "bin" / "python"
    site = Path(run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(ROOT)])
    (site / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = run([str(py), "-c", "import mcalc_tutor; print(mcalc_tutor.__file__)"], cwd=tmp).stdout
    assert where.startswith(str(site)), where
    return py


def course_folder(tmp: Path, assignment: str, secret: str) -> Path:
    """The instructor's folder: the assignment file and the course secret (readable by its owner
    only, as the README asks), both next to each other in tmp/course."""
    course = tmp / "course"
    course.mkdir()
    (course / "assignment.toml").write_text(assignment)
    (course / "secret").write_text(secret)
    (course / "secret").chmod(0o600)
    return course


def build_bundle(py: Path, bundle: Path, assignment: Path, secret: Path, version: str, *extra: str,
                 offline: bool = True) -> None:
    run([str(py), "-m", "mcalc_tutor", "grade", "--gradescope-bundle", str(bundle), "--assignment", str(assignment),
         "--secret-file", str(secret), "--python-version", version, *(["--offline"] if offline else []), *extra],
        cwd=bundle.parent)


def autograder_root(bundle: Path, ag: Path, python: Path) -> dict:
    """/autograder laid out as Gradescope does, from the bundle: the environment to run it with."""
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(ag / "source")
    for name in ("setup.sh", "run_autograder"):
        (ag / "source" / name).chmod(0o755)
    shutil.copy(ag / "source" / "run_autograder", ag / "run_autograder")
    # PIP_NO_COMPILE: Gradescope builds the image once, so setup.sh compiles; here that is time wasted
    return clean_env(AUTOGRADER_ROOT=str(ag), MCALC_NO_APT="1", MCALC_PYTHON=str(python), PIP_NO_COMPILE="1")


def setup(ag: Path, env: dict) -> None:
    run(["bash", str(ag / "source" / "setup.sh")], env=env, cwd=ag)  # pip runs with --no-index: offline


def upload(ag: Path, env: dict, files: dict[str, str], metadata: dict | None = None) -> dict:
    """One submission through run_autograder: its results.json."""
    for folder in ("submission", "results"):
        shutil.rmtree(ag / folder, ignore_errors=True)
    (ag / "submission").mkdir()
    for name, text in files.items():
        (ag / "submission" / name).write_text(text)
    (ag / "submission_metadata.json").write_text(json.dumps(metadata or METADATA))
    run([str(ag / "run_autograder")], env=env, cwd=ag)
    return json.loads((ag / "results" / "results.json").read_text())


def right_answers(assignment_file: Path, secret: str, sid: str, banks: tuple[Path, ...] = ()) -> tuple[str, int]:
    """Student ``sid``'s template with every math part answered from their key (code parts left
    to their files), and the assignment's maximum score."""
    from mcalc_tutor.content.banks import use_banks
    from mcalc_tutor.grading.assignment import load_assignment
    from mcalc_tutor.grading.seeds import student_seed
    from mcalc_tutor.grading.template import answer_key, student_template

    use_banks(list(banks))  # the instructor's side: their key and template know the bank's exercises
    try:
        assignment = load_assignment(assignment_file)
        seed = student_seed(secret.strip().encode(), assignment.id, sid)
        key = answer_key(assignment, seed)
        good = student_template(assignment, seed, sid)
    finally:
        use_banks(())
    for part in key["parts"]:
        ex = part["exercise"]
        if not ex.startswith("code-"):
            good = good.replace(f"[answers.{ex}]\n", f"[answers.{ex}]\n{part['part']} = {json.dumps(part['answer'])}\n", 1)
    good = "\n".join(line for line in good.splitlines() if not line.endswith('= ""')) + "\n"
    return good, assignment.max_score
