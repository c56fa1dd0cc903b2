"""The engine must not import the UI: a subprocess imports it and inspects sys.modules, the only
way to prove that a deferral really defers (an in-process check sees what other tests imported)."""
from __future__ import annotations

import json
import subprocess
import sys

ENGINE_MODULES = [
    "mcalc_tutor.mathlang", "mcalc_tutor.mathlang.lexer", "mcalc_tutor.mathlang.parser",
    "mcalc_tutor.mathlang.shapes", "mcalc_tutor.mathlang.evaluate", "mcalc_tutor.mathlang.pretty",
    "mcalc_tutor.mathlang.symbols", "mcalc_tutor.mathlang.to_sympy",
    "mcalc_tutor.checking", "mcalc_tutor.checking.equivalence", "mcalc_tutor.checking.sampling",
    "mcalc_tutor.checking.symbolic", "mcalc_tutor.checking.verdict", "mcalc_tutor.cli.equiv",
]

PROBE = r"""
import importlib, json, sys

def loaded(*prefixes):
    return sorted(m for m in sys.modules if any(m == p or m.startswith(p + ".") for p in prefixes))

import mcalc_tutor.mathlang
after_mathlang = loaded("sympy", "textual", "mcalc_tutor.app")
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
after_imports = loaded("sympy", "textual", "mcalc_tutor.app")

from mcalc_tutor.mathlang import parse_declarations, read
from mcalc_tutor.checking.equivalence import check_answer
matrix = check_answer("(A + A^T) x", "2Ax", parse_declarations("A: n×n, x: n"))
after_matrix_check = loaded("sympy", "textual", "mcalc_tutor.app")
scalar = check_answer("sin(t)^2", "1 - cos(t)^2", parse_declarations("t: scalar"))
after_scalar_check = loaded("textual", "mcalc_tutor.app")
print(json.dumps({
    "after_mathlang": after_mathlang, "after_imports": after_imports,
    "after_matrix_check": after_matrix_check, "after_scalar_check": after_scalar_check,
    "verdicts": [matrix.status, matrix.codes, scalar.status],
}))
"""


def _probe() -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(ENGINE_MODULES)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_engine_imports_without_textual_or_the_app():
    result = _probe()
    assert result["verdicts"] == ["incorrect", ["symmetric"], "correct"], "the probe ran real checks"
    assert result["after_mathlang"] == [], "importing mathlang pulled in sympy, textual or the app"
    assert result["after_imports"] == [], "an engine module pulled in sympy, textual or the app at import"
    assert result["after_matrix_check"] == [], "a matrix check needs neither sympy nor the UI"
    assert result["after_scalar_check"] == [], "a scalar check may use sympy, but never the UI"


def test_the_equiv_command_imports_only_what_a_check_needs():
    """A one-shot `mcalc-tutor equiv` must start fast (issue 2): no UI, and no sympy even for a
    scalar answer, whose symbolic confirmation could only relabel the verdict."""
    code = ("import sys\nfrom mcalc_tutor.cli import main\n"
            "code = main(['equiv', 'sin(x)^2', '1 - cos(x)^2', '--symbols', 'x: scalar'])\n"
            "print('LOADED', code, sorted({m.split('.')[0] for m in sys.modules} & {'sympy', 'textual'}),"
            " 'mcalc_tutor.app' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "LOADED 0 [] False"
