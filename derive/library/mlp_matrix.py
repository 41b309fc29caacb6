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

from derive.authoring import Proof, matrix
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
from derive.proof import Derivation
from derive.registry import derivation

n, d, K = sp.symbols("n d K", integer=True, positive=True)
t = sp.Symbol("t", real=True)
x, y = matrix("x", n, 1), matrix("y", K, 1)
W1, b1 = matrix("W1", d, n, "W^{(1)}"), matrix("b1", d, 1, "b^{(1)}")
W2, b2 = matrix("W2", K, d, "W^{(2)}"), matrix("b2", K, 1, "b^{(2)}")
s1, a1 = matrix("s1", d, 1, "s_1"), matrix("a1", d, 1, "a_1")
s2, yhat = matrix("s2", K, 1, "s_2"), matrix("yhat", K, 1, r"\hat y")
ell = matrix("ell", 1, 1, r"\ell")
u, v = matrix("u", K, 1), matrix("v", d, 1)   # Jacobian variables
ones, ones_d = sp.OneMatrix(K, 1), sp.OneMatrix(d, 1)   # the vectors of ones, bold 1


def _partial(name: str, of: sp.MatrixSymbol, by: sp.MatrixSymbol) -> sp.MatrixSymbol:
    """The Jacobian ∂of/∂by shown as a symbol: one row per output (the shape of ``by`` when
    it is a matrix), printed as the fraction of the two symbols' notation."""
    rows, cols = (of.rows, by.rows) if by.cols == 1 else by.shape
    numerator, denominator = of.args[0].latex, by.args[0].latex
    return matrix(name, rows, cols, rf"\frac{{\partial {numerator}}}{{\partial {denominator}}}")


# The Jacobians (shown as symbols) and the gradients.
dl_dyhat, dyhat_ds2 = _partial("dl_dyhat", ell, yhat), _partial("dyhat_ds2", yhat, s2)
da1_ds1 = _partial("da1_ds1", a1, s1)
dl_ds2, dl_ds1 = _partial("dl_ds2", ell, s2), _partial("dl_ds1", ell, s1)
dl_db2, dl_dW2 = _partial("dl_db2", ell, b2), _partial("dl_dW2", ell, W2)
dl_db1, dl_dW1 = _partial("dl_db1", ell, b1), _partial("dl_dW1", ell, W1)

SIZES = {n: (2,), d: (3,), K: (2,)}          # symbolic check: every dimension different
NUMERIC_SIZES = {n: 4, d: 5, K: 3}
NOTATION: dict[sp.Basic, str] = {
    ones: r"\mathbf{1}", ones_d: r"\mathbf{1}", sp.Identity(K): "I_K",
    # log(1 − t) entry-wise: the vector of ones in bold, as in (𝟏 − y)ᵀ beside it
    elementwise(sp.log(1 - t), t, yhat): r"\log(\mathbf{1} - \hat y)"}   # the rest: symbols
# Each setting says what is new in it, not the same sentence again (review: boilerplate).
SUMMARIES = {
    "mlp-regression": r"Each line is a matrix identity for general $n$, $d$, $K$, with the "
                      r"shape of every factor.",
    "mlp-classification-se": r"The chain of 1.2 with the Jacobians of $\tanh$ and $\sigma$; "
                             r"every shape is as there.",
    "mlp-classification-bce": r"The chain of 1.3 (a) with the cross-entropy's "
                              r"$\partial\ell/\partial\hat y$, which cancels the sigmoid's "
                              r"Jacobian."}

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


# σ′ = σ(1 − σ) at s2 is ŷ ⊙ (𝟏 − ŷ): one form of ∂ŷ/∂s2 throughout, the same as the
# denominator of the cross-entropy's ∂ℓ/∂ŷ, so that its cancellation shows.
SIGMOID_JACOBIAN = Diag(Hadamard(yhat, minus(ones, yhat)))
SIGMOID_REASON = (r"; $\sigma' = \sigma (1 - \sigma)$ and $\hat y = \sigma(s_2)$ give "
                  r"$\hat y \odot (\mathbf{1} - \hat y)$ on the diagonal")
