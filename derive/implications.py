"""Judging an equation transformed from the previous one: solved, and every solution of each
substituted into the other (or, for a one-way step, of the previous one into this one)."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.branches import free_factors, lost_branch
from derive.context import Context, unfold
from derive.evidence import numeric_form, refutation
from derive.functions import elementary
from derive.proof import Step, Verdict, plain
from derive.sampling import (
    EVALUATION_ERRORS,
    PRECISION_DIGITS,
    compare_numerically,
    default_domain,
    domain,
    domain_condition,
    draw_value,
    is_integer_valued,
    mp_function,
    variables,
)
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
    candidates = _finite_candidates(found)
    if candidates is not None:
        found = candidates
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


def _finite_candidates(found: sp.Set) -> sp.FiniteSet | None:
    """The finite set of candidates in a solution set SymPy leaves as {s} minus excluded
    values, or {s} where it is real or positive (nested: ({s} ∩ ℝ) minus {3}); None when
    it is not of that form.  The candidates hold every solution (a superset is safe: each
    is judged only at points where it lies in x's domain, see _admissible); never the
    excluded values: (x + 2)/(x − 3) = n gave {(3n + 2)/(n − 1)} ∩ ℝ minus {3}, and {3},
    the one value x cannot take, was taken for the solutions (x = 3 was proved)."""
    if isinstance(found, sp.FiniteSet):
        return found
    if isinstance(found, sp.Complement):
        return _finite_candidates(found.args[0])   # args[1]: what is excluded
    if isinstance(found, sp.Intersection):
        for part in found.args:
            candidates = _finite_candidates(part)
            if candidates is not None:
                return candidates
    return None


def _admissible(x: sp.Symbol, s: sp.Expr, ctx: Context) -> sp.Basic:
    """Where a candidate solution s of x belongs: in the reals x's assumptions allow and in
    x's declared domain (as a condition on the other variables)."""
    conditions = [_solving_domain(x).as_relational(s)]
    if x in ctx.domains:   # in one of its pieces, for a domain declared as a union
        conditions.append(domain_condition(s, ctx.domains[x]))
    if ctx.where is not None:   # the step's condition at the solution, not at a random x
        conditions.append(ctx.where.xreplace({x: s}))
    return sp.And(*conditions)


def _admitted_somewhere(x: sp.Symbol, s: sp.Expr, ctx: Context, at: sp.Expr) -> bool:
    """Whether the candidate s lies in x's domain at some point tried, the step's condition
    left out (then the condition alone excluded every point)."""
    where = _admissible(x, s, dataclasses.replace(ctx, where=None))
    if where is sp.false:
        return False
    local = dataclasses.replace(ctx, where=None if where is sp.true else where)
    got, _ = compare_numerically(numeric_form(at), numeric_form(at), local)
    return got > 0


BRANCH_TRIALS = 3      # random points of the other variables per variable explored
MAX_BRANCH_VARIABLES = 6


def _other_branches(premise: sp.Expr, conclusion: sp.Expr, x: sp.Symbol, ctx: Context
                    ) -> dict[str, str] | None:
    """A counter-example on the premise's solution set reached through another variable.

    SymPy's solution for x may hold only for generic values of the others (x y = 0 gives
    x = 0, unless y = 0; x theta_1 = 0 unless theta_1 = 0; x (y - cos y) = 0 unless
    y = 0.739...).  For each other variable in turn, at random values of the rest, the
    premise is solved numerically from several starting points (mpmath's findroot), and the
    conclusion evaluated at every root found."""
    free = variables(sp.Tuple(premise, conclusion))
    premise_f = mp_function(elementary(numeric_form(premise)), free)
    conclusion_f = mp_function(elementary(numeric_form(conclusion)), free)
    rng = random.Random(ctx.seed)
    others = [v for v in free if v != x and not is_integer_valued(v)][:MAX_BRANCH_VARIABLES]
    with mpmath.workdps(PRECISION_DIGITS):
        for v in others:
            position = free.index(v)
            lo, hi = domain(v, ctx)
            for _ in range(BRANCH_TRIALS):
                point = [mpmath.mpf(draw_value(rng, domain(u, ctx), is_integer_valued(u),
                                               "random")) for u in free]
                for start in (lo + (hi - lo) * f for f in (0.1, 0.5, 0.9)):
                    root = _root(premise_f, point, position, start)
                    if root is None or not lo < root < hi:
                        continue
                    at = [*point[:position], root, *point[position + 1:]]
                    try:
                        value = mpmath.mpmathify(conclusion_f(*at))
                    except EVALUATION_ERRORS:
                        continue
                    scale = max([1, *(abs(p) for p in at)])
                    if abs(value) > mpmath.mpf("1e-12") * scale:
                        example = {str(u): mpmath.nstr(p, 8) for u, p in zip(free, at,
                                                                              strict=True)}
                        return {**example, "lhs": mpmath.nstr(value, 10), "rhs": "0"}
    return None


def _root(f: Any, point: list[Any], position: int, start: float) -> mpmath.mpf | None:
    """A real root of f in the variable at ``position`` (the others fixed), or None."""
    def g(t: Any) -> Any:
        return f(*point[:position], t, *point[position + 1:])

    try:
        root = mpmath.findroot(g, mpmath.mpf(start))
        if mpmath.im(root) != 0 or abs(g(root)) > mpmath.mpf(10) ** (8 - PRECISION_DIGITS):
            return None
        return mpmath.re(root)
    except (*EVALUATION_ERRORS, ArithmeticError):
        return None


def consequence(premise: sp.Expr, conclusion: sp.Expr, x: sp.Symbol, ctx: Context,
                premise_name: str = "the previous equation", quick: bool = False) -> Verdict:
    """Judge that ``conclusion = 0`` holds wherever ``premise = 0`` does.

    Every solution of the premise for x is substituted into the conclusion (proved
    symbolically, else compared at points where it lies in x's domain); then the premise's
    other solutions, reached through its other variables, are searched numerically (see
    _other_branches).  A premise with unspecified functions cannot be solved completely.
    """
    if premise.atoms(AppliedUndef):
        return Verdict("undecided", f"{premise_name} has unspecified functions: its "
                       f"solutions for {x} cannot be listed completely")
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
        where = _admissible(x, s, ctx)
        if where is sp.false:
            continue   # a number outside x's domain: not a solution there
        local = dataclasses.replace(ctx, where=None if where is sp.true else where)
        got, example = compare_numerically(numeric_form(at), sp.S.Zero, local)
        if example is not None and "error" not in example:
            return refutation(f"at the solution {x} = {sp.sstr(s)} of {premise_name}",
                              got, example)
        if not got and ctx.where is not None and _admitted_somewhere(x, s, ctx, at):
            # a solution in x's domain that the step's condition excludes at every point
            # tried: a condition met nowhere (y > 5 for y in (-2, 2)) claims nothing
            return Verdict("undecided", f"the solution {x} = {sp.sstr(s)} of {premise_name} "
                           "could not be checked at any point of the domains where the step "
                           "is claimed", agreed)
        agreed += got
    if not quick:
        example = _other_branches(premise, conclusion, x, ctx)
        if example is not None:
            return refutation(f"at a solution of {premise_name} found numerically through "
                              "another of its variables", 0, example)
        example = lost_branch(premise, conclusion, x, ctx)
        if example is not None:
            return refutation(f"where a factor of {premise_name} free of {x} vanishes (it "
                              f"then holds for every {x})", 0, example)
    # a factor free of x that may vanish: its zeros are solutions for every x, which the
    # solutions for x leave out; searched numerically above, so no proof
    degenerate = free_factors(premise, x)
    if not complete:
        return Verdict("undecided", f"the solutions of {premise_name} for {x} are not a "
                       "finite set SymPy can list; none of those tried is a counter-example",
                       agreed)
    if proved and not degenerate:
        return Verdict("proved", f"every solution for {x} of {premise_name} satisfies "
                       "the other (its other solutions searched numerically)", agreed)
    unproved = (f"; but {', '.join(map(sp.sstr, degenerate))} (free of {x}) may vanish, "
                "its zeros searched numerically") if degenerate else ""
    return Verdict("checked", f"every solution for {x} of {premise_name} satisfies "
                   f"the other {'symbolically' if proved else f'at {agreed} points'} (its other "
                   f"solutions searched numerically){unproved}", agreed, tactic="solutions")


def check_implies(previous: Step, step: Step, ctx: Context, quick: bool = False) -> Verdict:
    """Judge an equation transformed from the previous one: equivalent to it (every solution
    of each satisfies the other), or, for a step declared one-way, following from it.
    ``quick`` (re-confirming a cached mark): the previous equation's solutions for x only."""
    x = step.eliminate
    if x is None:
        raise ValueError(f"implication step '{plain(step.rule)}' names no symbol to eliminate")
    old = unfold(previous.lhs - previous.rhs, ctx)
    new = unfold(step.lhs - step.rhs, ctx)
    forward = consequence(old, new, x, ctx, quick=quick)
    if quick or step.one_way or forward.status in ("refuted", "undecided"):
        return forward
    backward = consequence(new, old, x, ctx, "this equation")
    if backward.status == "refuted":
        return Verdict("refuted", f"not an equivalence, the converse fails: {backward.method} "
                       "(declare the step one-way if only the implication is meant)",
                       backward.points, backward.counterexample)
    if backward.status == "undecided":
        return Verdict("undecided", f"follows from the previous equation, but the converse is "
                       f"undecided: {backward.method}", forward.points + backward.points)
    both = forward.status == backward.status == "proved"
    return Verdict("proved" if both else "checked", f"equivalent to the previous equation: "
                   f"{forward.method}, and conversely", forward.points + backward.points,
                   tactic="solutions")
