"""A Gradescope autograder bundle, and the code that runs inside it.

The zip holds `setup.sh`, `run_autograder`, the assignment file, the assignment's seed key (only
that assignment's: see seeds.py), this package as a wheel, the course banks the assignment may use
(`banks/NN-name/`: exercises, solutions, sources.toml), and with `offline` a wheelhouse of
every dependency for the target Python and platform, so that `setup.sh` installs without a
network. The wheel is assembled from the installed package's own files, so the bundle can be
built from any install (pip, pipx, editable). Same inputs, same zip bytes.

On Gradescope, `run_autograder` calls `python -m mcalc_tutor.grading.bundle autograde`, which
always leaves a results.json: a broken, empty or PDF-only submission scores 0 with the reason.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from .assignment import Assignment

DEFAULT_PYTHON = "3.10"  # Gradescope's default image is Ubuntu 22.04
DEFAULT_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: entries carry no build time

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
PY="${MCALC_PYTHON:-python3}"
if [ -z "${MCALC_NO_APT:-}" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # bubblewrap is the code-challenge sandbox; Ubuntu's python3 needs python3-venv for venvs
  apt-get install -y -qq bubblewrap python3-venv >/dev/null 2>&1 \\
    || echo "note: apt-get could not install bubblewrap and python3-venv"
fi
"$PY" -m venv "$ROOT/venv"
if [ -d "$SRC/wheelhouse" ]; then
  "$ROOT/venv/bin/python" -m pip install -q --no-index --find-links "$SRC/wheelhouse" "$SRC"/wheels/*.whl
else
  "$ROOT/venv/bin/python" -m pip install -q "$SRC"/wheels/*.whl
fi
# fail the image build now, not at the first student, if the assignment does not load
"$ROOT/venv/bin/python" -m mcalc_tutor.grading.bundle check "$ROOT"
"""

RUN = """#!/usr/bin/env bash
# Grades the student's submission; a results.json is written whatever happens.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$ROOT/results"
"$ROOT/venv/bin/python" -m mcalc_tutor.grading.bundle autograde "$ROOT"
if [ ! -s "$ROOT/results/results.json" ]; then
  echo '{"score": 0, "output": "The autograder could not start; nothing was graded.", "tests": []}' \\
    > "$ROOT/results/results.json"
fi
exit 0
"""


# --- building -------------------------------------------------------------------------------

def write_bundle(out: Path, ids: list[str]) -> dict:
    """A bundle for a bare list of exercise ids: every part, the bank's points, one variant (seed 0)
    for everyone. An assignment file is the better way: it sets points, feedback and seeds."""
    text = "\n".join(['id = "gradescope"', 'title = "Gradescope assignment"', "[seed]", 'policy = "fixed"',
                      "value = 0", *[f"[[exercises]]\nid = {json.dumps(i)}" for i in ids]]) + "\n"
    from .._toml import tomllib
    from ..content.loader import load_bank
    from .assignment import parse_assignment

    assignment = parse_assignment(tomllib.loads(text), "assignment.toml", load_bank())
    return write_assignment_bundle(out, text, assignment)


def write_assignment_bundle(out: Path, assignment_text: str, assignment: Assignment, key: bytes | None = None,
                            offline: bool = False, python_version: str = DEFAULT_PYTHON,
                            platforms: tuple[str, ...] = DEFAULT_PLATFORMS, unsandboxed: bool = False,
                            banks: Sequence[Path] | None = None) -> dict:
    """Write the zip; returns a summary (its size, the wheels it carries). `unsandboxed` lets code
    parts run where Gradescope's container has no working bubblewrap (resource limits only).
    `banks`: the course bank folders to carry (default: this process's, content.banks.active_banks())."""
    if assignment.needs_secret and key is None:
        raise ValueError(f"assignment {assignment.id!r} derives seeds per student: the bundle needs its key")
    if banks is None:
        from ..content.banks import active_banks

        banks = active_banks()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        files: dict[str, bytes] = {
            "setup.sh": SETUP.encode(), "run_autograder": RUN.encode(),
            "assignment.toml": assignment_text.encode("utf-8"),
            f"wheels/{wheel.name}": wheel.read_bytes(),
            **bank_files(banks),
        }
        if key is not None and assignment.needs_secret:
            files["assignment.key"] = key.hex().encode() + b"\n"
        if unsandboxed:
            files["unsandboxed"] = b"code parts run without bubblewrap when it does not work here\n"
        if offline:
            for dep in download_wheelhouse(wheel, Path(tmp) / "wheelhouse", python_version, platforms):
                files[f"wheelhouse/{dep.name}"] = dep.read_bytes()
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(files):
                _add(zf, name, files[name], executable=name in ("setup.sh", "run_autograder"))
        partial.replace(out)
    return {"bytes": out.stat().st_size, "wheels": sorted(n for n in files if n.endswith(".whl"))}


BANKS_FOLDER = "banks"
"""Where the bundle keeps its course banks (under source/ on Gradescope), one folder each."""


