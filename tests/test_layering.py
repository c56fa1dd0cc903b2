"""The layering in DESIGN.md (cli on top; mathlang at the bottom; nothing below imports the app or
the command line; the engine without Textual) holds: `lint-imports` checks the contracts in
pyproject.toml. A second test breaks a copy of the package on purpose, to prove the contracts bite."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tui" / "mcalc_tutor"


def _lint_imports(config: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    assert exe.exists(), "lint-imports is missing: install the test extra (pip install -e '.[test]')"
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = f"{pythonpath}{os.pathsep}{env.get('PYTHONPATH', '')}"
    return subprocess.run([str(exe), "--config", str(config), "--no-cache"], capture_output=True,
                          text=True, timeout=300, env=env, cwd=config.parent)


def _counts(output: str) -> tuple[int, int]:
    found = re.search(r"Contracts: (\d+) kept, (\d+) broken", output)
    assert found, output
    return int(found[1]), int(found[2])


def test_the_import_contracts_hold():
    done = _lint_imports(ROOT / "pyproject.toml")
    kept, broken = _counts(done.stdout)
    assert done.returncode == 0 and broken == 0, done.stdout + done.stderr
    assert kept >= 4, "a contract went missing from pyproject.toml"


def test_a_domain_package_importing_the_cli_breaks_the_contracts(tmp_path):
    copy = tmp_path / "src" / "mcalc_tutor"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    registry = copy / "lab" / "registry.py"
    registry.write_text(registry.read_text(encoding="utf-8") + "\nfrom ..cli import usage_error\n",
                        encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    shutil.copy(ROOT / "pyproject.toml", config)
    done = _lint_imports(config, pythonpath=tmp_path / "src")
    assert str(copy) in subprocess.run(
        [sys.executable, "-c", "import mcalc_tutor; print(mcalc_tutor.__file__)"], capture_output=True,
        text=True, env={**os.environ, "PYTHONPATH": str(tmp_path / "src")}, timeout=60).stdout, \
        "the probe did not lint the broken copy"
    _, broken = _counts(done.stdout)
    assert done.returncode != 0 and broken >= 1, done.stdout
    assert "mcalc_tutor.lab.registry -> mcalc_tutor.cli" in done.stdout
