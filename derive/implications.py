"""Judging an equation transformed from the previous one: solved, and every solution of each
substituted into the other (or, for a one-way step, of the previous one into this one)."""

from __future__ import annotations

import sympy as sp

from derive.context import Context, unfold
from derive.evidence import CROSS_CHECK_POINTS, numeric_form, refutation
from derive.functions import elementary
from derive.proof import Step, Verdict, plain
from derive.sampling import compare_numerically, default_domain
from derive.tactics import carry_out_derivatives, reduces_to_zero


def _solving_domain(x: sp.Symbol) -> sp.Set:
    """Where an implication's variable is solved for: the reals its assumptions allow."""
    if x.is_positive:
        return sp.Interval.open(0, sp.oo)
    if x.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if x.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    return sp.S.Reals


IMAGE_SET_INSTANCES = range(-3, 4)   # the branches n of an infinite family tried
INTERVAL_SOLUTION_POINTS = 5


def _solutions(equation: sp.Expr, x: sp.Symbol, ctx: Context
               ) -> tuple[list[sp.Expr], bool] | None:
    """The solutions of ``equation = 0`` for x: (solutions, complete).  Incomplete: points
    of a continuum or of an infinite family of solutions, enough to refute, not to prove.
    None when SymPy cannot solve it."""
    try:
        found = sp.solveset(elementary(equation), x, _solving_domain(x))
    except (NotImplementedError, TypeError, ValueError):
        return None
    if isinstance(found, (sp.Complement, sp.Intersection)) and any(
            isinstance(a, sp.FiniteSet) for a in found.args):
        # {s} minus excluded values, or {s} where it is real: each s is checked wherever
        # it is evaluated, which is stricter than checking it only where it belongs
        found = next(a for a in found.args if isinstance(a, sp.FiniteSet))
    if isinstance(found, sp.FiniteSet):
        return list(found), True
    pieces = found.args if isinstance(found, sp.Union) else (found,)
    points: list[sp.Expr] = []
    lo, hi = ctx.domains.get(x, default_domain(x))
    for piece in pieces:
        if isinstance(piece, sp.FiniteSet):
            points.extend(piece)
        elif isinstance(piece, sp.Interval):
            a = max(float(piece.start), lo) if piece.start.is_finite else lo
            b = min(float(piece.end), hi) if piece.end.is_finite else hi
            if piece.start.is_finite and piece.end.is_finite and not a < b:
                a, b = float(piece.start), float(piece.end)
            points.extend(sp.Float(a + (b - a) * (k + 0.5) / INTERVAL_SOLUTION_POINTS)
                          for k in range(INTERVAL_SOLUTION_POINTS))
        elif isinstance(piece, sp.ImageSet):
            (n,) = piece.lamda.variables
            points.extend(piece.lamda.expr.xreplace({n: v}) for v in IMAGE_SET_INSTANCES)
        else:
            return None
    return points, False


def _consequence(premise: sp.Expr, conclusion: sp.Expr, x: sp.Symbol, ctx: Context,
                 premise_name: str = "the previous equation") -> Verdict:
    """Judge that ``conclusion = 0`` holds wherever ``premise = 0`` does.

    Every solution of the premise for x is substituted into the conclusion (proved
    symbolically, else compared at points); the premise is also solved for each of its other
    variables in turn, and the conclusion compared at points of those solutions, so that a
    solution SymPy gives only for generic values (x y = 0 gives x = 0 unless y = 0) cannot
    hide the others.
    """
    solved = _solutions(premise, x, ctx)
    if solved is None:
        return Verdict("undecided", f"{premise_name} could not be solved for {x}")
    solutions, complete = solved
    if complete and not solutions:
        return Verdict("undecided", f"{premise_name} has no solution for {x}")
    proved, agreed = True, 0
    for s in solutions:
        at = conclusion.xreplace({x: s})
        if complete and reduces_to_zero(carry_out_derivatives(at, ctx.ranges)):
            continue
        proved = False
        got, example = compare_numerically(numeric_form(at), sp.S.Zero, ctx)
        if example is not None:
            return refutation(f"at the solution {x} = {sp.sstr(s)} of {premise_name}",
                            got, example)
        agreed += got
    for other in sorted(premise.free_symbols - {x}, key=str):
        if not isinstance(other, sp.Symbol) or other in ctx.indices or other in ctx.sizes:
            continue
        branch = _solutions(premise, other, ctx)
        for s in branch[0] if branch else []:
            got, example = compare_numerically(numeric_form(conclusion.xreplace({other: s})),
                                               sp.S.Zero, ctx, CROSS_CHECK_POINTS)
            if example is not None and "error" not in example:
                return refutation(f"at the solution {other} = {sp.sstr(s)} of {premise_name}",
                                  got, example)
            agreed += got
    if not complete:
        return Verdict("undecided", f"the solutions of {premise_name} for {x} are not a "
                       "finite set SymPy can list; none of those tried is a counter-example",
                       agreed)
    if proved:
        return Verdict("proved", f"every solution for {x} of {premise_name} satisfies "
                       "the other", agreed)
    return Verdict("checked", f"every solution for {x} of {premise_name} satisfies "
                   f"the other at {agreed} random points", agreed)


def check_implies(previous: Step, step: Step, ctx: Context) -> Verdict:
    """Judge an equation transformed from the previous one: equivalent to it (every solution
    of each satisfies the other), or, for a step declared one-way, following from it."""
    x = step.eliminate
    if x is None:
        raise ValueError(f"implication step '{plain(step.rule)}' names no symbol to eliminate")
    old = unfold(previous.lhs - previous.rhs, ctx)
    new = unfold(step.lhs - step.rhs, ctx)
    forward = _consequence(old, new, x, ctx)
    if step.one_way or forward.status in ("refuted", "undecided"):
        return forward
    backward = _consequence(new, old, x, ctx, "this equation")
    if backward.status == "refuted":
        return Verdict("refuted", f"not an equivalence, the converse fails: {backward.method} "
                       "(declare the step one-way if only the implication is meant)",
                       backward.points, backward.counterexample)
    if backward.status == "undecided":
        return Verdict("undecided", f"follows from the previous equation, but the converse is "
                       f"undecided: {backward.method}", forward.points + backward.points)
    both = forward.status == backward.status == "proved"
    return Verdict("proved" if both else "checked", f"equivalent to the previous equation: {forward.method}, and "
                   "conversely", forward.points + backward.points)
