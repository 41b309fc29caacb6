"""Numbers as people compute them by hand: every decimal literal is an interval of ± one unit
in its last digit (so a truncated σ(0.08) = 0.5199 passes and 0.02 × 0.52248 = 0.01049 does
not), evaluated with mpmath's interval arithmetic."""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp

from derive.check.errors import NotUnderstood
from derive.functions import relu, sigmoid

iv = mpmath.iv


@dataclass(frozen=True)
class Literal:
    """A number as written: its value and the unit of its last digit (0 when exact)."""

    value: sp.Rational
    unit: sp.Rational
    significant: int = 0
    claimed: bool = False        # on the claimed (right) side of the link
    known_rounded: bool = False  # the text gave it before as a rounded result

    @property
    def rounded(self) -> bool:
        """A number that stands for an interval of ± half a unit in its last digit: one on
        the claimed side (0.62 × 0.38 for σ′(0.5)), one of three significant digits or more
        (0.52248), one the text rounded before (e^{-3} = 0.05, then 1 + 0.05); given data
        such as 0.02 or 0.45 on the computing side is exact."""
        return self.claimed or self.known_rounded or self.significant >= 3


def literal_of(text: str) -> Literal:
    """The literal of a number's text: ``0.5199`` is 0.5199 ± 0.0001; integers are exact."""
    mantissa, _, power = text.lower().partition("e")
    scale = sp.Integer(10) ** int(power) if power else sp.Integer(1)
    digits = len(mantissa.replace(".", "").lstrip("0"))
    if "." in mantissa or power:
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return Literal(sp.Rational(mantissa) * scale, sp.Rational(1, 10 ** decimals) * scale,
                       digits)
    return Literal(sp.Integer(mantissa), sp.Integer(0), digits)


def interval(expr: sp.Expr, literals: dict[sp.Symbol, Literal], widen: bool = True
             ) -> mpmath.ctx_iv.ivmpf:
    """The interval of values a hand-computed expression can stand for: its rounded literals
    ± one unit in their last digit (with ``widen``), its given data exact.  A claimed result
    that is one number is ± one unit whatever its digits (see :func:`claimed`)."""
    iv.prec = 80
    return _interval(expr, literals, widen)


def _interval(e: sp.Expr, lits: dict[sp.Symbol, Literal], widen: bool) -> mpmath.ctx_iv.ivmpf:
    if e in lits:
        lit = lits[e]
        return _around(lit.value, lit.unit / 2 if widen and lit.rounded else sp.Integer(0))
    if isinstance(e, sp.Rational):
        return _around(e, sp.Integer(0))
    if e is sp.pi:
        return iv.pi
    if e is sp.E:
        return iv.e
    args = [_interval(a, lits, widen) for a in e.args]
    if isinstance(e, sp.Add):
        total = args[0]
        for a in args[1:]:
            total = total + a
        return total
    if isinstance(e, sp.Mul):
        total = args[0]
        for a in args[1:]:
            total = total * a
        return total
    if isinstance(e, sp.Pow):
        base, exponent = args
        if isinstance(e.exp, sp.Integer):
            return base ** int(e.exp)
        if e.exp == sp.Rational(1, 2):
            return iv.sqrt(base)
        return iv.exp(exponent * iv.log(base))
    unary = {sp.exp: iv.exp, sp.log: iv.log, sp.tanh: _tanh, sp.sin: iv.sin,
             sp.cos: iv.cos, sp.Abs: abs}
    if e.func in unary and len(args) == 1:
        return unary[e.func](args[0])
    if e.func == sigmoid:
        return 1 / (1 + iv.exp(-args[0]))
    if e.func == relu:
        return iv.mpf([max(0, args[0].a), max(0, args[0].b)])
    if isinstance(e, (sp.Max, sp.Min)):
        pick = max if isinstance(e, sp.Max) else min
        return iv.mpf([pick(a.a for a in args), pick(a.b for a in args)])
    raise NotUnderstood(f"a number computed with {e.func.__name__}")


def _tanh(x: mpmath.ctx_iv.ivmpf) -> mpmath.ctx_iv.ivmpf:
    """tanh(x) = 1 - 2 / (exp(2x) + 1), in interval arithmetic (an enclosure)."""
    return 1 - 2 / (iv.exp(2 * x) + 1)


def _around(value: sp.Rational, unit: sp.Rational) -> mpmath.ctx_iv.ivmpf:
    """value ± unit, enclosed outward (a decimal such as 0.09 has no exact binary form)."""
    middle = iv.mpf(value.p) / value.q
    if unit == 0:
        return middle
    return middle + (iv.mpf(unit.p) / unit.q) * iv.mpf([-1, 1])


OPEN = sp.Rational(999, 1000)     # the ends of a claimed interval are excluded


def claimed(expr: sp.Expr, literals: dict[sp.Symbol, Literal]) -> mpmath.ctx_iv.ivmpf:
    """The interval of a claimed result: one number is ± one unit in its last digit (a
    rounding or a truncation), its ends excluded (0.6 is not 0.7)."""
    if expr in literals:
        lit = literals[expr]
        return _around(lit.value, lit.unit * OPEN)
    return interval(expr, literals)


def overlap(a: mpmath.ctx_iv.ivmpf, b: mpmath.ctx_iv.ivmpf) -> bool:
    """Whether two intervals share a point."""
    return not (a.b < b.a or b.b < a.a)


def shown(value: mpmath.ctx_iv.ivmpf, digits: int = 6) -> str:
    """An interval's middle, as a reason prints it."""
    middle = (mpmath.mpf(value.a.a) + mpmath.mpf(value.b.b)) / 2
    return mpmath.nstr(middle, digits)
