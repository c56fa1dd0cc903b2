"""Finding, reading and validating the exercise bank; a bad file becomes a Problem, never a crash,
and the rest of the bank still loads.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .._toml import tomllib
from ..mathlang import SymbolTable
from .banks import active_banks, bank_root
from .form import LITERALS, Form
from .model import (
    GENERATORS,
    KINDS,
    LAYOUTS,
    POINT_TYPES,
    SECTION_ORDER,
    VERIFY_KINDS,
    Exercise,
    MistakeSpec,
    Part,
    Problem,
    section_key,
)
from .paths import content_root, exercises_dir
from .precision import Precision

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Bank:
    exercises: list[Exercise] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    _index: dict[str, Exercise] = field(default_factory=dict, init=False, repr=False, compare=False)

    def get(self, exercise_id: str) -> Exercise | None:
        """The exercise with this id (the first, if two share it), by a dict made on first use: a
        batch asks about a hundred times per submission."""
        if len(self._index) != len(self.exercises):
            self._index = {}
            for e in self.exercises:
                self._index.setdefault(e.id, e)
        return self._index.get(exercise_id)

    def by_section(self) -> dict[str, list[Exercise]]:
        out: dict[str, list[Exercise]] = {}
        for ex in self.exercises:
            out.setdefault(ex.section, []).append(ex)
        return out


def load_bank(root: Path | None = None, banks: Sequence[Path] | None = None) -> Bank:
    """Load every exercise under `root` (default: the package's bank) and under each extra bank
    folder (default: this process's course banks, banks.active_banks(), when `root` is the
    package's; none otherwise), sorted by section order, then difficulty and id."""
    if banks is None:
        banks = active_banks() if root is None else ()
    extra = tuple(Path(b) for b in banks)
    return _load_banks(Path(root) if root is not None else exercises_dir(), extra, _stamp(extra))


def _stamp(banks: tuple[Path, ...]) -> tuple:
    """What a course bank's loaded form depends on (its files' names, sizes and times): an
    instructor editing their bank between two loads in one process gets the new version."""
    out = []
    for folder in banks:
        for path in [folder / "sources.toml", *sorted((folder / "exercises").glob("*/*"))]:
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


@lru_cache(maxsize=4)
def _load_banks(root: Path, banks: tuple[Path, ...], stamp: tuple) -> Bank:
    bank = Bank()
    seen: dict[str, str] = {}
    _load_folder(bank, root, known_sources(), seen, course_bank=False)
    for folder in banks:
        sources, problems = bank_sources(folder)
        bank.problems.extend(problems)
        _load_folder(bank, folder / "exercises", sources, seen, course_bank=True)
    bank.exercises.sort(key=lambda e: (section_key(e.section), e.difficulty, e.id))
    return bank


def _load_folder(bank: Bank, root: Path, sources: dict[str, str], seen: dict[str, str], *, course_bank: bool) -> None:
    """Add the exercises of one bank's exercises/ folder; an id already loaded is a problem naming both files."""
    for path in sorted(root.glob("*/*.toml")):
        exercise, problems = load_exercise(path, sources, course_bank=course_bank)
        bank.problems.extend(problems)
        if exercise is None:
            continue
        if exercise.id in seen:
            bank.problems.append(Problem(_rel(path), "id", f"duplicate id (also in {seen[exercise.id]})"))
            continue
        seen[exercise.id] = _rel(path)
        bank.exercises.append(exercise)


@lru_cache(maxsize=1)
def known_sources() -> dict[str, str]:
    """The chapter items an exercise may cite: key → description (content/sources.toml)."""
    with open(Path(__file__).with_name("sources.toml"), "rb") as fh:
        return {k: str(v) for k, v in tomllib.load(fh).items()}


def bank_sources(folder: Path) -> tuple[dict[str, str], list[Problem]]:
    """What a course bank's exercises may cite: the package's chapter items and the bank's own
    `sources.toml` (key = "description"; optional). A broken file is a problem, not a crash."""
    sources = dict(known_sources())
    path = folder / "sources.toml"
    if not path.is_file():
        return sources, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return sources, [Problem(str(path), "sources", f"cannot read: {exc}")]
    bad = sorted(k for k, v in data.items() if not isinstance(v, str))
    if bad:
        return sources, [Problem(str(path), "sources", f"give each source as key = \"description\" (not: {', '.join(bad)})")]
    sources.update(data)
    return sources, []


def sources_for(path: Path) -> dict[str, str]:
    """The sources an exercise file may cite: its course bank's when it is in one, else the package's."""
    root = bank_root(path.resolve())
    if root is not None and root != exercises_dir().resolve().parent and (root / "sources.toml").is_file():
        return bank_sources(root)[0]
    return known_sources()


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(content_root()))
    except ValueError:
        return str(path)


def load_exercise(path: Path, sources: dict[str, str] | None = None, *,
                  course_bank: bool = False) -> tuple[Exercise | None, list[Problem]]:
    """Read and validate one file. Returns (exercise or None, problems). A `course_bank` exercise
    may open a section of its own (the package's bank keeps to the known ones)."""
    name = _rel(path)
    problems: list[Problem] = []

    def bad(fieldname: str, message: str) -> None:
        problems.append(Problem(name, fieldname, message))

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, "file", f"cannot read: {exc}")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(name, "toml", str(exc))]

    for key in ("id", "title", "section", "source", "statement"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            bad(key, "missing or not a string")
    if problems:
        return None, problems
    _check_header(data, path, sources, bad, course_bank)
    difficulty = data.get("difficulty", 1)
    if not isinstance(difficulty, int) or not 1 <= difficulty <= 3:
        bad("difficulty", "must be 1, 2 or 3")
    symbols, params, definitions = _read_symbols(data, bad), _read_params(data, bad), _read_definitions(data, bad)
    parts = _read_parts(data, bad, path)
    if problems:
        return None, problems
    tags = tuple(str(t) for t in data.get("tags", []))
    exercise = Exercise(id=data["id"], title=data["title"].strip(), section=data["section"], source=data["source"],
                        difficulty=difficulty, statement=data["statement"].strip(), symbols=symbols,
                        params=params, definitions=definitions, parts=parts, path=path, tags=tags)
    problems.extend(_check_expected_answers(exercise, name))
    return (exercise if not problems else None), problems


def _check_header(data: dict, path: Path, sources: dict[str, str] | None, bad: Bad, course_bank: bool) -> None:
    """The id matches the file, the section its folder, and the source is a known chapter item."""
    ex_id = data["id"]
    if not _ID_RE.match(ex_id):
        bad("id", "use lowercase letters, digits and hyphens")
    if path.stem != ex_id:
        bad("id", f"does not match the file name {path.name}")
    if course_bank and not _ID_RE.match(data["section"]):
        bad("section", "name a section with lowercase letters, digits and hyphens")
    elif not course_bank and data["section"] not in SECTION_ORDER:
        bad("section", f"unknown section {data['section']!r} (known: {', '.join(SECTION_ORDER)})")
    elif path.parent.name != data["section"]:
        bad("section", f"file is in folder {path.parent.name!r}")
    if sources is not None and data["source"] not in sources:
        where = "the bank's sources.toml" if course_bank else "content/sources.toml"
        bad("source", f"unknown chapter item {data['source']!r} (add it to {where})")


def _read_symbols(data: dict, bad: Bad) -> dict:
    symbols = data.get("symbols", {})
    if not isinstance(symbols, dict):
        bad("symbols", "must be a table of name = \"shape properties\"")
        return {}
    from ..mathlang import DeclarationError, parse_declarations

    try:
        parse_declarations({k: str(v) for k, v in symbols.items()})
    except DeclarationError as exc:
        bad("symbols", exc.message)
    return dict(symbols)


def _read_params(data: dict, bad: Bad) -> dict:
    params = data.get("params", {})
    if not isinstance(params, dict):
        bad("params", "must be a table")
        return {}
    for pname, spec in params.items():
        problem = _check_param(spec)
        if problem:
            bad(f"params.{pname}", problem)
    return dict(params)


def _read_definitions(data: dict, bad: Bad) -> dict:
    definitions = data.get("definitions", {})
    if not isinstance(definitions, dict) or not all(isinstance(v, str) for v in definitions.values()):
        bad("definitions", "must be a table of symbol = \"expression it stands for\"")
        return {}
    return dict(definitions)


def _read_parts(data: dict, bad: Bad, path: Path) -> tuple[Part, ...]:
    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        bad("parts", "at least one [[parts]] is needed")
        return ()
    parts: list[Part] = []
    for i, raw in enumerate(raw_parts):
        part = _read_part(raw, f"parts[{i}]", bad, path)
        if part is None:
            continue
        if any(p.name == part.name for p in parts):
            bad(f"parts[{i}].name", f"duplicate part name {part.name!r}")
            continue
        parts.append(part)
    return tuple(parts)


def _check_param(spec) -> str | None:
    if not isinstance(spec, dict):
        return "must be a table like { int = [1, 5] }"
    if "int" in spec:
        rng = spec["int"]
        if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int) for v in rng) and rng[0] <= rng[1]):
            return "int must be [low, high] with low <= high"
        if spec.get("nonzero") and rng == [0, 0]:
            return "range contains only zero"
        return None
    if "choice" in spec:
        if not (isinstance(spec["choice"], list) and spec["choice"]):
            return "choice must be a non-empty list"
        return None
    return "give int = [low, high] or choice = [...]"


