"""The verifier: proves each step of a derivation, or checks it numerically, or refutes it.

Three outcomes, never two (DESIGN section 3):

* **proved**: the difference of the two sides reduces to 0 symbolically;
* **checked**: not proved for general sizes, but proved on concrete sizes and/or equal at
  many random points of the declared domains, evaluated with mpmath at high precision;
* **refuted**: a point where the two sides differ, reported as a counter-example.

The verifier knows nothing of LaTeX; it only reads Steps and fills in their Verdicts.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.differentiate import derivatives_carried_out
from derive.errors import DomainError, RefutedStepError
from derive.finite_differences import differences_agree
from derive.functions import elementary
from derive.matrices import at_sizes, entry, entry_indices, has_symbolic_shape
from derive.proof import STATUSES, Derivation, Oracle, Step, Verdict, plain
from derive.sampling import (
    PRECISION_DIGITS,
    compare_entries,
    compare_general_form,
    compare_numerically,
    default_domain,
)
from derive.tactics import (
    RangesKey,
    carry_out_derivatives,
    collapse_delta_sums,
    generalised_arguments,
    ranges_key,
    reduces_to_zero,
    within_index_ranges,
    written_out,
)

CONCRETE_SIMPLIFY_MAX_OPS = 60  # concrete sizes fall back to numbers sooner
MAX_INDEX_VALUES = 8          # index assignments proved symbolically per concrete size
ALL_INDEX_COMBINATIONS = 100  # every assignment of the free indices when there are so few
LARGER_SIZE_STEP = 2          # with no numeric size declared: the largest concrete one + 2
LARGE_SIZE_INDEX_VALUES = 4   # index assignments checked at the large numeric size
LARGE_SIZE_POINTS = 4         # random points per index assignment there
CROSS_CHECK_POINTS = 2        # points per concrete size and index, once proved in general
CONCRETE_POINTS = 6           # the same when not proved in general
NUMERIC_CHECK_POINTS = 24     # points of a scalar identity that is not proved


@dataclass(frozen=True)
class Context:
    """What a check needs to know besides the two expressions (taken from the Derivation)."""

    definitions: dict[sp.Basic, sp.Expr]
    domains: dict[sp.Basic, tuple[float, float]]
    sizes: dict[sp.Symbol, tuple[int, ...]]
    numeric_sizes: dict[sp.Symbol, int]
    indices: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]
    seed: int
    symbolic_sizes: bool = False
    where: sp.Basic | None = None   # the condition of the step being judged, if any
    unfolded: dict[sp.Basic, sp.Expr] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, d: Derivation) -> Context:
        """The context of a derivation; a given step ``name = expr`` also defines ``name``.

        Raises DomainError where a declared domain contradicts its symbol's assumptions.
        With no numeric size declared, a size larger than every concrete one is checked
        numerically (an identity true only for small sizes is caught there)."""
        definitions = dict(d.definitions)
        for step in d.steps:
            if step.kind == "given" and isinstance(step.lhs, sp.Symbol):
                definitions.setdefault(step.lhs, step.rhs)
        for symbol, interval in d.domains.items():
            check_domain(symbol, interval, d.name)
        numeric_sizes = dict(d.numeric_sizes) or {
            size: max(values) + LARGER_SIZE_STEP for size, values in d.sizes.items() if values}
        return cls(definitions, dict(d.domains), d.sizes, numeric_sizes, d.indices,
                   zlib.crc32(d.name.encode()), d.symbolic_sizes)

    @property
    def ranges(self) -> RangesKey:
        """The declared index ranges, as the tactics' caches take them."""
        return ranges_key(self.indices)


def check_domain(symbol: sp.Basic, interval: tuple[float, float], name: str = "") -> None:
    """Raise DomainError if the interval is empty or contradicts the symbol's assumptions."""
    label = symbol.label if isinstance(symbol, sp.IndexedBase) else symbol
    lo, hi = interval
    where = f"{name}: " if name else ""
    problem = None
    if not lo < hi:
        problem = "is empty"
    elif getattr(label, "is_positive", False) or getattr(label, "is_nonnegative", False):
        problem = "reaches below 0" if lo < 0 else None
    elif getattr(label, "is_negative", False) or getattr(label, "is_nonpositive", False):
        problem = "reaches above 0" if hi > 0 else None
    if problem is None and getattr(label, "is_integer", False) and math.ceil(lo) > hi:
        problem = "holds no integer"
    if problem is not None:
        facts = [f for f in ("positive", "nonnegative", "negative", "nonpositive", "integer")
                 if getattr(label, f"is_{f}", False)]
        raise DomainError(f"{where}the domain ({lo}, {hi}) of {symbol} {problem}, but {symbol} "
                          f"is declared {' and '.join(facts) or 'real'}")


