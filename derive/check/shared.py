"""What the judging of a link shares: its outcome, the time limit of one comparison, the
readings of ambiguous forms, the names a side speaks of, and the verifier's context."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.entries import Range, apart_condition, entry_ranges
from derive.check.notation import READING_CHOICES, Notation, Reading
from derive.context import Context
from derive.deadline import deadline

SECONDS_PER_COMPARISON = 4.0
LOG_DOMAIN = (0.05, 0.95)          # a symbol inside a log: a probability-like value
SIZES = (1, 2, 3)


@dataclass(frozen=True)
class Outcome:
    """The verdict of one link and why."""

    verdict: str            # correct | wrong | undecided
    kind: str               # step | arithmetic
    reason: str


class ComparisonTimeout(Exception):
    """One comparison ran past its time limit."""


def time_limit(seconds: float) -> contextlib.AbstractContextManager[None]:
    """Raise ComparisonTimeout after ``seconds`` (main thread only; elsewhere no limit)."""
    return deadline(seconds, ComparisonTimeout)


def readings(met: set[str]) -> list[Reading]:
    """Every combination of the choices a parse met (one reading when it met none)."""
    names = sorted(met & set(READING_CHOICES))
    out = []
    for values in itertools.product(*(READING_CHOICES[n] for n in names)):
        choices: dict[str, Any] = dict(zip(names, values, strict=True))
        out.append(dataclasses.replace(Reading(), **choices))
    return out or [Reading()]


def quantities(e: sp.Basic) -> set[str]:
    """The names a side speaks of: free symbols and unspecified functions."""
    if isinstance(e, sp.MatrixBase):
        return set().union(*(quantities(x) for x in e)) if e else set()
    names = {str(s) for s in e.free_symbols}
    names |= {str(f.func) for f in e.atoms(AppliedUndef)}
    names |= {str(i.base) for i in e.atoms(sp.Indexed)}
    return names


def carried_out(e: sp.Expr) -> sp.Expr:
    """The derivatives written out carried out (sums left as written: evaluating them in
    closed form is slow and beside the point)."""
    derivatives = sorted(e.atoms(sp.Derivative), key=sp.count_ops)
    return e.xreplace({d: d.doit() for d in derivatives}) if derivatives else e


def context_for(a: sp.Expr, b: sp.Expr, notation: Notation,
                ranges: dict[sp.Symbol, Range] | None = None) -> Context:
    """What the verifier needs: domains (declared; inside a log, a probability-like value),
    sizes for Σ's upper bounds, ranges for free indices."""
    domains: dict[sp.Basic, tuple[float, float]] = {}
    sizes: dict[sp.Symbol, tuple[int, ...]] = {}
    indices: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = {}
    for side in (a, b):
        for log in side.atoms(sp.log) | {p for p in side.atoms(sp.Pow) if not p.exp.is_integer}:
            for s in log.args[0].free_symbols:
                domains.setdefault(s, LOG_DOMAIN)
            for i in log.args[0].atoms(sp.Indexed):
                domains.setdefault(i.base, LOG_DOMAIN)
        bounds = {s for e in side.atoms(sp.Sum, sp.Product) for _, _, hi in e.limits
                  for s in sp.sympify(hi).free_symbols}
        for s in bounds:
            sizes[s] = SIZES
        spans = {**entry_ranges(a, b), **(ranges or {})}
        for s in side.free_symbols:
            if s.is_integer and s not in bounds:
                indices[s] = spans.get(s, (sp.Integer(1), sp.Integer(3)))
    for s in a.free_symbols | b.free_symbols:
        name = str(s)
        if name in notation.domains:
            domains[s] = notation.domains[name]
    numeric = {s: max(v) + 2 for s, v in sizes.items()}
    return Context({}, domains, sizes, numeric, indices, 7,
                   where=apart_condition(a.free_symbols | b.free_symbols))
