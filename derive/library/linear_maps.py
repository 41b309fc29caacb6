"""Linear layers and their Jacobians in matrix form (sheet B 1.4.3 and 1.5, sheet C O1–O3).

All are matrix identities in symbolic sizes; the verifier proves them on a general entry in
index notation (or by matrix algebra) and cross-checks them written out at concrete sizes.
"""

from __future__ import annotations

import sympy as sp

from derive.authoring import Proof, matrix
from derive.functions import sigmoid
from derive.library.oracles import independent_diff
from derive.matrices import Diag, Hadamard, Jacobian, elementwise
from derive.registry import derivation

a_, b_, c_ = sp.symbols("a b c", integer=True, positive=True)
n, d, K = sp.symbols("n d K", integer=True, positive=True)
n1, n2, n3 = sp.symbols("n_1 n_2 n_3", integer=True, positive=True)
t = sp.Symbol("t", real=True)


@derivation("linear-composition", title="Two linear layers are one",
            summary=r"Linear2 after Linear1, written out and regrouped: one affine layer, "
                    r"with weight $W^{(2)}W^{(1)}$ and bias $W^{(2)}b^{(1)} + b^{(2)}$.",
            sizes={n: (2,), d: (3,), K: (2,)}, numeric_sizes={n: 4, d: 5, K: 3},
            problems=("1.4",))
def linear_composition(proof: Proof) -> None:
    """Two linear layers in a row are one affine layer (1.4.3)."""
    x = matrix("x", n, 1)
    W1, b1 = matrix("W1", d, n, "W^{(1)}"), matrix("b1", d, 1, "b^{(1)}")
    W2, b2 = matrix("W2", K, d, "W^{(2)}"), matrix("b2", K, 1, "b^{(2)}")
    out = matrix("out", K, 1, r"\mathrm{Linear}_2(\mathrm{Linear}_1(x))")
    proof.define(out, W2 * (W1 * x + b1) + b2)
    c = proof.chain(out).eq(sp.MatAdd(sp.MatMul(W2, sp.MatAdd(sp.MatMul(W1, x), b1)), b2),
                            r"Linear2 after Linear1, with no activation between: $K \times 1$")
    c.eq(sp.MatAdd(sp.MatMul(W2, W1, x), sp.MatMul(W2, b1), b2),
         r"distribute $W^{(2)}$ over the sum")
    c.eq(sp.MatAdd(sp.MatMul(sp.MatMul(W2, W1), x), sp.MatAdd(sp.MatMul(W2, b1), b2)),
         r"one affine map: weight $W^{(2)} W^{(1)}$ ($K \times n$), bias "
         r"$W^{(2)} b^{(1)} + b^{(2)}$ ($K \times 1$)")


@derivation("linear-jacobians", title="Jacobians of linear maps (1.5)",
            summary=r"The Jacobian $J$ of $x \mapsto Wx$ is $W$ itself, at every $x$. Sums of "
                    r"maps add their Jacobians; compositions multiply them, the outer one on "
                    r"the left.",
            sizes={a_: (2,), b_: (3,), c_: (4,)}, numeric_sizes={a_: 3, b_: 4, c_: 5},
            problems=("1.5",))
def linear_jacobians(proof: Proof) -> None:
    """Jacobians of f = W1 x, g = W2 x, their sum and their composition (1.5)."""
    x, u_a, v_b = matrix("x", a_, 1), matrix("u", a_, 1), matrix("v", b_, 1)
    W1, W2 = matrix("W1", b_, a_, "W_1"), matrix("W2", b_, a_, "W_2")
    V2 = matrix("V2", c_, b_, "W_2")          # g : ℝᵇ → ℝᶜ for the composition
    S = matrix("S", a_, a_, "W")              # the square case W1 = W2 = S
    Jf, Jg = matrix("J_f", b_, a_, "J_f"), matrix("J_g", b_, a_, "J_g")
    # the problem calls both h: h = f + g in (b), (c) and h = g ∘ f in (d), (e)
    Jh, Jhs = matrix("J_h", b_, a_, "J_h"), matrix("J_h_same", b_, a_,
                                                    r"J_h\big|_{W_1 = W_2}")
    Jc = matrix("J_gof", c_, a_, r"J_h")
    Jcs = matrix("J_gof_sq", a_, a_, r"J_h\big|_{W_1 = W_2 = W}")
    Jg2 = matrix("J_g2", c_, b_, "J_g(f(x))")
    proof.definitions.update({
        Jf: Jacobian(W1 * u_a, u_a, x), Jg: Jacobian(W2 * u_a, u_a, x),
        Jh: Jacobian(W1 * u_a + W2 * u_a, u_a, x),
        Jhs: Jacobian(W1 * u_a + W1 * u_a, u_a, x),
        Jg2: Jacobian(V2 * v_b, v_b, W1 * x),
        Jc: Jacobian(V2 * (W1 * u_a), u_a, x), Jcs: Jacobian(S * (S * u_a), u_a, x),
    })
    proof.chain(Jf).eq(W1, r"(a) $(W_1 x)_i = \sum_j (W_1)_{ij} x_j$, so "
                           r"$\partial f_i/\partial x_j = (W_1)_{ij}$: $b \times a$")
    proof.chain(Jg).eq(W2, r"(a) the same for $g$: $b \times a$")
    c = proof.chain(Jh).eq(sp.MatAdd(Jf, Jg),
                           "(b) $h = f + g$: the derivative of a sum is the sum of "
                           "the derivatives")
    c.eq(sp.MatAdd(W1, W2), "(b) by (a)")
    proof.chain(Jhs).eq(sp.MatMul(2, W1), "(c) (b) with $W_2 = W_1$")
    c = proof.chain(Jc).eq(sp.MatMul(Jg2, Jf),
                           r"(d) $h = g \circ f$, chain rule: $J_g$ at $f(x)$, times $J_f$: "
                           r"$(c \times b)(b \times a) = c \times a$")
    c.eq(sp.MatMul(V2, W1), "(d) a linear map's Jacobian is its matrix, wherever it is evaluated")
    proof.chain(Jcs).eq(sp.MatPow(S, 2), r"(e) (d) with $W_1 = W_2 = W$, square ($a = b = c$)")


