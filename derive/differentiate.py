"""Differentiation by the rules SymPy uses, without its per-node overhead.

``sympy.diff`` builds a ``Derivative`` for every node of the expression as it recurses, and
each one sympifies and sorts its variables, asks the result whether it is zero (walking it
through the assumption system) and rewrites nested derivatives: most of the time spent on
the large index expressions of back-propagation went there.  :func:`derivative` applies the
same rules as SymPy (the sum rule, the product rule, the power rule, the chain rule with each
function's ``fdiff``, a sum differentiated under the summation sign, ∂x_i/∂x_j = δ_ij)
directly, and leaves every other node to ``sympy.diff``.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy.core.function import ArgumentIndexError


def evaluated(d: sp.Derivative) -> sp.Expr:
    """A written derivative carried out, as ``d.doit(deep=False)``; a derivative of an
    unspecified function f(z) stays written (SymPy's doit would then also try to sum every
    sum around it in closed form, which costs much and changes nothing here)."""
    if not all(isinstance(v, (sp.Symbol, sp.Indexed)) and c.is_Integer
               for v, c in d.variable_count):
        return d.doit(deep=False)
    result = d.expr
    for v, count in d.variable_count:
        for _ in range(int(count)):
            result = derivative(result, v)
    return result


def derivatives_carried_out(expr: sp.Expr) -> sp.Expr:
    """Every written derivative in ``expr`` carried out (inner ones first)."""
    return expr.replace(lambda e: isinstance(e, sp.Derivative), evaluated)


@functools.lru_cache(maxsize=8192)
def derivative(expr: sp.Expr, x: sp.Basic) -> sp.Expr:
    """∂expr/∂x for a symbol or an indexed entry x, equal to ``sympy.diff(expr, x)``."""
    if expr == x:
        return sp.S.One
    if expr.is_Number or isinstance(expr, sp.IndexedBase):
        return sp.S.Zero
    if isinstance(expr, sp.Symbol):
        return sp.S.Zero   # x is a symbol or an indexed entry other than expr
    if isinstance(expr, sp.Indexed):
        return _indexed(expr, x)
    if isinstance(expr, sp.Add):
        return sp.Add(*[derivative(a, x) for a in expr.args])
    if isinstance(expr, sp.Mul) and expr.is_commutative:
        args = list(expr.args)
        terms = []
        for k, a in enumerate(args):
            d = derivative(a, x)
            if d != 0:
                terms.append(sp.Mul(*args[:k], d, *args[k + 1:]))
        return sp.Add(*terms)
    if isinstance(expr, sp.Pow) and _free_of(expr.exp, x):
        return expr * derivative(expr.base, x) * expr.exp / expr.base   # as Pow's rule
    if isinstance(expr, sp.Sum) and _under_the_sum(expr, x):
        summand = derivative(expr.function, x)
        return sp.S.Zero if summand == 0 else sp.Sum(summand, *expr.limits)
    if (isinstance(expr, sp.Function)
            and type(expr)._eval_derivative is sp.Function._eval_derivative):
        return _chain_rule(expr, x)
    return sp.diff(expr, x)


def _indexed(expr: sp.Indexed, x: sp.Basic) -> sp.Expr:
    """∂w[i, j]/∂w[k, l] = δ_ik δ_jl, as SymPy; 0 for another base or a plain symbol."""
    if isinstance(x, sp.Indexed) and x.base == expr.base:
        if len(x.indices) != len(expr.indices):
            return sp.diff(expr, x)   # SymPy's error
        return sp.Mul(*[sp.KroneckerDelta(a, b) for a, b in zip(expr.indices, x.indices,
                                                                 strict=True)])
    if x in expr.free_symbols:
        return sp.diff(expr, x)       # x is one of its indices: SymPy decides
    return sp.S.Zero


def _free_of(expr: sp.Expr, x: sp.Basic) -> bool:
    """Whether expr does not depend on x (for an entry w[i, j]: holds no entry of w)."""
    if isinstance(x, sp.Indexed):
        return not expr.has(x.base)
    return x not in expr.free_symbols


def range_symbols(limits: tuple[tuple[sp.Expr, ...], ...]) -> set[sp.Basic]:
    """The symbols the ranges of a sum's limits depend on (k in Sum_{j=1}^{k})."""
    return set().union(*(sp.Tuple(*lim[1:]).free_symbols for lim in limits))


def _under_the_sum(expr: sp.Sum, x: sp.Basic) -> bool:
    """Whether differentiating under the summation sign is what SymPy does: the ranges do
    not depend on x, and x does not use a summation variable."""
    bound = {lim[0] for lim in expr.limits}
    return not (x.free_symbols & bound) and not (x.free_symbols & range_symbols(expr.limits))


def _chain_rule(expr: sp.Function, x: sp.Basic) -> sp.Expr:
    """f(a₁, …)' = Σ_k ∂f/∂a_k · a_k', as ``Function._eval_derivative``."""
    terms = []
    for k, a in enumerate(expr.args, 1):
        da = derivative(a, x)
        if da == 0:
            continue
        try:
            df = expr.fdiff(k)
        except ArgumentIndexError:
            df = sp.Function.fdiff(expr, k)
        terms.append(df * da)
    return sp.Add(*terms)
