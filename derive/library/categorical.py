"""Softmax regression: categorical cross-entropy and its gradient (A19, A20)."""

from __future__ import annotations

import sympy as sp

from derive.library.oracles import independent_diff
from derive.models import categorical_likelihood
from derive.proof import Derivation, Oracle, Step, text
from derive.proof import written_product as _prod
from derive.proof import written_sum as _sum
from derive.registry import derivation


@derivation("cce-gradient")
def cce_gradient() -> Derivation:
    """Categorical likelihood -> cross-entropy -> its gradient with a softmax output."""
    i, c, r = sp.symbols("i c r", integer=True, positive=True)     # example, class, class
    j = sp.Symbol("j", integer=True, positive=True)                 # the class differentiated
    k, l = sp.symbols("k l", integer=True, nonnegative=True)        # features 0..n
    m, n, size = sp.symbols("m n K", integer=True, positive=True)
    theta = sp.IndexedBase("theta", real=True)
    x = sp.IndexedBase("x", real=True)
    h = sp.IndexedBase("h", positive=True)      # h_{ic} = softmax_c(z_i)
    zz = sp.IndexedBase("z", real=True)         # z_{ic} = theta_c^T x^(i)
    y = sp.IndexedBase("y", nonnegative=True)   # one-hot labels, y_{ic} = 1[y^(i) = c]
    t = sp.IndexedBase("t", positive=True)      # any positive weights, normalised into y
    a, b = sp.symbols("a b", integer=True, positive=True)
    lik, loss, eta = sp.Symbol("L", positive=True), sp.Symbol("J", real=True), sp.Symbol("eta")
    theta_new = sp.Symbol("theta_new")
    d = sp.Derivative
    dtheta = theta[j, l]
    delta = sp.KroneckerDelta(c, j)

    def total(summand: sp.Expr) -> sp.Expr:
        return sp.Sum(summand, (i, 1, m))

    def classes(summand: sp.Expr) -> sp.Expr:
        return sp.Sum(summand, (c, 1, size))

    grad = total(_prod(_sum(h[i, j], -y[i, j]), x[i, l]))
    score = sp.Sum(theta[b, k] * x[a, k], (k, 0, n))
    softmax = sp.exp(zz[a, b]) / sp.Sum(sp.exp(zz[a, r]), (r, 1, size))
    steps = [
        Step(lik, categorical_likelihood(h[i, c], y[i, c], i, m, c, size),
             text("independent examples; the one-hot ", y[i, c], " picks the probability the "
                  "model gives the true class"), kind="given"),
        Step(sp.log(lik), total(classes(y[i, c] * sp.log(h[i, c]))),
             text("the log of a product is the sum of the logs, and ",
                  sp.Eq(sp.log(sp.Symbol("a") ** sp.Symbol("b")),
                        sp.Symbol("b") * sp.log(sp.Symbol("a")), evaluate=False))),
        Step(loss, -sp.log(lik), text("categorical cross-entropy: the negative log-likelihood"),
             kind="given"),
        Step(loss, -total(classes(y[i, c] * sp.log(h[i, c]))),
             text("substitute the log-likelihood")),
        Step(d(loss, dtheta), -total(classes(_prod(y[i, c], d(sp.log(h[i, c]), dtheta)))),
             text("differentiate term by term")),
        Step(d(loss, dtheta), -total(classes(_prod(y[i, c], _sum(delta, -h[i, j]), x[i, l]))),
             text("chain rule through ", sp.Eq(zz[i, r], sp.Sum(theta[r, k] * x[i, k],
                                                                  (k, 0, n)), evaluate=False),
                  ": the log-softmax derivative (A18) ",
                  sp.Eq(d(sp.log(h[i, c]), zz[i, r]), _sum(sp.KroneckerDelta(c, r), -h[i, r]),
                        evaluate=False),
                  " times ", sp.Eq(d(zz[i, r], dtheta), sp.KroneckerDelta(r, j) * x[i, l],
                                   evaluate=False))),
        Step(d(loss, dtheta),
             -total(_prod(_sum(y[i, j], -_prod(h[i, j], classes(y[i, c]))), x[i, l])),
             text(delta, " keeps the term c = j; ", h[i, j], " does not depend on c")),
        Step(d(loss, dtheta), -total(_prod(_sum(y[i, j], -h[i, j]), x[i, l])),
             text(sp.Eq(classes(y[i, c]), 1, evaluate=False),
                  ": every example has exactly one class")),
        Step(d(loss, dtheta), grad, text("move the minus sign inside")),
        Step(theta_new, _sum(dtheta, -eta * grad),
             text("gradient descent on the weights of class j, learning rate ", eta),
             kind="given"),
    ]
    def raw_score(row: sp.Expr, col: sp.Expr) -> sp.Expr:
        return score.xreplace({a: row, b: col})

    raw_h = sp.exp(raw_score(i, c)) / sp.Sum(sp.exp(raw_score(i, r)), (r, 1, size))
    raw_loss = -total(classes(y[i, c] * sp.log(raw_h)))
    return Derivation(
        name="cce-gradient",
        title="Categorical cross-entropy and its gradient with a softmax output",
        summary=text("The negative log of the categorical likelihood is the categorical "
                     "cross-entropy; with a softmax output the gradient for the weights of "
                     "class j is the error of that class's probability times the input, "
                     "summed over the examples, exactly as for two classes."),
        givens=[text("m examples, K classes; one-hot labels ",
                     sp.Eq(y[i, c], sp.Symbol("1[y^(i) = c]"), evaluate=False)),
                text(sp.Eq(h[i, c], softmax.subs({a: i, b: c}), evaluate=False), " with ",
                     sp.Eq(zz[i, c], sp.Sum(theta[c, k] * x[i, k], (k, 0, n)), evaluate=False),
                     " and ", sp.Eq(x[i, 0], 1, evaluate=False))],
        steps=steps,
        # The verifier needs only that every row of y sums to 1, which a one-hot row does;
        # it checks the steps for any such rows (any positive weights t normalised).
        definitions={h: sp.Lambda((a, b), softmax), zz: sp.Lambda((a, b), score),
                     y: sp.Lambda((a, b), t[a, b] / sp.Sum(t[a, r], (r, 1, size)))},
        sizes={m: (1, 2), size: (2, 3), n: (1,)},
        indices={j: (sp.S.One, size), l: (sp.S.Zero, n)},
        domains={t: (0.1, 2.0), theta: (-1.5, 1.5), x: (-1.5, 1.5), eta: (0.01, 1.0)},
        notation={lik: r"\mathcal{L}(\Theta)", loss: r"J(\Theta)",
                  theta_new: r"\theta_{j,l}^{\text{new}}",
                  sp.Symbol("1[y^(i) = c]"): r"\mathbf{1}[y^{(i)} = c]"},
        oracles=[Oracle(text("plain sympy.diff of the loss with softmax written out"),
                        grad, independent_diff(raw_loss, dtheta))],
        problems=("A19", "A20"),
    )
