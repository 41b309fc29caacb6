"""The first look (derive.screening): wrong steps refuted before any symbolic work, and the
families of wrong steps that came out undecided, not refuted, in `make mutants`."""

from __future__ import annotations

import pytest
import sympy as sp

from derive import identities
from derive.proof import Derivation, Step, text
from derive.verify import verify
from tests.mutation import ACCEPTED, REJECTED, judge

x, c = sp.symbols("x c", real=True)
i, k = sp.symbols("i k", integer=True)
K, N = sp.symbols("K N", integer=True, positive=True)
z, w = sp.IndexedBase("z", real=True), sp.IndexedBase("w", real=True)
j = sp.Symbol("j", integer=True)
theta, xs = sp.IndexedBase("theta", real=True), sp.IndexedBase("x", real=True)
f, g = sp.Function("f"), sp.Function("g")


def verdict(lhs: sp.Expr, rhs: sp.Expr, **context: object) -> str:
    d = Derivation("screen", "screen", text(), [Step(lhs, rhs, text("claim"))],
                   **context)  # type: ignore[arg-type]
    return str(verify(d).steps[0].verdict.status)  # type: ignore[union-attr]


def test_a_wrong_step_is_refuted_before_any_symbolic_work(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    def no_symbolic_work(*_: object, **__: object) -> bool:
        raise AssertionError("simplification reached for a step the first look refutes")

    monkeypatch.setattr(identities, "reduces_to_zero", no_symbolic_work)
    assert verdict(sp.Derivative(sp.exp(2 * x) * sp.sin(x), x),
                   2 * sp.exp(2 * x) * sp.sin(x) - sp.exp(2 * x) * sp.cos(x)) == "refuted"
    s = sp.Sum(sp.exp(z[k]), (k, 1, K))
    assert verdict(sp.exp(z[i]) / s, sp.exp(z[i]) / (s + 1), indices={i: (1, K)},
                   sizes={K: (2, 3)}) == "refuted"


@pytest.mark.parametrize("wrong", [
    sp.Subs(sp.Derivative(g(x), x), x, f(x)),                         # f' dropped
    -sp.Subs(sp.Derivative(g(x), x), x, f(x)) * sp.Derivative(f(x), x),  # sign
    sp.Subs(sp.Derivative(g(x), x), x, f(x)) * sp.Derivative(f(x), x) ** 2,  # exponent
])
def test_a_wrong_chain_rule_about_unspecified_functions_is_refuted(wrong: sp.Expr) -> None:
    lhs = sp.Derivative(g(f(x)), x)
    assert verdict(lhs, sp.Subs(sp.Derivative(g(x), x), x, f(x))
                   * sp.Derivative(f(x), x)) in {"proved", "checked"}
    assert verdict(lhs, wrong) == "refuted"


def test_a_wrong_chain_rule_over_a_sum_of_unspecified_functions_is_refuted() -> None:
    loss = sp.Sum((f(w[1], z[i]) - c) ** 2, (i, 1, N))
    true = sp.Sum(2 * (f(w[1], z[i]) - c) * sp.Derivative(f(w[1], z[i]), w[1]), (i, 1, N))
    wrong = sp.Sum((f(w[1], z[i]) - c) * sp.Derivative(f(w[1], z[i]), w[1]), (i, 1, N))
    context = {"sizes": {N: (1, 2)}}
    assert verdict(sp.Derivative(loss, w[1]), true, **context) in {"proved", "checked"}
    assert verdict(sp.Derivative(loss, w[1]), wrong, **context) == "refuted"


@pytest.mark.parametrize("bounds", [(1, K - 1), (2, K)])
def test_a_sum_that_is_empty_at_the_smallest_size_is_refuted_at_another(
        bounds: tuple[sp.Expr, sp.Expr]) -> None:
    softmax_i = sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, 1, K))
    wrong = sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, *bounds))
    assert verdict(softmax_i, wrong, indices={i: (1, K)}, sizes={K: (1, 2, 3)}) == "refuted"


