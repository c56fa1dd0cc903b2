"""Sandbox side of the two-layer-network challenge: calls init_params, forward, loss, gradients,
predict and train on the grader's inputs and returns what they give, arrays encoded.
Appended to driver.py (numpy, encode_array)."""
import numpy

_KEYS = ("W1", "b1", "W2", "b2")


def _params_in(raw):
    return {k: numpy.asarray(raw[k], dtype=float) for k in _KEYS}


def _params_out(params):
    if not isinstance(params, dict):
        raise TypeError(f"expected a dict with keys W1, b1, W2, b2, got {type(params).__name__}")
    missing = [k for k in _KEYS if k not in params]
    if missing:
        raise KeyError(f"the parameter dict has no {', '.join(missing)}")
    return {k: encode_array(params[k]) for k in _KEYS}  # noqa: F821


def run_test(module, name, payload):
    call = payload["call"]
    X = numpy.asarray(payload.get("X", []), dtype=float)
    y = numpy.asarray(payload.get("y", []), dtype=float)
    if call == "init_params":
        return _params_out(module.init_params(payload["n_in"], payload["n_hidden"], seed=payload["seed"]))
    if call == "train":
        return _params_out(module.train(X, y, seed=payload["seed"]))
    params = _params_in(payload["params"])
    if call == "forward":
        return encode_array(module.forward(params, X))  # noqa: F821
    if call == "loss":
        return float(module.loss(params, X, y))
    if call == "gradients":
        return _params_out(module.gradients(params, X, y))
    if call == "predict":
        return encode_array(module.predict(params, X))  # noqa: F821
    raise ValueError(call)
