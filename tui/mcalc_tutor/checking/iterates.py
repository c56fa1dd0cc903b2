"""Iterates of an optimizer, checked one update at a time against the lab's rules.

The learner gives k iterates of a method (points, or the state (m, v, x) for Adam). Iterate k is
judged as one update of `lab.optimizers.RULES[method]` from the learner's own iterate k − 1 (error
carried forward), so one slip costs one step. The rules live only in the lab: a wrong step is
explained by running the same rule on altered inputs — the gradient scaled by (1 − β), the step
count pushed to infinity (no bias correction), the step size squared, the gradient from another
point, the sibling rule, a stale or uninverted Hessian, another step's mini-batch — and naming
the variant whose result the learner's iterate matches. Feedback names the step and the likely
cause, never the expected iterate.

SGD is checkable by hand only when the part states its data (a small least-squares problem) and
which examples each step uses: the lab's own SGD rule then runs on that batch sequence.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..lab.objectives import Objective, least_squares_on, make_objective
from ..lab.optimizers import OPTIMIZERS, StepContext
from ..lab.registry import OPTIMIZER_INFO
from ..mathlang import MathError, SymbolTable, read
from ..mathlang.evaluate import DomainError, evaluate
from .verdict import CORRECT, INCORRECT, INVALID, PARTIAL, Diagnostic, Verdict

__all__ = ["IterateStep", "IteratesVerdict", "Method", "STATE", "check_iterates", "method", "objective_from",
           "quadratic_objective", "read_iterates"]

Array = np.ndarray

STATE: dict[str, tuple[str, ...]] = {name: info.state for name, info in OPTIMIZER_INFO.items()}
"""The state each method carries besides x, as the learner names it: the registry's `state`
(optional where `state_from_points`: momentum's and Nesterov's v follows from the points)."""
INFERRED = frozenset(name for name, info in OPTIMIZER_INFO.items() if info.state_from_points)
TOLERANCE = 1e-3
"""Relative, per component: hand-computed iterates are rounded to about four digits."""
MAX_ITERATES = 50
POINT_NAMES = {"w": "x"}
"""Labels a learner may give the point besides x: w, the weights of a fit to data (SGD's iterates)."""
_NEVER = 10 ** 6  # a step count at which β₁ᵗ and β₂ᵗ are 0.0: Adam's rule without bias correction


@dataclass(frozen=True)
class Method:
    """What an iterates part fixes: the optimizer (a registry name), the objective, α, the other
    hyperparameters (the registry's defaults, overridden by the part's), the start point and, for
    SGD, the mini-batch of each step (0-based example indices)."""

    name: str
    objective: Objective
    lr: float
    params: Mapping[str, float]
    x0: Array
    batches: tuple[tuple[int, ...], ...] = ()

    def context(self, lr: float | None = None, objective: Objective | None = None,
                batches: Sequence[Sequence[int]] | None = None) -> StepContext:
        """The lab's StepContext for this part, or for a variant of it (another step size, an
        objective with a different Hessian, another batch sequence)."""
        chosen = self.batches if batches is None else batches
        params = {**self.params, "batches": chosen} if chosen else self.params
        return StepContext(objective or self.objective, self.lr if lr is None else lr, params,
                           np.random.default_rng(0))


def quadratic_objective(A: Sequence[Sequence[float]], b: Sequence[float], c: float = 0.0) -> Objective:
    """f(x) = ½xᵀAx − bᵀx + c, for a part that states its quadratic (A symmetric)."""
    a = np.array(A, dtype=float)
    bv = np.array(b, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] != bv.shape[0] or not np.allclose(a, a.T):
        raise ValueError("a quadratic needs a symmetric n×n A and b of length n")

    def value(x: Array) -> Array:
        x = np.asarray(x, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", x, a, x) - x @ bv + c

    return Objective(name="quadratic", title="½xᵀAx − bᵀx", dim=len(bv), value=value,
                     grad=lambda x: a @ x - bv, hess=lambda x: a, x0=np.zeros(len(bv)), optima=None)


def objective_from(spec: object) -> Objective:
    """A part's objective: a lab registry name ("rosenbrock"), a table {A, b, c} of a quadratic, or
    a table {X, y} of least squares (1/2m)‖Xw − y‖² on stated data (one example per row)."""
    if isinstance(spec, str):
        try:
            return make_objective(spec)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
    if isinstance(spec, Mapping) and set(spec) == {"X", "y"}:
        try:
            return least_squares_on(np.array(spec["X"], dtype=float), np.array(spec["y"], dtype=float))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"objective: {exc}") from None
    if isinstance(spec, Mapping) and "A" in spec and "b" in spec and set(spec) <= {"A", "b", "c"}:
        try:
            return quadratic_objective(spec["A"], spec["b"], float(spec.get("c", 0.0)))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"objective: {exc}") from None
    raise ValueError("objective: give a lab function name, a quadratic { A = [[…]], b = […] } "
                     "or least squares { X = [[…]], y = […] }")


