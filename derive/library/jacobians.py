"""Gradients and Jacobians of small vector functions (C9, C10, C13 (a)-(c)).

One reusable derivation, :func:`jacobian_two_ways`, computes the Jacobian of a composition
F∘G directly and by the chain rule, J_F(G(x)) J_G(x), and shows that the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derive.library.oracles import independent_jacobian
from derive.proof import Derivation, Oracle, Step, text
from derive.registry import derivation

x, y, z = sp.symbols("x y z", real=True)
u, v, w = sp.symbols("u v w", real=True)


def derivative_matrix(outputs: Sequence[sp.Expr], inputs: Sequence[sp.Symbol]
                      ) -> sp.ImmutableMatrix:
    """The Jacobian written out: entry (r, c) is the unevaluated ∂outputs[r]/∂inputs[c]."""
    return sp.ImmutableMatrix([[sp.Derivative(f, s) for s in inputs] for f in outputs])


def evaluated(matrix: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
    """Every written derivative of a matrix carried out, each entry expanded."""
    return sp.ImmutableMatrix(matrix.doit().applyfunc(sp.expand))


def _tuple_tex(exprs: Sequence[sp.Basic]) -> str:
    return ", ".join(sp.latex(e) for e in exprs)


def jacobian_two_ways(name: str, title: str, outer: Sequence[sp.Expr],
                      outer_inputs: Sequence[sp.Symbol], inner: Sequence[sp.Expr],
                      inner_inputs: Sequence[sp.Symbol], problems: tuple[str, ...],
                      at: dict[sp.Symbol, int] | None = None, outer_name: str = "F",
                      inner_name: str = "G") -> Derivation:
    """D(F∘G) computed directly and by the chain rule J_F(G(x)) J_G(x), shown equal.

    ``outer`` is F written in its own variables ``outer_inputs`` (kept apart from G's
    ``inner_inputs``); ``at`` optionally evaluates the Jacobian at a point.
    """
    f_mat, g_mat = sp.ImmutableMatrix(outer), sp.ImmutableMatrix(inner)
    rows, mid, cols = len(outer), len(inner), len(inner_inputs)
    f_sym = sp.MatrixSymbol(outer_name, rows, 1)
    g_sym = sp.MatrixSymbol(inner_name, mid, 1)
    h_sym = sp.MatrixSymbol("H", rows, 1)
    jf = sp.MatrixSymbol("J_F", rows, mid)
    jg = sp.MatrixSymbol("J_G", mid, cols)
    dh = sp.MatrixSymbol("DH", rows, cols)
    into = dict(zip(outer_inputs, inner, strict=True))
    composed = sp.ImmutableMatrix(f_mat.xreplace(into))
    expanded = composed.applyfunc(sp.expand)
    jf_at_g = evaluated(derivative_matrix(outer, outer_inputs)).xreplace(into)
    jg_eval = evaluated(derivative_matrix(inner, inner_inputs))
    direct = evaluated(derivative_matrix(list(expanded), inner_inputs))
    chain_product = sp.ImmutableMatrix((jf_at_g * jg_eval).applyfunc(sp.expand))
    args = _tuple_tex(inner_inputs)
    steps = [
        Step(g_sym, g_mat, text("the inner function"), kind="given"),
        Step(f_sym, f_mat, text("the outer function, in its own variables"), kind="given"),
        Step(h_sym, composed, text("substitute the outputs of ", g_sym, " for the inputs of ",
                                   f_sym)),
        Step(h_sym, expanded, text("expand")),
        Step(dh, derivative_matrix(list(expanded), inner_inputs),
             text("directly: entry (r, c) is the derivative of output r by input c")),
        Step(dh, direct, text("differentiate every entry")),
        Step(jf, derivative_matrix(outer, outer_inputs), text("the Jacobian of ", f_sym)),
        Step(jf, evaluated(derivative_matrix(outer, outer_inputs)),
             text("differentiate every entry")),
        Step(jg, derivative_matrix(inner, inner_inputs), text("the Jacobian of ", g_sym)),
        Step(jg, jg_eval, text("differentiate every entry")),
        Step(dh, sp.MatMul(jf_at_g, jg_eval, evaluate=False),
             text("chain rule: ", jf, " evaluated at ", g_sym, ", times ", jg,
                  f" ({rows}×{mid} times {mid}×{cols})")),
        Step(dh, chain_product,
             text("multiply the matrices: the same as the direct result")),
    ]
    if at:
        point = sp.MatrixSymbol("DH_at", rows, cols)
        steps.append(Step(point, direct.xreplace(at),
                          text("evaluate at ", *_point_text(at))))
    fog = rf"{outer_name} \circ {inner_name}"
    notation = {f_sym: rf"{outer_name}({_tuple_tex(outer_inputs)})",
                g_sym: rf"{inner_name}({args})", h_sym: rf"({fog})({args})",
                jf: rf"J_{{{outer_name}}}", jg: rf"J_{{{inner_name}}}({args})",
                dh: rf"D({fog})({args})"}
    definitions: dict[sp.Basic, sp.Expr] = {
        h_sym: sp.ImmutableMatrix(f_mat.subs(into, simultaneous=True)),
        jf: derivative_matrix(outer, outer_inputs),
        jg: derivative_matrix(inner, inner_inputs),
        dh: derivative_matrix(list(composed), inner_inputs)}
    if at:
        definitions[point] = derivative_matrix(list(composed), inner_inputs).doit().xreplace(at)
        notation[point] = rf"D({fog})({', '.join(str(at[s]) for s in inner_inputs)})"
    reference = independent_jacobian(list(composed), inner_inputs)
    oracles = [Oracle(text("the chain rule's product against plain sympy.diff of every entry "
                           "of the composition"), chain_product, reference)]
    if at:
        oracles.append(Oracle(text("the value at ", *_point_text(at), " against plain "
                                   "sympy.diff of the composition there"),
                              steps[-1].rhs, reference.xreplace(at)))
    return Derivation(
        name=name, title=title,
        summary=text(f"The Jacobian of the composition is {rows}×{cols}. Computed directly, "
                     f"and by the chain rule as the {rows}×{mid} Jacobian of the outer function "
                     f"(evaluated at the inner one) times the {mid}×{cols} Jacobian of the "
                     "inner function, in that order, it is the same matrix."),
        steps=steps, definitions=definitions,
        domains={s: (-3.0, 3.0) for s in [*outer_inputs, *inner_inputs]},
        notation=notation,
        oracles=oracles,
        problems=problems)


def _point_text(at: dict[sp.Symbol, int]) -> tuple[sp.Basic, ...]:
    if len(at) == 1:
        return (sp.Eq(*next(iter(at.items())), evaluate=False),)
    return (sp.Eq(sp.Tuple(*at), sp.Tuple(*at.values()), evaluate=False),)


@derivation("jacobian-chain-c9")
def jacobian_chain_c9() -> Derivation:
    """C9: F(u, v, w) = (2uv, v - w), G(x, y) = (x - 4y, xy, x + y)."""
    return jacobian_two_ways(
        "jacobian-chain-c9", "The chain rule for vector functions (C9)",
        [2 * u * v, v - w], [u, v, w], [x - 4 * y, x * y, x + y], [x, y], ("C9",))


@derivation("jacobian-chain-c10")
def jacobian_chain_c10() -> Derivation:
    """C10: F(u, v, w) = (3uv, v - w), G(x, y) = (x - 5y, xy, x - y)."""
    return jacobian_two_ways(
        "jacobian-chain-c10", "A Jacobian two ways (C10)",
        [3 * u * v, v - w], [u, v, w], [x - 5 * y, x * y, x - y], [x, y], ("C10",))


@derivation("jacobian-chain-c13")
def jacobian_chain_c13() -> Derivation:
    """C13 (c): G1(x) = (x, x^2), F(u, v) = (u^2 + 2v, 3u + 4v^2), at x = 2."""
    return jacobian_two_ways(
        "jacobian-chain-c13", "The Jacobian of F∘G₁ at x = 2 (C13 (c))",
        [u**2 + 2 * v, 3 * u + 4 * v**2], [u, v], [x, x**2], [x], ("C13",),
        at={x: 2}, inner_name="G_1")


@derivation("gradient-jacobian-c13")
def gradient_jacobian_c13() -> Derivation:
    """C13 (a) and (b): the gradient of f = (2x + 3y)^2 and the Jacobian of F at (2, 2)."""
    f = (2 * x + 3 * y) ** 2
    inner = 2 * x + 3 * y
    outputs = [x**2 + 2 * y, 3 * x + 4 * y**2]
    grad = sp.MatrixSymbol("nabla_f", 2, 1)
    jac, jac_at = sp.MatrixSymbol("J_F", 2, 2), sp.MatrixSymbol("J_F_at", 2, 2)
    at = {x: 2, y: 2}
    chain = sp.ImmutableMatrix([sp.Mul(4, inner, evaluate=False),
                                sp.Mul(6, inner, evaluate=False)])
    steps = [
        Step(grad, sp.ImmutableMatrix([sp.Derivative(f, x), sp.Derivative(f, y)]),
             text("the gradient is the column of partial derivatives")),
        Step(grad, chain, text("chain rule: the outer square gives ", 2 * inner,
                               ", the inner derivatives are 2 and 3")),
        Step(grad, sp.ImmutableMatrix([8 * x + 12 * y, 12 * x + 18 * y]), text("expand")),
        Step(jac, derivative_matrix(outputs, [x, y]),
             text("the Jacobian of ", sp.MatrixSymbol("F", 2, 1), ": row r holds the "
                  "partial derivatives of output r")),
        Step(jac, evaluated(derivative_matrix(outputs, [x, y])),
             text("differentiate every entry")),
        Step(jac_at, evaluated(derivative_matrix(outputs, [x, y])).xreplace(at),
             text("evaluate at ", *_point_text(at))),
    ]
    return Derivation(
        name="gradient-jacobian-c13",
        title="A gradient and a Jacobian (C13 (a), (b))",
        summary=text("The gradient of a scalar function is the column of its partial "
                     "derivatives; the Jacobian of a vector function has one row per output. "
                     "The Jacobian is evaluated at the point (2, 2) the problem asks for."),
        givens=[text(sp.Eq(sp.Symbol("f(x, y)"), f, evaluate=False)),
                text(sp.Eq(sp.MatrixSymbol("F", 2, 1), sp.ImmutableMatrix(outputs),
                           evaluate=False))],
        steps=steps,
        definitions={grad: sp.ImmutableMatrix([sp.Derivative(f, x), sp.Derivative(f, y)]),
                     jac: derivative_matrix(outputs, [x, y]),
                     jac_at: derivative_matrix(outputs, [x, y]).doit().xreplace(at)},
        domains={x: (-3.0, 3.0), y: (-3.0, 3.0)},
        notation={grad: r"\nabla f(x, y)", jac: r"J_F(x, y)", jac_at: r"J_F(2, 2)",
                  sp.MatrixSymbol("F", 2, 1): "F(x, y)", sp.Symbol("f(x, y)"): "f(x, y)"},
        oracles=[Oracle(text("the gradient against plain sympy.diff of f"), steps[2].rhs,
                        independent_jacobian([f], [x, y]).T),
                 Oracle(text("the Jacobian at (2, 2) against plain sympy.diff of F there"),
                        steps[-1].rhs, independent_jacobian(outputs, [x, y]).xreplace(at))],
        problems=("C13",),
    )
