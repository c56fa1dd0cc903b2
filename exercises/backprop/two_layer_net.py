"""A two-layer neural network for 2-D binary classification, with backpropagation by hand.

    h = tanh(W1 x + b1)          W1: (H, 2), b1: (H,)
    p = sigmoid(W2 h + b2)       W2: (1, H), b2: (1,)
    L = −mean[y log p + (1 − y) log(1 − p)]

X holds one point per row, shape (N, 2); y holds 0/1 labels, shape (N,). Parameters travel as a
dict with keys "W1", "b1", "W2", "b2". Use numpy only: no autograd.
"""
import numpy as np


def init_params(n_in, n_hidden, seed=0):
    """Random weights (so hidden units differ), zero biases; use np.random.default_rng(seed)."""
    raise NotImplementedError("init_params is not written yet")


def forward(params, X):
    """The probabilities p, shape (N,)."""
    raise NotImplementedError("forward is not written yet")


def loss(params, X, y):
    """The mean binary cross-entropy, a float."""
    raise NotImplementedError("loss is not written yet")


def gradients(params, X, y):
    """∂L/∂W1, ∂L/∂b1, ∂L/∂W2, ∂L/∂b2 as a dict; each has the shape of its parameter."""
    raise NotImplementedError("gradients is not written yet")


def predict(params, X):
    """Labels 0 or 1, shape (N,): 1 where p ≥ 0.5."""
    raise NotImplementedError("predict is not written yet")


def train(X, y, n_hidden=16, lr=1.0, epochs=2000, seed=0):
    """Full-batch gradient descent from init_params(2, n_hidden, seed); return the parameters."""
    raise NotImplementedError("train is not written yet")