def unfold(expr: sp.Expr, ctx: Context) -> sp.Expr:
    """Replace defined names by their definitions.

    A key that is a Symbol (or any expression) is replaced where it stands; a key that is an
    IndexedBase maps to a Lambda of the indices, so ``s[j]`` unfolds as well as ``s[i]``.
    Remembered in the context: a step's right side is the next step's left.
    """
    if isinstance(expr, sp.MatrixBase) and not isinstance(expr, sp.ImmutableMatrix):
        return _unfolded(expr, ctx)   # a mutable matrix cannot be a key
    if expr not in ctx.unfolded:
        ctx.unfolded[expr] = _unfolded(expr, ctx)
    return ctx.unfolded[expr]


def _unfolded(expr: sp.Expr, ctx: Context) -> sp.Expr:
    plain_defs = {k: v for k, v in ctx.definitions.items() if not isinstance(k, sp.IndexedBase)}
    indexed_defs = {k: v for k, v in ctx.definitions.items() if isinstance(k, sp.IndexedBase)}
    for _ in range(6):  # definitions may refer to other definitions
        new = expr.xreplace(plain_defs)
        if indexed_defs:
            new = new.replace(lambda e: isinstance(e, sp.Indexed) and e.base in indexed_defs,
                              lambda e: indexed_defs[e.base](*e.indices))
        if new == expr:
            break
        expr = new
    return expr


# --- concrete sizes and numeric sampling -------------------------------------------------

def _size_assignments(sizes: dict[sp.Symbol, tuple[int, ...]]) -> Iterator[dict[sp.Symbol, int]]:
    names = list(sizes)
    for combo in itertools.product(*(sizes[n] for n in names)):
        yield dict(zip(names, combo, strict=True))


def _free_indices(expr: sp.Basic, ctx: Context) -> list[sp.Symbol]:
    """The declared indices that occur free in ``expr``."""
    # Derivative.free_symbols omits the indices of its variables (j in d/dz_j), so add them.
    present = expr.free_symbols.union(*(v.free_symbols for d in expr.atoms(sp.Derivative)
                                         for v in d.variables))
    return [i for i in ctx.indices if i in present]


def _index_assignments(free: list[sp.Symbol], ctx: Context,
                       size: dict[sp.Symbol, int]) -> list[dict[sp.Symbol, int]]:
    """Values of the free indices to check at a size: every assignment when there are at
    most ALL_INDEX_COMBINATIONS, else the corners of the ranges (every index at its lowest
    or highest value) and a spread of values between them."""
    values = {k: sp.Integer(v) for k, v in size.items()}
    ranges = []
    for i in free:
        lo, hi = (int(sp.sympify(b).xreplace(values)) for b in ctx.indices[i])
        ranges.append(range(lo, hi + 1))
    if any(len(r) == 0 for r in ranges):
        return []
    total = math.prod(len(r) for r in ranges)
    if total <= ALL_INDEX_COMBINATIONS:
        combos = list(itertools.product(*ranges))
    else:
        corners = list(dict.fromkeys(itertools.product(*[(r[0], r[-1]) for r in ranges])))
        rng = random.Random(total)
        spread = [tuple(rng.choice(r) for r in ranges) for _ in range(2 * MAX_INDEX_VALUES)]
        combos = list(dict.fromkeys([*corners[:2 * MAX_INDEX_VALUES], *spread]))
    return [dict(zip(free, combo, strict=True)) for combo in combos]


def _spread(assignments: list[dict[sp.Symbol, int]]) -> list[dict[sp.Symbol, int]]:
    """At most MAX_INDEX_VALUES of the assignments: the first, the last and a spread of the
    others (every equality pattern of small index sets appears); for symbolic proofs."""
    if len(assignments) <= MAX_INDEX_VALUES:
        return assignments
    rng = random.Random(len(assignments))
    middle = rng.sample(range(1, len(assignments) - 1), MAX_INDEX_VALUES - 2)
    return [assignments[0], *(assignments[k] for k in sorted(middle)), assignments[-1]]


@functools.lru_cache(maxsize=4096)
def _instantiate(expr: sp.Expr, values: tuple[tuple[sp.Symbol, int], ...]) -> sp.Expr:
    # xreplace, not subs: subs leaves an index inside a derivative variable unreplaced.
    return collapse_delta_sums(written_out(expr.xreplace({k: sp.Integer(v) for k, v in values})))


def instantiate(expr: sp.Expr, values: dict[sp.Symbol, int],
                sizes: dict[sp.Symbol, tuple[int, ...]] | None = None) -> sp.Expr:
    """Substitute concrete sizes (or indices), then expand sums, products and derivatives.

    Cached: consecutive steps share a side, so each expression is expanded once.  With
    ``sizes`` (the symbols that are sizes), an expression is expanded once per size and
    only then given each assignment of its indices.
    """
    size = {k: v for k, v in values.items() if sizes is not None and k in sizes}
    rest = {k: v for k, v in values.items() if k not in size}
    if size:
        expr = _instantiate(expr, tuple(sorted(size.items(), key=str)))
    return _instantiate(expr, tuple(sorted(rest.items(), key=str))) if rest else expr