def bank_files(banks: Sequence[Path]) -> dict[str, bytes]:
    """Each course bank's sources.toml, exercises/ and solutions/ as zip entries under
    banks/NN-name/ (NN keeps the order they were given in); hidden files and caches stay out."""
    files: dict[str, bytes] = {}
    for index, bank in enumerate(banks, 1):
        prefix = f"{BANKS_FOLDER}/{index:02d}-{re.sub(r'[^A-Za-z0-9_.-]', '_', bank.name) or 'bank'}"
        candidates = [bank / "sources.toml", *(p for sub in ("exercises", "solutions") for p in (bank / sub).rglob("*"))]
        for path in sorted(candidates):
            rel = path.relative_to(bank)
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts) \
                    and path.suffix != ".pyc":
                files[f"{prefix}/{rel.as_posix()}"] = path.read_bytes()
    return files


def bundled_banks(source: Path) -> list[Path]:
    """The course bank folders a bundle carries (source/banks/NN-name), in their order."""
    folder = source / BANKS_FOLDER
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.external_attr = (0o755 if executable else 0o644) << 16
    # wheels are zips already: storing them is as small and much faster than deflating again
    info.compress_type = zipfile.ZIP_STORED if name.endswith(".whl") else zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def download_wheelhouse(wheel: Path, dest: Path, python_version: str, platforms: tuple[str, ...]) -> list[Path]:
    """Binary wheels of every dependency of `wheel` for the target Python and platform.

    pip download judges environment markers by the Python running it, not by --python-version, so
    a dependency under a `python_version` marker that holds only for the target (tomli, or
    aiohttp's async-timeout, on 3.10) is named explicitly, round after round until none is missing."""
    dest.mkdir(parents=True, exist_ok=True)
    abi = "cp" + python_version.replace(".", "")
    argv = [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--python-version", python_version,
            "--implementation", "cp", "--abi", abi, "--abi", "abi3", "--abi", "none", "-d", str(dest)]
    for platform in platforms:
        argv += ["--platform", platform]
    requested: set[str] = set()
    wanted = [str(wheel)]
    for _ in range(10):  # each round can only add what the previous one brought in
        proc = subprocess.run([*argv, *wanted], capture_output=True, text=True)
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith("WARNING: Location")]
            raise RuntimeError("pip download failed: " + " / ".join(lines[-3:]))
        requested.update(wanted)
        wanted = sorted({r for w in [wheel, *dest.glob("*.whl")] for r in _marked_for(w, python_version)} - requested)
        if not wanted:
            break
    return sorted(p for p in dest.glob("*.whl") if not p.name.startswith("mcalc_tutor-"))


_PYTHON_MARKER = re.compile(r"""^python_version\s*(<=|>=|==|!=|<|>)\s*["'](\d+)\.(\d+)["']$""")


def _marked_for(wheel: Path, python_version: str) -> list[str]:
    """The wheel's dependencies under a plain `python_version` marker that holds for the target."""
    import operator

    with zipfile.ZipFile(wheel) as zf:
        meta = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1), None)
        lines = zf.read(meta).decode("utf-8", "replace").splitlines() if meta else []
    ops = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
           "!=": operator.ne}
    major, minor = (int(x) for x in python_version.split(".")[:2])
    out = []
    for line in lines:
        if not line.startswith("Requires-Dist:") or ";" not in line:
            continue
        requirement, marker = (x.strip() for x in line.split(":", 1)[1].split(";", 1))
        match = _PYTHON_MARKER.match(marker)
        if match and ops[match.group(1)]((major, minor), (int(match.group(2)), int(match.group(3)))):
            out.append(requirement)
    return out


def build_wheel(dest: Path) -> Path:
    """This package as a wheel, assembled from the installed files (a source checkout, an editable
    install, a pip or pipx install alike): the package folder, the exercise bank and solutions, and
    metadata copied from the installed distribution."""
    import importlib.metadata as md

    from ..content.paths import content_root

    package = Path(__file__).resolve().parent.parent
    try:
        dist = md.distribution("mcalc-tutor")
        version, meta = dist.version, dist.metadata
        requires = list(dist.requires or [])
        entry_points = dist.read_text("entry_points.txt") or ""
    except md.PackageNotFoundError:  # running from a checkout that was never installed
        from mcalc_tutor import __version__

        version, meta, requires, entry_points = __version__, None, [], ""
    files: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix not in (".pyc", ".pyo") \
                and rel.parts[0] != "_content":
            files[f"mcalc_tutor/{rel.as_posix()}"] = path.read_bytes()
    root = content_root()
    for folder in ("exercises", "solutions"):
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root / folder)
            if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
                files[f"mcalc_tutor/_content/{folder}/{rel.as_posix()}"] = path.read_bytes()
    info = f"mcalc_tutor-{version}.dist-info"
    lines = ["Metadata-Version: 2.1", "Name: mcalc-tutor", f"Version: {version}"]
    if meta is not None:
        for field in ("Summary", "Requires-Python", "License"):
            value = meta[field] if field in meta else None
            if value:
                lines.append(f"{field}: {value}")
        lines += [f"Provides-Extra: {e}" for e in meta.get_all("Provides-Extra") or []]
    lines += [f"Requires-Dist: {r}" for r in requires]
    files[f"{info}/METADATA"] = ("\n".join(lines) + "\n").encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: mcalc-tutor\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    entry_points = entry_points or "[console_scripts]\nmcalc-tutor = mcalc_tutor.cli:main\n"
    files[f"{info}/entry_points.txt"] = entry_points.encode()
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in sorted(files.items())]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    wheel = dest / f"mcalc_tutor-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files, key=lambda n: (n.startswith(info), n)):  # dist-info last, as the spec asks
            _add(zf, name, files[name])
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# --- running on Gradescope ----------------------------------------------------------------------

