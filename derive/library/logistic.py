"""Logistic regression: the sigmoid from the log-odds (A7), BCE and its gradient (A13, A14)."""

from __future__ import annotations

import sympy as sp

from derive.functions import sigmoid
from derive.library.oracles import independent_diff
from derive.models import LogisticRegression, bernoulli_likelihood
from derive.proof import Derivation, Oracle, Step, only_solution, text
from derive.proof import written_product as _prod
from derive.proof import written_sum as _sum
from derive.registry import derivation


@derivation("sigmoid-from-log-odds")
def sigmoid_from_log_odds() -> Derivation:
    """From a linear model of the log-odds to P(y=1|x) = sigma(theta^T x), one operation a step."""
    p = sp.Symbol("p", positive=True)   # P(y=1|x)
    q = sp.Symbol("q", positive=True)   # P(y=0|x)
    t = sp.Symbol("t", real=True)       # theta^T x
    e = sp.exp(t)
    z = sp.Symbol("z", real=True)

    def implies(lhs: sp.Expr, rhs: sp.Expr, *rule: str | sp.Basic) -> Step:
        return Step(lhs, rhs, text(*rule), kind="implies", eliminate=t)

    steps = [
        Step(sp.log(p / q, evaluate=False), t,
             text("model: the log-odds are a linear function of x"), kind="given"),
        implies(sp.log(p / (1 - p), evaluate=False), t,
                "substitute ", sp.Eq(q, 1 - p, evaluate=False),
                " (the two probabilities sum to one)"),
        implies(p / (1 - p), e, "exponentiate both sides"),
        implies(p, _prod(e, 1 - p), "multiply both sides by ", 1 - p),
        implies(p, _sum(e, -p * e), "expand the product"),
        implies(_sum(p, p * e), e, "add ", p * e, " to both sides"),
        implies(_prod(p, _sum(1, e)), e, "factor out ", p),
        implies(p, e / _sum(1, e), "divide both sides by ", _sum(1, e)),
        implies(p, 1 / _sum(1, sp.exp(-t)), "divide numerator and denominator by ", e),
        implies(p, sigmoid(t), "definition of the sigmoid, ",
                sp.Eq(sigmoid(z), 1 / (1 + sp.exp(-z)), evaluate=False)),
    ]
    solved = only_solution(sp.solveset(sp.log(p / (1 - p)) - t, p))
    return Derivation(
        name="sigmoid-from-log-odds",
        title="The sigmoid from the log-odds",
        summary=text("If the log-odds of the positive class are linear in x, the probability "
                     "of the positive class is the sigmoid of that linear function."),
        givens=[text("two classes, so ", sp.Eq(q, 1 - p, evaluate=False)),
                text("the log-odds are modelled as linear: ",
                     sp.Eq(sp.log(p / q, evaluate=False), t, evaluate=False))],
        steps=steps,
        definitions={q: 1 - p},
        domains={p: (0.01, 0.99), t: (-5.0, 5.0)},
        notation={p: r"P(y{=}1 \mid x)", q: r"P(y{=}0 \mid x)", t: r"\theta^{\top} x"},
        oracles=[Oracle(text("sympy.solveset of the log-odds equation for p (no derivative)"),
                        sigmoid(t), solved)],
        problems=("A7",),
    )


