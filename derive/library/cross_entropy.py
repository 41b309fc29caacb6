"""Cross-entropy at the output layer (sheet C, problem 2 Q3 and problem 3 Q2).

δᴸ = aᴸ − y for sigmoid outputs with the cross-entropy, and for a softmax output with the
log-likelihood; and the cross-entropy C(a) of one output is minimised at a = y.
"""

from __future__ import annotations

import sympy as sp

from derive.authoring import Proof, indexed, symbol
from derive.functions import Prime, sigmoid
from derive.library.oracles import independent_diff
from derive.proof import only_solution, written_product, written_sum
from derive.registry import derivation

j, kk, c = sp.symbols("j k c", integer=True, positive=True)
N = sp.Symbol("N", integer=True, positive=True)
z, y = indexed("z", "z^{L}", real=True), sp.IndexedBase("y", real=True)
delta = indexed("deltaL", r"\delta^{L}", real=True)
C = symbol("C", real=True)
a, yv = sp.symbols("a y", positive=True)          # one output and its target
OUTPUT = {"sizes": {N: (1, 2, 3)}, "problems": ("P2",)}


@derivation("output-error-sigmoid-ce", **OUTPUT, indices={j: (1, N)}, domains={y: (0.0, 1.0)},
            title="Sigmoid outputs with the cross-entropy: the output error",
            summary="The derivative of the cross-entropy by aᴸ has the denominator a(1 − a), "
                    "which is exactly σ′(z); the two cancel.")
def output_error_sigmoid_ce(proof: Proof) -> None:
    """δᴸⱼ = aᴸⱼ − yⱼ for sigmoid outputs and the cross-entropy cost."""
    s = sigmoid(z[kk])
    cost = -sp.Sum(y[kk] * sp.log(s) + (1 - y[kk]) * sp.log(1 - s), (kk, 1, N))
    proof.define(delta[j], sp.Derivative(cost, z[j]))
    proof.given(C, cost, "the cross-entropy over the N outputs, aᴸₖ = σ(zᴸₖ)")
    e = proof.chain(delta[j]).eq(sp.Derivative(C, z[j]), "δᴸⱼ = ∂C/∂zᴸⱼ")
    e.eq(-sp.Sum((y[kk] / s - (1 - y[kk]) / (1 - s)) * Prime(s, z[kk])
                 * sp.KroneckerDelta(kk, j), (kk, 1, N)),
         "chain rule: ∂C/∂aₖ times ∂aₖ/∂zⱼ, which is 0 unless k = j")
    e.eq(-written_sum(y[j] * (1 - sigmoid(z[j])), -(1 - y[j]) * sigmoid(z[j])),
         "σ′ = σ(1 − σ) cancels both denominators; the δ collapses the sum")
    e.eq(written_sum(sigmoid(z[j]), -y[j]), "expand: the σ′ factor has gone, δᴸ = aᴸ − y")
    proof.oracle(e.rhs, independent_diff(cost, z[j]),
                 "plain sympy.diff of the cost by zᴸⱼ, σ in elementary form")


@derivation("output-error-softmax-ll", **OUTPUT, indices={j: (1, N), c: (1, N)},
            title="A softmax output with the log-likelihood: the output error",
            summary="With the one-hot target y (yⱼ = 1 for the true class c), the output "
                    "error is again aᴸ − y.")
def output_error_softmax_ll(proof: Proof) -> None:
    """δᴸⱼ = aᴸⱼ − yⱼ for a softmax output layer and the log-likelihood cost −ln aᴸ of class c."""
    total = sp.Sum(sp.exp(z[kk]), (kk, 1, N))
    cost = -sp.log(sp.exp(z[c]) / total)
    one_hot = sp.KroneckerDelta(j, c)
    proof.define(delta[j], sp.Derivative(cost, z[j]))
    proof.given(C, cost, "the log-likelihood cost of the true class c, aᴸ = softmax(zᴸ)")
    e = proof.chain(delta[j]).eq(sp.Derivative(C, z[j]), "δᴸⱼ = ∂C/∂zᴸⱼ")
    e.eq(sp.Derivative(-z[c] + sp.log(total), z[j]),
         r"log of a quotient: $-\ln a^L_c = -z^L_c + \ln \sum_k e^{z^L_k}$")
    e.eq(-one_hot + sp.exp(z[j]) / total, r"$\partial z^L_c / \partial z^L_j = \delta_{cj}$; "
         "the derivative of the log-sum-exp is softmax")
    e.eq(written_sum(sp.exp(z[j]) / total, -one_hot),
         r"δᴸⱼ = aᴸⱼ − yⱼ, with y the one-hot vector of class c, $y_j = \delta_{cj}$")
    proof.oracle(e.rhs, independent_diff(cost, z[j]), "plain sympy.diff of −ln softmax by zᴸⱼ")


@derivation("cross-entropy-minimum", title="The cross-entropy is smallest at a = y",
            summary="C′ vanishes only at a = y, and C″ > 0 on the whole interval, so C is "
                    "convex on (0, 1) and a = y is its unique minimum.",
            domains={a: (0.02, 0.98), yv: (0.02, 0.98)}, problems=("P3",))
def cross_entropy_minimum(proof: Proof) -> None:
    """C(a) = −[y ln a + (1 − y) ln(1 − a)] has its minimum on (0, 1) at a = y."""
    cost = -(yv * sp.log(a) + (1 - yv) * sp.log(1 - a))
    c1, c2, c2_at = symbol("c1", "C'(a)"), symbol("c2", "C''(a)"), symbol("c2_at", "C''(y)")
    proof.state("y in (0, 1), a in (0, 1)")
    proof.define(c1, sp.Derivative(cost, a))
    proof.define(c2, sp.Derivative(cost, (a, 2)))
    proof.define(c2_at, sp.Derivative(cost, (a, 2)).doit().subs(a, yv))
    proof.chain(c1).eq(sp.Derivative(cost, a), "differentiate C(a)") \
        .eq(written_sum(-yv / a, (1 - yv) / (1 - a)),
            "d ln a/da = 1/a and d ln(1 − a)/da = −1/(1 − a)") \
        .eq((a - yv) / (a * (1 - a)), "common denominator a(1 − a) > 0")
    proof.equation((a - yv) / (a * (1 - a)), sp.S.Zero, "a critical point: C′(a) = 0",
                   eliminate=a) \
        .implies(a, yv, "multiply by a(1 − a) ≠ 0: the only critical point is a = y")
    proof.chain(c2).eq(sp.Derivative(cost, (a, 2)), "differentiate again") \
        .eq(written_sum(yv / a**2, (1 - yv) / (1 - a) ** 2),
            "both terms are positive for a, y in (0, 1): C is convex there")
    at_y = proof.chain(c2_at).eq(1 / written_product(yv, 1 - yv),
                                 "at a = y: C″(y) > 0, so a = y is the minimum")
    critical = only_solution(sp.solveset(sp.diff(cost, a), a))   # {y} minus {1}
    proof.oracle(yv, critical, "a = y against sympy.solveset of C′(a) = 0, C′ by plain "
                 "sympy.diff")
    proof.oracle(at_y.rhs, independent_diff(cost, a, a).subs(a, yv),
                 "C″(y) against plain sympy.diff of C twice, at a = y")
