"""Power iteration: the eigenvalue of largest magnitude of a symmetric matrix, and its eigenvector.

Repeat  w = A x,  x = w / ‖w‖,  λ = xᵀ A x  until λ settles. Use numpy only. While your code
is graded, A is an operator you can only multiply by a vector (A @ x, or x @ A): the grader
counts the products and checks that each multiplies the current iterate.
"""
import numpy as np


def power_iteration(A, x0, num_iters=1000, tol=1e-12):
    """Return (λ, v): λ the Rayleigh quotient vᵀAv, v a unit vector (norm 1).

    Start from x0 (do not modify it). Stop after ``num_iters`` iterations, or earlier once
    |λₖ − λₖ₋₁| ≤ tol · |λₖ|.
    """
    raise NotImplementedError("power_iteration is not written yet")
