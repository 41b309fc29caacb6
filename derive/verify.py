"""The verifier: proves each step of a derivation, or checks it numerically, or refutes it.

Three outcomes, never two (DESIGN section 3):

* **proved**: the difference of the two sides reduces to 0 symbolically;
* **checked**: not proved for general sizes, but proved on concrete sizes and/or equal at
  many random points of the declared domains, evaluated with mpmath at high precision;
* **refuted**: a point where the two sides differ, reported as a counter-example.

The verifier knows nothing of LaTeX; it only reads Steps and fills in their Verdicts.
"""

from __future__ import annotations

import functools
import itertools
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.errors import RefutedStepError
from derive.matrices import at_sizes, entry, entry_indices, has_symbolic_shape
from derive.proof import Derivation, Oracle, Step, Verdict, plain
from derive.sampling import (
    PRECISION_DIGITS,
    compare_entries,
    compare_general_form,
    compare_numerically,
)
from derive.tactics import (
    carry_out_derivatives,
    collapse_delta_sums,
    generalised_arguments,
    reduces_to_zero,
    within_index_ranges,
    written_out,
)

CONCRETE_SIMPLIFY_MAX_OPS = 60  # concrete sizes fall back to numbers sooner
MAX_INDEX_VALUES = 8          # index assignments checked per concrete size
LARGE_SIZE_INDEX_VALUES = 4   # index assignments checked at the large numeric size
LARGE_SIZE_POINTS = 4         # random points per index assignment there
CROSS_CHECK_POINTS = 2        # points per concrete size and index, once proved in general
CONCRETE_POINTS = 6           # the same when not proved in general


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
    unfolded: dict[sp.Basic, sp.Expr] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, d: Derivation) -> Context:
        """The context of a derivation; a given step ``name = expr`` also defines ``name``."""
        definitions = dict(d.definitions)
        for step in d.steps:
            if step.kind == "given" and isinstance(step.lhs, sp.Symbol):
                definitions.setdefault(step.lhs, step.rhs)
        return cls(definitions, dict(d.domains), d.sizes, d.numeric_sizes, d.indices,
                   zlib.crc32(d.name.encode()), d.symbolic_sizes)


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
                       size: dict[sp.Symbol, int]) -> Iterator[dict[sp.Symbol, int]]:
    """Values of the free indices to check at a size: all, or a spread of them."""
    values = {k: sp.Integer(v) for k, v in size.items()}
    ranges = []
    for i in free:
        lo, hi = (int(sp.sympify(b).xreplace(values)) for b in ctx.indices[i])
        ranges.append(range(lo, hi + 1))
    combos = list(itertools.product(*ranges))
    if len(combos) > MAX_INDEX_VALUES:
        # The ends and a spread of values between them: every equality pattern of small
        # index sets appears, without checking all K^2 entries of every size.
        rng = random.Random(len(combos))
        middle = rng.sample(combos[1:-1], MAX_INDEX_VALUES - 2)
        combos = [combos[0], *middle, combos[-1]]
    for combo in combos:
        yield dict(zip(free, combo, strict=True))


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
    """A refutation: a counter-example, or a check that could not evaluate a single point."""
    example = {**example, **{str(k): str(v) for k, v in (values or {}).items()}}
    if "error" in example:
        return Verdict("refuted", f"not checkable {where}: {example['error']}", agreed, example)
    return Verdict("refuted", f"the two sides differ {where}", agreed, example)


def _compare_at(left: sp.Expr, right: sp.Expr, ctx: Context,
                assignments: list[dict[sp.Symbol, int]], points: int, fast: bool = False
                ) -> tuple[int, dict[str, str] | None, dict[sp.Symbol, int]]:
    """Numeric comparison at the given sizes and indices.

    The sums are evaluated as loops over random arrays (no symbolic expansion); a side that
    cannot be compiled that way (an unevaluated derivative, say) is expanded symbolically.
    ``fast`` (a cross-check of a proved step): machine floats first, as in derive.sampling.
    """
    try:
        return compare_general_form(carry_out_derivatives(left), carry_out_derivatives(right),
                                    ctx, assignments, points, fast)
    except NameError:
        pass
    agreed = 0
    for values in assignments:
        got, example = compare_numerically(instantiate(left, values), instantiate(right, values),
                                           ctx, points)
        if example is not None:
            return agreed + got, example, values
        agreed += got
    return agreed, None, {}


