"""Expression builders for losses and models, in index notation over m examples.

Each builder returns plain SymPy expressions using derive's custom functions, so the same
expression feeds a derivation, its verifier and a numeric example.  They are written as the
textbook writes them; evaluated (``derive.functions.lambdify``, worksheets) they go through
their stable forms (``derive.stable``): BCE of sigma(z) from the logit z with softplus, CCE of
a softmax through log-softmax.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.functions import sigmoid


def bernoulli_likelihood(h: sp.Expr, y: sp.Expr, i: sp.Symbol, m: sp.Expr) -> sp.Expr:
    """prod_i h_i^{y_i} (1 - h_i)^{1 - y_i}: the likelihood of m independent 0/1 labels."""
    # in the order it is written, h^y first (SymPy would put (1 - h)^(1 - y) first)
    return sp.Product(sp.Mul(h**y, (1 - h) ** (1 - y), evaluate=False), (i, 1, m))


def bernoulli_log_likelihood(h: sp.Expr, y: sp.Expr, i: sp.Symbol, m: sp.Expr) -> sp.Expr:
    """sum_i [y_i log h_i + (1 - y_i) log(1 - h_i)]."""
    return sp.Sum(y * sp.log(h) + (1 - y) * sp.log(1 - h), (i, 1, m))


def binary_cross_entropy(h: sp.Expr, y: sp.Expr, i: sp.Symbol, m: sp.Expr) -> sp.Expr:
    """-sum_i [y_i log h_i + (1 - y_i) log(1 - h_i)]: the negative log-likelihood."""
    return -bernoulli_log_likelihood(h, y, i, m)


def binary_cross_entropy_with_logits(z: sp.Expr, y: sp.Expr, i: sp.Symbol,
                                     m: sp.Expr) -> sp.Expr:
    """BCE of h_i = sigma(z_i); evaluated from the logit, as
    sum_i [y_i softplus(-z_i) + (1 - y_i) softplus(z_i)], never through 1 - h."""
    return binary_cross_entropy(sigmoid(z), y, i, m)


def categorical_likelihood(h: sp.Expr, y: sp.Expr, i: sp.Symbol, m: sp.Expr,
                           c: sp.Symbol, k: sp.Expr) -> sp.Expr:
    """prod_i prod_c h_{ic}^{y_{ic}} for one-hot labels y."""
    return sp.Product(sp.Product(h**y, (c, 1, k)), (i, 1, m))


def categorical_cross_entropy(h: sp.Expr, y: sp.Expr, i: sp.Symbol, m: sp.Expr,
                              c: sp.Symbol, k: sp.Expr) -> sp.Expr:
    """-sum_i sum_c y_{ic} log h_{ic}."""
    return -sp.Sum(sp.Sum(y * sp.log(h), (c, 1, k)), (i, 1, m))


_CLASS = sp.Dummy("r", integer=True, positive=True)   # the class summed in the softmax


def categorical_cross_entropy_with_logits(z: sp.IndexedBase, y: sp.Expr, i: sp.Symbol,
                                          m: sp.Expr, c: sp.Symbol, k: sp.Expr) -> sp.Expr:
    """CCE of h_{ic} = e^{z_{ic}} / sum_r e^{z_{ir}}; evaluated through log-softmax,
    z_{ic} - LSE_r(z_{ir}), so logits of 1e4 do not overflow."""
    h = sp.exp(z[i, c]) / sp.Sum(sp.exp(z[i, _CLASS]), (_CLASS, 1, k))
    return categorical_cross_entropy(h, y, i, m, c, k)


def squared_error(yhat: sp.Expr, y: sp.Expr, i: sp.Symbol, m: sp.Expr) -> sp.Expr:
    """sum_i (yhat_i - y_i)^2."""
    return sp.Sum((yhat - y) ** 2, (i, 1, m))


@dataclass(frozen=True)
class LogisticRegression:
    """h(x^(i)) = sigma(theta^T x^(i)) with theta = (theta_0..theta_n), x_{i0} = 1, m examples."""

    i: sp.Symbol = sp.Symbol("i", integer=True, positive=True)
    j: sp.Symbol = sp.Symbol("j", integer=True, nonnegative=True)
    k: sp.Symbol = sp.Symbol("k", integer=True, nonnegative=True)
    m: sp.Symbol = sp.Symbol("m", integer=True, positive=True)
    n: sp.Symbol = sp.Symbol("n", integer=True, positive=True)
    theta: sp.IndexedBase = sp.IndexedBase("theta", real=True)
    x: sp.IndexedBase = sp.IndexedBase("x", real=True)
    y: sp.IndexedBase = sp.IndexedBase("y", real=True)

    def score(self, i: sp.Expr) -> sp.Expr:
        """theta^T x^(i) = sum_k theta_k x_{ik}."""
        return sp.Sum(self.theta[self.k] * self.x[i, self.k], (self.k, 0, self.n))

    def hypothesis(self, i: sp.Expr) -> sp.Expr:
        """sigma(theta^T x^(i))."""
        return sigmoid(self.score(i))


def softmax_index(z: sp.IndexedBase, i: sp.Expr, k: sp.Symbol, size: sp.Expr) -> sp.Expr:
    """s_i = e^{z_i} / sum_{k=1}^{K} e^{z_k} in index notation."""
    return sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, 1, size))
