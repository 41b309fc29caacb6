"""derive.differentiate applies SymPy's rules without SymPy's overhead: the same results."""

from __future__ import annotations

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.context import Context, unfold
from derive.differentiate import derivative, evaluated
from derive.functions import logsumexp, relu, sigmoid, softmax
from derive.registry import DERIVATIONS, names
from derive.tactics import logs_of_products

i, j, k, g, q, n, K = sp.symbols("i j k g q n K", integer=True)
w, x = sp.IndexedBase("w"), sp.IndexedBase("x")
z, t = sp.Symbol("z", real=True), sp.Symbol("t")
f = sp.Function("f")

CASES = [
    (sigmoid(sp.Sum(w[g, q] * x[i, q], (q, 0, n))) ** 2 * sp.log(1 + sp.exp(-z * w[g, k])),
     w[g, k]),
    (sp.Sum(sp.exp(w[j, k]) / sp.Sum(sp.exp(w[i, k]), (i, 1, K)), (j, 1, K)), w[g, k]),
    (f(z ** 2) * sp.tanh(z) ** z, z),                      # an exponent that depends on z
    (relu(z * t) + sp.Abs(z), z),                           # Abs: left to SymPy
    (sp.Piecewise((z ** 2, z > 0), (0, True)), z),
    (sp.KroneckerDelta(i, j) * w[i, j] ** 3, w[i, j]),
    (sp.Sum(w[j] * x[j], (j, 1, n)), w[j]),                 # x uses the summation variable
    (sp.Sum(w[j] * x[j], (j, 1, n)), w[k]),
    (sp.Sum(x[j], (j, 1, n)), w[k]),                        # independent: 0
    (softmax(i, z, t, 2 * z), z),
    (logsumexp(z, t * z), z),
    (sp.Derivative(f(z), z) * z, z),
]


@pytest.mark.parametrize(("expr", "variable"), CASES)
def test_derivative_is_sympys(expr: sp.Expr, variable: sp.Basic) -> None:
    assert derivative(expr, variable) == sp.diff(expr, variable)


def test_every_written_derivative_of_the_library_is_carried_out_as_sympy_does() -> None:
    # logs of products become sums of logs first, as the verifier does (SymPy differentiates
    # a product with dummy variables that differ from call to call).  Derivatives of
    # unspecified functions f(z) stay written; SymPy's doit then also sums out the deltas
    # next to them, which the verifier does later (collapse_delta_sums): not compared here;
    # nor a derivative of a derivative (the verifier carries out the inner one first).
    names()
    seen = 0
    for name in ("bce-gradient", "softmax-jacobian", "two-layer-softmax", "backprop-equations"):
        d = DERIVATIONS[name]()
        ctx = Context.of(d)
        for step in d.steps:
            for side in (step.lhs, step.rhs):
                for node in logs_of_products(unfold(side, ctx)).atoms(sp.Derivative):
                    if node.has(AppliedUndef) or node.expr.has(sp.Derivative):
                        continue
                    mine, sympys = evaluated(node), node.doit(deep=False)
                    assert mine == sympys or sp.expand(mine - sympys) == 0, node
                    seen += 1
    assert seen >= 8
