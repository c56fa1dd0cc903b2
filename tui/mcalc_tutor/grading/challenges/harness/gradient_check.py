"""Sandbox side of the gradient-checker challenge: builds the test functions and calls the learner's
numerical_gradient, relative_error and gradient_check. Appended to driver.py (numpy, encode_array,
trace, call_learner).

No closed-form gradient exists in this process while numerical_gradient runs: the truth is
computed by the judge, outside. Each point where f is evaluated is reported, so that the judge can
see centered differences being taken. The gradients handed to gradient_check belong to other
instances (other A and x) than the numerical_gradient tests.
"""
import numpy

MAX_EVALUATIONS = 2000


def _function(kind, A):
    A = numpy.asarray(A, dtype=float)
    if kind == "sin_quadratic":      # f(x) = Σ sin xᵢ + ½ xᵀAx with A not symmetric
        return lambda x: float(numpy.sum(numpy.sin(x)) + 0.5 * x @ A @ x)
    if kind == "logsumexp":          # f(x) = log Σ exp(xᵢ + aᵢ)
        a = A.reshape(-1)

        def f(x):
            z = x + a
            m = numpy.max(z)
            return float(m + numpy.log(numpy.sum(numpy.exp(z - m))))
        return f
    if kind == "logdet_trace":       # f(X) = log|det X| + tr(AᵀX), a function of a matrix
        return lambda X: float(numpy.linalg.slogdet(X)[1] + numpy.sum(A * X))
    raise ValueError(kind)


def _gradient(kind, A, which):
    """The right gradient, or the plausible wrong one, of a gradient_check instance."""
    A = numpy.asarray(A, dtype=float)
    if kind == "sin_quadratic":
        return (lambda x: numpy.cos(x) + 0.5 * (A + A.T) @ x) if which == "correct" else (lambda x: numpy.cos(x) + A @ x)
    if kind == "logsumexp":
        a = A.reshape(-1)

        def softmax(x):
            z = numpy.exp(x + a - numpy.max(x + a))
            return z / numpy.sum(z)
        return softmax if which == "correct" else (lambda x: numpy.exp(x + a - numpy.max(x + a)))
    if kind == "logdet_trace":
        return (lambda X: numpy.linalg.inv(X).T + A) if which == "correct" else (lambda X: numpy.linalg.inv(X) + A)
    raise ValueError(kind)


def _traced(f):
    count = [0]

    def traced_f(x):
        count[0] += 1
        if count[0] > MAX_EVALUATIONS:
            raise RuntimeError(f"f was evaluated more than {MAX_EVALUATIONS} times")
        trace(numpy.asarray(x, dtype=float).reshape(-1).tolist())  # noqa: F821 - defined by driver.py
        return f(x)
    return traced_f


def run_test(module, name, payload):
    call = payload["call"]
    if call == "relative_error":
        results = []
        for a, b in payload["pairs"]:
            value = call_learner(module.relative_error, numpy.asarray(a, dtype=float),  # noqa: F821
                                 numpy.asarray(b, dtype=float))
            results.append(float(value))
        return results
    kind, A = payload["function"], payload["A"]
    if call == "numerical_gradient":
        given = numpy.asarray(payload["x"], dtype=float)
        estimate = call_learner(module.numerical_gradient, _traced(_function(kind, A)), given, 1e-5)  # noqa: F821
        return {"gradient": encode_array(estimate), "x_after": encode_array(given)}  # noqa: F821
    if call == "gradient_check":
        return {which: float(call_learner(module.gradient_check, _function(kind, A), _gradient(kind, A, which),  # noqa: F821
                                          numpy.asarray(payload["x"], dtype=float), 1e-5))
                for which in ("correct", "wrong")}
    raise ValueError(call)