def _check_large_size(left: sp.Expr, right: sp.Expr, ctx: Context, size: dict[sp.Symbol, int],
                      free: list[sp.Symbol], fast: bool = False
                      ) -> tuple[int, dict[str, str] | None, dict[sp.Symbol, int]]:
    """Numeric check at the large size, on a sample of values of the free indices."""
    index_values = list(_index_assignments(free, ctx, size)) or [{}]
    sample = random.Random(ctx.seed).sample(index_values, min(LARGE_SIZE_INDEX_VALUES,
                                                              len(index_values)))
    return _compare_at(left, right, ctx, [{**size, **index} for index in sample],
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
        carry_out_derivatives(left) - carry_out_derivatives(right), ctx.indices))
    difference = left - right
    has_sizes = bool(ctx.sizes) and bool(
        difference.free_symbols & (set(ctx.sizes) | set(ctx.indices))
        or difference.has(sp.Sum, sp.Product))
    if not has_sizes:
        if general:
            return Verdict("proved", "the difference simplifies to 0")
        agreed, example = compare_numerically(carry_out_derivatives(left),
                                              carry_out_derivatives(right), ctx)
        if example is not None:
            return _refuted("at a point", agreed, example)
        return Verdict("checked", f"equal at {agreed} random points ({PRECISION_DIGITS} digits)",
                       agreed)

    # Index notation: also check concrete sizes and index values.  Symbolically: every size
    # when the derivation asks for it or the functions are abstract, else the smallest one
    # unless proved in general;
    # the other sizes numerically (sums as loops, nothing expanded).
    all_sizes = list(_size_assignments(ctx.sizes))
    # Unspecified functions (f(x) with no definition) cannot be evaluated at a point, so
    # their cross-check is symbolic too: at the largest size once proved in general.
    abstract = bool(difference.atoms(AppliedUndef))
    free = _free_indices(difference, ctx)
    symbolic = (all_sizes if ctx.symbolic_sizes or (abstract and not general)
                else all_sizes[-1:] if abstract
                else [] if general else all_sizes[:1])
    proved_sizes: list[dict[sp.Symbol, int]] = []
    for size in symbolic:
        all_proved = True
        for index in _index_assignments(free, ctx, size):
            values = {**size, **index}
            l_c = instantiate(left, values, ctx.sizes)
            r_c = instantiate(right, values, ctx.sizes)
            if reduces_to_zero(l_c - r_c, 0 if general else CONCRETE_SIMPLIFY_MAX_OPS):
                continue
            all_proved = False
            agreed, example = compare_numerically(l_c, r_c, ctx)
            if example is not None:
                return _refuted("at a concrete size", agreed, example, values)
        if all_proved:
            proved_sizes.append(size)
    numeric = [{**size, **index} for size in all_sizes if size not in symbolic and not abstract
               for index in _index_assignments(free, ctx, size)]
    agreed = 0
    if numeric:
        agreed, example, values = _compare_at(left, right, ctx, numeric,
                                              CROSS_CHECK_POINTS if general else CONCRETE_POINTS,
                                              fast=general)
        if example is not None:
            return _refuted("at a concrete size", agreed, example, values)
    if general and not symbolic:
        return Verdict("proved", f"proved for general sizes; equal at {agreed} random points "
                       f"for {_sizes_text(all_sizes)}", agreed)
    numeric_text = ""
    if ctx.numeric_sizes:
        size = dict(ctx.numeric_sizes)
        got, example, values = _check_large_size(left, right, ctx, size, free, fast=general)
        if example is not None:
            return _refuted("at a large size", got, example, values)
        agreed += got
        numeric_text = f"; equal at {got} random points for {_sizes_text([size])}"
    sizes_text = (f"proved for {_sizes_text(proved_sizes)}" if proved_sizes
                  else "checked numerically on concrete sizes")
    if proved_sizes and len(proved_sizes) < len(all_sizes) and not abstract:
        sizes_text += ", numerically for the other concrete sizes"
    if general:
        return Verdict("proved", f"proved for general sizes; {sizes_text}{numeric_text}", agreed)
    return Verdict("checked", f"{sizes_text}{numeric_text}", agreed)


