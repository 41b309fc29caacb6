"""The decision boundary of a linear discriminant: its normal and distance (A3, A4)."""

from __future__ import annotations

import sympy as sp

from derive.library.oracles import independent_diff
from derive.proof import Derivation, Oracle, Step, only_solution, text, written_product, written_sum
from derive.registry import derivation

x1, x2, t = sp.symbols("x_1 x_2 t", real=True)
th0, th1, th2 = sp.symbols("theta_0 theta_1 theta_2", real=True)
A4_WEIGHTS = {th0: 1, th1: 2, th2: 3}      # g = 1 + 2 x1 + 3 x2, as problem A4 states it


@derivation("linear-boundary")
def linear_boundary() -> Derivation:
    """Normal (theta1, theta2), foot of the perpendicular, distance |theta0| / ||(theta1, theta2)||,
    then the instance g = 1 + 2 x1 + 3 x2 of A4."""
    g = written_sum(th0, th1 * x1, th2 * x2)
    g_sym = sp.Symbol("g", real=True)
    normal, foot = sp.MatrixSymbol("n", 2, 1), sp.MatrixSymbol("x_star", 2, 1)
    dist, signed = sp.Symbol("d", nonnegative=True), sp.Symbol("d_signed", real=True)
    norm2 = written_sum(th1**2, th2**2)
    t_star = -th0 / norm2
    steps = [
        Step(g_sym, g, text("the linear discriminant"), kind="given"),
        Step(normal, sp.ImmutableMatrix([sp.Derivative(g, x1), sp.Derivative(g, x2)]),
             text("the normal of a level set g = 0 is the gradient of g")),
        Step(normal, sp.ImmutableMatrix([th1, th2]), text("differentiate")),
        Step(written_sum(th0, th1 * (t * th1), th2 * (t * th2)), sp.S.Zero,
             text("the point of the boundary nearest the origin lies along the normal: put ",
                  sp.Eq(sp.Tuple(x1, x2), sp.Tuple(t * th1, t * th2), evaluate=False),
                  " into g = 0"), kind="given"),
        Step(written_sum(th0, written_product(t, norm2)), sp.S.Zero, text("collect t"),
             kind="implies", eliminate=t),
        Step(t, t_star, text("solve for t"), kind="implies", eliminate=t),
        Step(foot, sp.ImmutableMatrix([t_star * th1, t_star * th2]),
             text("the foot of the perpendicular from the origin")),
        Step(dist, sp.sqrt(written_sum((t_star * th1) ** 2, (t_star * th2) ** 2)),
             text("its distance from the origin")),
        Step(dist, sp.Abs(th0) / sp.sqrt(norm2),
             text("take ", th0**2 / norm2**2, " out of the root")),
        Step(signed, -th0 / sp.sqrt(norm2),
             text("signed along the unit normal: ", foot, " is ", signed,
                  " times the unit normal, so the sign says on which side the origin is")),
        Step(sp.Symbol("d_A4"),
             sp.Abs(sp.S.One, evaluate=False)
             / sp.sqrt(written_sum(sp.Pow(2, 2, evaluate=False), sp.Pow(3, 2, evaluate=False))),
             text("A4: ", sp.Eq(sp.Tuple(th0, th1, th2), sp.Tuple(*A4_WEIGHTS.values()),
                                evaluate=False))),
        Step(sp.Symbol("d_A4"), 1 / sp.sqrt(13), text("exactly")),
        Step(sp.Symbol("d_A4"), sp.sqrt(13) / 13, text("rationalise the denominator")),
    ]
    definitions: dict[sp.Basic, sp.Expr] = {
        foot: sp.ImmutableMatrix([x1, x2]).xreplace({x1: t * th1, x2: t * th2}).xreplace(
            {t: only_solution(sp.solveset(th0 + th1 * t * th1 + th2 * t * th2, t))}),
        normal: sp.ImmutableMatrix([sp.Derivative(g, x1), sp.Derivative(g, x2)]),
        dist: sp.sqrt(sp.Add(*[e**2 for e in only_solution(sp.linsolve(
            [th0 + th1 * x1 + th2 * x2, th2 * x1 - th1 * x2], [x1, x2]))])),
    }
    # the signed distance is the foot's component along the unit normal
    definitions[signed] = ((th1 * definitions[foot][0] + th2 * definitions[foot][1])
                           / sp.sqrt(th1**2 + th2**2))
    definitions[sp.Symbol("d_A4")] = definitions[dist].xreplace(A4_WEIGHTS)
    return Derivation(
        name="linear-boundary",
        title="The normal and the distance from the origin of a linear decision boundary",
        summary=text("The boundary g = 0 of ", sp.Eq(g_sym, g, evaluate=False),
                     " has the normal ", sp.Tuple(th1, th2), "; its distance from the origin "
                     "is ", sp.Abs(th0) / sp.sqrt(norm2), ", and ", th0,
                     " alone moves it. For A4 the distance is ", sp.sqrt(13) / 13, "."),
        givens=[text(sp.Eq(g_sym, g, evaluate=False), ", with ", sp.Tuple(th1, th2),
                     " not both 0")],
        steps=steps, definitions=definitions,
        domains={th0: (-3.0, 3.0), th1: (0.3, 3.0), th2: (-3.0, -0.3), x1: (-3.0, 3.0),
                 x2: (-3.0, 3.0), t: (-3.0, 3.0)},
        notation={g_sym: "g(x)", normal: r"\mathbf{n}", foot: r"\mathbf{x}^{*}",
                  dist: "d", signed: r"d_{\pm}", sp.Symbol("d_A4"): r"d_{\mathrm{A4}}"},
        oracles=[Oracle(text("sympy.linsolve: the nearest point of the line, as a minimisation "
                             "of the squared distance with a Lagrange multiplier (its "
                             "derivatives by plain sympy.diff)"),
                        foot, sp.ImmutableMatrix(_nearest_point()))],
        problems=("A3", "A4"),
    )


def _nearest_point() -> list[sp.Expr]:
    """argmin x1^2 + x2^2 subject to g = 0, solved by SymPy (an independent route)."""
    lam = sp.Symbol("lambda")
    lagrangian = x1**2 + x2**2 - lam * (th0 + th1 * x1 + th2 * x2)
    stationary = [independent_diff(lagrangian, s) for s in (x1, x2, lam)]
    x1_star, x2_star, _ = only_solution(sp.linsolve(stationary, [x1, x2, lam]))
    return [x1_star, x2_star]
