"""Reference solution: a two-layer network (tanh hidden layer, sigmoid output) with hand-coded backprop."""
import numpy as np


def init_params(n_in, n_hidden, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(size=(n_hidden, n_in)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(size=(1, n_hidden)) / np.sqrt(n_hidden),
        "b2": np.zeros(1),
    }


def _forward(params, X):
    h = np.tanh(X @ params["W1"].T + params["b1"])         # (N, H)
    z = h @ params["W2"].T + params["b2"]                   # (N, 1)
    return 1.0 / (1.0 + np.exp(-z[:, 0])), h


def forward(params, X):
    return _forward(params, X)[0]


def loss(params, X, y):
    p = forward(params, X)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def gradients(params, X, y):
    p, h = _forward(params, X)
    dz = ((p - y) / len(y))[:, None]             # sigmoid and cross-entropy together: (p − y)/N
    dh = dz @ params["W2"]                        # (N, H)
    da = dh * (1 - h ** 2)                        # tanh' = 1 − tanh²
    return {"W2": dz.T @ h, "b2": dz.sum(axis=0), "W1": da.T @ X, "b1": da.sum(axis=0)}


def predict(params, X):
    return (forward(params, X) >= 0.5).astype(int)


def train(X, y, n_hidden=16, lr=1.0, epochs=2000, seed=0):
    params = init_params(X.shape[1], n_hidden, seed)
    for _ in range(epochs):
        grads = gradients(params, X, y)
        for key in params:
            params[key] = params[key] - lr * grads[key]
    return params