# What f′ is, beside the diagonal of ∂a1/∂s1 (tanh′ is derived in 1.3 (c))
F_PRIME_REASONS = {"mlp-regression": r"; $f' = 3 \cdot \mathbf{1}[s > 0]$ (slope $0$ taken at $0$)",
                   "mlp-classification-se": r"; $\tanh' = 1 - \tanh^2$ (1.3 (c))",
                   "mlp-classification-bce": r"; $\tanh' = 1 - \tanh^2$ (1.3 (c))"}
TANH_JACOBIAN = Diag(minus(ones_d, elementwise(sp.tanh(t) ** 2, t, s1)))

SETTINGS = {
    "mlp-regression": Setting(
        "mlp-regression", "Regression: scaled ReLU hidden layer, identity output, squared error "
        "(1.2)", ("1.2",),
        3 * relu(t), 3 * sp.Heaviside(t, 0), t, sp.S.One, squared_error, "the squared error",
        sp.MatMul(2, sp.Transpose(minus(yhat, y)))),
    "mlp-classification-se": Setting(
        "mlp-classification-se",
        "Classification: tanh hidden layer, sigmoid output, squared error (1.3 (a))",
        ("1.3",), sp.tanh(t), 1 - sp.tanh(t) ** 2, sigmoid(t), sigmoid(t) * (1 - sigmoid(t)),
        squared_error, "the squared error", sp.MatMul(2, sp.Transpose(minus(yhat, y)))),
    "mlp-classification-bce": Setting(
        "mlp-classification-bce",
        "Classification: tanh hidden layer, sigmoid output, binary cross-entropy (1.3 (b))",
        ("1.3",),
        sp.tanh(t), 1 - sp.tanh(t) ** 2, sigmoid(t), sigmoid(t) * (1 - sigmoid(t)),
        binary_cross_entropy, "the binary cross-entropy",
        sp.MatMul(1 / K, sp.Transpose(minus(yhat, y)),
                  sp.Inverse(Diag(Hadamard(yhat, minus(ones, yhat))))),
        collapsed=sp.MatMul(1 / K, sp.Transpose(minus(yhat, y)))),
}


def _jacobian_form(setting_prime: sp.Expr, at: sp.MatrixSymbol) -> sp.MatrixExpr:
    """diag(φ′(at)), or the identity when φ′ = 1; tanh′ as diag(𝟏 − tanh²(s1)), the vector of
    ones in bold."""
    if setting_prime == 1:
        return sp.Identity(at.shape[0])
    if setting_prime == 1 - sp.tanh(t) ** 2 and at == s1:
        return TANH_JACOBIAN
    return Diag(elementwise(setting_prime, t, at))


