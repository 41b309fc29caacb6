"""Page layout helpers (wide worked-example lines, rule text with maths, verdict summaries) and
the numeric evidence's compiled code (shared subexpressions, many entries at once)."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from derive.functions import relu, sigmoid
from derive.matrices import elementwise
from derive.numeric.demos import minibatch_noise
from derive.pipeline import get_derivation, get_example
from derive.proof import text
from derive.render.figures import plots_latex
from derive.render.latex import (
    LINE_CHARS,
    number_ranges,
    printed_width,
    quantity_rows,
    tex,
    text_latex,
    verdict_runs,
)
from derive.sampling import PRECISION_DIGITS, compare_entries, mp_function


class _Ctx:
    domains: dict[sp.Basic, tuple[float, float]] = {}
    seed = 7


def test_wide_cost_line_is_broken_between_terms() -> None:
    ex = get_example("c-q3-cross-entropy")
    values = ex.values()
    cost = next(q for q in ex.quantities if q.symbol.name == "C")
    rows = quantity_rows(cost, values, ex.notation)
    assert len(rows) >= 4                       # formula, numbers over lines, value
    assert rows[-1][1].startswith(r"\mathbf{")
    assert any(relation != "=" for relation, _ in rows)   # a continued sum
    assert all(printed_width(row) <= LINE_CHARS for _, row in rows)


def test_narrow_line_stays_on_one_line() -> None:
    ex = get_example("c-q3-cross-entropy")
    q = next(q for q in ex.quantities if q.symbol.name == "out_h1")
    rows = quantity_rows(q, ex.values(), ex.notation)
    assert len(rows) == 1 and rows[0][1].count("=") == 2


def test_rule_text_keeps_authored_maths_and_escapes_the_rest() -> None:
    out = text_latex(text("differentiation is linear: $J_{f+g} = J_f + J_g$ & 50% − done"))
    assert "$J_{f+g} = J_f + J_g$" in out
    assert r"\&" in out and r"\%" in out and r"\ensuremath{-}" in out
    with pytest.raises(ValueError, match="unbalanced"):
        text_latex(text("one $ sign"))


def test_verdict_runs_and_ranges() -> None:
    assert number_ranges([2, 3, 4, 7, 9, 10]) == "2–4, 7, 9–10"
    d = get_derivation("local-gradients")   # max/min derivatives: checked, not proved
    statuses = [s.verdict.status for s in d.checked_steps]
    first_checked = statuses.index("checked") + 1
    runs = verdict_runs(d)
    assert runs.startswith(f"steps 1–{first_checked - 1} proved; steps {first_checked}–")
    assert runs.endswith("checked")


def test_compiled_code_shares_subexpressions_and_agrees_with_evalf() -> None:
    x, y = sp.symbols("x y", real=True)
    shared = sigmoid(x * y + 1)
    expr = shared * (1 - shared) + sp.exp(shared) / (x**2 + 1) + sp.Rational(1, 3)
    f = mp_function(expr, [x, y])
    exact = expr.subs({x: sp.Rational(3, 10), y: sp.Rational(-17, 10)}).evalf(PRECISION_DIGITS)
    with mpmath.workdps(PRECISION_DIGITS):
        value = f(mpmath.mpf(3) / 10, mpmath.mpf(-17) / 10)
        assert abs(value - mpmath.mpf(str(exact))) < mpmath.mpf(10) ** -25


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


def test_minibatch_noise_falls_like_one_over_batch_size() -> None:
    fig = minibatch_noise()
    assert abs(fig.data["slope"] + 1) < 0.05
    noise, spread = fig.data["noise"], fig.data["per_example_spread"]
    assert all(0.8 < b * v / spread < 1.2 for b, v in noise.items())


def test_four_plots_are_laid_out_two_by_two() -> None:
    from derive.numeric.plots import activations
    code = plots_latex(activations().plots)
    assert code.count(r"\begin{minipage}") == 4 and code.count(r"\medskip") == 1


@pytest.mark.parametrize(("expr", "expected"), [
    (-sp.MatMul(sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("x", 3, 1)), "- W x"),
    (sp.MatMul(-2, sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("x", 3, 1)), "- 2 W x"),
    (sp.Transpose(sp.MatMul(sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("x", 3, 1))),
     r"\left(W x\right)^{T}"),
    (sp.MatrixSymbol("b", 3, 1) - sp.MatMul(sp.MatrixSymbol("W", 3, 3),
                                          sp.MatrixSymbol("x", 3, 1)), "- W x + b"),
])
def test_matrix_products_print_their_sign_without_being_evaluated(expr: sp.Basic,
                                                                  expected: str) -> None:
    assert tex(expr) == expected == sp.latex(expr, order="none", mul_symbol=None)


_W, _X, _B = sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("x", 3, 1), sp.MatrixSymbol("b", 3, 1)
_T = sp.Symbol("t")


@pytest.mark.parametrize(("f", "expected"), [
    (sp.tanh(_T), r"\tanh{\left(W x + b \right)}"),
    (1 - sp.tanh(_T) ** 2, r"1 - \tanh^{2}{\left(W x + b \right)}"),
    (_T ** 2, r"\left(W x + b\right)^{2}"),
    (2 * _T, r"2 \left(W x + b\right)"),
])
def test_an_entry_wise_function_of_a_sum_gets_one_pair_of_parentheses(f: sp.Expr,
                                                                        expected: str) -> None:
    assert tex(elementwise(f, _T, _W * _X + _B)) == expected


def test_an_entry_wise_function_binds_as_it_prints() -> None:
    scaled = elementwise(3 * relu(_T), _T, _W * _X + _B)
    assert tex(_W * scaled) == r"W \left(3 \left(W x + b\right)^{+}\right)"
    assert tex(_W * elementwise(_T, _T, _W * _X + _B)) == r"W \left(W x + b\right)"


def test_a_number_before_an_indicator_gets_a_dot() -> None:
    assert tex(3 * sp.Heaviside(_T, 0)) == r"3 \cdot \mathbf{1}[t > 0]"
    assert tex(_T * sp.Heaviside(_T, 0)) == r"t \mathbf{1}[t > 0]"
