"""A result compared with finite differences (derive/finite_differences.py), which use no
differentiation code: a broken derivative rule cannot vouch for itself."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.functions import sigmoid
from derive.proof import Derivation, Step, text
from derive.verify import verify
from tests.caches import clear_caches
from tests.mutation import ACCEPTED, judge

z = sp.Symbol("z", real=True)
j, k = sp.symbols("j k", integer=True)
K = sp.Symbol("K", integer=True, positive=True)
xs = sp.IndexedBase("x", real=True)


@pytest.mark.usefixtures("without_fdiff_check")
def test_a_broken_derivative_rule_is_caught_by_finite_differences(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # sigma' wrongly taught as sigma: the symbolic tactics and the numeric evidence both use
    # the rule, so only the finite differences can tell
    monkeypatch.setattr(sigmoid, "fdiff", lambda self, argindex=1: sigmoid(self.args[0]))
    clear_caches()
    try:
        assert judge(sp.Derivative(sigmoid(z), z), sigmoid(z)) == "refuted"
        theta_ = sp.IndexedBase("theta", real=True)
        loss = sp.Sum(sp.log(sigmoid(theta_[k] * xs[k])), (k, 1, K))
        wrong = sigmoid(theta_[j] * xs[j]) * xs[j] / sigmoid(theta_[j] * xs[j])
        status = judge(sp.Derivative(loss, theta_[j]), wrong, indices={j: (1, K)},
                       sizes={K: (2, 3)})
        assert status == "refuted"
    finally:
        monkeypatch.undo()
        clear_caches()


def test_a_broken_derivative_rule_is_an_error_before_any_step_is_judged(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the first defence: each function's fdiff against the derivative of its meaning
    from derive.errors import DomainError

    monkeypatch.setattr(sigmoid, "fdiff", lambda self, argindex=1: sigmoid(self.args[0]))
    clear_caches()
    try:
        with pytest.raises(DomainError, match="claims the derivative"):
            judge(sp.Derivative(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z)))
    finally:
        monkeypatch.undo()
        clear_caches()


def test_a_true_result_agrees_with_finite_differences() -> None:
    d = Derivation("trust", "trust", text(), [
        Step(sp.Derivative(sp.log(sigmoid(z)), z), 1 - sigmoid(z), text("claim"))])
    verdict = verify(d).steps[0].verdict
    assert verdict is not None and verdict.status == "proved"
    assert "finite differences" in verdict.method


def test_finite_differences_allow_for_a_large_constant() -> None:
    assert judge(sp.Derivative(z + 10**25, z), sp.S.One) in ACCEPTED
