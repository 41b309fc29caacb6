"""Verifying many derivations at once (derive/batch.py): the costliest first, from a cost
table that lists every derivation."""

from __future__ import annotations

import pytest
import sympy as sp

from derive import batch
from derive.batch import expected_costs
from derive.proof import Derivation, Step, text
from derive.registry import DERIVATIONS, names


def test_costliest_derivations_are_handed_out_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "expected_costs", lambda: {"cheap": 0.1, "dear": 2.0})
    x = sp.Symbol("x")

    def named(name: str, checks: int) -> Derivation:
        return Derivation(name, name, text(""), [Step(x, x, text("same"))] * checks)

    work = [named("cheap", 9), named("dear", 1), named("new-small", 1), named("new-big", 3)]
    order = [work[d].name for d in batch.costliest_first(work)]
    assert order == ["new-big", "new-small", "dear", "cheap"]   # unknown cost first


def test_the_cost_table_lists_every_derivation() -> None:
    names()
    assert set(expected_costs()) == set(DERIVATIONS), "run `make costs` to measure them again"
