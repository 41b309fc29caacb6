"""Regression tests: each derivation's result in its canonical simplified form."""

from __future__ import annotations

import sympy as sp

from derive.functions import elementary, sigmoid
from derive.library import (
    bce_gradient,
    sigmoid_from_log_odds,
    softmax_jacobian,
)
from derive.models import LogisticRegression
from derive.verify import Context, instantiate, unfold


def test_sigmoid_from_log_odds_result() -> None:
    d = sigmoid_from_log_odds()
    t = sp.Symbol("t", real=True)
    assert d.result.rhs == sigmoid(t)
    assert d.tally() == {"proved": 9, "checked": 0, "refuted": 0, "undecided": 0}


def test_bce_gradient_canonical_form() -> None:
    d = bce_gradient()
    lr = LogisticRegression()
    expected = sp.Sum((lr.hypothesis(lr.i) - lr.y[lr.i]) * lr.x[lr.i, lr.j], (lr.i, 1, lr.m))
    final = d.steps[11].rhs   # the gradient with h substituted
    assert sp.simplify(final.doit() - expected.doit()) == 0
    assert d.tally()["refuted"] == 0 and d.tally()["proved"] >= 7


def test_softmax_jacobian_canonical_form_on_concrete_sizes() -> None:
    d = softmax_jacobian()
    ctx = Context.of(d)
    size = next(iter(d.sizes))
    i, j = sorted(d.indices, key=str)
    result = unfold(d.steps[5].rhs, ctx)       # s_i (delta_ij - s_j)
    for k in (2, 3):
        zs = sp.symbols(f"z1:{k + 1}", real=True)
        s = [sp.exp(zi) / sum(sp.exp(zk) for zk in zs) for zi in zs]
        for a in range(1, k + 1):
            for b in range(1, k + 1):
                got = instantiate(result, {size: k, i: a, j: b})
                got = got.xreplace({sp.IndexedBase("z", real=True)[n + 1]: zs[n] for n in range(k)})
                want = sp.diff(s[a - 1], zs[b - 1])
                assert sp.simplify(elementary(got) - want) == 0


def test_sigmoid_derivative_canonical_forms() -> None:
    from derive.library import sigmoid_derivative

    d = sigmoid_derivative()
    z = sp.Symbol("z", real=True)
    assert d.tally() == {"proved": 11, "checked": 0, "refuted": 0, "undecided": 0}
    derivative = next(s for s in d.steps if s.lhs == sp.Derivative(sigmoid(z), z)
                      and not s.rhs.has(sp.exp))
    assert sp.expand(derivative.rhs - sigmoid(z) * (1 - sigmoid(z))) == 0
    assert d.result.rhs == sigmoid(-z)
    assert all(o.verdict is not None and o.verdict.status == "proved" for o in d.oracles)
