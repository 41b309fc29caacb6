"""Logistic regression: the sigmoid from the log-odds (A7), BCE and its gradient (A13, A14)."""

from __future__ import annotations

import sympy as sp

from derive.authoring import Proof, matrix, symbol
from derive.functions import sigmoid
from derive.library.oracles import independent_diff
from derive.matrices import Gradient, elementwise, minus
from derive.models import LogisticRegression, bernoulli_likelihood
from derive.proof import only_solution, written_eq
from derive.proof import written_product as _prod
from derive.proof import written_sum as _sum
from derive.registry import derivation

p = symbol("p", r"P(y{=}1 \mid x)", positive=True)
q = symbol("q", r"P(y{=}0 \mid x)", positive=True)
t = sp.Symbol("t", real=True)   # theta^T x
lr = LogisticRegression()
i, j, m, n, theta, x, y = lr.i, lr.j, lr.m, lr.n, lr.theta, lr.x, lr.y
h = sp.IndexedBase("h", positive=True)      # h_i = sigma(theta^T x^(i))
eta = sp.Symbol("eta")
d = sp.Derivative
# A14 in vector form: X (m x (n+1)) has the examples x_i^T as rows, h = sigma(X theta)
X_mat, theta_vec = matrix("X", m, n + 1), matrix("theta_vec", n + 1, 1, r"\theta")
y_vec, h_vec = matrix("y_vec", m, 1, "y"), matrix("h_vec", m, 1, "h")
grad_vec = matrix("grad_J", n + 1, 1, r"\nabla_{\theta} J")
ones_m = sp.OneMatrix(m, 1)


def _vector_loss(theta_: sp.MatrixExpr) -> sp.MatrixExpr:
    """-(y^T log sigma(X theta) + (1 - y)^T log(1 - sigma(X theta))), a 1 x 1 matrix."""
    out = elementwise(sigmoid(t), t, sp.MatMul(X_mat, theta_))
    return sp.MatMul(-1, sp.MatAdd(
        sp.MatMul(sp.Transpose(y_vec), elementwise(sp.log(t), t, out)),
        sp.MatMul(sp.Transpose(minus(ones_m, y_vec)), elementwise(sp.log(1 - t), t, out)),
        evaluate=False))


@derivation("sigmoid-from-log-odds", title="The sigmoid from the log-odds",
            summary="If the log-odds of the positive class are linear in $x$, the probability "
                    "of the positive class is the sigmoid of that linear function.",
            definitions={q: 1 - p}, domains={p: (0.01, 0.99), t: (-5.0, 5.0)},
            notation={t: r"\theta^{\top} x"}, problems=("A7",))
def sigmoid_from_log_odds(proof: Proof) -> None:
    """From a linear model of the log-odds to P(y=1|x) = sigma(theta^T x), one operation a step."""
    e, z, log_odds = sp.exp(t), sp.Symbol("z", real=True), sp.log(p / q, evaluate=False)
    proof.state("two classes, so ", written_eq(q, 1 - p))
    proof.state("the log-odds are modelled as linear: ", written_eq(log_odds, t))
    c = proof.equation(log_odds, t, "model: the log-odds are a linear function of $x$",
                       eliminate=t)
    c.implies(sp.log(p / (1 - p), evaluate=False), t, "substitute ", written_eq(q, 1 - p),
              " (the two probabilities sum to one)")
    c.implies(p / (1 - p), e, "exponentiate both sides")
    c.implies(p, _prod(e, 1 - p), "multiply both sides by ", 1 - p)
    c.implies(p, _sum(e, -p * e), "expand the product")
    c.implies(_sum(p, p * e), e, "add ", p * e, " to both sides")
    c.implies(_prod(p, _sum(1, e)), e, "factor out ", p)
    c.implies(p, e / _sum(1, e), "divide both sides by ", _sum(1, e), label="solved")
    c.implies(p, 1 / _sum(1, sp.exp(-t)), "divide numerator and denominator by ", e,
              label="negative-exponent")
    c.implies(p, sigmoid(t), "definition of the sigmoid, ",
              written_eq(sigmoid(z), 1 / (1 + sp.exp(-z))), label="sigmoid")
    proof.oracle(sigmoid(t), only_solution(sp.solveset(sp.log(p / (1 - p)) - t, p)),
                 "sympy.solveset of the log-odds equation for $p$ (no derivative)")


@derivation("bce-gradient", title="Binary cross-entropy and its gradient",
            summary="The negative log of the Bernoulli likelihood is the binary cross-entropy; "
                    "with a sigmoid output its gradient is the error times the input, summed "
                    "over the examples.",
            definitions={h: sp.Lambda(i, lr.hypothesis(i))},
            sizes={m: (1, 2), n: (1,)}, numeric_sizes={m: 6, n: 3}, indices={j: (sp.S.Zero, n)},
            domains={y: (0.0, 1.0), theta: (-1.5, 1.5), x: (-1.5, 1.5), eta: (0.01, 1.0),
                     y_vec: (0.0, 1.0), theta_vec: (-1.5, 1.5), X_mat: (-1.5, 1.5)},
            notation={ones_m: r"\mathbf{1}"},
            problems=("A13", "A14"))
