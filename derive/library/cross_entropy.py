"""Cross-entropy at the output layer (sheet C, problem 2 Q3 and problem 3 Q2).

δᴸ = aᴸ − y for sigmoid outputs with the cross-entropy, and for a softmax output with the
log-likelihood; and the cross-entropy C(a) of one output is minimised at a = y.
"""

from __future__ import annotations

import sympy as sp

from derive.functions import Prime, sigmoid
from derive.library.oracles import independent_diff
from derive.proof import Derivation, Oracle, Step, only_solution, text, written_product, written_sum
from derive.registry import derivation

j, kk, c = sp.symbols("j k c", integer=True, positive=True)
N = sp.Symbol("N", integer=True, positive=True)
z, y = sp.IndexedBase("z", real=True), sp.IndexedBase("y", real=True)
delta = sp.IndexedBase("deltaL", real=True)
C = sp.Symbol("C", real=True)
NOTATION: dict[sp.Basic, str] = {z: "z^{L}", delta: r"\delta^{L}", C: "C"}


@derivation("output-error-sigmoid-ce")
def output_error_sigmoid_ce() -> Derivation:
    """δᴸⱼ = aᴸⱼ − yⱼ for sigmoid outputs and the cross-entropy cost."""
    a = sigmoid(z[kk])
    cost = -sp.Sum(y[kk] * sp.log(a) + (1 - y[kk]) * sp.log(1 - a), (kk, 1, N))
    kron = sp.KroneckerDelta(kk, j)
    steps = [
        Step(C, cost, text("the cross-entropy over the N outputs, aᴸₖ = σ(zᴸₖ)"), kind="given"),
        Step(delta[j], sp.Derivative(C, z[j]), text("δᴸⱼ = ∂C/∂zᴸⱼ")),
        Step(delta[j], -sp.Sum((y[kk] / a - (1 - y[kk]) / (1 - a)) * Prime(a, z[kk]) * kron,
                               (kk, 1, N)),
             text("chain rule: ∂C/∂aₖ times ∂aₖ/∂zⱼ, which is 0 unless k = j")),
        Step(delta[j], -written_sum(y[j] * (1 - sigmoid(z[j])), -(1 - y[j]) * sigmoid(z[j])),
             text("σ′ = σ(1 − σ) cancels both denominators; the δ collapses the sum")),
        Step(delta[j], written_sum(sigmoid(z[j]), -y[j]),
             text("expand: the σ′ factor has gone, δᴸ = aᴸ − y")),
    ]
    return Derivation(
        name="output-error-sigmoid-ce",
        title="Sigmoid outputs with the cross-entropy: the output error",
        summary=text("The derivative of the cross-entropy by aᴸ has the denominator "
                     "a(1 − a), which is exactly σ′(z); the two cancel."),
        steps=steps, sizes={N: (1, 2, 3)}, indices={j: (1, N)}, notation=dict(NOTATION),
        definitions={delta: sp.Lambda(j, sp.Derivative(cost, z[j]))},
        domains={y: (0.0, 1.0)},
        oracles=[Oracle(text("plain sympy.diff of the cost by zᴸⱼ, σ in elementary form"),
                        steps[-1].rhs, independent_diff(cost, z[j]))],
        problems=("P2",))