def check_implies(previous: Step, step: Step, ctx: Context) -> Verdict:
    """Judge that step's equation follows from the previous one (solve, then substitute)."""
    old = carry_out_derivatives(unfold(previous.lhs - previous.rhs, ctx))
    new_l = carry_out_derivatives(unfold(step.lhs, ctx))
    new_r = carry_out_derivatives(unfold(step.rhs, ctx))
    x = step.eliminate
    if x is None:
        raise ValueError(f"implication step '{plain(step.rule)}' names no symbol to eliminate")
    # Unchecked solutions: a spurious one only makes the check stricter, and SymPy's own
    # check (and simplify) would import sympy.physics in every worker.
    solutions = sp.solve(old, x, dict=False, check=False, simplify=False)
    if not solutions:
        return Verdict("refuted", f"the previous equation could not be solved for {x}")
    if all(reduces_to_zero((new_l - new_r).subs(x, s)) for s in solutions):
        return Verdict("proved", f"the previous equation solved for {x} and substituted")
    agreed, example = compare_numerically(new_l, new_r, ctx, solve_for=(x, list(solutions)))
    if example is not None:
        return _refuted("on the previous equation's solutions", agreed, example)
    return Verdict("checked", f"holds at {agreed} random points of the previous equation's "
                   "solutions", agreed)


def verify_step(previous: Step | None, step: Step, ctx: Context) -> Verdict:
    """The verdict of one step given the one before it."""
    if step.kind == "given":
        return Verdict("given", "premise")
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
    return check_equal(oracle.result, oracle.reference, ctx)


def set_verdict(derivation: Derivation, k: int, verdict: Verdict) -> None:
    """Record the verdict of check k (numbered as in :func:`verdict_of`)."""
    if k < len(derivation.steps):
        derivation.steps[k].verdict = verdict
    else:
        derivation.oracles[k - len(derivation.steps)].verdict = verdict


def verify(derivation: Derivation) -> Derivation:
    """Fill in the verdict of every step and oracle; return the same derivation."""
    ctx = Context.of(derivation)
    for k in range(check_count(derivation)):
        set_verdict(derivation, k, verdict_of(derivation, ctx, k))
    return derivation


def refutations(derivation: Derivation) -> list[str]:
    """One line per refuted step or oracle of a verified derivation."""
    lines = []
    for number, step in enumerate(derivation.steps, 1):
        if step.verdict is not None and step.verdict.status == "refuted":
            lines.append(f"{derivation.name}: step {number} ({plain(step.rule)}) is refuted: "
                         f"{step.verdict.method}; counter-example {step.verdict.counterexample}")
    for oracle in derivation.oracles:
        if oracle.verdict is not None and oracle.verdict.status == "refuted":
            lines.append(f"{derivation.name}: the result disagrees with the oracle "
                         f"({plain(oracle.description)}): {oracle.verdict.counterexample}")
    return lines


def ensure_sound(derivation: Derivation) -> Derivation:
    """Raise RefutedStepError if any step or oracle of the derivation was refuted."""
    problems = refutations(derivation)
    if problems:
        raise RefutedStepError("; ".join(problems))
    return derivation


__all__ = ["Oracle", "Verdict", "check_equal", "check_implies", "ensure_sound", "refutations",
           "verify", "verify_step"]
