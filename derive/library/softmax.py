"""Softmax: its Jacobian in index notation, the matrix form, and log-softmax (A18)."""

from __future__ import annotations

import sympy as sp

from derive.authoring import Proof, symbol
from derive.library.oracles import independent_diff
from derive.models import softmax_index
from derive.proof import written_eq, written_product, written_sum
from derive.registry import derivation

i, j, k = sp.symbols("i j k", integer=True, positive=True)
size = sp.Symbol("K", integer=True, positive=True)
z = sp.IndexedBase("z", real=True)
s = sp.IndexedBase("s", positive=True)
jac = sp.IndexedBase("J")         # entry (i, j) of ds/dz
mat = sp.IndexedBase("M")         # entry (i, j) of diag(s) - s s^T
c = sp.Symbol("c", real=True)
total = sp.Sum(sp.exp(z[k]), (k, 1, size))
shifted_total = sp.Sum(sp.exp(z[k] - c), (k, 1, size))
delta = sp.KroneckerDelta(i, j)
d = sp.Derivative


@derivation("softmax-jacobian", title="The Jacobian of softmax and of log-softmax",
            sizes={size: (2, 3, 4, 5, 6)}, numeric_sizes={size: 100},
            indices={i: (sp.S.One, size), j: (sp.S.One, size)}, domains={z: (-4.0, 4.0)},
            notation={jac[i, j]: r"\Bigl(\frac{\partial s}{\partial z}\Bigr)_{ij}"},
            problems=("A18",),
            symbolic_sizes=True)   # the issue asks for K = 2..6 symbolically
def softmax_jacobian(proof: Proof) -> None:
    """ds_i/dz_j = s_i (delta_ij - s_j), its matrix form diag(s) - s s^T, and dlog s_i/dz_j."""
    def ratio(num: sp.Expr) -> sp.Expr:
        return written_product(num, sp.Pow(total, -2))

    ds, jacobian = d(s[i], z[j]), written_product(s[i], written_sum(delta, -s[j]))
    proof.state(written_eq(s[i], softmax_index(z, i, k, size)), " for $i = 1, \\dots, K$")
    proof.given(s[i], softmax_index(z, i, k, size), "definition of softmax")
    proof.define(jac[i, j], ds)
    proof.define(mat[i, j], s[i] * delta - s[i] * s[j])
    ch = proof.chain(ds)
    ch.eq(ratio(written_sum(d(sp.exp(z[i]), z[j]) * total, -sp.exp(z[i]) * d(total, z[j]))),
          "quotient rule", label="quotient-rule")
    ch.eq(ratio(written_sum(delta * sp.exp(z[i]) * total,
                            -sp.exp(z[i]) * sp.Sum(sp.KroneckerDelta(k, j) * sp.exp(z[k]),
                                                   (k, 1, size)))),
          written_eq(d(z[i], z[j]), delta), ", and the same inside the sum")
    ch.eq(ratio(written_sum(delta * sp.exp(z[i]) * total, -sp.exp(z[i]) * sp.exp(z[j]))),
          sp.KroneckerDelta(k, j), r" keeps only the term $k = j$ of the sum")
    ch.eq(written_product(sp.exp(z[i]) / total, written_sum(delta, -sp.exp(z[j]) / total)),
          "split the fraction")
    ch.eq(jacobian, "definition of ", s[i], " and ", s[j], label="jacobian")
    proof.chain(jac[i, j]).eq(
        written_sum(s[i] * delta, -s[i] * s[j]),
        r"the same, entry by entry: the Jacobian is $\operatorname{diag}(s) - s s^{\top}$")
    ch = proof.chain(d(sp.log(s[i]), z[j]))
    ch.eq(written_product(1 / s[i], ds), r"chain rule with the derivative of $\log$")
    ch.eq(written_product(1 / s[i], jacobian), "the softmax derivative above")
    ch.eq(written_sum(delta, -s[j]), "cancel ", s[i], label="log-softmax")
    proof.summarize("Differentiating softmax with the quotient rule gives ",
                    written_eq(ds, jacobian),
                    r"; in matrix form the Jacobian is $\operatorname{diag}(s) - s s^{\top}$, "
                    r"the diagonal of $s$ minus the outer product of $s$ with itself, and "
                    "log-softmax has derivative ", written_sum(delta, -s[j]),
                    r", where $\mathbf{1}[i = j]$ is $1$ if $i = j$ and $0$ otherwise.")
    ds_plain = independent_diff(softmax_index(z, i, k, size), z[j])
    proof.oracle(s[i] * (delta - s[j]), ds_plain, "plain sympy.diff of the softmax definition")
    proof.oracle(mat[i, j], ds_plain, r"entry $(i, j)$ of the matrix form "
                 r"$\operatorname{diag}(s) - s s^{\top}$ against plain sympy.diff of the softmax "
                 "definition")
    proof.oracle(ch.rhs, independent_diff(sp.log(softmax_index(z, i, k, size)), z[j]),
                 "plain sympy.diff of log-softmax")


