"""Judging an identity lhs = rhs: scalar, in index notation at concrete sizes, or between
matrices (explicit, or of symbolic size)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import random

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.context import Context, apart_pair, unfold
from derive.evidence import (
    CONCRETE_POINTS,
    CROSS_CHECK_POINTS,
    LARGE_SIZE_INDEX_VALUES,
    LARGE_SIZE_POINTS,
    check_large_size,
    claimed_at,
    compare_at,
    compare_at_breakpoints,
    describe_sizes,
    free_indices,
    index_assignments,
    instantiate,
    needs_sizes,
    numeric_form,
    refutation,
    size_assignments,
    size_items,
    spread,
)
from derive.index_form import entry, entry_indices
from derive.matrices import explicit, holds_symbolic_size, written_at
from derive.proof import Verdict
from derive.sampling import (
    PRECISION_DIGITS,
    compare_numerically,
    default_domains,
    undeclared_domains,
)
from derive.screening import (
    UNSPECIFIED_NOT_EVALUATED,
    compare_concretely,
    inferred_sizes,
    same_shape,
    screen,
    with_index_values,
    with_shape_sizes,
    written_out_agree,
)
from derive.tactics import (
    carry_out_derivatives,
    generalised_arguments,
    reduces_to_zero,
    within_index_ranges,
)

CONCRETE_SIMPLIFY_MAX_OPS = 60  # concrete sizes fall back to numbers sooner
NUMERIC_CHECK_POINTS = 24     # points of a scalar identity that is not proved


def _of_concrete_matrices(expr: sp.Basic) -> bool:
    """Whether ``expr`` has matrix symbols inside, all of concrete size."""
    matrices = expr.atoms(sp.MatrixSymbol) if isinstance(expr, sp.Basic) else set()
    return bool(matrices) and all(sp.sympify(d).is_Integer for m in matrices for d in m.shape)


def as_matrix(expr: sp.Basic) -> sp.ImmutableMatrix | None:
    """An explicit matrix for a matrix expression (a product of explicit matrices, say)."""
    if isinstance(expr, (sp.MatrixBase, sp.MatrixExpr)):
        return sp.ImmutableMatrix(expr.doit(deep=False) if isinstance(expr, sp.MatrixExpr)
                                  else expr)
    return None


def _one_by_one(side: sp.Basic) -> sp.ImmutableMatrix | None:
    """A side as an explicit matrix: a scalar as the 1 x 1 matrix it is."""
    matrix = as_matrix(side)
    return matrix if matrix is not None else sp.ImmutableMatrix([[side]])


def check_matrix_equal(left: sp.ImmutableMatrix | None, right: sp.ImmutableMatrix | None,
                       ctx: Context) -> Verdict:
    """Judge a matrix identity entry by entry: proved if every entry is proved."""
    if left is None or right is None or left.shape != right.shape:
        shapes = [m.shape if m is not None else "scalar" for m in (left, right)]
        return Verdict("refuted", f"the two sides have different shapes {shapes[0]} and "
                       f"{shapes[1]}", 0, {"shapes": str(shapes)})
    verdicts = []
    for (r, c), difference in zip(itertools.product(*map(range, left.shape)), left - right,
                                  strict=True):
        verdict = check_equal(difference, sp.S.Zero, ctx)
        if verdict.status == "refuted":
            return Verdict("refuted", f"entry ({r + 1}, {c + 1}): {verdict.method}",
                           verdict.points, verdict.counterexample)
        verdicts.append(verdict)
    undecided = next((k for k, v in enumerate(verdicts) if v.status != "proved"
                      and v.status != "checked"), None)
    if undecided is not None:   # an entry nothing was established for: no mark
        r, c = divmod(undecided, left.shape[1])
        return Verdict("undecided", f"entry ({r + 1}, {c + 1}): {verdicts[undecided].method}",
                       verdicts[undecided].points)
    points = sum(v.points for v in verdicts)
    entries = f"all {len(verdicts)} entries"
    if all(v.status == "proved" for v in verdicts):
        return Verdict("proved", f"{entries} simplify to 0", points)
    return Verdict("checked", f"{entries} equal at random points ({PRECISION_DIGITS} digits)",
                   points, tactic="entries", digits=(PRECISION_DIGITS,), entries=len(verdicts))


def _matrix_algebra_zero(left: sp.Basic, right: sp.Basic) -> bool:
    """Whether the rules of matrix algebra alone (distribute, collect) reduce the difference
    to zero (of two matrices, or of two scalars made of them: tr(A + B) − tr A − tr B)."""
    try:
        reduced = sp.expand(left - right).doit()
    except (TypeError, ValueError, NotImplementedError):
        return False
    return reduced == 0 or isinstance(reduced, sp.ZeroMatrix)


@functools.lru_cache(maxsize=256)
def _general_entry(side: sp.MatrixExpr) -> sp.Expr | None:
    """A general entry (i, j) of one side in index notation, its arguments generalised
    (the same symbols on both sides); None for a node without an index form.  Remembered:
    neighbouring steps share a side."""
    try:
        return generalised_arguments(entry(side, *entry_indices(side)))
    except (TypeError, ValueError, NotImplementedError, AttributeError):
        return None


def _general_entry_zero(left: sp.MatrixExpr, right: sp.MatrixExpr) -> bool:
    """Whether entry (i, j) of the difference, in index notation, reduces to zero."""
    sides = _general_entry(left), _general_entry(right)
    if sides[0] is None or sides[1] is None:
        return False   # judged at concrete sizes instead
    return reduces_to_zero(sides[0] - sides[1])


def check_sized_matrices(left: sp.Expr, right: sp.Expr, ctx: Context) -> Verdict:
    """Judge a matrix identity whose dimensions are symbols (W ∈ ℝ^(d×n)), or an identity
    between scalars made of such matrices (tr(AB) = tr(BA), v^T v = tr(v v^T)): the 1 x 1
    matrices they are.

    Proved for general sizes when matrix algebra, or index notation for a general entry
    (i, j), reduces the difference to zero; the concrete sizes are then numeric cross-checks.
    Otherwise written out entry by entry at each concrete size (and value of the free
    indices of an entry (W x)_i; proved or checked there) and compared numerically at the
    large size: checked, not proved.
    """
    if not same_shape(left, right):
        shapes = [getattr(e, "shape", "scalar") for e in (left, right)]
        return Verdict("refuted", f"the two sides have different shapes {shapes[0]} and "
                       f"{shapes[1]}", 0, {"shapes": str(shapes)})
    sizes = list(size_assignments(ctx.sizes))
    assignments = [values for size in sizes
                   for values in with_index_values(left, right, ctx, size)]
    if not assignments:
        return Verdict("undecided", "not checkable: no concrete size or index value where "
                       "the step is claimed")
    matrices = isinstance(left, sp.MatrixExpr) and isinstance(right, sp.MatrixExpr)
    if matrices and _general_entry_zero(left, right):
        how = "proved for general sizes, entry (i, j) in index notation"
    elif _matrix_algebra_zero(left, right):
        how = "matrix algebra reduces the difference to 0"
    else:
        return _check_entry_by_entry(left, right, ctx, sizes, assignments)
    agreed, entries, refuted = written_out_agree(left, right, ctx, assignments,
                                                  CROSS_CHECK_POINTS, fast=True)
    if refuted is not None:
        return refuted
    return Verdict("proved", f"{how}; all {entries} entries equal at {CROSS_CHECK_POINTS} "
                   f"random points for {describe_sizes(assignments)}", agreed)


def _check_entry_by_entry(left: sp.Basic, right: sp.Basic, ctx: Context,
                          sizes: list[dict[sp.Symbol, int]],
                          assignments: list[dict[sp.Symbol, int]]) -> Verdict:
    """Written out entry by entry at each concrete size (and index value: symbolically at a
    spread of them, numerically at the others), and numerically at the large size."""
    statuses, agreed = [], 0
    for size in sizes:
        here = [values for values in assignments if all(values[k] == v for k, v in size.items())]
        tried = spread(here)
        for values in tried:
            verdict = check_matrix_equal(written_at(left, values), written_at(right, values),
                                         ctx)
            if verdict.status == "refuted":
                return refutation(f"at {describe_sizes([values])}, {verdict.method}",
                                  verdict.points, verdict.counterexample or {})
            statuses.append(verdict.status)
            agreed += verdict.points
        rest = [values for values in here if values not in tried]
        if rest:
            got, _, refuted = written_out_agree(left, right, ctx, rest, CONCRETE_POINTS)
            if refuted is not None:
                return refuted
            statuses.append("checked")
            agreed += got
    undecided = next((s for s in statuses if s not in ("proved", "checked")), None)
    if undecided is not None:
        return Verdict("undecided", f"not decided entry by entry for "
                       f"{describe_sizes(sizes)}", agreed)
    how = ("proved entry by entry" if all(s == "proved" for s in statuses)
           else "checked entry by entry")
    method = f"{how} for {describe_sizes(sizes)}"
    large: tuple[tuple[str, int], ...] = ()
    large_points = 0
    if ctx.numeric_sizes:
        size = dict(ctx.numeric_sizes)
        at_large = with_index_values(left, right, ctx, size)
        chosen = at_large if len(at_large) <= LARGE_SIZE_INDEX_VALUES else [
            at_large[0], *random.Random(ctx.seed).sample(at_large[1:-1],
                                                         LARGE_SIZE_INDEX_VALUES - 2),
            at_large[-1]]
        got, entries, refuted = written_out_agree(left, right, ctx, chosen, LARGE_SIZE_POINTS)
        if refuted is not None:
            return refuted
        agreed += got
        method += f"; all {entries} entries equal at {LARGE_SIZE_POINTS} random points for " \
                  f"{describe_sizes([size])}"
        large, large_points = size_items(size), LARGE_SIZE_POINTS
    return Verdict("checked", method, agreed, tactic="entries",
                   sizes=tuple(size_items(s) for s in sizes), large=large,
                   large_points=large_points, digits=(PRECISION_DIGITS,))


def check_equal(lhs: sp.Expr, rhs: sp.Expr, ctx: Context) -> Verdict:
    """Judge the identity lhs = rhs under the context's definitions, domains and sizes."""
    left, right = apart_pair(unfold(lhs, ctx), unfold(rhs, ctx))
    if left == right and not left.has(sp.zoo, sp.nan):   # a step that only (un)names definitions
        return Verdict("proved", "the two sides are one expression once the definitions are "
                       "written in")
    sized = holds_symbolic_size(left) or holds_symbolic_size(right)
    if sized:   # matrices of symbolic size, or a scalar made of them (tr(AB), det A)
        ctx = with_shape_sizes(left, right, ctx)
    elif _of_concrete_matrices(left) or _of_concrete_matrices(right):
        # both sides in one form, every matrix written out entry by entry: a gradient
        # (written out) against B^T (entries B[0, 0], ...) was two sets of variables
        left, right = explicit(left), explicit(right)
    _, first_look = screen(left, right, ctx)
    if first_look is not None and first_look.status == "refuted":
        return first_look   # before any symbolic work, which may spin on a wrong step
    if sized:
        return check_sized_matrices(left, right, ctx)
    if as_matrix(left) is not None or as_matrix(right) is not None:
        # a scalar against a matrix: the 1 x 1 matrix it is (v^T v = tr(v v^T))
        return check_matrix_equal(_one_by_one(left), _one_by_one(right), ctx)
    general = reduces_to_zero(within_index_ranges(
        carry_out_derivatives(left, ctx.ranges) - carry_out_derivatives(right, ctx.ranges),
        ctx.indices))
    difference = left - right
    has_sizes = bool(ctx.sizes) and bool(
        difference.free_symbols & (set(ctx.sizes) | set(ctx.indices))
        or difference.has(sp.Sum, sp.Product))
    if not has_sizes:
        return _check_at_points(left, right, ctx, general)
    return _check_at_sizes(left, right, ctx, general)


