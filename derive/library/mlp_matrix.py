"""The two-layer network of sheet B in matrix form, for general sizes n, d, K.

    x ∈ ℝⁿ → s1 = W⁽¹⁾x + b⁽¹⁾ → a1 = f(s1) → s2 = W⁽²⁾a1 + b⁽²⁾ → ŷ = g(s2) ∈ ℝᴷ → ℓ(ŷ, y)

One builder, :func:`mlp_gradients`, derives the forward pass, the three Jacobians and the four
parameter gradients for a choice of f, g and ℓ (the settings of problems 1.2, 1.3 (a) and
1.3 (b)).  Layout: a Jacobian has one row per output (numerator layout), so ∂ℓ/∂b is a row;
∂ℓ/∂W has the shape of W.  Every step is a matrix identity in the symbolic sizes; the
verifier proves it for general sizes on a general entry in index notation, and cross-checks it
written out at concrete sizes against sympy.diff of the loss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from derive.functions import relu, sigmoid
from derive.library.oracles import independent_gradient, written_out
from derive.matrices import (
    Diag,
    Gradient,
    Hadamard,
    Jacobian,
    elementwise,
    explicit_symbols,
    minus,
)
from derive.proof import Derivation, Oracle, Step, text
from derive.registry import derivation

n, d, K = sp.symbols("n d K", integer=True, positive=True)
t = sp.Symbol("t", real=True)
x, y = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("y", K, 1)
W1, b1 = sp.MatrixSymbol("W1", d, n), sp.MatrixSymbol("b1", d, 1)
W2, b2 = sp.MatrixSymbol("W2", K, d), sp.MatrixSymbol("b2", K, 1)
s1, a1 = sp.MatrixSymbol("s1", d, 1), sp.MatrixSymbol("a1", d, 1)
s2, yhat = sp.MatrixSymbol("s2", K, 1), sp.MatrixSymbol("yhat", K, 1)
ell = sp.MatrixSymbol("ell", 1, 1)
u, v = sp.MatrixSymbol("u", K, 1), sp.MatrixSymbol("v", d, 1)   # Jacobian variables
ones = sp.OneMatrix(K, 1)

# The Jacobians (shown as symbols) and the gradients.
dl_dyhat, dyhat_ds2 = sp.MatrixSymbol("dl_dyhat", 1, K), sp.MatrixSymbol("dyhat_ds2", K, K)
da1_ds1 = sp.MatrixSymbol("da1_ds1", d, d)
dl_ds2, dl_ds1 = sp.MatrixSymbol("dl_ds2", 1, K), sp.MatrixSymbol("dl_ds1", 1, d)
dl_db2, dl_dW2 = sp.MatrixSymbol("dl_db2", 1, K), sp.MatrixSymbol("dl_dW2", K, d)
dl_db1, dl_dW1 = sp.MatrixSymbol("dl_db1", 1, d), sp.MatrixSymbol("dl_dW1", d, n)

SIZES = {n: (2,), d: (3,), K: (2,)}          # symbolic check: every dimension different
NUMERIC_SIZES = {n: 4, d: 5, K: 3}

NOTATION: dict[sp.Basic, str] = {
    W1: "W^{(1)}", b1: "b^{(1)}", W2: "W^{(2)}", b2: "b^{(2)}", s1: "s_1", a1: "a_1",
    s2: "s_2", yhat: r"\hat y", ell: r"\ell", ones: r"\mathbf{1}", sp.Identity(K): "I_K",
    dl_dyhat: r"\frac{\partial \ell}{\partial \hat y}",
    dyhat_ds2: r"\frac{\partial \hat y}{\partial s_2}",
    da1_ds1: r"\frac{\partial a_1}{\partial s_1}",
    dl_ds2: r"\frac{\partial \ell}{\partial s_2}", dl_ds1: r"\frac{\partial \ell}{\partial s_1}",
    dl_db2: r"\frac{\partial \ell}{\partial b^{(2)}}",
    dl_dW2: r"\frac{\partial \ell}{\partial W^{(2)}}",
    dl_db1: r"\frac{\partial \ell}{\partial b^{(1)}}",
    dl_dW1: r"\frac{\partial \ell}{\partial W^{(1)}}",
}

Loss = Callable[[sp.MatrixExpr], sp.MatrixExpr]


def squared_error(prediction: sp.MatrixExpr) -> sp.MatrixExpr:
    """‖ŷ − y‖² = (ŷ − y)ᵀ(ŷ − y), a 1×1 matrix."""
    return sp.MatMul(sp.Transpose(minus(prediction, y)), minus(prediction, y))


def binary_cross_entropy(prediction: sp.MatrixExpr) -> sp.MatrixExpr:
    """(1/K) Σᵢ −[yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)], as a 1×1 matrix."""
    log = elementwise(sp.log(t), t, prediction)
    log_rest = elementwise(sp.log(1 - t), t, prediction)
    return sp.MatMul(-1 / K, sp.MatAdd(sp.MatMul(sp.Transpose(y), log),
                                       sp.MatMul(sp.Transpose(minus(ones, y)), log_rest),
                                       evaluate=False))


@dataclass(frozen=True)
class Setting:
    """One choice of hidden activation f, output g and loss, with the forms the sheet shows."""

    name: str
    title: str
    problems: tuple[str, ...]
    f: sp.Expr                # f(t), applied entry-wise
    f_prime: sp.Expr          # f'(t) as the reader writes it
    g: sp.Expr
    g_prime: sp.Expr
    loss: Loss
    loss_text: str
    dl_dyhat: sp.MatrixExpr   # the closed form of ∂ℓ/∂ŷ
    collapsed: sp.MatrixExpr | None = None   # ∂ℓ/∂ŷ ∂ŷ/∂s2 when it simplifies


SETTINGS = {
    "mlp-regression": Setting(
        "mlp-regression", "Regression: f = 3(·)⁺, g = identity, squared error (1.2)", ("1.2",),
        3 * relu(t), 3 * sp.Heaviside(t, 0), t, sp.S.One, squared_error, "the squared error",
        sp.MatMul(2, sp.Transpose(minus(yhat, y)))),
    "mlp-classification-se": Setting(
        "mlp-classification-se", "Classification: f = tanh, g = σ, squared error (1.3 (a))",
        ("1.3",), sp.tanh(t), 1 - sp.tanh(t) ** 2, sigmoid(t), sigmoid(t) * (1 - sigmoid(t)),
        squared_error, "the squared error", sp.MatMul(2, sp.Transpose(minus(yhat, y)))),
    "mlp-classification-bce": Setting(
        "mlp-classification-bce",
        "Classification: f = tanh, g = σ, binary cross-entropy (1.3 (b))", ("1.3",),
        sp.tanh(t), 1 - sp.tanh(t) ** 2, sigmoid(t), sigmoid(t) * (1 - sigmoid(t)),
        binary_cross_entropy, "the binary cross-entropy",
        sp.MatMul(1 / K, sp.Transpose(minus(yhat, y)),
                  sp.Inverse(Diag(Hadamard(yhat, minus(ones, yhat))))),
        collapsed=sp.MatMul(1 / K, sp.Transpose(minus(yhat, y)))),
}


def _jacobian_form(setting_prime: sp.Expr, at: sp.MatrixSymbol) -> sp.MatrixExpr:
    """diag(φ′(at)), or the identity when φ′ = 1."""
    if setting_prime == 1:
        return sp.Identity(at.shape[0])
    return Diag(elementwise(setting_prime, t, at))


def mlp_gradients(setting: Setting) -> Derivation:
    """Forward pass, Jacobians and the four gradients of the two-layer network, with shapes."""
    forward = {s1: W1 * x + b1, a1: elementwise(setting.f, t, s1), s2: W2 * a1 + b2,
               yhat: elementwise(setting.g, t, s2), ell: setting.loss(yhat)}
    definitions: dict[sp.Basic, sp.Expr] = {
        **forward,
        dl_dyhat: Jacobian(setting.loss(u), u, yhat),
        dyhat_ds2: Jacobian(elementwise(setting.g, t, u), u, s2),
        da1_ds1: Jacobian(elementwise(setting.f, t, v), v, s1),
        dl_db2: Jacobian(setting.loss(yhat), b2, b2), dl_dW2: Gradient(setting.loss(yhat), W2),
        dl_db1: Jacobian(setting.loss(yhat), b1, b1), dl_dW1: Gradient(setting.loss(yhat), W1),
    }
    # ∂ℓ/∂s2 and ∂ℓ/∂s1 take s2, s1 as the variables, so they are written in u and v.
    definitions[dl_ds2] = Jacobian(setting.loss(elementwise(setting.g, t, u)), u, s2)
    definitions[dl_ds1] = Jacobian(
        setting.loss(elementwise(setting.g, t, W2 * elementwise(setting.f, t, v) + b2)), v, s1)
    network = elementwise(setting.g, t, W2 * elementwise(setting.f, t, W1 * x + b1) + b2)
    delta2 = sp.MatMul(dl_dyhat, dyhat_ds2)
    delta1 = sp.MatMul(dl_dyhat, dyhat_ds2, W2, da1_ds1)
    dyhat_form = _jacobian_form(setting.g_prime, s2)
    da1_form = _jacobian_form(setting.f_prime, s1)
    if setting.collapsed is not None:
        error = setting.collapsed
    elif setting.g_prime == 1:
        error = setting.dl_dyhat          # ∂ŷ/∂s2 = I drops out
    else:
        error = sp.MatMul(setting.dl_dyhat, dyhat_form)
    steps = [
        Step(s1, forward[s1], text("(b) Linear1: input x (n×1), output d×1"), kind="given"),
        Step(a1, forward[a1], text("(b) f entry-wise: d×1"), kind="given"),
        Step(s2, forward[s2], text("(b) Linear2: input a₁ (d×1), output K×1"), kind="given"),
        Step(yhat, forward[yhat], text("(b) g entry-wise: K×1"), kind="given"),
        Step(ell, forward[ell], text("(b) the loss: ", setting.loss_text, ", 1×1"),
             kind="given"),
        Step(yhat, network, text("(b) the forward pass in x and the parameters only")),
        Step(dl_dyhat, setting.dl_dyhat, text("(d) differentiate ℓ by each ŷᵢ: 1×K")),
        Step(dyhat_ds2, dyhat_form, text("(d) output i depends on s2,i only: diagonal, K×K")),
        Step(da1_ds1, da1_form, text("(d) unit j depends on s1,j only: diagonal, d×d")),
    ]
    if setting.collapsed is not None:
        steps.append(Step(dl_ds2, delta2, text("(c) chain rule: (1×K)(K×K) = 1×K")))
        steps.append(Step(dl_ds2, sp.MatMul(setting.dl_dyhat, dyhat_form),
                          text("(d) the two Jacobians above")))
        steps.append(Step(dl_ds2, setting.collapsed,
                          text("σ′ = ŷ(1 − ŷ) cancels the denominators: the product collapses")))
    else:
        steps.append(Step(dl_ds2, delta2, text("(c) chain rule: (1×K)(K×K) = 1×K")))
        steps.append(Step(dl_ds2, error, text("(d) the two Jacobians above")))
    steps += [
        Step(dl_db2, delta2, text("(c) ∂s₂/∂b⁽²⁾ = I: 1×K")),
        Step(dl_dW2, sp.MatMul(sp.Transpose(delta2), sp.Transpose(a1)),
             text("(c) s₂ᵢ = Σⱼ W⁽²⁾ᵢⱼ a₁ⱼ + b⁽²⁾ᵢ: (K×1)(1×d) = K×d, W⁽²⁾'s shape")),
        Step(dl_dW2, sp.MatMul(sp.Transpose(error), sp.Transpose(a1)),
             text("the Jacobians of (d)")),
        Step(dl_ds1, delta1, text("(c) chain rule back through W⁽²⁾ and f: "
                                  "(1×K)(K×K)(K×d)(d×d) = 1×d")),
        Step(dl_db1, delta1, text("(c) ∂s₁/∂b⁽¹⁾ = I: 1×d")),
        Step(dl_dW1, sp.MatMul(sp.Transpose(delta1), sp.Transpose(x)),
             text("(c) s₁ⱼ = Σₖ W⁽¹⁾ⱼₖ xₖ + b⁽¹⁾ⱼ: (d×1)(1×n) = d×n, W⁽¹⁾'s shape")),
        Step(dl_dW1, sp.MatMul(sp.Transpose(sp.MatMul(error, W2, da1_form)), sp.Transpose(x)),
             text("the Jacobians of (d)")),
    ]
    final_w1 = steps[-1].rhs
    return Derivation(
        name=setting.name, title=setting.title,
        summary=text("Each line is a matrix identity for general n, d, K, with the shape of "
                     "every factor. The verifier proves it for every size on entry (i, j) in "
                     "index notation, then writes both sides out for n = 2, d = 3, K = 2 (the "
                     "gradients by sympy.diff of the loss written out in full) and compares "
                     "every entry at random points."),
        steps=steps, definitions=definitions, sizes=dict(SIZES),
        numeric_sizes=dict(NUMERIC_SIZES), notation=dict(NOTATION),
        oracles=[_oracle_w1(setting, final_w1, forward, network)],
        problems=setting.problems)


ORACLE_SIZES = {size: values[0] for size, values in SIZES.items()}   # n = 2, d = 3, K = 2


def _by_sympy(expr: sp.MatrixExpr, sizes: dict[sp.Symbol, int]) -> sp.ImmutableMatrix:
    """A matrix expression at concrete sizes, written out by SymPy's own ``doit``: every
    matrix symbol an explicit matrix of symbols (named as the verifier names them)."""
    concrete = expr.xreplace({size: sp.Integer(v) for size, v in sizes.items()})
    symbols = {m: explicit_symbols(m) for m in concrete.atoms(sp.MatrixSymbol)}
    return sp.ImmutableMatrix(concrete.xreplace(symbols).doit())


def _oracle_w1(setting: Setting, final_w1: sp.MatrixExpr,
               forward: dict[sp.Basic, sp.Expr], network: sp.MatrixExpr) -> Oracle:
    """∂ℓ/∂W⁽¹⁾ at the concrete sizes against plain sympy.diff of the loss written out there
    (f and g in elementary form, ReLU a Piecewise), by each entry of W⁽¹⁾: none of
    derive.matrices' Jacobians or derive's differentiation takes part."""
    sizes = ORACLE_SIZES
    loss = _by_sympy(setting.loss(network), sizes)[0, 0]
    w1 = explicit_symbols(W1.xreplace({size: sp.Integer(v) for size, v in sizes.items()}))
    return Oracle(text("the last line at n = 2, d = 3, K = 2 against plain sympy.diff of the "
                       "loss written out there, by every entry of ", W1),
                  _by_sympy(written_out(final_w1, forward), sizes),
                  independent_gradient(loss, w1))


def _register(name: str) -> None:
    derivation(name)(lambda: mlp_gradients(SETTINGS[name]))


for _name in SETTINGS:
    _register(_name)
