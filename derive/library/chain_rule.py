"""The chain rule through unspecified layers z = f1(W1, x), yhat = f2(W2, z) (C2, C3)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive.library.oracles import independent_diff
from derive.proof import Derivation, Oracle, Step, text, written_product, written_sum
from derive.registry import derivation

i, l, m, K = sp.symbols("i l m K", integer=True, positive=True)
W1, W2 = sp.symbols("W_1 W_2", real=True)     # any one entry of each weight matrix
x, y = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)
z, yhat = sp.IndexedBase("z", real=True), sp.IndexedBase("yhat", real=True)
f1 = sp.Function("f_1", real=True)
d = sp.Derivative


def _f2_latex(self: Any, printer: Any) -> str:
    """f2(W2, z, l) is printed f_{2,l}(W2, z) (output l of K), f2(W2, z, 0) as f_2(W2, z)."""
    *args, out = self.args
    inner = ", ".join(printer._print(a) for a in args)
    if out == 0:
        return rf"f_{{2}}\left({inner}\right)"
    return rf"f_{{2,{printer._print(out)}}}\left({inner}\right)"


# The output layer: unspecified (an UndefinedFunction, as f_1 is), only printed differently.
f2 = sp.Function("f2", real=True, _latex=_f2_latex)


def _total(summand: sp.Expr, multi: bool) -> sp.Expr:
    """Summed over the batch (and over the K outputs)."""
    return sp.Sum(sp.Sum(summand, (l, 1, K)) if multi else summand, (i, 1, m))


def _losses(multi: bool) -> list[tuple[str, sp.Symbol, sp.Expr, sp.Expr]]:
    """(name, symbol, loss, dloss/dyhat per term) for the L2 and the cross-entropy loss."""
    yh, yy = (yhat[i, l], y[i, l]) if multi else (yhat[i], y[i])
    l2 = _total(sp.Pow(written_sum(yh, -yy), 2, evaluate=False), multi)
    ce = -_total(yy * sp.log(yh) + (1 - yy) * sp.log(1 - yh), multi)
    return [("the L2 loss", sp.Symbol("L", real=True), l2,
             written_product(2, written_sum(yh, -yy))),
            ("the cross-entropy", sp.Symbol("C", real=True), ce,
             written_sum(-yy / yh, (1 - yy) / (1 - yh)))]


def chain_rule(multi: bool) -> Derivation:
    """dL/dW2 and dL/dW1 for the L2 loss and the cross-entropy, f1 and f2 left abstract."""
    out = l if multi else sp.S.Zero
    yh = yhat[i, l] if multi else yhat[i]
    layer2 = f2(W2, z[i], out)
    steps: list[Step] = [
        Step(z[i], f1(W1, x[i]), text("the hidden layer"), kind="given"),
        Step(yh, layer2, text("the output layer"), kind="given"),
    ]
    a = sp.Symbol("a", integer=True, positive=True)
    b = sp.Symbol("b", integer=True, positive=True)
    definitions: dict[sp.Basic, sp.Expr] = {z: sp.Lambda(a, f1(W1, x[a]))}
    definitions[yhat] = (sp.Lambda((a, b), f2(W2, z[a], b)) if multi
                         else sp.Lambda(a, f2(W2, z[a], 0)))
    oracles = []
    for name, sym, loss, d_loss in _losses(multi):
        d_w2 = _total(written_product(d_loss, d(layer2, W2)), multi)
        d_w1 = _total(written_product(d_loss, d(layer2, z[i]), d(f1(W1, x[i]), W1)),
                      multi)
        steps += [
            Step(sym, loss, text(name), kind="given"),
            Step(d(sym, W2), _total(written_product(d_loss, d(yh, W2)), multi),
                 text("differentiate each term; the loss depends on ", W2, " through ", yh)),
            Step(d(sym, W2), d_w2, text("only the output layer contains ", W2)),
            Step(d(sym, W1),
                 _total(written_product(d_loss, d(layer2, z[i]), d(z[i], W1)), multi),
                 text("chain rule: ", W1, " reaches the loss through ", z[i], " and then ",
                      yh)),
            Step(d(sym, W1), d_w1, text("the hidden layer's derivative")),
        ]
        oracles.append(Oracle(text("plain sympy.diff of ", name, " by ", W1,
                                   ", the layers composed"),
                              d_w1, independent_diff(loss, W1, definitions=definitions)))
    title = ("The chain rule through two unspecified layers, K outputs (C3)" if multi
             else "The chain rule through two unspecified layers (C2)")
    return Derivation(
        name="chain-rule-k-outputs" if multi else "chain-rule-layers",
        title=title,
        summary=text("Written as a composition, ", sp.Eq(yh, f2(W2, f1(W1, x[i]), out),
                                                         evaluate=False),
                     ". The gradient for the output weights needs the loss's derivative and ",
                     "the output layer's; the hidden weights add the output layer's derivative "
                     "by its input and the hidden layer's derivative by its weights"
                     + (", summed over the K outputs." if multi else ".")
                     + " Each weight stands for any one entry of its matrix; with a vector z the "
                     "middle factor becomes a sum over z's components."),
        givens=[text(sp.Eq(z[i], f1(W1, x[i]), evaluate=False), ", ",
                     sp.Eq(yh, layer2, evaluate=False), ", a batch of m examples")],
        steps=steps, definitions=definitions,
        sizes={m: (1, 2), **({K: (2,)} if multi else {})},
        indices={},
        domains={y: (0.1, 0.9)},
        notation={yhat: r"\hat{y}"},
        oracles=oracles,
        problems=("C3",) if multi else ("C2",),
    )


@derivation("chain-rule-layers")
def chain_rule_layers() -> Derivation:
    """C2: one output."""
    return chain_rule(False)


@derivation("chain-rule-k-outputs")
def chain_rule_k_outputs() -> Derivation:
    """C3: K outputs."""
    return chain_rule(True)
