"""The chain rule through unspecified layers z = f1(W1, x), yhat = f2(W2, z) (C2, C3)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive.authoring import Proof, indexed, symbol
from derive.library.oracles import independent_diff
from derive.proof import written_product, written_sum
from derive.registry import derivation

i, l, m, K = sp.symbols("i l m K", integer=True, positive=True)
h, H = sp.symbols("h H", integer=True, positive=True)   # hidden component h of H
HIDDEN = 2   # the components the layers are written out with when the steps are checked
# any one entry of each weight matrix: (W_1)_{rc}, (W_2)_{rc}
W1 = symbol("W_1", r"(W_1)_{rc}", real=True)
W2 = symbol("W_2", r"(W_2)_{rc}", real=True)
x, y = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)
z, yhat = sp.IndexedBase("z", real=True), indexed("yhat", r"\hat{y}", real=True)
d = sp.Derivative


def _weights(printer: Any, arg: sp.Basic) -> str:
    """A layer's weights printed as its matrix, W_1, where the symbol stands for one entry."""
    return {W1: "W_1", W2: "W_2"}.get(arg, None) or printer._print(arg)


def _f1_latex(self: Any, printer: Any) -> str:
    """f1(W1, x_i, h), component h of the hidden layer, is printed f_{1,h}(W1, x_i)."""
    *args, unit = self.args
    inner = ", ".join(_weights(printer, a) for a in args)
    return rf"f_{{1,{printer._print(unit)}}}\left({inner}\right)"


def _f2_latex(self: Any, printer: Any) -> str:
    """f2(W2, z_{i,1}, ..., z_{i,H}, l), output l of the output layer, is printed
    f_{2,l}(W2, z_i), and f_2(W2, z_i) for the single output (l = 0): its arguments are the
    components of the hidden vector z_i."""
    weights, *components, out = self.args
    example = {c.indices[0] for c in components if isinstance(c, sp.Indexed)}
    vector = printer._print(z[example.pop()]) if len(example) == 1 else ", ".join(
        printer._print(c) for c in components)
    inner = f"{_weights(printer, weights)}, {vector}"
    if out == 0:
        return rf"f_{{2}}\left({inner}\right)"
    return rf"f_{{2,{printer._print(out)}}}\left({inner}\right)"


# Both layers unspecified (UndefinedFunctions), only printed in the notation of the sheet.
f1 = sp.Function("f_1", real=True, _latex=_f1_latex)
f2 = sp.Function("f2", real=True, _latex=_f2_latex)


def _hidden_vector(example: sp.Expr) -> list[sp.Expr]:
    return [z[example, c] for c in range(1, HIDDEN + 1)]


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
    """dL/dW2 and dL/dW1 for the L2 loss and the cross-entropy, f1 and f2 left abstract: the
    hidden layer is a vector z_i of H components, so the chain to W1 sums over them."""
    out = l if multi else sp.S.Zero
    yh = yhat[i, l] if multi else yhat[i]
    layer2 = f2(W2, *_hidden_vector(i), out)
    proof.given(z[i, h], f1(W1, x[i], h), "component ", h, " of the hidden layer")
    proof.given(yh, layer2, "the output layer, a function of all of ", z[i])
    for name, loss_symbol, loss, d_loss in _losses(multi):

        def total(*factors: sp.Expr, d_loss: sp.Expr = d_loss) -> sp.Expr:
            return _total(written_product(d_loss, *factors), multi)

        def hidden(*factors: sp.Expr) -> sp.Expr:
            return sp.Sum(written_product(*factors), (h, 1, H))

        proof.given(loss_symbol, loss, name)
        proof.chain(d(loss_symbol, W2)).eq(
            total(d(yh, W2)), "differentiate each term; the loss depends on ", W2, " through ",
            yh).eq(total(d(layer2, W2)), "only the output layer contains ", W2)
        d_w1 = total(hidden(d(layer2, z[i, h]), d(f1(W1, x[i], h), W1)))
        proof.chain(d(loss_symbol, W1)).eq(
            total(hidden(d(yh, z[i, h]), d(z[i, h], W1))), "chain rule: ", W1,
            " reaches ", yh, " through every component ", z[i, h], " of ", z[i]).eq(
            d_w1, "the two layers' derivatives", label=f"{loss_symbol}-hidden")
        proof.oracle(d_w1, independent_diff(loss, W1, definitions=proof.definitions),
                     "plain sympy.diff of ", name, " by ", W1, ", the layers composed")
    sub = "i,l" if multi else "i"
    f2_name = "f_{2,l}" if multi else "f_2"
    proof.state(f"$z_i = f_1(W_1, x_i) \\in \\mathbb{{R}}^H$ with components "
                f"$z_{{i,h}} = f_{{1,h}}(W_1, x_i)$, $\\hat y_{{{sub}}} = {f2_name}(W_2, z_i)$, "
                "a batch of $m$ examples; $(W)_{rc}$ is any one entry of a weight matrix")
    composition = f"$\\hat y_{{{sub}}} = {f2_name}\\bigl(W_2, f_1(W_1, x_i)\\bigr)$"
    if multi:   # C3 says what changes from C2, not C2's sentences again
        proof.summarize(
            "Written as a composition, ", composition,
            ": the chain of C2 for each output $l$, summed over the $K$ outputs. With $K$ "
            "independent outputs (sigmoid units, several labels) the cross-entropy is the sum "
            "of each output's; with one distribution over $K$ classes (a softmax layer) it is "
            "the categorical cross-entropy, whose derivative by an output is $-y_{i,l}/\\hat "
            "y_{i,l}$. Only that first factor changes from loss to loss.")
        return
    proof.summarize(
        "Written as a composition, ", composition,
        ". The gradient for the output weights needs the loss's derivative and the output "
        "layer's; the hidden weights add, for every component $z_{i,h}$ of the hidden vector, "
        "the output layer's derivative by it times its derivative by the weight, summed over "
        "$h$: in Jacobian shapes, the $1 \\times H$ row $\\partial f_2/\\partial z_i$ times "
        "the $H \\times 1$ column $\\partial z_i/\\partial (W_1)_{rc}$.")


@derivation("chain-rule-layers", title="The chain rule through two unspecified layers (C2)",
            sizes={m: (1, 2), H: (HIDDEN,)}, indices={h: (sp.S.One, H)},
            domains={y: (0.1, 0.9)}, problems=("C2",))
def chain_rule_layers(proof: Proof) -> None:
    """C2: one output."""
    chain_rule(proof, False)


@derivation("chain-rule-k-outputs",
            title="The chain rule through two unspecified layers, several outputs (C3)",
            sizes={m: (1, 2), K: (2,), H: (HIDDEN,)}, indices={h: (sp.S.One, H)},
            domains={y: (0.1, 0.9)}, problems=("C3",))
def chain_rule_k_outputs(proof: Proof) -> None:
    """C3: K outputs."""
    chain_rule(proof, True)
