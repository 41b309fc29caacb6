"""Numeric evidence at concrete sizes: which sizes and index values a check covers, the
sides as written (no symbolic tactic applied) evaluated there, and how a failure reads."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import random
from collections.abc import Iterator

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.context import Context
from derive.differentiate import derivatives_carried_out
from derive.proof import Verdict
from derive.sampling import (
    _elementary_parts,
    compare_general_form,
    compare_numerically,
    domain,
    domain_condition,
    kink_roots,
    variables,
)
from derive.tactics import collapse_delta_sums, written_out

MAX_INDEX_VALUES = 8          # index assignments proved symbolically per concrete size
ALL_INDEX_COMBINATIONS = 100  # every assignment of the free indices when there are so few
LARGE_SIZE_INDEX_VALUES = 4   # index assignments checked at the large numeric size
LARGE_SIZE_POINTS = 4         # random points per index assignment there
CROSS_CHECK_POINTS = 2        # points per concrete size and index, once proved in general
CONCRETE_POINTS = 6           # the same when not proved in general


def size_assignments(sizes: dict[sp.Symbol, tuple[int, ...]]) -> Iterator[dict[sp.Symbol, int]]:
    names = list(sizes)
    for combo in itertools.product(*(sizes[n] for n in names)):
        yield dict(zip(names, combo, strict=True))


def free_indices(expr: sp.Basic, ctx: Context) -> list[sp.Symbol]:
    """The declared indices that occur free in ``expr``."""
    # Derivative.free_symbols omits the indices of its variables (j in d/dz_j), so add them.
    present = expr.free_symbols.union(*(v.free_symbols for d in expr.atoms(sp.Derivative)
                                         for v in d.variables))
    return [i for i in ctx.indices if i in present]


def index_assignments(free: list[sp.Symbol], ctx: Context,
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


def spread(assignments: list[dict[sp.Symbol, int]]) -> list[dict[sp.Symbol, int]]:
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

def size_items(assignment: dict[sp.Symbol, int]) -> tuple[tuple[str, int], ...]:
    """A size (and index) assignment as data: ((name, value), ...)."""
    return tuple((str(k), int(v)) for k, v in assignment.items())


def describe_sizes(assignments: list[dict[sp.Symbol, int]]) -> str:
    by_symbol: dict[str, list[int]] = {}
    for a in assignments:
        for k, v in a.items():
            by_symbol.setdefault(str(k), [])
            if v not in by_symbol[str(k)]:
                by_symbol[str(k)].append(v)
    return ", ".join(f"{k} = {', '.join(map(str, vs))}" for k, vs in by_symbol.items())


def refutation(where: str, agreed: int, example: dict[str, str],
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


def compare_at(left: sp.Expr, right: sp.Expr, ctx: Context,
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


def check_large_size(left: sp.Expr, right: sp.Expr, ctx: Context, size: dict[sp.Symbol, int],
                      free: list[sp.Symbol], fast: bool = False
                      ) -> tuple[int, dict[str, str] | None, dict[sp.Symbol, int]]:
    """Numeric check at the large size, on the corners of the index ranges and a sample of
    the other values of the free indices."""
    index_values = [index for index in index_assignments(free, ctx, size)
                    if claimed_at({**size, **index}, ctx)] or [{}]
    rest = index_values[1:-1]
    sample = random.Random(ctx.seed).sample(rest, min(max(LARGE_SIZE_INDEX_VALUES - 2, 0),
                                                      len(rest)))
    chosen = [index_values[0], *sample, index_values[-1]] if len(index_values) > 1 \
        else index_values
    return compare_at(left, right, ctx, [{**size, **index} for index in chosen],
                       LARGE_SIZE_POINTS, fast)


def needs_sizes(expr: sp.Expr) -> bool:
    """Whether evaluating ``expr`` at a point needs sizes or index values: it has a sum or
    product, or an entry with a symbolic index."""
    return expr.has(sp.Sum, sp.Product) or any(
        i.free_symbols for e in expr.atoms(sp.Indexed) for i in e.indices)


@functools.lru_cache(maxsize=1024)   # a step's right side is the next one's left
def concrete_functions(expr: sp.Expr) -> sp.Expr:
    """Every unspecified function f(a, b, ...) replaced by a fixed concrete one,
    sin(c1 a + c2 b + ...) + (d1 a + d2 b + ...)**2 / 3 with constants taken from f's name,
    derivatives then carried out: a cheap numeric witness for a step about unspecified
    functions (a re-confirmation, never a proof: an identity may hold for one f only).

    Each derivative is carried out once (remembered): the sides of a chain repeat them."""
    expr = _derivatives_in_symbols(expr)
    if not expr.has(sp.Subs, sp.Derivative):
        return expr.replace(lambda e: isinstance(e, AppliedUndef), _concrete_function)
    rebuilt = _with_concrete_functions(expr)
    if rebuilt.has(sp.Subs, sp.Derivative, sp.Sum, sp.Product, sp.Integral, sp.Limit):
        rebuilt = rebuilt.doit()   # what is left to carry out, as for the whole expression
    return rebuilt


def _concrete_function(e: sp.Expr) -> sp.Expr:
    rng = random.Random(str(e.func))
    linear = [sp.Rational(rng.randint(3, 9), 7) * a for a in e.args]
    square = [sp.Rational(rng.randint(-9, 9), 5) * a for a in e.args]
    return sp.sin(sp.Add(*linear)) + sp.Add(*square) ** 2 / 3


def _with_concrete_functions(e: sp.Basic) -> sp.Basic:
    """``e`` with its functions concrete, each derivative in it carried out."""
    if isinstance(e, (sp.Derivative, sp.Subs)):
        return _carried_out(e)
    if not e.args or not e.has(AppliedUndef):
        return e
    rebuilt = e.func(*(_with_concrete_functions(a) for a in e.args))
    return _concrete_function(rebuilt) if isinstance(e, AppliedUndef) else rebuilt


@functools.lru_cache(maxsize=4096)
def _carried_out(d: sp.Expr) -> sp.Expr:
    return d.replace(lambda e: isinstance(e, AppliedUndef), _concrete_function).doit()


def _derivatives_in_symbols(expr: sp.Expr) -> sp.Expr:
    """A derivative with respect to an unspecified function's value, d F / d f(x), as the
    derivative in a fresh symbol t evaluated at t = f(x): what it means, and what stays
    meaningful once f is made concrete."""
    def in_symbols(d: sp.Derivative) -> sp.Expr:
        body, variables, points = d.expr, [], []
        for v, count in d.variable_count:
            if v.atoms(AppliedUndef):
                t = sp.Dummy("t", real=True)
                body = body.xreplace({v: t})
                variables.append((t, count))
                points.append((t, v))
            else:
                variables.append((v, count))
        if not points:
            return d
        inner = sp.Derivative(body, *variables)
        return sp.Subs(inner, *zip(*points, strict=True))

    return expr.replace(lambda e: isinstance(e, sp.Derivative)
                        and any(v.atoms(AppliedUndef) for v in e.variables), in_symbols)


def claimed_at(values: dict[sp.Symbol, int], ctx: Context) -> bool:
    """Whether the step's condition (``where``) can hold at these sizes and indices."""
    return ctx.where is None or ctx.where.xreplace(
        {k: sp.Integer(v) for k, v in values.items()}) is not sp.false


