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

from derive.authoring import Proof, Reason, indexed, symbol
from derive.functions import sigmoid
from derive.library.oracles import independent_diff
from derive.proof import written_eq as _eq
from derive.proof import written_product as _prod
from derive.proof import written_sum as _sum
from derive.registry import derivation

i, g, h = sp.symbols("i h j", integer=True, positive=True)   # example, hidden unit h (j summed)
k, q = sp.symbols("k q", integer=True, nonnegative=True)          # inputs 0..n
l, p, r = sp.symbols("l p r", integer=True, positive=True)        # outputs
c_out = sp.Symbol("c", integer=True, positive=True)   # outputs summed in dE/dw
m, n, H, K = sp.symbols("m n H K", integer=True, positive=True)
a_, b_ = sp.symbols("a b", integer=True, positive=True)
w, v = sp.IndexedBase("w", real=True), sp.IndexedBase("v", real=True)
x = sp.IndexedBase("x", real=True)
z, s = sp.IndexedBase("z", real=True), sp.IndexedBase("s", real=True)
act = sp.IndexedBase("a", positive=True)
yhat = indexed("yhat", r"\hat{y}", positive=True)
y = sp.IndexedBase("y", real=True)
t = sp.IndexedBase("t", positive=True)
E, eta = sp.Symbol("E", real=True), sp.Symbol("eta", positive=True)
delta, sigma, sigma_prime = (symbol("delta", r"\delta"), symbol("sigma", r"\sigma"),
                             symbol("sigma'", r"\sigma'"))
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


SETTINGS = {setting.name: setting for setting in (
    Setting("two-layer-regression", "Two-layer regression network, one output (B4)", ("B4",),
            False, "identity", "l2"),
    Setting("two-layer-regression-k", "Two-layer regression network, several outputs (B5)", ("B5",),
            True, "identity", "l2"),
    Setting("two-layer-binary", "Two-layer binary classifier: sigmoid output, cross-entropy "
            "(B6)", ("B6",), False, "sigmoid", "cross-entropy"),
    Setting("two-layer-softmax", "Two-layer multi-class classifier: softmax output, "
            "cross-entropy (B7)", ("B7",), True, "softmax", "cross-entropy"),
    Setting("two-layer-binary-l2", "Two-layer binary classifier trained with the L2 loss "
            "(C14)", ("C14",), False, "sigmoid", "l2"))}


def _at(base: sp.IndexedBase, col: sp.Expr | None) -> sp.Expr:
    """Example i's entry of ``base``, at output ``col`` (None: the single output)."""
    return base[i, col] if col is not None else base[i]


def _examples(expr: sp.Expr) -> sp.Expr:
    return sp.Sum(expr, (i, 1, m))


