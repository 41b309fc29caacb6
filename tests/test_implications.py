"""Judging an equation transformed from the previous one (derive/implications.py): every
solution of each checked in the other, inside the domain, unless the step is one-way."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derive.functions import relu, sigmoid
from derive.proof import Derivation, Step, text
from derive.verify import verify
from tests.mutation import ACCEPTED, REJECTED, judge_implication

x, y, t = sp.symbols("x y t", real=True)
theta = sp.IndexedBase("theta", real=True)


@pytest.mark.parametrize(("premise", "conclusion", "var"), [
    (sp.Eq(x**2, 4), sp.Eq(x, -2), x),
    (sp.Eq(relu(x), 0), sp.Eq(x, 0), x),
    (sp.Eq(x * y, 0), sp.Eq(x, 0), x),
    (sp.Eq(sp.tan(t), 1), sp.Eq(t, sp.pi / 4), t),
])
def test_implications_check_every_solution(premise: sp.Eq, conclusion: sp.Eq,
                                           var: sp.Symbol) -> None:
    assert judge_implication(premise, conclusion, var) in REJECTED


def test_true_implications_still_pass() -> None:
    p = sp.Symbol("p", real=True)
    assert judge_implication(sp.Eq(p / (1 - p), sp.exp(t)), sp.Eq(p, sigmoid(t)), p,
                             domains={p: (0.01, 0.99)}) in ACCEPTED
    assert judge_implication(sp.Eq(2 * x + 1, y), sp.Eq(x, (y - 1) / 2), x) in ACCEPTED


def test_an_implication_that_loses_solutions_is_not_an_equivalence() -> None:
    # 2x = 4 implies x**2 = 4, but not conversely: accepted only as a one-way step
    d = Derivation("trust", "trust", text(), [
        Step(2 * x, 4, text("premise"), kind="given"),
        Step(x**2, 4, text("square"), kind="implies", eliminate=x)])
    assert verify(d).steps[1].verdict.status in REJECTED  # type: ignore[union-attr]
    d = Derivation("trust", "trust", text(), [
        Step(2 * x, 4, text("premise"), kind="given"),
        Step(x**2, 4, text("square"), kind="implies", eliminate=x, one_way=True)])
    assert verify(d).steps[1].verdict.status in ACCEPTED  # type: ignore[union-attr]


def test_implication_step_is_checked_against_previous_equation() -> None:
    p = sp.Symbol("p", positive=True)
    t = sp.Symbol("t", real=True)
    good = Derivation("demo", "demo", text(""), [
        Step(sp.log(p / (1 - p)), t, text("given"), kind="given"),
        Step(p, sp.exp(t) / (1 + sp.exp(t)), text("solve"), kind="implies", eliminate=t)],
        domains={p: (0.01, 0.99)})
    assert verify(good).steps[1].verdict.status == "proved"  # type: ignore[union-attr]
    bad = dataclasses.replace(good, steps=[good.steps[0], dataclasses.replace(
        good.steps[1], rhs=sp.exp(t) / (2 + sp.exp(t)), verdict=None)])
    assert verify(bad).steps[1].verdict.status == "refuted"  # type: ignore[union-attr]


@pytest.mark.parametrize(("premise", "conclusion"), [
    (sp.Eq(x * theta[1], 0), sp.Eq(x, 0)),
    (sp.Eq(x * theta[1], theta[1] * y), sp.Eq(x, y)),
    (sp.Eq(x * (y - sp.cos(y)), 0), sp.Eq(x, 0)),
    (sp.Eq(x * sp.Function("f")(y), 0), sp.Eq(x, 0)),
])
def test_an_implication_cannot_drop_solutions_of_degenerate_parameters(
        premise: sp.Eq, conclusion: sp.Eq) -> None:
    assert judge_implication(premise, conclusion, x) in REJECTED


def test_candidate_solutions_are_judged_only_inside_the_domain() -> None:
    xp = sp.Symbol("x", positive=True)
    assert judge_implication(sp.Eq(xp**2, y), sp.Eq(xp, sp.sqrt(y)), xp,
                             domains={y: (0.1, 4.0)}) in ACCEPTED
    assert judge_implication(sp.Eq(x**2, 4), sp.Eq(x, 2), x, domains={x: (0.0, 3.0)}) \
        in ACCEPTED
