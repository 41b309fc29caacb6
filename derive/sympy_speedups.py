"""Speed-ups of SymPy that change nothing but the time: memos for things it recomputes on
every call (each the same for equal inputs), a fixed order for its assumption queries, and
comparisons of numbers that skip a useless conversion.

* ``Sum.free_symbols`` rewrites the whole summand on every call, and SymPy asks for it on
  every ``is_number`` test that ``Add`` and ``Mul`` make while building expressions: with
  nested sums, most of a verification's time went there.  SymPy expressions are immutable
  and equal ones have equal free symbols, so remembering the answer changes nothing but
  the time (a quarter of the verifier's).
* Every new ``Sum`` looks through its whole summand for piecewise functions to bring out
  (``atoms(Piecewise)``), again at every level of a nested sum: whether an expression holds
  one is remembered, and a summand without one skips that step.
* Every new ``Indexed`` (``w[g, q]``) deduces all the facts that follow from its base's
  assumptions, the same facts each time: they are deduced once per set of assumptions, and
  each new object gets its own copy (SymPy adds to it as questions are answered).
* To decide an assumption (is this sum positive?), SymPy shuffles the related facts it will
  try, with a randomly seeded generator: a self-test that its handlers do not depend on the
  order.  They are tried in their given order instead, which is quicker and makes every
  query the same from run to run.
* A Rational compared with a float or a dict first converts the other side to SymPy
  objects: ``Infinity == r`` asks ``r == float('inf')`` on every product SymPy builds, and
  ``Factors`` compares its dict of factors with 1 on every construction.  The answer is
  False whatever the conversion gives, so it is returned at once.

:func:`install` is called by the verifier's modules; it is idempotent.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import sympy.concrete.expr_with_limits as expr_with_limits
from sympy import Basic, Equality, Piecewise, Rational, S, sympify
from sympy.concrete.expr_with_limits import ExprWithLimits, _process_limits
from sympy.core.assumptions import StdFactKB
from sympy.core.logic import fuzzy_bool
from sympy.tensor.indexed import IndexedBase

MEMO_SIZE = 1 << 16    # expressions remembered (least recently used are dropped)

_computed = ExprWithLimits.free_symbols.fget


@functools.lru_cache(maxsize=MEMO_SIZE)
def _free_symbols(expr: ExprWithLimits) -> frozenset[Any]:
    return frozenset(_computed(expr))


def _memo_free_symbols(expr: ExprWithLimits) -> set[Any]:
    return set(_free_symbols(expr))   # a fresh set: SymPy's callers may change theirs


@functools.lru_cache(maxsize=MEMO_SIZE)
def _has_piecewise(expr: Basic) -> bool:
    return isinstance(expr, Piecewise) or any(_has_piecewise(a) for a in expr.args)


_full_common_new = expr_with_limits._common_new


def _common_new(cls: type, function: Any, *symbols: Any, discrete: bool,
                **assumptions: Any) -> Any:
    """As SymPy's ``_common_new`` of sums and products; a summand without a piecewise
    function skips the search for one."""
    function = sympify(function)
    if not symbols or isinstance(function, Equality) or function is S.NaN or _has_piecewise(
            function):
        return _full_common_new(cls, function, *symbols, discrete=discrete, **assumptions)
    limits, orientation = _process_limits(*symbols, discrete=discrete)
    if any(len(limit) == 4 for limit in limits):
        return _full_common_new(cls, function, *symbols, discrete=discrete, **assumptions)
    while type(function) is cls:   # denest, as SymPy does
        nested: Any = function
        limits, function = list(nested.limits) + limits, nested.function
    return function, limits, orientation


@functools.lru_cache(maxsize=1024)
def _deduced(assumptions: tuple[tuple[str, Any], ...]) -> StdFactKB:
    return StdFactKB(dict(assumptions))


def _set_assumptions(obj: Any, assumptions: dict[str, Any]) -> None:
    """As ``IndexedBase._set_assumptions``, the deduction remembered."""
    given = assumptions.copy()
    assumptions["commutative"] = fuzzy_bool(assumptions.get("commutative", True))
    deduced = _deduced(tuple(sorted(assumptions.items())))
    facts = dict.__new__(StdFactKB)
    dict.update(facts, deduced)
    facts.rules = deduced.rules
    facts._generator = given   # as SymPy sets it (Issue #8873); only ever copied
    obj._assumptions = facts


def _in_given_order(facts: list[str]) -> None:
    """In place of SymPy's shuffle of the facts an assumption query tries next."""


_full_rational_eq = Rational.__eq__


def _rational_eq(self: Rational, other: Any) -> Any:
    """As ``Rational.__eq__``, without first converting a float or a dict to SymPy objects:
    the converted float is a Float (or an infinity), the dict stays a dict, and a Rational
    equals neither, so the answer is False either way."""
    if isinstance(other, (float, dict)):
        return False
    return _full_rational_eq(self, other)


def install() -> None:
    """Make ``ExprWithLimits.free_symbols`` (Sum, Product, Integral) remember its answers,
    new sums skip the search for piecewise functions where there are none, ``Indexed``
    deduce the facts of its assumptions once, assumption queries try facts in order, and
    a Rational compared with a float or a dict answers at once."""
    if ExprWithLimits.free_symbols.fget is _memo_free_symbols:
        return
    sys.modules["sympy.core.assumptions"].shuffle = _in_given_order  # type: ignore[attr-defined]
    ExprWithLimits.free_symbols = property(_memo_free_symbols,
                                           doc=ExprWithLimits.free_symbols.__doc__)
    IndexedBase._set_assumptions = staticmethod(_set_assumptions)
    expr_with_limits._common_new = _common_new
    Rational.__eq__ = _rational_eq
