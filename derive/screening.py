"""A first look at an identity before any symbolic work: both sides, as written, compared at
a point or two in machine floats, at the smallest and the largest concrete size and at the
corners of the index ranges.

Cheap, so it comes first: a wrong step is refuted before simplification can spin on it (a
disagreement in floats is confirmed with error control before it counts, as everywhere in
derive.sampling), and a cached verdict is re-confirmed with it.  Agreement here proves
nothing; the identity is then judged in full.
"""

from __future__ import annotations

import dataclasses

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.context import Context
from derive.evidence import (
    claimed_at,
    compare_at,
    concrete_functions,
    describe_sizes,
    free_indices,
    index_assignments,
    instantiate,
    needs_sizes,
    numeric_form,
    refutation,
    size_assignments,
)
from derive.matrices import holds_symbolic_size, shape_of, symbolic_dimensions, written_at
from derive.proof import Verdict
from derive.sampling import compare_entries

INFERRED_SIZES: tuple[int, ...] = (1, 2, 3)   # sizes where a bound is a size nobody declared
CONCRETE_FUNCTIONS = "each unspecified f(u, ...) taken as sin(c u + ...) + (d u + ...)**2/3"
UNSPECIFIED_NOT_EVALUATED = {"error": "unspecified functions cannot be evaluated at a point"}
NOTHING_EVALUATED = {"error": "no point of the domains could be evaluated"}


def screen(left: sp.Basic, right: sp.Basic, ctx: Context, points: int = 1, fast: bool = True
           ) -> tuple[int, Verdict | None]:
    """(points agreed, None) where the unfolded sides agree wherever they could be evaluated
    (at least once); else a refutation, or an undecided verdict when nothing could be
    evaluated.  Unspecified functions are taken as concrete ones: a claim about every f that
    fails for one f is wrong."""
    undefined = _undefined(left, right)
    if undefined is not None:
        return 0, undefined
    if holds_symbolic_size(left) or holds_symbolic_size(right):
        return _screen_sized_matrices(left, right, ctx, points, fast)
    lefts, rights = _entries(left), _entries(right)
    if lefts is None or rights is None or len(lefts) != len(rights):
        return 0, _shape_mismatch(left, right)
    pairs = list(zip(lefts, rights, strict=True))
    if any(needs_sizes(a) or needs_sizes(b) for a, b in pairs):
        return _screen_indexed(pairs, ctx, points, fast)
    return _compare(pairs, ctx, points, fast)


def _compare(pairs: list[tuple[sp.Expr, sp.Expr]], ctx: Context, points: int, fast: bool = True
             ) -> tuple[int, Verdict | None]:
    """Concrete entries (no sums, no symbolic indices) at a point or two in floats."""
    agreed, example = compare_concretely(pairs, ctx, points, fast=fast)
    return agreed, None if example is None else refutation("at a point", agreed, example)


def compare_concretely(pairs: list[tuple[sp.Expr, sp.Expr]], ctx: Context, points: int,
                       fast: bool = False) -> tuple[int, dict[str, str] | None]:
    """Entries compared at points (derive.sampling), every unspecified function taken as a
    concrete one: a counter-example then names them (a claim about every f that fails for
    one f is wrong); agreement proves nothing about other f."""
    abstract = any(side.atoms(AppliedUndef) for pair in pairs for side in pair)
    try:
        pairs = [(_concrete(a), _concrete(b)) for a, b in pairs]
    except (ValueError, TypeError):   # d/d f(x): f itself is the variable
        return 0, UNSPECIFIED_NOT_EVALUATED
    agreed, example = compare_entries([numeric_form(a) for a, _ in pairs],
                                      [numeric_form(b) for _, b in pairs], ctx, points, fast)
    if example is not None and abstract and "error" not in example:
        example = {**example, "functions": CONCRETE_FUNCTIONS}
    return agreed, example


def _concrete(side: sp.Expr) -> sp.Expr:
    return concrete_functions(side) if side.atoms(AppliedUndef) else side


