"""The chain rule through unspecified layers z = f1(W1, x), yhat = f2(W2, z) (C2, C3)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive.authoring import Proof, indexed
from derive.library.oracles import independent_diff
from derive.proof import written_eq, written_product, written_sum
from derive.registry import derivation

i, l, m, K = sp.symbols("i l m K", integer=True, positive=True)
W1, W2 = sp.symbols("W_1 W_2", real=True)     # any one entry of each weight matrix
x, y = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)
z, yhat = sp.IndexedBase("z", real=True), indexed("yhat", r"\hat{y}", real=True)
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
    ce = -_total(written_sum(yy * sp.log(yh), (1 - yy) * sp.log(1 - yh)), multi)   # as written
    losses = [("the L2 loss", sp.Symbol("L", real=True), l2,
               written_product(2, written_sum(yh, -yy))),
              ("the cross-entropy" + (" of each output" if multi else ""),
               sp.Symbol("C", real=True), ce, written_sum(-yy / yh, (1 - yy) / (1 - yh)))]
    if multi:   # one distribution over the K classes (a softmax layer): -sum y log yhat
        losses.append(("the categorical cross-entropy", sp.Symbol(r"C_{\mathrm{cat}}", real=True),
                       -_total(yy * sp.log(yh), multi), -yy / yh))
    return losses


def chain_rule(proof: Proof, multi: bool) -> None:
    """dL/dW2 and dL/dW1 for the L2 loss and the cross-entropy, f1 and f2 left abstract."""
    out = l if multi else sp.S.Zero
    yh = yhat[i, l] if multi else yhat[i]
    layer2 = f2(W2, z[i], out)
    proof.given(z[i], f1(W1, x[i]), "the hidden layer")      # defines z and yhat
    proof.given(yh, layer2, "the output layer")
    for name, loss_symbol, loss, d_loss in _losses(multi):

        def total(*factors: sp.Expr, d_loss: sp.Expr = d_loss) -> sp.Expr:
            return _total(written_product(d_loss, *factors), multi)

        proof.given(loss_symbol, loss, name)
        proof.chain(d(loss_symbol, W2)).eq(
            total(d(yh, W2)), "differentiate each term; the loss depends on ", W2, " through ",
            yh).eq(total(d(layer2, W2)), "only the output layer contains ", W2)
        d_w1 = total(d(layer2, z[i]), d(f1(W1, x[i]), W1))
        proof.chain(d(loss_symbol, W1)).eq(
            total(d(layer2, z[i]), d(z[i], W1)), "chain rule: ", W1, " reaches the loss "
            "through ", z[i], " and then ", yh).eq(d_w1, "the hidden layer's derivative",
                                            label=f"{loss_symbol}-hidden")
        proof.oracle(d_w1, independent_diff(loss, W1, definitions=proof.definitions),
                     "plain sympy.diff of ", name, " by ", W1, ", the layers composed")
    proof.state(written_eq(z[i], f1(W1, x[i])), ", ", written_eq(yh, layer2),
                ", a batch of $m$ examples")
    if multi:   # C3 says what changes from C2, not C2's sentences again
        proof.summarize(
            "Written as a composition, ", written_eq(yh, f2(W2, f1(W1, x[i]), out)),
            ": the chain of C2 for each output $l$, summed over the $K$ outputs. With $K$ "
            "independent outputs (sigmoid units, several labels) the cross-entropy is the sum "
            "of each output's; with one distribution over $K$ classes (a softmax layer) it is "
            "the categorical cross-entropy, whose derivative by an output is $-y_{i,l}/\\hat "
            "y_{i,l}$. Only that first factor changes from loss to loss.")
        return
    proof.summarize(
        "Written as a composition, ", written_eq(yh, f2(W2, f1(W1, x[i]), out)),
        ". The gradient for the output weights needs the loss's derivative and the output "
        "layer's; the hidden weights add the output layer's derivative by its input and the "
        "hidden layer's derivative by its weights. Each weight stands for any one entry of its "
        "matrix; with a vector $z$ the middle factor becomes a sum over the components of $z$.")


@derivation("chain-rule-layers", title="The chain rule through two unspecified layers (C2)",
            sizes={m: (1, 2)}, domains={y: (0.1, 0.9)}, problems=("C2",))
def chain_rule_layers(proof: Proof) -> None:
    """C2: one output."""
    chain_rule(proof, False)


@derivation("chain-rule-k-outputs",
            title="The chain rule through two unspecified layers, several outputs (C3)",
            sizes={m: (1, 2), K: (2,)}, domains={y: (0.1, 0.9)}, problems=("C3",))
def chain_rule_k_outputs(proof: Proof) -> None:
    """C3: K outputs."""
    chain_rule(proof, True)
