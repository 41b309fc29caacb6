"""The symbolic tactics (derive/tactics.py): a Kronecker delta collapses only inside its
sum's range, sums flatten and are written out as the page reads them (a reversed range is
empty), index ranges decide conditions, logs of products split only for positive factors."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.functions import sigmoid
from derive.tactics import (
    collapse_delta_sums,
    flattened_sums,
    generalised_arguments,
    logs_of_products,
    reduces_to_zero,
    within_index_ranges,
    written_out,
)
from tests.mutation import ACCEPTED, REJECTED, judge

y = sp.Symbol("y", real=True)
j, k = sp.symbols("j k", integer=True)
n, N, K, d = sp.symbols("n N K d", integer=True, positive=True)
kp = sp.Symbol("k", integer=True, positive=True)
theta, xs = sp.IndexedBase("theta", real=True), sp.IndexedBase("x", real=True)
zb = sp.IndexedBase("z", real=True)


# --- Kronecker-delta collapse --------------------------------------------------------------

def test_delta_collapse_outside_the_range_is_not_proved() -> None:
    lhs = sp.Sum(theta[k] * sp.KroneckerDelta(k, j), (k, 1, n))
    ctx = {"indices": {j: (0, n)}, "sizes": {n: (2, 3)}}
    assert judge(lhs, theta[j], **ctx) in REJECTED
    assert judge(lhs, theta[j], indices={j: (1, n)}, sizes={n: (2, 3)}) in ACCEPTED


def test_delta_collapse_without_concrete_sizes_is_not_proved() -> None:
    lhs = sp.Sum(theta[k] * sp.KroneckerDelta(k, j), (k, 1, n))
    assert judge(lhs, theta[j], indices={j: (0, n)}) in REJECTED
    assert judge(lhs, theta[j], indices={j: (1, n)}) in ACCEPTED


def test_a_lowered_upper_bound_is_refuted() -> None:
    lhs = sp.Sum(xs[k] * sp.KroneckerDelta(j, k), (k, 1, N - 1))
    assert judge(lhs, xs[j], indices={j: (1, N)}, sizes={N: (2, 3)}) in REJECTED


@pytest.mark.parametrize(("delta", "rhs", "ok"), [
    (sp.KroneckerDelta(j, k + 1), xs[j], False),
    (sp.KroneckerDelta(j, k + 1), xs[j - 1], True),
    (sp.KroneckerDelta(j, 2 * k), xs[j], False),
    (sp.KroneckerDelta(k + 1, j), xs[j - 1], True),
])
def test_shifted_and_scaled_delta_arguments(delta: sp.Expr, rhs: sp.Expr, ok: bool) -> None:
    lhs = sp.Sum(delta * xs[k], (k, 0, N - 1))
    verdict = judge(lhs, rhs, indices={j: (1, N)}, sizes={N: (2, 3, 4)})
    assert verdict in (ACCEPTED if ok else REJECTED)


def test_a_delta_collapse_never_captures_a_bound_index() -> None:
    w = sp.IndexedBase("w", real=True)
    m = sp.Symbol("m", integer=True)
    lhs = sp.Sum(sp.KroneckerDelta(k, j) * sp.Sum(xs[j] * w[k, j], (j, 1, N)), (k, 1, N))
    assert judge(lhs, sp.Sum(xs[m] * w[m, m], (m, 1, N)), indices={j: (1, N)}) in REJECTED


def test_a_delta_summed_out_only_where_it_is_a_factor() -> None:
    k, m, a = sp.symbols("k m a", integer=True)
    f, g = sp.IndexedBase("f"), sp.IndexedBase("g")
    direct = sp.Sum(sp.KroneckerDelta(k, a) * f[k] + g[k], (k, 1, 3))
    assert collapse_delta_sums(direct, {a: (1, 3)}) == f[a] + sp.Sum(g[k], (k, 1, 3))
    # where a is not known to lie in 1..3, the collapsed term keeps its condition
    kept = collapse_delta_sums(direct, {a: (0, 3)})
    assert kept == sp.Piecewise((f[a], (a >= 1) & (a <= 3)), (0, True)) + sp.Sum(g[k], (k, 1, 3))
    # the delta is inside an inner sum's summand, added to another term: not a factor of the
    # outer sum's term, so it must not be replaced by 1 there (that would be wrong)
    nested = sp.Sum(sp.Sum(sp.KroneckerDelta(k, a) + g[m], (m, 1, 2)), (k, 1, 3))
    collapsed = collapse_delta_sums(nested, {a: (1, 3)})
    values = {a: 2, **{g[v]: v * v + 1 for v in (1, 2)}}
    assert collapsed.doit().subs(values) == nested.doit().subs(values)


# --- sums, index ranges, positivity ---------------------------------------------------------

def test_nested_sums_flatten_to_one_order() -> None:
    k, m = sp.symbols("k m", integer=True)
    p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
    one = sp.Sum(p[k] * sp.Sum(q[k, m], (m, 1, d)), (k, 1, n))
    other = sp.Sum(sp.Sum(p[k] * q[k, m], (k, 1, n)), (m, 1, d))
    assert flattened_sums(one) == flattened_sums(other)


def test_sums_written_out_agree_with_sympy() -> None:
    i, j, k = sp.symbols("i j k", integer=True)
    x = sp.IndexedBase("x")
    # an inner range that uses the outer index (SymPy's doit leaves this one as it is)
    assert written_out(sp.Sum(x[i] * x[j], (j, 1, i), (i, 1, 3))) == (
        x[1] ** 2 + x[1] * x[2] + x[2] ** 2 + x[1] * x[3] + x[2] * x[3] + x[3] ** 2)
    cases = [
        sp.Product(sp.Sum(x[i, j], (j, 0, 2)), (i, 1, 2)),
        sp.Sum(sp.Derivative(x[j] ** 2, x[j]), (j, 1, 2)),        # left over: a derivative
        sp.Sum(x[i], (i, 1, 0)),                                  # empty
        sp.Sum(sp.KroneckerDelta(i, k) * x[i], (i, 1, 3)).xreplace({k: 2}),
    ]
    for expr in cases:
        assert sp.expand(written_out(expr) - expr.doit()) == 0, expr
    # a reversed range is empty, as on the page (SymPy's Karr convention gives -x[2])
    assert written_out(sp.Sum(x[i], (i, 3, 1))) == 0
    assert written_out(sp.Product(x[i], (i, 3, 1))) == 1


@pytest.mark.parametrize(("lhs", "rhs"), [
    (sp.Sum(xs[k], (k, 3, 1)), -xs[2]),              # SymPy's Karr convention, not the page's
    (sp.Sum(xs[k], (k, n + 2, n)), -xs[n + 1]),
])
def test_a_reversed_range_is_an_empty_sum_not_a_negative_one(lhs: sp.Expr, rhs: sp.Expr
                                                             ) -> None:
    assert judge(lhs, rhs, sizes={n: (1, 2)}) == "refuted"
    assert judge(lhs, sp.S.Zero, sizes={n: (1, 2)}) in ACCEPTED


def test_index_ranges_decide_piecewise_conditions() -> None:
    j, N = sp.Symbol("j", integer=True), sp.Symbol("N", integer=True, positive=True)
    z = sp.Symbol("z")
    piecewise = sp.Piecewise((z, N >= j), (0, True))
    assert within_index_ranges(piecewise, {j: (sp.S.One, N)}) == z
    assert within_index_ranges(piecewise, {j: (sp.S.One, N + 1)}) == piecewise


def test_equalities_of_an_index_are_not_decided_by_the_ends_of_its_range() -> None:
    assert judge(sp.Piecewise((xs[j], sp.Eq(j, 2)), (0, True)), sp.S.Zero,
                 indices={j: (1, 3)}) in REJECTED
    assert judge(sp.Piecewise((xs[j], sp.Ne(j, 2)), (0, True)), xs[j],
                 indices={j: (1, 3)}) in REJECTED


def test_generalised_arguments_keep_equal_arguments_equal_and_different_ones_apart() -> None:
    k, r = sp.symbols("k r", integer=True)
    w, v = sp.IndexedBase("w"), sp.IndexedBase("v")
    inner = sp.Sum(w[r, k] * v[k], (k, 1, n))
    same = sp.Sum(w[r, sp.Symbol("l", integer=True)] * v[sp.Symbol("l", integer=True)],
                  (sp.Symbol("l", integer=True), 1, n))
    assert reduces_to_zero(generalised_arguments(sigmoid(inner) - sigmoid(same)))
    other = sp.Sum(w[k, r] * v[k], (k, 1, n))
    assert not reduces_to_zero(generalised_arguments(sigmoid(inner) - sigmoid(other)))


def test_log_of_a_product_is_split_only_for_positive_factors() -> None:
    positive = sp.log(sp.Product(sigmoid(zb[kp]), (kp, 1, K)))
    assert logs_of_products(positive) == sp.Sum(sp.log(sigmoid(zb[kp])), (kp, 1, K))
    assert reduces_to_zero(positive - sp.Sum(sp.log(sigmoid(zb[kp])), (kp, 1, K)))
    real = sp.log(sp.Product(zb[kp], (kp, 1, K)))  # may be negative: log ab != log a + log b
    assert logs_of_products(real) == real
    assert not reduces_to_zero(real - sp.Sum(sp.log(zb[kp]), (kp, 1, K)))


def test_an_exponential_of_a_complex_argument_is_not_taken_positive() -> None:
    e = sp.exp(sp.I * y) + sp.exp(-sp.I * y)
    assert judge(sp.Abs(e) * sp.Function("f")(y), e * sp.Function("f")(y)) in REJECTED
