"""Gradients and Jacobians of small vector functions (C9, C10, C13 (a)-(c)).

One reusable derivation, :func:`jacobian_two_ways`, computes the Jacobian of a composition
F∘G directly and by the chain rule, J_F(G(x)) J_G(x), and shows that the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derive.authoring import Proof, matrix, symbol
from derive.library.oracles import independent_jacobian
from derive.proof import written_eq
from derive.registry import derivation

x, y, z = sp.symbols("x y z", real=True)
u, v, w = sp.symbols("u v w", real=True)


def derivative_matrix(outputs: Sequence[sp.Expr], inputs: Sequence[sp.Symbol]
                      ) -> sp.ImmutableMatrix:
    """The Jacobian written out: entry (r, c) is the unevaluated ∂outputs[r]/∂inputs[c]."""
    return sp.ImmutableMatrix([[sp.Derivative(f, s) for s in inputs] for f in outputs])


def evaluated(written: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
    """Every written derivative of a matrix carried out, each entry expanded."""
    return sp.ImmutableMatrix(written.doit().applyfunc(sp.expand))


def _tuple_tex(exprs: Sequence[sp.Basic]) -> str:
    return ", ".join(sp.latex(e) for e in exprs)


def _point_text(at: dict[sp.Symbol, int]) -> sp.Basic:
    if len(at) == 1:
        return written_eq(*next(iter(at.items())))
    return written_eq(sp.Tuple(*at), sp.Tuple(*at.values()))


def _at_point(proof: Proof, name: str, latex: str, written: sp.ImmutableMatrix,
              at: dict[sp.Symbol, int], evaluated_there: sp.ImmutableMatrix,
              reference: sp.ImmutableMatrix, *description: str) -> None:
    """The Jacobian ``written`` out evaluated at the point ``at``, checked against the
    ``reference`` there."""
    point = matrix(name, written.rows, written.cols, latex)
    proof.define(point, written.doit().xreplace(at))
    proof.chain(point).eq(evaluated_there, "evaluate at ", _point_text(at), label="at-point")
    proof.oracle(evaluated_there, reference.xreplace(at), *description)


def jacobian_two_ways(proof: Proof, outer: Sequence[sp.Expr], outer_inputs: Sequence[sp.Symbol],
                      inner: Sequence[sp.Expr], inner_inputs: Sequence[sp.Symbol],
                      at: dict[sp.Symbol, int] | None = None, outer_name: str = "F",
                      inner_name: str = "G", again: str = "") -> None:
    """D(F∘G) computed directly and by the chain rule J_F(G(x)) J_G(x), shown equal.

    ``outer`` is F written in its own variables ``outer_inputs`` (kept apart from G's
    ``inner_inputs``); ``at`` optionally evaluates the Jacobian at a point; ``again`` names
    an earlier problem done the same way, which the summary then refers to.
    """
    f_mat, g_mat = sp.ImmutableMatrix(outer), sp.ImmutableMatrix(inner)
    rows, mid, cols = len(outer), len(inner), len(inner_inputs)
    args, fog = _tuple_tex(inner_inputs), rf"{outer_name} \circ {inner_name}"
    f_sym = matrix(outer_name, rows, 1, rf"{outer_name}({_tuple_tex(outer_inputs)})")
    g_sym = matrix(inner_name, mid, 1, rf"{inner_name}({args})")
    h_sym = matrix("H", rows, 1, rf"({fog})({args})")
    jf = matrix("J_F", rows, mid, rf"J_{{{outer_name}}}")
    jg = matrix("J_G", mid, cols, rf"J_{{{inner_name}}}({args})")
    dh = matrix("DH", rows, cols, rf"J_{{{fog}}}({args})")
    into = dict(zip(outer_inputs, inner, strict=True))
    composed = sp.ImmutableMatrix(f_mat.xreplace(into))
    expanded = composed.applyfunc(sp.expand)
    jf_written = derivative_matrix(outer, outer_inputs)
    jg_written = derivative_matrix(inner, inner_inputs)
    jf_at_g, jg_eval = evaluated(jf_written).xreplace(into), evaluated(jg_written)
    direct = evaluated(derivative_matrix(list(expanded), inner_inputs))
    dh_written = derivative_matrix(list(composed), inner_inputs)
    chain_product = sp.ImmutableMatrix((jf_at_g * jg_eval).applyfunc(sp.expand))
    proof.define(h_sym, sp.ImmutableMatrix(f_mat.subs(into, simultaneous=True)))
    proof.define(jf, jf_written)
    proof.define(jg, jg_written)
    proof.define(dh, dh_written)
    proof.given(g_sym, g_mat, "the inner function")
    proof.given(f_sym, f_mat, "the outer function, in its own variables")
    with sp.evaluate(False):    # the substitution as written: x^2 + 2x^2, xy - (x + y)
        substituted = sp.ImmutableMatrix(f_mat.xreplace(into))
    proof.chain(h_sym).eq(substituted, "substitute the outputs of ", g_sym, " for the inputs of ",
                          f_sym).eq(expanded, "expand")
    proof.chain(dh).eq(derivative_matrix(list(expanded), inner_inputs),
                       "directly: entry $(r, c)$ is the derivative of output $r$ by input $c$"
                       ).eq(direct, "differentiate every entry")
    for jacobian, written, of in ((jf, jf_written, f_sym), (jg, jg_written, g_sym)):
        proof.chain(jacobian).eq(written, "the Jacobian of ", of).eq(
            evaluated(written), "differentiate every entry")
    c = proof.chain(dh).eq(sp.MatMul(jf_at_g, jg_eval, evaluate=False), "chain rule: ", jf,
                           " evaluated at ", g_sym, ", times ", jg,
                           rf" (${rows} \times {mid}$ times ${mid} \times {cols}$)",
                           label="chain-rule")
    c.eq(chain_product, "multiply the matrices: the same as the direct result", label="product")
    reference = independent_jacobian(list(composed), inner_inputs)
    proof.oracle(chain_product, reference, "the chain rule's product against plain sympy.diff "
                 "of every entry of the composition")
    if at:
        _at_point(proof, "DH_at", rf"J_{{{fog}}}({', '.join(str(at[s]) for s in inner_inputs)})",
                  dh_written, at, direct.xreplace(at),
                  reference, "the value at ", _point_text(at), " against plain sympy.diff of "
                  "the composition there")
    proof.domains.update({s: (-3.0, 3.0) for s in [*outer_inputs, *inner_inputs]})
    if again:
        proof.summarize(rf"As in {again}: directly and by the chain rule, the same "
                        rf"${rows} \times {cols}$ matrix.")
        return
    proof.summarize(rf"The Jacobian of the composition is ${rows} \times {cols}$. Computed "
                    rf"directly, and by the chain rule as the ${rows} \times {mid}$ Jacobian of "
                    rf"the outer function (evaluated at the inner one) times the "
                    rf"${mid} \times {cols}$ Jacobian of the inner function, in that order, it "
                    "is the same matrix.")


@derivation("jacobian-chain-c9", title="The chain rule for vector functions (C9)",
            problems=("C9",))
def jacobian_chain_c9(proof: Proof) -> None:
    """C9: F(u, v, w) = (2uv, v - w), G(x, y) = (x - 4y, xy, x + y)."""
    jacobian_two_ways(proof, [2 * u * v, v - w], [u, v, w], [x - 4 * y, x * y, x + y], [x, y])


@derivation("jacobian-chain-c10", title="A Jacobian two ways (C10)", problems=("C10",))
def jacobian_chain_c10(proof: Proof) -> None:
    """C10: F(u, v, w) = (3uv, v - w), G(x, y) = (x - 5y, xy, x - y)."""
    jacobian_two_ways(proof, [3 * u * v, v - w], [u, v, w], [x - 5 * y, x * y, x - y], [x, y],
                      again="C9")


@derivation("jacobian-chain-c13", title="The Jacobian of a composition at a point (C13 (c))",
            problems=("C13",))
def jacobian_chain_c13(proof: Proof) -> None:
    """C13 (c): G1(x) = (x, x^2), F(u, v) = (u^2 + 2v, 3u + 4v^2), at x = 2."""
    jacobian_two_ways(proof, [u**2 + 2 * v, 3 * u + 4 * v**2], [u, v], [x, x**2], [x],
                      at={x: 2}, inner_name="G_1")


@derivation("gradient-jacobian-c13", title="A gradient and a Jacobian (C13 (a), (b))",
            summary="The gradient of a scalar function is the column of its partial "
                    "derivatives; the Jacobian of a vector function has one row per output. "
                    "The Jacobian is evaluated at the point $(2, 2)$ the problem asks for.",
            domains={x: (-3.0, 3.0), y: (-3.0, 3.0)}, problems=("C13",))
def gradient_jacobian_c13(proof: Proof) -> None:
    """C13 (a) and (b): the gradient of f = (2x + 3y)^2 and the Jacobian of F at (2, 2)."""
    f, inner, outputs = (2 * x + 3 * y) ** 2, 2 * x + 3 * y, [x**2 + 2 * y, 3 * x + 4 * y**2]
    big_f, at = matrix("F", 2, 1, "F(x, y)"), {x: 2, y: 2}
    grad, jac = matrix("nabla_f", 2, 1, r"\nabla f(x, y)"), matrix("J_F", 2, 2, "J_F(x, y)")
    written = derivative_matrix(outputs, [x, y])
    proof.state(written_eq(symbol("f", "f(x, y)"), f))
    proof.state(written_eq(big_f, sp.ImmutableMatrix(outputs)))
    proof.define(grad, sp.ImmutableMatrix([sp.Derivative(f, x), sp.Derivative(f, y)]))
    proof.define(jac, written)
    c = proof.chain(grad).eq(proof.definitions[grad],
                             "the gradient is the column of partial derivatives")
    c.eq(sp.ImmutableMatrix([sp.Mul(4, inner, evaluate=False), sp.Mul(6, inner, evaluate=False)]),
         "chain rule: the outer square gives ", 2 * inner,
         ", the inner derivatives are $2$ and $3$")
    c.eq(sp.ImmutableMatrix([8 * x + 12 * y, 12 * x + 18 * y]), "expand", label="gradient")
    proof.oracle(c.rhs, independent_jacobian([f], [x, y]).T,
                 "the gradient against plain sympy.diff of $f$")
    c = proof.chain(jac).eq(written, "the Jacobian of ", big_f,
                            ": row $r$ holds the partial derivatives of output $r$")
    c.eq(evaluated(written), "differentiate every entry")
    _at_point(proof, "J_F_at", "J_F(2, 2)", written, at, evaluated(written).xreplace(at),
              independent_jacobian(outputs, [x, y]),
              "the Jacobian at $(2, 2)$ against plain sympy.diff of $F$ there")
