"""Sandbox side of the power-iteration challenge: the learner gets A only as an operator that
multiplies vectors (A @ x, x @ A), and every product is reported at once on the protocol pipe, so
the grader can check, outside, that the vectors multiplied follow power iteration.
Appended to driver.py (numpy, encode_array, trace, call_learner)."""
import numpy

PRODUCTS_PER_ITERATION = 3   # w = A x, the Rayleigh quotient, and one to spare (a residual check, say)
_ONLY = "in this challenge A is an operator: only A @ x (or x @ A) with a vector x works"


def _operator(matrix, num_iters):
    n = matrix.shape[0]
    count = [0]
    limit = PRODUCTS_PER_ITERATION * num_iters + 10

    def product(x):
        v = numpy.asarray(x, dtype=float)
        if v.shape not in ((n,), (n, 1)):
            raise TypeError(f"A can only multiply one vector of length {n} at a time, not shape {v.shape}")
        count[0] += 1
        if count[0] > limit:
            raise RuntimeError(f"more than {limit} products with A in {num_iters} iterations: power iteration "
                               f"needs one or two per iteration")
        trace(v.reshape(-1).tolist())  # noqa: F821 - defined by driver.py
        return (matrix @ v.reshape(-1)).reshape(v.shape)

    class Operator:
        """A symmetric n×n matrix that can only be multiplied by vectors."""
        __array_ufunc__ = None   # so that ndarray @ A asks A.__rmatmul__
        __slots__ = ()
        shape = (n, n)
        ndim = 2

        def __matmul__(self, x):
            return product(x)

        __rmatmul__ = __matmul__  # A is symmetric: xᵀA = (Ax)ᵀ
        dot = __matmul__

        @property
        def T(self):
            return self

        def __len__(self):
            return n

        def __array__(self, *args, **kwargs):
            raise TypeError(_ONLY)

        def __getitem__(self, key):
            raise TypeError(_ONLY)

        def __iter__(self):
            raise TypeError(_ONLY)

        def __repr__(self):
            return f"<A: a symmetric {n}×{n} matrix; {_ONLY}>"

    return Operator()


def run_test(module, name, payload):
    given = numpy.asarray(payload["x0"], dtype=float)
    operator = _operator(numpy.asarray(payload["A"], dtype=float), payload["kwargs"].get("num_iters", 1000))
    result = call_learner(module.power_iteration, operator, given, **payload["kwargs"])  # noqa: F821
    lam, v = result
    return {"lambda": float(lam), "v": encode_array(v), "x0_after": encode_array(given)}  # noqa: F821
