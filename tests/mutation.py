"""Helpers shared by the verifier tests: verify one claimed step, or change one step of a
derivation, verify, and read its verdict."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sympy as sp

from derive.proof import Derivation, Step, text
from derive.verify import verify

ACCEPTED = {"proved", "checked"}
REJECTED = {"refuted", "undecided"}


def judge(lhs: sp.Expr, rhs: sp.Expr, where: sp.Basic | None = None, name: str = "trust",
          **context: object) -> str:
    """The status of the one step lhs = rhs in a derivation with the given context."""
    d = Derivation(name, name, text(), [Step(lhs, rhs, text("claim"), where=where)],
                   **context)  # type: ignore[arg-type]
    return str(verify(d).steps[0].verdict.status)  # type: ignore[union-attr]


def judge_implication(premise: sp.Eq, conclusion: sp.Eq, eliminate: sp.Symbol,
                      **context: object) -> str:
    """The status of the step premise => conclusion (solved for ``eliminate``)."""
    d = Derivation("trust", "trust", text(), [
        Step(premise.lhs, premise.rhs, text("premise"), kind="given"),
        Step(conclusion.lhs, conclusion.rhs, text("claim"), kind="implies",
             eliminate=eliminate)], **context)  # type: ignore[arg-type]
    return str(verify(d).steps[1].verdict.status)  # type: ignore[union-attr]


def mutated(build: Callable[[], Derivation], index: int, rhs: Callable[[sp.Expr], sp.Expr]
            ) -> Derivation:
    """The derivation with step ``index``'s right side changed, verified (oracles dropped).

    ``build`` is a registered derivation (its unverified builder is used) or a plain builder.
    """
    d = getattr(build, "unverified", build)()
    steps = list(d.steps)
    steps[index] = dataclasses.replace(steps[index], rhs=rhs(steps[index].rhs), verdict=None)
    return verify(dataclasses.replace(d, steps=steps, oracles=[]))


def status(d: Derivation, index: int) -> str:
    """The verdict status of step ``index``."""
    verdict = d.steps[index].verdict
    assert verdict is not None
    return verdict.status
