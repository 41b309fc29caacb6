"""Symbolic tactics: ways to reduce the difference of two sides to zero.

Each tactic is sound on its own (a rewriting that keeps the value); :func:`reduces_to_zero`
tries the cheap ones before the costly ``sympy.simplify``.  Used by the verifier.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from derive import sympy_speedups
from derive.differentiate import derivatives_carried_out, range_symbols
from derive.functions import elementary

sympy_speedups.install()

SIMPLIFY_MAX_OPS = 250        # larger differences skip sympy.simplify (unbounded time)
NESTING_FULL_SEARCH = 2       # summands of sums nested deeper get the cheap tactics only


# --- symbolic tactics --------------------------------------------------------------------

Ranges = dict[sp.Basic, tuple[sp.Expr, sp.Expr]]   # index -> (lowest, highest), inclusive


def provably_in_range(value: sp.Expr, lo: sp.Expr, hi: sp.Expr, ranges: Ranges) -> bool:
    """Whether lo <= value <= hi for every value of the indices in ``value`` within their
    ranges.  ``value`` must be linear in those indices: a linear function takes its extremes
    at the corners of the box of ranges, so checking the corners decides it."""
    free = [s for s in ranges if s in value.free_symbols]
    try:
        if any(sp.Poly(value, s).degree() > 1 for s in free):
            return False
    except sp.PolynomialError:
        return False
    for corner in itertools.product(*(ranges[s] for s in free)):
        at = value.xreplace(dict(zip(free, corner, strict=True)))
        if (sp.expand(at - lo).is_nonnegative is not True
                or sp.expand(hi - at).is_nonnegative is not True):
            return False
    return True


def _delta_solution(delta: sp.KroneckerDelta, var: sp.Symbol) -> sp.Expr | None:
    """The value of ``var`` where the delta is 1, when delta(a, b) is linear in ``var`` with
    coefficient +-1 and the value is an integer: delta(j, k + 1) gives k = j - 1.  None
    otherwise (delta(j, 2k) is left alone: it is 1 only where j is even)."""
    gap = sp.expand(delta.args[0] - delta.args[1])
    try:
        poly = sp.Poly(gap, var)
    except sp.PolynomialError:
        return None
    if poly.degree() != 1 or poly.LC() not in (1, -1):
        return None
    value = sp.expand(-(gap - poly.LC() * var) / poly.LC())
    return value if value.is_integer else None


def _binds_any(expr: sp.Expr, names: set[sp.Basic]) -> bool:
    """Whether a sum or product inside ``expr`` binds one of ``names``."""
    return any(lim[0] in names for e in expr.atoms(sp.Sum, sp.Product) for lim in e.limits)


def collapse_delta_sums(expr: sp.Expr, ranges: Ranges | None = None) -> sp.Expr:
    """Sum_{k=lo}^{hi} f(k) delta(k, a) -> f(a) where a provably lies in lo..hi, else
    f(a) [lo <= a <= hi] (a Piecewise the other tactics leave to the numeric check).

    ``ranges`` holds the declared ranges of free indices; the ranges of enclosing sums are
    added on the way down.  A delta whose argument is shifted (delta(j, k + 1)) is solved for
    the summation variable; one that is scaled (delta(j, 2k)) is left alone.  Only a delta
    that is a factor of a term (after multiplying out the summand) is summed out; a delta
    inside a nested sum is summed out there first, or left alone.  In a sum over several
    independent indices, any of them may be the one summed out.  Terms without a delta stay
    in a sum of their own.
    """
    known: Ranges = dict(ranges or {})

    def direct_delta(term: sp.Expr, var: sp.Symbol) -> sp.KroneckerDelta | None:
        return next((f for f in sp.Mul.make_args(term)
                     if isinstance(f, sp.KroneckerDelta) and var in f.free_symbols
                     and _delta_solution(f, var) is not None), None)

    def delta_terms(summand: sp.Expr, variables: set[sp.Symbol]) -> list[sp.Expr]:
        """The summand's terms, products multiplied out only as far as it takes to make a
        delta of a summation variable a factor (expanding everything cost far more)."""
        out = []
        for t in sp.Add.make_args(summand):
            if not t.has(sp.KroneckerDelta) or any(direct_delta(t, v) for v in variables):
                out.append(t)
                continue
            spread = sp.expand_mul(t, deep=False)
            out.extend([t] if spread == t else delta_terms(spread, variables))
        return out

    def rule(s: sp.Sum, outer: Ranges) -> sp.Expr:
        if not s.function.has(sp.KroneckerDelta):
            return s
        terms = delta_terms(s.function, {lim[0] for lim in s.limits})
        bounds = range_symbols(s.limits)
        for pos, (var, lo, hi) in enumerate(s.limits):
            if var in bounds or all(direct_delta(t, var) is None for t in terms):
                continue
            others = s.limits[:pos] + s.limits[pos + 1:]
            inside = {**outer, **{lim[0]: (lim[1], lim[2]) for lim in others}}
            collapsed, rest = sp.S.Zero, []
            for t in terms:
                delta = direct_delta(t, var)
                if delta is None:
                    rest.append(t)
                    continue
                value = _delta_solution(delta, var)
                assert value is not None
                if _binds_any(t, value.free_symbols):
                    rest.append(t)   # substituting would capture a bound index: left alone
                    continue
                term = (t / delta).xreplace({var: value})
                if not provably_in_range(value, lo, hi, inside):
                    term = sp.Piecewise((term, sp.And(sp.Le(lo, value), sp.Le(value, hi))),
                                        (0, True))
                collapsed += term
            result = rule(sp.Sum(collapsed, *others), outer) if others else collapsed
            return result + sp.Sum(sp.Add(*rest), *s.limits) if rest else result
        return s

    def walk(e: sp.Basic, outer: Ranges) -> sp.Basic:
        if not e.args or not e.has(sp.KroneckerDelta):
            return e
        if isinstance(e, sp.Sum):
            inner = {**outer, **{lim[0]: (lim[1], lim[2]) for lim in e.limits}}
            e = sp.Sum(walk(e.function, inner), *e.limits)
            return rule(e, outer) if isinstance(e, sp.Sum) else e
        return e.func(*[walk(a, outer) for a in e.args])

    return walk(expr, known)


def flattened_sums(expr: sp.Expr) -> sp.Expr:
    """Sum_a c(a) Sum_b f(a, b) -> Sum_{a, b} c(a) f(a, b), the limits in a fixed order.

    Only sums over ranges free of other summation variables, so the order of summation is
    free: two nestings of the same double sum then look alike.
    """

    def independent(limits: tuple[tuple[sp.Expr, ...], ...]) -> bool:
        return not range_symbols(limits) & {lim[0] for lim in limits}

    def rule(s: sp.Sum) -> sp.Expr:
        out = sp.S.Zero
        for term in sp.Add.make_args(sp.expand(s.function)):
            inner = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
            limits = s.limits
            if len(inner) == 1 and independent((*inner[0].limits, *s.limits)):
                term, limits = (term / inner[0]) * inner[0].function, (*inner[0].limits,
                                                                      *s.limits)
            if independent(limits):
                limits = tuple(sorted(limits, key=lambda lim: (str(lim[1]), str(lim[2]))))
            out += sp.Sum(term, *limits)
        return out

    return expr.replace(lambda e: isinstance(e, sp.Sum), rule)


def written_out(expr: sp.Expr) -> sp.Expr:
    """Sums and products over concrete ranges written out term by term, derivatives carried
    out, then whatever else is left evaluated by ``doit``.

    Substitutes each value with ``xreplace``: quicker than SymPy's ``Sum.doit``, which asks
    every summand whether it is zero and substitutes with ``subs``.  The outermost range is
    written out first (an inner range may depend on its index).  A reversed range is empty,
    as the reader takes it (and as the numeric loops do), not SymPy's Karr convention, in
    which the sum from 3 to 1 is minus the term at 2.
    """
    def concrete(e: sp.Basic) -> bool:
        if not isinstance(e, (sp.Sum, sp.Product)):
            return False
        _, lo, hi = e.limits[-1]
        return bool(lo.is_Integer and hi.is_Integer)

    def rule(e: sp.Sum | sp.Product) -> sp.Expr:
        var, lo, hi = e.limits[-1]
        inner = e.func(e.function, *e.limits[:-1]) if len(e.limits) > 1 else e.function
        terms = [inner.xreplace({var: sp.Integer(v)}) for v in range(int(lo), int(hi) + 1)]
        return (sp.Add if isinstance(e, sp.Sum) else sp.Mul)(*terms)

    while True:
        new = expr.replace(concrete, rule)
        if new == expr:
            break
        expr = new
    if expr.has(sp.Derivative):
        expr = derivatives_carried_out(expr)
    leftover = (sp.Sum, sp.Product, sp.Derivative, sp.Piecewise, sp.Subs, sp.Integral)
    return expr.doit() if expr.has(*leftover) else expr


RangesKey = tuple[tuple[sp.Basic, tuple[sp.Expr, sp.Expr]], ...]


def ranges_key(ranges: Ranges) -> RangesKey:
    """Index ranges as a hashable key (for the caches below)."""
    return tuple(sorted(ranges.items(), key=lambda item: str(item[0])))


@functools.lru_cache(maxsize=1024)
def carry_out_derivatives(expr: sp.Expr, ranges: RangesKey = ()) -> sp.Expr:
    """Evaluate the written derivatives, then collapse the Kronecker-delta sums they leave
    (an index provably within the sum's range, given the declared ``ranges``, or the
    collapsed term kept with its condition)."""
    expr = logs_of_products(expr)  # a sum differentiates term by term; a product does not
    return collapse_delta_sums(derivatives_carried_out(expr), dict(ranges))


def within_index_ranges(expr: sp.Expr,
                        ranges: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]) -> sp.Expr:
    """Piecewise conditions decided by the index ranges: N >= j is true for j in 1..N.

    A condition linear in one index is true (false) over the whole range when it is true
    (false) at both ends; others are left alone.  SymPy leaves such conditions when it sums
    out a Kronecker delta whose index range it does not know.  Inside a sum or product, its
    own variables range over its limits, not over the declared range of a free index that
    happens to share the name (Sum_{j=1}^{2N} [j <= N] is not Sum_{j=1}^{2N} 1).
    """
    def decided(cond: sp.Basic, known: dict[sp.Basic, tuple[sp.Expr, sp.Expr]]) -> sp.Basic:
        # only an order relation linear in the index is monotone along the range, so that its
        # two ends decide it (Eq(j, 2) is false at both ends of 1..3, and true at 2)
        if not isinstance(cond, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan,
                                 sp.GreaterThan)):
            return cond
        free = [i for i in known if i in cond.free_symbols]
        if len(free) != 1:
            return cond
        index = free[0]
        try:
            if not all(sp.Poly(side, index).degree() <= 1 for side in cond.args
                       if side.has(index)):
                return cond
        except sp.PolynomialError:
            return cond
        ends = {cond.subs(index, end) for end in known[index]}
        return ends.pop() if len(ends) == 1 and ends <= {sp.true, sp.false} else cond

    def walk(e: sp.Basic, known: dict[sp.Basic, tuple[sp.Expr, sp.Expr]]) -> sp.Basic:
        if not e.args or not e.has(sp.Piecewise):
            return e
        if isinstance(e, (sp.Sum, sp.Product)):
            inner = {**known, **{lim[0]: (lim[1], lim[2]) for lim in e.limits}}
            return e.func(walk(e.function, inner), *e.limits)
        if isinstance(e, sp.Piecewise):
            return sp.Piecewise(*[(walk(value, known), decided(cond, known))
                                  for value, cond in e.args])
        args = [walk(a, known) for a in e.args]
        return e if all(a is b for a, b in zip(args, e.args, strict=True)) else e.func(*args)

    return walk(expr, dict(ranges))


def _rational_in_exponentials(expr: sp.Expr) -> sp.Expr:
    """Replace each exponential by a positive symbol so that `cancel` can decide the identity.

    Sound: if the result is identically zero in independent symbols, it is zero for the
    particular values they stand for.  exp(-a) becomes 1/u where u stands for exp(a).
    """
    expr = sp.expand(expr, power_exp=True, mul=False, multinomial=False, log=False)
    # An exponential of a summation variable stands for a different number in each term, so
    # only exponentials free of every bound variable may become one symbol.
    bound = set().union(*(lim[0].free_symbols for s in expr.atoms(sp.Sum, sp.Product)
                          for lim in s.limits))
    table: dict[sp.Expr, sp.Dummy] = {}
    subs: dict[sp.Expr, sp.Expr] = {}
    for e in expr.atoms(sp.exp):
        if e.free_symbols & bound or e.args[0].is_extended_real is not True:
            continue   # exp of a complex argument is not a positive number
        arg = e.args[0]
        negative = arg.could_extract_minus_sign()
        key = -arg if negative else arg
        u = table.setdefault(key, sp.Dummy(positive=True))
        subs[e] = 1 / u if negative else u
    return expr.xreplace(subs)


def _positive_form(expr: sp.Expr) -> sp.Expr:
    """Elementary form with exponentials as positive symbols, fractions combined at every
    depth: SymPy then sees that, say, 1 - sigma(t) = u/(1 + u) is positive."""
    return sp.together(_rational_in_exponentials(elementary(expr)), deep=True)


def _logs_expanded(expr: sp.Expr) -> sp.Expr:
    """log of a product or power of positive factors -> sum of logs (force=False)."""
    return sp.expand(sp.expand_log(_positive_form(expr), force=False))


def _is_positive(expr: sp.Expr) -> bool:
    """Positive for every value of its symbols (exponentials read as positive symbols)."""
    return bool(_positive_form(expr).is_positive)


def logs_of_products(expr: sp.Expr) -> sp.Expr:
    """log(Product_i f(i)) -> Sum_i log f(i), where every factor f(i) is positive."""
    return expr.replace(
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.Product)
        and _is_positive(e.args[0].function),
        lambda e: sp.Sum(sp.log(e.args[0].function), *e.args[0].limits))


def factors_out_of_sums(expr: sp.Expr) -> sp.Expr:
    """Sum_k c f(k) -> c Sum_k f(k) for every factor c free of k, the sum split over terms."""
    if not expr.args:
        return expr
    expr = expr.func(*[factors_out_of_sums(a) for a in expr.args])
    if not (isinstance(expr, sp.Sum) and len(expr.limits) == 1):
        return expr
    var, lo, hi = expr.limits[0]
    out = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(expr.function, power_exp=False, log=False)):
        coeff, dependent = term.as_independent(var, as_Add=False)
        out += coeff * sp.Sum(dependent, (var, lo, hi))
    return out


def _canonical_sum_variables(expr: sp.Expr, depth: int = 0,
                             prefix: str | None = None) -> sp.Expr:
    """Every summation variable renamed by its nesting depth, so equal sums compare equal.

    The new names (``_sum0``, ``_sum1``, ...) are chosen apart from every free symbol's
    name: a free symbol so named would be captured (Sum_k x_k _sum0 is not Sum_k x_k k)."""
    if prefix is None:
        taken = {str(s) for s in expr.free_symbols}
        prefix = "_sum"
        while any(name.startswith(prefix) for name in taken):
            prefix += "_"
    if not expr.args:
        return expr
    if isinstance(expr, (sp.Sum, sp.Product)) and len(expr.limits) == 1:
        var, lo, hi = expr.limits[0]
        new = sp.Symbol(f"{prefix}{depth}", **var.assumptions0)
        body = _canonical_sum_variables(expr.function.xreplace({var: new}), depth + 1, prefix)
        return expr.func(body, (new, lo, hi))
    return expr.func(*[_canonical_sum_variables(a, depth, prefix) for a in expr.args])


def generalised_arguments(expr: sp.Expr) -> sp.Expr:
    """Every function argument that holds a sum replaced by an indexed symbol of its own.

    Equal arguments (up to the names of summation variables and of free indices) get the same
    symbol, indexed by the argument's free indices, named by a hash of the argument: the same
    in every call.  Sound for proving zero: an identity that holds for every value of the new
    symbols holds for the values the arguments take.
    """
    seen: dict[sp.Expr, sp.Expr] = {}

    def indices(arg: sp.Expr) -> list[sp.Symbol]:
        found = {s for e in arg.atoms(MatrixElement, sp.Indexed)
                 for s in sp.Tuple(*e.args[1:]).free_symbols}
        return sorted(found & arg.free_symbols, key=str)

    def opaque(arg: sp.Expr) -> sp.Expr:
        if arg not in seen:
            seen[arg] = symbol_for(arg)
        return seen[arg]

    def symbol_for(arg: sp.Expr) -> sp.Expr:
        free = indices(arg)
        body = _canonical_sum_variables(arg)
        prefix = "_free"   # apart from every free symbol's name, as in the renamed sums
        while any(str(s).startswith(prefix) for s in arg.free_symbols):
            prefix += "_"
        best: tuple[str, tuple[sp.Symbol, ...]] | None = None
        for order in itertools.permutations(free):
            key = sp.srepr(body.xreplace({v: sp.Symbol(f"{prefix}{k}")
                                          for k, v in enumerate(order)}),
                           order="none")   # args as stored: canonical, no sorting
            if best is None or key < best[0]:
                best = (key, order)
        assert best is not None
        name = "A_" + hashlib.sha1(best[0].encode()).hexdigest()[:16]
        return sp.IndexedBase(name, real=True)[best[1]] if best[1] else sp.Symbol(name, real=True)

    return expr.replace(
        lambda e: isinstance(e, sp.Function) and not isinstance(e, sp.Piecewise)
        and len(e.args) >= 1 and e.args[0].has(sp.Sum),
        lambda e: e.func(opaque(e.args[0]), *e.args[1:]))


def one_fraction(expr: sp.Expr) -> sp.Expr:
    """``expr`` over one denominator, cancelled; 0 as soon as the expanded numerator is.

    Expanding the numerator is much quicker than ``cancel`` (which converts both to
    polynomials and divides out their gcd) and decides most zeros; cancel decides the rest.
    """
    combined = sp.together(expr)
    if sp.expand(sp.fraction(combined)[0]) == 0:
        return sp.S.Zero
    return sp.cancel(combined)


def _sums_normalised(expr: sp.Expr) -> sp.Expr:
    """Constant factors pulled out of sums and summation variables renamed canonically."""
    pulled = sp.expand(factors_out_of_sums(expr), power_exp=True, mul=False,
                       multinomial=False, log=False)   # exp(a + b) -> exp(a) exp(b)
    return one_fraction(_canonical_sum_variables(pulled))


def _merged_sums(expr: sp.Expr) -> tuple[list[sp.Expr], sp.Expr] | None:
    """Split a linear combination of single sums into one summand per range, plus the rest.

    Sum_i f(i) - Sum_i g(i) becomes the summand f(i) - g(i) over the shared range; the sums'
    variables are renamed to one symbol per range first.  None when no sum is present.
    """
    groups: dict[tuple[sp.Expr, sp.Expr], sp.Expr] = {}
    names: dict[tuple[sp.Expr, sp.Expr], str] = {}
    taken = {str(s) for s in expr.free_symbols}
    rest = sp.S.Zero
    found = False
    for term in sp.Add.make_args(expr):
        coeff, body = term.as_independent(sp.Sum, as_Add=False)
        if isinstance(body, sp.Sum):
            # a sum over several indices: the outermost index, over a sum of the others
            var, lo, hi = body.limits[-1]
            summand = (sp.Sum(body.function, *body.limits[:-1]) if len(body.limits) > 1
                       else body.function)
            key = (lo, hi)
            if key not in names:   # one name per range, free in the whole difference: an
                name = f"_{var.name}"   # index of an outer sum is never captured
                while name in taken:
                    name += "_"
                names[key] = name
                taken.add(name)
            canonical = sp.Symbol(names[key], **var.assumptions0)
            groups[key] = groups.get(key, sp.S.Zero) + coeff * summand.xreplace(
                {var: canonical})
            found = True
        else:
            rest += term
    return (list(groups.values()), rest) if found else None


def _sums_cancel(diff: sp.Expr, max_ops: int, nesting: int) -> bool:
    """Whether the sums in a difference, merged range by range, cancel summand by summand."""
    merged = _merged_sums(sp.expand(diff, power_exp=False, log=False))
    if merged is None:
        return False
    summands, rest = merged
    return all(reduces_to_zero(t, max_ops, nesting + 1) for t in [*summands, rest])


def _gives_zero(tactic: Callable[[sp.Expr], sp.Expr], expr: sp.Expr) -> bool:
    """Whether a tactic rewrites expr to 0 (one that cannot handle expr gives no zero)."""
    try:
        return tactic(expr) == 0
    except (sp.PolynomialError, TypeError, ValueError):
        return False


def _cheap_zero(diff: sp.Expr) -> bool:
    """Whether expanding, or combining into one fraction, gives zero."""
    return _gives_zero(sp.expand, diff) or _gives_zero(one_fraction, diff)


@functools.lru_cache(maxsize=4096)
def reduces_to_zero(diff: sp.Expr, max_ops: int = SIMPLIFY_MAX_OPS, nesting: int = 0) -> bool:
    """Whether a difference provably reduces to zero, trying cheap tactics before costly ones.

    ``sympy.simplify`` is tried last, and only on differences of at most ``max_ops``
    operations, because its running time is unbounded.  ``nesting`` counts the summand
    matchings this difference came from: past ``NESTING_FULL_SEARCH`` only the cheap tactics
    are tried (a failed matching deep down cost more than all it ever proved).
    """
    if diff == 0:
        return True
    diff = logs_of_products(diff)
    if nesting >= NESTING_FULL_SEARCH:
        return _cheap_zero(diff)
    if diff.has(sp.Sum) and _sums_cancel(diff, max_ops, nesting):
        return True   # summand by summand first: cancel() on whole sums is slow and rarely wins
    plain_form = elementary(diff)
    candidates = [diff] if plain_form == diff else [diff, plain_form]
    tactics = [(cand, tactic) for cand in candidates
               for tactic in (sp.expand, one_fraction,
                              lambda e: one_fraction(_rational_in_exponentials(e)))]
    tactics.append((diff, _logs_expanded))   # works on the elementary form itself
    if diff.has(sp.Sum):   # sums of quotients: as soon as the form as written is tried
        tactics.insert(2, (plain_form, _sums_normalised))
    if any(_gives_zero(tactic, cand) for cand, tactic in tactics):
        return True
    for cand in candidates:
        if cand.has(sp.Sum, sp.Product, sp.Piecewise, sp.Heaviside):
            # simplify takes seconds on symbolic sums, and on piecewise functions compares
            # conditions at random points: decided above, or judged numerically
            continue
        if sp.count_ops(cand) <= max_ops:
            try:
                if sp.simplify(sp.expand_log(cand, force=False)) == 0:
                    return True
            except (TypeError, ValueError, NotImplementedError):
                continue
    return False


