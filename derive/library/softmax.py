"""Softmax: its Jacobian in index notation, the matrix form, and log-softmax (A18)."""

from __future__ import annotations

import sympy as sp

from derive.library.oracles import independent_diff
from derive.models import softmax_index
from derive.proof import Derivation, Oracle, Step, text, written_product, written_sum
from derive.registry import derivation


@derivation("softmax-jacobian")
def softmax_jacobian() -> Derivation:
    """ds_i/dz_j = s_i (delta_ij - s_j), its matrix form diag(s) - s s^T, and dlog s_i/dz_j."""
    i, j, k = sp.symbols("i j k", integer=True, positive=True)
    size = sp.Symbol("K", integer=True, positive=True)
    z = sp.IndexedBase("z", real=True)
    s = sp.IndexedBase("s", positive=True)
    jac = sp.IndexedBase("J")         # entry (i, j) of ds/dz
    mat = sp.IndexedBase("M")         # entry (i, j) of diag(s) - s s^T
    a, b = sp.symbols("a b", integer=True, positive=True)
    total = sp.Sum(sp.exp(z[k]), (k, 1, size))
    delta = sp.KroneckerDelta(i, j)
    d = sp.Derivative

    def ratio(num: sp.Expr) -> sp.Expr:
        return written_product(num, sp.Pow(total, -2))

    ds = d(s[i], z[j])
    steps = [
        Step(s[i], softmax_index(z, i, k, size), text("definition of softmax"), kind="given"),
        Step(ds, ratio(written_sum(d(sp.exp(z[i]), z[j]) * total,
                                   -sp.exp(z[i]) * d(total, z[j]))),
             text("quotient rule")),
        Step(ds, ratio(written_sum(delta * sp.exp(z[i]) * total,
                                   -sp.exp(z[i]) * sp.Sum(sp.KroneckerDelta(k, j) * sp.exp(z[k]),
                                                          (k, 1, size)))),
             text(sp.Eq(d(z[i], z[j]), delta, evaluate=False), ", and the same inside the sum")),
        Step(ds, ratio(written_sum(delta * sp.exp(z[i]) * total, -sp.exp(z[i]) * sp.exp(z[j]))),
             text(sp.KroneckerDelta(k, j), " keeps only the term k = j of the sum")),
        Step(ds, written_product(sp.exp(z[i]) / total, written_sum(delta, -sp.exp(z[j]) / total)),
             text("split the fraction")),
        Step(ds, written_product(s[i], written_sum(delta, -s[j])),
             text("definition of ", s[i], " and ", s[j])),
        Step(jac[i, j], written_sum(s[i] * delta, -s[i] * s[j]),
             text("the same, entry by entry: the Jacobian is diag(s) minus the outer product")),
        Step(d(sp.log(s[i]), z[j]), written_product(1 / s[i], ds),
             text("chain rule with the derivative of log")),
        Step(d(sp.log(s[i]), z[j]),
             written_product(1 / s[i], written_product(s[i], written_sum(delta, -s[j]))),
             text("the softmax derivative above")),
        Step(d(sp.log(s[i]), z[j]), written_sum(delta, -s[j]),
             text("cancel ", s[i])),
    ]
    ds_plain = independent_diff(softmax_index(z, i, k, size), z[j])
    return Derivation(
        name="softmax-jacobian",
        title="The Jacobian of softmax and of log-softmax",
        summary=text("Differentiating softmax with the quotient rule gives ",
                     sp.Eq(ds, written_product(s[i], written_sum(delta, -s[j])), evaluate=False),
                     "; in matrix form the Jacobian is diag(s) minus the outer product of s "
                     "with itself, and log-softmax has derivative ",
                     written_sum(delta, -s[j]), "."),
        givens=[text(sp.Eq(s[i], softmax_index(z, i, k, size), evaluate=False),
                     " for ", sp.Symbol("i = 1, ..., K"))],
        steps=steps,
        definitions={s: sp.Lambda(a, softmax_index(z, a, k, size)),
                     jac: sp.Lambda((a, b), d(s[a], z[b])),
                     mat: sp.Lambda((a, b), s[a] * sp.KroneckerDelta(a, b) - s[a] * s[b])},
        sizes={size: (2, 3, 4, 5, 6)},
        numeric_sizes={size: 100},
        indices={i: (sp.S.One, size), j: (sp.S.One, size)},
        domains={z: (-4.0, 4.0)},
        notation={jac[i, j]: r"\Bigl(\frac{\partial s}{\partial z}\Bigr)_{ij}",
                  sp.Symbol("i = 1, ..., K"): r"i = 1, \dots, K"},
        oracles=[Oracle(text("plain sympy.diff of the softmax definition"),
                        s[i] * (delta - s[j]), ds_plain),
                 Oracle(text("entry (i, j) of the matrix form diag(s) − s sᵀ against plain "
                             "sympy.diff of the softmax definition"), mat[i, j], ds_plain),
                 Oracle(text("plain sympy.diff of log-softmax"), steps[-1].rhs,
                        independent_diff(sp.log(softmax_index(z, i, k, size)), z[j]))],
        problems=("A18",),
        symbolic_sizes=True,   # the issue asks for K = 2..6 symbolically
    )


