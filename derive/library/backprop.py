"""The four equations of back-propagation (sheet C, problem 2), in index form, and their kin.

Layer l has units j (and i, summed) = 1..n_l, layer l+1 units q = 1..n_{l+1}, layer l−1
units k (and r, summed) = 1..n_{l−1}; in BP1, l = L, the output layer:

    zˡ⁺¹ₖ = Σᵢ wˡ⁺¹ₖᵢ φ(zˡᵢ) + bˡ⁺¹ₖ,   δˡⱼ = ∂C/∂zˡⱼ.

C enters each equation only through its gradient at the point (∇ₐC for BP1, δˡ⁺¹ for BP2,
δˡ for BP3 and BP4), so each chain writes C as the linear function with that gradient: first
derivatives at the point are the same for every differentiable C, and the check covers all.
The page prints that function as C and its gradient as ∂C/∂a (the device is the verifier's,
said in the Verification section).  One builder serves the sigmoid, any activation f
(problem 2 Q2) and the linear network (Q4).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive.authoring import Chain, Proof, indexed
from derive.functions import Prime, sigmoid
from derive.library.oracles import independent_diff
from derive.proof import Derivation, written_eq, written_product
from derive.registry import derivation

j, q, k = sp.symbols("j q k", integer=True, positive=True)
i, r = sp.symbols("i r", integer=True, positive=True)     # summed: a unit of layer l (or L), of l−1
jj, kk, qq = i, i, r
N, M, P = sp.symbols("n_{l} n_{l+1} n_{l-1}", integer=True, positive=True)
NL = N   # BP1's layer is the output layer, l = L: j and i run over its n_l units
z, zn = indexed("z", "z^{l}", real=True), indexed("zn", "z^{l+1}", real=True)
zL = indexed("zL", "z^{L}", real=True)                    # the output layer's, for BP1
a_prev = indexed("ap", "a^{l-1}", real=True)
a_out = indexed("aL", "a^{L}", real=True)                 # shown in a reason only
w, wn = indexed("w", "w^{l}", real=True), indexed("wn", "w^{l+1}", real=True)
b, bn = indexed("b", "b^{l}", real=True), indexed("bn", "b^{l+1}", real=True)
grad_a = indexed("G", r"\frac{\partial C}{\partial a^{L}}", real=True)   # ∇ₐC at the point
delta = indexed("delta", r"\delta^{l}", real=True)
delta_n = indexed("deltan", r"\delta^{l+1}", real=True)
dC_db = indexed("dC_db", r"\frac{\partial C}{\partial b^{l}}", real=True)
dC_dw = indexed("dC_dw", r"\frac{\partial C}{\partial w^{l}}", real=True)
deltaL = indexed("deltaL", r"\delta^{L}", real=True)
f = sp.Function("f", real=True)
kron = sp.KroneckerDelta


def _entry(base: str, *indices: sp.Symbol) -> str:
    """An entry with its indices side by side, w^{l}_{jk} as in the sheet's Conventions (the
    printer's default separates them by commas)."""
    return f"{base}_{{{''.join(i.name for i in indices)}}}"


# Every two-index entry the derivations print, in the Conventions' notation w^{l}_{jk}; the
# Kronecker delta as an indicator, 1[i = j], so that it does not look like an error δ.
NOTATION: dict[sp.Basic, str] = {
    **{w[row, col]: _entry("w^{l}", row, col) for row, col in ((j, k), (kk, qq))},
    **{wn[row, col]: _entry("w^{l+1}", row, col) for row, col in ((q, j), (q, jj))},
    dC_dw[j, k]: r"\frac{\partial C}{\partial " + _entry("w^{l}", j, k) + "}",
    **{kron(one, other): rf"\mathbf{{1}}[{one} = {other}]" for one, other in ((i, j), (j, i))}}

