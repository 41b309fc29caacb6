"""The four equations of back-propagation (sheet C, problem 2), in index form, and their kin.

Layer l has units j = 1..N, layer l+1 units k = 1..M, layer l−1 units q = 1..P:

    zˡ⁺¹ₖ = Σⱼ wˡ⁺¹ₖⱼ φ(zˡⱼ) + bˡ⁺¹ₖ,   δˡⱼ = ∂C/∂zˡⱼ.

C enters each equation only through its gradient at the point (∇ₐC for BP1, δˡ⁺¹ for BP2,
δˡ for BP3 and BP4), so each chain writes C as the linear function with that gradient: first
derivatives at the point are the same for every differentiable C, and the check covers all.
One builder serves the sigmoid, any activation f (problem 2 Q2) and the linear network (Q4).
"""

from __future__ import annotations

import sympy as sp

from derive.functions import Prime, sigmoid
from derive.library.oracles import independent_diff
from derive.proof import Derivation, Oracle, Step, text, written_product
from derive.registry import derivation

j, k, q = sp.symbols("j k q", integer=True, positive=True)
jj, kk, qq = sp.symbols("j' k' q'", integer=True, positive=True)
N, M, P = sp.symbols("N M P", integer=True, positive=True)
z, zn = sp.IndexedBase("z", real=True), sp.IndexedBase("zn", real=True)
a_prev = sp.IndexedBase("ap", real=True)
w, wn = sp.IndexedBase("w", real=True), sp.IndexedBase("wn", real=True)
b, bn = sp.IndexedBase("b", real=True), sp.IndexedBase("bn", real=True)
grad_a = sp.IndexedBase("G", real=True)          # ∇ₐC at the point
delta, delta_n = sp.IndexedBase("delta", real=True), sp.IndexedBase("deltan", real=True)
dC_db, dC_dw = sp.IndexedBase("dC_db", real=True), sp.IndexedBase("dC_dw", real=True)
deltaL = sp.IndexedBase("deltaL", real=True)
f = sp.Function("f", real=True)

NOTATION: dict[sp.Basic, str] = {
    z: "z^{l}", zn: "z^{l+1}", a_prev: "a^{l-1}", w: "w^{l}", wn: "w^{l+1}", b: "b^{l}",
    bn: "b^{l+1}", grad_a: r"(\nabla_a C)", delta: r"\delta^{l}", delta_n: r"\delta^{l+1}",
    dC_db: r"\frac{\partial C}{\partial b^{l}}", dC_dw: r"\frac{\partial C}{\partial w^{l}}",
    deltaL: r"\delta^{L}", jj: "j'", kk: "k'",
}


def _activation(kind: str, arg: sp.Expr) -> sp.Expr:
    return {"sigmoid": sigmoid(arg), "any": f(arg), "linear": arg}[kind]


def _reworded(rule: str, kind: str) -> str:
    """A rule written for sigmoid neurons, said for the activation ``kind``."""
    if kind == "any":
        return rule.replace("σ′", "f′")
    if kind == "linear":
        return (rule.replace(" ⊙ σ′(zᴸ)", "").replace(") ⊙ σ′(zˡ)", ")")
                .replace("σ′(zˡⱼ) leaves the sum", "σ′ = 1"))
    return rule


