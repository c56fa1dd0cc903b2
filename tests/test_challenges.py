"""The five code challenges: every reference passes, every untouched stub fails, classic mistakes
get their own message, and the judges survive any output a sandbox could send back.

Full sandboxed runs prove the wiring; the many-seed and mistake checks run the same harness code
in-process (no sandbox) because they exercise the judges, not the isolation.
"""
from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcalc_tutor.grading.challenges import OutputError, driver_source, get_challenge, judge_output, list_challenges
from mcalc_tutor.grading.runner import run_challenge

ROOT = Path(__file__).resolve().parents[1]


def _code_parts() -> list[tuple[str, Path, Path, str]]:
    """(exercise id, stub path, reference path, challenge) for every code part in the bank."""
    found = []
    for path in sorted((ROOT / "exercises").glob("*/*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for part in data.get("parts", []):
            if part.get("kind") == "code":
                section = path.parent.name
                found.append((data["id"], path.parent / part["stub"], ROOT / "solutions" / section / part["reference"],
                              part["challenge"]))
    return found


CODE_PARTS = _code_parts()
BY_CHALLENGE = {challenge: (stub, reference) for _, stub, reference, challenge in CODE_PARTS}


def test_every_challenge_has_an_exercise_with_stub_reference_and_worked_solution():
    assert sorted(BY_CHALLENGE) == sorted(list_challenges())
    for exercise_id, stub, reference, challenge in CODE_PARTS:
        assert exercise_id.startswith("code-")
        assert stub.is_file() and reference.is_file(), exercise_id
        assert stub.name == reference.name == get_challenge(challenge).module_file
        assert (ROOT / "solutions" / stub.parent.name / f"{exercise_id}.md").is_file()


@pytest.mark.parametrize("challenge", list_challenges())
def test_reference_solution_gets_full_score_in_the_sandbox(challenge):
    _, reference = BY_CHALLENGE[challenge]
    spec = get_challenge(challenge)
    result = run_challenge(challenge, {spec.module_file: reference.read_text(encoding="utf-8")}, seed=0)
    assert result.score == result.max_score > 0, [t for t in result.tests if not t.passed]
    assert result.error is None
    assert result.seconds < 5


@pytest.mark.parametrize("challenge", list_challenges())
def test_untouched_stub_scores_zero_and_says_why(challenge):
    stub, _ = BY_CHALLENGE[challenge]
    spec = get_challenge(challenge)
    result = run_challenge(challenge, {spec.module_file: stub.read_text(encoding="utf-8")}, seed=0)
    assert result.score == 0
    assert all(not t.passed and "NotImplementedError" in t.message for t in result.tests)


def test_same_code_and_seed_give_the_same_result_and_seeds_change_the_inputs():
    stub, reference = BY_CHALLENGE["power_iteration"]
    files = {"power_iteration.py": reference.read_text(encoding="utf-8")}
    first, second = run_challenge("power_iteration", files, seed=3), run_challenge("power_iteration", files, seed=3)
    assert first == second  # timing and run id are left out of the comparison
    spec = get_challenge("power_iteration")
    assert [t.payload for t in spec.hidden_tests(3)] != [t.payload for t in spec.hidden_tests(4)]
    assert json.dumps([t.payload for t in spec.hidden_tests(3)]) == json.dumps([t.payload for t in spec.hidden_tests(3)])


# ---- in-process: many seeds and classic mistakes -------------------------------------------------

def _load_module(path: Path, name: str, replace: list[tuple[str, str]] = ()):
    source = path.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in source, f"mutation target not found in {path.name}: {old!r}"
        source = source.replace(old, new)
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def grade_in_process(challenge: str, module, seed: int = 0) -> list[tuple[str, bool, str]]:
    """The sandbox's harness and the judge, without the sandbox: for judge logic only."""
    spec = get_challenge(challenge)
    namespace: dict = {"__name__": "harness"}
    exec(compile(driver_source() + "\n" + spec.harness_source, "harness", "exec"), namespace)
    trace: list = []
    namespace["_TRACE"][0] = lambda event: trace.append(json.loads(json.dumps(event["value"])))
    results = []
    for test in spec.hidden_tests(seed):
        trace.clear()
        try:
            output = json.loads(json.dumps(namespace["run_test"](module, test.name, test.payload)))
        except Exception as exc:
            results.append((test.name, False, f"raised {type(exc).__name__}: {exc}"))
            continue
        try:
            passed, message = judge_output(spec, test, output, list(trace))
        except OutputError as exc:
            passed, message = False, str(exc)
        results.append((test.name, passed, message))
    return results


@pytest.mark.parametrize("seed", [1, 2, 7, 12345])
@pytest.mark.parametrize("challenge", list_challenges())
def test_reference_passes_for_other_seeds(challenge, seed):
    _, reference = BY_CHALLENGE[challenge]
    module = _load_module(reference, get_challenge(challenge).module_name)
    failures = [r for r in grade_in_process(challenge, module, seed) if not r[1]]
    assert not failures


MISTAKES = [
    # (challenge, (text in the reference, its faulty replacement), a test that must fail, words in its message)
    ("gradient_check", [("x[index] = original - eps", "x[index] = original"),
                        ("(f_plus - f_minus) / (2 * eps)", "(f_plus - f_minus) / eps")],
     "numerical_gradient on f(x) = Σ sin", "one-sided"),  # a forward difference is only O(eps) accurate
    ("gradient_check", [("x[index] = original  #", "pass  #")], "numerical_gradient on f(x) = log Σ",
     "changed its argument"),
    ("gradient_check", [("for index in np.ndindex(x.shape):", "for index in range(x.shape[0]):")],
     "matrix input", "relative error"),
    ("gradient_check", [("return float(np.linalg.norm(a - b) / max(", "return float(np.linalg.norm(a - b) / min(")],
     "relative_error", "expected"),
    ("optimizers", [("v = beta * v + grad(x)", "v = beta * v + (1 - beta) * grad(x)")], "momentum: six exact",
     "(1−β)"),
    ("optimizers", [("m_hat = m / (1 - beta1 ** t)", "m_hat = m"), ("v_hat = v / (1 - beta2 ** t)", "v_hat = v")],
     "adam: six exact", "bias correction"),
    ("optimizers", [("x = x - lr * grad(x)\n", "x = x - lr * grad(x)\n        grad(x)\n")], "sgd: six exact",
     "exactly once per step"),
    ("optimizers", [("path.append(x.copy())\n    return np.array(path)\n\n\ndef momentum",
                     "pass\n    return np.array(path)\n\n\ndef momentum")], "sgd: six exact", "iterates"),
    ("two_layer_net", [("dz = ((p - y) / len(y))[:, None]", "dz = (p - y)[:, None]")], "gradients: backprop",
     "N times"),
    ("two_layer_net", [('"W1": da.T @ X', '"W1": X.T @ da')], "gradients: backprop", "transposed"),
    ("two_layer_net", [('"W1": rng.normal(size=(n_hidden, n_in))', '"W1": np.ones((n_hidden, n_in))')],
     "init_params", "alike"),
    ("two_layer_net", [("return float(-np.mean(", "return float(-np.sum(")], "loss", "N times"),
    ("comp_graph", [("self.grad += other.data * out.grad", "self.grad = other.data * out.grad")],
     "a node used twice", "backward pass"),
    ("comp_graph", [("out = Value(self.data if self.data > 0 else 0.0", "out = Value(self.data")],
     "relu(x) + relu(−y)", "forward pass"),
    ("power_iteration", [("lam_new = x @ A @ x", "lam_new = np.linalg.norm(A @ x)")],
     "dominant eigenvalue negative", "Rayleigh"),
    ("power_iteration", [("return lam, x", "return lam, w")], "3×3", "norm"),
    ("power_iteration", [("x = np.array(x0, dtype=float)", "x = x0")], "3×3", "changed the starting vector"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # mutants overflow and divide by zero on purpose
@pytest.mark.parametrize("challenge, mutation, test_name, words", MISTAKES,
                         ids=[f"{m[0]}:{m[2][:20]}" for m in MISTAKES])
def test_classic_mistakes_fail_with_a_specific_message(challenge, mutation, test_name, words):
    _, reference = BY_CHALLENGE[challenge]
    module = _load_module(reference, get_challenge(challenge).module_name, mutation)
    results = grade_in_process(challenge, module)
    hits = [r for r in results if test_name in r[0]]
    assert hits, f"no test named like {test_name!r}"
    assert not hits[0][1], hits[0]
    assert words in hits[0][2], hits[0][2]


def test_recursive_comp_graph_without_topological_order_fails_the_diamond():
    """The classic bug: recurse into parents as soon as a gradient arrives (partial gradients)."""
    _, reference = BY_CHALLENGE["comp_graph"]
    source = reference.read_text(encoding="utf-8")
    naive = re.sub(r"    def backward\(self\):.*?(?=\n    def __radd__)", (
        "    def backward(self):\n"
        "        self.grad = 1.0\n"
        "        self._push()\n\n"
        "    def _push(self):\n"
        "        self._backward()\n"
        "        for parent in self.parents:\n"
        "            parent._push()\n"), source, flags=re.S)
    assert naive != source
    path = ROOT / "solutions" / "backprop" / "comp_graph.py"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("comp_graph", loader=None))
    exec(compile(naive, str(path), "exec"), module.__dict__)
    results = {name: passed for name, passed, _ in grade_in_process("comp_graph", module)}
    assert results["x + y"] and not results["a diamond: a = x·y, out = (a·x) · (a + y) (needs topological order)"]


def test_a_linear_classifier_does_not_reach_the_accuracy_threshold():
    """The held-out threshold needs the hidden layer: a network with W2 = identity-like, no tanh, fails."""
    _, reference = BY_CHALLENGE["two_layer_net"]
    module = _load_module(reference, "two_layer_net", [("h = np.tanh(X @ params[\"W1\"].T + params[\"b1\"])",
                                                        "h = X @ params[\"W1\"].T + params[\"b1\"]")])
    module.__dict__["gradients"] = _linear_gradients(module)
    results = [r for r in grade_in_process("two_layer_net", module) if r[0].startswith("train")]
    assert results and not any(passed for _, passed, _ in results)


def _linear_gradients(module):
    def gradients(params, X, y):
        p, h = module._forward(params, X)
        dz = ((p - y) / len(y))[:, None]
        da = dz @ params["W2"]
        return {"W2": dz.T @ h, "b2": dz.sum(axis=0), "W1": da.T @ X, "b1": da.sum(axis=0)}
    return gradients


def test_two_layer_judge_backprop_matches_finite_differences():
    """The judge's own gradients are the truth for learners: check them against numbers."""
    from mcalc_tutor.grading.challenges import two_layer_net as judge_module

    rng = np.random.default_rng(0)
    params = judge_module._random_params(4, rng)
    X, y = rng.normal(size=(9, 2)), (rng.uniform(size=9) < 0.5).astype(float)
    grads = judge_module.gradients(params, X, y)
    for key, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            old = value[index]
            value[index] = old + 1e-6
            up = judge_module.loss(params, X, y)
            value[index] = old - 1e-6
            down = judge_module.loss(params, X, y)
            value[index] = old
            numeric[index] = (up - down) / 2e-6
        assert np.allclose(grads[key], numeric, rtol=1e-6, atol=1e-9), key


# ---- judges never crash --------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["shape", "data", "x_after", "gradient", "rows", "calls", "x0_after", "lambda", "v",
                         "values", "gradients", "grads", "W1", "b1", "W2", "b2", "other"]), inner, max_size=5),
    max_leaves=12,
)