@derivation("output-error-softmax-ll")
def output_error_softmax_ll() -> Derivation:
    """δᴸⱼ = aᴸⱼ − yⱼ for a softmax output layer and the log-likelihood cost −ln aᴸ of class c."""
    total = sp.Sum(sp.exp(z[kk]), (kk, 1, N))
    a_c = sp.exp(z[c]) / total
    one_hot = sp.KroneckerDelta(j, c)
    steps = [
        Step(C, -sp.log(a_c), text("the log-likelihood cost of the true class c, "
                                   "aᴸ = softmax(zᴸ)"), kind="given"),
        Step(delta[j], sp.Derivative(C, z[j]), text("δᴸⱼ = ∂C/∂zᴸⱼ")),
        Step(delta[j], sp.Derivative(-z[c] + sp.log(total), z[j]),
             text(r"log of a quotient: $-\ln a^L_c = -z^L_c + \ln \sum_k e^{z^L_k}$")),
        Step(delta[j], -one_hot + sp.exp(z[j]) / total,
             text(r"$\partial z^L_c / \partial z^L_j = \delta_{cj}$; "
                  "the derivative of the log-sum-exp is softmax")),
        Step(delta[j], written_sum(sp.exp(z[j]) / total, -one_hot),
             text(r"δᴸⱼ = aᴸⱼ − yⱼ, with y the one-hot vector of class c, $y_j = \delta_{cj}$")),
    ]
    return Derivation(
        name="output-error-softmax-ll",
        title="A softmax output with the log-likelihood: the output error",
        summary=text("With the one-hot target y (yⱼ = 1 for the true class c), the output "
                     "error is again aᴸ − y."),
        steps=steps, sizes={N: (1, 2, 3)}, indices={j: (1, N), c: (1, N)},
        definitions={delta: sp.Lambda(j, sp.Derivative(-sp.log(a_c), z[j]))},
        notation=dict(NOTATION),
        oracles=[Oracle(text("plain sympy.diff of −ln softmax by zᴸⱼ"), steps[-1].rhs,
                        independent_diff(-sp.log(a_c), z[j]))],
        problems=("P2",))


@derivation("cross-entropy-minimum")
def cross_entropy_minimum() -> Derivation:
    """C(a) = −[y ln a + (1 − y) ln(1 − a)] has its minimum on (0, 1) at a = y."""
    a, yv = sp.symbols("a y", positive=True)
    cost = -(yv * sp.log(a) + (1 - yv) * sp.log(1 - a))
    c1, c2 = sp.Symbol("C'(a)"), sp.Symbol("C''(a)")
    c2_at = sp.Symbol("C''(y)")
    critical = only_solution(sp.solveset(sp.diff(cost, a), a))   # {y} minus {1}
    steps = [
        Step(c1, sp.Derivative(cost, a), text("differentiate C(a)")),
        Step(c1, written_sum(-yv / a, (1 - yv) / (1 - a)),
             text("d ln a/da = 1/a and d ln(1 − a)/da = −1/(1 − a)")),
        Step(c1, (a - yv) / (a * (1 - a)), text("common denominator a(1 − a) > 0")),
        Step((a - yv) / (a * (1 - a)), sp.S.Zero, text("a critical point: C′(a) = 0"),
             kind="given"),
        Step(a, yv, text("multiply by a(1 − a) ≠ 0: the only critical point is a = y"),
             kind="implies", eliminate=a),
        Step(c2, sp.Derivative(cost, (a, 2)), text("differentiate again")),
        Step(c2, written_sum(yv / a**2, (1 - yv) / (1 - a) ** 2),
             text("both terms are positive for a, y in (0, 1): C is convex there")),
        Step(c2_at, 1 / written_product(yv, 1 - yv),
             text("at a = y: C″(y) > 0, so a = y is the minimum")),
    ]
    return Derivation(
        name="cross-entropy-minimum",
        title="The cross-entropy is smallest at a = y",
        summary=text("C′ vanishes only at a = y, and C″ > 0 on the whole interval, so C is "
                     "convex on (0, 1) and a = y is its unique minimum."),
        givens=[text("y in (0, 1), a in (0, 1)")],
        steps=steps,
        definitions={c1: sp.Derivative(cost, a), c2: sp.Derivative(cost, (a, 2)),
                     c2_at: sp.Derivative(cost, (a, 2)).doit().subs(a, yv)},
        domains={a: (0.02, 0.98), yv: (0.02, 0.98)},
        notation={c1: "C'(a)", c2: "C''(a)", c2_at: "C''(y)"},
        oracles=[Oracle(text("a = y against sympy.solveset of C′(a) = 0, C′ by plain sympy.diff"),
                        yv, critical),
                 Oracle(text("C″(y) against plain sympy.diff of C twice, at a = y"),
                        steps[-1].rhs, independent_diff(cost, a, a).subs(a, yv))],
        problems=("P3",))
