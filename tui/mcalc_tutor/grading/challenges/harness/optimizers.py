"""Sandbox side of the optimizers challenge: hands the learner's sgd, momentum and adam a gradient
oracle (exact, or with seeded noise for SGD) and returns sampled iterates; each gradient call is
reported at once with its point (trace), so the grader counts the calls and checks where they were.
Appended to driver.py (numpy, encode_array, trace, call_learner)."""
import numpy


def _exact_gradient(objective, x):
    if objective["name"] == "rosenbrock":
        a, b = 1.0, 100.0
        return numpy.array([-2 * (a - x[0]) - 4 * b * x[0] * (x[1] - x[0] ** 2), 2 * b * (x[1] - x[0] ** 2)])
    Q = numpy.asarray(objective["Q"], dtype=float)
    return Q @ x - numpy.asarray(objective["c"], dtype=float)


def run_test(module, name, payload):
    call = payload["call"]
    if call == "rosenbrock":
        points = [numpy.asarray(p, dtype=float) for p in payload["points"]]
        values = [float(module.rosenbrock(p.copy())) for p in points]
        gradients = [encode_array(module.rosenbrock_grad(p.copy())) for p in points]  # noqa: F821
        return {"values": values, "gradients": gradients}
    noise = numpy.random.default_rng(payload["noise_seed"])
    sigma = payload["noise"]
    objective = payload["objective"]
    calls = [0]

    def grad(x):
        calls[0] += 1
        if calls[0] > 20000:
            raise RuntimeError("the gradient was called more than 20000 times")
        x = numpy.asarray(x, dtype=float)
        trace(x.reshape(-1).tolist())  # noqa: F821 - defined by driver.py
        g = _exact_gradient(objective, x)
        if sigma:
            g = g + sigma * noise.standard_normal(2)
        return g

    x0 = numpy.asarray(payload["x0"], dtype=float)
    given = x0.copy()
    path = numpy.asarray(call_learner(getattr(module, call), grad, given, **payload["kwargs"]), dtype=float)  # noqa: F821
    result = {"shape": list(path.shape), "x0_after": encode_array(given)}  # noqa: F821
    if path.ndim == 2 and path.shape[1] == 2 and path.shape[0] > max(payload["keep"]):
        result["rows"] = encode_array(path[payload["keep"]])  # noqa: F821
    return result
