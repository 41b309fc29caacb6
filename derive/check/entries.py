"""Entries of a family summed over: where a link sums over z_k (Σ_k e^{z_k}) and also names
an entry z_j, the entry is z[j] of the same family, so that ∂/∂z_j Σ_k e^{z_k} = e^{z_j}
(the verifier's Kronecker-delta sums, derive.tactics).  A free index then ranges over the
sum's range, and a reading in which two indices differ (derive.check.indices) says so."""

from __future__ import annotations

import contextvars
import re

import sympy as sp

from derive.context import ranges_key
from derive.tactics import carry_out_derivatives, within_index_ranges

_ENTRY = re.compile(r"^(.+)_\{([A-Za-z]|\d+)\}$")
FAMILY = "_{·}"
Range = tuple[sp.Expr, sp.Expr]

# the pairs of indices a reading takes to differ (i ≠ j): set while it is judged
APART: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar(
    "apart", default=())


def families(*sides: sp.Basic) -> set[str]:
    """The names of the families a Σ or Π runs over (z_{·} for Σ_k e^{z_k})."""
    return {str(i.base) for side in sides for i in side.atoms(sp.Indexed)
            if str(i.base).endswith(FAMILY) and len(i.indices) == 1}


def index_of(text: str) -> sp.Expr:
    return sp.Integer(text) if text.isdigit() else sp.Symbol(text, integer=True)


def entry(s: sp.Basic, names: set[str]) -> sp.Expr | None:
    """z_{j} as the entry z[j] of the family z_{·}, where that family is summed over."""
    match = _ENTRY.match(s.name) if isinstance(s, sp.Symbol) else None
    if match is None or match.group(1) + FAMILY not in names:
        return None
    return sp.IndexedBase(match.group(1) + FAMILY, real=True)[index_of(match.group(2))]


def as_entries(sides: list[sp.Expr], names: set[str] | None = None) -> list[sp.Expr]:
    """Each name of a summed family (z_{j}) as its entry (z[j]); each upper bound of a sum a
    positive integer."""
    names = families(*sides) if names is None else names
    if not names:
        return sides
    swaps: dict[sp.Basic, sp.Expr] = {}
    for side in sides:
        for s in side.free_symbols:
            as_entry = entry(s, names)
            if as_entry is not None:
                swaps[s] = as_entry
        for e in side.atoms(sp.Sum, sp.Product):
            for _, _, hi in e.limits:
                if isinstance(hi, sp.Symbol) and not hi.is_positive:
                    swaps[hi] = sp.Symbol(hi.name, integer=True, positive=True)
    return [side.xreplace(swaps) for side in sides]


def entry_ranges(*sides: sp.Expr) -> dict[sp.Symbol, Range]:
    """The range of each free index of a summed family: the range of its sum."""
    spans: dict[sp.Basic, Range] = {}
    free = {i for side in sides for e in side.atoms(sp.Indexed) for i in e.indices}
    for side in sides:
        for e in sorted(side.atoms(sp.Sum, sp.Product), key=sp.default_sort_key):
            for k, lo, hi in e.limits:
                if (sp.sympify(lo).free_symbols | sp.sympify(hi).free_symbols) & free:
                    continue          # Π_{k=j+1}^{n} left by a derivative: not the range
                for i in e.function.atoms(sp.Indexed):
                    if i.indices == (k,):
                        spans.setdefault(i.base, (lo, hi))
    ranges: dict[sp.Symbol, Range] = {}
    for side in sides:
        for i in side.atoms(sp.Indexed):
            (index,) = i.indices if len(i.indices) == 1 else (None,)
            if isinstance(index, sp.Symbol) and index in side.free_symbols \
                    and i.base in spans:
                ranges.setdefault(index, spans[i.base])
    return ranges


Summed = tuple[sp.Expr, sp.Expr, set[str], dict[sp.Symbol, Range]]


def summed(left: sp.Expr, right: sp.Expr) -> Summed:
    """Both sides with the names of a summed family as its entries and the derivatives of
    sums carried out; the names that are only entries or indices, not quantities (z[j], j);
    the ranges of the free indices."""
    names = families(left, right)
    if not names:
        return left, right, set(), {}
    left, right = as_entries([left, right], names)
    ranges = entry_ranges(left, right)
    entries = {i for side in (left, right) for i in side.atoms(sp.Indexed)}
    indices = {str(i) for e in entries for i in e.indices} | {str(e) for e in entries}
    left, right = collapsed(left, ranges), collapsed(right, ranges)
    entries = {i for side in (left, right) for i in side.atoms(sp.Indexed)}
    return left, right, indices | {str(e) for e in entries}, ranges


def collapsed(e: sp.Expr, ranges: dict[sp.Symbol, Range]) -> sp.Expr:
    """The derivatives carried out and the Kronecker-delta sums they leave collapsed, with
    the deltas of two indices the reading takes to differ set to 0."""
    e = within_index_ranges(carry_out_derivatives(e, ranges_key(ranges)), ranges)
    return apart(e)


def apart(e: sp.Expr) -> sp.Expr:
    """δ_{ij} as 0 where the reading being judged takes i and j to differ."""
    pairs = {frozenset((index_of(a), index_of(b))) for a, b in APART.get()}
    if not pairs:
        return e
    swaps = {d: sp.Integer(0) for d in e.atoms(sp.KroneckerDelta)
             if frozenset(d.args) in pairs}
    return e.xreplace(swaps) if swaps else e


def apart_condition(symbols: set[sp.Basic]) -> sp.Basic | None:
    """i ≠ j for the indices the reading takes to differ, where the sides have them."""
    conditions = [sp.Ne(index_of(a), index_of(b)) for a, b in APART.get()
                  if {index_of(a), index_of(b)} & symbols]
    return sp.And(*conditions) if conditions else None


def derivative_of_entries(value: sp.Expr, variable: sp.Expr, order: int) -> sp.Expr | None:
    """∂s_i/∂z_j where s_i = e^{z_i}/Σ_k e^{z_k}: the derivative of the definition with its
    names as entries of the family it sums over (None where it sums over none)."""
    names = families(value)
    as_entry = entry(variable, names)
    if as_entry is None or as_entry.indices[0] in {
            k for e in value.atoms(sp.Sum, sp.Product) for k, _, _ in e.limits}:
        return None
    (value,) = as_entries([value], names)
    return sp.Derivative(value, (as_entry, order))


def generalised(name: str, values: dict[str, tuple[sp.Expr, int]]
                ) -> tuple[sp.Expr, int] | None:
    """s_j from the definition of s_i: a definition whose index letter i is the index of the
    entries of a family summed over, and nothing else, read with j for i."""
    match = _ENTRY.match(name)
    if match is None or not match.group(2).isalpha():
        return None
    for defined, (value, line) in values.items():
        other = _ENTRY.match(defined)
        if other is None or other.group(1) != match.group(1) or not other.group(2).isalpha():
            continue
        names = families(value)
        if not names:
            continue
        (value,) = as_entries([value], names)
        old, new = (sp.Symbol(m.group(2), integer=True) for m in (other, match))
        if old in value.free_symbols and not any(
                old.name in str(s) for s in value.free_symbols
                if isinstance(s, sp.Symbol) and s != old):
            return value.xreplace({old: new}), line
    return None
