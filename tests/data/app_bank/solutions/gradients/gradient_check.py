"""Reference solution: gradient checking with centered differences."""
import numpy as np


def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):  # every entry, whatever the number of dimensions
        original = x[index]
        x[index] = original + eps
        f_plus = f(x)
        x[index] = original - eps
        f_minus = f(x)
        x[index] = original  # put it back before the next entry is perturbed
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-12))


def gradient_check(f, grad_f, x, eps=1e-5):
    analytic = np.asarray(grad_f(x), dtype=float)
    numeric = numerical_gradient(f, np.array(x, dtype=float), eps)
    return relative_error(analytic, numeric)