def method(name: str, objective: Objective | str, *, lr: float | None = None, x0: Sequence[float] | None = None,
           params: Mapping[str, float] | None = None, batches: Sequence[Sequence[int]] = (),
           **objective_options: Any) -> Method:
    """A Method from registry names; raises ValueError for what cannot be checked by hand.
    `batches`: for SGD, the examples each step uses, numbered from 1 as a part states them."""
    if name not in OPTIMIZER_INFO:
        raise ValueError(f"unknown method {name!r} (choose from {', '.join(OPTIMIZER_INFO)})")
    if name not in STATE or (name == "sgd" and not batches):
        raise ValueError(f"{name} is random (noise or mini-batches): its iterates cannot be checked by hand"
                         + (" unless the part states the examples of each step (batches)" if name == "sgd" else ""))
    obj = make_objective(objective, **objective_options) if isinstance(objective, str) else objective
    chosen = _batches(name, obj, batches)
    info = OPTIMIZER_INFO[name]
    unknown = set(params or {}) - set(info.params)
    if unknown:
        raise ValueError(f"{name} has no hyperparameter {', '.join(sorted(unknown))} "
                         f"(it has {', '.join(info.params) or 'only the step size'})")
    start = obj.x0 if x0 is None else np.asarray(x0, dtype=float)
    if start.shape != (obj.dim,):
        raise ValueError(f"the start point needs {obj.dim} coordinates")
    return Method(name, obj, info.default_lr if lr is None else float(lr), {**info.params, **(params or {})},
                  start, chosen)


