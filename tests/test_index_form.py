"""One entry of a matrix expression in index notation (derive/index_form.py): matrix
identities proved for general sizes on a general entry."""

from __future__ import annotations

import sympy as sp

from derive.functions import sigmoid
from derive.index_form import entry
from derive.matrices import Diag, Gradient, Hadamard, Jacobian, elementwise, minus
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
