"""A Gradescope autograder bundle: setup.sh installs this package from a wheel inside the zip,
run_autograder grades /autograder/submission against the chosen exercises."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SETUP = """#!/usr/bin/env bash
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3 python3-pip python3-venv bubblewrap >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q /autograder/source/wheels/*.whl
"""

RUN = """#!/usr/bin/env bash
# Grades the student's submission folder; results go where Gradescope reads them.
set -uo pipefail
mkdir -p /autograder/results
/autograder/venv/bin/mcalc-tutor grade /autograder/submission --exercises {ids} \\
    --format gradescope --timing --out /autograder/results/results.json
"""


def build_wheel(dest: Path) -> Path:
    """Build this package's wheel from the checkout (the bundle must not need our sources online)."""
    from ..content.loader import content_root

    root = content_root()
    if not (root / "pyproject.toml").is_file():
        raise SystemExit("mcalc-tutor: error: --gradescope-bundle must run from a source checkout "
                         "(pip install -e .) so it can build the wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dest), str(root)],
                   check=True)
    wheels = sorted(dest.glob("mcalc_tutor-*.whl"))
    if not wheels:
        raise SystemExit("mcalc-tutor: error: building the wheel failed")
    return wheels[-1]


def write_bundle(out: Path, ids: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            _add(zf, "setup.sh", SETUP)
            _add(zf, "run_autograder", RUN.format(ids=" ".join(ids)))
            zf.write(wheel, f"wheels/{wheel.name}")


def _add(zf: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o755 << 16
    zf.writestr(info, text)
