"""Numeric evidence (derive/sampling.py): error control at two precisions, the edges of the
domains and the breakpoints among the points, the compiled code, entries and loops."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from derive.functions import relu, sigmoid
from derive.sampling import PRECISION_DIGITS, compare_entries, compare_general_form, mp_function
from derive.verify import Context
from tests.mutation import ACCEPTED, REJECTED, judge

x, y, z = sp.symbols("x y z", real=True)
j, k = sp.symbols("j k", integer=True)
N, K = sp.symbols("N K", integer=True, positive=True)
kp, ip = sp.symbols("k i", integer=True, positive=True)
xs, zb = sp.IndexedBase("x", real=True), sp.IndexedBase("z", real=True)


class _Ctx:
    domains: dict[sp.Basic, tuple[float, float]] = {}
    seed = 7


# --- error control -------------------------------------------------------------------------

@pytest.mark.parametrize(("lhs", "rhs", "domains"), [
    (z, z + sp.Float("1e-20", 40), {}),
    (10**20 * z, (10**20 + 1) * z, {}),
    ((10**40 + z) - 10**40 + sp.Float("1e-15", 40) * z, z, {}),
    (sigmoid(z), sp.S.One, {z: (50.0, 100.0)}),
    (sp.Heaviside(z, 0), sp.Heaviside(z, 1), {}),
    (sp.Min(z, 1.95), z, {}),
    (relu(z), z, {z: (-0.001, 2.0)}),
    (sp.Max(x, y), x, {x: (0.0, 1.0), y: (-1.0, 0.001)}),
])
def test_near_misses_are_refuted(lhs: sp.Expr, rhs: sp.Expr,
                                 domains: dict[sp.Symbol, tuple[float, float]]) -> None:
    assert judge(lhs, rhs, domains=domains) in REJECTED


def test_a_cancellation_that_is_true_is_still_accepted() -> None:
    big = sp.Integer(10) ** 40
    assert judge((big + sp.exp(z)) - big, sp.exp(z)) in ACCEPTED


def test_cancellation_beyond_sixty_digits_is_resolved() -> None:
    from derive.proof import written_sum
    big = sp.Integer(10) ** 70
    assert judge(written_sum(big, x, -big), x) in ACCEPTED
    assert judge(written_sum(big, x, -big), sp.S.Zero) in REJECTED
    assert judge(written_sum(sp.exp(x), 1, -sp.exp(x)), sp.S.One,
                 domains={x: (150.0, 200.0)}) in ACCEPTED


def test_integer_sizes_are_exact_in_numeric_code() -> None:
    # the population variance identity (1/K) Sum (x_k - mean)^2 = (1/K) Sum x_k^2 - mean^2
    mean = sp.Sum(xs[k], (k, 1, K)) / K
    lhs = sp.Sum((xs[k] - mean) ** 2, (k, 1, K)) / K
    rhs = sp.Sum(xs[k] ** 2, (k, 1, K)) / K - mean**2
    assert judge(lhs, rhs, sizes={K: (2, 3)}) in ACCEPTED


# --- the points drawn -----------------------------------------------------------------------

def test_default_domains_follow_the_assumptions() -> None:
    u = sp.Symbol("u", nonnegative=True)
    assert judge(sp.sqrt(u**2), u) in ACCEPTED
    assert judge(sp.Abs(u), -u) in REJECTED


def test_breakpoints_inside_and_conditions_are_visited() -> None:
    narrow = sp.And(x > sp.Rational(1, 2), x < sp.Rational(5001, 10000))
    assert judge(sp.Piecewise((1, narrow), (0, True)), sp.S.Zero) in REJECTED


def test_swapped_indices_of_an_array_are_refuted_at_every_kind_of_point() -> None:
    # edge points must not make arrays constant (and so symmetric)
    w = sp.IndexedBase("w", real=True)
    lhs = sp.Sum(w[k, j] * xs[k], (k, 1, N))
    assert judge(lhs, sp.Sum(w[j, k] * xs[k], (k, 1, N)), indices={j: (1, N)},
                 sizes={N: (2, 3)}) == "refuted"


def test_primed_symbol_names_do_not_crash_the_sampler() -> None:
    jp = sp.Symbol("j'", real=True)
    assert judge(sigmoid(jp) + sigmoid(-jp), sp.S.One) in ACCEPTED
    assert judge(sigmoid(jp), sp.S.One) in REJECTED


# --- the compiled code ----------------------------------------------------------------------

def test_compiled_code_shares_subexpressions_and_agrees_with_evalf() -> None:
    x, y = sp.symbols("x y", real=True)
    shared = sigmoid(x * y + 1)
    expr = shared * (1 - shared) + sp.exp(shared) / (x**2 + 1) + sp.Rational(1, 3)
    f = mp_function(expr, [x, y])
    exact = expr.subs({x: sp.Rational(3, 10), y: sp.Rational(-17, 10)}).evalf(PRECISION_DIGITS)
    with mpmath.workdps(PRECISION_DIGITS):
        value = f(mpmath.mpf(3) / 10, mpmath.mpf(-17) / 10)
        assert abs(value - mpmath.mpf(str(exact))) < mpmath.mpf(10) ** -25


def test_two_summation_variables_with_one_name_are_two_loops() -> None:
    k1, k2 = sp.Symbol("k", integer=True), sp.Symbol("k")
    ys = sp.IndexedBase("y", real=True)
    lhs = sp.Sum(sp.Sum(xs[k1] * ys[k2], (k2, 1, N)), (k1, 1, N))
    true = sp.Sum(xs[k1], (k1, 1, N)) * sp.Sum(ys[k1], (k1, 1, N))
    same = sp.Sum(xs[k1] * ys[k1], (k1, 1, N))
    assert judge(lhs, true, sizes={N: (2, 3)}) in ACCEPTED
    assert judge(lhs, N * same + (N - 3) * (N - 5) / 3 * (true - N * same),
                 sizes={N: (2, 3)}) in REJECTED


def test_compare_entries_agrees_and_names_the_wrong_entry() -> None:
    x, y = sp.symbols("x y", real=True)
    lefts = [x * y, sigmoid(x) + y]
    good, example = compare_entries(lefts, [y * x, 1 / (1 + sp.exp(-x)) + y], _Ctx(), 4)
    # at least the 4 points asked for, each of the 2 entries; the corners come first
    assert example is None and good >= 8 and good % 2 == 0
    _, example = compare_entries(lefts, [y * x, sigmoid(x) + y + sp.Rational(1, 10**12)],
                                 _Ctx(), 4)
    assert example is not None and example["entry"] == "2"


def test_fast_cross_checks_use_floats_but_mpmath_decides() -> None:
    x, y = sp.symbols("x y", real=True)
    lefts = [x * y, sigmoid(x) + y]
    # agreement to 1e-9 is enough in floats; a real difference is refuted (by mpmath)
    good, example = compare_entries(lefts, [y * x, 1 / (1 + sp.exp(-x)) + y], _Ctx(), 4,
                                    fast=True)
    assert example is None and good == (4 + 2) * 2   # 4 random points after 2 edges, 2 entries
    _, example = compare_entries(lefts, [y * x, sigmoid(x) + y + sp.Rational(1, 10**6)],
                                 _Ctx(), 4, fast=True)
    assert example is not None and example["entry"] == "2"
    # floats overflow at e^800: those points are evaluated with mpmath, and agree
    big = sp.exp(800 + x)
    good, example = compare_entries([big * y], [y * big], _Ctx(), 3, fast=True)
    assert example is None and good == 3 + 2
    f = mp_function(sp.Tuple(big), [x])
    assert hasattr(f, "fast")
    with pytest.raises(OverflowError):
        f.fast(0.5)


def test_large_size_check_evaluates_sums_as_loops_and_refutes() -> None:
    ctx = Context({}, {zb: (-1.0, 1.0)}, {K: (2,)}, {K: 100}, {ip: (sp.S.One, K)}, seed=3)
    full, short = sp.Sum(zb[kp], (kp, 1, K)), sp.Sum(zb[kp], (kp, 1, K - 1))
    agreed, bad, _ = compare_general_form(full, short + zb[K], ctx, [{K: 100}], points=4)
    assert (agreed, bad) == (4 + 2, None)   # the 4 random points asked for, after both edges
    agreed, bad, at = compare_general_form(full, short, ctx, [{K: 100}], points=4)
    assert bad is not None and at == {K: 100} and "z" in bad