@derivation("bce-gradient")
def bce_gradient() -> Derivation:
    """Bernoulli likelihood -> binary cross-entropy -> its gradient -> the update rule."""
    lr = LogisticRegression()
    i, j, m, n = lr.i, lr.j, lr.m, lr.n
    theta, x, y = lr.theta, lr.x, lr.y
    h = sp.IndexedBase("h", positive=True)      # h_i = sigma(theta^T x^(i))
    lik, loss, eta = sp.Symbol("L", positive=True), sp.Symbol("J", real=True), sp.Symbol("eta")
    theta_new = sp.Symbol("theta_new")
    hi, yi, xij = h[i], y[i], x[i, j]
    d_hi = sp.Derivative(hi, theta[j])
    d = sp.Derivative

    def total(summand: sp.Expr, sign: int = 1) -> sp.Expr:
        s = sp.Sum(summand, (i, 1, m))
        return -s if sign < 0 else s

    log_lik_terms = _sum(yi * sp.log(hi), (1 - yi) * sp.log(1 - hi))
    grad = total(_prod(_sum(hi, -yi), xij))
    steps = [
        Step(lik, bernoulli_likelihood(hi, yi, i, m),
             text("independent examples, each label Bernoulli with ",
                  sp.Eq(sp.Symbol("P(y=1|x)"), sp.Symbol("h(x)"), evaluate=False)),
             kind="given"),
        Step(sp.log(lik), total(sp.log(hi**yi * (1 - hi) ** (1 - yi))),
             text("the log of a product is the sum of the logs")),
        Step(sp.log(lik), total(log_lik_terms), text("log of a power: ",
             sp.Eq(sp.log(sp.Symbol("a") ** sp.Symbol("b")),
                   sp.Symbol("b") * sp.log(sp.Symbol("a")), evaluate=False))),
        Step(loss, -sp.log(lik), text("binary cross-entropy: the negative log-likelihood"),
             kind="given"),
        Step(loss, total(log_lik_terms, -1), text("substitute the log-likelihood")),
        Step(d(loss, theta[j]),
             total(_sum(_prod(yi, d(sp.log(hi), theta[j])),
                        _prod(1 - yi, d(sp.log(1 - hi), theta[j]))),
                   -1),
             text("differentiate term by term (the derivative is linear)")),
        Step(d(loss, theta[j]),
             total(_sum(_prod(yi / hi, d_hi), _prod(-1, (1 - yi) / (1 - hi), d_hi)), -1),
             text("chain rule with ", sp.Eq(d(sp.log(sp.Function("u")(sp.Symbol("t"))),
                  sp.Symbol("t")), sp.Symbol("u'") / sp.Symbol("u"), evaluate=False))),
        Step(d(loss, theta[j]),
             total(_prod(_sum(yi / hi, _prod(-1, (1 - yi) / (1 - hi))), _prod(hi, 1 - hi), xij),
                   -1),
             text("chain rule with ", sp.Eq(sp.Symbol("sigma'"), sp.Symbol("sigma") *
                  (1 - sp.Symbol("sigma")), evaluate=False), " and ",
                  sp.Eq(d(lr.score(i), theta[j]), xij, evaluate=False))),
        Step(d(loss, theta[j]),
             total(_prod(_sum(_prod(yi, 1 - hi), _prod(-1, 1 - yi, hi)), xij), -1),
             text("cancel ", hi, " and ", 1 - hi)),
        Step(d(loss, theta[j]), total(_prod(_sum(yi, -hi), xij), -1),
             text("expand: the terms ", yi * hi, " cancel")),
        Step(d(loss, theta[j]), grad, text("move the minus sign inside")),
        Step(d(loss, theta[j]), total(_prod(_sum(lr.hypothesis(i), -yi), xij)),
             text("substitute ", sp.Eq(hi, lr.hypothesis(i), evaluate=False))),
        Step(theta_new, _sum(theta[j], -eta * grad),
             text("gradient descent: step against the gradient with learning rate ", eta),
             kind="given"),
    ]
    raw_loss = -sp.Sum(yi * sp.log(1 / (1 + sp.exp(-lr.score(i))))
                       + (1 - yi) * sp.log(1 - 1 / (1 + sp.exp(-lr.score(i)))), (i, 1, m))
    return Derivation(
        name="bce-gradient",
        title="Binary cross-entropy and its gradient",
        summary=text("The negative log of the Bernoulli likelihood is the binary cross-entropy; "
                     "with a sigmoid output its gradient is the error times the input, summed "
                     "over the examples."),
        givens=[text("m examples ", sp.Symbol("(x^{(i)}, y^{(i)})"), " with labels in {0, 1}"),
                text("x augmented with ", sp.Eq(x[i, 0], 1, evaluate=False),
                     " so that the bias is ", theta[0]),
                text(sp.Eq(hi, lr.hypothesis(i), evaluate=False))],
        steps=steps,
        definitions={h: sp.Lambda(i, lr.hypothesis(i))},
        sizes={m: (1, 2), n: (1,)},
        numeric_sizes={m: 6, n: 3},
        indices={j: (sp.S.Zero, n)},
        domains={y: (0.0, 1.0), theta: (-1.5, 1.5), x: (-1.5, 1.5), eta: (0.01, 1.0)},
        notation={lik: r"\mathcal{L}(\theta)", loss: r"J(\theta)",
                  theta_new: r"\theta_j^{\text{new}}", sp.Symbol("P(y=1|x)"): r"P(y{=}1 \mid x)",
                  sp.Symbol("h(x)"): r"h_\theta(x)", sp.Symbol("sigma"): r"\sigma",
                  sp.Symbol("sigma'"): r"\sigma'", sp.Symbol("u'"): "u'",
                  sp.Symbol("(x^{(i)}, y^{(i)})"): r"(x^{(i)}, y^{(i)})"},
        oracles=[Oracle(text("plain sympy.diff of the loss written with exponentials"),
                        grad, independent_diff(raw_loss, theta[j]))],
        problems=("A13", "A14"),
    )
