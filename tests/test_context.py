"""What a check needs besides the two sides (derive/context.py): declared domains against
their symbols' assumptions, and summation and index ranges against their variables'
(red team A5)."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import DomainError
from derive.proof import Derivation, Step, text
from derive.verify import verify
from tests.mutation import judge

k_pos = sp.Symbol("k", integer=True, positive=True)
k = sp.Symbol("k", integer=True)
j_pos = sp.Symbol("j", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
x = sp.IndexedBase("x", real=True)


def status(lhs: sp.Expr, rhs: sp.Expr, **context: object) -> str:
    """The status of the one step lhs = rhs in a derivation named "ranges"."""
    return judge(lhs, rhs, name="ranges", **context)


def test_assumptions_and_domains_must_agree() -> None:
    xp = sp.Symbol("x", positive=True)
    with pytest.raises(DomainError, match="positive"):
        judge(sp.sqrt(xp**2), xp, domains={xp: (-3.0, 3.0)})


def test_a_contradictory_domain_is_a_one_line_error_with_exit_status_2() -> None:
    xp = sp.Symbol("x", positive=True)
    d = Derivation("my-derivation", "t", text(), [Step(xp, xp, text("claim"))],
                   domains={xp: (-1.0, 1.0)})
    with pytest.raises(DomainError) as caught:
        verify(d)
    assert "my-derivation" in str(caught.value) and caught.value.exit_code == 2


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