SETTINGS: dict[str, Any] = dict(
    notation=NOTATION,
    summary=r"Index form for any layer sizes: unit $j$ (and $i$, summed) of layer $l$, which has "
            r"$n_{l}$ units, unit $q$ of layer $l + 1$ and unit $k$ (and $r$) of layer $l - 1$ "
            r"(in BP1, $l = L$, the output layer). $\delta^{l}_j = \partial C/\partial "
            r"z^{l}_j$ is the error of unit $j$, and $\mathbf{1}[i = j]$ is $1$ when $i = j$ and "
            r"$0$ otherwise.",
    method=(r"A step's cost $C$ is any differentiable function, and only its gradient at the "
            r"point enters the step ($\nabla_a C$ for BP1, $\delta^{l+1}$ for BP2, "
            r"$\delta^{l}$ for BP3 and BP4). The verifier therefore takes for $C$ the linear "
            r"function with that gradient, whose first derivatives are those of every such "
            r"$C$, so that the steps proved hold for every cost.",),
    sizes={N: (1, 2, 3), M: (1, 2), P: (1, 2)},
    indices={j: (1, N), k: (1, P)},
    problems=("P2",))


def _reworded(rule: str, kind: str) -> str:
    """A rule written for sigmoid neurons, said for the activation ``kind``."""
    if kind == "any":
        return rule.replace(r"\sigma'", "f'")
    if kind == "linear":
        return (rule.replace(r" \odot \sigma'(z^{L})", "")
                .replace(r"((W^{l+1})^{\top} \delta^{l+1}) \odot \sigma'(z^{l})",
                         r"(W^{l+1})^{\top} \delta^{l+1}")
                .replace(r"$\sigma'(z^{l}_j)$ leaves the sum", r"$\sigma' = 1$"))
    return rule


