"""The course as the app sees it: a fast catalogue of exercises for the first screen, the full
bank (loaded once, in the background), learners' variants, worked solutions and code copies.

Plain Python, no Textual: the screens call it, and tests can too. The catalogue reads the TOML
files with `tomllib` only, so the chapter map appears before numpy or sympy are imported; the
validated bank replaces it as soon as it has loaded.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .._toml import tomllib
from ..content.model import SECTION_ORDER, SECTIONS, section_key, section_title

__all__ = ["Course", "Entry", "fresh_seed", "section_title"]


def fresh_seed(*avoid: int) -> int:
    """A seed drawn at random, none of `avoid` (the learner's own, the one on screen): the other
    numbers of a review card or of a variant to practise on. The same range as the store's
    learner seeds."""
    while True:
        seed = secrets.randbelow(1 << 31)
        if seed not in avoid:
            return seed


@dataclass(frozen=True)
class Entry:
    """One exercise as listed on the map: enough to show it and to ask the store about it."""

    id: str
    title: str
    section: str
    difficulty: int
    source: str
    parts: tuple[str, ...]
    """The part names, in order."""
    kinds: tuple[str, ...]
    """Each part's answer kind, in the same order."""
    randomized: bool

    @property
    def has_code(self) -> bool:
        return "code" in self.kinds


def _sort_key(entry: Entry) -> tuple:
    return (section_key(entry.section), entry.difficulty, entry.id)


def read_catalog(roots: Sequence[Path]) -> list[Entry]:
    """The exercises under each exercises folder (the package's, then course banks') as the map
    lists them, without validating anything.

    A file that cannot be read is left out here; the bank's loader reports it properly.
    """
    entries: dict[str, Entry] = {}
    for path in (p for root in roots for p in sorted(root.glob("*/*.toml"))):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            parts = [p for p in data.get("parts", []) if isinstance(p, dict)]
            entry = Entry(id=str(data["id"]), title=str(data["title"]).strip(), section=str(data["section"]),
                          difficulty=int(data.get("difficulty", 1)), source=str(data.get("source", "")),
                          parts=tuple(str(p.get("name", "")) for p in parts),
                          kinds=tuple(str(p.get("kind", "")) for p in parts),
                          randomized=bool(data.get("params")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
            continue
        entries.setdefault(entry.id, entry)
    return sorted(entries.values(), key=_sort_key)


CACHE_VERSION = 2  # 2: the catalogue of several exercises folders (course banks)


def fingerprint(roots: Sequence[Path]) -> list[list]:
    """What the catalogue depends on: every exercise file's path, modification time and size."""
    out = []
    for path in (p for root in roots for p in sorted(root.glob("*/*.toml"))):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append([str(path), st.st_mtime_ns, st.st_size])
    return out


def read_cached_catalog(cache_file: Path, roots: Sequence[Path]) -> list[Entry] | None:
    """The catalogue saved by the last run, if no exercise file changed since; else None."""
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        if data.get("version") != CACHE_VERSION or data.get("roots") != [str(r) for r in roots] \
                or data.get("files") != fingerprint(roots):
            return None
        return [Entry(**{**e, "parts": tuple(e["parts"]), "kinds": tuple(e["kinds"])}) for e in data["entries"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write_cached_catalog(cache_file: Path, roots: Sequence[Path], files: list[list], entries: list[Entry]) -> None:
    """Save the validated catalogue for the next start; silently skipped when it cannot be written."""
    data = {"version": CACHE_VERSION, "roots": [str(r) for r in roots], "files": files, "entries": [asdict(e) for e in entries]}
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_name(f".{cache_file.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache_file)
    except OSError:
        pass


def _entry_from_exercise(exercise) -> Entry:
    return Entry(id=exercise.id, title=exercise.title, section=exercise.section, difficulty=exercise.difficulty,
                 source=exercise.source, parts=tuple(p.name for p in exercise.parts),
                 kinds=tuple(p.kind for p in exercise.parts), randomized=exercise.randomized)


class Course:
    """Exercises in chapter order; the slow parts (bank, variants) are safe to call from a worker."""

    def __init__(self, exercises_root: Path | None = None, solutions_root: Path | None = None, *,
                 cache_file: Path | None = None, banks: Sequence[Path] | None = None) -> None:
        from ..content.banks import active_banks
        from ..content.paths import exercises_dir, solutions_dir

        self.exercises_root = Path(exercises_root) if exercises_root is not None else exercises_dir()
        self.solutions_root = Path(solutions_root) if solutions_root is not None else solutions_dir()
        self.banks = tuple(Path(b) for b in (banks if banks is not None else active_banks()))
        """Course bank folders (`--bank`, MCALC_TUTOR_BANK): their exercises join the map, their own
        sections after the package's, titled after the folder name."""
        self.roots = [self.exercises_root, *(b / "exercises" for b in self.banks)]
        self.cache_file = cache_file
        """Where the validated catalogue is kept between runs (reading ~60 TOML files costs ~70 ms)."""
        cached = read_cached_catalog(cache_file, self.roots) if cache_file is not None else None
        self.entries: list[Entry] = cached if cached is not None else read_catalog(self.roots)
        """What the map shows: the quick catalogue until the bank has loaded, then the bank's own list."""
        self.problems: list[str] = []
        """Exercises the loader rejected (for the log; a learner never sees a broken one)."""
        self._bank = None
        self._lock = threading.RLock()

    # -- the catalogue -------------------------------------------------------------------------
    def entry(self, exercise_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == exercise_id), None)

    def neighbour(self, exercise_id: str, step: int) -> Entry | None:
        """The exercise `step` places after (or before) this one in chapter order, if any."""
        ids = [e.id for e in self.entries]
        if exercise_id not in ids:
            return None
        index = ids.index(exercise_id) + step
        return self.entries[index] if 0 <= index < len(self.entries) else None

    def sections(self) -> list[tuple[str, str, list[Entry]]]:
        """(section, title, entries) in chapter order, for the sections that have exercises."""
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.section, []).append(entry)
        order = [name for name, _ in SECTIONS] + sorted(set(grouped) - set(SECTION_ORDER))
        return [(name, section_title(name), grouped[name]) for name in order if name in grouped]

    def parts_by_section(self) -> dict[str, list[tuple[str, list[str]]]]:
        """The shape `store.summary` wants: {section: [(exercise id, [part names])]}."""
        return {name: [(e.id, list(e.parts)) for e in entries] for name, _, entries in self.sections()}

    # -- the bank (slow: imports numpy and sympy) -------------------------------------------------
    @property
    def bank_loaded(self) -> bool:
        return self._bank is not None

    def load(self):
        """Load and validate the bank once; afterwards the entries are exactly the valid exercises."""
        with self._lock:
            if self._bank is None:
                from ..content.loader import load_bank

                files = fingerprint(self.roots)  # before reading: a later edit invalidates
                bank = load_bank(self.exercises_root, self.banks)
                self.problems = [str(p) for p in bank.problems]
                self.entries = [_entry_from_exercise(e) for e in bank.exercises]
                self._bank = bank
                if self.cache_file is not None:
                    write_cached_catalog(self.cache_file, self.roots, files, self.entries)
            return self._bank

    def exercise(self, exercise_id: str):
        return self.load().get(exercise_id)

    def variant(self, exercise_id: str, seed: int):
        """The learner's variant of an exercise (make_variant caches it); None when not in the bank."""
        exercise = self.exercise(exercise_id)
        if exercise is None:
            return None
        from ..content.variants import make_variant

        return make_variant(exercise, seed)

    # -- solutions and code -----------------------------------------------------------------------
    def solution_text(self, variant) -> str | None:
        """The worked solution in Markdown, with the variant's values substituted; reference code
        for code parts is appended when the Markdown does not already show it."""
        exercise = variant.exercise
        folder = self.solutions_root / exercise.section
        if exercise.path is not None and any(exercise.path.is_relative_to(b) for b in self.banks):
            from ..content.banks import solutions_folder

            folder = solutions_folder(exercise.path, exercise.section)  # a course bank's own solutions/
        try:
            text = (folder / f"{exercise.id}.md").read_text(encoding="utf-8")
        except OSError:
            text = None
        if text is not None and variant.values:
            from ..content.solutions import substitute_answers

            text = substitute_answers(text, variant.values)  # the learner's numbers, arithmetic folded
        for part in variant.parts:
            if part.kind != "code" or not part.reference:
                continue
            try:
                code = (folder / part.reference).read_text(encoding="utf-8")
            except OSError:
                continue
            if text is None or code.strip()[:200] not in text:
                text = (text or f"# {exercise.title}\n") + (
                    f"\n\n**Reference code** (`{part.reference}`):\n\n```python\n{code}\n```\n")
        return text

    @staticmethod
    def stub_path(exercise, part) -> Path | None:
        if exercise.path is None or not part.stub:
            return None
        return exercise.path.parent / part.stub

    @staticmethod
    def code_copy_path(data_dir: Path, exercise, part) -> Path:
        """Where the learner's own copy of a code part's stub lives."""
        return Path(data_dir) / "code" / exercise.id / (part.stub or f"{part.name}.py")

    def read_code(self, data_dir: Path | None, exercise, part) -> tuple[str, Path | None]:
        """The learner's code for a part: their saved copy (made from the stub the first time), or
        the stub itself when nothing can be saved. Returns (text, path it is saved at or None)."""
        stub = self.stub_path(exercise, part)
        stub_text = ""
        if stub is not None:
            try:
                stub_text = stub.read_text(encoding="utf-8")
            except OSError:
                stub_text = ""
        if data_dir is None:
            return stub_text, None
        copy = self.code_copy_path(data_dir, exercise, part)
        try:
            if not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                if stub is not None and stub.is_file():
                    shutil.copyfile(stub, copy)
                else:
                    copy.write_text(stub_text, encoding="utf-8")
            return copy.read_text(encoding="utf-8"), copy
        except OSError:
            return stub_text, None
