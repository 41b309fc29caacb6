"""Matrix identities proved for general sizes on a general entry in index notation, and the
index-notation tactics they rest on (delta sums, flattened sums, index ranges)."""

from __future__ import annotations

import sympy as sp

from derive.functions import sigmoid
from derive.index_form import entry
from derive.matrices import Diag, Gradient, Hadamard, Jacobian, elementwise, minus
from derive.tactics import (
    collapse_delta_sums,
    flattened_sums,
    generalised_arguments,
    reduces_to_zero,
    within_index_ranges,
    written_out,
)
from derive.verify import Context, check_equal

n, d = sp.symbols("n d", integer=True, positive=True)
t = sp.Symbol("t", real=True)
W, A, B = sp.MatrixSymbol("W", d, n), sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
x, y, u = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("y", d, 1), sp.MatrixSymbol("u", d, 1)
SIZED = Context({}, {}, {n: (2,), d: (3,)}, {n: 4, d: 5}, {}, seed=7)


def test_transpose_of_a_product_is_proved_and_the_wrong_order_refuted() -> None:
    good = check_equal(sp.Transpose(A * B), sp.Transpose(B) * sp.Transpose(A), SIZED)
    assert good.status == "proved" and "index notation" in good.method
    bad = check_equal(sp.Transpose(A * B), sp.Transpose(A) * sp.Transpose(B), SIZED)
    assert bad.status == "refuted" and bad.counterexample


def test_gradient_of_squared_error_by_a_matrix_is_proved_general() -> None:
    residual = minus(W * x, y)
    loss = sp.MatMul(sp.Transpose(residual), residual)
    closed = sp.MatMul(2, residual, sp.Transpose(x))
    verdict = check_equal(Gradient(loss, W), closed, SIZED)
    assert verdict.status == "proved" and "general sizes" in verdict.method
    dropped = check_equal(Gradient(loss, W), sp.MatMul(residual, sp.Transpose(x)), SIZED)
    assert dropped.status == "refuted"


def test_jacobian_of_an_elementwise_function_is_a_diagonal() -> None:
    s = W * x
    jacobian = Jacobian(elementwise(sigmoid(t), t, u), u, s)
    diagonal = Diag(Hadamard(elementwise(sigmoid(t), t, s), elementwise(1 - sigmoid(t), t, s)))
    assert check_equal(jacobian, diagonal, SIZED).status == "proved"
    wrong = Diag(elementwise(sigmoid(t), t, s))
    assert check_equal(jacobian, wrong, SIZED).status == "refuted"


def test_entry_of_diag_times_vector_is_a_product_of_entries() -> None:
    i = sp.Symbol("i", integer=True, nonnegative=True)
    a = sp.MatrixSymbol("a", n, 1)
    value = entry(Diag(a) * x, i, 0)
    assert value == sp.IndexedBase("a")[i, 0] * sp.IndexedBase("x")[i, 0]


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


def test_nested_sums_flatten_to_one_order() -> None:
    k, m = sp.symbols("k m", integer=True)
    p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
    one = sp.Sum(p[k] * sp.Sum(q[k, m], (m, 1, d)), (k, 1, n))
    other = sp.Sum(sp.Sum(p[k] * q[k, m], (k, 1, n)), (m, 1, d))
    assert flattened_sums(one) == flattened_sums(other)


def test_index_ranges_decide_piecewise_conditions() -> None:
    j, N = sp.Symbol("j", integer=True), sp.Symbol("N", integer=True, positive=True)
    z = sp.Symbol("z")
    piecewise = sp.Piecewise((z, N >= j), (0, True))
    assert within_index_ranges(piecewise, {j: (sp.S.One, N)}) == z
    assert within_index_ranges(piecewise, {j: (sp.S.One, N + 1)}) == piecewise


def test_generalised_arguments_keep_equal_arguments_equal_and_different_ones_apart() -> None:
    k, r = sp.symbols("k r", integer=True)
    w, v = sp.IndexedBase("w"), sp.IndexedBase("v")
    inner = sp.Sum(w[r, k] * v[k], (k, 1, n))
    same = sp.Sum(w[r, sp.Symbol("l", integer=True)] * v[sp.Symbol("l", integer=True)],
                  (sp.Symbol("l", integer=True), 1, n))
    assert reduces_to_zero(generalised_arguments(sigmoid(inner) - sigmoid(same)))
    other = sp.Sum(w[k, r] * v[k], (k, 1, n))
    assert not reduces_to_zero(generalised_arguments(sigmoid(inner) - sigmoid(other)))


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
