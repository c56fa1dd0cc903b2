"""Sandbox side of the gradient-checker challenge: builds the test functions and calls the learner's
numerical_gradient, relative_error and gradient_check. Appended to driver.py (numpy, encode_array)."""
import numpy


def _test_function(kind, A):
    """f, its gradient, and a plausible wrong gradient, for one of the three test functions."""
    A = numpy.asarray(A, dtype=float)
    if kind == "sin_quadratic":      # f(x) = Σ sin xᵢ + ½ xᵀAx with A not symmetric
        return (lambda x: float(numpy.sum(numpy.sin(x)) + 0.5 * x @ A @ x),
                lambda x: numpy.cos(x) + 0.5 * (A + A.T) @ x,
                lambda x: numpy.cos(x) + A @ x)
    if kind == "logsumexp":          # f(x) = log Σ exp(xᵢ + aᵢ)
        a = A.reshape(-1)
        def f(x):
            z = x + a
            m = numpy.max(z)
            return float(m + numpy.log(numpy.sum(numpy.exp(z - m))))
        def g(x):
            z = numpy.exp(x + a - numpy.max(x + a))
            return z / numpy.sum(z)
        return f, g, lambda x: numpy.exp(x + a - numpy.max(x + a))
    if kind == "logdet_trace":       # f(X) = log|det X| + tr(AᵀX), a function of a matrix
        return (lambda X: float(numpy.linalg.slogdet(X)[1] + numpy.sum(A * X)),
                lambda X: numpy.linalg.inv(X).T + A,
                lambda X: numpy.linalg.inv(X) + A)
    raise ValueError(kind)


def run_test(module, name, payload):
    call = payload["call"]
    if call == "relative_error":
        results = []
        for a, b in payload["pairs"]:
            value = module.relative_error(numpy.asarray(a, dtype=float), numpy.asarray(b, dtype=float))
            results.append(float(value))
        return results
    f, grad, wrong = _test_function(payload["function"], payload["A"])
    x = numpy.asarray(payload["x"], dtype=float)
    x_given = x.copy()
    if call == "numerical_gradient":
        estimate = module.numerical_gradient(f, x_given, 1e-5)
        return {"gradient": encode_array(estimate), "x_after": encode_array(x_given)}  # noqa: F821
    if call == "gradient_check":
        analytic = grad if payload["gradient"] == "correct" else wrong
        return float(module.gradient_check(f, analytic, x_given, 1e-5))
    raise ValueError(call)
