"""Softmax regression: categorical cross-entropy and its gradient (A19, A20)."""

from __future__ import annotations

import sympy as sp

from derive.authoring import Proof, indexed, symbol
from derive.library.oracles import independent_diff
from derive.models import categorical_likelihood
from derive.proof import written_eq as _eq
from derive.proof import written_product as _prod
from derive.proof import written_sum as _sum
from derive.registry import derivation

i, c, r = sp.symbols("i c r", integer=True, positive=True)     # example, class, class
j = sp.Symbol("j", integer=True, positive=True)                 # the class differentiated
k, l = sp.symbols("k l", integer=True, nonnegative=True)        # features 0..n
m, n, size = sp.symbols("m n K", integer=True, positive=True)
a, b = sp.symbols("a b", integer=True, positive=True)
theta, x = indexed("theta", real=True), indexed("x", real=True)
h = indexed("h", positive=True)      # h_{ic} = softmax_c(z_i)
zz = indexed("z", real=True)         # z_{ic} = theta_c^T x^(i)
y = indexed("y", nonnegative=True)   # one-hot labels, y_{ic} = 1[y^(i) = c]
t = indexed("t", positive=True)      # any positive weights, normalised into y
lik = symbol("L", r"\mathcal{L}(\Theta)", positive=True)
loss = symbol("J", r"J(\Theta)", real=True)
eta = sp.Symbol("eta")
theta_new = symbol("theta_new", r"\theta_{j,l}^{\text{new}}")
score = sp.Sum(theta[b, k] * x[a, k], (k, 0, n))
softmax = sp.exp(zz[a, b]) / sp.Sum(sp.exp(zz[a, r]), (r, 1, size))
d = sp.Derivative


def total(summand: sp.Expr) -> sp.Expr:
    return sp.Sum(summand, (i, 1, m))


def classes(summand: sp.Expr) -> sp.Expr:
    return sp.Sum(summand, (c, 1, size))


@derivation(
    "cce-gradient", title="Categorical cross-entropy and its gradient with a softmax output",
    summary="The negative log of the categorical likelihood is the categorical cross-entropy; "
            "with a softmax output the gradient for the weights of class $j$ is the error of "
            "that class's probability times the input, summed over the examples, exactly as "
            "for two classes.",
    # The verifier needs only that every row of y sums to 1, which a one-hot row does;
    # it checks the steps for any such rows (any positive weights t normalised).
    definitions={h: sp.Lambda((a, b), softmax), zz: sp.Lambda((a, b), score),
                 y: sp.Lambda((a, b), t[a, b] / sp.Sum(t[a, r], (r, 1, size)))},
    sizes={m: (1, 2), size: (2, 3), n: (1,)}, indices={j: (sp.S.One, size), l: (sp.S.Zero, n)},
    domains={t: (0.1, 2.0), theta: (-1.5, 1.5), x: (-1.5, 1.5), eta: (0.01, 1.0)},
    problems=("A19", "A20"))
def cce_gradient(proof: Proof) -> None:
    """Categorical likelihood -> cross-entropy -> its gradient with a softmax output."""
    dtheta, delta = theta[j, l], sp.KroneckerDelta(c, j)
    grad = total(_prod(_sum(h[i, j], -y[i, j]), x[i, l]))
    proof.state("$m$ examples, $K$ classes; one-hot labels ",
                _eq(y[i, c], symbol("one_hot", r"\mathbf{1}[y^{(i)} = c]")))
    proof.state(_eq(h[i, c], softmax.subs({a: i, b: c})), " with ",
                _eq(zz[i, c], sp.Sum(theta[c, k] * x[i, k], (k, 0, n))), " and ", _eq(x[i, 0], 1))
    proof.given(lik, categorical_likelihood(h[i, c], y[i, c], i, m, c, size),
                "independent examples; the one-hot ", y[i, c], " picks the probability the "
                "model gives the true class")
    proof.chain(sp.log(lik)).eq(total(classes(y[i, c] * sp.log(h[i, c]))),
                                "the log of a product is the sum of the logs, and ",
                                _eq(sp.log(sp.Symbol("a") ** sp.Symbol("b")),
                                    sp.Symbol("b") * sp.log(sp.Symbol("a"))))
    proof.given(loss, -sp.log(lik), "categorical cross-entropy: the negative log-likelihood")
    proof.chain(loss).eq(-total(classes(y[i, c] * sp.log(h[i, c]))),
                         "substitute the log-likelihood")
    g = proof.chain(d(loss, dtheta))
    g.eq(-total(classes(_prod(y[i, c], d(sp.log(h[i, c]), dtheta)))),
         "differentiate term by term")
    g.eq(-total(classes(_prod(y[i, c], _sum(delta, -h[i, j]), x[i, l]))),
         "chain rule through ", _eq(zz[i, r], sp.Sum(theta[r, k] * x[i, k], (k, 0, n))),
         ": the log-softmax derivative (A18) ",
         _eq(d(sp.log(h[i, c]), zz[i, r]), _sum(sp.KroneckerDelta(c, r), -h[i, r])),
         " times ", _eq(d(zz[i, r], dtheta), sp.KroneckerDelta(r, j) * x[i, l]))
    g.eq(-total(_prod(_sum(y[i, j], -_prod(h[i, j], classes(y[i, c]))), x[i, l])),
         delta, " keeps the term $c = j$; ", h[i, j],
         " does not depend on $c$")
    g.eq(-total(_prod(_sum(y[i, j], -h[i, j]), x[i, l])),
         _eq(classes(y[i, c]), 1), ": every example has exactly one class")
    g.eq(grad, "move the minus sign inside", label="gradient")
    proof.given(theta_new, _sum(dtheta, -eta * grad),
                "gradient descent on the weights of class $j$, learning rate ", eta)
    raw_h = sp.exp(score.xreplace({a: i, b: c})) / sp.Sum(sp.exp(score.xreplace({a: i, b: r})),
                                                          (r, 1, size))
    proof.oracle(grad, independent_diff(-total(classes(y[i, c] * sp.log(raw_h))), dtheta),
                 "plain sympy.diff of the loss with softmax written out")
