"""Central finite differences: a check of a derivative that uses no differentiation code.

A derivation's result ``d f / d v = g`` is compared, at points of the domains (and, in index
notation, at concrete sizes and index values), with ``(f(v + h) - f(v - h)) / 2h`` evaluated
with mpmath at 50 digits: neither SymPy's rules nor derive's own (the custom functions'
derivatives) take part, only the evaluation of ``f`` itself.  With h = 1e-15 the truncation
error (about h² f''') and the rounding error (about |f| 1e-50 / h) are far below the
tolerance, 1e-12 of the values compared (of the values, not of 1: a derivative of 1e-13
must agree to about 1e-25, not to 1e-12).
"""

from __future__ import annotations

import random
from typing import Any

import mpmath
import sympy as sp

from derive.sampling import (
    EVALUATION_ERRORS,
    Domains,
    RandomArray,
    domain,
    draw_value,
    is_integer_valued,
    mp_function,
)

DIGITS = 50
STEP = mpmath.mpf("1e-15")
TOLERANCE = mpmath.mpf("1e-12")   # relative to the values; a wrong derivative differs by more
POINTS = 3


def differences_agree(f: sp.Expr, v: sp.Basic, g: sp.Expr, ctx: Domains,
                      assignment: dict[sp.Symbol, int] | None = None
                      ) -> tuple[int, dict[str, str] | None]:
    """Compare g with the central difference of f in v at a few points.

    ``f`` and ``g`` are in elementary form, free of written derivatives; ``v`` is a symbol or
    an entry ``theta[j]``; ``assignment`` fixes sizes and free indices.  Returns (points
    compared, counter-example or None); a point that cannot be evaluated is skipped.
    """
    values = {k: sp.Integer(n) for k, n in (assignment or {}).items()}
    f, g, v = (e.xreplace(values) for e in (f, g, v))
    pair = sp.Tuple(f, g, v)
    bases = sorted({e.base for e in pair.atoms(sp.Indexed)}, key=str)
    labels = {b.label for b in bases}
    inside = set().union(*(i.free_symbols for e in pair.atoms(sp.Indexed) for i in e.indices))
    if inside & pair.free_symbols:
        return 0, None   # an index with no value: nothing to evaluate
    scalars = sorted((s for s in pair.free_symbols - labels - inside
                      if isinstance(s, sp.Symbol)), key=str)
    arguments: list[sp.Basic] = [*scalars, *bases]
    compiled = mp_function(sp.Tuple(f, g), arguments)
    if hasattr(compiled, "unprintable"):
        return 0, None
    rng = random.Random(getattr(ctx, "seed", 0))
    compared = 0
    for _ in range(2 * POINTS):
        if compared >= POINTS:
            break
        point: list[Any] = [draw_value(rng, domain(s, ctx), is_integer_valued(s), "random")
                            for s in scalars]
        arrays = [RandomArray(rng, domain(b, ctx), "random", is_integer_valued(b))
                  for b in bases]
        outcome = _at_point(compiled, point, arrays, scalars, bases, v)
        if outcome is None:
            continue
        compared += 1
        difference, value, size = outcome
        # rounding in f(v +- h) is about |f| 10^-DIGITS, divided by h in the difference;
        # the tolerance is relative to the values, not to 1: below 1 it let a derivative of
        # 1e-13 (sigma' at z = 30) be 0 or twice too large
        rounding = size * mpmath.mpf(10) ** (10 - DIGITS) / STEP
        allowed = TOLERANCE * max(abs(value), abs(difference)) + rounding
        if abs(difference - value) > allowed:
            where = {str(s): mpmath.nstr(x, 8) for s, x in zip(scalars, point, strict=True)}
            return compared, {**where, **{str(k): str(n) for k, n in (assignment or {}).items()},
                              "lhs": f"finite difference {mpmath.nstr(difference, 12)}",
                              "rhs": mpmath.nstr(value, 12)}
    return compared, None


def _at_point(compiled: Any, point: list[Any], arrays: list[RandomArray],
              scalars: list[sp.Symbol], bases: list[sp.IndexedBase], v: sp.Basic
              ) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf] | None:
    """(central difference of f, value of g, |f|) at a point; None where not evaluable."""
    with mpmath.workdps(DIGITS):
        scalar_values = [mpmath.mpf(x) for x in point]
        array_values = [_MpArray(a) for a in arrays]

        def evaluate(shift: mpmath.mpf) -> tuple[Any, Any]:
            s_values, a_values = list(scalar_values), array_values
            if isinstance(v, sp.Indexed):
                position = bases.index(v.base)
                key = tuple(int(i) for i in v.indices)
                key_ = key[0] if len(key) == 1 else key
                a_values = list(array_values)
                a_values[position] = array_values[position].shifted(key_, shift)
            else:
                position = scalars.index(v)
                s_values[position] = s_values[position] + shift
            return compiled(*s_values, *a_values)

        try:
            upper, _ = evaluate(STEP)
            lower, _ = evaluate(-STEP)
            _, value = evaluate(mpmath.mpf(0))
            difference = (mpmath.mpmathify(upper) - mpmath.mpmathify(lower)) / (2 * STEP)
            value = mpmath.mpmathify(value)
        except EVALUATION_ERRORS:
            return None
        if not (mpmath.isfinite(difference) and mpmath.isfinite(value)):
            return None
        return difference, value, abs(mpmath.mpmathify(upper))


class _MpArray:
    """A RandomArray read as mpf entries, one entry optionally shifted."""

    def __init__(self, array: RandomArray, key: Any = None,
                 shift: mpmath.mpf | None = None) -> None:
        self.array, self.key, self.shift = array, key, shift

    def shifted(self, key: Any, shift: mpmath.mpf) -> _MpArray:
        return _MpArray(self.array, key, shift)

    def __getitem__(self, key: Any) -> mpmath.mpf:
        value = mpmath.mpf(self.array[key])
        return value + self.shift if self.shift is not None and key == self.key else value
