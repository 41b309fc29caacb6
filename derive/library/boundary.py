"""The decision boundary of a linear discriminant: its normal and distance (A3, A4)."""

from __future__ import annotations

import sympy as sp

from derive.authoring import Proof, matrix, symbol
from derive.library.oracles import independent_diff
from derive.proof import only_solution, written_eq, written_product, written_sum
from derive.registry import derivation

x1, x2 = sp.symbols("x_1 x_2", real=True)
t, s_across = sp.symbols("t s", real=True)   # coordinates along and across the normal
th0, th1, th2 = sp.symbols("theta_0 theta_1 theta_2", real=True)
A4_WEIGHTS = {th0: 1, th1: 2, th2: 3}      # g = 1 + 2 x1 + 3 x2, as problem A4 states it
g_sym = symbol("g", "g(x)", real=True)
normal, foot = matrix("n", 2, 1, r"\mathbf{n}"), matrix("x_star", 2, 1, r"\mathbf{x}^{*}")
dist, signed = symbol("d", nonnegative=True), symbol("d_signed", r"d_{\pm}", real=True)
d_a4 = symbol("d_A4", r"d_{\mathrm{A4}}")


@derivation("linear-boundary",
            title="The normal and the distance from the origin of a linear decision boundary",
            domains={th0: (-3.0, 3.0), th1: (0.3, 3.0), th2: (-3.0, -0.3), x1: (-3.0, 3.0),
                     x2: (-3.0, 3.0)}, problems=("A3", "A4"))
def linear_boundary(proof: Proof) -> None:
    """Normal (theta1, theta2), foot of the perpendicular, distance |theta0| / ||(theta1, theta2)||,
    then the instance g = 1 + 2 x1 + 3 x2 of A4."""
    g = written_sum(th0, th1 * x1, th2 * x2)
    norm2 = written_sum(th1**2, th2**2)
    t_star = -th0 / norm2
    gradient = sp.ImmutableMatrix([sp.Derivative(g, x1), sp.Derivative(g, x2)])
    proof.state(written_eq(g_sym, g), ", with ", sp.Tuple(th1, th2), " not both $0$")
    proof.given(g_sym, g, "the linear discriminant")
    proof.chain(normal).eq(gradient, "the normal of a level set $g = 0$ is the gradient of $g$") \
        .eq(sp.ImmutableMatrix([th1, th2]), "differentiate")
    # why the nearest point lies along the normal: split x along and across the normal;
    # Lagrange's identity then says the squared distance is (t^2 + s^2) ||theta||^2
    along = written_sum(th1 * x1, th2 * x2)
    across = written_sum(th2 * x1, -th1 * x2)
    proof.given(t, along / norm2, "the coordinate of ", sp.Tuple(x1, x2),
                " along the normal")
    proof.given(s_across, across / norm2, "its coordinate across it, along ",
                sp.Tuple(th2, -th1))
    proof.chain(written_product(norm2, written_sum(x1**2, x2**2))).eq(
        written_sum(sp.Pow(along, 2, evaluate=False), sp.Pow(across, 2, evaluate=False)),
        "Lagrange's identity, the equality form of the Cauchy–Schwarz inequality",
        label="cauchy-schwarz")
    proof.chain(written_sum(x1**2, x2**2)).eq(
        written_product(norm2, written_sum(t**2, s_across**2)),
        "divide by ", norm2, " and write both squares with ", t, " and ", s_across)
    proof.equation(g, sp.S.Zero, "a point ", sp.Tuple(x1, x2), " on the boundary",
                   eliminate=x2) \
        .implies(written_sum(th0, written_product(t, norm2)), sp.S.Zero,
                 written_eq(along, written_product(t, norm2)),
                 ": every point of the line has the same ", t,
                 label="along-normal") \
        .implies(t, t_star, "solve for ", t)
    proof.chain(foot).eq(sp.ImmutableMatrix([t_star * th1, t_star * th2]),
                         "on the line ", t, " is fixed, so ", written_sum(x1**2, x2**2),
                         " is least where ", written_eq(s_across, 0), ": the foot of the "
                         "perpendicular from the origin is ", t, " times the normal")
    proof.chain(dist).eq(sp.sqrt(written_sum((t_star * th1) ** 2, (t_star * th2) ** 2)),
                         "its distance from the origin") \
        .eq(sp.Abs(th0) / sp.sqrt(norm2), "take ", th0**2 / norm2**2, " out of the root")
    proof.chain(signed).eq(-th0 / sp.sqrt(norm2), "signed along the unit normal ",
                           symbol("n_hat", r"\hat{\mathbf{n}}"), ": ", foot, " is ", signed,
                           " times it, so ", sp.StrictLessThan(signed, 0, evaluate=False),
                           " says the line lies on the side of the origin that ",
                           symbol("-n_hat", r"-\hat{\mathbf{n}}"),
                           " points to (and the origin on the side $g > 0$)")
    squares = written_sum(sp.Pow(2, 2, evaluate=False), sp.Pow(3, 2, evaluate=False))
    proof.chain(d_a4).eq(sp.Abs(sp.S.One, evaluate=False) / sp.sqrt(squares),
                         "A4: ", written_eq(sp.Tuple(th0, th1, th2),
                                            sp.Tuple(*A4_WEIGHTS.values()))) \
        .eq(sp.Pow(sp.sqrt(13), -1, evaluate=False), "exactly") \
        .eq(sp.sqrt(13) / 13, "rationalise the denominator")   # SymPy would print 1/√13 so
    foot_is = sp.ImmutableMatrix([t * th1, t * th2]).xreplace(
        {t: only_solution(sp.solveset(th0 + th1 * t * th1 + th2 * t * th2, t))})
    distance = sp.sqrt(sp.Add(*[e**2 for e in only_solution(sp.linsolve(
        [th0 + th1 * x1 + th2 * x2, th2 * x1 - th1 * x2], [x1, x2]))]))
    proof.define(foot, foot_is)
    proof.define(normal, gradient)
    proof.define(dist, distance)
    # the signed distance is the foot's component along the unit normal
    proof.define(signed, (th1 * foot_is[0] + th2 * foot_is[1]) / sp.sqrt(th1**2 + th2**2))
    proof.define(d_a4, distance.xreplace(A4_WEIGHTS))
    proof.summarize("The boundary $g = 0$ of ", written_eq(g_sym, g), " has the normal ",
                    sp.Tuple(th1, th2), "; its distance from the origin is ",
                    sp.Abs(th0) / sp.sqrt(norm2), ", and ", th0, " alone moves it. For A4 the "
                    "distance is ", sp.sqrt(13) / 13, ".")
    proof.oracle(foot, sp.ImmutableMatrix(_nearest_point()), "sympy.linsolve: the nearest point "
                 "of the line, as a minimisation of the squared distance with a Lagrange "
                 "multiplier (its derivatives by plain sympy.diff)")


def _nearest_point() -> list[sp.Expr]:
    """argmin x1^2 + x2^2 subject to g = 0, solved by SymPy (an independent route)."""
    lam = sp.Symbol("lambda")
    lagrangian = x1**2 + x2**2 - lam * (th0 + th1 * x1 + th2 * x2)
    stationary = [independent_diff(lagrangian, s) for s in (x1, x2, lam)]
    x1_star, x2_star, _ = only_solution(sp.linsolve(stationary, [x1, x2, lam]))
    return [x1_star, x2_star]