def _load(root: Path) -> tuple[Assignment, bytes | None]:
    """The bundle's assignment and key, with the course banks it carries made this process's."""
    from ..content.banks import resolve_banks, use_banks
    from .assignment import load_assignment

    source = root / "source"
    use_banks(resolve_banks(bundled_banks(source)))
    assignment = load_assignment(source / "assignment.toml")
    key_file = source / "assignment.key"
    key = bytes.fromhex(key_file.read_text().strip()) if key_file.is_file() else None
    if assignment.needs_secret and key is None:
        raise ValueError("assignment.key is missing from the bundle (rebuild it with --secret-file)")
    return assignment, key


def submitter(root: Path) -> str | None:
    """The submitter's id from Gradescope's submission_metadata.json: `sid`, else the email."""
    try:
        data = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        user = data["users"][0]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    for field in ("sid", "email"):
        value = user.get(field) if isinstance(user, dict) else None
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def find_submission_file(folder: Path) -> tuple[Path | None, str | None]:
    """The one TOML to grade in an uploaded folder, or why there is none."""
    from .submission import SUBMISSION_NAMES

    if not folder.is_dir():
        return None, "no submission folder"
    for name in SUBMISSION_NAMES:
        if (folder / name).is_file():
            return folder / name, None
    tomls = sorted(p for p in folder.rglob("*.toml") if p.is_file() and not p.is_symlink())
    if len(tomls) == 1:
        return tomls[0], None
    if tomls:
        names = ", ".join(str(p.relative_to(folder)) for p in tomls[:5])
        return None, f"several TOML files were submitted ({names}): submit one, named submission.toml"
    others = sorted(p.name for p in folder.rglob("*") if p.is_file())
    got = f" (got: {', '.join(others[:5])}{', …' if len(others) > 5 else ''})" if others else " (the upload is empty)"
    return None, f"no submission.toml was submitted{got}: fill in the template and upload it"


def autograde(root: Path) -> dict:
    """Grade root/submission and write root/results/results.json; never raises."""
    from .grader import INVALID, PartResult, SubmissionResult, grade_assigned
    from .reports import gradescope_results

    start = time.perf_counter()
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    try:
        assignment, key = _load(root)
    except Exception as exc:  # the bundle itself is broken: say so to the student and the instructor
        data = {"score": 0, "output": f"The autograder is misconfigured ({exc}); your instructor has been told "
                "nothing was graded.", "tests": []}
        _write_json(results / "results.json", data)
        print(f"autograder misconfigured: {exc}")
        return data
    student = submitter(root)
    path, problem = find_submission_file(root / "submission")
    if path is not None and student is None and assignment.needs_secret:
        path, problem = None, "Gradescope gave no student id (sid or email) for this submission"
    if path is None:
        parts = [PartResult(e, p, INVALID, 0.0, points, problem or "")
                 for e, p, points in ((e.id, q.name, q.points) for e in assignment.exercises for q in e.parts)]
        result = SubmissionResult("", student or "", 0, parts, error=problem)
    else:
        unsandboxed = (root / "source" / "unsandboxed").is_file()
        result = grade_assigned(path, assignment, key, student=student, unsandboxed=unsandboxed)
    text = gradescope_results(result, assignment, time.perf_counter() - start)
    tmp = results / "results.json.partial"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(results / "results.json")
    print(f"graded {path or '(nothing)'} for {student or '(no id)'}: {result.score:g}/{assignment.max_score:g}"
          + (f"; {result.error}" if result.error else "") + "".join(f"; {f}" for f in result.warnings))
    return json.loads(text)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("autograde", "check"):
        print("usage: python -m mcalc_tutor.grading.bundle autograde|check AUTOGRADER_ROOT", file=sys.stderr)
        return 2
    root = Path(argv[1])
    if argv[0] == "check":
        try:
            assignment, _ = _load(root)
        except Exception as exc:
            print(f"mcalc-tutor: error: {exc}", file=sys.stderr)
            return 1
        print(f"assignment {assignment.id}: {len(assignment.columns)} parts, {assignment.max_score:g} points")
        return 0
    autograde(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