# --- the checks --------------------------------------------------------------------------

def _sizes_text(assignments: list[dict[sp.Symbol, int]]) -> str:
    by_symbol: dict[str, list[int]] = {}
    for a in assignments:
        for k, v in a.items():
            by_symbol.setdefault(str(k), [])
            if v not in by_symbol[str(k)]:
                by_symbol[str(k)].append(v)
    return ", ".join(f"{k} = {', '.join(map(str, vs))}" for k, vs in by_symbol.items())


def _refuted(where: str, agreed: int, example: dict[str, str],
             values: dict[sp.Symbol, int] | None = None) -> Verdict:
    """A refutation at a counter-example; or, for a check that could not evaluate a single
    point, an undecided verdict (it claims no counter-example)."""
    example = {**example, **{str(k): str(v) for k, v in (values or {}).items()}}
    if "error" in example:
        return Verdict("undecided", f"not proved, and not checkable {where}: "
                       f"{example['error']}", agreed)
    return Verdict("refuted", f"the two sides differ {where}", agreed, example)


@functools.lru_cache(maxsize=2048)
def numeric_form(expr: sp.Expr) -> sp.Expr:
    """What the numeric evidence evaluates: the side as written, its derivatives carried out,
    none of the symbolic tactics applied (Kronecker deltas stay, sums are loops)."""
    return derivatives_carried_out(expr) if expr.has(sp.Derivative) else expr


def _compare_at(left: sp.Expr, right: sp.Expr, ctx: Context,
                assignments: list[dict[sp.Symbol, int]], points: int, fast: bool = False
                ) -> tuple[int, dict[str, str] | None, dict[sp.Symbol, int]]:
    """Numeric comparison of the sides as written at the given sizes and indices.

    The sums are evaluated as loops over random arrays (no symbolic expansion); a side that
    cannot be compiled that way (an unevaluated derivative, say) is written out at each
    assignment.  ``fast`` (a cross-check of a proved step): machine floats first, as in
    derive.sampling.
    """
    if not assignments:
        return 0, None, {}
    try:
        return compare_general_form(numeric_form(left), numeric_form(right), ctx,
                                    assignments, points, fast)
    except NameError:
        pass
    agreed = 0
    for values in assignments:
        got, example = compare_numerically(instantiate(left, values), instantiate(right, values),
                                           ctx, points, fast)
        if example is not None:
            return agreed + got, example, values
        agreed += got
    return agreed, None, {}


def _check_large_size(left: sp.Expr, right: sp.Expr, ctx: Context, size: dict[sp.Symbol, int],
                      free: list[sp.Symbol], fast: bool = False
                      ) -> tuple[int, dict[str, str] | None, dict[sp.Symbol, int]]:
    """Numeric check at the large size, on the corners of the index ranges and a sample of
    the other values of the free indices."""
    index_values = _index_assignments(free, ctx, size) or [{}]
    rest = index_values[1:-1]
    sample = random.Random(ctx.seed).sample(rest, min(max(LARGE_SIZE_INDEX_VALUES - 2, 0),
                                                      len(rest)))
    chosen = [index_values[0], *sample, index_values[-1]] if len(index_values) > 1 \
        else index_values
    return _compare_at(left, right, ctx, [{**size, **index} for index in chosen],
                       LARGE_SIZE_POINTS, fast)


def _as_matrix(expr: sp.Basic) -> sp.ImmutableMatrix | None:
    """An explicit matrix for a matrix expression (a product of explicit matrices, say)."""
    if isinstance(expr, (sp.MatrixBase, sp.MatrixExpr)):
        return sp.ImmutableMatrix(expr.doit(deep=False) if isinstance(expr, sp.MatrixExpr)
                                  else expr)
    return None


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
    points = sum(v.points for v in verdicts)
    entries = f"all {len(verdicts)} entries"
    if all(v.status == "proved" for v in verdicts):
        return Verdict("proved", f"{entries} simplify to 0", points)
    return Verdict("checked", f"{entries} equal at random points ({PRECISION_DIGITS} digits)",
                   points)