def mlp_gradients(setting: Setting) -> Derivation:
    """Forward pass, Jacobians and the four gradients of the two-layer network, with shapes."""
    proof = Proof(title=setting.title, problems=setting.problems,
                  summary=SUMMARIES[setting.name],
                  sizes=SIZES, numeric_sizes=NUMERIC_SIZES, notation=NOTATION)
    f, g, loss = setting.f, setting.g, setting.loss
    proof.given(s1, W1 * x + b1, r"(b) Linear1: input $x$ ($n \times 1$), output $d \times 1$")
    proof.given(a1, elementwise(f, t, s1), r"(b) $f$ entry-wise: $d \times 1$")
    proof.given(s2, W2 * a1 + b2, r"(b) Linear2: input $a_1$ ($d \times 1$), output $K \times 1$")
    proof.given(yhat, elementwise(g, t, s2), r"(b) $g$ entry-wise: $K \times 1$")
    proof.given(ell, loss(yhat), "(b) the loss: ", setting.loss_text, r", $1 \times 1$",
                label="loss")
    forward = dict(proof.definitions)
    proof.definitions.update({
        dl_dyhat: Jacobian(loss(u), u, yhat), dyhat_ds2: Jacobian(elementwise(g, t, u), u, s2),
        da1_ds1: Jacobian(elementwise(f, t, v), v, s1),
        dl_db2: Jacobian(loss(yhat), b2, b2), dl_dW2: Gradient(loss(yhat), W2),
        dl_db1: Jacobian(loss(yhat), b1, b1), dl_dW1: Gradient(loss(yhat), W1),
        # ∂ℓ/∂s2 and ∂ℓ/∂s1 take s2, s1 as the variables, so they are written in u and v.
        dl_ds2: Jacobian(loss(elementwise(g, t, u)), u, s2),
        dl_ds1: Jacobian(loss(elementwise(g, t, W2 * elementwise(f, t, v) + b2)), v, s1)})
    network = elementwise(g, t, W2 * elementwise(f, t, W1 * x + b1) + b2)
    proof.chain(yhat).eq(network, r"(b) the forward pass in $x$ and the parameters only")
    # g = σ with σ′ = σ(1 − σ): the diagonal in ŷ = σ(s2), one form for both settings
    in_yhat = setting.g == sigmoid(t) and setting.g_prime == sigmoid(t) * (1 - sigmoid(t))
    dyhat_form = SIGMOID_JACOBIAN if in_yhat else _jacobian_form(setting.g_prime, s2)
    da1_form = _jacobian_form(setting.f_prime, s1)
    proof.chain(dl_dyhat).eq(setting.dl_dyhat,
                             r"(d) differentiate $\ell$ by each $\hat y_i$: $1 \times K$",
                             label="dl-dyhat")
    proof.chain(dyhat_ds2).eq(dyhat_form, r"(d) $\hat y_i = g(s_{2,i})$ depends on $s_{2,i}$ only: "
                                          r"diagonal, entries $g'(s_{2,i})$, $K \times K$",
                              SIGMOID_REASON if in_yhat else
                              (r"; $g' = 1$" if setting.g_prime == 1 else ""))
    proof.chain(da1_ds1).eq(da1_form, r"(d) $a_{1,j} = f(s_{1,j})$ depends on $s_{1,j}$ only: "
                                      r"diagonal, entries $f'(s_{1,j})$, $d \times d$",
                            F_PRIME_REASONS.get(setting.name, ""))
    delta2 = sp.MatMul(dl_dyhat, dyhat_ds2)
    delta1 = sp.MatMul(dl_dyhat, dyhat_ds2, W2, da1_ds1)
    c = proof.chain(dl_ds2).eq(delta2, r"(c) chain rule: $(1 \times K)(K \times K) = 1 \times K$",
                               label="ds2-chain")
    product = sp.MatMul(setting.dl_dyhat, dyhat_form)
    if setting.collapsed is None and setting.g_prime == 1:
        product = setting.dl_dyhat                    # ∂ŷ/∂s2 = I drops out
    c.eq(product, "(c) with the two Jacobians of (d)", label="ds2-jacobians")
    if setting.collapsed is not None:
        c.eq(setting.collapsed,
             "(c) the two diagonal matrices are inverses of each other: the product collapses",
             label="collapsed")
    error = c.rhs
    proof.chain(dl_db2).eq(delta2, r"(c) chain rule, $\partial s_2/\partial b^{(2)} = I$: "
                                   r"$1 \times K$").eq(
        error, r"(c) the same product as $\partial \ell/\partial s_2$ above", label="db2")
    c = proof.chain(dl_dW2).eq(sp.MatMul(sp.Transpose(delta2), sp.Transpose(a1)),
                               r"(c) $\partial s_{2,k}/\partial W^{(2)}_{ij} = \mathbf{1}[k = i]\, "
                               r"a_{1,j}$, so entry $(i, j)$ is $(\partial\ell/\partial s_2)_i\, "
                               r"a_{1,j}$: $(K \times 1)(1 \times d) = K \times d$")
    c.eq(sp.MatMul(sp.Transpose(error), sp.Transpose(a1)), "the Jacobians of (d)", label="dW2")
    c.eq(sp.MatMul(*_transposed(error), sp.Transpose(a1)),
         r"(c) $(A B)^{\top} = B^{\top} A^{\top}$, $(A^{\top})^{\top} = A$",
         r", a diagonal matrix is its own transpose"
         if error is not None and error.has(Diag) else "",
         r": a column times a row, $K \times d$", label="dW2-final")
    proof.chain(dl_ds1).eq(delta1, r"(c) chain rule back through $W^{(2)}$ and $f$: $(1 \times K)"
                                   r"(K \times K)(K \times d)(d \times d) = 1 \times d$")
    proof.chain(dl_db1).eq(delta1, r"(c) chain rule, $\partial s_1/\partial b^{(1)} = I$: "
                                   r"$1 \times d$").eq(
        sp.MatMul(error, W2, da1_form), r"(c) $\partial \ell/\partial s_2$ above and the "
        r"Jacobian of $f$ from (d): a row, $1 \times d$", label="db1")
    c = proof.chain(dl_dW1).eq(sp.MatMul(sp.Transpose(delta1), sp.Transpose(x)),
                               r"(c) $\partial s_{1,k}/\partial W^{(1)}_{jl} = \mathbf{1}[k = j]\, "
                               r"x_l$, as for $W^{(2)}$: $(d \times 1)(1 \times n) = d \times n$")
    c.eq(sp.MatMul(sp.Transpose(sp.MatMul(error, W2, da1_form)), sp.Transpose(x)),
         "the Jacobians of (d)", label="dW1")
    c.eq(sp.MatMul(*_transposed(sp.MatMul(error, W2, da1_form)), sp.Transpose(x)),
         r"(c) $(A_1 \cdots A_m)^{\top} = A_m^{\top} \cdots A_1^{\top}$, a diagonal matrix is "
         r"its own transpose: back-propagation, read right to left", label="dW1-final")
    # The last line at the concrete sizes against plain sympy.diff of the loss written out
    # there (f and g in elementary form, ReLU a Piecewise), by each entry of W⁽¹⁾: none of
    # derive.matrices' Jacobians or derive's differentiation takes part.
    proof.oracle(_by_sympy(written_out(c.rhs, forward)),
                 independent_gradient(_by_sympy(loss(network))[0, 0], _by_sympy(W1)),
                 r"the last line at $n = 2$, $d = 3$, $K = 2$ against plain sympy.diff of the "
                 "loss written out there, by every entry of ", W1)
    return proof.derivation(setting.name)