def _batches(name: str, obj: Objective, batches: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    """The stated mini-batches, 0-based; only SGD on a finite sum takes them."""
    if not batches:
        return ()
    if name != "sgd" or obj.n_samples is None:
        raise ValueError("batches are for sgd on a finite sum (least squares { X = …, y = … })")
    out = []
    for i, batch in enumerate(batches, start=1):
        if not (isinstance(batch, Sequence) and batch and
                all(isinstance(j, int) and 1 <= j <= obj.n_samples for j in batch)):
            raise ValueError(f"batch {i}: example numbers from 1 to {obj.n_samples}")
        out.append(tuple(j - 1 for j in batch))
    return tuple(out)


# --- reading what the learner wrote -----------------------------------------------------------------

Iterate = dict[str, Array]
"""One iterate as given: "x" and any state components ("m", "v", "s"), each a vector."""

_ASSIGNMENT = re.compile(r"^\s*([^\W\d_₀-₉]+)\s*(?:_?\s*\{?\s*[0-9₀-₉]*\s*\}?)?\s*=(.*)$", re.S)


class IterateError(ValueError):
    """An iterate that cannot be read: which one (1-based) and why."""

    def __init__(self, index: int, message: str):
        super().__init__(f"iterate {index}: {message}")
        self.index = index


def read_iterates(text: str, m: Method) -> list[Iterate]:
    """"(1, 2)" per line (or "m = (…), v = (…), x = (…)" for a stateful method); `;` at top level
    also separates iterates. Raises IterateError naming the iterate."""
    items = [item for item in _top_level_split(text.replace("\n", ";"), ";") if item.strip()]
    if not items:
        raise IterateError(1, "no iterates given: write one point per line, e.g. (1, 2)")
    if len(items) > MAX_ITERATES:
        raise IterateError(MAX_ITERATES + 1, f"too many iterates (at most {MAX_ITERATES})")
    needed = STATE[m.name] if m.name not in INFERRED else ()
    allowed = ("x", *STATE[m.name])
    out = []
    for k, item in enumerate(items, start=1):
        parts = _top_level_split(item, ",")
        named = [_ASSIGNMENT.match(p) for p in parts]
        iterate: Iterate = {}
        if all(named) and len(parts) > 0 and any(named):
            for match in named:
                assert match is not None
                key = POINT_NAMES.get(match[1], match[1])
                if key not in allowed:
                    raise IterateError(k, f"unknown component {match[1]!r} (give {', '.join(allowed)})")
                if key in iterate:
                    raise IterateError(k, f"{match[1]} is given twice: write one iterate per line")
                iterate[key] = _vector(match[2], m.objective.dim, k, key)
        elif _ASSIGNMENT.match(item) and "=" in item and not any(named):
            raise IterateError(k, "cannot read it: write x = (…) or just the point")
        elif len(parts) > 1 and "=" not in item:  # "1.5, 2" without brackets, or two points on a line
            if all(p.strip()[:1] in "([" and p.strip()[:1] for p in parts):
                raise IterateError(k, "several points on one line: write one iterate per line")
            iterate["x"] = _vector(f"({item})", m.objective.dim, k, "x")
        else:
            iterate["x"] = _vector(item, m.objective.dim, k, "x")
        missing = [c for c in ("x", *needed) if c not in iterate]
        if missing:
            example = ", ".join(f"{c} = (…)" for c in (*STATE[m.name], "x"))
            raise IterateError(k, f"give {', '.join(missing)} as well (e.g. {example})")
        out.append(iterate)
    return out


def _top_level_split(text: str, sep: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def _vector(text: str, n: int, k: int, name: str) -> Array:
    try:
        value = evaluate(read(text.strip(), SymbolTable()), {}, {})
    except MathError as exc:
        raise IterateError(k, f"{name}: {exc}") from None
    except DomainError as exc:
        raise IterateError(k, f"{name}: {exc}") from None
    flat = np.asarray(value, dtype=float).ravel()
    if flat.shape != (n,) or not np.all(np.isfinite(flat)):
        raise IterateError(k, f"{name} needs {n} finite number{'s' * (n > 1)}, got {flat.size}")
    return flat


# --- judging ---------------------------------------------------------------------------------------

@dataclass
class IterateStep:
    k: int
    ok: bool
    cause: str | None = None    # the code of a recognised variant, or "unknown"
    message: str = ""
    wrong: tuple[str, ...] = ()  # the components that are off ("x", "m", "v")


@dataclass
class IteratesVerdict:
    status: str
    score: float
    message: str
    first_wrong: int | None = None
    steps: list[IterateStep] = field(default_factory=list)

    def as_verdict(self, read_as: str | None = None) -> Verdict:
        """The Verdict the grader and the app show: one diagnostic per wrong step; `read_as` is the
        iterates as the reader saw them (the preview's reading), else a count of the right steps."""
        diagnostics = [Diagnostic(s.cause or "value", s.message) for s in self.steps if not s.ok]
        shown = read_as or (f"{sum(s.ok for s in self.steps)} of {len(self.steps)} steps right" if self.steps else None)
        return Verdict(self.status, self.score, self.message, interpreted=shown, diagnostics=diagnostics)


def check_iterates(m: Method, given: Sequence[Iterate] | str, k: int | None = None) -> IteratesVerdict:
    """Judge each iterate as one update from the learner's previous one; `k`: how many are asked."""
    try:
        iterates = read_iterates(given, m) if isinstance(given, str) else [dict(i) for i in given]
    except IterateError as exc:
        return IteratesVerdict(INVALID, 0.0, str(exc))
    if k is not None and len(iterates) != k:
        return IteratesVerdict(INVALID, 0.0, f"give exactly {k} iterate{'s' * (k > 1)} (you gave {len(iterates)})")
    if m.batches and len(iterates) > len(m.batches):
        return IteratesVerdict(INVALID, 0.0, f"only {len(m.batches)} mini-batches are given: "
                                             f"give at most {len(m.batches)} iterates")
    spec = OPTIMIZERS[m.name]
    ctx = m.context()
    state = spec.init(m.x0, ctx)
    points = [m.x0]
    steps = []
    for step_no, mine in enumerate(iterates, start=1):
        prev = points[-1]
        state = _learner_state(m, state, points, iterates, step_no)
        try:
            with np.errstate(all="ignore"):
                x_new, s_new = spec.update(prev, m.objective.grad(prev), state, ctx, step_no)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError, ZeroDivisionError):
            x_new = None
        if x_new is None or not np.all(np.isfinite(x_new)):
            steps.append(IterateStep(step_no, False, "undefined", f"Step {step_no} cannot be taken from "
                                     f"x_{step_no - 1} (the update is undefined or infinite there)."))
            points.append(mine["x"])
            continue
        wanted = {"x": x_new, **_components(m.name, s_new)}
        wrong = tuple(c for c in ("x", *STATE[m.name]) if c in mine and not _close(mine[c], wanted[c]))
        if wrong:
            cause, message = _cause(m, state, points, mine, step_no, wanted, wrong)
            steps.append(IterateStep(step_no, False, cause, message, wrong))
        else:
            steps.append(IterateStep(step_no, True))
        state = s_new
        points.append(mine["x"])
    return _verdict(steps)


def _learner_state(m: Method, state: Any, points: list[Array], iterates: Sequence[Iterate], k: int) -> Any:
    """The state step k starts from: the learner's own (given, or for momentum implied by their
    points), or the rule's initial state at step 1."""
    if k == 1:
        return state
    mine = iterates[k - 2]
    if m.name in INFERRED:
        return mine["v"] if "v" in mine else (points[-2] - points[-1]) / m.lr
    names = STATE[m.name]
    if not names:
        return state  # gd, newton: no state a learner writes (sgd's batches stay the rule's own)
    return mine[names[0]] if len(names) == 1 else tuple(mine[n] for n in names)


def _components(name: str, state: Any) -> dict[str, Array]:
    """The rule's state as the learner names it (the registry's `state`: Adam's (m, v) in that order)."""
    names = STATE[name]
    if not names:
        return {}
    return {names[0]: state} if len(names) == 1 else dict(zip(names, state, strict=True))


def _close(a: Array, b: Array, tol: float = TOLERANCE) -> bool:
    scale = max(float(np.max(np.abs(b))), float(np.max(np.abs(a))), 1e-12)
    return bool(np.all(np.abs(a - b) <= tol * scale + 1e-12))


Variant = tuple[str, str, Callable[[], "tuple[Array, Any]"]]
"""(code, message, the update under the variant): the same lab rule on altered inputs."""


def _variants(m: Method, state: Any, points: list[Array], k: int) -> list[Variant]:
    spec, ctx = OPTIMIZERS[m.name], m.context()
    prev = points[-1]
    grad = m.objective.grad
    g = grad(prev)
    out: list[Variant] = []
    if m.name == "momentum":
        beta = m.params["beta"]
        out.append(("momentum-ema", f"Step {k} uses v ← βv + (1−β)∇f; the chapter's momentum is v ← βv + ∇f "
                                    f"(no (1−β) factor).",
                    lambda: spec.update(prev, (1 - beta) * g, state, ctx, k)))
        out.append(("wrong-point", f"Step {k} takes the gradient at the look-ahead point x − αβv (that is "
                                   f"Nesterov); heavy-ball momentum takes it at x_{k - 1}.",
                    lambda: OPTIMIZERS["nesterov"].update(prev, g, state, ctx, k)))
    if m.name == "nesterov":
        out.append(("wrong-point", f"Step {k} takes the gradient at x_{k - 1}; Nesterov takes it at the "
                                   f"look-ahead point x_{k - 1} − αβv.",
                    lambda: OPTIMIZERS["momentum"].update(prev, g, state, ctx, k)))
        damped = dataclasses.replace(m.objective, grad=lambda p: (1 - m.params["beta"]) * grad(p))
        out.append(("momentum-ema", f"Step {k} uses v ← βv + (1−β)∇f; Nesterov's velocity adds the full "
                                    f"look-ahead gradient, v ← βv + ∇f(x − αβv) (no (1−β) factor).",
                    lambda: spec.update(prev, g, state, m.context(objective=damped), k)))
    if m.name == "adam":
        out.append(("bias-correction", f"Step {k} leaves out the bias correction: the update uses "
                                       f"m̂ = m/(1−β₁ᵗ) and v̂ = v/(1−β₂ᵗ), with t = {k}.",
                    lambda: spec.update(prev, g, state, ctx, _NEVER)))
    if m.name == "newton":
        out.extend(_newton_variants(m, state, points, k))
    if m.name == "sgd":
        out.extend(_sgd_variants(m, state, prev, g, k))
    out.append(("lr-twice", f"Step {k} applies the step size α twice.",
                lambda: spec.update(prev, g, state, m.context(m.lr * m.lr), k)))
    elsewhere = [(f"x_{k - 2}", points[-2])] if k >= 2 else []
    if k >= 3:
        elsewhere.append(("the start point x_0", m.x0))
    def gradient_at(point: Array) -> Callable[[], tuple[Array, Any]]:
        return lambda: spec.update(prev, grad(point), state, ctx, k)

    for where, point in elsewhere:
        out.append(("wrong-point", f"Step {k} takes the gradient at {where}; it belongs at x_{k - 1}.",
                    gradient_at(point)))
    return out


def _newton_variants(m: Method, state: Any, points: list[Array], k: int) -> list[Variant]:
    """Newton's rule with the wrong matrix: the Hessian itself in place of its inverse, none at all
    (a gradient step), or the Hessian of an earlier point (the chord method)."""
    spec, obj = OPTIMIZERS["newton"], m.objective
    prev = points[-1]
    g = obj.grad(prev)

    def with_hessian(hessian: Callable[[], Array]) -> Callable[[], tuple[Array, Any]]:
        def run() -> tuple[Array, Any]:
            fixed = hessian()
            return spec.update(prev, g, state, m.context(objective=dataclasses.replace(obj, hess=lambda _x: fixed)), k)
        return run

    out: list[Variant] = [
        ("hessian-not-inverted", f"Step {k} multiplies the gradient by the Hessian; Newton's step uses its "
                                 f"inverse: solve ∇²f(x_{k - 1}) d = ∇f(x_{k - 1}), then subtract d.",
         with_hessian(lambda: np.linalg.inv(obj.hess(prev)))),
        ("gradient-step", f"Step {k} is a plain gradient step; Newton's step rescales the gradient by the "
                          f"inverse Hessian at x_{k - 1}.",
         lambda: OPTIMIZERS["gd"].update(prev, g, None, m.context(), k)),
    ]
    earlier = [(f"x_{k - 2}", points[-2])] if k >= 2 else []
    if k >= 3:
        earlier.append(("the start point x_0", m.x0))

    def hessian_at(point: Array) -> Callable[[], Array]:
        return lambda: obj.hess(point)

    for where, point in earlier:
        out.append(("hessian-stale", f"Step {k} uses the Hessian at {where}; Newton evaluates ∇²f afresh at "
                                     f"x_{k - 1} (an old Hessian costs the fast convergence).",
                    with_hessian(hessian_at(point))))
    return out


def _examples(batch: Sequence[int]) -> str:
    numbers = [str(j + 1) for j in batch]
    return "example " + numbers[0] if len(numbers) == 1 else \
        "examples " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _sgd_variants(m: Method, state: Any, prev: Array, g: Array, k: int) -> list[Variant]:
    """SGD's rule on the wrong sample: every example (the full gradient), the batch's summed
    gradients instead of their mean, or the mini-batch of another step."""
    spec = OPTIMIZERS["sgd"]
    batch = m.batches[k - 1]
    out: list[Variant] = [
        ("full-gradient", f"Step {k} uses the gradient of the whole sum; an SGD step uses only the mean "
                          f"gradient of its mini-batch ({_examples(batch)}).",
         lambda: OPTIMIZERS["gd"].update(prev, g, None, m.context(), k)),
    ]
    if len(batch) > 1:
        out.append(("batch-sum", f"Step {k} adds up the gradients of its examples; the mini-batch gradient is "
                                 f"their mean (divide by the batch size, {len(batch)}).",
                    lambda: spec.update(prev, g, state, m.context(lr=m.lr * len(batch)), k)))

    def on_batch(other: tuple[int, ...]) -> Callable[[], tuple[Array, Any]]:
        def run() -> tuple[Array, Any]:
            ctx = m.context(batches=(other,))
            return spec.update(prev, g, spec.init(prev, ctx), ctx, k)
        return run

    for j, other in enumerate(m.batches, start=1):
        if sorted(other) != sorted(batch):
            out.append(("wrong-batch", f"Step {k} uses the mini-batch of step {j} ({_examples(other)}); "
                                       f"step {k} uses {_examples(batch)}.", on_batch(other)))
    return out


def _cause(m: Method, state: Any, points: list[Array], mine: Iterate, k: int, wanted: dict[str, Array],
           wrong: tuple[str, ...]) -> tuple[str, str]:
    """The recognised variant the learner's iterate matches, or what is off."""
    prev = points[-1]
    if "x" in wrong and _close(mine["x"], prev - (wanted["x"] - prev)) and not _close(wanted["x"], prev):
        return "sign", f"Step {k} goes the wrong way: the update subtracts the step (x ← x − …); yours adds it."
    for code, message, run in _variants(m, state, points, k):
        try:
            with np.errstate(all="ignore"):
                x_alt, s_alt = run()
        except (np.linalg.LinAlgError, ValueError, FloatingPointError, ZeroDivisionError):
            continue
        alt = {"x": x_alt, **_components(m.name, s_alt)}
        if all(_close(alt[c], wanted[c]) for c in alt if c in mine):
            continue  # this variant gives the right answer here: it explains nothing
        if all(_close(mine[c], alt[c]) for c in alt if c in mine):
            return code, message
    names = " and ".join(f"{c}_{k}" for c in wrong)
    return "unknown", f"Step {k} is not one update of {OPTIMIZER_INFO[m.name].label} from x_{k - 1}: " \
                      f"{names} {'is' if len(wrong) == 1 else 'are'} off."


def _verdict(steps: list[IterateStep]) -> IteratesVerdict:
    if not steps:
        return IteratesVerdict(INVALID, 0.0, "no iterates given")
    passed = sum(s.ok for s in steps)
    score = passed / len(steps)
    if passed == len(steps):
        return IteratesVerdict(CORRECT, 1.0, "Correct: every iterate is one update from the one before.", None, steps)
    wrong = [s for s in steps if not s.ok]
    message = wrong[0].message
    same = [s.k for s in wrong[1:] if s.cause == wrong[0].cause and s.cause != "unknown"]
    others = len(wrong) - 1 - len(same)
    if same:
        message += f" The same slip is in step{'s' * (len(same) > 1)} {', '.join(map(str, same))}."
    if others:
        message += f" Each step is judged from your own previous iterate: {others} other " \
                   f"step{'s' * (others > 1)} {'is' if others == 1 else 'are'} off."
    return IteratesVerdict(PARTIAL if passed else INCORRECT, score, message, wrong[0].k, steps)
