"""The exercise bank's data model: exercises, parts and mistakes as plain frozen dataclasses.

Nothing here reads files or checks answers; see `loader` and `answers`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Form:
    """A part's form rules, as the author wrote them (names resolved against the variant's symbols)."""

    forbid: tuple[str, ...] = ()    # symbols, defined names or functions that may not appear
    only: tuple[str, ...] = ()      # if given, the only declared symbols that may appear
    free_of: tuple[str, ...] = ()   # variables the answer must not contain, even through a definition
    require: tuple[str, ...] = ()   # symbols or functions that must appear
    literal: str = "any"            # "column": a flat row literal [1, 2] is refused, not read as the column
    asks: str | None = None         # the quantity the part asks for: its name may not be the answer
    factor: str | None = None       # the answer is a product with this factor ("factored", "a matrix times e")

    @property
    def empty(self) -> bool:
        return self == Form()


MODES = ("tolerance", "exact", "sigfigs", "decimals")
DEFAULT_REL_TOL = 1e-6
EXACT_RTOL = 1e-9  # equal as computed in floating point: an exact form that is the answer


@dataclass(frozen=True)
class Precision:
    mode: str = "tolerance"
    digits: int = 0               # for sigfigs / decimals
    rel_tol: float = DEFAULT_REL_TOL
    abs_tol: float = DEFAULT_REL_TOL * 1e-3
    stated: bool = False          # False: the bank's old unstated default (nothing shown with the prompt)



SECTIONS = (
    ("gradients", "Gradients and directional derivatives"),
    ("jacobians", "Jacobians"),
    ("hessians", "Hessians and critical points"),
    ("matrix-derivatives", "Matrix derivatives"),
    ("backprop", "Chain rule and backpropagation"),
    ("convexity", "Convexity and KKT"),
    ("optimizers", "Optimizers"),
    ("applications", "Applications"),
    ("background", "Background: norms, eigenvalues, SVD"),
)
SECTION_TITLES = dict(SECTIONS)
SECTION_ORDER = {name: i for i, (name, _) in enumerate(SECTIONS)}


def section_title(section: str) -> str:
    """A section's heading; a section only a course bank has is titled after its folder
    (`linear-models` → "Linear models")."""
    return SECTION_TITLES.get(section) or section.replace("-", " ").replace("_", " ").capitalize()


def section_key(section: str) -> tuple[int, str]:
    """Chapter order: the package's sections first, then a course bank's own, alphabetically."""
    return (SECTION_ORDER[section], "") if section in SECTION_ORDER else (len(SECTION_ORDER), section)


KINDS = ("expression", "matrix", "vector", "choice", "points", "number", "steps", "iterates", "code")
LAYOUTS = ("column", "row", "either", "exact")
VERIFY_KINDS = ("gradient", "jacobian", "hessian", "differential", "value", "none")
GENERATORS = ("gradient", "hessian", "jacobian", "critical_points", "newton_step")
POINT_TYPES = ("minimum", "maximum", "saddle", "inconclusive")


@dataclass(frozen=True)
class MistakeSpec:
    answer: str
    feedback: str


@dataclass(frozen=True)
class Part:
    name: str
    kind: str
    prompt: str = ""
    answer: object = None  # str for most kinds; list of {at, type} for points
    layout: str = "exact"
    verify: str = "none"
    of: str | None = None
    wrt: str | None = None
    direction: str | None = None
    generator: str | None = None
    variables: tuple[str, ...] = ()
    at: str | None = None
    points: float = 1.0
    hints: tuple[str, ...] = ()
    mistakes: tuple[MistakeSpec, ...] = ()
    choices: tuple[str, ...] = ()
    tolerance: float = 1e-6
    stub: str | None = None
    reference: str | None = None
    challenge: str | None = None
    form: Form = Form()  # what the answer may, must and must not be written with (content/form.py)
    precision: Precision = Precision()  # how close a numeric answer must be (content/precision.py)
    start: str | None = None  # steps: the expression line 1 must equal
    differentials: str | None = None  # steps: variable-direction pairs, "x: dx, X: dX"
    method: str | None = None  # iterates: an optimizer of lab/registry.py
    objective: object = field(default=None, hash=False)  # iterates: a lab function name, or {A, b, c}
    lr: float | None = None  # iterates: the step size α (default: the method's)
    hyperparameters: dict = field(default_factory=dict, hash=False)  # iterates: β, β₁, …
    x0: tuple[float, ...] = ()  # iterates: the start point (TOML `start = [1, 1]`)
    count: int | None = None  # iterates: how many iterates are asked (TOML `k`)
    batches: tuple[tuple[int, ...], ...] = ()  # iterates (sgd): the examples, from 1, each step uses


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    section: str
    source: str
    difficulty: int
    statement: str
    symbols: dict = field(default_factory=dict, hash=False)
    params: dict = field(default_factory=dict, hash=False)
    definitions: dict = field(default_factory=dict, hash=False)  # symbol -> what it stands for
    parts: tuple[Part, ...] = ()
    path: Path | None = None
    tags: tuple[str, ...] = ()

    @property
    def randomized(self) -> bool:
        return bool(self.params)

    def part(self, name: str) -> Part | None:
        return next((p for p in self.parts if p.name == name), None)

    @property
    def max_score(self) -> float:
        return sum(p.points for p in self.parts)


@dataclass(frozen=True)
class Problem:
    """A defect found while loading: reported as `file: field: problem`."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"
