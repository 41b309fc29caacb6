"""Numeric evidence at concrete sizes (derive/evidence.py): a size larger than the symbolic
ones, the indices a check instantiates, the step's condition, unspecified functions made
concrete."""

from __future__ import annotations

import sympy as sp

from derive.verify import Context, check_equal
from tests.mutation import ACCEPTED, REJECTED, judge

t = sp.Symbol("t", real=True)
j, k = sp.symbols("j k", integer=True)
N, K = sp.symbols("N K", integer=True, positive=True)
ip, jp = sp.symbols("i j", integer=True, positive=True)
xs, zb = sp.IndexedBase("x", real=True), sp.IndexedBase("z", real=True)


def test_an_identity_true_only_for_small_sizes_is_refuted() -> None:
    # Sum_{k=1}^{K} k = K (K + 1) / 2 is true; K (K + 1) / 2 + (K-1)(K-2)(K-3) is true for K <= 3
    lhs = sp.Sum(k, (k, 1, K))
    wrong = K * (K + 1) / 2 + (K - 1) * (K - 2) * (K - 3)
    assert judge(lhs, wrong, sizes={K: (1, 2, 3)}) in REJECTED


def test_index_of_a_derivative_variable_is_instantiated() -> None:
    # d z_i / d z_j = delta_ij: j occurs only in the derivative's variable
    ctx = Context({}, {}, {K: (2, 3)}, {K: 20}, {ip: (sp.S.One, K), jp: (sp.S.One, K)}, seed=5)
    assert check_equal(sp.Derivative(zb[ip], zb[jp]), sp.KroneckerDelta(ip, jp), ctx).status \
        == "proved"
    assert check_equal(sp.Derivative(zb[ip], zb[jp]), sp.S.One, ctx).status == "refuted"


def test_where_holds_for_index_notation_too() -> None:
    assert judge(sp.KroneckerDelta(j, k) * xs[j], sp.S.Zero, where=sp.Ne(j, k),
                 indices={j: (1, N), k: (1, N)}, sizes={N: (2, 3)}) in ACCEPTED


def test_a_wrong_step_about_unspecified_functions_is_refuted_with_a_particular_one() -> None:
    f = sp.Function("f")
    lhs = sp.Derivative(sp.Sum(f(xs[k]), (k, 1, N)), xs[j])
    true = sp.Subs(sp.Derivative(f(t), t), t, xs[j])
    assert judge(lhs, true, indices={j: (1, N)}, sizes={N: (1, 2)}) in ACCEPTED
    assert judge(lhs, 2 * true, indices={j: (1, N)}, sizes={N: (1, 2)}) == "refuted"
