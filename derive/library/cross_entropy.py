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

j, kk, c = sp.symbols("j i c", integer=True, positive=True)   # output j, summed i, class c
N = sp.Symbol("n_{L}", integer=True, positive=True)            # the output layer's size
z, y = indexed("z", "z^{L}", real=True), sp.IndexedBase("y", real=True)
delta = indexed("deltaL", r"\delta^{L}", real=True)
C = symbol("C", real=True)
a, yv = sp.symbols("a y", positive=True)          # one output and its target
# sheet C writes the Kronecker delta as an indicator, so that delta always means an error
_PAIRS = (("i", "j", ((kk, j), (j, kk))), ("c", "j", ((j, c), (c, j))))
INDICATORS = {sp.KroneckerDelta(*pair): rf"\mathbf{{1}}[{one} = {other}]"
              for one, other, pairs in _PAIRS for pair in pairs}
OUTPUT = {"sizes": {N: (1, 2, 3)}, "problems": ("P2",), "notation": INDICATORS}


@derivation("output-error-sigmoid-ce", **OUTPUT, indices={j: (1, N)}, domains={y: (0.0, 1.0)},
            title="Sigmoid outputs with the cross-entropy: the output error",
            summary=r"The derivative of the cross-entropy by $a^{L}_j$ has the denominator "
                    r"$a^{L}_j(1 - a^{L}_j)$, which is exactly $\sigma'(z^{L}_j)$; the two cancel.")
def output_error_sigmoid_ce(proof: Proof) -> None:
    """δᴸⱼ = aᴸⱼ − yⱼ for sigmoid outputs and the cross-entropy cost."""
    s = sigmoid(z[kk])
    cost = -sp.Sum(written_sum(y[kk] * sp.log(s), (1 - y[kk]) * sp.log(1 - s)), (kk, 1, N))
    proof.given(C, cost, r"the cross-entropy over the $n_L$ outputs, $a^{L}_i = \sigma(z^{L}_i)$")
    e = proof.chain(delta[j]).given(sp.Derivative(C, z[j]), "the output error, by definition")
    e.eq(-sp.Sum((y[kk] / s - (1 - y[kk]) / (1 - s)) * Prime(s, z[kk])
                 * sp.KroneckerDelta(kk, j), (kk, 1, N)),
         r"chain rule: $\partial C/\partial a^{L}_i$ times $\partial a^{L}_i/\partial z^{L}_j$, "
         r"which is $0$ unless $i = j$")
    e.eq(written_sum(-written_product(y[j], 1 - sigmoid(z[j])),
                     written_product(1 - y[j], sigmoid(z[j]))),
         r"$\sigma' = \sigma(1 - \sigma)$ cancels both denominators; $\mathbf{1}[i = j]$ "
         r"keeps one term of the sum")
    e.eq(written_sum(sigmoid(z[j]), -y[j]),
         r"expand: the factor $\sigma'$ has gone, $\delta^{L} = a^{L} - y$")
    proof.oracle(e.rhs, independent_diff(cost, z[j]),
                 r"plain sympy.diff of the cost by $z^{L}_j$, $\sigma$ in elementary form")


@derivation("output-error-softmax-ll", **OUTPUT, indices={j: (1, N), c: (1, N)},
            title="A softmax output with the log-likelihood: the output error",
            summary=r"With the one-hot target $y$ ($y_j = 1$ for the true class $c$), the "
                    r"output error is again $a^{L} - y$.")
