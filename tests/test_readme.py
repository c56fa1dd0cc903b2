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


def test_the_answer_language_section_names_every_function_of_the_registry():
    """The README's list of functions is written by hand: a function added to the registry (one
    entry, as CONTRIBUTING says) must be named there too, or learners never learn it exists."""
    import re

    from mcalc_tutor.mathlang.functions import REGISTRY

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The answer language", 1)[1].split("\n## ", 1)[0]
    words = set(re.findall(r"[A-Za-z]+", section))
    missing = [spec.name for spec in REGISTRY if spec.name not in words]
    assert not missing, missing