def _matrix_algebra_zero(difference: sp.MatrixExpr) -> bool:
    """Whether the rules of matrix algebra alone (distribute, collect) reduce it to zero."""
    try:
        reduced = sp.expand(difference).doit()
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
    """Judge a matrix identity whose dimensions are symbols (W ∈ ℝ^(d×n)).

    Proved for general sizes when matrix algebra, or index notation for a general entry
    (i, j), reduces the difference to zero; the concrete sizes are then numeric cross-checks.
    Otherwise written out entry by entry at each concrete size (proved or checked there) and
    compared numerically at the large size: checked, not proved.
    """
    if not (has_symbolic_shape(left) and has_symbolic_shape(right)) or any(
            sp.expand(a - b) != 0 for a, b in zip(left.shape, right.shape, strict=True)):
        shapes = [getattr(e, "shape", "scalar") for e in (left, right)]
        return Verdict("refuted", f"the two sides have different shapes {shapes[0]} and "
                       f"{shapes[1]}", 0, {"shapes": str(shapes)})
    sizes = list(_size_assignments(ctx.sizes))
    if _general_entry_zero(left, right):
        how = "proved for general sizes, entry (i, j) in index notation"
    elif _matrix_algebra_zero(left - right):
        how = "matrix algebra reduces the difference to 0"
    else:
        return _check_entry_by_entry(left, right, ctx, sizes)
    agreed, entries, refuted = _written_out_agree(left, right, ctx, sizes, CROSS_CHECK_POINTS,
                                                  fast=True)
    if refuted is not None:
        return refuted
    return Verdict("proved", f"{how}; all {entries} entries equal at {CROSS_CHECK_POINTS} "
                   f"random points for {_sizes_text(sizes)}", agreed)


def _written_out_agree(left: sp.MatrixExpr, right: sp.MatrixExpr, ctx: Context,
                       sizes: list[dict[sp.Symbol, int]], points: int, fast: bool = False
                       ) -> tuple[int, int, Verdict | None]:
    """Both sides written out at each size and every entry compared at random points:
    (points agreed, entries per matrix, a refutation or None).  ``fast``: a cross-check of
    a proved step, in machine floats first."""
    agreed = entries = 0
    for size in sizes:
        big_l, big_r = at_sizes(left, size), at_sizes(right, size)
        got, example = compare_entries(list(big_l), list(big_r), ctx, points, fast)
        if example is not None:
            return agreed + got, len(big_l), _refuted(f"at {_sizes_text([size])}", got, example)
        agreed, entries = agreed + got, len(big_l)
    return agreed, entries, None


def _check_entry_by_entry(left: sp.MatrixExpr, right: sp.MatrixExpr, ctx: Context,
                          sizes: list[dict[sp.Symbol, int]]) -> Verdict:
    """Written out entry by entry at each concrete size, and numerically at the large size."""
    statuses, agreed = [], 0
    for size in sizes:
        verdict = check_matrix_equal(at_sizes(left, size), at_sizes(right, size), ctx)
        if verdict.status == "refuted":
            return _refuted(f"at {_sizes_text([size])}, {verdict.method}", verdict.points,
                            verdict.counterexample or {})
        statuses.append(verdict.status)
        agreed += verdict.points
    how = ("proved entry by entry" if all(s == "proved" for s in statuses)
           else "checked entry by entry")
    method = f"{how} for {_sizes_text(sizes)}"
    if ctx.numeric_sizes:
        size = dict(ctx.numeric_sizes)
        got, entries, refuted = _written_out_agree(left, right, ctx, [size], LARGE_SIZE_POINTS)
        if refuted is not None:
            return refuted
        agreed += got
        method += f"; all {entries} entries equal at {LARGE_SIZE_POINTS} random points for " \
                  f"{_sizes_text([size])}"
    return Verdict("checked", method, agreed)


def check_equal(lhs: sp.Expr, rhs: sp.Expr, ctx: Context) -> Verdict:
    """Judge the identity lhs = rhs under the context's definitions, domains and sizes."""
    left, right = unfold(lhs, ctx), unfold(rhs, ctx)
    if has_symbolic_shape(left) or has_symbolic_shape(right):
        return check_sized_matrices(left, right, ctx)
    if _as_matrix(left) is not None or _as_matrix(right) is not None:
        return check_matrix_equal(_as_matrix(left), _as_matrix(right), ctx)
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
    if _needs_sizes(left - right):
        if general:
            return Verdict("proved", "the difference simplifies to 0 (no concrete sizes "
                           "declared to cross-check it)")
        return Verdict("undecided", "not proved for general sizes, and no concrete sizes are "
                       "declared to check it on")
    points = CROSS_CHECK_POINTS if general else NUMERIC_CHECK_POINTS
    agreed, example = compare_numerically(numeric_form(left), numeric_form(right), ctx,
                                          points, fast=general)
    if example is not None and "error" not in example:
        return _refuted("at a point", agreed, example)
    if general:
        evidence = (f"; equal at {agreed} points of the domains" if agreed
                    else "; no point of the domains can be evaluated to cross-check it")
        return Verdict("proved", f"the difference simplifies to 0{evidence}", agreed)
    if example is not None:
        return _refuted("at a point", agreed, example)
    return Verdict("checked", f"not proved; equal at {agreed} points (edges of the domains "
                   f"among them) at {PRECISION_DIGITS} and {2 * PRECISION_DIGITS} digits",
                   agreed)


