"""Mutation helpers shared by the verifier tests: change one step, verify, read its verdict."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sympy as sp

from derive.proof import Derivation
from derive.verify import verify


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