@derivation("softmax-properties",
            title="Softmax: simplex, order, shift invariance, log-sum-exp",
            summary=r"Here $p = \operatorname{softmax}(z)$, $p_i = e^{z_i}/\sum_k e^{z_k}$, "
                    r"for any $K$ inputs and any shift $c$. With $c = \max_k z_k$ no exponent is "
                    r"positive, so nothing overflows, and the largest term of the sum is $1$.",
            sizes={size: (1, 2, 3, 4)}, numeric_sizes={size: 50},
            indices={i: (1, size), j: (1, size)}, problems=("1.4",))
def softmax_properties(proof: Proof) -> None:
    """Softmax p = softmax(z) sums to 1, keeps the order of its inputs, ignores a shift;
    log-sum-exp form."""
    s_i, s_j = sp.exp(z[i]) / total, sp.exp(z[j]) / total

    def named(name: str, latex: str, meaning: sp.Expr) -> sp.Symbol:
        """A symbol standing for ``meaning``, printed as ``latex`` (the left side of a chain)."""
        named_symbol = symbol(name, latex)
        proof.define(named_symbol, meaning)
        return named_symbol

    total_s = named("sum", r"\sum_{i=1}^{K} p_i", sp.Sum(s_i, (i, 1, size)))
    ratio = named("ratio", r"p_i / p_j", s_i / s_j)
    shifted = named("shifted", r"\mathrm{softmax}(z - c)_i", sp.exp(z[i] - c) / shifted_total)
    log_s = named("log_s", r"\log p_i", sp.log(s_i))
    ch = proof.chain(total_s).eq(sp.Sum(sp.exp(z[i]) / total, (i, 1, size)),
                                 "the outputs of softmax, summed")
    ch.eq(sp.S.One, "the denominator is the numerator summed; each output is positive, so "
          "the outputs lie on the probability simplex")
    proof.chain(ratio).eq(written_product(s_i, sp.Pow(s_j, -1)), "two outputs compared").eq(
        sp.exp(z[i] - z[j]),
        r"the sums cancel: $p_i > p_j$ exactly when $z_i > z_j$ ($\exp$ is increasing)")
    ch = proof.chain(shifted).eq(sp.exp(z[i] - c) / shifted_total,
                                 r"softmax of $z - c$: every input shifted by the same $c$ "
                                 r"($c = \max_k z_k$, say)")
    ch.eq(written_product(sp.exp(z[i]), sp.exp(-c),
                          sp.Pow(sp.Sum(sp.exp(z[k]) * sp.exp(-c), (k, 1, size)), -1)),
          "$e^{a - c} = e^{a} e^{-c}$")
    ch.eq(s_i, r"the factor $e^{-c}$ cancels: "
          r"$\operatorname{softmax}(z - c) = \operatorname{softmax}(z)$, shift invariance")
    ch = proof.chain(log_s).eq(sp.log(s_i), "log-softmax")
    ch.eq(z[i] - sp.log(total), "log of a quotient")
    ch.eq(written_sum(z[i], -c, -sp.log(shifted_total)),
          r"$\log \sum_k e^{z_k} = c + \log \sum_k e^{z_k - c}$: the log-sum-exp form, whose "
          r"exponents are $\le 0$ when $c = \max_k z_k$")
