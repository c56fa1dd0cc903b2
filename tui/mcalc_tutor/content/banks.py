"""Course banks outside the package: an instructor's folder laid out like the package's own bank
(`exercises/<section>/<id>.toml`, `solutions/<section>/<id>.md`, code stubs beside their TOML,
and its own `sources.toml`), added with `--bank DIR` or `MCALC_TUTOR_BANK`.

The entry point (the command line, the Gradescope autograder, a batch worker) resolves the folders
once with `resolve_banks` and makes them this process's banks with `use_banks`; `load_bank()`
then loads the package's bank and these. A worker process is handed the list explicitly
(`active_banks()` is per process: a spawned worker starts with none). Nothing here imports the
answer language: the app's first screen and every CLI call resolve banks before any heavy import.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .paths import exercises_dir

ENV_VAR = "MCALC_TUTOR_BANK"
"""A list of bank folders, separated by os.pathsep (":" on Linux and macOS)."""

_active: tuple[Path, ...] = ()


class BankError(Exception):
    """A bank folder that cannot be used (missing, not laid out as a bank, or an id clash): a
    usage error, reported in one line."""


def banks_from_env(environ: dict[str, str] | os._Environ[str] | None = None) -> list[str]:
    """The folders MCALC_TUTOR_BANK names, in order (empty entries skipped)."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return [p for p in value.split(os.pathsep) if p.strip()]


def resolve_banks(folders: Iterable[str | Path]) -> tuple[Path, ...]:
    """The bank folders as absolute paths, each checked: it exists, has an exercises/ folder, and
    none of its exercise ids (file names) is already taken by the package's bank or an earlier
    bank. Raises BankError naming the folder, or both files of a clash. A folder given twice
    counts once."""
    out: list[Path] = []
    for folder in folders:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise BankError(f"bank folder not found: {folder}")
        if not (path / "exercises").is_dir():
            raise BankError(f"{folder} is not a bank: it has no exercises/ folder "
                            "(lay it out as exercises/<section>/<id>.toml; see exercises/README.md)")
        path = path.resolve()
        if path not in out and path != exercises_dir().resolve().parent:
            out.append(path)
    if out:
        check_ids([exercises_dir(), *(b / "exercises" for b in out)])
    return tuple(out)


def check_ids(roots: Sequence[Path]) -> None:
    """An exercise id (its file name: the loader insists they match) may appear in one bank only;
    progress and grades are keyed on it. Cheap: file names only, no TOML is read."""
    seen: dict[str, Path] = {}
    for root in roots:
        for path in sorted(root.glob("*/*.toml")):
            other = seen.get(path.stem)
            if other is not None:
                raise BankError(f"exercise id {path.stem!r} is in two banks: {other} and {path} (rename one)")
            seen[path.stem] = path


def use_banks(folders: Sequence[Path]) -> None:
    """Make these (resolved) folders this process's extra banks; () for the package's bank alone."""
    global _active
    _active = tuple(Path(f) for f in folders)


def active_banks() -> tuple[Path, ...]:
    """This process's extra bank folders (set by use_banks), in order."""
    return _active


def unknown_exercise_hint() -> str:
    """What to add to "unknown exercise": where ids are looked up, and how to add a course bank."""
    if _active:
        return f" (not in the package's bank or the {len(_active)} course bank(s) given)"
    return " (not in the package's bank: for a course bank's exercise, give --bank DIR)"


def bank_root(exercise_path: Path | None) -> Path | None:
    """The bank folder an exercise file belongs to: `<bank>/exercises/<section>/<id>.toml`."""
    if exercise_path is None or len(exercise_path.parents) < 3:
        return None
    return exercise_path.parents[2]


def solutions_folder(exercise_path: Path | None, section: str) -> Path:
    """Where an exercise's worked solution and reference code live: its own bank's solutions/
    (the package's bank is laid out the same way, installed or in a checkout)."""
    from .paths import solutions_dir

    root = bank_root(exercise_path)
    return root / "solutions" / section if root is not None else solutions_dir() / section


__all__ = ["ENV_VAR", "BankError", "active_banks", "bank_root", "banks_from_env", "check_ids", "resolve_banks",
           "solutions_folder", "unknown_exercise_hint", "use_banks"]
