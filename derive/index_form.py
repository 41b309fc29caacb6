"""One entry of a matrix expression of general size, in index notation: how the verifier
proves a matrix step for every size (derive.identities).  Products become sums, diag and I
Kronecker deltas, Jacobians and gradients derivatives by matrix entries.

Kept apart from derive.matrices, which builds the expressions: the library uses that one, and
only the verifier this one (with its symbolic tactics).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr

from derive.differentiate import derivative
from derive.matrices import Gradient, _MatrixDerivative, entry_label
from derive.tactics import collapse_delta_sums, flattened_sums, generalised_arguments


def entry(expr: sp.Basic, i: Any, j: Any) -> sp.Expr:
    """Entry (i, j) of a matrix expression of general size, in index notation.

    Products become sums over fresh indices (0-based; none along a dimension of size 1),
    diag and I Kronecker deltas, Jacobians and gradients derivatives by matrix entries;
    deltas are then summed out (i and j lie in the ranges of the shape's dimensions, the
    fresh indices in their sums' ranges).  A node with no rule raises NotImplementedError.
    """
    raw = _index_form(expr, i, j)
    rows, cols = expr.shape
    ranges = {s: (sp.S.Zero, size - 1) for s, size in ((i, rows), (j, cols))
              if isinstance(s, sp.Symbol)}
    return flattened_sums(collapse_delta_sums(raw.replace(   # sympy.diff's deltas carry
        lambda e: isinstance(e, sp.KroneckerDelta) and len(e.args) == 3,   # their range
        lambda e: sp.KroneckerDelta(*e.args[:2])), ranges))


def _index_form(expr: sp.Basic, i: Any, j: Any) -> sp.Expr:
    if not isinstance(expr, MatrixExpr):
        if isinstance(expr, sp.Basic) and expr.has(sp.MatrixSymbol):
            # tr(AB) in a gradient by A: left whole, its derivative by A[i, j] would be 0
            raise NotImplementedError("no index form for a scalar of matrices "
                                      f"({type(expr).__name__})")
        return expr
    if isinstance(expr, sp.MatrixSymbol):
        return _element(expr, i, j)
    rule = next((r for kind, r in _INDEX_RULES.items() if isinstance(expr, kind)), None)
    if rule is None:
        raise NotImplementedError(f"no index form for {type(expr).__name__}")
    return rule(expr, i, j)


def _element(matrix: sp.MatrixSymbol, i: Any, j: Any) -> sp.Indexed:
    """matrix[i, j] as an Indexed (a MatrixElement checks its indices against the symbolic
    dimensions on every rebuild, which is slow)."""
    return sp.IndexedBase(entry_label(matrix))[i, j]


def _product_entry(expr: sp.MatMul, i: Any, j: Any) -> sp.Expr:
    coeff, factors = expr.as_coeff_matrices()
    inner = [f.shape[1] for f in factors[:-1]]
    links = [sp.S.Zero if dim == 1 else sp.Dummy("k", integer=True) for dim in inner]
    ends = [i, *links, j]
    body = sp.Mul(*[_index_form(f, ends[k], ends[k + 1]) for k, f in enumerate(factors)])
    limits = [(k, 0, dim - 1) for k, dim in zip(links, inner, strict=True) if dim != 1]
    return coeff * (sp.Sum(body, *limits) if limits else body)


_ROW, _COL = sp.symbols("row_ col_", integer=True, nonnegative=True)


def _derivative_entry(node: _MatrixDerivative, i: Any, j: Any) -> sp.Expr:
    """A Jacobian's or gradient's entry (i, j): worked out once per node (they recur in
    many steps), then instantiated, its summation variables renamed apart."""
    form = _derivative_form(node)
    bound = {lim[0] for s in form.atoms(sp.Sum) for lim in s.limits}
    fresh = {k: sp.Dummy("k", integer=True) for k in bound}
    return form.xreplace({**fresh, _ROW: i, _COL: j})


@functools.lru_cache(maxsize=256)
def _derivative_form(node: _MatrixDerivative) -> sp.Expr:
    """The entry in the placeholders (row_, col_), its function arguments generalised: it is
    never differentiated again, and both sides of a step generalise their arguments alike."""
    if node.args[0].has(_MatrixDerivative):   # its generalised arguments would be wrong
        raise NotImplementedError("no index form for a derivative of a derivative")
    i, j = _general_indices(node, _ROW, _COL)
    if isinstance(node, Gradient):
        loss, variable = node.args
        return generalised_arguments(derivative(_index_form(loss, 0, 0), _element(variable, i, j)))
    f, u, point = node.args   # ∂f_i/∂u_j, then u = point entry by entry
    df = derivative(_index_form(f, i, 0), _element(u, j, 0))
    u_base = sp.IndexedBase(entry_label(u))
    return generalised_arguments(df.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == u_base,
        lambda e: generalised_arguments(_index_form(point, *e.indices))))


def _inverse_entry(expr: sp.Inverse, i: Any, j: Any) -> sp.Expr:
    if not isinstance(expr.args[0], sp.DiagMatrix):
        raise NotImplementedError("no index form for the inverse of a general matrix")
    return sp.KroneckerDelta(i, j) / _index_form(expr.args[0].args[0], i, 0)


def _power_entry(base: sp.MatrixExpr, power: sp.Expr, i: Any, j: Any) -> sp.Expr:
    if not (power.is_Integer and power > 0):
        raise NotImplementedError("no index form for a matrix power other than 1, 2, 3, …")
    return _product_entry(sp.MatMul(*[base] * int(power)), i, j)


_INDEX_RULES: dict[type, Callable[[Any, Any, Any], sp.Expr]] = {
    sp.MatMul: _product_entry,
    sp.MatAdd: lambda e, i, j: sp.Add(*[_index_form(a, i, j) for a in e.args]),
    sp.HadamardProduct: lambda e, i, j: sp.Mul(*[_index_form(a, i, j) for a in e.args]),
    sp.Transpose: lambda e, i, j: _index_form(e.args[0], j, i),
    ElementwiseApplyFunction: lambda e, i, j: e.function(_index_form(e.expr, i, j)),
    sp.DiagMatrix: lambda e, i, j: sp.KroneckerDelta(i, j) * _index_form(e.args[0], i, 0),
    sp.Inverse: _inverse_entry,
    sp.MatPow: lambda e, i, j: _power_entry(e.args[0], e.args[1], i, j),
    _MatrixDerivative: _derivative_entry,
    sp.Identity: lambda e, i, j: sp.KroneckerDelta(i, j),
    sp.OneMatrix: lambda e, i, j: sp.S.One,
    sp.ZeroMatrix: lambda e, i, j: sp.S.Zero,
}


def entry_indices(matrix: sp.MatrixExpr) -> tuple[sp.Expr, sp.Expr]:
    """Symbols for a general entry (i, j) of ``matrix``; 0 along a dimension of size 1."""
    return _general_indices(matrix, *sp.symbols("i_entry j_entry", integer=True,
                                                 nonnegative=True))


def _general_indices(matrix: sp.MatrixExpr, i: sp.Symbol, j: sp.Symbol
                     ) -> tuple[sp.Expr, sp.Expr]:
    rows, cols = matrix.shape
    return (sp.S.Zero if rows == 1 else i, sp.S.Zero if cols == 1 else j)
