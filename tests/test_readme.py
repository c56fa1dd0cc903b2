"""The README's set-up commands are the ones CI runs: keep them in step."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = 'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && ruff check && mypy && pytest -q -n 2'
    assert command in readme
    assert command in ci.splitlines()


def test_readme_start_command_uses_the_console_script():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/mcalc-tutor" in readme
