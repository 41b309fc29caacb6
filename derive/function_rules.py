"""The derivative each function class claims, against the derivative of what it means.

The verifier differentiates with each function's own rule (``fdiff``), for the symbolic proof
and for the numeric evidence alike, so a wrong rule would vouch for itself.  Before a
derivation is judged, each function class its steps use has its rule compared with
``sympy.diff`` of its meaning (derive's elementary form, or its rewrite in exp) near 0, far
from it and where the steps apply it; a disagreement is an error.
"""

from __future__ import annotations

import functools
import math
import random
from typing import Literal

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef, ArgumentIndexError

from derive.errors import DomainError
from derive.functions import elementary
from derive.proof import Derivation

DERIVATIVE_CHECK_POINTS = 5   # points in (-2, 2), and as many with 2 < |z| < 10^4
NEAR_STRATA = 128             # points near 0, one in each (-2, 2) / 128 of every coordinate
DERIVATIVE_USE_POINTS = 6     # points where the steps apply the function, on their domains
FAR_REACH = 4.0               # far points: |z| = 10^u, u uniform in (log10 2, FAR_REACH)


def check_function_derivatives(d: Derivation) -> None:
    """Raise DomainError where a function class the steps use (derive's, or a user
    library's) claims a derivative (``fdiff``) that disagrees with the derivative of its own
    meaning (its elementary form, or its rewrite in exp): the verifier carries out
    derivatives with ``fdiff``, for the symbolic proof and for the numeric evidence alike,
    so a wrong rule would vouch for itself (d/dz softsign(z) = 1/(1 + |z|) proved).

    The rule is compared near 0, far from it (|z| up to 10^4), and at the arguments the
    steps apply it to, their symbols drawn from the declared domains: a rule wrong only
    where |z| > 10 must not pass because no point went there."""
    applications: dict[type, list[sp.Basic]] = {}
    sides = [side for step in d.steps for side in (step.lhs, step.rhs)]
    sides += [side for o in d.oracles for side in (o.result, o.reference)]
    for side in sides:
        if isinstance(side, sp.Basic):
            for f in side.atoms(sp.Function):
                applications.setdefault(type(f), []).append(f)
    for cls in sorted(applications, key=lambda c: f"{c.__module__}.{c.__qualname__}"):
        if issubclass(cls, AppliedUndef) or cls.__module__.startswith(("sympy.", "mpmath.")):
            continue
        problem = _derivative_disagreement(cls, _points_of_use(applications[cls], d))
        if problem is not None:
            raise DomainError(f"{d.name}: {problem}")


def _points_of_use(nodes: list[sp.Basic], d: Derivation) -> tuple[tuple[float, ...], ...]:
    """Real argument tuples at which the steps apply a function: each application's
    arguments evaluated with its symbols drawn from the declared domains (else the default
    ones).  Applications whose arguments need sizes or cannot be evaluated are left out."""
    from derive.sampling import declared_domain, default_domain  # (imports no context)

    rng = random.Random(d.name)
    out: list[tuple[float, ...]] = []
    for node in sorted(set(nodes), key=sp.srepr)[:8]:
        free = sorted(node.free_symbols, key=str)
        if any(not isinstance(v, sp.Symbol) for v in free) or node.has(sp.Sum, sp.Product,
                                                                        sp.Indexed):
            continue
        intervals = [declared_domain(d.domains[v]) if v in d.domains else default_domain(v)
                     for v in free]
        try:
            args = sp.lambdify(free, sp.Tuple(*[elementary(a) for a in node.args]), "mpmath")
        except (TypeError, ValueError, NameError, SyntaxError, KeyError):
            continue
        for _ in range(DERIVATIVE_USE_POINTS):
            point = [rng.uniform(lo, hi) for lo, hi in intervals]
            try:
                with mpmath.workdps(30):
                    values = tuple(float(mpmath.mpmathify(v)) for v in args(*point))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError):
                continue
            if all(math.isfinite(v) for v in values):
                out.append(values)
    return tuple(out[:4 * DERIVATIVE_USE_POINTS])


def _meaning(node: sp.Expr) -> sp.Expr | None:
    """What a function application means, in plain SymPy: derive's elementary form, else
    its rewrite in exp; None where neither says anything more than the node itself."""
    plain = elementary(node)
    if plain == node:
        try:
            plain = node.rewrite(sp.exp)
        except (TypeError, ValueError, AttributeError, NotImplementedError):
            return None
    return None if plain == node or plain.has(type(node)) else plain


