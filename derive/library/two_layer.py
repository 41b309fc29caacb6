"""Gradients of a two-layer network with sigmoid hidden units (B4-B7, C14).

One builder, :func:`two_layer_gradients`, derives the output-layer and hidden-layer gradients
for an output function and a loss; the five registered derivations are its settings.  The
network, for example i, hidden unit h = 1..H, input k = 0..n (x_{i0} = 1), output l = 1..K:

    z_{ih} = sum_k w_{hk} x_{ik},   a_{ih} = sigma(z_{ih}),
    s_{il} = v_{l0} + sum_h v_{lh} a_{ih},   yhat_{il} = g(s_{il}).

A single-output network drops the index l.  Every quantity is an indexed symbol with its
definition, so the verifier checks each step against the network written out in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.functions import sigmoid
from derive.library.oracles import independent_diff
from derive.proof import Derivation, Oracle, Step, Text, text
from derive.proof import written_product as _prod
from derive.proof import written_sum as _sum
from derive.registry import derivation

i, g, h = sp.symbols("i g h", integer=True, positive=True)       # example, hidden units
k, q = sp.symbols("k q", integer=True, nonnegative=True)          # inputs 0..n
l, p, r = sp.symbols("l p r", integer=True, positive=True)        # outputs
m, n, H, K = sp.symbols("m n H K", integer=True, positive=True)
a_, b_ = sp.symbols("a b", integer=True, positive=True)
w, v = sp.IndexedBase("w", real=True), sp.IndexedBase("v", real=True)
x = sp.IndexedBase("x", real=True)
z, s = sp.IndexedBase("z", real=True), sp.IndexedBase("s", real=True)
act = sp.IndexedBase("a", positive=True)
yhat = sp.IndexedBase("yhat", positive=True)
y = sp.IndexedBase("y", real=True)
t = sp.IndexedBase("t", positive=True)
E, eta = sp.Symbol("E", real=True), sp.Symbol("eta", positive=True)
d = sp.Derivative


@dataclass(frozen=True)
class Setting:
    """One output function and loss: how the output error arises and what it is."""

    name: str
    title: str
    problems: tuple[str, ...]
    multi: bool          # K outputs (index l) or one output
    output: str          # "identity", "sigmoid" or "softmax"
    loss: str            # "l2" or "cross-entropy"


SETTINGS = {
    "two-layer-regression": Setting(
        "two-layer-regression", "Two-layer regression network, one output (B4)", ("B4",),
        False, "identity", "l2"),
    "two-layer-regression-k": Setting(
        "two-layer-regression-k", "Two-layer regression network, K outputs (B5)", ("B5",),
        True, "identity", "l2"),
    "two-layer-binary": Setting(
        "two-layer-binary", "Two-layer binary classifier: sigmoid output, cross-entropy (B6)",
        ("B6",), False, "sigmoid", "cross-entropy"),
    "two-layer-softmax": Setting(
        "two-layer-softmax", "Two-layer multi-class classifier: softmax output, "
        "cross-entropy (B7)", ("B7",), True, "softmax", "cross-entropy"),
    "two-layer-binary-l2": Setting(
        "two-layer-binary-l2", "Two-layer binary classifier trained with the L2 loss (C14)",
        ("C14",), False, "sigmoid", "l2"),
}


def _out(base: sp.IndexedBase, row: sp.Expr, col: sp.Expr | None) -> sp.Expr:
    return base[row, col] if col is not None else base[row]


def two_layer_gradients(setting: Setting) -> Derivation:
    """dE/dv and dE/dw for the setting, from the chain rule down to the closed forms."""
    multi = setting.multi
    lo, po = (l, p) if multi else (None, None)        # summed output, differentiated output
    vp = (lambda hid: v[p, hid]) if multi else (lambda hid: v[hid])
    dv, dw = vp(g), w[g, k]

    def yh(row: sp.Expr, col: sp.Expr | None) -> sp.Expr:
        return _out(yhat, row, col)

    def yy(row: sp.Expr, col: sp.Expr | None) -> sp.Expr:
        return _out(y, row, col)

    def outputs(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(expr, (l, 1, K)) if multi else expr

    def examples(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(expr, (i, 1, m))

    # loss, its derivative in yhat, and the output function's derivative
    if setting.loss == "l2":
        per_output = _prod(sp.Rational(1, 2),
                           sp.Pow(_sum(yh(i, lo), -yy(i, lo)), 2, evaluate=False))
        d_loss = _sum(yh(i, lo), -yy(i, lo))
    elif setting.output == "softmax":
        per_output = -yy(i, lo) * sp.log(yh(i, lo))
        d_loss = -yy(i, lo) / yh(i, lo)
    else:
        per_output = -(yy(i, lo) * sp.log(yh(i, lo)) + (1 - yy(i, lo)) * sp.log(1 - yh(i, lo)))
        d_loss = _sum(-yy(i, lo) / yh(i, lo), (1 - yy(i, lo)) / (1 - yh(i, lo)))
    loss = examples(outputs(per_output))

    # the output error delta_{il} = dE/ds_{il}, written as the chain rule gives it, and closed
    if setting.output == "identity":
        chain_out, error = d_loss, _sum(yh(i, po), -yy(i, po))
        d_out_text: Text = text("the output is the identity, so its derivative is 1")
    elif setting.output == "sigmoid":
        chain_out = _prod(d_loss, yh(i, lo), 1 - yh(i, lo))
        d_out_text = text(sp.Eq(sp.Symbol("sigma'"), sp.Symbol("sigma") * (1 - sp.Symbol("sigma")),
                                evaluate=False))
        error = (_sum(yh(i, po), -yy(i, po)) if setting.loss == "cross-entropy"
                 else _prod(_sum(yh(i, po), -yy(i, po)), yh(i, po), 1 - yh(i, po)))
    else:
        chain_out = outputs(_prod(d_loss, yh(i, l), _sum(sp.KroneckerDelta(l, p), -yh(i, p))))
        d_out_text = text("the softmax derivative (A18) ",
                          sp.Eq(d(yh(i, l), s[i, p]),
                                yh(i, l) * _sum(sp.KroneckerDelta(l, p), -yh(i, p)),
                                evaluate=False))
        error = _sum(yh(i, po), -yy(i, po))
    hidden_factor = _prod(act[i, g], 1 - act[i, g], x[i, k])
    # softmax couples the outputs, so its chain already sums over l; the others are per output
    per_output_chain = multi and setting.output != "softmax"
    out_chain = examples(_prod(chain_out.xreplace({l: p}) if per_output_chain else chain_out,
                               act[i, g]))
    error_l = error.xreplace({p: l}) if multi else error
    hid_chain = examples(_prod(outputs(_prod(error_l, v[l, g] if multi else v[g])),
                               hidden_factor))
    steps = [
        Step(E, loss, text("the loss, summed over the examples"), kind="given"),
        Step(d(E, dv), out_chain,
             text("chain rule through ", yh(i, po), " and ", _out(s, i, po), ": ", *d_out_text,
                  ", and ", sp.Eq(d(_out(s, i, po), dv), act[i, g], evaluate=False))),
        # the closing step only where it reads differently from the chain rule's line
        *([] if sp.sstr(out_chain) == sp.sstr(examples(_prod(error, act[i, g]))) else
          [Step(d(E, dv), examples(_prod(error, act[i, g])), _closing_text(setting))]),
        Step(d(E, dw), hid_chain,
             text("chain rule through every output's ", _out(s, i, lo), ", then ",
                  sp.Eq(d(_out(s, i, lo), act[i, g]), v[l, g] if multi else v[g], evaluate=False),
                  ", ", sp.Eq(d(act[i, g], z[i, g]), act[i, g] * (1 - act[i, g]),
                              evaluate=False),
                  " and ", sp.Eq(d(z[i, g], dw), x[i, k], evaluate=False),
                  "; the output error as above")),
        Step(sp.Symbol("v_new"), _sum(dv, -eta * examples(_prod(error, act[i, g]))),
             text("gradient descent on the output weights"), kind="given"),
        Step(sp.Symbol("w_new"), _sum(dw, -eta * hid_chain),
             text("gradient descent on the hidden weights: the output error is sent back "
                  "through the output weights"), kind="given"),
    ]
    return _derivation(setting, steps, loss, error, examples(_prod(error, act[i, g])), hid_chain)


def _closing_text(setting: Setting) -> Text:
    if setting.output == "softmax":
        return text("multiply out; ", sp.Eq(sp.Sum(y[i, l], (l, 1, K)), 1, evaluate=False),
                    " because each label is one class")
    if setting.output == "sigmoid" and setting.loss == "cross-entropy":
        return text("multiply out: the factor ", sp.Symbol("yhat(1 - yhat)"),
                    " cancels the denominators")
    if setting.output == "sigmoid":
        return text("the sigmoid's derivative stays: it slows learning when ",
                    sp.Symbol("yhat_i"), " saturates")
    return text("multiply out")


def _network_definitions(multi: bool) -> dict[sp.Basic, sp.Expr]:
    hidden = {z: sp.Lambda((a_, b_), sp.Sum(w[b_, q] * x[a_, q], (q, 0, n))),
              act: sp.Lambda((a_, b_), sigmoid(z[a_, b_]))}
    if multi:
        return {**hidden, s: sp.Lambda((a_, b_),
                                       v[b_, 0] + sp.Sum(v[b_, h] * act[a_, h], (h, 1, H)))}
    return {**hidden, s: sp.Lambda(a_, v[0] + sp.Sum(v[h] * act[a_, h], (h, 1, H)))}


def _derivation(setting: Setting, steps: list[Step], loss: sp.Expr, error: sp.Expr,
                output_grad: sp.Expr, hidden_grad: sp.Expr) -> Derivation:
    multi = setting.multi
    definitions = _network_definitions(multi)
    if setting.output == "identity":
        definitions[yhat] = sp.Lambda((a_, b_) if multi else a_,
                                      s[a_, b_] if multi else s[a_])
    elif setting.output == "sigmoid":
        definitions[yhat] = sp.Lambda(a_, sigmoid(s[a_]))
    else:
        definitions[yhat] = sp.Lambda((a_, b_), sp.exp(s[a_, b_])
                                      / sp.Sum(sp.exp(s[a_, r]), (r, 1, K)))
        # any rows summing to one (a one-hot row does): positive weights, normalised
        definitions[y] = sp.Lambda((a_, b_), t[a_, b_] / sp.Sum(t[a_, r], (r, 1, K)))
    sizes: dict[sp.Symbol, tuple[int, ...]] = {m: (1, 2), H: (2,), n: (1,)}
    indices = {g: (sp.S.One, H), k: (sp.S.Zero, n)}
    if multi:
        sizes[K] = (2,)
        indices[p] = (sp.S.One, K)
    dv = v[p, g] if multi else v[g]
    network = {key: value for key, value in definitions.items() if key != y}  # y: any labels
    return Derivation(
        name=setting.name, title=setting.title,
        summary=text("With the output error ", sp.Eq(sp.Symbol("delta"), error,
                                                      evaluate=False),
                     ", the gradient of an output weight is the error times the hidden "
                     "activation it multiplies; the gradient of a hidden weight sends the "
                     "errors back through the output weights, times the sigmoid's derivative "
                     "and the input."),
        givens=[text(sp.Eq(z[i, h], sp.Sum(w[h, q] * x[i, q], (q, 0, n)), evaluate=False),
                     ", ", sp.Eq(act[i, h], sigmoid(z[i, h]), evaluate=False), " with ",
                     sp.Eq(x[i, 0], 1, evaluate=False)),
                text(sp.Eq(_out(s, i, l if multi else None),
                           definitions[s](*((i, l) if multi else (i,))), evaluate=False),
                     ", ", sp.Eq(_out(yhat, i, l if multi else None),
                                 definitions[yhat](*((i, l) if multi else (i,))),
                                 evaluate=False))],
        steps=steps, definitions=definitions, sizes=sizes, indices=indices,
        domains={w: (-1.5, 1.5), v: (-1.5, 1.5), x: (-1.5, 1.5), t: (0.1, 2.0),
                 y: (0.05, 0.95), eta: (0.01, 1.0)},
        notation={yhat: r"\hat{y}", sp.Symbol("v_new"): rf"{sp.latex(dv)}^{{\text{{new}}}}",
                  sp.Symbol("w_new"): r"w_{g,k}^{\text{new}}", sp.Symbol("delta"): r"\delta",
                  sp.Symbol("sigma"): r"\sigma", sp.Symbol("sigma'"): r"\sigma'",
                  sp.Symbol("yhat(1 - yhat)"): r"\hat{y}_i(1 - \hat{y}_i)",
                  sp.Symbol("yhat_i"): r"\hat{y}_i"},
        oracles=[Oracle(text("plain sympy.diff of the loss (network written out, σ in "
                             "elementary form) by ", dv),
                        output_grad, independent_diff(loss, dv, definitions=network)),
                 Oracle(text("plain sympy.diff of the loss (network written out, σ in "
                             "elementary form) by ", w[g, k]),
                        hidden_grad, independent_diff(loss, w[g, k], definitions=network))],
        problems=setting.problems)


def _register(setting: Setting) -> None:
    def build() -> Derivation:
        return two_layer_gradients(setting)

    build.__doc__ = setting.title
    derivation(setting.name)(build)


for _setting in SETTINGS.values():
    _register(_setting)