def _needs_sizes(expr: sp.Expr) -> bool:
    """Whether evaluating ``expr`` at a point needs sizes or index values: it has a sum or
    product, or an entry with a symbolic index."""
    return expr.has(sp.Sum, sp.Product) or any(
        i.free_symbols for e in expr.atoms(sp.Indexed) for i in e.indices)


def _check_at_sizes(left: sp.Expr, right: sp.Expr, ctx: Context, general: bool) -> Verdict:
    """An identity in index notation: also judged on concrete sizes and index values.

    Symbolically: every size when the derivation asks for it or the functions are abstract,
    else the smallest one unless proved in general; the other sizes, the index values not
    proved symbolically and a size larger than all of them numerically (sums as loops,
    nothing expanded, the sides as written).
    """
    difference = left - right
    all_sizes = list(_size_assignments(ctx.sizes))
    # Unspecified functions (f(x) with no definition) cannot be evaluated at a point, so
    # their cross-check is symbolic too: at the largest size once proved in general.
    abstract = bool(difference.atoms(AppliedUndef))
    free = _free_indices(difference, ctx)
    symbolic = (all_sizes if ctx.symbolic_sizes or (abstract and not general)
                else all_sizes[-1:] if abstract
                else [] if general else all_sizes[:1])
    proved_sizes: list[dict[sp.Symbol, int]] = []
    numeric: list[dict[sp.Symbol, int]] = []
    for size in all_sizes:
        assignments = _index_assignments(free, ctx, size)
        if size not in symbolic:
            numeric.extend({**size, **index} for index in assignments)
            continue
        tried = _spread(assignments)
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
            if example is not None:
                return _refuted("at a concrete size", agreed, example, values)
        if all_proved and len(tried) == len(assignments):
            proved_sizes.append(size)
    agreed = 0
    if numeric and not abstract:
        agreed, example, values = _compare_at(left, right, ctx, numeric,
                                              CROSS_CHECK_POINTS if general else CONCRETE_POINTS,
                                              fast=general)
        if example is not None:
            return _refuted("at a concrete size", agreed, example, values)
    numeric_text = ""
    if ctx.numeric_sizes and not abstract:
        size = dict(ctx.numeric_sizes)
        got, example, values = _check_large_size(left, right, ctx, size, free, fast=general)
        if example is not None and ("error" not in example or not general):
            return _refuted("at a large size", got, example, values)
        if example is None:
            agreed += got
            numeric_text = f"; equal at {got} random points for {_sizes_text([size])}"
    covered = len(numeric) + sum(1 for size in proved_sizes
                                 for _ in _index_assignments(free, ctx, size))
    if proved_sizes:
        sizes_text = f"proved for {_sizes_text(proved_sizes)}"
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
    return Verdict("checked", f"{sizes_text}{numeric_text}", agreed)


def _solving_domain(x: sp.Symbol) -> sp.Set:
    """Where an implication's variable is solved for: the reals its assumptions allow."""
    if x.is_positive:
        return sp.Interval.open(0, sp.oo)
    if x.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if x.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    return sp.S.Reals


IMAGE_SET_INSTANCES = range(-3, 4)   # the branches n of an infinite family tried
INTERVAL_SOLUTION_POINTS = 5


def _solutions(equation: sp.Expr, x: sp.Symbol, ctx: Context
               ) -> tuple[list[sp.Expr], bool] | None:
    """The solutions of ``equation = 0`` for x: (solutions, complete).  Incomplete: points
    of a continuum or of an infinite family of solutions, enough to refute, not to prove.
    None when SymPy cannot solve it."""
    try:
        found = sp.solveset(elementary(equation), x, _solving_domain(x))
    except (NotImplementedError, TypeError, ValueError):
        return None
    if isinstance(found, (sp.Complement, sp.Intersection)) and any(
            isinstance(a, sp.FiniteSet) for a in found.args):
        # {s} minus excluded values, or {s} where it is real: each s is checked wherever
        # it is evaluated, which is stricter than checking it only where it belongs
        found = next(a for a in found.args if isinstance(a, sp.FiniteSet))
    if isinstance(found, sp.FiniteSet):
        return list(found), True
    pieces = found.args if isinstance(found, sp.Union) else (found,)
    points: list[sp.Expr] = []
    lo, hi = ctx.domains.get(x, default_domain(x))
    for piece in pieces:
        if isinstance(piece, sp.FiniteSet):
            points.extend(piece)
        elif isinstance(piece, sp.Interval):
            a = max(float(piece.start), lo) if piece.start.is_finite else lo
            b = min(float(piece.end), hi) if piece.end.is_finite else hi
            if piece.start.is_finite and piece.end.is_finite and not a < b:
                a, b = float(piece.start), float(piece.end)
            points.extend(sp.Float(a + (b - a) * (k + 0.5) / INTERVAL_SOLUTION_POINTS)
                          for k in range(INTERVAL_SOLUTION_POINTS))
        elif isinstance(piece, sp.ImageSet):
            (n,) = piece.lamda.variables
            points.extend(piece.lamda.expr.xreplace({n: v}) for v in IMAGE_SET_INSTANCES)
        else:
            return None
    return points, False