def test_a_side_that_is_undefined_everywhere_is_refuted() -> None:
    assert verdict(x / (1 - x), sp.zoo * x) == "refuted"
    assert verdict(x, sp.nan) == "refuted"


def test_a_wrong_step_with_a_derivative_in_a_layers_value_is_refuted() -> None:
    # d g(W2, z) / d z with z = f(W1, x) defined: a derivative in f's value, not in a symbol
    W1, W2, zs = sp.symbols("W_1 W_2 z", real=True)
    context = {"definitions": {zs: f(W1, x)}}
    lhs = sp.Derivative(g(W2, zs), W1)
    true = sp.Derivative(g(W2, zs), zs) * sp.Derivative(zs, W1)
    assert verdict(lhs, true, **context) in {"proved", "checked"}
    assert verdict(lhs, 2 * true, **context) == "refuted"
    assert verdict(lhs, sp.Derivative(g(W2, zs), zs) * sp.Derivative(zs, x),
                   **context) == "refuted"


def test_matrices_of_symbolic_size_with_no_sizes_declared_are_written_out_at_small_ones(
        ) -> None:
    d, n = sp.symbols("d n", integer=True, positive=True)
    W, V = sp.MatrixSymbol("W", d, n), sp.MatrixSymbol("V", d, n)
    assert verdict(V + W, 2 * W + V - W) == "proved"
    assert verdict(V + W, W - V) == "refuted"
    assert verdict(V + W, (W.T * V).T) == "refuted"


def test_a_checked_verdict_names_the_domains_it_assumed() -> None:
    # atan(tan(x/2)) = x/2 holds only for |x| < pi: "checked" must say where it looked
    claim = [Step(sp.atan(sp.tan(x / 2)), x / 2, text("claim"))]
    default = verify(Derivation("screen", "screen", text(), claim)).steps[0].verdict
    assert default is not None and default.status == "checked"
    assert "x in (-2, 2) (no domain declared)" in default.method
    declared = verify(Derivation("screen", "screen", text(), claim,
                                 domains={x: (-3.0, 3.0)})).steps[0].verdict
    assert declared is not None and declared.status == "checked"
    assert "no domain declared" not in declared.method
    wider = verify(Derivation("screen", "screen", text(), claim,
                              domains={x: (-9.0, 9.0)})).steps[0].verdict
    assert wider is not None and wider.status == "refuted"


@pytest.mark.parametrize(("lhs", "rhs"), [
    (sp.floor(x) + 1, sp.ceiling(x)),                        # false exactly at the integers
    (sp.floor(x + sp.Rational(1, 1000)), sp.floor(x)),       # false just below them
    (sp.frac(x), x - sp.ceiling(x) + 1),                     # false at the integers
])
def test_the_jumps_of_floor_ceiling_and_frac_are_visited(lhs: sp.Expr, rhs: sp.Expr) -> None:
    # red team A10: points drawn at random almost never land on a jump
    assert verdict(lhs, rhs, domains={x: (-1.5, 1.5)}) == "refuted"


def test_true_identities_of_floor_and_ceiling_still_pass() -> None:
    assert verdict(sp.ceiling(x), -sp.floor(-x)) in {"proved", "checked"}
    assert verdict(sp.floor(x), x - sp.frac(x)) in {"proved", "checked"}


def test_index_notation_without_declared_sizes_is_still_checked_at_sizes() -> None:
    # the sizes are inferred (positive integers bounding a sum); a wrong collapse is caught
    lhs = sp.Sum(sp.KroneckerDelta(k, j) * sp.Sum(xs[i] * theta[k], (i, 1, N)), (k, 1, N))
    good = theta[j] * sp.Sum(xs[i], (i, 1, N))
    assert judge(lhs, good, indices={j: (1, N)}) in ACCEPTED
    assert judge(lhs, good + theta[j] * xs[N] * (N - 1) * (N - 2) * (N - 3) / 10**6,
                 indices={j: (1, N)}) in REJECTED