def _check_at_points(left: sp.Expr, right: sp.Expr, ctx: Context, general: bool) -> Verdict:
    """A scalar identity: proved (and cross-checked at a few points of the domains), or
    compared at many points, edges and breakpoints among them."""
    if needs_sizes(left - right):
        inferred = inferred_sizes(left - right, ctx)
        if inferred:   # sizes the derivation did not declare: small ones, and a larger one
            sized = dataclasses.replace(ctx, sizes=inferred,
                                        numeric_sizes={s: max(v) + 2
                                                       for s, v in inferred.items()})
            return _check_at_sizes(left, right, sized, general)
        if general:
            return Verdict("proved", "the difference simplifies to 0 (no concrete sizes "
                           "declared to cross-check it)")
        return Verdict("undecided", "not proved for general sizes, and no concrete sizes are "
                       "declared to check it on")
    points = CROSS_CHECK_POINTS if general else NUMERIC_CHECK_POINTS
    agreed, example = compare_numerically(numeric_form(left), numeric_form(right), ctx,
                                          points, fast=general)
    if example is not None and "error" not in example:
        return refutation("at a point", agreed, example)
    if general:
        evidence = (f"; equal at {agreed} points of the domains" if agreed
                    else "; no point of the domains can be evaluated to cross-check it")
        return Verdict("proved", f"the difference simplifies to 0{evidence}", agreed)
    if example is not None:
        return refutation("at a point", agreed, example)
    exact, example = compare_at_breakpoints(left, right, ctx)
    if example is not None:
        return refutation("at a breakpoint, set exactly", agreed + exact, example)
    agreed += exact
    return Verdict("checked", f"not proved; equal at {agreed} points (edges of the domains "
                   f"among them) at {PRECISION_DIGITS} and {2 * PRECISION_DIGITS} digits"
                   f"{undeclared_domains(sp.Tuple(left, right), ctx)}", agreed,
                   tactic="points", digits=(PRECISION_DIGITS, 2 * PRECISION_DIGITS),
                   default_domain=default_domains(sp.Tuple(left, right), ctx))