Bad = Callable[[str, str], None]
"""Reports one problem: bad(field, message)."""


def _read_part(raw: object, where: str, bad: Bad, path: Path) -> Part | None:
    """One [[parts]] table as a Part, each rule checked by a small validator below."""
    if not isinstance(raw, dict):
        bad(where, "must be a table")
        return None
    name = str(raw.get("name", "")).strip()
    kind = raw.get("kind")
    if not name:
        bad(f"{where}.name", "missing")
    if kind not in KINDS:
        bad(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
        return None
    for validate in _PART_VALIDATORS:
        validate(raw, where, bad, path)
    answer = raw.get("answer")
    return Part(name=name, kind=kind, prompt=str(raw.get("prompt", "")).strip(),
                answer=str(answer) if isinstance(answer, (int, float)) else answer,
                layout=raw.get("layout", "exact"), verify=raw.get("verify", "none"),
                of=raw.get("of"), wrt=raw.get("wrt"), direction=raw.get("direction"), generator=raw.get("generator"),
                variables=_read_variables(raw), at=raw.get("at"), points=_read_points_value(raw, where, bad),
                hints=_read_hints(raw, where, bad), mistakes=_read_mistakes(raw, where, bad),
                choices=tuple(str(c) for c in raw.get("choices", [])),
                tolerance=float(raw.get("tolerance", 1e-6)), stub=raw.get("stub"), reference=raw.get("reference"),
                challenge=raw.get("challenge"), form=_read_form(raw, where, bad),
                precision=_read_precision(raw, where, bad), **_read_derivation(raw))


def _read_derivation(raw: dict) -> dict:
    """The fields of a steps part (start, differentials) or an iterates part (method, objective,
    lr, hyperparameters, start point, k); each is validated by _check_steps / _check_iterates."""
    if raw.get("kind") == "steps":
        start = raw.get("start")
        return {"start": start if isinstance(start, str) else None, "differentials": raw.get("differentials")}
    if raw.get("kind") != "iterates":
        return {}
    start, lr, hyper = raw.get("start"), raw.get("lr"), raw.get("hyperparameters", {})
    return {"method": raw.get("method"), "objective": raw.get("objective"),
            "lr": float(lr) if isinstance(lr, (int, float)) else None,
            "hyperparameters": dict(hyper) if isinstance(hyper, dict) else {},
            "x0": tuple(float(v) for v in start) if isinstance(start, list) and
            all(isinstance(v, (int, float)) for v in start) else (),
            "count": raw.get("k") if isinstance(raw.get("k"), int) else None,
            "batches": _read_batches(raw.get("batches"))}


def _read_batches(value: object) -> tuple[tuple[int, ...], ...]:
    """An SGD part's mini-batch sequence, [[1, 2], [3, 4]]; anything else is refused by _check_iterates."""
    if not isinstance(value, list):
        return ()
    return tuple(tuple(j for j in b if isinstance(j, int)) for b in value if isinstance(b, list))


def _check_names(raw: dict, where: str, bad: Bad, path: Path) -> None:
    """layout, verify and generator name one of the known ones."""
    for key, default, known in (("layout", "exact", LAYOUTS), ("verify", "none", VERIFY_KINDS),
                                ("generator", None, GENERATORS)):
        value = raw.get(key, default)
        if value is not None and value not in known:
            bad(f"{where}.{key}", f"must be one of {', '.join(known)}")


def _check_code(raw: dict, where: str, bad: Bad, path: Path) -> None:
    """A code part names its stub, reference and challenge, and the stub exists."""
    if raw.get("kind") != "code":
        return
    for key in ("stub", "reference", "challenge"):
        if not isinstance(raw.get(key), str):
            bad(f"{where}.{key}", "a code part needs it")
    if isinstance(raw.get("stub"), str) and not (path.parent / raw["stub"]).is_file():
        bad(f"{where}.stub", f"file {raw['stub']} not found next to the exercise")


def _check_answer_given(raw: dict, where: str, bad: Bad, path: Path) -> None:
    """Every part but a code part has an answer, written or generated, of a readable type."""
    kind, answer, generator = raw.get("kind"), raw.get("answer"), raw.get("generator")
    if kind not in ("code", "iterates") and generator is None and answer is None:
        bad(f"{where}.answer", "missing (or give a generator)")
    if kind not in ("points", "code") and answer is not None and not isinstance(answer, (str, int, float)):
        bad(f"{where}.answer", "must be a string in the answer language")


def _check_generator(raw: dict, where: str, bad: Bad, path: Path) -> None:
    if raw.get("generator") is not None and (not isinstance(raw.get("of"), str) or not raw.get("variables")):
        bad(f"{where}.generator", "a generator needs `of` and `variables`")


_VERIFY_NEEDS = {"of": ("gradient", "jacobian", "hessian", "differential", "value"),
                 "wrt": ("gradient", "jacobian", "hessian", "differential"), "direction": ("differential",)}


def _check_verify(raw: dict, where: str, bad: Bad, path: Path) -> None:
    """A verification names what it needs: the function (`of`), the variable, the direction."""
    verify = raw.get("verify", "none")
    for key, kinds in _VERIFY_NEEDS.items():
        if verify in kinds and not isinstance(raw.get(key), str):
            bad(f"{where}.{key}", f"verify = {verify!r} needs `{key}`")


def _check_choices(raw: dict, where: str, bad: Bad, path: Path) -> None:
    """A choice part has two choices or more, and its answer is letters among them."""
    if raw.get("kind") != "choice":
        return
    choices, answer = raw.get("choices", []), raw.get("answer")
    if not (isinstance(choices, list) and len(choices) >= 2):
        bad(f"{where}.choices", "a choice part needs at least two choices")
    elif isinstance(answer, str):
        letters = [a.strip() for a in answer.split(",")]
        valid = [chr(ord("a") + i) for i in range(len(choices))]
        if not letters or any(letter not in valid for letter in letters):
            bad(f"{where}.answer", f"must be letters among {', '.join(valid)}")


def _check_points_answer(raw: dict, where: str, bad: Bad, path: Path) -> None:
    """A written points answer is a list of { at, type } tables."""
    if raw.get("kind") != "points" or raw.get("generator") is not None:
        return
    answer = raw.get("answer")
    if not isinstance(answer, list) or not all(isinstance(p, dict) and "at" in p and p.get("type") in POINT_TYPES
                                               for p in answer):
        bad(f"{where}.answer", f"a list of {{ at = \"(x, y)\", type = one of {', '.join(POINT_TYPES)} }}")


def _check_steps(raw: dict, where: str, bad: Bad, path: Path) -> None:
    """A steps part states its start as text and its differentials as "x: dx" pairs (both parsed
    with the symbols in _check_expected_answers)."""
    if raw.get("kind") != "steps":
        return
    for key in ("start", "differentials"):
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            bad(f"{where}.{key}", "must be a string")


def _check_iterates(raw: dict, where: str, bad: Bad, path: Path) -> None:
    """An iterates part names a method the lab can check by hand, an objective, its start point
    and how many iterates are asked; the method is built once here, so a bad part never loads."""
    if raw.get("kind") != "iterates":
        return
    k, start, lr = raw.get("k"), raw.get("start"), raw.get("lr", 1.0)
    if not (isinstance(k, int) and 1 <= k <= 20):
        bad(f"{where}.k", "how many iterates are asked: an integer from 1 to 20")
    if not (isinstance(start, list) and start and all(isinstance(v, (int, float)) for v in start)):
        bad(f"{where}.start", "the start point: a list of numbers, like [1, 1]")
        return
    if not (isinstance(lr, (int, float)) and lr > 0):
        bad(f"{where}.lr", "the step size: a positive number")
        return
    hyper = raw.get("hyperparameters", {})
    if not (isinstance(hyper, dict) and all(isinstance(v, (int, float)) for v in hyper.values())):
        bad(f"{where}.hyperparameters", "a table of numbers, like { beta = 0.9 }")
        return
    batches = raw.get("batches", [])
    if not (isinstance(batches, list) and all(isinstance(b, list) and all(isinstance(j, int) for j in b)
                                              for b in batches)):
        bad(f"{where}.batches", "the examples each step uses, numbered from 1: like [[1, 2], [3, 4]]")
        return
    if batches and isinstance(k, int) and len(batches) < k:
        bad(f"{where}.batches", f"one mini-batch per iterate asked: {k} needed, {len(batches)} given")
    from ..checking.iterates import method, objective_from

    try:
        method(str(raw.get("method")), objective_from(raw.get("objective")), lr=raw.get("lr"), x0=start,
               params=hyper, batches=batches)
    except ValueError as exc:
        bad(where, str(exc))


_PART_VALIDATORS: tuple[Callable[[dict, str, Bad, Path], None], ...] = (
    _check_names, _check_code, _check_answer_given, _check_generator, _check_verify, _check_choices,
    _check_points_answer, _check_steps, _check_iterates,
)


def _read_hints(raw: dict, where: str, bad: Bad) -> tuple[str, ...]:
    hints = raw.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        bad(f"{where}.hints", "must be a list of strings")
        return ()
    return tuple(hints)


def _read_mistakes(raw: dict, where: str, bad: Bad) -> tuple[MistakeSpec, ...]:
    mistakes = []
    for j, m in enumerate(raw.get("mistakes", [])):
        if not (isinstance(m, dict) and isinstance(m.get("answer"), str) and isinstance(m.get("feedback"), str)):
            bad(f"{where}.mistakes[{j}]", "needs answer and feedback strings")
            continue
        mistakes.append(MistakeSpec(m["answer"], m["feedback"].strip()))
    return tuple(mistakes)


def _read_points_value(raw: dict, where: str, bad: Bad) -> float:
    points = raw.get("points", 1)
    if not isinstance(points, (int, float)) or points <= 0:
        bad(f"{where}.points", "must be a positive number")
        return 1.0
    return float(points)


FORM_LISTS = ("forbid", "only", "free_of", "require")


def _read_form(raw: dict, where: str, bad: Bad) -> Form:
    """The part's form rules; their names are resolved against the symbols in _check_forms."""
    lists: dict[str, tuple[str, ...]] = {}
    for key in FORM_LISTS:
        value = raw.get(key, [])
        if isinstance(value, str):
            value = [v for v in (v.strip() for v in value.split(",")) if v]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            bad(f"{where}.{key}", "must be a list of names, like [\"x\", \"σ\"]")
            value = []
        lists[key] = tuple(v.strip() for v in value)
    literal = raw.get("literal", "any")
    if literal not in LITERALS:
        bad(f"{where}.literal", f"must be one of {', '.join(LITERALS)}")
        literal = "any"
    asks = raw.get("asks")
    if asks is not None and not (isinstance(asks, str) and asks.strip()):
        bad(f"{where}.asks", "must be the name of a declared symbol")
        asks = None
    factor = raw.get("factor")
    if factor is not None and not (isinstance(factor, str) and factor.strip()):
        bad(f"{where}.factor", "must be an expression in the answer language, like \"x - A^{-1} b\"")
        factor = None
    return Form(literal=literal, asks=asks.strip() if asks else None, factor=factor.strip() if factor else None,
                **lists)


PRECISION_KEYS = ("precision", "sigfigs", "decimals", "rel_tol", "abs_tol", "tolerance")


def _read_precision(raw: dict, where: str, bad: Bad) -> Precision:
    """The stated precision: one of precision = "exact", sigfigs = N, decimals = N, or rel_tol /
    abs_tol (tolerance is the older spelling of rel_tol). None stated: rel_tol 1e-6, as always."""
    given = [k for k in PRECISION_KEYS if k in raw]
    if not given:
        return Precision()
    policies = [k for k in given if k in ("precision", "sigfigs", "decimals")]
    if len(policies) > 1 or (policies and len(given) > 1) or {"rel_tol", "tolerance"} <= set(given):
        bad(f"{where}.{given[1]}", f"state one precision: {' or '.join(given)}, not both")
        return Precision()
    if given[0] == "precision":
        return _exact_precision(raw, where, bad)
    if given[0] in ("sigfigs", "decimals"):
        return _digits_precision(given[0], raw[given[0]], where, bad)
    return _tolerance_precision(raw, where, bad)


def _exact_precision(raw: dict, where: str, bad: Bad) -> Precision:
    if raw["precision"] != "exact":
        bad(f"{where}.precision", 'must be "exact" (or use sigfigs, decimals, rel_tol, abs_tol)')
        return Precision()
    return Precision("exact", stated=True)


def _digits_precision(key: str, digits: object, where: str, bad: Bad) -> Precision:
    low = 1 if key == "sigfigs" else 0
    if not isinstance(digits, int) or isinstance(digits, bool) or not low <= digits <= 15:
        bad(f"{where}.{key}", "must be a whole number of digits (sigfigs 1 to 15, decimals 0 to 15)")
        return Precision()
    return Precision(key, digits=digits, stated=True)


def _tolerance_precision(raw: dict, where: str, bad: Bad) -> Precision:
    tolerances = {}
    for key in ("rel_tol", "abs_tol", "tolerance"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1:
            bad(f"{where}.{key}", "must be a number in [0, 1)")
            return Precision()
        tolerances[key] = float(value)
    rel = tolerances.get("rel_tol", tolerances.get("tolerance", 0.0))
    return Precision("tolerance", rel_tol=rel, abs_tol=tolerances.get("abs_tol", rel * 1e-3), stated=True)


def _check_forms(exercise: Exercise, symbols: SymbolTable, values: dict, name: str) -> list[Problem]:
    """Every name in a form rule means something, and each written expected answer obeys its own
    part's rules (a rule that refuses the right answer would mark a correct learner wrong)."""
    from ..mathlang import MathError, read
    from .form import check_form, resolve
    from .variants import substitute

    problems = []
    for part in exercise.parts:
        form, where = part.form, f"parts.{part.name}"
        for key in FORM_LISTS:
            for item in getattr(form, key):
                if resolve(item, symbols) is None:
                    problems.append(Problem(name, f"{where}.{key}", f"{item!r} is neither a declared symbol nor a "
                                                                    f"function of the answer language"))
        if form.factor is not None:
            try:
                read(form.factor, symbols)
            except MathError as exc:
                problems.append(Problem(name, f"{where}.factor", f"cannot read {form.factor!r}: {exc.message}"))
        if form.asks is not None and not (resolve(form.asks, symbols) or "").startswith("sym:"):
            problems.append(Problem(name, f"{where}.asks", f"{form.asks!r} is not a declared symbol"))
        if part.kind == "points" and part.precision.stated:
            if part.precision.mode != "exact":
                problems.append(Problem(name, f"{where}.precision", 'a points part takes precision = "exact" only '
                                                                    "(critical points are matched as values)"))
        elif part.precision.stated and part.kind not in ("number", "expression", "matrix", "vector"):
            problems.append(Problem(name, f"{where}.precision", "a precision applies to numeric answers only"))
        elif part.precision.stated and part.kind != "number" and part.generator is None:
            try:
                read(substitute(str(part.answer), values, for_math=True), SymbolTable())
            except MathError:
                problems.append(Problem(name, f"{where}.precision", "a precision applies to numeric answers only "
                                                                    "(this answer is not a constant)"))
        if form.empty or part.kind not in ("expression", "matrix", "vector", "number") or part.generator:
            continue
        table = SymbolTable() if part.kind == "number" else symbols
        try:
            tree = read(substitute(str(part.answer), values, for_math=True), table).tree
        except MathError:
            continue  # reported by _check_expected_answers
        violation = check_form(form, tree, table)
        if violation is not None:
            problems.append(Problem(name, f"{where}.answer", f"breaks the part's own form rules: {violation.message}"))
    return problems


def _read_variables(raw: dict) -> tuple[str, ...]:
    variables = raw.get("variables", [])
    if isinstance(variables, str):
        return tuple(v.strip() for v in variables.split(","))
    return tuple(variables)


def _check_expected_answers(exercise: Exercise, name: str) -> list[Problem]:
    """Every written expected answer and listed mistake must parse with the declared symbols (seed-0
    parameters). Cheap on purpose: no sympy here (generated answers are checked by `validate`)."""
    from ..mathlang import MathError, read
    from ..mathlang.ast import Sym, walk
    from ..mathlang.shapes import format_shape
    from ..mathlang.symbols import canonical_name
    from .variants import draw_params, exercise_symbols, substitute

    try:
        values = draw_params(exercise, 0)
        symbols = exercise_symbols(exercise, values)
    except Exception as exc:  # an authoring error: report it, do not crash the bank
        return [Problem(name, "params", f"cannot build a variant: {exc}")]
    problems = _check_forms(exercise, symbols, values, name)
    defined: set[str] = set()
    for raw_name, text in exercise.definitions.items():
        key = canonical_name(raw_name)
        where = f"definitions.{raw_name}"
        if key not in symbols or symbols[key].is_function:
            problems.append(Problem(name, where, "define a declared (non-function) symbol"))
            continue
        try:
            typed = read(symbols.definitions[key], symbols)
        except MathError as exc:
            problems.append(Problem(name, where, f"{text!r}: {exc}"))
            continue
        used = {n.name for n in walk(typed.tree) if isinstance(n, Sym)}
        later = used & (set(symbols.definitions) - defined)
        if later:
            problems.append(Problem(name, where, f"uses {', '.join(sorted(later))}, defined later or itself"))
        if typed.shape != symbols[key].shape:
            problems.append(Problem(name, where, f"is {format_shape(typed.shape)}, but {raw_name} is declared "
                                                 f"{format_shape(symbols[key].shape)}"))
        defined.add(key)
    for part in exercise.parts:
        where = f"parts.{part.name}"
        texts = []
        if part.kind in ("expression", "matrix", "vector", "number") and part.generator is None:
            texts.append((f"{where}.answer", str(part.answer)))
        if part.kind in ("expression", "matrix", "vector", "number"):
            texts += [(f"{where}.mistakes", m.answer) for m in part.mistakes]
        if part.of:
            texts.append((f"{where}.of", part.of))
        table = symbols
        if part.kind == "steps":
            from .reading import part_symbols

            try:
                table = part_symbols(part, symbols)
            except MathError as exc:
                problems.append(Problem(name, f"{where}.differentials", exc.message))
                continue
            texts += [(f"{where}.{key}", text) for key, text in (("answer", part.answer), ("start", part.start))
                      if isinstance(text, str)]
            texts += [(f"{where}.mistakes", m.answer) for m in part.mistakes]
        for field_name, text in texts:
            text = substitute(text, values, for_math=True)
            try:
                read(text, table)
            except MathError as exc:
                problems.append(Problem(name, field_name, f"{text!r}: {exc}"))
    return problems