def output_error_softmax_ll(proof: Proof) -> None:
    """δᴸⱼ = aᴸⱼ − yⱼ for a softmax output layer and the log-likelihood cost −log aᴸ of class c."""
    total = sp.Sum(sp.exp(z[kk]), (kk, 1, N))
    cost = -sp.log(sp.exp(z[c]) / total)
    a_out, target = indexed("aL", "a^{L}", real=True), indexed("t", "y", real=True)
    one_hot = sp.KroneckerDelta(j, c)
    proof.given(C, cost, r"the log-likelihood cost of the true class $c$, "
                r"$a^{L} = \operatorname{softmax}(z^{L})$")
    e = proof.chain(delta[j]).given(sp.Derivative(C, z[j]), "the output error, by definition")
    e.eq(sp.Derivative(-z[c] + sp.log(total), z[j]),
         r"log of a quotient: $-\log a^{L}_c = -z^{L}_c + \log \sum_i e^{z^{L}_i}$")
    e.eq(-one_hot + sp.exp(z[j]) / total,
         r"$\partial z^{L}_c / \partial z^{L}_j = \mathbf{1}[c = j]$; the "
         "derivative of the log-sum-exp is softmax")
    proof.define(a_out[j], sp.exp(z[j]) / total)       # a^L = softmax(z^L)
    proof.define(target[j], one_hot)                   # the one-hot target of class c
    e.eq(written_sum(a_out[j], -target[j]),
         r"the first term is $a^{L}_j$; the second is $y_j = \mathbf{1}[c = j]$, the one-hot "
         r"target of class $c$: $\delta^{L} = a^{L} - y$")
    proof.oracle(e.rhs, independent_diff(cost, z[j]),
                 r"plain sympy.diff of $-\log \operatorname{softmax}$ by $z^{L}_j$")


@derivation("cross-entropy-minimum", title="The cross-entropy is smallest at the target",
            summary=r"For $y$ and $a$ in $(0, 1)$: $C'$ vanishes only at $a = y$, and $C'' > 0$ on "
                    r"the whole interval, so $C$ is convex on $(0, 1)$ and $a = y$ is its unique "
                    "minimum.",
            domains={a: (0.02, 0.98), yv: (0.02, 0.98)}, problems=("P3",))
def cross_entropy_minimum(proof: Proof) -> None:
    """C(a) = −[y log a + (1 − y) log(1 − a)] has its minimum on (0, 1) at a = y."""
    cost = -(yv * sp.log(a) + (1 - yv) * sp.log(1 - a))
    c1, c2, c2_at = symbol("c1", "C'(a)"), symbol("c2", "C''(a)"), symbol("c2_at", "C''(y)")
    proof.define(c1, sp.Derivative(cost, a))
    proof.define(c2, sp.Derivative(cost, (a, 2)))
    proof.define(c2_at, sp.Derivative(cost, (a, 2)).doit().subs(a, yv))
    proof.chain(c1).eq(sp.Derivative(cost, a), r"differentiate $C(a)$") \
        .eq(written_sum(-yv / a, (1 - yv) / (1 - a)),
            r"$d \log a / da = 1/a$ and $d \log(1 - a) / da = -1/(1 - a)$") \
        .eq((a - yv) / (a * (1 - a)), r"common denominator $a(1 - a) > 0$")
    proof.equation((a - yv) / (a * (1 - a)), sp.S.Zero, r"the critical points: set $C'(a) = 0$",
                   eliminate=a) \
        .implies(a, yv, r"multiply by $a(1 - a) \neq 0$: the only critical point is $a = y$")
    proof.chain(c2).eq(sp.Derivative(cost, (a, 2)), "differentiate again") \
        .eq(written_sum(yv / a**2, (1 - yv) / (1 - a) ** 2),
            r"both terms are positive for $a, y \in (0, 1)$: $C$ is convex there")
    at_y = proof.chain(c2_at).eq(1 / written_product(yv, 1 - yv),
                                 r"at $a = y$: $C''(y) > 0$, so $a = y$ is the minimum")
    critical = only_solution(sp.solveset(sp.diff(cost, a), a))   # {y} minus {1}
    proof.oracle(yv, critical, r"$a = y$ against sympy.solveset of $C'(a) = 0$, $C'$ by plain "
                 "sympy.diff")
    proof.oracle(at_y.rhs, independent_diff(cost, a, a).subs(a, yv),
                 r"$C''(y)$ against plain sympy.diff of $C$ twice, at $a = y$")