@pytest.mark.parametrize("challenge", list_challenges())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(output=JSON, index=st.integers(0, 20))
def test_judges_turn_any_output_into_a_verdict(challenge, output, index):
    spec = get_challenge(challenge)
    tests = _tests_cache(challenge)
    test = tests[index % len(tests)]
    try:
        passed, message = judge_output(spec, test, output, [] if index % 2 else [output])
    except OutputError as exc:
        assert str(exc)
        return
    assert isinstance(passed, (bool, np.bool_)) and isinstance(message, str)
    assert not passed or output is not None


_TESTS: dict = {}


def _tests_cache(challenge):
    if challenge not in _TESTS:
        _TESTS[challenge] = get_challenge(challenge).hidden_tests(0)
    return _TESTS[challenge]


# ---- trivial answers fail every test (issue 12, class 2) -----------------------------------------

TRIVIAL = {
    "gradient_check": {
        "zeros": "import numpy as np\n"
                 "def numerical_gradient(f, x, eps=1e-5):\n    return np.zeros_like(x)\n"
                 "def relative_error(a, b):\n    return 0.0\n"
                 "def gradient_check(f, grad_f, x, eps=1e-5):\n    return 0.0\n",
        "ones / input returned": "def numerical_gradient(f, x, eps=1e-5):\n    return x.copy()\n"
                                 "def relative_error(a, b):\n    return 1.0\n"
                                 "def gradient_check(f, grad_f, x, eps=1e-5):\n    return 1.0\n",
    },
    "power_iteration": {
        "input returned": "def power_iteration(A, x0, num_iters=1000, tol=1e-12):\n    return 1.0, x0 / (x0 @ x0) ** 0.5\n",
        "constant": "import numpy as np\n"
                    "def power_iteration(A, x0, num_iters=1000, tol=1e-12):\n"
                    "    v = np.zeros(len(x0))\n    v[0] = 1\n    return 0.0, v\n",
    },
    "optimizers": {
        "zeros": "import numpy as np\n"
                 "def rosenbrock(x):\n    return 0.0\n"
                 "def rosenbrock_grad(x):\n    return np.zeros(2)\n"
                 + "".join(f"def {m}(grad, x0, lr, steps, **kw):\n    return np.zeros((steps + 1, 2))\n"
                           for m in ("sgd", "momentum", "adam")),
        "input returned": "import numpy as np\n"
                          "def rosenbrock(x):\n    return float(x[0])\n"
                          "def rosenbrock_grad(x):\n    return np.array(x, dtype=float)\n"
                          + "".join(f"def {m}(grad, x0, lr, steps, **kw):\n"
                                    "    return np.array([x0] * (steps + 1), dtype=float)\n"
                                    for m in ("sgd", "momentum", "adam")),
    },
    "two_layer_net": {
        "zeros": "import numpy as np\n"
                 "def init_params(n_in, n_hidden, seed=0):\n"
                 "    return {'W1': np.zeros((n_hidden, n_in)), 'b1': np.zeros(n_hidden), "
                 "'W2': np.zeros((1, n_hidden)), 'b2': np.zeros(1)}\n"
                 "def forward(params, X):\n    return np.zeros(len(X))\n"
                 "def loss(params, X, y):\n    return 0.0\n"
                 "def gradients(params, X, y):\n    return {k: np.zeros_like(v) for k, v in params.items()}\n"
                 "def predict(params, X):\n    return np.zeros(len(X))\n"
                 "def train(X, y, seed=0):\n    return init_params(2, 4)\n",
        "constant half": "import numpy as np\n"
                         "def init_params(n_in, n_hidden, seed=0):\n"
                         "    return {'W1': np.ones((n_hidden, n_in)), 'b1': np.ones(n_hidden), "
                         "'W2': np.ones((1, n_hidden)), 'b2': np.ones(1)}\n"
                         "def forward(params, X):\n    return np.full(len(X), 0.5)\n"
                         "def loss(params, X, y):\n    return float(np.log(2))\n"
                         "def gradients(params, X, y):\n    return {k: np.ones_like(v) for k, v in params.items()}\n"
                         "def predict(params, X):\n    return np.ones(len(X))\n"
                         "def train(X, y, seed=0):\n    return init_params(2, 4)\n",
    },
    "comp_graph": {
        "zeros": "class Value:\n"
                 "    def __init__(self, data):\n        self.data, self.grad = 0.0, 0.0\n"
                 "    def __add__(self, other):\n        return Value(0)\n"
                 "    __radd__ = __mul__ = __rmul__ = __add__\n"
                 "    def relu(self):\n        return Value(0)\n"
                 "    def backward(self):\n        pass\n",
        "input returned": "class Value:\n"
                          "    def __init__(self, data):\n        self.data, self.grad = float(data), 1.0\n"
                          "    def __add__(self, other):\n        return self\n"
                          "    __radd__ = __mul__ = __rmul__ = __add__\n"
                          "    def relu(self):\n        return self\n"
                          "    def backward(self):\n        self.grad = 1.0\n",
    },
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("challenge, kind", [(c, k) for c, kinds in TRIVIAL.items() for k in kinds])
def test_trivial_answers_fail_every_test(challenge, kind, tmp_path):
    path = tmp_path / get_challenge(challenge).module_file
    path.write_text(TRIVIAL[challenge][kind], encoding="utf-8")
    module = _load_module(path, get_challenge(challenge).module_name)
    passed = [name for name, ok, _ in grade_in_process(challenge, module) if ok]
    assert passed == []


def test_finite_difference_gradients_do_not_pass_for_backprop():
    """Issue 12, class 2: the two-layer net teaches backprop; a centered difference of the loss is
    close (≈1e-10) but not exact, and says so."""
    _, reference = BY_CHALLENGE["two_layer_net"]
    module = _load_module(reference, "two_layer_net")

    def numerical(params, X, y, h=1e-5):
        grads = {}
        for key, value in params.items():
            value = value.copy()
            grads[key] = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                old = value[index]
                shifted = dict(params)
                shifted[key] = value
                value[index] = old + h
                up = module.loss(shifted, X, y)
                value[index] = old - h
                down = module.loss(shifted, X, y)
                value[index] = old
                grads[key][index] = (up - down) / (2 * h)
        return grads

    module.__dict__["gradients"] = numerical
    results = [r for r in grade_in_process("two_layer_net", module) if r[0].startswith("gradients")]
    assert len(results) == 2 and all(not ok and "backpropagation" in message for _, ok, message in results)
