"""The sigmoid's derivative from its definition, and the derivative of log sigma (A8)."""

from __future__ import annotations

import sympy as sp

from derive.authoring import Proof, symbol
from derive.functions import Prime, relu, sigmoid
from derive.library.oracles import independent_diff
from derive.proof import written_eq, written_product, written_sum
from derive.registry import derivation

z = symbol("z", real=True)
d = sp.Derivative


@derivation("sigmoid-derivative", title="The derivative of the sigmoid and of its logarithm",
            domains={z: (-6.0, 6.0)}, problems=("A8",))
def sigmoid_derivative(proof: Proof) -> None:
    """sigma' = sigma (1 - sigma) from sigma = 1/(1 + e^-z); then d log sigma / dz = sigma(-z)."""
    e = sp.exp(-z)
    denominator = written_sum(1, e)
    inverse = sp.Pow(denominator, -1, evaluate=False)
    s, u = sigmoid(z), sp.Symbol("u")
    proof.state(written_eq(s, 1 / denominator))
    proof.given(s, 1 / denominator, "definition of the sigmoid")
    c = proof.chain(d(s, z))
    c.eq(d(inverse, z), "substitute the definition")
    c.eq(written_product(-1, sp.Pow(denominator, -2, evaluate=False), d(denominator, z)),
         "chain rule with ", written_eq(d(u**-1, u), -(u**-2)))
    c.eq(written_product(-1, sp.Pow(denominator, -2, evaluate=False), -e),
         written_eq(d(denominator, z), -e))
    c.eq(e / sp.Pow(denominator, 2, evaluate=False), "the two minus signs cancel")
    c.eq(written_product(1 / denominator, e / denominator), "split the fraction into two factors")
    c.eq(written_product(1 / denominator, written_sum(1, -1 / denominator)),
         "write ", written_eq(e / denominator, written_sum(1, -1 / denominator)),
         r" (add and subtract $1$ in the numerator)")
    c.eq(written_product(s, written_sum(1, -s)), "definition of the sigmoid, twice",
         label="sigmoid-prime")
    c = proof.chain(d(sp.log(s), z))
    c.eq(written_product(1 / s, d(s, z)), r"chain rule with the derivative of $\log$")
    c.eq(written_product(1 / s, s, written_sum(1, -s)), "the derivative of the sigmoid above")
    c.eq(written_sum(1, -s), "cancel ", s)
    c.eq(sigmoid(-z), written_eq(written_sum(1, -s), sigmoid(-z)),
         ": multiply numerator and denominator of ", written_sum(1, -s), " by ", sp.exp(z),
         label="log-sigmoid-prime")
    proof.summarize("Differentiating the definition gives ",
                    written_eq(d(s, z), written_product(s, written_sum(1, -s))),
                    "; dividing by the sigmoid gives ",
                    written_eq(d(sp.log(s), z), written_sum(1, -s)), ", which is ",
                    sigmoid(-z), ".")
    plain_sigma = 1 / (1 + sp.exp(-z))
    proof.oracle(s * (1 - s), independent_diff(s, z), "plain sympy.diff of ", plain_sigma)
    proof.oracle(sigmoid(-z), independent_diff(sp.log(s), z),
                 "plain sympy.diff of ", sp.log(plain_sigma))


@derivation("activation-derivative-bounds", title="How large the derivatives can be",
            summary=r"Every sigmoid layer multiplies the back-propagated gradient by at most "
                    r"$1/4$, and every tanh layer by at most $1$ (less wherever the unit is not "
                    r"at $0$); the derivative of ReLU is exactly $1$ where the unit is active.",
            domains={z: (-6.0, 6.0)}, problems=("1.3",))
def activation_derivative_bounds(proof: Proof) -> None:
    """σ′ ≤ 1/4 as a bound minus a square, tanh′ ≤ 1 as 4 over (a square plus 2)² (1.3 (c))."""
    s, th = sigmoid(z), sp.tanh(z)
    c = proof.chain(Prime(s, z)).eq(written_product(s, 1 - s), r"the derivative of $\sigma$")
    c.eq(written_sum(sp.Rational(1, 4), -(s - sp.Rational(1, 2)) ** 2),
         r"complete the square: at most $1/4$, reached at $\sigma(z) = 1/2$, that is $z = 0$")
    c = proof.chain(Prime(th, z)).eq(written_sum(1, -th**2), r"the derivative of $\tanh$")
    c.eq(1 / sp.cosh(z) ** 2, r"$\tanh = \sinh/\cosh$ and $\cosh^2 - \sinh^2 = 1$")
    both = written_sum(sp.exp(z), sp.exp(-z))
    c.eq(4 / sp.Pow(both, 2, evaluate=False), r"$\cosh z = (e^{z} + e^{-z})/2$")
    half = written_sum(sp.exp(z / 2), -sp.exp(-z / 2))
    c.eq(4 / sp.Pow(written_sum(sp.Pow(half, 2, evaluate=False), 2), 2, evaluate=False),
         r"$e^{z} + e^{-z}$ is a square plus $2$: at least $2$, so $\tanh'$ is at most "
         r"$4/2^2 = 1$, reached only at $z = 0$; both derivatives tend to $0$ as $|z|$ grows")
    relu_prime = Prime(relu(z), z)
    proof.notation[relu_prime] = r"\operatorname{ReLU}'(z)"
    proof.chain(relu_prime).eq(sp.Heaviside(z, 0),
                                      r"the derivative of ReLU ($z \neq 0$): $1$ where the unit "
                                      r"is active, $0$ where it is not, never more than $1$")
    proof.oracle(written_product(s, 1 - s), independent_diff(s, z),
                 r"$\sigma'$ against plain sympy.diff of ", 1 / (1 + sp.exp(-z)))
    proof.oracle(1 - th**2, independent_diff(th, z),
                 r"$\tanh'$ against plain sympy.diff of $\tanh$")
