"""The solutions of an equation that SymPy's solution for x leaves out: where a factor free of
x vanishes, the equation holds for every x.

x (y - 3/10)^2 = 0 is solved as x = 0, but at y = 3/10 every x solves it; dividing by that
factor loses the branch.  The factors free of x are read off the factored numerator; one
that SymPy cannot show nonzero is searched for zeros numerically (its roots in each variable,
and its critical points, where a square such as (y - 3/10)^2 or (y - a)^2 + (w - b)^2 touches
0 without changing sign), and the conclusion is evaluated there at several values of x.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import mpmath
import sympy as sp

from derive.context import Context
from derive.evidence import numeric_form
from derive.functions import elementary
from derive.sampling import (
    EVALUATION_ERRORS,
    PRECISION_DIGITS,
    domain,
    draw_value,
    is_integer_valued,
    mp_function,
    variables,
)

TRIALS = 3               # random points of the other variables per search
MAX_JOINT_VARIABLES = 4  # critical points searched jointly in at most so many variables
X_VALUES = 3             # values of x tried at a zero of a factor
ZERO = mpmath.mpf(10) ** (8 - PRECISION_DIGITS)


def free_factors(equation: sp.Expr, x: sp.Basic) -> list[sp.Expr]:
    """The non-constant factors of ``equation``'s numerator that are free of x and that
    SymPy cannot show to be nonzero (exp(y) and y^2 + 1 are not listed)."""
    try:
        numerator = sp.fraction(sp.together(elementary(numeric_form(equation))))[0]
        _, factors = sp.factor_list(numerator)
    except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
        return []
    return [g for g, _ in factors if not g.has(x) and g.free_symbols
            and not (g.is_positive or g.is_negative or g.is_zero is False)]


def _scale(values: list[Any]) -> Any:
    return max([mpmath.mpf(1), *(abs(v) for v in values)])


def _root_of(f: Callable[..., Any], point: list[Any], position: int, start: Any) -> Any:
    """A real root of f in the variable at ``position`` (the others fixed), or None."""
    def g(t: Any) -> Any:
        return f(*point[:position], t, *point[position + 1:])

    try:
        root = mpmath.findroot(g, mpmath.mpf(start))
    except (*EVALUATION_ERRORS, ArithmeticError):
        return None
    return None if mpmath.im(root) != 0 else mpmath.re(root)


def _zeros(g: sp.Expr, ctx: Context, rng: random.Random) -> list[dict[sp.Basic, Any]]:
    """Points (values of g's variables) where g is 0, found numerically: roots in each
    variable, and critical points (each variable's, then jointly) where g is 0."""
    free = variables(g)
    g_f = mp_function(g, free)
    grads = [mp_function(sp.diff(g, v), free) if isinstance(v, (sp.Symbol, sp.Indexed))
             else None for v in free]
    real = [k for k, v in enumerate(free) if not is_integer_valued(v)]
    found: list[dict[sp.Basic, Any]] = []

    def keep(at: list[Any]) -> None:
        try:
            small = abs(g_f(*at)) <= ZERO * _scale(at)
        except EVALUATION_ERRORS:
            return
        inside = all(domain(v, ctx)[0] < a < domain(v, ctx)[1]
                     for k, (v, a) in enumerate(zip(free, at, strict=True)) if k in real)
        if small and inside:
            found.append(dict(zip(free, at, strict=True)))

    def draw() -> list[Any]:
        return [mpmath.mpf(draw_value(rng, domain(v, ctx), is_integer_valued(v), "random"))
                for v in free]

    with mpmath.workdps(PRECISION_DIGITS):
        for k in real:
            lo, hi = domain(free[k], ctx)
            for _ in range(TRIALS):
                point = draw()
                for start in (lo + (hi - lo) * f for f in (0.1, 0.5, 0.9)):
                    for f in (g_f, grads[k]):
                        root = None if f is None else _root_of(f, point, k, start)
                        if root is not None:
                            keep([*point[:k], root, *point[k + 1:]])
            if found:
                return found
        if 2 <= len(real) <= MAX_JOINT_VARIABLES and all(grads[k] for k in real):
            for _ in range(TRIALS):
                point = draw()

                def gradient(*u: Any, point: list[Any] = point) -> list[Any]:
                    at = list(point)
                    for k, value in zip(real, u, strict=True):
                        at[k] = value
                    return [grads[k](*at) for k in real]   # type: ignore[misc]

                try:
                    critical = mpmath.findroot(gradient, [point[k] for k in real])
                except (*EVALUATION_ERRORS, ArithmeticError, ZeroDivisionError):
                    continue
                values = critical if hasattr(critical, "tolist") else [critical]
                at = list(point)
                for k, value in zip(real, list(values), strict=True):
                    at[k] = mpmath.re(value)
                keep(at)
    return found


def lost_branch(premise: sp.Expr, conclusion: sp.Expr, x: sp.Symbol, ctx: Context
                ) -> dict[str, str] | None:
    """A counter-example where a factor of the premise free of x vanishes (the premise holds
    there for every x) and the conclusion fails for some x; None if none is found."""
    factors = free_factors(premise, x)
    if not factors:
        return None
    rng = random.Random(ctx.seed)
    free = variables(sp.Tuple(premise, conclusion, x))
    premise_f = mp_function(elementary(numeric_form(premise)), free)
    conclusion_f = mp_function(elementary(numeric_form(conclusion)), free)
    for g in factors:
        for zero in _zeros(g, ctx, rng):
            for _ in range(X_VALUES):
                at = [zero[v] if v in zero else mpmath.mpf(
                    draw_value(rng, domain(v, ctx), is_integer_valued(v), "random"))
                    for v in free]
                with mpmath.workdps(PRECISION_DIGITS):
                    try:
                        holds = abs(premise_f(*at)) <= ZERO * _scale(at) * 1e6
                        value = mpmath.mpmathify(conclusion_f(*at))
                    except EVALUATION_ERRORS:
                        continue
                    if holds and abs(value) > mpmath.mpf("1e-12") * _scale(at):
                        example = {str(u): mpmath.nstr(p, 8) for u, p in zip(free, at,
                                                                              strict=True)}
                        return {**example, "lhs": mpmath.nstr(value, 10), "rhs": "0",
                                "factor": sp.sstr(g)}
    return None