def _undefined(left: sp.Basic, right: sp.Basic) -> Verdict | None:
    """A refutation where exactly one side holds an undefined value (zoo, the complex
    infinity of a division by 0, or nan): it has no value at any point, the other does."""
    bad = [isinstance(e, sp.Basic) and e.has(sp.zoo, sp.nan) for e in (left, right)]
    if bad[0] == bad[1]:
        return None
    side, value = ("left", left) if bad[0] else ("right", right)
    return Verdict("refuted", f"the {side} side is undefined everywhere (it holds "
                   f"{'zoo' if value.has(sp.zoo) else 'nan'}, a division by 0)", 0,
                   {side[0] + "hs": sp.sstr(value)[:200]})


def _entries(side: sp.Basic) -> list[sp.Expr] | None:
    """The entries of an explicit matrix (a product of explicit matrices, say), or the
    scalar itself; None for a matrix expression that cannot be written out."""
    if isinstance(side, sp.MatrixExpr):
        try:
            side = sp.ImmutableMatrix(side.doit(deep=False))
        except (TypeError, ValueError, AttributeError):
            return None
    if isinstance(side, sp.MatrixBase):
        return list(side)
    return [side]


def _shape_mismatch(left: sp.Basic, right: sp.Basic) -> Verdict:
    shapes = [getattr(e, "shape", "scalar") for e in (left, right)]
    return Verdict("refuted", f"the two sides have different shapes {shapes[0]} and "
                   f"{shapes[1]}", 0, {"shapes": str(shapes)})


def sizes_to_try(expr: sp.Basic, ctx: Context) -> dict[sp.Symbol, tuple[int, ...]]:
    """The declared concrete sizes, else :func:`inferred_sizes`."""
    return ctx.sizes or inferred_sizes(expr, ctx)


def inferred_sizes(expr: sp.Basic, ctx: Context) -> dict[sp.Symbol, tuple[int, ...]]:
    """Small sizes for the symbols that can only be sizes: positive integers in a range of
    a sum or product, or in a declared index range (and not indices themselves)."""
    in_ranges = set().union(*(sp.Tuple(*lim[1:]).free_symbols
                              for e in expr.atoms(sp.Sum, sp.Product) for lim in e.limits),
                            *(sp.Tuple(*r).free_symbols for r in ctx.indices.values()))
    return {s: INFERRED_SIZES for s in sorted(in_ranges, key=str)
            if isinstance(s, sp.Symbol) and s.is_integer and s.is_positive
            and s not in ctx.indices}


def with_shape_sizes(left: sp.Basic, right: sp.Basic, ctx: Context) -> Context:
    """For matrices of symbolic size with no concrete sizes declared: small sizes for every
    dimension (and a larger one to check numerically), so the step can be written out."""
    if ctx.sizes:
        return ctx
    dims = symbolic_dimensions(left) | symbolic_dimensions(right)
    sizes = {s: INFERRED_SIZES for s in sorted(dims, key=str) if isinstance(s, sp.Symbol)}
    return dataclasses.replace(ctx, sizes=sizes, numeric_sizes={
        s: max(INFERRED_SIZES) + 2 for s in sizes}) if sizes else ctx


