"""Issue 15: `grade DIR --shard K/N` grades a fixed share of a class folder, and `grade --merge`
turns the shards' JSON results into any format, the same bytes as grading the folder in one go.
The shards run in parallel as separate processes (GNU parallel when installed)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from class_folder import synthesize
from mcalc_tutor.cli import main
from mcalc_tutor.grading.shard import ShardError, parse_shard, select_shard, shard_of
from mcalc_tutor.grading.submission import find_submissions

CLI = [sys.executable, "-m", "mcalc_tutor"]
FORMATS = (["--format", "json"], ["--format", "text"], ["--format", "csv"], ["--format", "report"],
           ["--format", "report", "--json"])


def _class_folder(root: Path) -> Path:
    """Synthetic submissions, plus what a real folder holds: a folder-style submission, a student
    claimed twice (in different shards, so the duplicate warning must survive the merge) and a
    broken file."""
    folder = root / "class"
    folder.mkdir()
    paths = synthesize(13, folder, exercises=6, seeds=4)
    (folder / "zed").mkdir()
    shutil.copy(paths[2], folder / "zed" / "submission.toml")
    (folder / "broken.toml").write_text("[meta\nstudent = ", encoding="utf-8")
    return folder


def _grade(*args: str) -> str:
    run = subprocess.run([*CLI, "grade", *args], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _run_shards(folder: Path, out: Path, n: int) -> list[Path]:
    files = [out / f"shard{k}.json" for k in range(1, n + 1)]
    command = [*CLI, "grade", str(folder), "--format", "json"]
    if shutil.which("parallel"):
        subprocess.run(["parallel", "--halt", "now,fail=1", *command, "--shard", "{}/" + str(n),
                        "--out", str(out / "shard{}.json"), ":::", *map(str, range(1, n + 1))],
                       check=True, timeout=600, capture_output=True)
    else:
        procs = [subprocess.Popen([*command, "--shard", f"{k}/{n}", "--out", str(f)])
                 for k, f in enumerate(files, start=1)]
        assert all(p.wait(timeout=600) == 0 for p in procs)
    return files


def _merge(files: list[Path], fmt: list[str], capsys) -> str:
    capsys.readouterr()
    assert main(["grade", "--merge", *map(str, files), *fmt]) == 0
    return capsys.readouterr().out


def test_merged_shards_are_the_bytes_of_one_go_in_every_format(tmp_path: Path, capsys):
    folder = _class_folder(tmp_path)
    files = _run_shards(folder, tmp_path, 3)
    assert all(f.read_text(encoding="utf-8").strip() not in ("", "[]") for f in files)  # every shard got work
    for fmt in FORMATS:
        assert _merge(files, fmt, capsys) == _grade(str(folder), *fmt), fmt
    assert "duplicate student" in _merge(files, ["--format", "text"], capsys)
    assert _merge(list(reversed(files)), ["--format", "csv"], capsys) == _merge(files, ["--format", "csv"], capsys)


def test_gradescope_output_of_a_merged_single_shard(tmp_path: Path, capsys):
    sub = synthesize(1, tmp_path, exercises=3)[0]
    shard = tmp_path / "only.json"
    assert main(["grade", str(sub), "--shard", "1/1", "--format", "json", "--out", str(shard)]) == 0
    assert _merge([shard], ["--format", "gradescope"], capsys) == _grade(str(sub), "--format", "gradescope")


def test_shards_partition_the_folder_whatever_the_listing_order_or_location(tmp_path: Path):
    folder = _class_folder(tmp_path)
    paths, _ = find_submissions([str(folder)])
    shards = [select_shard(paths, [str(folder)], k, 4) for k in range(1, 5)]
    assert sorted(p for s in shards for p in s) == sorted(paths)  # each submission in exactly one shard
    assert sum(len(s) for s in shards) == len(paths)
    elsewhere = tmp_path / "copied" / "class"
    elsewhere.parent.mkdir()
    elsewhere.mkdir()
    for p in reversed(sorted(folder.rglob("*"))):  # created in the opposite order, at another path
        target = elsewhere / p.relative_to(folder)
        if p.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.parent.mkdir(exist_ok=True)
            shutil.copy(p, target)
    for p in paths:
        assert shard_of(p, [str(folder)], 4) == shard_of(elsewhere / p.relative_to(folder), [str(elsewhere)], 4)


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", ""])
def test_bad_shard_values_are_refused(text: str):
    with pytest.raises(ShardError, match="K/N"):
        parse_shard(text)


def test_cli_refuses_bad_shards_and_bad_merge_files(tmp_path: Path, capsys):
    sub = synthesize(1, tmp_path, exercises=1)[0]
    assert main(["grade", str(sub), "--shard", "5/4"]) == 2
    assert "K/N" in capsys.readouterr().err
    not_json = tmp_path / "notes.json"
    not_json.write_text("hello", encoding="utf-8")
    assert main(["grade", "--merge", str(not_json)]) == 2
    err = capsys.readouterr().err
    assert "notes.json" in err and "Traceback" not in err and len(err.splitlines()) == 1
    wrong_shape = tmp_path / "other.json"
    wrong_shape.write_text('[{"submission": "x"}]', encoding="utf-8")
    assert main(["grade", "--merge", str(wrong_shape)]) == 2
    assert "other.json" in capsys.readouterr().err
    shard = tmp_path / "s.json"
    assert main(["grade", str(sub), "--format", "json", "--out", str(shard)]) == 0
    assert main(["grade", "--merge", str(shard), str(shard)]) == 2
    assert "merge each shard once" in capsys.readouterr().err
    assert main(["grade", str(sub), "--merge", str(shard)]) == 2
    assert main(["grade", "--merge", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
