"""Issue 17, red team A5 and A9: summation ranges against the assumptions of their variable,
and reversed ranges, which the reader takes as empty sums."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import DomainError
from derive.proof import Derivation, Step, text
from derive.verify import verify

k_pos = sp.Symbol("k", integer=True, positive=True)
k = sp.Symbol("k", integer=True)
j_pos = sp.Symbol("j", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
x = sp.IndexedBase("x", real=True)


def status(lhs: sp.Expr, rhs: sp.Expr, **context: object) -> str:
    d = Derivation("ranges", "ranges", text(), [Step(lhs, rhs, text("claim"))],
                   **context)  # type: ignore[arg-type]
    return str(verify(d).steps[0].verdict.status)  # type: ignore[union-attr]


@pytest.mark.parametrize(("lhs", "rhs"), [
    # SymPy drops delta(k, 0) and |k - 1| for a positive k as it builds the sum: the claim
    # would be "proved" about a sum that no longer says what was written
    (sp.Sum(sp.KroneckerDelta(k_pos, 0) * x[k_pos], (k_pos, 0, n)), sp.S.Zero),
    (sp.Sum(sp.Abs(k_pos - 1) * x[k_pos], (k_pos, 0, n)), sp.Sum((k_pos - 1) * x[k_pos],
                                                                  (k_pos, 0, n))),
    (sp.Sum(x[k_pos], (k_pos, j_pos - 1, n)), sp.Sum(x[k_pos], (k_pos, j_pos - 1, n))),
])
def test_a_summation_variable_whose_assumptions_deny_its_range_is_an_error(
        lhs: sp.Expr, rhs: sp.Expr) -> None:
    with pytest.raises(DomainError, match="ranges: step 1: the sum over k runs from"):
        status(lhs, rhs)


def test_a_declared_index_whose_assumptions_deny_its_range_is_an_error() -> None:
    with pytest.raises(DomainError, match="the index j runs from 0 to n, but j is declared "
                                          "positive"):
        status(x[j_pos], x[j_pos], indices={j_pos: (0, n)})


def test_ranges_that_agree_with_the_assumptions_are_fine() -> None:
    assert status(sp.Sum(sp.KroneckerDelta(k, 0) * x[k], (k, 0, n)), x[0]) in {"proved",
                                                                               "checked"}
    assert status(sp.Sum(x[k_pos], (k_pos, 1, n)), sp.Sum(x[k], (k, 1, n))) in {"proved",
                                                                                "checked"}


@pytest.mark.parametrize(("lhs", "rhs"), [
    (sp.Sum(x[k], (k, 3, 1)), -x[2]),              # SymPy's Karr convention, not the page's
    (sp.Sum(x[k], (k, n + 2, n)), -x[n + 1]),
])
def test_a_reversed_range_is_an_empty_sum_not_a_negative_one(lhs: sp.Expr, rhs: sp.Expr
                                                             ) -> None:
    assert status(lhs, rhs, sizes={n: (1, 2)}) == "refuted"
    assert status(lhs, sp.S.Zero, sizes={n: (1, 2)}) != "refuted"