BREAKPOINT_POINTS = 4   # random points of the other variables per exact breakpoint


def compare_at_breakpoints(lhs: sp.Expr, rhs: sp.Expr, ctx: Context,
                           points: int = BREAKPOINT_POINTS) -> tuple[int, dict[str, str] | None]:
    """Both sides with one variable set exactly where a kink vanishes, compared at random
    points of the others: SymPy then evaluates H(0), sign(0) and a Piecewise condition at
    its boundary exactly, where no float lands (e^x = 2 at x = log 2, x = 1/3 in floats).
    (points agreed, counter-example or None.)"""
    pair = _elementary_parts(sp.Tuple(numeric_form(lhs), numeric_form(rhs)))
    free = variables(pair)
    agreed = 0
    for pos, root in kink_roots(pair, free, ctx):
        v = free[pos]
        try:   # in the domain, in one of its pieces where it is a union
            inside = domain_condition(root, domain(v, ctx))
            if ctx.where is not None:
                inside = sp.And(ctx.where.xreplace({v: root}), inside)
        except TypeError:   # a root that is not real
            continue
        if inside is sp.false:
            continue
        left, right = (side.xreplace({v: root}) for side in pair.args)
        local = dataclasses.replace(ctx, where=None if inside is sp.true else inside)
        got, example = compare_numerically(left, right, local, points, isolated=True)
        if example is not None and "error" not in example:
            return agreed + got, {**example, str(v): sp.sstr(root)}
        agreed += got
    return agreed, None