def _backprop(proof: Proof, kind: str) -> None:
    """BP1–BP4 derived by the chain rule, for the activation ``kind``."""
    def phi(e: sp.Expr) -> sp.Expr:
        return {"sigmoid": sigmoid(e), "any": f(e), "linear": e}[kind]

    def phi_prime(e: sp.Expr) -> sp.Expr:
        return sp.S.One if kind == "linear" else Prime(phi(e), e)

    def times_prime(factor: sp.Expr, e: sp.Expr) -> sp.Expr:
        # factor · φ′(e), kept in that order; a linear unit's φ′ = 1 is not shown.
        return factor if kind == "linear" else written_product(factor, phi_prime(e))

    def eq(c: Chain, rhs: sp.Expr, *reason: Any, label: str | None = None) -> Chain:
        # the reason said for ``kind``; a step that φ′ = 1 left unchanged joins the one before
        words = tuple(_reworded(p, kind) if isinstance(p, str) else p for p in reason)
        if c.rhs is None or rhs != c.rhs:
            return c.eq(rhs, *words, label=label)
        last = proof.steps[-1]
        last.rule, last.label = (*last.rule, "; ", *words), label or last.label
        return c

    cost_L = sp.Sum(grad_a[kk] * phi(zL[kk]), (kk, 1, NL))   # C to first order in a^L = φ(z^L)
    cost_next = sp.Sum(delta_n[q] * zn[q], (q, 1, M))     # C to first order in z^{l+1}
    # each stands for the cost C on the page (the linear function of the module docstring)
    proof.notation.update({cost_L: "C", cost_next: "C"})
    proof.define(zn[q], sp.Sum(wn[q, jj] * phi(z[jj]), (jj, 1, N)) + bn[q])
    proof.define(deltaL[j], sp.Derivative(cost_L, zL[j]))
    proof.define(delta[j], sp.Derivative(cost_next, z[j]))
    # BP3/BP4 read z^l as the affine map of the previous layer; δ^l is then a given vector.
    zl = sp.Lambda(kk, sp.Sum(w[kk, qq] * a_prev[qq], (qq, 1, P)) + b[kk])
    cost_l_unfolded = sp.Sum(delta[kk] * zl(kk), (kk, 1, N))
    proof.notation[cost_l_unfolded] = "C"
    proof.define(dC_db[j], sp.Derivative(cost_l_unfolded, b[j]))
    proof.define(dC_dw[j, k], sp.Derivative(cost_l_unfolded, w[j, k]))

    # each chain opens with the definition of its error, a premise (marked given, not proved)
    bp1 = proof.chain(deltaL[j]).given(
        sp.Derivative(cost_L, zL[j]),
        *(_reworded(p, kind) if isinstance(p, str) else p for p in (
            r"BP1: the error of output unit $j$, by definition; $C$ depends on $z^{L}$ "
            "through ", written_eq(a_out[kk], phi(zL[kk])))))
    eq(bp1, sp.Sum(grad_a[kk] * phi_prime(zL[kk]) * kron(kk, j), (kk, 1, NL)),
       r"chain rule: $a^{L}_{i}$ depends on $z^{L}_j$ only when $i = j$", label="BP1-chain")
    eq(bp1, times_prime(grad_a[j], zL[j]),
       r"$\mathbf{1}[i = j]$ keeps one term of the sum: BP1, "
       r"$\delta^{L} = \nabla_a C \odot \sigma'(z^{L})$", label="BP1")
    bp2 = proof.chain(delta[j]).given(
        sp.Derivative(cost_next, z[j]),
        r"BP2: the error of unit $j$ of layer $l$, by definition; $C$ depends on $z^{l}$ only "
        r"through $z^{l+1}$, where its gradient is $\delta^{l+1}$")
    eq(bp2, sp.Sum(delta_n[q] * sp.Derivative(zn[q], z[j]), (q, 1, M)),
       r"chain rule over the units $q$ of layer $l + 1$, with "
       r"$\delta^{l+1}_q = \partial C/\partial z^{l+1}_q$")
    eq(bp2, sp.Sum(delta_n[q] * wn[q, j] * phi_prime(z[j]), (q, 1, M)),
       r"$z^{l+1}_q = \sum_{i} w^{l+1}_{qi} a^{l}_{i} + b^{l+1}_q$ depends on $z^{l}_j$ "
       r"through $a^{l}_j$ alone", label="BP2-local")
    eq(bp2, times_prime(sp.Sum(wn[q, j] * delta_n[q], (q, 1, M)), z[j]),
       r"$\sigma'(z^{l}_j)$ leaves the sum: BP2, "
       r"$\delta^{l} = ((W^{l+1})^{\top} \delta^{l+1}) \odot \sigma'(z^{l})$", label="BP2")
    proof.chain(dC_db[j]) \
        .eq(sp.Sum(delta[kk] * sp.Derivative(zl(kk), b[j]), (kk, 1, N)),
            "BP3: chain rule through ", written_eq(z[kk], zl(kk))) \
        .eq(sp.Sum(delta[kk] * kron(kk, j), (kk, 1, N)),
            written_eq(sp.Derivative(zl(kk), b[j]), kron(kk, j))) \
        .eq(delta[j], r"BP3: $\partial C/\partial b^{l}_j = \delta^{l}_j$", label="BP3")
    proof.chain(dC_dw[j, k]) \
        .eq(sp.Sum(delta[kk] * sp.Derivative(zl(kk), w[j, k]), (kk, 1, N)),
            "BP4: the same chain rule, by the weight ", w[j, k]) \
        .eq(sp.Sum(delta[kk] * kron(kk, j) * a_prev[k], (kk, 1, N)),
            written_eq(sp.Derivative(zl(kk), w[j, k]), kron(kk, j) * a_prev[k])) \
        .eq(written_product(a_prev[k], delta[j]),
            "BP4: the input activation times the output error", label="BP4")
    _bp1_bp2_oracles(proof, bp1.rhs, bp2.rhs, cost_L, cost_next)


def _bp1_bp2_oracles(proof: Proof, bp1: sp.Expr, bp2: sp.Expr, cost_L: sp.Expr,
                     cost_next: sp.Expr) -> None:
    """BP1 and BP2 against plain sympy.diff of the cost, the next layer written out."""
    proof.oracle(bp1, independent_diff(cost_L, zL[j]),
                 r"BP1 against plain sympy.diff of $C$ by $z^{L}_j$, $a^{L}$ in elementary form")
    proof.oracle(bp2, independent_diff(cost_next, z[j],
                                       definitions={zn: proof.definitions[zn]}),
                 r"BP2 against plain sympy.diff of $C$ by $z^{l}_j$, $z^{l+1}$ written out in "
                 "elementary form")


def backprop_equations(name: str, title: str, kind: str, problems: tuple[str, ...]
                       ) -> Derivation:
    """BP1–BP4 for the activation ``kind``, unregistered (as the mutation tests build it)."""
    proof = Proof(**{**SETTINGS, "title": title, "problems": problems})
    _backprop(proof, kind)
    return proof.derivation(name)