def _sigma_prime(zv: sp.MatrixSymbol) -> sp.MatrixExpr:
    """σ′(z) = σ(z)(1 − σ(z)), entry-wise."""
    return elementwise(sigmoid(t) * (1 - sigmoid(t)), t, zv)


@derivation("backprop-matrix-forms", title="BP1 and BP2 with a diagonal matrix (O1–O3)",
            summary=r"Shown for a network with $L = 3$ layers of any widths; the unrolled "
                    r"product has one factor $\Sigma'(z^{l})(W^{l+1})^{\top}$ per layer below the "
                    r"output.",
            sizes={n1: (2,), n2: (3,), n3: (2,)}, numeric_sizes={n1: 3, n2: 4, n3: 3},
            problems=("O1", "O2", "O3"))
def backprop_matrix_forms(proof: Proof) -> None:
    """O1–O3: BP1 and BP2 with the diagonal matrix Σ′(z), and the unrolled product."""
    widths = ((1, n1), (2, n2), (3, n3))
    z1, z2, z3 = (matrix(f"z{i}", s, 1, f"z^{{{i}}}") for i, s in widths)
    d1, d2, d3 = (matrix(f"delta{i}", s, 1, rf"\delta^{{{i}}}") for i, s in widths)
    w2, w3 = matrix("w2", n2, n1, "W^{2}"), matrix("w3", n3, n2, "W^{3}")
    grad = matrix("G", n3, 1, r"\nabla_a C")
    sp1, sp2, sp3 = (_sigma_prime(zv) for zv in (z1, z2, z3))
    S1, S2, S3 = (Diag(s) for s in (sp1, sp2, sp3))
    for i, (s, big) in enumerate(((sp1, S1), (sp2, S2), (sp3, S3)), 1):
        proof.notation.update({s: rf"\sigma'(z^{{{i}}})", big: rf"\Sigma'(z^{{{i}}})"})
    proof.definitions.update({
        d3: Hadamard(grad, sp3),                                   # BP1
        d2: Hadamard(sp.MatMul(sp.Transpose(w3), d3), sp2),        # BP2
        d1: Hadamard(sp.MatMul(sp.Transpose(w2), d2), sp1),
    })
    c = proof.chain(d3).given(Hadamard(grad, sp3), r"BP1 (P2 Q1) with $L = 3$")
    c.eq(sp.MatMul(S3, grad), r"O1: multiplying by a diagonal matrix scales each entry: "
                              r"$\Sigma'(z^{L}) \nabla_a C$")
    c = proof.chain(d2).given(Hadamard(sp.MatMul(sp.Transpose(w3), d3), sp2),
                              r"BP2 (P2 Q1) with $l = 2$")
    c.eq(sp.MatMul(S2, sp.Transpose(w3), d3),
         r"as in O1, the Hadamard product with $\sigma'(z^{2})$ is the product with "
         r"$\Sigma'(z^{2})$: O2 for $l = 2$")
    c = proof.chain(d1).eq(sp.MatMul(S1, sp.Transpose(w2), d2),
                           r"BP2 for $l = 1$, its Hadamard product written with $\Sigma'(z^{1})$")
    c.eq(sp.MatMul(S1, sp.Transpose(w2), S2, sp.Transpose(w3), S3, grad),
         r"O3: substitute O2 for $\delta^{2}$ and O1 for $\delta^{3}$")
    proof.oracle(sigmoid(t) * (1 - sigmoid(t)), independent_diff(sigmoid(t), t),
                 r"$\sigma' = \sigma(1 - \sigma)$, as the forms use it, against plain "
                 r"sympy.diff of $\sigma$")
