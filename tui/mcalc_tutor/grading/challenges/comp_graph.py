"""Hidden tests and judge for a tiny computational graph (add, mul, ReLU) with a backward pass.

Each test is a list of operations; the sandbox builds it out of the learner's ``Value`` objects
and reports node values and input gradients. The judge evaluates the same list itself, forward
and in reverse, and compares.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import HiddenTest, OutputError, as_number, rng_for

TITLE = "A computational graph with add, mul and ReLU"
MODULE_FILE = "comp_graph.py"


def evaluate(ops: list) -> tuple[list[float], list[float]]:
    """Node values, and the gradient of the last node with respect to every node."""
    data: list[float] = []
    for op in ops:
        kind = op[0]
        if kind == "input":
            data.append(float(op[1]))
        elif kind == "add":
            data.append(data[op[1]] + data[op[2]])
        elif kind == "mul":
            data.append(data[op[1]] * data[op[2]])
        elif kind == "relu":
            data.append(max(0.0, data[op[1]]))
        elif kind in ("add_const", "const_add"):
            data.append(data[op[1]] + op[2])
        elif kind in ("mul_const", "const_mul"):
            data.append(data[op[1]] * op[2])
    grad = [0.0] * len(ops)
    grad[-1] = 1.0
    for i in range(len(ops) - 1, -1, -1):  # creation order is a topological order
        kind, g = ops[i][0], grad[i]
        if kind == "add":
            grad[ops[i][1]] += g
            grad[ops[i][2]] += g
        elif kind == "mul":
            grad[ops[i][1]] += g * data[ops[i][2]]
            grad[ops[i][2]] += g * data[ops[i][1]]
        elif kind == "relu":
            grad[ops[i][1]] += g if data[ops[i][1]] > 0 else 0.0
        elif kind in ("add_const", "const_add"):
            grad[ops[i][1]] += g
        elif kind in ("mul_const", "const_mul"):
            grad[ops[i][1]] += g * ops[i][2]
    return data, grad


def _random_graph(rng: np.random.Generator, n_inputs: int, n_ops: int) -> list:
    while True:
        ops: list = [["input", float(np.round(rng.uniform(0.2, 1.5) * rng.choice([-1, 1]), 3))] for _ in range(n_inputs)]
        for _ in range(n_ops):
            k = len(ops)
            pick = lambda k=k: int(k - 1 - min(k - 1, rng.geometric(0.25) - 1))  # noqa: E731 - mostly recent nodes
            kind = rng.choice(["add", "mul", "relu", "add_const", "const_mul"], p=[0.35, 0.3, 0.2, 0.075, 0.075])
            if kind in ("add", "mul"):
                ops.append([str(kind), pick(), int(rng.integers(k))])
            elif kind == "relu":
                ops.append(["relu", pick()])
            else:
                ops.append([str(kind), pick(), float(np.round(rng.uniform(-2, 2), 2))])
        data, _ = evaluate(ops)
        relu_inputs = [data[op[1]] for op in ops if op[0] == "relu"]
        if max(abs(v) for v in data) < 1e4 and all(abs(v) > 1e-3 for v in relu_inputs):
            return ops


def _test(name: str, ops: list, points: float = 1.0) -> HiddenTest:
    inputs = [i for i, op in enumerate(ops) if op[0] == "input"]
    data, grad = evaluate(ops)
    return HiddenTest(name, {"ops": ops, "inputs": inputs},
                      {"data": data, "grads": [grad[i] for i in inputs]}, points)


def hidden_tests(seed: int) -> list[HiddenTest]:
    rng = rng_for("comp_graph", seed)
    x, y = (float(np.round(v, 3)) for v in rng.uniform(0.5, 2.0, size=2))
    tests = [
        _test("x + y", [["input", x], ["input", y], ["add", 0, 1]]),
        _test("x · y", [["input", x], ["input", -y], ["mul", 0, 1]]),
        _test("relu(x) + relu(−y): one unit on, one off",
              [["input", x], ["input", -y], ["relu", 0], ["relu", 1], ["add", 2, 3]]),
        _test("plain numbers mixed in: (3x + 2) · (x·4 + 1)",
              [["input", x], ["const_mul", 0, 3.0], ["add_const", 1, 2.0], ["mul_const", 0, 4.0],
               ["const_add", 3, 1.0], ["mul", 2, 4]]),
        _test("a node used twice: x·x + x (gradients must add up)",
              [["input", x], ["mul", 0, 0], ["add", 1, 0]]),
        _test("a diamond: a = x·y, out = (a·x) · (a + y) (needs topological order)",
              [["input", x], ["input", y], ["mul", 0, 1], ["mul", 2, 0], ["add", 2, 1], ["mul", 3, 4]]),
    ]
    chain: list = [["input", 0.7], ["input", x]]
    for _ in range(300):  # v ← 0.9·v + x, 600 nodes deep
        chain.append(["mul_const", len(chain) - 1, 0.9])
        chain.append(["add", len(chain) - 1, 1])
    tests.append(_test("a chain 600 operations deep", chain))
    tests.append(_test("a random graph: 5 inputs, 40 operations", _random_graph(rng, 5, 40), points=2.0))
    return tests


def judge(test: HiddenTest, output: Any) -> tuple[bool, str]:
    if not isinstance(output, dict) or not isinstance(output.get("data"), list) or not isinstance(output.get("grads"), list):
        raise OutputError("the harness output is malformed")
    want_data, want_grads = test.expected["data"], test.expected["grads"]
    if len(output["data"]) != len(want_data) or len(output["grads"]) != len(want_grads):
        raise OutputError("the harness output is malformed")
    ops = test.payload["ops"]
    for i, (got, want) in enumerate(zip(output["data"], want_data, strict=True)):
        got = as_number(got, what=f"node {i}'s value")
        if not abs(got - want) <= 1e-9 * max(1.0, abs(want)):
            return False, f"forward pass: node {i} ({ops[i][0]}) has value {got:.6g}, expected {want:.6g}"
    for k, (got, want) in enumerate(zip(output["grads"], want_grads, strict=True)):
        got = as_number(got, what="a gradient")
        if not abs(got - want) <= 1e-9 * max(1.0, abs(want)):
            return False, f"backward pass: input {k + 1} has grad {got:.6g}, expected {want:.6g}"
    return True, "ok"