@functools.lru_cache(maxsize=256)
def _derivative_disagreement(cls: type, used: tuple[tuple[float, ...], ...] = ()
                             ) -> str | None:
    """How ``cls.fdiff`` disagrees with the derivative of the class's meaning, at random
    real arguments near 0 and far from it and at the argument tuples ``used`` (those of its
    arity), or None (also where it cannot be tried: no meaning, no fixed arity)."""
    declared = getattr(cls, "nargs", None)
    nargs = declared if isinstance(declared, sp.FiniteSet) else sp.FiniteSet(2, 3)
    rng = random.Random(f"{cls.__module__}.{cls.__qualname__}")
    for count in sorted(n for n in nargs if n.is_Integer and n > 0)[:3]:
        args = list(sp.symbols(f"_fd0:{count}", real=True))
        for first in (None, sp.Integer(1)):   # softmax(i, z1, ...): an index first
            try:
                called = [first, *args[1:]] if first is not None else args
                node = cls(*called)
                meaning = _meaning(node) if isinstance(node, cls) else None
            except (TypeError, ValueError, AttributeError, NotImplementedError, IndexError):
                continue
            if meaning is None:
                continue
            variables = [v for v in called if isinstance(v, sp.Symbol)]
            at = [tuple(p[k] for k, v in enumerate(called) if isinstance(v, sp.Symbol))
                  for p in used if len(p) == len(called)
                  and all(p[k] == v for k, v in enumerate(called) if not isinstance(v, sp.Symbol))]
            for k, a in enumerate(called, 1):
                if not isinstance(a, sp.Symbol):
                    continue
                try:
                    claimed = elementary(node.fdiff(k))
                    # a rule written with the function itself (sigma (1 - sigma)): its meaning
                    claimed = claimed.replace(lambda e: isinstance(e, cls),
                                              lambda e: _meaning(e) or e)
                except (ArgumentIndexError, TypeError, ValueError, NotImplementedError):
                    continue
                problem = _differs(sp.diff(meaning, a), claimed, variables, rng, at)
                if problem is not None:
                    return (f"the function {cls.__name__} claims the derivative "
                            f"{sp.sstr(node.fdiff(k))} in its argument {k}, but its meaning "
                            f"{sp.sstr(meaning)} has the derivative {sp.sstr(sp.diff(meaning, a))}"
                            f" ({problem}): steps that differentiate it would be checked with "
                            "the wrong rule")
            break
    return None


def _stratified(rng: random.Random, count: int) -> list[list[float]]:
    """NEAR_STRATA points in (-2, 2)^count, each coordinate once in every stratum of width
    4 / NEAR_STRATA (a Latin hypercube): five uniform points missed a rule wrong on a band
    of width 1/4 (z in (0.3, 0.55)) about three times in four."""
    width = 4 / NEAR_STRATA
    columns = []
    for _ in range(count):
        column = [-2 + (k + rng.random()) * width for k in range(NEAR_STRATA)]
        rng.shuffle(column)
        columns.append(column)
    return [list(point) for point in zip(*columns, strict=True)] if count else [[]]


def _far(rng: random.Random) -> float:
    return rng.choice((-1.0, 1.0)) * 10 ** rng.uniform(math.log10(2.0), FAR_REACH)


def _differs(expected: sp.Expr, claimed: sp.Expr, variables: list[sp.Symbol],
             rng: random.Random, used: list[tuple[float, ...]] | None = None) -> str | None:
    """Where two expressions differ: at random real points in (-2, 2), at as many far from 0
    (one coordinate or all with 2 < |z| < 10^4), and at the points ``used``; see
    :func:`_disagree`."""
    from derive.sampling import mp_function  # sampling imports nothing of the context

    f = mp_function(sp.Tuple(expected, claimed), list(variables))
    if hasattr(f, "unprintable"):
        return None
    near = _stratified(rng, len(variables))
    far = []
    for n in range(4 * DERIVATIVE_CHECK_POINTS):
        point = [rng.uniform(-2, 2) for _ in variables]
        if n % 2 or not point:
            point = [_far(rng) for _ in variables]
        else:
            point[rng.randrange(len(point))] = _far(rng)
        far.append(point)
    for points, wanted in ((near, len(near)), (far, DERIVATIVE_CHECK_POINTS),
                           ([list(p) for p in used or []], len(used or []))):
        tried = 0
        for point in points:
            if tried >= wanted:
                break
            outcome = _disagree(f, point)
            if outcome is None:
                continue
            tried += 1
            if outcome is not True:
                a, b = outcome
                shown = ", ".join(f"{v} = {mpmath.nstr(p, 6)}" for v, p in zip(variables, point,
                                                                            strict=True))
                return f"at {shown}: {mpmath.nstr(a, 10)} against {mpmath.nstr(b, 10)}"
    return None


def _disagree(f: object, point: list[float]
              ) -> tuple[mpmath.mpf, mpmath.mpf] | Literal[True] | None:
    """True where the two values of ``f`` agree at a point, None where they cannot be
    evaluated, else the two values.  The precision grows with the point's size (1 - sigma(z)
    at z = 5000 needs some 2,200 digits to be more than 0), and the point is evaluated again
    at twice that: only a relative 1e-20, or what the change between the two explains, is
    allowed."""
    big = max((abs(p) for p in point), default=0.0)
    digits = 40 + int(big / 2)
    got = []
    for dps in (digits, 2 * digits):
        try:
            with mpmath.workdps(dps):
                values = [mpmath.mpmathify(v) for v in f(*[mpmath.mpf(p) for p in point])]  # type: ignore[operator]
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError):
            return None
        if not all(mpmath.isfinite(v) for v in values):
            return None
        got.append(values)
    (a1, b1), (a2, b2) = got
    with mpmath.workdps(2 * digits):
        error = abs(a1 - a2) + abs(b1 - b2)
        if abs(a2 - b2) <= mpmath.mpf("1e-20") * max(abs(a2), abs(b2)) + 10 * error:
            return True
    return a2, b2
