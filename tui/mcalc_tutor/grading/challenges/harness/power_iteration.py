"""Sandbox side of the power-iteration challenge: calls power_iteration with numpy's eigen-solvers
switched off, and returns λ, v and the starting vector as it was left.
Appended to driver.py (numpy, encode_array)."""
import numpy

_SOLVERS = ("eig", "eigh", "eigvals", "eigvalsh", "svd")


def _refuse(name):
    def solver(*args, **kwargs):
        raise RuntimeError(f"numpy.linalg.{name} is switched off in this challenge: find the eigenvector by power iteration")
    return solver


def run_test(module, name, payload):
    A = numpy.asarray(payload["A"], dtype=float)
    x0 = numpy.asarray(payload["x0"], dtype=float)
    given = x0.copy()
    saved = {n: getattr(numpy.linalg, n) for n in _SOLVERS}
    for n in _SOLVERS:
        setattr(numpy.linalg, n, _refuse(n))
    try:
        result = module.power_iteration(A.copy(), given, **payload["kwargs"])
    finally:
        for n, solver in saved.items():
            setattr(numpy.linalg, n, solver)
    lam, v = result
    return {"lambda": float(lam), "v": encode_array(v), "x0_after": encode_array(given)}  # noqa: F821