def _consequence(premise: sp.Expr, conclusion: sp.Expr, x: sp.Symbol, ctx: Context
                 ) -> Verdict:
    """Judge that ``conclusion = 0`` holds wherever ``premise = 0`` does.

    Every solution of the premise for x is substituted into the conclusion (proved
    symbolically, else compared at points); the premise is also solved for each of its other
    variables in turn, and the conclusion compared at points of those solutions, so that a
    solution SymPy gives only for generic values (x y = 0 gives x = 0 unless y = 0) cannot
    hide the others.
    """
    solved = _solutions(premise, x, ctx)
    if solved is None:
        return Verdict("undecided", f"the previous equation could not be solved for {x}")
    solutions, complete = solved
    if complete and not solutions:
        return Verdict("undecided", f"the previous equation has no solution for {x}")
    proved, agreed = True, 0
    for s in solutions:
        at = conclusion.xreplace({x: s})
        if complete and reduces_to_zero(carry_out_derivatives(at, ctx.ranges)):
            continue
        proved = False
        got, example = compare_numerically(numeric_form(at), sp.S.Zero, ctx)
        if example is not None:
            return _refuted(f"at the solution {x} = {sp.sstr(s)} of the previous equation",
                            got, example)
        agreed += got
    for other in sorted(premise.free_symbols - {x}, key=str):
        if not isinstance(other, sp.Symbol) or other in ctx.indices or other in ctx.sizes:
            continue
        branch = _solutions(premise, other, ctx)
        for s in branch[0] if branch else []:
            got, example = compare_numerically(numeric_form(conclusion.xreplace({other: s})),
                                               sp.S.Zero, ctx, CROSS_CHECK_POINTS)
            if example is not None and "error" not in example:
                return _refuted(f"at the solution {other} = {sp.sstr(s)} of the previous "
                                "equation", got, example)
            agreed += got
    if not complete:
        return Verdict("undecided", f"the previous equation's solutions for {x} are not a "
                       "finite set SymPy can list; none of those tried is a counter-example",
                       agreed)
    if proved:
        return Verdict("proved", f"every solution for {x} of the previous equation "
                       "satisfies this one", agreed)
    return Verdict("checked", f"every solution for {x} of the previous equation satisfies "
                   f"this one at {agreed} random points", agreed)


def check_implies(previous: Step, step: Step, ctx: Context) -> Verdict:
    """Judge an equation transformed from the previous one: equivalent to it (every solution
    of each satisfies the other), or, for a step declared one-way, following from it."""
    x = step.eliminate
    if x is None:
        raise ValueError(f"implication step '{plain(step.rule)}' names no symbol to eliminate")
    old = unfold(previous.lhs - previous.rhs, ctx)
    new = unfold(step.lhs - step.rhs, ctx)
    forward = _consequence(old, new, x, ctx)
    if step.one_way or forward.status in ("refuted", "undecided"):
        return forward
    backward = _consequence(new, old, x, ctx)
    if backward.status == "refuted":
        return Verdict("refuted", f"not an equivalence: {backward.method.replace('previous', 'this')} "
                       "fails the previous equation (declare the step one-way if that is meant)",
                       backward.points, backward.counterexample)
    if backward.status == "undecided":
        return Verdict("undecided", f"follows from the previous equation, but the converse is "
                       f"undecided: {backward.method}", forward.points + backward.points)
    status = "proved" if forward.status == backward.status == "proved" else "checked"
    return Verdict(status, f"equivalent to the previous equation: {forward.method}, and "
                   "conversely", forward.points + backward.points)


def restricted(ctx: Context, where: sp.Basic | None) -> Context:
    """The context of a step claimed only where a condition holds."""
    return ctx if where is None else dataclasses.replace(ctx, where=where)


def _where_note(verdict: Verdict, where: sp.Basic | None) -> Verdict:
    if where is None or verdict.status not in ("proved", "checked"):
        return verdict
    return dataclasses.replace(verdict, method=f"{verdict.method}; claimed where "
                               f"{sp.sstr(where)}")


def verify_step(previous: Step | None, step: Step, ctx: Context) -> Verdict:
    """The verdict of one step given the one before it."""
    if step.kind == "given":
        return Verdict("given", "premise")
    return _where_note(_verify_step(previous, step, restricted(ctx, step.where)), step.where)


def _verify_step(previous: Step | None, step: Step, ctx: Context) -> Verdict:
    if step.kind == "implies":
        if previous is None:
            raise ValueError("an implication step needs a previous equation")
        return check_implies(previous, step, ctx)
    if previous is not None and previous.lhs == step.lhs:
        return check_equal(previous.rhs, step.rhs, ctx)
    return check_equal(step.lhs, step.rhs, ctx)


