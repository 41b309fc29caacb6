"""Linear layers and their Jacobians in matrix form (sheet B 1.4.3 and 1.5, sheet C O1–O3).

All are matrix identities in symbolic sizes; the verifier proves them on a general entry in
index notation (or by matrix algebra) and cross-checks them written out at concrete sizes.
"""

from __future__ import annotations

import sympy as sp

from derive.functions import sigmoid
from derive.library.oracles import independent_diff
from derive.matrices import Diag, Hadamard, Jacobian, elementwise
from derive.proof import Derivation, Oracle, Step, text
from derive.registry import derivation

a_, b_, c_ = sp.symbols("a b c", integer=True, positive=True)
n, d, K = sp.symbols("n d K", integer=True, positive=True)
t = sp.Symbol("t", real=True)


@derivation("linear-composition")
def linear_composition() -> Derivation:
    """Two linear layers in a row are one affine layer (1.4.3)."""
    x = sp.MatrixSymbol("x", n, 1)
    W1, b1 = sp.MatrixSymbol("W1", d, n), sp.MatrixSymbol("b1", d, 1)
    W2, b2 = sp.MatrixSymbol("W2", K, d), sp.MatrixSymbol("b2", K, 1)
    out = sp.MatrixSymbol("out", K, 1)
    steps = [
        Step(out, sp.MatAdd(sp.MatMul(W2, sp.MatAdd(sp.MatMul(W1, x), b1)), b2),
             text("Linear2 after Linear1, with no activation between: K×1")),
        Step(out, sp.MatAdd(sp.MatMul(W2, W1, x), sp.MatMul(W2, b1), b2),
             text("distribute W⁽²⁾ over the sum")),
        Step(out, sp.MatAdd(sp.MatMul(sp.MatMul(W2, W1), x), sp.MatAdd(sp.MatMul(W2, b1), b2)),
             text("one affine map: weight W⁽²⁾W⁽¹⁾ (K×n), bias W⁽²⁾b⁽¹⁾ + b⁽²⁾ (K×1)")),
    ]
    return Derivation(
        name="linear-composition", title="Two linear layers are one",
        summary=text("Without a non-linearity between them, two linear layers compute an "
                     "affine map of x with K outputs: the second layer adds no expressive "
                     "power, only parameters."),
        steps=steps, definitions={out: W2 * (W1 * x + b1) + b2},
        sizes={n: (2,), d: (3,), K: (2,)}, numeric_sizes={n: 4, d: 5, K: 3},
        notation={W1: "W^{(1)}", b1: "b^{(1)}", W2: "W^{(2)}", b2: "b^{(2)}",
                  out: r"\mathrm{Linear}_2(\mathrm{Linear}_1(x))"},
        problems=("1.4",))


@derivation("linear-jacobians")
def linear_jacobians() -> Derivation:
    """Jacobians of f = W1 x, g = W2 x, their sum and their composition (1.5)."""
    x = sp.MatrixSymbol("x", a_, 1)
    u_a = sp.MatrixSymbol("u", a_, 1)
    W1, W2 = sp.MatrixSymbol("W1", b_, a_), sp.MatrixSymbol("W2", b_, a_)
    V2 = sp.MatrixSymbol("V2", c_, b_)          # g : ℝᵇ → ℝᶜ for the composition
    S = sp.MatrixSymbol("S", a_, a_)            # the square case W1 = W2 = S
    Jf, Jg = sp.MatrixSymbol("J_f", b_, a_), sp.MatrixSymbol("J_g", b_, a_)
    Jh, Jhs = sp.MatrixSymbol("J_h", b_, a_), sp.MatrixSymbol("J_h_same", b_, a_)
    Jc, Jcs = sp.MatrixSymbol("J_gof", c_, a_), sp.MatrixSymbol("J_gof_sq", a_, a_)
    Jg2 = sp.MatrixSymbol("J_g2", c_, b_)
    v_b = sp.MatrixSymbol("v", b_, 1)
    definitions: dict[sp.Basic, sp.Expr] = {
        Jf: Jacobian(W1 * u_a, u_a, x), Jg: Jacobian(W2 * u_a, u_a, x),
        Jh: Jacobian(W1 * u_a + W2 * u_a, u_a, x),
        Jhs: Jacobian(W1 * u_a + W1 * u_a, u_a, x),
        Jg2: Jacobian(V2 * v_b, v_b, W1 * x),
        Jc: Jacobian(V2 * (W1 * u_a), u_a, x), Jcs: Jacobian(S * (S * u_a), u_a, x),
    }
    steps = [
        Step(Jf, W1, text(r"(a) $(W_1 x)_i = \sum_j (W_1)_{ij} x_j$, so "
                              r"$\partial f_i/\partial x_j = (W_1)_{ij}$: b×a")),
        Step(Jg, W2, text("(a) the same for g: b×a")),
        Step(Jh, sp.MatAdd(Jf, Jg), text("(b) differentiation is linear: $J_{f+g} = J_f + J_g$")),
        Step(Jh, sp.MatAdd(W1, W2), text("(b) by (a)")),
        Step(Jhs, sp.MatMul(2, W1), text("(c) $W_1 = W_2$: $2W_1$")),
        Step(Jc, sp.MatMul(Jg2, Jf), text("(d) chain rule: $J_g$ at f(x), times $J_f$: "
                                         "(c×b)(b×a) = c×a")),
        Step(Jc, sp.MatMul(V2, W1), text("(d) a linear map's Jacobian is its matrix, "
                                         "wherever it is evaluated")),
        Step(Jcs, sp.MatPow(S, 2), text("(e) $W_1 = W_2 = W$ square (a = b = c): $W^2$")),
    ]
    return Derivation(
        name="linear-jacobians", title="Jacobians of linear maps (1.5)",
        summary=text("The Jacobian of x ↦ Wx is W itself, at every x. Sums of maps add their "
                     "Jacobians; compositions multiply them, the outer one on the left."),
        steps=steps, definitions=definitions,
        sizes={a_: (2,), b_: (3,), c_: (4,)}, numeric_sizes={a_: 3, b_: 4, c_: 5},
        notation={W1: "W_1", W2: "W_2", V2: "W_2", S: "W", Jf: "J_f", Jg: "J_g",
                  Jh: "J_{f+g}", Jhs: r"J_{f+g}\big|_{W_1 = W_2}", Jg2: "J_g(f(x))",
                  Jc: r"J_{g \circ f}", Jcs: r"J_{g \circ f}\big|_{W_1 = W_2 = W}"},
        problems=("1.5",))


