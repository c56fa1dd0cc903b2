"""Hidden tests and judge for a two-layer network with hand-coded backpropagation.

The network is p = σ(W₂ tanh(W₁x + b₁) + b₂) with the mean binary cross-entropy loss. The judge
has its own forward and backward pass (checked against finite differences in the tests) and
holds the held-out test points of the toy data sets: they never enter the sandbox, so accuracy
can only come from weights that really classify.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import HiddenTest, OutputError, as_array, as_number, compare_arrays, rng_for

TITLE = "A two-layer network with hand-coded backprop"
MODULE_FILE = "two_layer_net.py"
KEYS = ("W1", "b1", "W2", "b2")
ACCURACY = 0.95
GRADIENT_RTOL = 1e-12
"""Backprop in float64 lands within ~1e-14 of the judge's gradients; the best centered finite
difference stays above ~1e-10 on these networks, so a numerical gradient cannot pass for backprop."""


def forward(params: dict, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities p (N,) and hidden activations h (N, H)."""
    h = np.tanh(X @ params["W1"].T + params["b1"])
    z = h @ params["W2"].T + params["b2"]
    return 1.0 / (1.0 + np.exp(-z[:, 0])), h


def loss(params: dict, X: np.ndarray, y: np.ndarray) -> float:
    p, _ = forward(params, X)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def gradients(params: dict, X: np.ndarray, y: np.ndarray) -> dict:
    p, h = forward(params, X)
    dz = ((p - y) / len(y))[:, None]          # ∂L/∂z₂ for sigmoid + cross-entropy, (N, 1)
    da = (dz @ params["W2"]) * (1 - h ** 2)   # back through W₂ and tanh, (N, H)
    return {"W2": dz.T @ h, "b2": dz.sum(axis=0), "W1": da.T @ X, "b1": da.sum(axis=0)}


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half = n // 2
    t1, t2 = rng.uniform(0, np.pi, half), rng.uniform(0, np.pi, n - half)
    X = np.r_[np.c_[np.cos(t1), np.sin(t1)], np.c_[1 - np.cos(t2), 0.5 - np.sin(t2)]]
    X += noise * rng.normal(size=X.shape)
    y = np.r_[np.zeros(half), np.ones(n - half)]
    order = rng.permutation(n)
    return X[order], y[order]


def circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half = n // 2
    radius = np.r_[rng.uniform(0.0, 0.6, half), rng.uniform(0.9, 1.3, n - half)]
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.c_[radius * np.cos(angle), radius * np.sin(angle)] + noise * rng.normal(size=(n, 2))
    y = np.r_[np.ones(half), np.zeros(n - half)]
    order = rng.permutation(n)
    return X[order], y[order]


def _random_params(hidden: int, rng: np.random.Generator) -> dict:
    return {"W1": rng.normal(size=(hidden, 2)), "b1": 0.5 * rng.normal(size=hidden),
            "W2": rng.normal(size=(1, hidden)) / np.sqrt(hidden), "b2": 0.5 * rng.normal(size=1)}


def _plain(params: dict) -> dict:
    return {k: v.tolist() for k, v in params.items()}


def hidden_tests(seed: int) -> list[HiddenTest]:
    rng = rng_for("two_layer_net", seed)
    tests = [HiddenTest(
        name="init_params: shapes, finite values, hidden units not all alike",
        payload={"call": "init_params", "n_in": 2, "n_hidden": 8, "seed": int(rng.integers(1000))},
        expected={"hidden": 8},
    )]
    params = _random_params(5, rng)
    X = rng.normal(size=(20, 2))
    y = (rng.uniform(size=20) < 0.5).astype(float)
    data = {"params": _plain(params), "X": X.tolist(), "y": y.tolist()}
    tests.append(HiddenTest("forward: probabilities for 20 points", {"call": "forward", **data},
                            forward(params, X)[0]))
    tests.append(HiddenTest("loss: mean binary cross-entropy", {"call": "loss", **data}, loss(params, X, y)))
    tests.append(HiddenTest("gradients: backprop through a 5-unit hidden layer", {"call": "gradients", **data},
                            {"grads": gradients(params, X, y), "params": params, "n": len(y)}))
    params7 = _random_params(7, rng)
    X7 = 2 * rng.normal(size=(30, 2))
    y7 = (X7[:, 0] * X7[:, 1] > 0).astype(float)
    tests.append(HiddenTest("gradients: a second network (7 hidden units, 30 points)",
                            {"call": "gradients", "params": _plain(params7), "X": X7.tolist(), "y": y7.tolist()},
                            {"grads": gradients(params7, X7, y7), "params": params7, "n": len(y7)}))
    tests.append(HiddenTest("predict: class 1 where p ≥ 0.5", {"call": "predict", **data},
                            (forward(params, X)[0] >= 0.5).astype(float)))
    for make, label in ((moons, "two moons"), (circles, "a disc inside a ring")):
        X_train, y_train = make(200, 0.15 if make is moons else 0.08, rng)
        X_test, y_test = make(1000, 0.15 if make is moons else 0.08, rng)
        tests.append(HiddenTest(
            name=f"train: accuracy ≥ {ACCURACY:.0%} on held-out points ({label})",
            payload={"call": "train", "X": X_train.tolist(), "y": y_train.tolist(), "seed": int(rng.integers(1000))},
            expected={"X": X_test, "y": y_test},
            points=2.0,
        ))
    return tests