def check_count(derivation: Derivation) -> int:
    """How many checks a derivation has: its steps, then its oracles."""
    return len(derivation.steps) + len(derivation.oracles)


def verdict_of(derivation: Derivation, ctx: Context, k: int) -> Verdict:
    """The verdict of check k: step k (given the one before it), or past the steps an oracle."""
    steps = derivation.steps
    if k < len(steps):
        return verify_step(steps[k - 1] if k else None, steps[k], ctx)
    oracle = derivation.oracles[k - len(steps)]
    return _where_note(check_equal(oracle.result, oracle.reference,
                                   restricted(ctx, oracle.where)), oracle.where)


def set_verdict(derivation: Derivation, k: int, verdict: Verdict) -> None:
    """Record the verdict of check k (numbered as in :func:`verdict_of`)."""
    if k < len(derivation.steps):
        derivation.steps[k].verdict = verdict
    else:
        derivation.oracles[k - len(derivation.steps)].verdict = verdict


def _premise(derivation: Derivation, k: int) -> int | None:
    """The position of the step that step k is judged against, if any."""
    steps = derivation.steps
    if k == 0 or k >= len(steps):
        return None
    step, previous = steps[k], steps[k - 1]
    if step.kind == "implies" or (step.kind != "given" and previous.lhs == step.lhs):
        return k - 1
    return None


def with_premise_note(derivation: Derivation, k: int, verdict: Verdict,
                      earlier: list[Verdict]) -> Verdict:
    """A step judged against a refuted or undecided one says so: its mark vouches only for
    the step from that (wrong or unverified) premise.  ``earlier``: the verdicts of checks
    0 .. k-1."""
    before = _premise(derivation, k)
    if before is None:
        return verdict
    premise = earlier[before]
    if premise.status not in ("refuted", "undecided"):
        return verdict
    return dataclasses.replace(verdict, method=f"{verdict.method} (judged against step "
                               f"{before + 1}, which is {premise.status}: a wrong premise)")


def all_verdicts(derivation: Derivation) -> list[Verdict]:
    """The verdict of every check of a derivation (steps, then oracles), in order; each
    result that is a derivative is also compared with finite differences."""
    ctx = Context.of(derivation)
    found: list[Verdict] = []
    for k in range(check_count(derivation)):
        verdict = verdict_of(derivation, ctx, k)
        if k < len(derivation.steps) and verdict.status in TRUSTED and _is_result(derivation, k):
            verdict = with_finite_differences(derivation.steps[k], verdict, ctx)
        found.append(with_premise_note(derivation, k, verdict, found))
    return found


def _is_result(derivation: Derivation, k: int) -> bool:
    """Whether step k ends a chain (the next step has another left side) with d f / d v."""
    steps = derivation.steps
    step = steps[k]
    if step.kind != "equals" or (k + 1 < len(steps) and steps[k + 1].lhs == step.lhs):
        return False
    return isinstance(step.lhs, sp.Derivative) and [c for _, c in step.lhs.variable_count] == [1]


def with_finite_differences(step: Step, verdict: Verdict, ctx: Context) -> Verdict:
    """The verdict of a result d f / d v = g, compared with central differences of f (no
    differentiation code involved): refuted where they disagree, else noted."""
    local = restricted(ctx, step.where)
    derivative = unfold(step.lhs, local)
    if not isinstance(derivative, sp.Derivative) or len(derivative.variables) != 1:
        return verdict
    f, (v,) = derivative.expr, derivative.variables
    g = unfold(step.rhs, local)
    if f.has(sp.Derivative) or g.has(sp.Derivative) or f.atoms(AppliedUndef) or \
            getattr(f, "is_Matrix", False) or isinstance(f, sp.MatrixExpr) or local.where is not None:
        return verdict
    f, g = elementary(f), elementary(g)
    sizes = list(_size_assignments(ctx.sizes))
    assignments: list[dict[sp.Symbol, int]] = [{}]
    if sizes:
        free = _free_indices(sp.Tuple(f, g, v), ctx)
        assignments = [{**size, **index} for size in (sizes[0], sizes[-1])
                       for index in _corners(_index_assignments(free, ctx, size))]
    compared = 0
    for assignment in assignments:
        got, example = differences_agree(f, v, g, local, assignment)
        if example is not None:
            return Verdict("refuted", f"{verdict.method}; but the result disagrees with central "
                           "finite differences", verdict.points + got, example)
        compared += got
    if not compared:
        return verdict
    return dataclasses.replace(verdict, method=f"{verdict.method}; the result agrees with "
                               f"central finite differences at {compared} points")


def _corners(assignments: list[dict[sp.Symbol, int]]) -> list[dict[sp.Symbol, int]]:
    return assignments[:1] + assignments[-1:] if len(assignments) > 1 else assignments


