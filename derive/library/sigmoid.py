"""The sigmoid's derivative from its definition, and the derivative of log sigma (A8)."""

from __future__ import annotations

import sympy as sp

from derive.functions import Prime, sigmoid
from derive.library.oracles import independent_diff
from derive.proof import Derivation, Oracle, Step, text, written_product, written_sum
from derive.registry import derivation


@derivation("sigmoid-derivative")
def sigmoid_derivative() -> Derivation:
    """sigma' = sigma (1 - sigma) from sigma = 1/(1 + e^-z); then d log sigma / dz = sigma(-z)."""
    z = sp.Symbol("z", real=True)
    d = sp.Derivative
    e = sp.exp(-z)
    denominator = written_sum(1, e)
    inverse = sp.Pow(denominator, -1, evaluate=False)
    s = sigmoid(z)
    steps = [
        Step(s, 1 / denominator, text("definition of the sigmoid"), kind="given"),
        Step(d(s, z), d(inverse, z), text("substitute the definition")),
        Step(d(s, z), written_product(-1, sp.Pow(denominator, -2, evaluate=False),
                                      d(denominator, z)),
             text("chain rule with ", sp.Eq(d(sp.Symbol("u") ** -1, sp.Symbol("u")),
                                            -sp.Symbol("u") ** -2, evaluate=False))),
        Step(d(s, z), written_product(-1, sp.Pow(denominator, -2, evaluate=False), -e),
             text(sp.Eq(d(written_sum(1, e), z), -e, evaluate=False))),
        Step(d(s, z), e / sp.Pow(denominator, 2, evaluate=False),
             text("the two minus signs cancel")),
        Step(d(s, z), written_product(1 / denominator, e / denominator),
             text("split the fraction into two factors")),
        Step(d(s, z), written_product(1 / denominator, written_sum(1, -1 / denominator)),
             text("write ", sp.Eq(e / denominator, written_sum(1, -1 / denominator),
                                  evaluate=False), " (add and subtract 1 in the numerator)")),
        Step(d(s, z), written_product(s, written_sum(1, -s)),
             text("definition of the sigmoid, twice")),
        Step(d(sp.log(s), z), written_product(1 / s, d(s, z)),
             text("chain rule with the derivative of log")),
        Step(d(sp.log(s), z), written_product(1 / s, s, written_sum(1, -s)),
             text("the derivative of the sigmoid above")),
        Step(d(sp.log(s), z), written_sum(1, -s), text("cancel ", s)),
        Step(d(sp.log(s), z), sigmoid(-z),
             text(sp.Eq(written_sum(1, -s), sigmoid(-z), evaluate=False),
                  ": multiply numerator and denominator of ", written_sum(1, -s),
                  " by ", sp.exp(z))),
    ]
    plain_sigma = 1 / (1 + sp.exp(-z))
    return Derivation(
        name="sigmoid-derivative",
        title="The derivative of the sigmoid and of its logarithm",
        summary=text("Differentiating the definition gives ",
                     sp.Eq(d(s, z), written_product(s, written_sum(1, -s)), evaluate=False),
                     "; dividing by the sigmoid gives ",
                     sp.Eq(d(sp.log(s), z), written_sum(1, -s), evaluate=False), ", which is ",
                     sigmoid(-z), "."),
        givens=[text(sp.Eq(s, 1 / denominator, evaluate=False))],
        steps=steps,
        domains={z: (-6.0, 6.0)},
        oracles=[Oracle(text("plain sympy.diff of ", plain_sigma), s * (1 - s),
                        independent_diff(s, z)),
                 Oracle(text("plain sympy.diff of ", sp.log(plain_sigma)), sigmoid(-z),
                        independent_diff(sp.log(s), z))],
        problems=("A8",),
    )


@derivation("activation-derivative-bounds")
def activation_derivative_bounds() -> Derivation:
    """σ′ ≤ 1/4 and tanh′ ≤ 1, written as a bound minus a square (1.3 (c))."""
    z = sp.Symbol("z", real=True)
    s, th = sigmoid(z), sp.tanh(z)
    steps = [
        Step(Prime(s, z), written_product(s, 1 - s), text("the derivative of σ")),
        Step(Prime(s, z), written_sum(sp.Rational(1, 4), -(s - sp.Rational(1, 2)) ** 2),
             text("complete the square: at most 1/4, reached at σ = 1/2, that is z = 0")),
        Step(Prime(th, z), 1 - th**2, text("the derivative of tanh")),
        Step(Prime(th, z), written_sum(1, -th**2),
             text("at most 1, reached only at z = 0; both tend to 0 as |z| grows")),
    ]
    return Derivation(
        name="activation-derivative-bounds", title="How large the derivatives can be",
        summary=text("Every sigmoid layer multiplies the back-propagated gradient by at most "
                     "1/4, and every tanh layer by at most 1 (less wherever the unit is not "
                     "at 0); ReLU's derivative is exactly 1 where the unit is active."),
        steps=steps, domains={z: (-6.0, 6.0)},
        oracles=[Oracle(text("σ′ against plain sympy.diff of ", 1 / (1 + sp.exp(-z))),
                        steps[0].rhs, independent_diff(s, z)),
                 Oracle(text("tanh′ against plain sympy.diff of tanh"), steps[2].rhs,
                        independent_diff(th, z))],
        problems=("1.3",))
