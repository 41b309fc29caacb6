"""A memo for the free symbols of sums, products and integrals (SymPy recomputes them).

``Sum.free_symbols`` rewrites the whole summand on every call, and SymPy asks for it on
every ``is_number`` test that ``Add`` and ``Mul`` make while building expressions: with
nested sums, most of a verification's time went there.  SymPy expressions are immutable
and equal ones have equal free symbols, so remembering the answer changes nothing but the
time (a quarter of the verifier's).  :func:`install` is called by the verifier's modules;
it is idempotent.
"""

from __future__ import annotations

import functools
from typing import Any

from sympy.concrete.expr_with_limits import ExprWithLimits

MEMO_SIZE = 1 << 16    # expressions remembered (least recently used are dropped)

_computed = ExprWithLimits.free_symbols.fget


@functools.lru_cache(maxsize=MEMO_SIZE)
def _free_symbols(expr: ExprWithLimits) -> frozenset[Any]:
    return frozenset(_computed(expr))


def _memo_free_symbols(expr: ExprWithLimits) -> set[Any]:
    return set(_free_symbols(expr))   # a fresh set: SymPy's callers may change theirs


def install() -> None:
    """Make ``ExprWithLimits.free_symbols`` (Sum, Product, Integral) remember its answers."""
    if ExprWithLimits.free_symbols.fget is _memo_free_symbols:
        return
    ExprWithLimits.free_symbols = property(_memo_free_symbols,
                                           doc=ExprWithLimits.free_symbols.__doc__)