def verify(derivation: Derivation) -> Derivation:
    """Fill in the verdict of every step and oracle; return the same derivation."""
    for k, verdict in enumerate(all_verdicts(derivation)):
        set_verdict(derivation, k, verdict)
    return derivation


RECONFIRM_POINTS = 2


def reconfirmed(derivation: Derivation) -> bool:
    """Whether the verdicts filled in from a cache still stand up to a cheap numeric check
    of each marked step (a cache may save work, never certify): every status known and
    fitting its step, and each proved or checked step's sides, as written, equal at a few
    points (at the smallest concrete size, for steps in index notation).  Steps that cannot
    be evaluated at a point (unspecified functions, implications) are judged again in full.
    """
    ctx = Context.of(derivation)
    checks = [*derivation.steps, *derivation.oracles]
    for k, item in enumerate(checks):
        verdict = item.verdict
        given = isinstance(item, Step) and item.kind == "given"
        if verdict is None or verdict.status not in STATUSES or (verdict.status == "given") \
                != given:
            return False
        if verdict.status in ("proved", "checked") and not _quick_check(derivation, ctx, k):
            return False
    return True


def _quick_check(derivation: Derivation, ctx: Context, k: int) -> bool:
    steps = derivation.steps
    if k < len(steps):
        step, previous = steps[k], steps[k - 1] if k else None
        if step.kind == "implies":
            return verify_step(previous, step, ctx).status in TRUSTED
        lhs = previous.rhs if previous is not None and previous.lhs == step.lhs else step.lhs
        rhs, where = step.rhs, step.where
    else:
        oracle = derivation.oracles[k - len(steps)]
        lhs, rhs, where = oracle.result, oracle.reference, oracle.where
    local = restricted(ctx, where)
    left, right = unfold(lhs, local), unfold(rhs, local)
    if has_symbolic_shape(left) or has_symbolic_shape(right):
        size = next(_size_assignments(ctx.sizes), {})
        _, _, refuted = _written_out_agree(left, right, local, [size], 1, fast=True)
        return refuted is None
    if (_as_matrix(left) is not None or (left - right).atoms(AppliedUndef)
            or (_needs_sizes(left - right) and not ctx.sizes)):
        return check_equal(lhs, rhs, local).status in TRUSTED
    if _needs_sizes(left - right):
        size = next(_size_assignments(ctx.sizes))
        free = _free_indices(left - right, ctx)
        corners = _index_assignments(free, ctx, size)
        chosen = [{**size, **a} for a in (corners[:1] + corners[-1:] if corners else [{}])]
        _, example, _ = _compare_at(left, right, local, chosen, 1, fast=True)
    else:
        _, example = compare_numerically(numeric_form(left), numeric_form(right), local,
                                         RECONFIRM_POINTS, fast=True)
    return example is None or "error" in example


def _expressions(step: Step) -> str:
    return f"{sp.sstr(step.lhs)} = {sp.sstr(step.rhs)}"


def refutations(derivation: Derivation) -> list[str]:
    """One line per step or oracle of a verified derivation that is not proved or checked
    (refuted, undecided, or with a verdict of unknown status)."""
    lines = []
    for number, step in enumerate(derivation.steps, 1):
        verdict = step.verdict
        if step.kind == "given" or (verdict is not None and verdict.status in TRUSTED):
            continue
        status = "unverified" if verdict is None else verdict.status
        if status not in STATUSES:
            status = f"of unknown status '{status}'"
        detail = f": {verdict.method}" if verdict is not None else ""
        example = (f"; counter-example {verdict.counterexample}"
                   if verdict is not None and verdict.counterexample else "")
        lines.append(f"{derivation.name}: step {number} ({_expressions(step)}; "
                     f"{plain(step.rule)}) is {status}{detail}{example}")
    for oracle in derivation.oracles:
        verdict = oracle.verdict
        if verdict is not None and verdict.status in TRUSTED:
            continue
        status = "unverified" if verdict is None else verdict.status
        lines.append(f"{derivation.name}: the result's oracle ({plain(oracle.description)}) is "
                     f"{status}: {verdict.method if verdict else ''}"
                     f"{'; counter-example ' + str(verdict.counterexample) if verdict and verdict.counterexample else ''}")
    return lines


TRUSTED = ("proved", "checked")   # the verdicts that put a mark on the page


def ensure_sound(derivation: Derivation) -> Derivation:
    """Raise RefutedStepError if any step or oracle of the derivation is not proved or
    checked (refuted, undecided, unknown)."""
    problems = refutations(derivation)
    if problems:
        raise RefutedStepError(problems[0] if len(problems) == 1 else
                               f"{problems[0]} (and {len(problems) - 1} more)")
    return derivation


__all__ = ["Oracle", "Verdict", "check_equal", "check_implies", "ensure_sound", "refutations",
           "verify", "verify_step"]
