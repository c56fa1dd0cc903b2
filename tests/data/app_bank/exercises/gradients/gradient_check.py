"""Gradient checking: compare a hand-derived gradient with a centered finite difference.

Fill in the three functions below. Use numpy only. The grader calls them on its own test
functions, among them one whose input is a matrix, and on gradients that are deliberately wrong.
"""


def numerical_gradient(f, x, eps=1e-5):
    """Estimate the gradient of the scalar function ``f`` at ``x`` by centered differences.

    ``x`` is a numpy array of any shape (a vector or a matrix). Return an array of the same shape
    whose entry at each index i is (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / (2·eps), where eᵢ is 1 at i
    and 0 elsewhere. ``x`` must hold its original values when you return.
    """
    raise NotImplementedError("numerical_gradient is not written yet")


def relative_error(a, b):
    """The relative error ‖a − b‖ / max(‖a‖, ‖b‖, 1e-12) between two arrays of the same shape.

    ‖·‖ is the Euclidean norm of all entries (the Frobenius norm for matrices).
    """
    raise NotImplementedError("relative_error is not written yet")


def gradient_check(f, grad_f, x, eps=1e-5):
    """The relative error between the analytic gradient ``grad_f(x)`` and the numerical one."""
    raise NotImplementedError("gradient_check is not written yet")