def order_turned(declared: list[dict[sp.Symbol, int]], large: dict[sp.Symbol, int]
                 ) -> dict[sp.Symbol, int] | None:
    """The large size with the order of its sizes turned round, where every declared size
    and the large one keep two sizes in one order (M <= N): a step true only while M <= N
    was checked when the derivation declared M = 2, N = 3 (the large size, M = 4, N = 5,
    kept the order).  None where no two sizes keep an order."""
    names = [s for s in large if all(s in d for d in declared)]
    kept = any(all(d[a] <= d[b] for d in [*declared, large])
               for a in names for b in names if a != b)
    if not kept or len(names) < 2:
        return None
    ranked = sorted(names, key=lambda s: (large[s], names.index(s)))
    values = sorted(large[s] for s in names)
    for k in range(1, len(values)):   # distinct, so that the order is turned, not kept
        values[k] = max(values[k], values[k - 1] + 1)
    return {**large, **dict(zip(ranked, reversed(values), strict=True))}


def _check_at_sizes(left: sp.Expr, right: sp.Expr, ctx: Context, general: bool) -> Verdict:
    """An identity in index notation: also judged on concrete sizes and index values.

    Symbolically: every size when the derivation asks for it or the functions are abstract,
    else the smallest one unless proved in general; the other sizes, the index values not
    proved symbolically and a size larger than all of them numerically (sums as loops,
    nothing expanded, the sides as written).
    """
    difference = left - right
    all_sizes = list(size_assignments(ctx.sizes))
    # Unspecified functions (f(x) with no definition) cannot be evaluated at a point, so
    # their cross-check is symbolic too: at the largest size once proved in general.
    abstract = bool(difference.atoms(AppliedUndef))
    free = free_indices(difference, ctx)
    symbolic = (all_sizes if ctx.symbolic_sizes or (abstract and not general)
                else all_sizes[-1:] if abstract
                else [] if general else all_sizes[:1])
    proved_sizes: list[dict[sp.Symbol, int]] = []
    numeric: list[dict[sp.Symbol, int]] = []
    for size in all_sizes:
        assignments = [index for index in index_assignments(free, ctx, size)
                       if claimed_at({**size, **index}, ctx)]
        if size not in symbolic:
            numeric.extend({**size, **index} for index in assignments)
            continue
        tried = spread(assignments)
        numeric.extend({**size, **index} for index in assignments if index not in tried)
        all_proved = True
        for index in tried:
            values = {**size, **index}
            l_c = instantiate(left, values, ctx.sizes)
            r_c = instantiate(right, values, ctx.sizes)
            if reduces_to_zero(l_c - r_c, 0 if general else CONCRETE_SIMPLIFY_MAX_OPS):
                continue
            all_proved = False
            agreed, example = compare_numerically(l_c, r_c, ctx)
            if example is not None and "error" in example and abstract:
                agreed, example = compare_concretely([(l_c, r_c)], ctx, NUMERIC_CHECK_POINTS)
                if example is None or "error" in example:   # agreement for one f: no proof
                    agreed, example = 0, UNSPECIFIED_NOT_EVALUATED
            if example is not None:
                return refutation("at a concrete size", agreed, example, values)
        if all_proved and len(tried) == len(assignments):
            proved_sizes.append(size)
    agreed = 0
    if numeric and not abstract:
        agreed, example, values = compare_at(left, right, ctx, numeric,
                                              CROSS_CHECK_POINTS if general else CONCRETE_POINTS,
                                              fast=general)
        if example is not None:
            return refutation("at a concrete size", agreed, example, values)
    numeric_text = ""
    large: tuple[tuple[str, int], ...] = ()
    large_points = 0
    if ctx.numeric_sizes and not abstract:
        size = dict(ctx.numeric_sizes)
        got, example, values = check_large_size(left, right, ctx, size, free, fast=general)
        if example is not None and ("error" not in example or not general):
            return refutation("at a large size", got, example, values)
        if example is None:
            agreed += got
            numeric_text = f"; equal at {got} random points for {describe_sizes([size])}"
            large, large_points = size_items(size), got
            turned = order_turned(all_sizes, size)
            if turned is not None and claimed_at(turned, ctx):
                got, example, values = check_large_size(left, right, ctx, turned, free,
                                                        fast=general)
                if example is not None and ("error" not in example or not general):
                    return refutation("at a large size", got, example, values)
                if example is None:
                    agreed += got
                    numeric_text += f" and for {describe_sizes([turned])}"
    covered = len(numeric) + sum(1 for size in proved_sizes
                                 for _ in index_assignments(free, ctx, size))
    if proved_sizes:
        sizes_text = f"proved for {describe_sizes(proved_sizes)}"
        if len(proved_sizes) < len(all_sizes) or numeric:
            sizes_text += ", numerically for the other concrete sizes and index values"
    else:
        sizes_text = "checked numerically on concrete sizes"
    sizes_text += f" ({covered} size and index assignments"
    sizes_text += f", every one of {', '.join(map(str, free))})" if free else ")"
    if general:
        return Verdict("proved", f"proved for general sizes; {sizes_text}{numeric_text}", agreed)
    if abstract and len(proved_sizes) < len(all_sizes):
        return Verdict("undecided", "not proved for general sizes, and unspecified functions "
                       "cannot be evaluated at a point", agreed)
    return Verdict("checked", f"{sizes_text}{numeric_text}"
                   f"{undeclared_domains(sp.Tuple(left, right), ctx)}", agreed, tactic="sizes",
                   sizes=tuple(size_items(s) for s in proved_sizes), assignments=covered,
                   every=tuple(map(str, free)), large=large, large_points=large_points,
                   default_domain=default_domains(sp.Tuple(left, right), ctx))