def backprop_equations(name: str, title: str, kind: str, problems: tuple[str, ...]
                       ) -> Derivation:
    """BP1–BP4 derived by the chain rule, for the activation ``kind``."""
    def phi(e: sp.Expr) -> sp.Expr:
        return _activation(kind, e)

    def phi_prime(e: sp.Expr) -> sp.Expr:
        return sp.S.One if kind == "linear" else Prime(phi(e), e)

    def times_prime(factor: sp.Expr, e: sp.Expr) -> sp.Expr:
        # factor · φ′(e), kept in that order; a linear unit's φ′ = 1 is not shown.
        return factor if kind == "linear" else written_product(factor, phi_prime(e))

    a_L = phi(z[kk])                                       # output layer: a^L = φ(z^L)
    cost_L = sp.Sum(grad_a[kk] * a_L, (kk, 1, N))         # C to first order in a^L
    cost_next = sp.Sum(delta_n[k] * zn[k], (k, 1, M))     # C to first order in z^{l+1}
    definitions: dict[sp.Basic, sp.Expr] = {
        zn: sp.Lambda(k, sp.Sum(wn[k, jj] * phi(z[jj]), (jj, 1, N)) + bn[k]),
        deltaL: sp.Lambda(j, sp.Derivative(cost_L, z[j])),
        delta: sp.Lambda(j, sp.Derivative(cost_next, z[j])),
    }
    # BP3/BP4 read z^l as the affine map of the previous layer; δ^l is then a given vector.
    zl = sp.Lambda(kk, sp.Sum(w[kk, qq] * a_prev[qq], (qq, 1, P)) + b[kk])
    cost_l_unfolded = sp.Sum(delta[kk] * zl(kk), (kk, 1, N))
    definitions[dC_db] = sp.Lambda(j, sp.Derivative(cost_l_unfolded, b[j]))
    definitions[dC_dw] = sp.Lambda((j, q), sp.Derivative(cost_l_unfolded, w[j, q]))
    kron = sp.KroneckerDelta
    steps = [
        Step(deltaL[j], sp.Derivative(cost_L, z[j]),
             text("BP1: δᴸⱼ = ∂C/∂zᴸⱼ; C depends on zᴸ through aᴸₖ = ", phi(z[kk]),
                  ", and only its gradient ∇ₐC at the point matters")),
        Step(deltaL[j], sp.Sum(grad_a[kk] * phi_prime(z[kk]) * kron(kk, j), (kk, 1, N)),
             text("chain rule: aᴸₖ depends on zᴸⱼ only when k′ = j")),
        Step(deltaL[j], times_prime(grad_a[j], z[j]),
             text("the Kronecker δ collapses the sum: BP1, δᴸ = ∇ₐC ⊙ σ′(zᴸ)")),
        Step(delta[j], sp.Derivative(cost_next, z[j]),
             text("BP2: C depends on zˡ only through zˡ⁺¹; its gradient there is δˡ⁺¹")),
        Step(delta[j], sp.Sum(delta_n[k] * sp.Derivative(zn[k], z[j]), (k, 1, M)),
             text("chain rule over the units k of layer l + 1")),
        Step(delta[j], sp.Sum(delta_n[k] * wn[k, j] * phi_prime(z[j]), (k, 1, M)),
             text("zˡ⁺¹ₖ = Σⱼ′ wˡ⁺¹ₖⱼ′ aˡⱼ′ + bˡ⁺¹ₖ depends on zˡⱼ through aˡⱼ alone")),
        Step(delta[j], times_prime(sp.Sum(wn[k, j] * delta_n[k], (k, 1, M)), z[j]),
             text("σ′(zˡⱼ) leaves the sum: BP2, δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)")),
        Step(dC_db[j], sp.Sum(delta[kk] * sp.Derivative(zl(kk), b[j]), (kk, 1, N)),
             text("BP3: chain rule through ", sp.Eq(z[kk], zl(kk), evaluate=False))),
        Step(dC_db[j], sp.Sum(delta[kk] * kron(kk, j), (kk, 1, N)),
             text(sp.Eq(sp.Derivative(zl(kk), b[j]), kron(kk, j), evaluate=False))),
        Step(dC_db[j], delta[j], text("BP3: ∂C/∂bˡⱼ = δˡⱼ")),
        Step(dC_dw[j, q], sp.Sum(delta[kk] * sp.Derivative(zl(kk), w[j, q]), (kk, 1, N)),
             text("BP4: the same chain rule, by the weight ", w[j, q])),
        Step(dC_dw[j, q], sp.Sum(delta[kk] * kron(kk, j) * a_prev[q], (kk, 1, N)),
             text(sp.Eq(sp.Derivative(zl(kk), w[j, q]), kron(kk, j) * a_prev[q],
                        evaluate=False))),
        Step(dC_dw[j, q], written_product(a_prev[q], delta[j]),
             text("BP4: the input activation times the output error")),
    ]
    shown: list[Step] = []
    for step in steps:
        step.rule = tuple(_reworded(p, kind) if isinstance(p, str) else p for p in step.rule)
        if shown and (step.lhs, step.rhs) == (shown[-1].lhs, shown[-1].rhs):
            shown[-1].rule = (*shown[-1].rule, "; ", *step.rule)  # φ′ = 1 left it unchanged
        else:
            shown.append(step)
    steps = shown
    bp1 = next(s.rhs for s in reversed(steps) if s.lhs == deltaL[j])   # the closed forms
    bp2 = next(s.rhs for s in reversed(steps) if s.lhs == delta[j])
    return Derivation(
        name=name, title=title,
        summary=text("Index form for any layer sizes. C is written, in each equation, as the "
                     "linear function with C's gradient at the point (∇ₐC for BP1, δˡ⁺¹ for "
                     "BP2, δˡ for BP3 and BP4): the first derivatives are then exactly those of "
                     "any differentiable C, so the steps hold for every cost."),
        steps=steps, definitions=definitions,
        sizes={N: (1, 2, 3), M: (1, 2), P: (1, 2)},
        indices={j: (1, N), q: (1, P)},
        notation=dict(NOTATION),
        oracles=[Oracle(text("BP1 against plain sympy.diff of C by zᴸⱼ, aᴸ in elementary form"),
                        bp1, independent_diff(cost_L, z[j])),
                 Oracle(text("BP2 against plain sympy.diff of C by zˡⱼ, zˡ⁺¹ written out in "
                             "elementary form"),
                        bp2, independent_diff(cost_next, z[j],
                                              definitions={zn: definitions[zn]}))],
        problems=problems)


@derivation("backprop-equations")
def backprop_sigmoid() -> Derivation:
    """BP1–BP4 for sigmoid neurons."""
    return backprop_equations("backprop-equations", "The four equations of back-propagation",
                              "sigmoid", ("P2",))


@derivation("backprop-any-activation")
def backprop_any_activation() -> Derivation:
    """BP1–BP4 with an unspecified activation f: σ′ becomes f′ (problem 2 Q2)."""
    return backprop_equations("backprop-any-activation",
                              "Back-propagation with any activation f", "any", ("P2",))


@derivation("backprop-linear")
def backprop_linear() -> Derivation:
    """BP1–BP4 when every neuron is linear, σ(z) = z (problem 2 Q4)."""
    return backprop_equations("backprop-linear", "Back-propagation in a linear network",
                              "linear", ("P2",))