@derivation("backprop-equations", title="The four equations of back-propagation", **SETTINGS)
def backprop_sigmoid(proof: Proof) -> None:
    """BP1–BP4 for sigmoid neurons."""
    _backprop(proof, "sigmoid")


@derivation("backprop-any-activation", title="Back-propagation with an unspecified activation",
            **{**SETTINGS, "summary": r"The derivation of P2 Q1, in the same index form, with an "
                                      r"unspecified activation $f$ in place of $\sigma$."})
def backprop_any_activation(proof: Proof) -> None:
    """BP1–BP4 with an unspecified activation f: σ′ becomes f′ (problem 2 Q2)."""
    _backprop(proof, "any")


@derivation("backprop-linear", title="Back-propagation in a linear network",
            **{**SETTINGS, "summary": r"The derivation of P2 Q1 with $\sigma(z) = z$, so that "
                                      r"$\sigma' = 1$: the lines that change."})
def backprop_linear(proof: Proof) -> None:
    """BP1–BP4 when every neuron is linear, σ(z) = z (problem 2 Q4)."""
    _backprop(proof, "linear")


@derivation("backprop-one-neuron", title=r"One neuron with the activation $f$",
            **{**SETTINGS, "summary": r"Unit $j$ has $a_j = f(z_j)$, every other unit of its "
                                      r"layer $a_i = \sigma(z_i)$; the lines of P2 Q1 that pass "
                                      r"through $a_j$."})
def backprop_one_neuron(proof: Proof) -> None:
    """Problem 2 Q2: one neuron j uses f, the others σ; BP1 and BP2 for that neuron."""
    # C to first order, as in _backprop, with unit j's activation f and the others' σ
    # (each unit's σ, and unit j's turned into f by the indicator 1[i = j])
    cost_L = sp.Sum(grad_a[kk] * (sigmoid(zL[kk]) + kron(kk, j) * (f(zL[kk]) - sigmoid(zL[kk]))),
                    (kk, 1, NL))
    cost_next = sp.Sum(delta_n[q] * zn[q], (q, 1, M))
    proof.notation.update({cost_L: "C", cost_next: "C"})
    proof.define(zn[q], sp.Sum(wn[q, jj] * sigmoid(z[jj]), (jj, 1, N))
                 + wn[q, j] * (f(z[j]) - sigmoid(z[j])) + bn[q])
    proof.define(deltaL[j], sp.Derivative(cost_L, zL[j]))
    proof.define(delta[j], sp.Derivative(cost_next, z[j]))
    bp1 = proof.chain(deltaL[j]).given(
        sp.Derivative(cost_L, zL[j]), r"BP1 for the modified output unit $j$: its error, by "
        r"definition")
    bp1.eq(written_product(grad_a[j], Prime(f(zL[j]), zL[j])),
           r"chain rule: of the outputs only $a^{L}_j = f(z^{L}_j)$ depends on $z^{L}_j$, so "
           r"$f'$ replaces $\sigma'$", label="BP1")
    bp2 = proof.chain(delta[j]).given(
        sp.Derivative(cost_next, z[j]), r"BP2 for the modified hidden unit $j$: its error, by "
        r"definition")
    bp2.eq(sp.Sum(delta_n[q] * sp.Derivative(zn[q], z[j]), (q, 1, M)),
           r"chain rule over the units $q$ of layer $l + 1$, as in P2 Q1")
    bp2.eq(sp.Sum(delta_n[q] * wn[q, j] * Prime(f(z[j]), z[j]), (q, 1, M)),
           r"$z^{l+1}_q = \sum_{i} w^{l+1}_{qi} a^{l}_{i} + b^{l+1}_q$ depends on $z^{l}_j$ "
           r"through $a^{l}_j = f(z^{l}_j)$ alone")
    bp2.eq(written_product(sp.Sum(wn[q, j] * delta_n[q], (q, 1, M)), Prime(f(z[j]), z[j])),
           r"$f'(z^{l}_j)$ leaves the sum: BP2 with $f'$ in place of $\sigma'$ for unit $j$",
           label="BP2")
    _bp1_bp2_oracles(proof, bp1.rhs, bp2.rhs, cost_L, cost_next)
