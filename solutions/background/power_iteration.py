"""Reference solution: power iteration with a Rayleigh-quotient eigenvalue estimate."""
import numpy as np


def power_iteration(A, x0, num_iters=1000, tol=1e-12):
    x = np.array(x0, dtype=float)
    x /= np.linalg.norm(x)
    lam = x @ A @ x
    for _ in range(num_iters):
        w = A @ x
        x = w / np.linalg.norm(w)
        lam_new = x @ A @ x
        converged = abs(lam_new - lam) <= tol * abs(lam_new)
        lam = lam_new
        if converged:
            break
    return lam, x
