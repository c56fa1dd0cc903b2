"""What the lab offers, by name, without importing numpy: the CLI's --help and the app's lab form
read it at startup. Tests hold these names equal to the objectives and optimizers built next door.
"""
from __future__ import annotations

FUNCTION_NAMES = ("quadratic", "quadratic-nd", "rosenbrock", "saddle", "himmelblau", "least-squares",
                  "logistic")
OPTIMIZER_NAMES = ("gd", "gd-backtracking", "newton", "damped-newton", "sgd", "momentum", "nesterov",
                   "rmsprop", "adam")
DEFAULT_FUNCTION = "quadratic"
DEFAULT_OPTIMIZERS = ("gd", "momentum", "adam")
MAX_STEPS = 1_000_000
MAX_DIM = 1000
MAX_KAPPA = 1e12
