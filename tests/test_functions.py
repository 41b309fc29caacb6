"""Unit tests of the custom SymPy functions."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derive.functions import elementary, lambdify, logsumexp, relu, sigmoid, softmax

z, a, b, c = sp.symbols("z a b c", real=True)


def test_sigmoid_derivative_is_textbook_form() -> None:
    assert sp.diff(sigmoid(z), z) == sigmoid(z) * (1 - sigmoid(z))


def test_sigmoid_rewrites_and_agrees_with_elementary_derivative() -> None:
    assert sigmoid(z).rewrite(sp.exp) == 1 / (1 + sp.exp(-z))
    direct = sp.diff(1 / (1 + sp.exp(-z)), z)
    assert sp.simplify(elementary(sp.diff(sigmoid(z), z)) - direct) == 0


def test_sigmoid_values() -> None:
    assert sigmoid(0) == sp.Rational(1, 2)
    assert abs(float(sigmoid(sp.Float(2.0)).evalf()) - 1 / (1 + np.exp(-2.0))) < 1e-15


@pytest.mark.parametrize("value", [-1e4, -745.0, -30.0, 0.0, 30.0, 745.0, 1e4])
def test_numeric_sigmoid_is_stable(value: float) -> None:
    f = lambdify(z, sigmoid(z))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = float(f(value))
    assert 0.0 <= out <= 1.0 and np.isfinite(out)
    if value > 0:
        assert out >= 0.5
    if value == 1e4:
        assert out == 1.0


def test_numeric_softmax_and_logsumexp_are_stable() -> None:
    f = lambdify((a, b, c), [softmax(1, a, b, c), softmax(3, a, b, c)])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s1, s3 = f(1e4, 0.0, 1e4 - 1.0)
    assert np.isclose(s1, 1 / (1 + np.exp(-1.0))) and np.isclose(s3, np.exp(-1) / (1 + np.exp(-1)))
    g = lambdify((a, b), logsumexp(a, b))
    assert np.isclose(g(1e4, 1e4), 1e4 + np.log(2.0))


def test_softmax_derivative_is_s_delta_minus_s() -> None:
    s = softmax(1, a, b, c)
    assert sp.diff(s, a) == s * (1 - s)
    assert sp.diff(s, b) == s * (0 - softmax(2, a, b, c))
    elementary_form = sp.exp(a) / (sp.exp(a) + sp.exp(b) + sp.exp(c))
    assert sp.simplify(elementary(sp.diff(s, b)) - sp.diff(elementary_form, b)) == 0


def test_logsumexp_gradient_is_softmax() -> None:
    assert sp.diff(logsumexp(a, b, c), b) == softmax(2, a, b, c)


def test_softmax_rejects_bad_index() -> None:
    with pytest.raises(ValueError):
        softmax(4, a, b, c)


def test_relu_derivative_is_step() -> None:
    assert sp.diff(relu(z), z) == sp.Heaviside(z, 0)
    assert relu(sp.Float(-2.0)) == 0 and relu(sp.Float(3.0)) == 3.0
    assert float(lambdify(z, sp.diff(relu(z), z))(0.0)) == 0.0


def test_latex_of_custom_functions() -> None:
    assert sp.latex(sigmoid(z)) == r"\sigma\left(z\right)"
    assert r"\operatorname{softmax}" in sp.latex(softmax(1, a, b))