def bce_gradient(proof: Proof) -> None:
    """Bernoulli likelihood -> binary cross-entropy -> its gradient -> the update rule."""
    lik = symbol("L", r"\mathcal{L}(\theta)", positive=True)
    loss = symbol("J", r"J(\theta)", real=True)
    hi, yi, xij = h[i], y[i], x[i, j]
    d_hi, (a, b, u, w) = d(hi, theta[j]), sp.symbols("a b u t")
    sg = sp.Symbol("sigma")

    def total(summand: sp.Expr, sign: int = 1) -> sp.Expr:
        s = sp.Sum(summand, (i, 1, m))
        return -s if sign < 0 else s

    log_lik_terms = _sum(yi * sp.log(hi), (1 - yi) * sp.log(1 - hi))
    grad = total(_prod(_sum(hi, -yi), xij))
    proof.state(r"$m$ examples $(x^{(i)}, y^{(i)})$ with labels in $\{0, 1\}$")
    proof.state("$x$ augmented with ", written_eq(x[i, 0], 1), " so that the bias is ", theta[0])
    proof.state(written_eq(hi, lr.hypothesis(i)))
    proof.given(lik, bernoulli_likelihood(hi, yi, i, m),
                r"independent examples, each label Bernoulli with $P(y{=}1 \mid x) = h_\theta(x)$")
    c = proof.chain(sp.log(lik))
    c.eq(total(sp.log(_prod(hi**yi, (1 - hi) ** (1 - yi)))),
         "the log of a product is the sum of the logs")
    c.eq(total(log_lik_terms), "log of a power: ", written_eq(sp.log(a**b), b * sp.log(a)))
    proof.given(loss, -sp.log(lik), "binary cross-entropy: the negative log-likelihood")
    proof.chain(loss).eq(total(log_lik_terms, -1), "substitute the log-likelihood")
    c = proof.chain(d(loss, theta[j]))
    c.eq(total(_sum(_prod(yi, d(sp.log(hi), theta[j])), _prod(1 - yi, d(sp.log(1 - hi), theta[j]))),
               -1), "differentiate term by term (the derivative is linear)")
    c.eq(total(_sum(_prod(yi / hi, d_hi), _prod(-1, (1 - yi) / (1 - hi), d_hi)), -1),
         "chain rule with ",
         written_eq(d(sp.log(sp.Function("u")(w)), w), symbol("u'", "u'") / u))
    c.eq(total(_prod(_sum(yi / hi, _prod(-1, (1 - yi) / (1 - hi))), _prod(hi, 1 - hi), xij), -1),
         "chain rule with ", written_eq(symbol("sigma'", r"\sigma'"), sg * (1 - sg)), " and ",
         written_eq(d(lr.score(i), theta[j]), xij))
    c.eq(total(_prod(_sum(_prod(yi, 1 - hi), _prod(-1, 1 - yi, hi)), xij), -1),
         "cancel ", hi, " and ", 1 - hi)
    c.eq(total(_prod(_sum(yi, -hi), xij), -1), "expand: the terms ", yi * hi, " cancel")
    c.eq(grad, "move the minus sign inside", label="gradient")
    c.eq(total(_prod(_sum(lr.hypothesis(i), -yi), xij)),
         "substitute ", written_eq(hi, lr.hypothesis(i)), label="gradient-of-theta")
    proof.given(symbol("theta_new", r"\theta_j^{\text{new}}"), _sum(theta[j], -eta * grad),
                "gradient descent: step against the gradient with learning rate ", eta,
                label="update")
    # the same gradient as one vector: the components above, stacked (A14 asks for it)
    proof.given(h_vec, elementwise(sigmoid(t), t, sp.MatMul(X_mat, theta_vec)),
                "all examples at once: row ", i, " of ", X_mat, " is ",
                symbol("x_i^T", r"x_i^{\top}"), ", and $\\sigma$ acts entry by entry")
    proof.define(grad_vec, Gradient(_vector_loss(theta_vec), theta_vec))
    proof.chain(grad_vec).eq(sp.MatMul(sp.Transpose(X_mat), minus(h_vec, y_vec)),
                             "the ", n + 1, " components above, stacked: column ", i, " of ",
                             sp.Transpose(X_mat), " is ", x[i, j], " for every ", j,
                             ", so this is ",
                             symbol("sum_vec", r"\sum_{i=1}^{m} (h_i - y_i)\, x_i"),
                             label="gradient-vector")
    proof.given(symbol("theta_vec_new", r"\theta^{\text{new}}"),
                minus(theta_vec, sp.MatMul(eta, sp.Transpose(X_mat), minus(h_vec, y_vec))),
                "the update, all components at once: ",
                symbol("update_sum", r"\theta - \eta \sum_{i=1}^{m} (h_i - y_i)\, x_i"))
    raw_loss = -sp.Sum(yi * sp.log(1 / (1 + sp.exp(-lr.score(i))))
                       + (1 - yi) * sp.log(1 - 1 / (1 + sp.exp(-lr.score(i)))), (i, 1, m))
    proof.oracle(grad, independent_diff(raw_loss, theta[j]),
                 "plain sympy.diff of the loss written with exponentials")