def _decode_params(output: Any, hidden: int | None = None) -> dict:
    if not isinstance(output, dict):
        raise OutputError("expected a dict of parameters W1, b1, W2, b2")
    W1 = as_array(output.get("W1"), what="W1")
    if W1.ndim != 2 or W1.shape[1] != 2 or not 1 <= W1.shape[0] <= 1024:
        raise OutputError(f"W1 has shape {W1.shape}; expected (hidden units, 2)")
    h = W1.shape[0] if hidden is None else hidden
    shapes = {"W1": (h, 2), "b1": (h,), "W2": (1, h), "b2": (1,)}
    return {k: as_array(output.get(k), shapes[k], what=k) for k in KEYS}


def judge(test: HiddenTest, output: Any) -> tuple[bool, str]:
    call = test.payload["call"]
    if call == "init_params":
        params = _decode_params(output, test.expected["hidden"])
        if not all(np.all(np.isfinite(v)) for v in params.values()):
            return False, "init_params gave NaN or infinite values"
        if np.allclose(params["W1"], params["W1"][0]) or np.allclose(params["W2"], params["W2"].flat[0]):
            return False, ("all hidden units start alike, so they all get the same gradient and stay alike: "
                           "initialize the weights randomly")
        return True, "ok"
    if call == "forward":
        return compare_arrays(as_array(output, what="forward's result"), test.expected, 1e-8, what="p")
    if call == "loss":
        value, want = as_number(output, what="the loss"), test.expected
        if abs(value - want) <= 1e-8 * abs(want):
            return True, "ok"
        n = len(test.payload["y"])
        if abs(value - n * want) <= 1e-8 * n * abs(want):
            return False, "the loss is N times too large: average over the samples instead of summing"
        return False, f"the loss is {value:.6g}, expected {want:.6g}"
    if call == "gradients":
        want = test.expected["grads"]
        n = test.expected["n"]
        if not isinstance(output, dict):
            raise OutputError("expected a dict of gradients with keys W1, b1, W2, b2")
        for key in ("W2", "b2", "W1", "b1"):
            got = as_array(output.get(key), what=f"the gradient for {key}")
            if got.shape != want[key].shape:
                hint = " (transposed?)" if got.shape == want[key].shape[::-1] else ""
                return False, (f"the gradient for {key} has shape {got.shape}{hint}; "
                               f"it must have the shape of {key}, {want[key].shape}")
            ok, _ = compare_arrays(got, want[key], GRADIENT_RTOL, 1e-15)
            if not ok:
                if compare_arrays(got, n * want[key], 1e-7, 1e-12)[0]:
                    return False, f"the gradient for {key} is N times too large: the loss is a mean over the samples"
                if compare_arrays(got, want[key], 1e-6, 1e-12)[0]:
                    return False, (f"the gradient for {key} is close but not exact, as a finite difference is: "
                                   "compute it by backpropagation")
                return False, f"the gradient for {key} is wrong (the backward pass goes output → W2, b2 → tanh → W1, b1)"
        return True, "ok"
    if call == "predict":
        labels = as_array(output, (len(test.expected),), what="predict's result")
        wrong = int(np.sum(labels != test.expected))
        return (True, "ok") if wrong == 0 else (False, f"{wrong} of {len(labels)} labels differ from (p ≥ 0.5)")
    if call == "train":
        params = _decode_params(output)
        if not all(np.all(np.isfinite(v)) for v in params.values()):
            return False, "training produced NaN or infinite weights (learning rate too large?)"
        with np.errstate(all="ignore"):
            p, _ = forward(params, test.expected["X"])
        accuracy = float(np.mean((p >= 0.5) == (test.expected["y"] == 1)))
        if accuracy >= ACCURACY:
            return True, f"ok (accuracy {accuracy:.1%} on {len(p)} held-out points)"
        return False, f"accuracy {accuracy:.1%} on {len(p)} held-out points; at least {ACCURACY:.0%} is needed"
    raise OutputError("unknown test")
