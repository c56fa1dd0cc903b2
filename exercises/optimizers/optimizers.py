"""SGD, momentum and Adam from scratch, compared on the Rosenbrock function.

Fill in the functions below with numpy only. Each optimizer receives ``grad``, a function that
returns the gradient (possibly noisy, for SGD) at a point: call it exactly once per step. Each
returns the whole path as an array of shape (steps + 1, 2): row 0 is x0, row k the point after
k steps. Do not modify x0.
"""
import numpy as np


def rosenbrock(x):
    """f(x, y) = (1 − x)² + 100 (y − x²)², for x = np.array([x, y])."""
    raise NotImplementedError("rosenbrock is not written yet")


def rosenbrock_grad(x):
    """The gradient of rosenbrock at x, as an array of shape (2,)."""
    raise NotImplementedError("rosenbrock_grad is not written yet")


def sgd(grad, x0, lr, steps):
    """x ← x − lr · g, with g = grad(x)."""
    raise NotImplementedError("sgd is not written yet")


def momentum(grad, x0, lr, beta, steps):
    """v ← beta · v + g, then x ← x − lr · v, with v starting at 0."""
    raise NotImplementedError("momentum is not written yet")


def adam(grad, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
    x ← x − lr · m̂ / (√v̂ + eps), for t = 1, 2, …, steps, with m and v starting at 0."""
    raise NotImplementedError("adam is not written yet")


if __name__ == "__main__":
    # Try it: compare how close each method gets to the minimum (1, 1).
    start = np.array([-1.2, 1.0])
    for name, path in [("sgd", sgd(rosenbrock_grad, start, 1e-3, 3000)),
                       ("momentum", momentum(rosenbrock_grad, start, 1e-3, 0.9, 3000)),
                       ("adam", adam(rosenbrock_grad, start, 0.05, 3000))]:
        print(f"{name:9s} f = {rosenbrock(path[-1]):.3e} at {path[-1]}")