@derivation("softmax-properties")
def softmax_properties() -> Derivation:
    """Softmax sums to 1, keeps the order of its inputs, ignores a shift; log-sum-exp form."""
    i, j, k = sp.symbols("i j k", integer=True, positive=True)
    size = sp.Symbol("K", integer=True, positive=True)
    z = sp.IndexedBase("z", real=True)
    c = sp.Symbol("c", real=True)
    total = sp.Sum(sp.exp(z[k]), (k, 1, size))
    shifted_total = sp.Sum(sp.exp(z[k] - c), (k, 1, size))
    s_i, s_j = sp.exp(z[i]) / total, sp.exp(z[j]) / total
    names = {name: sp.Symbol(name) for name in ("sum", "ratio", "shifted", "log_s")}
    steps = [
        Step(names["sum"], sp.Sum(sp.exp(z[i]) / total, (i, 1, size)),
             text("the outputs of softmax, summed: each is positive")),
        Step(names["sum"], sp.S.One, text("the denominator is the numerator summed: the "
                                          "outputs lie on the probability simplex")),
        Step(names["ratio"], written_product(s_i, sp.Pow(s_j, -1)),
             text("two outputs compared")),
        Step(names["ratio"], sp.exp(z[i] - z[j]),
             text("the sums cancel: sᵢ > sⱼ exactly when zᵢ > zⱼ (exp is increasing)")),
        Step(names["shifted"], sp.exp(z[i] - c) / shifted_total,
             text("softmax of z − c: every input shifted by the same c (c = max z, say)")),
        Step(names["shifted"], written_product(sp.exp(z[i]), sp.exp(-c),
                                               sp.Pow(sp.Sum(sp.exp(z[k]) * sp.exp(-c),
                                                             (k, 1, size)), -1)),
             text("$e^{a - c} = e^{a} e^{-c}$")),
        Step(names["shifted"], s_i, text("the factor $e^{-c}$ cancels: softmax(z − c) = "
                                         "softmax(z), shift invariance")),
        Step(names["log_s"], sp.log(s_i), text("log-softmax")),
        Step(names["log_s"], z[i] - sp.log(total), text("log of a quotient")),
        Step(names["log_s"], written_sum(z[i], -c, -sp.log(shifted_total)),
             text(r"$\log \sum_k e^{z_k} = c + \log \sum_k e^{z_k - c}$: "
                  "the log-sum-exp form, whose "
                  "exponents are ≤ 0 when c = max z")),
    ]
    return Derivation(
        name="softmax-properties", title="Softmax: simplex, order, shift invariance, log-sum-exp",
        summary=text("For any K inputs and any shift c. With c = max z no exponent is "
                     "positive, so nothing overflows, and the largest term of the sum is 1."),
        steps=steps,
        definitions={names["sum"]: sp.Sum(s_i, (i, 1, size)),
                     names["ratio"]: s_i / s_j,
                     names["shifted"]: sp.exp(z[i] - c) / shifted_total,
                     names["log_s"]: sp.log(s_i)},
        sizes={size: (1, 2, 3, 4)}, numeric_sizes={size: 50},
        indices={i: (1, size), j: (1, size)},
        notation={names["sum"]: r"\sum_i s_i", names["ratio"]: r"s_i / s_j",
                  names["shifted"]: r"\mathrm{softmax}(z - c)_i",
                  names["log_s"]: r"\log s_i"},
        problems=("1.4",))