def _transposed(product: sp.MatrixExpr) -> list[sp.Basic]:
    """The factors of a product's transpose, as written by hand: scalars first, the matrices
    in reverse order each transposed, (Aᵀ)ᵀ = A, a diagonal matrix its own transpose."""
    factors = list(product.args) if isinstance(product, sp.MatMul) else [product]
    scalars = [f for f in factors if not f.is_Matrix]
    matrices: list[sp.Basic] = []
    for f in reversed([f for f in factors if f.is_Matrix]):
        if isinstance(f, sp.MatMul):
            inner = _transposed(f)
            scalars += [g for g in inner if not g.is_Matrix]
            matrices += [g for g in inner if g.is_Matrix]
        elif isinstance(f, sp.Transpose):
            matrices.append(f.arg)
        elif isinstance(f, Diag):
            matrices.append(f)
        else:
            matrices.append(sp.Transpose(f))
    return [*scalars, *matrices]


ORACLE_SIZES = {size: values[0] for size, values in SIZES.items()}   # n = 2, d = 3, K = 2


def _by_sympy(expr: sp.MatrixExpr) -> sp.ImmutableMatrix:
    """A matrix expression at the oracle's sizes, written out by SymPy's own ``doit``: every
    matrix symbol an explicit matrix of symbols (named as the verifier names them)."""
    concrete = expr.xreplace({size: sp.Integer(v) for size, v in ORACLE_SIZES.items()})
    symbols = {m: explicit_symbols(m) for m in concrete.atoms(sp.MatrixSymbol)}
    return sp.ImmutableMatrix(concrete.xreplace(symbols).doit())


def _register(name: str) -> None:
    derivation(name)(lambda: mlp_gradients(SETTINGS[name]))


for _name in SETTINGS:
    _register(_name)
