"""Independent verification of the bank's expected answers: finite differences of the part's
function at random instances (gradients, Jacobians, Hessians, differentials), direct evaluation
for values, and gradient ≈ 0 plus Hessian eigenvalues for critical points.

Used by the tests and by `mcalc-tutor validate --deep`; it trusts nothing an author wrote except
the function `of` itself.
"""
from __future__ import annotations

import numpy as np

from ..checking.sampling import sample_instance, seed_for, size_assignments
from ..mathlang import MathError, SymbolTable, read
from ..mathlang.evaluate import DomainError, evaluate
from ..mathlang.symbols import canonical_name
from .model import Exercise, Problem
from .variants import Variant, make_variant

H1, H2 = 1e-6, 1e-4
TOL1, TOL2 = 1e-5, 1e-3


def verify_exercise(ex: Exercise, seeds=(0,)) -> list[Problem]:
    problems = []
    for seed in seeds:
        try:
            variant = make_variant(ex, seed)
        except Exception as exc:
            return [Problem(ex.id, "params", f"seed {seed}: cannot build a variant: {exc}")]
        for part in variant.parts:
            try:
                message = verify_part(variant, part)
            except (MathError, DomainError, ValueError, KeyError) as exc:
                message = f"could not verify: {exc}"
            if message:
                problems.append(Problem(ex.id, f"parts.{part.name}", f"seed {seed}: {message}"))
    return problems


def verify_part(variant: Variant, part) -> str | None:
    """None when the expected answer checks out; otherwise what is wrong."""
    symbols = variant.symbols
    if part.kind == "points":
        return _verify_points(variant, part)
    if part.verify == "none" or part.kind in ("code", "choice"):
        return None
    f = read(part.of, symbols)
    g = read(str(part.answer), symbols)
    rng = np.random.default_rng(seed_for(variant.exercise.id, part.name))
    for sizes in size_assignments(symbols)[:2]:
        for _ in range(3):
            inst = _instance(symbols, sizes, rng, f)
            if inst is None:
                return "the function is undefined at every sample"
            message = _verify_at(part, symbols, f, g, inst, rng)
            if message:
                return message
    return None


def _instance(symbols, sizes, rng, f):
    for _ in range(30):
        try:
            inst = sample_instance(symbols, sizes, rng)
            evaluate(f, inst.values, inst.sizes, inst.functions)
            return inst
        except DomainError:
            continue
    return None


def _vars(part, symbols: SymbolTable) -> list[str]:
    return [canonical_name(v.strip()) for v in str(part.wrt).split(",") if v.strip()]


def _verify_at(part, symbols, f, g, inst, rng) -> str | None:
    values, sizes, funcs = inst.values, inst.sizes, inst.functions

    def F(vals):
        return evaluate(f, vals, sizes, funcs)

    expected = evaluate(g, values, sizes, funcs)
    if part.verify == "value":
        actual = F(values)
        if actual.shape != expected.shape or not np.allclose(actual, expected, rtol=1e-6, atol=1e-9):
            return f"answer {part.answer!r} = {expected.ravel()[:6]} but `of` gives {actual.ravel()[:6]}"
        return None
    names = _vars(part, symbols)
    directions = {n: rng.standard_normal(values[n].shape) for n in names}

    def moved(t, dirs=directions):
        out = dict(values)
        for n in names:
            out[n] = values[n] + t * dirs[n]
        return out  # defined symbols (δ = ∂L/∂z) stay fixed: `of` is the local function the part means

    def stack(dirs):
        return np.concatenate([dirs[n].reshape(-1, 1, order="F") for n in names])

    if part.verify == "differential":
        d = canonical_name(part.direction)
        dirs = {n: values[d] for n in names}
        fd = (F(moved(H1, dirs)) - F(moved(-H1, dirs))) / (2 * H1)
        return _compare(expected, fd, "differential")
    if part.verify in ("gradient", "jacobian"):
        fd = (F(moved(H1)) - F(moved(-H1))) / (2 * H1)
        if part.verify == "gradient":
            if fd.shape != (1, 1):
                return "`of` is not scalar-valued"
            if len(names) == 1:
                grad = expected.T if part.layout == "row" else expected
                if grad.shape != values[names[0]].shape:
                    return f"the gradient has shape {expected.shape}, the variable {values[names[0]].shape}"
                predicted = np.sum(grad * directions[names[0]])
            else:
                predicted = float(expected.ravel() @ stack(directions).ravel())
            return _compare(np.array([[predicted]]), fd, "directional derivative")
        jac = expected
        v = stack(directions)
        if jac.shape[1] != v.shape[0]:
            return f"Jacobian has {jac.shape[1]} columns but the variables have {v.shape[0]} entries"
        return _compare(jac @ v, fd.reshape(-1, 1, order="F"), "Jacobian-vector product")
    if part.verify == "hessian":
        other = {n: rng.standard_normal(values[n].shape) for n in names}
        h = H2

        def both(s, t):
            out = dict(values)
            for n in names:
                out[n] = values[n] + s * directions[n] + t * other[n]
            return out

        fd = (F(both(h, h)) - F(both(h, -h)) - F(both(-h, h)) + F(both(-h, -h))) / (4 * h * h)
        predicted = stack(directions).T @ expected @ stack(other)
        return _compare(predicted, fd, "second directional derivative", tol=TOL2)
    return None


def _compare(predicted, fd, what, tol=TOL1) -> str | None:
    scale = max(1.0, float(np.max(np.abs(fd))))
    if predicted.shape != fd.shape or np.max(np.abs(predicted - fd)) > tol * scale:
        return f"{what}: the answer predicts {predicted.ravel()[:4]} but finite differences give {fd.ravel()[:4]}"
    return None


def _verify_points(variant: Variant, part) -> str | None:
    """Each point: gradient ≈ 0 by finite differences, classification from Hessian eigenvalues."""
    symbols = variant.symbols
    f = read(part.of, symbols)
    names = [canonical_name(v) for v in part.variables]
    for p in part.answer:
        point = evaluate(read(p["at"], SymbolTable()), {}, {}).ravel()

        def F(x):
            vals = {n: np.array([[x[i]]]) for i, n in enumerate(names)}
            return evaluate(f, vals, {}, {})[0, 0]

        k = len(point)
        grad = np.array([(F(point + H1 * e) - F(point - H1 * e)) / (2 * H1) for e in np.eye(k)])
        if np.max(np.abs(grad)) > 1e-5:
            return f"{p['at']} is not a critical point (gradient ≈ {grad})"
        hess = np.array([[(F(point + H2 * (ei + ej)) - F(point + H2 * (ei - ej)) - F(point - H2 * (ei - ej))
                           + F(point - H2 * (ei + ej))) / (4 * H2 * H2) for ej in np.eye(k)] for ei in np.eye(k)])
        eig = np.linalg.eigvalsh((hess + hess.T) / 2)
        if np.min(np.abs(eig)) < 1e-3:
            kind = "inconclusive"
        elif np.all(eig > 0):
            kind = "minimum"
        elif np.all(eig < 0):
            kind = "maximum"
        else:
            kind = "saddle"
        if kind != p["type"]:
            return f"{p['at']} is a {kind} by its Hessian eigenvalues {eig}, not a {p['type']}"
    return None