def two_layer_gradients(proof: Proof, setting: Setting) -> None:
    """dE/dv and dE/dw for the setting, from the chain rule down to the closed forms."""
    multi = setting.multi
    lo, po = (l, p) if multi else (None, None)        # summed output, differentiated output
    dv, dw, vl = (v[p, g], w[g, k], v[l, g]) if multi else (v[g], w[g, k], v[g])
    yh_lo, yy_lo, yh_po, yy_po = _at(yhat, lo), _at(y, lo), _at(yhat, po), _at(y, po)
    network = {key: value for key, value in proof.definitions.items() if key != y}  # any y

    def outputs(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(expr, (l, 1, K)) if multi else expr

    # loss, its derivative in yhat, and the output function's derivative
    if setting.loss == "l2":
        per_output = sp.Pow(_sum(yh_lo, -yy_lo), 2, evaluate=False)
        d_loss = _sum(yh_lo, -yy_lo)
    elif setting.output == "softmax":
        per_output, d_loss = yy_lo * sp.log(yh_lo), -yy_lo / yh_lo
    else:
        # in the problem's order: -sum (y log yhat + (1 - y) log(1 - yhat))
        per_output = _sum(yy_lo * sp.log(yh_lo), (1 - yy_lo) * sp.log(1 - yh_lo))
        d_loss = _sum(-yy_lo / yh_lo, (1 - yy_lo) / (1 - yh_lo))
    loss = _examples(outputs(per_output))
    if setting.loss == "l2":      # half the sum of squares: 1/2 sum, as the problem writes it
        loss = _prod(sp.Rational(1, 2), loss)
    else:                         # a log-likelihood's sum, negated: -sum, as a person writes it
        loss = -loss

    # the output error delta_{il} = dE/ds_{il}, written as the chain rule gives it, and closed
    error = _sum(yh_po, -yy_po)
    d_out: Reason | tuple[Reason, ...]
    if setting.output == "identity":
        chain_out, d_out = d_loss, "the output is the identity, so its derivative is $1$"
    elif setting.output == "sigmoid":
        chain_out = _prod(d_loss, yh_lo, 1 - yh_lo)
        d_out = _eq(sigma_prime, _prod(sigma, 1 - sigma))
        if setting.loss == "l2":
            error = _prod(error, yh_po, 1 - yh_po)
    else:
        kronecker = _sum(sp.KroneckerDelta(l, p), -yh_po)
        chain_out = outputs(_prod(d_loss, yh_lo, kronecker))
        d_out = ("the softmax derivative (A18) ", _eq(d(yh_lo, s[i, p]), yh_lo * kronecker),
                 r" with the indicator $\mathbf{1}[l = p]$")
    # softmax couples the outputs, so its chain already sums over l; the others are per output
    per_output_chain = multi and setting.output != "softmax"
    out_chain = _examples(_prod(chain_out.xreplace({l: p}) if per_output_chain else chain_out,
                                act[i, g]))
    output_grad = _examples(_prod(error, act[i, g]))
    hid_chain = _examples(_prod(outputs(_prod(error.xreplace({p: l}) if multi else error, vl)),
                                _prod(act[i, g], 1 - act[i, g], x[i, k])))

    # C14's problem writes (y - yhat)^2: the same square, in the order of the other networks
    same = ((", as ", sp.Pow(_sum(y[i], -yhat[i]), 2, evaluate=False), " is the same square")
            if setting.problems == ("C14",) else ())
    proof.given(E, loss, "the loss, summed over the examples", *same)
    c = proof.chain(d(E, dv)).eq(
        out_chain, "chain rule through ", yh_po, " and ", _at(s, po), ": ", d_out, ", and ",
        _eq(d(_at(s, po), dv), act[i, g]), label="output-chain")
    # the closing step only where it reads differently from the chain rule's line
    if sp.sstr(out_chain) != sp.sstr(output_grad):
        c.eq(output_grad, _closing_text(setting))
    _hidden_chain(proof, setting, d_loss, hid_chain)
    proof.given(symbol("v_new", rf"{sp.latex(dv)}^{{\text{{new}}}}"),
                _sum(dv, -eta * output_grad), "gradient descent on the output weights")
    proof.given(symbol("w_new", r"w_{h,k}^{\text{new}}"), _sum(dw, -eta * hid_chain),
                "gradient descent on the hidden weights")

    def defined(base: sp.IndexedBase, *at: sp.Expr) -> sp.Eq:
        # in the letters of the sheet's preamble: units h, inputs k (not the dummies q, j)
        return _eq(base[at], network[base](*at).xreplace({q: k, h: g}))

    proof.state(defined(z, i, g), ", ", defined(act, i, g), " with ", _eq(x[i, 0], 1))
    cols = (i, l) if multi else (i,)
    proof.state(defined(s, *cols), ", ", defined(yhat, *cols))
    proof.summarize("With the output error ", _eq(delta, error), ", ",
                    _summary_text(setting, multi))
    for result, weight in ((output_grad, dv), (hid_chain, dw)):
        proof.oracle(result, independent_diff(loss, weight, definitions=network),
                     "plain sympy.diff of the loss (network written out, σ in elementary "
                     "form) by ", weight)


# The chain rule's factors for a hidden weight, each a family printed as the partial derivative
# it stands for (its indices placed by the notation: #1 the example, ...); the verifier reads
# each as its value, so the chain-rule line is checked against dE/dw itself.
def _factor(name: str, latex: str) -> sp.IndexedBase:
    return indexed(name, latex, real=True)


def _hidden_chain(proof: Proof, setting: Setting, d_loss: sp.Expr, closed: sp.Expr) -> None:
    """dE/dw_{h,k}: the chain rule written out factor by factor, then each factor's value,
    then (where it differs) the closed form ``closed``."""
    multi, softmax = setting.multi, setting.output == "softmax"
    at = "#1,#2" if multi else "#1"
    dE = _factor("dE/dyhat", rf"\frac{{\partial E}}{{\partial \hat{{y}}_{{{at}}}}}")
    dy = _factor("dyhat/ds", r"\frac{\partial \hat{y}_{#1,#2}}{\partial s_{#1,#3}}" if softmax
                 else rf"\frac{{\partial \hat{{y}}_{{{at}}}}}{{\partial s_{{{at}}}}}")
    ds = _factor("ds/da", r"\frac{\partial s_{#1,#2}}{\partial a_{#1,#3}}" if multi
                 else r"\frac{\partial s_{#1}}{\partial a_{#1,#2}}")
    da = _factor("da/dz", r"\frac{\partial a_{#1,#2}}{\partial z_{#1,#2}}")
    dz = _factor("dz/dw", r"\frac{\partial z_{#1,#2}}{\partial w_{#2,#3}}")
    lo = (l,) if multi else ()
    back = _prod(da[i, g], dz[i, g, k])          # the hidden unit's own two factors
    sigma_value = _prod(act[i, g], 1 - act[i, g])
    value_back = _prod(act[i, g], 1 - act[i, g], x[i, k])
    vl = v[l, g] if multi else v[g]
    if softmax:   # every output's score s_{i,l} moves every output yhat_{i,p}
        yp, yl = yhat[i, c_out], yhat[i, l]
        dy_value = _prod(yp, _sum(sp.KroneckerDelta(c_out, l), -yl))
        proof.define(dE[i, c_out], d_loss.xreplace({l: c_out}))
        proof.define(dy[i, c_out, l], dy_value)
        front = sp.Sum(sp.Sum(_prod(dE[i, c_out], dy[i, c_out, l], ds[i, l, g]),
                              (c_out, 1, K)), (l, 1, K))
        value_front = sp.Sum(sp.Sum(_prod(d_loss.xreplace({l: c_out}), dy_value, vl),
                                    (c_out, 1, K)),
                             (l, 1, K))
        through = ("every output's score ", s[i, l], " and, through the softmax, every output ",
                   yp)
    else:
        dy_value = {"identity": sp.S.One, "sigmoid": _prod(yhat[(i, *lo)], 1 - yhat[(i, *lo)])}[
            setting.output]
        proof.define(dE[(i, *lo)], d_loss)
        proof.define(dy[(i, *lo)], dy_value)
        front = _prod(dE[(i, *lo)], dy[(i, *lo)], ds[(i, *lo, g)])
        value_front = _prod(*(f for f in (d_loss, dy_value) if f != 1), vl)
        if multi:
            front, value_front = sp.Sum(front, (l, 1, K)), sp.Sum(value_front, (l, 1, K))
        through = (("every output's score ", s[i, l], " and output ", yhat[i, l]) if multi
                   else ("the score ", s[i], " and the output ", yhat[i]))
    proof.define(ds[(i, *lo, g)], vl)
    proof.define(da[i, g], sigma_value)
    proof.define(dz[i, g, k], x[i, k])
    chain = _examples(_prod(front, back))
    values = _examples(_prod(value_front, value_back))
    c = proof.chain(d(E, w[g, k])).eq(
        chain, "chain rule: ", w[g, k], " reaches ", E, " only through ", z[i, g], " and ",
        act[i, g], " of each example, then ", *through,
        label="hidden-chain")
    first = ("the output error's factors as for the output weights; ",) if not (
        setting.output == "identity" and not multi) else (
        _eq(dE[i], d_loss), ", ", _eq(dy[i], 1), "; ")
    c.eq(values, "factor by factor: ", *first, _eq(ds[(i, *lo, g)], vl), ", ",
         _eq(da[i, g], sigma_value), " (A8), ", _eq(dz[i, g, k], x[i, k]),
         label="hidden-factors")
    if sp.sstr(_flattened(values)) != sp.sstr(_flattened(closed)):   # reads differently
        c.eq(closed, *_hidden_closing(setting), label="hidden-gradient")


def _flattened(expr: sp.Basic) -> sp.Basic:
    """A written expression with its products within products made one product, as they
    print: (a b) c and a (b c) both read a b c."""
    if not expr.args or isinstance(expr, sp.Indexed):
        return expr
    args = [_flattened(a) for a in expr.args]
    if expr.is_Mul:
        return sp.Mul(*[f for a in args for f in (a.args if a.is_Mul else (a,))],
                      evaluate=False)
    if expr.is_Add:
        return sp.Add(*args, evaluate=False)
    return expr.func(*args)


def _hidden_closing(setting: Setting) -> tuple[Reason, ...]:
    if setting.output == "softmax":
        return ("cancel ", yhat[i, c_out], " and sum over ", c_out,
                " as for the output weights: ",
                _eq(sp.Sum(_prod(y[i, c_out], sp.KroneckerDelta(c_out, l)), (c_out, 1, K)),
                    y[i, l]),
                " and ", _eq(sp.Sum(y[i, c_out], (c_out, 1, K)), 1))
    if setting.output == "sigmoid" and setting.loss == "cross-entropy":
        return ("multiply out: the factor ",
                symbol("yhat(1 - yhat)", r"\hat{y}_i(1 - \hat{y}_i)"),
                " cancels the denominators, as for the output weights")
    return ("multiply out",)


def _summary_text(setting: Setting, multi: bool) -> str:
    """What this network adds to B4's, said once for each (not B4's sentence again)."""
    if setting.output == "softmax":
        return ("the softmax Jacobian cancels against the categorical cross-entropy, so the "
                "gradients have the form of B5's.")
    if setting.output == "sigmoid" and setting.loss == "cross-entropy":
        return ("the sigmoid's derivative cancels against the cross-entropy's, so the "
                "gradients are B4's with a sigmoid output.")
    if setting.output == "sigmoid":
        return ("the output error keeps the sigmoid's derivative; otherwise the gradients "
                "have the form of B4's.")
    if multi:
        return ("the gradients are B4's for each of the $K$ outputs; a hidden weight collects "
                "the errors of all of them.")
    return ("the gradient of an output weight is the error times the hidden activation it "
            "multiplies; the gradient of a hidden weight sends the errors back through the "
            "output weights, times the sigmoid's derivative and the input.")


def _closing_text(setting: Setting) -> Reason | tuple[Reason, ...]:
    if setting.output == "softmax":
        return ("multiply out; ", _eq(sp.Sum(y[i, l], (l, 1, K)), 1),
                " because each label is one class")
    if setting.output == "sigmoid" and setting.loss == "cross-entropy":
        return ("multiply out: the factor ",
                symbol("yhat(1 - yhat)", r"\hat{y}_i(1 - \hat{y}_i)"),
                " cancels the denominators")
    if setting.output == "sigmoid":
        return ("the sigmoid's derivative stays: it slows learning when ",
                symbol("yhat_i", r"\hat{y}_i"), " saturates")
    return "multiply out"


def _definitions(setting: Setting) -> dict[sp.Basic, sp.Expr]:
    """The network written out: z, a, s and yhat (and y, for softmax) as functions of their
    indices."""
    args = (a_, b_) if setting.multi else (a_,)
    out = s[args]
    score = (v[b_, 0] + sp.Sum(v[b_, h] * act[a_, h], (h, 1, H)) if setting.multi
             else v[0] + sp.Sum(v[h] * act[a_, h], (h, 1, H)))
    output = {"identity": out, "sigmoid": sigmoid(out),
              "softmax": sp.exp(out) / sp.Sum(sp.exp(s[a_, r]), (r, 1, K))}[setting.output]
    definitions = {z: sp.Lambda((a_, b_), sp.Sum(w[b_, q] * x[a_, q], (q, 0, n))),
                   act: sp.Lambda((a_, b_), sigmoid(z[a_, b_])), s: sp.Lambda(args, score),
                   yhat: sp.Lambda(args, output)}
    if setting.output == "softmax":
        # any rows summing to one (a one-hot row does): positive weights, normalised
        definitions[y] = sp.Lambda((a_, b_), t[a_, b_] / sp.Sum(t[a_, r], (r, 1, K)))
    return definitions


def _register(setting: Setting) -> None:
    def build(proof: Proof) -> None:
        two_layer_gradients(proof, setting)

    build.__doc__ = setting.title
    multi = setting.multi
    derivation(
        setting.name, title=setting.title, problems=setting.problems,
        definitions=_definitions(setting),
        sizes={m: (1, 2), H: (2,), n: (1,), **({K: (2,)} if multi else {})},
        # the softmax's chain sums over two outputs and every hidden unit and input of each
        # example: at one more than the concrete sizes it is evaluated in seconds, at two more
        # (the default) in minutes
        numeric_sizes={m: 3, H: 3, n: 2, K: 3} if setting.output == "softmax" else {},
        indices={g: (sp.S.One, H), k: (sp.S.Zero, n), **({p: (sp.S.One, K)} if multi else {})},
        domains={w: (-1.5, 1.5), v: (-1.5, 1.5), x: (-1.5, 1.5), t: (0.1, 2.0),
                 y: (0.05, 0.95), eta: (0.01, 1.0)})(build)


for _setting in SETTINGS.values():
    _register(_setting)
