"""Issue 11's quality bar, kept true as the bank grows: every `steps` part of the bank has a row in
one of the derivation tables (whose tests check the worked solution's chain line by line and its
last line by finite differences), and every `iterates` part a row in one of the iterates tables
(whose tests check the reference against the lab's own optimizers). A new part without a row
fails here."""
from __future__ import annotations

import re

import numpy as np
import pytest

import test_bank_derivations as derivations
import test_bank_flagships as flagships
import test_bank_iterates as iterates
from mcalc_tutor.content.answers import check_part
from mcalc_tutor.content.loader import load_bank
from mcalc_tutor.content.solutions import solution_answers
from mcalc_tutor.content.variants import make_variant

BANK = load_bank()


def _parts(kind: str) -> set[tuple[str, str]]:
    return {(e.id, p.name) for e in BANK.exercises for p in e.parts if p.kind == kind}


def test_every_steps_part_has_a_reference_chain_row():
    covered = {(c.exercise, c.part) for c in derivations.CASES}
    covered |= {("mat-derive-by-differentials", name) for name in flagships.DIFFERENTIALS}
    covered |= {(exercise, name) for _, exercise, name in iterates.STEPS}
    steps = _parts("steps")
    assert len(steps) >= 12
    assert steps <= covered, sorted(steps - covered)


@pytest.mark.parametrize("name", sorted(flagships.DIFFERENTIALS))
def test_the_flagship_table_checks_the_worked_solutions_own_chain(name):
    """test_bank_flagships writes its chains out; they are the solution's, line for line."""
    variant = make_variant(BANK.get("mat-derive-by-differentials"), 0)
    solution = [line.strip() for line in solution_answers(variant)[name].splitlines() if line.strip()]
    assert solution == flagships.DIFFERENTIALS[name][0]


def test_every_iterates_part_has_a_lab_reference_row():
    covered = {(exercise, part) for _, exercise, part, *_ in iterates.PARTS.values()}
    covered |= {("opt-trajectories-ill-conditioned", part) for part in flagships.ITERATES}
    parts = _parts("iterates")
    assert len(parts) >= 5
    assert parts <= covered, sorted(parts - covered)


def _numbers(line: str) -> np.ndarray:
    return np.array([float(t) for t in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", line)])


@pytest.mark.parametrize("part", sorted(flagships.ITERATES))
def test_the_flagship_solution_iterates_are_the_labs(part):
    """The worked solution's iterates of opt-trajectories-ill-conditioned are the lab's own run."""
    variant = make_variant(BANK.get("opt-trajectories-ill-conditioned"), 0)
    solution = solution_answers(variant)[part]
    name, k = flagships.ITERATES[part]
    numbers = [_numbers(line) for line in solution.splitlines() if line.strip()]
    lab = [_numbers(line) for line in flagships._run(name, k).splitlines()]
    assert len(numbers) == len(lab) == k
    for mine, ref in zip(numbers, lab, strict=True):
        assert mine.shape == ref.shape and np.allclose(mine, ref, rtol=1e-4, atol=1e-4), (mine, ref)
    assert check_part(variant, variant.part(part), solution).status == "correct"
