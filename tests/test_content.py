"""The exercise-bank loader and the list/show/check/validate commands: bad files are reported as
`file: field: problem` while the rest of the bank still loads; the commands keep the contract."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.variants import make_variant

GOOD = '''
id = "grad-good"
title = "A good one"
section = "gradients"
source = "seed000:gradient-examples"
difficulty = 1
statement = "f(x) = {a} aᵀx"
[symbols]
a = "n"
x = "n"
[params]
k = { int = [2, 5] }
[[parts]]
name = "a"
kind = "vector"
answer = "{k} a"
verify = "gradient"
of = "{k} a^T x"
wrt = "x"
hints = ["linear"]
'''

BAD_FILES = {
    "gradients/broken-toml.toml": ("toml", 'id = "broken-toml"\ntitle = '),
    "gradients/no-title.toml": ("title", 'id = "no-title"\nsection = "gradients"\nsource = "x"\nstatement = "s"\n'),
    "gradients/bad-kind.toml": ("parts[0].kind", GOOD.replace('"grad-good"', '"bad-kind"')
                                .replace('kind = "vector"', 'kind = "essay"')),
    "gradients/bad-answer.toml": ("parts.a.answer", GOOD.replace('"grad-good"', '"bad-answer"')
                                  .replace('answer = "{k} a"', 'answer = "{k} a +"')),
    "gradients/bad-source.toml": ("source", GOOD.replace('"grad-good"', '"bad-source"')
                                  .replace("seed000:gradient-examples", "seed999:nope")),
    "gradients/bad-symbols.toml": ("symbols", GOOD.replace('"grad-good"', '"bad-symbols"')
                                   .replace('x = "n"', 'x = "n×m symmetric"')),
    "jacobians/wrong-folder.toml": ("section", GOOD.replace('"grad-good"', '"wrong-folder"')),
    "gradients/bad-params.toml": ("params.k", GOOD.replace('"grad-good"', '"bad-params"').replace("[2, 5]", "[5, 2]")),
    "gradients/bad-definition.toml": ("definitions.x", GOOD.replace('"grad-good"', '"bad-definition"').replace(
        "[params]", '[definitions]\nx = "a^T a"\n[params]')),
}


def make_bank(root: Path) -> Path:
    (root / "gradients").mkdir(parents=True)
    (root / "jacobians").mkdir()
    (root / "gradients" / "grad-good.toml").write_text(GOOD, encoding="utf-8")
    for rel, (_, text) in BAD_FILES.items():
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_bad_files_reported_with_file_and_field_and_the_rest_loads(tmp_path):
    bank = load_bank(make_bank(tmp_path / "bank"))
    assert [e.id for e in bank.exercises] == ["grad-good"]
    reported = {(Path(p.file).name, p.field) for p in bank.problems}
    for rel, (field, _) in BAD_FILES.items():
        assert (Path(rel).name, field) in reported, (rel, field, [str(p) for p in bank.problems])
    assert all(str(p).count(": ") >= 2 for p in bank.problems)


def test_variants_are_seeded_and_checked(tmp_path):
    ex = load_bank(make_bank(tmp_path / "bank")).get("grad-good")
    seen = set()
    for seed in range(20):
        v = make_variant(ex, seed)
        assert make_variant(ex, seed).parts[0].answer == v.parts[0].answer
        seen.add(v.parts[0].answer)
        assert check_part(v, v.parts[0], v.parts[0].answer).status == "correct"
    assert len(seen) > 1


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "mcalc_tutor", *args], capture_output=True, text=True, timeout=120)


def test_commands_keep_the_contract():
    listed = json.loads(_cli("list", "--json").stdout)
    assert listed and all({"id", "title", "section", "source", "difficulty", "parts"} <= set(e) for e in listed)
    assert _cli("show", "grad-quadratic-form").returncode == 0
    unknown = _cli("show", "no-such-id")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert _cli("check", "grad-quadratic-form:b", "(A + A^T) x").returncode == 0
    wrong = _cli("check", "grad-quadratic-form:b", "2Ax", "--json")
    assert wrong.returncode == 1 and json.loads(wrong.stdout)["diagnostics"]
    assert _cli("check", "grad-quadratic-form:b", "((").returncode == 2
    assert _cli("check", "grad-quadratic-form", "x").returncode == 2  # several parts: name one
    assert _cli("check", "grad-quadratic-form:zz", "x").returncode == 2


def test_validate_reports_problems(tmp_path):
    root = make_bank(tmp_path / "bank")
    run = _cli("validate", str(root))
    assert run.returncode == 1 and "broken-toml.toml: toml:" in run.stdout
    assert _cli("validate", str(root / "gradients" / "grad-good.toml"), "--deep").returncode == 0


def test_solution_arithmetic_is_folded_exactly():
    from mcalc_tutor.content.solutions import fold_constant, substitute_answers

    assert fold_constant("4 + 2 - 2") == "4"
    assert fold_constant("(3, -(-2))") == "(3, 2)"
    assert fold_constant("(1/2)^2") == "1/4"
    assert fold_constant("x + 1") == "x + 1"  # not a constant: untouched
    text = substitute_answers("With a = {a}: **Answer (b):** `{a}*{a} - 1`", {"a": -3})
    assert text == "With a = -3: **Answer (b):** `8`"


def test_a_critical_point_listed_twice_is_said_to_be_a_repeat():
    ex = load_bank().get("hess-cubic-critical-points")
    variant = make_variant(ex, 0)
    verdict = check_part(variant, variant.part("c"), "(0,0) saddle; (1,1) min; (0,0) saddle")
    assert verdict.status == "partial" and [d.code for d in verdict.diagnostics] == ["repeat"]
    assert "not a critical point" not in verdict.message


def test_points_accept_natural_wording():
    ex = load_bank().get("hess-cubic-critical-points")
    variant = make_variant(ex, 0)
    for text in ("(0,0) is a saddle, (1,1) local min", "(1, 1) strict local minimum; (0, 0) saddle point"):
        assert check_part(variant, variant.part("c"), text).status == "correct", text
    # the classification is local: "global" is not read as "minimum"
    assert check_part(variant, variant.part("c"), "(0,0) saddle; (1,1) global minimum").status == "invalid"