def _screen_indexed(pairs: list[tuple[sp.Expr, sp.Expr]], ctx: Context, points: int,
                    fast: bool = True
                    ) -> tuple[int, Verdict | None]:
    """Index notation: each assignment on its own (one that cannot be evaluated, an empty
    sum at K = 1 say, does not hide a counter-example at another)."""
    agreed = 0
    for left, right in pairs:
        both = sp.Tuple(left, right)   # not the difference: it may cancel to 0
        sized = sizes_to_try(both, ctx)
        sizes = list(size_assignments(sized))
        free = free_indices(both, ctx)
        abstract = bool(both.atoms(AppliedUndef))
        for size in sizes[:1] + sizes[1:][-1:]:
            chosen = [index for index in index_assignments(free, ctx, size)
                      if claimed_at({**size, **index}, ctx)]
            for index in _ends_and_middle(chosen):
                values = {**size, **index}
                if abstract:   # written out first: f made concrete inside a symbolic sum
                    got, refuted = _compare([(instantiate(left, values, sized),
                                              instantiate(right, values, sized))], ctx, points,
                                            fast)
                    example = None if refuted is None else refuted.counterexample
                else:
                    got, example, _ = compare_at(left, right, ctx, [values], points, fast=fast)
                if example and "error" not in example:
                    return agreed + got, refutation("at a concrete size", agreed + got,
                                                    example, values)
                agreed += got
    if not agreed:
        return 0, refutation("at the concrete sizes", 0, NOTHING_EVALUATED)
    return agreed, None


def _ends_and_middle(items: list[dict[sp.Symbol, int]]) -> list[dict[sp.Symbol, int]]:
    return items if len(items) <= 3 else [items[0], items[len(items) // 2], items[-1]]


def written_out_agree(left: sp.MatrixExpr, right: sp.MatrixExpr, ctx: Context,
                      sizes: list[dict[sp.Symbol, int]], points: int, fast: bool = False
                      ) -> tuple[int, int, Verdict | None]:
    """Both sides written out at each size and every entry compared at random points:
    (points agreed, entries per matrix, a refutation or None).  ``fast``: a cross-check of
    a proved step, in machine floats first."""
    agreed = entries = 0
    for size in sizes:   # a size, and the values of the free indices of an entry (W x)_i
        big_l, big_r = written_at(left, size), written_at(right, size)
        got, example = compare_entries([numeric_form(e) for e in big_l],
                                       [numeric_form(e) for e in big_r], ctx, points, fast)
        if example is not None:
            where = f"at {describe_sizes([size])}"
            return agreed + got, len(big_l), refutation(where, got, example)
        agreed, entries = agreed + got, len(big_l)
    return agreed, entries, None


def _screen_sized_matrices(left: sp.Basic, right: sp.Basic, ctx: Context, points: int,
                           fast: bool = True
                           ) -> tuple[int, Verdict | None]:
    """Matrices of symbolic size, or a scalar made of them (tr(AB), det A: the 1 x 1 matrix
    it is): written out at the smallest and the largest concrete size."""
    if not same_shape(left, right):
        return 0, _shape_mismatch(left, right)
    sizes = list(size_assignments(ctx.sizes))
    if not sizes:
        return 0, refutation("with no concrete sizes declared", 0, NOTHING_EVALUATED)
    assignments = [values for size in sizes[:1] + sizes[1:][-1:]
                   for values in _ends_and_middle(with_index_values(left, right, ctx, size))]
    if not assignments:
        return 0, refutation("at the concrete sizes", 0, NOTHING_EVALUATED)
    try:
        agreed, _, refuted = written_out_agree(left, right, ctx, assignments, points, fast=fast)
    except (TypeError, ValueError, NotImplementedError, AttributeError, IndexError):
        return 0, refutation("written out", 0, NOTHING_EVALUATED)
    return agreed, refuted


def same_shape(left: sp.Basic, right: sp.Basic) -> bool:
    """Whether the two sides have one shape for every size (a scalar is 1 x 1)."""
    return all(sp.expand(a - b) == 0
               for a, b in zip(shape_of(left), shape_of(right), strict=True))


def with_index_values(left: sp.Basic, right: sp.Basic, ctx: Context,
                      size: dict[sp.Symbol, int]) -> list[dict[sp.Symbol, int]]:
    """The size with each assignment of the free indices (an entry (W x)_i) where the step
    is claimed; the size alone when no index is free."""
    free = free_indices(sp.Tuple(left, right), ctx)
    return [{**size, **index} for index in index_assignments(free, ctx, size)
            if claimed_at({**size, **index}, ctx)]