@derivation("backprop-matrix-forms")
def backprop_matrix_forms() -> Derivation:
    """O1–O3: BP1 and BP2 with the diagonal matrix Σ′(z), and the unrolled product."""
    n1, n2, n3 = sp.symbols("n_1 n_2 n_3", integer=True, positive=True)
    zs = [sp.MatrixSymbol(f"z{i}", s, 1) for i, s in ((1, n1), (2, n2), (3, n3))]
    z1, z2, z3 = zs
    w2, w3 = sp.MatrixSymbol("w2", n2, n1), sp.MatrixSymbol("w3", n3, n2)
    grad = sp.MatrixSymbol("G", n3, 1)
    d1, d2, d3 = (sp.MatrixSymbol(f"delta{i}", s, 1) for i, s in ((1, n1), (2, n2), (3, n3)))

    def sp_prime(zv: sp.MatrixSymbol) -> sp.MatrixExpr:
        return elementwise(sigmoid(t) * (1 - sigmoid(t)), t, zv)

    def big_sigma(zv: sp.MatrixSymbol) -> sp.MatrixExpr:
        return Diag(sp_prime(zv))

    definitions: dict[sp.Basic, sp.Expr] = {
        d3: Hadamard(grad, sp_prime(z3)),                                 # BP1
        d2: Hadamard(sp.MatMul(sp.Transpose(w3), d3), sp_prime(z2)),      # BP2
        d1: Hadamard(sp.MatMul(sp.Transpose(w2), d2), sp_prime(z1)),
    }
    steps = [
        Step(d3, Hadamard(grad, sp_prime(z3)), text("BP1 with L = 3: δᴸ = ∇ₐC ⊙ σ′(zᴸ)")),
        Step(d3, sp.MatMul(big_sigma(z3), grad),
             text("O1: multiplying by a diagonal matrix scales each entry: Σ′(zᴸ)∇ₐC")),
        Step(d2, Hadamard(sp.MatMul(sp.Transpose(w3), d3), sp_prime(z2)), text("BP2, l = 2")),
        Step(d2, sp.MatMul(big_sigma(z2), sp.Transpose(w3), d3),
             text("O2: δˡ = Σ′(zˡ)(wˡ⁺¹)ᵀδˡ⁺¹")),
        Step(d1, sp.MatMul(big_sigma(z1), sp.Transpose(w2), d2), text("O2 for l = 1")),
        Step(d1, sp.MatMul(big_sigma(z1), sp.Transpose(w2), big_sigma(z2), sp.Transpose(w3),
                           big_sigma(z3), grad),
             text("O3: substitute O2 for δ² and O1 for δ³")),
    ]
    return Derivation(
        name="backprop-matrix-forms", title="BP1 and BP2 with the matrix Σ′(z) (O1–O3)",
        summary=text("Shown for a network with L = 3 layers of any widths; the unrolled "
                     "product has one factor Σ′(zˡ)(wˡ⁺¹)ᵀ per layer below the output."),
        steps=steps, definitions=definitions,
        sizes={n1: (2,), n2: (3,), n3: (2,)}, numeric_sizes={n1: 3, n2: 4, n3: 3},
        notation={grad: r"\nabla_a C", w2: "w^{2}", w3: "w^{3}", d1: r"\delta^{1}",
                  d2: r"\delta^{2}", d3: r"\delta^{3}", z1: "z^{1}", z2: "z^{2}",
                  z3: "z^{3}",
                  **{sp_prime(zv): rf"\sigma'(z^{{{i}}})" for i, zv in enumerate(zs, 1)},
                  **{big_sigma(zv): rf"\Sigma'(z^{{{i}}})" for i, zv in enumerate(zs, 1)}},
        oracles=[Oracle(text("σ′ = σ(1 − σ), as the forms use it, against plain sympy.diff "
                             "of σ"), sigmoid(t) * (1 - sigmoid(t)),
                        independent_diff(sigmoid(t), t))],
        problems=("O1", "O2", "O3"))
