"""Matrix calculus for general sizes: element-wise functions, diag, Jacobians, gradients.

A matrix expression here has symbolic dimensions (W ∈ ℝ^(d×n)); :func:`at_sizes` turns it
into an explicit matrix of real symbols for concrete sizes, which is how the verifier judges
a matrix step.  Layout: a Jacobian ∂f/∂u has one row per output and one column per input
(numerator layout), so the gradient of a scalar by a vector is a row; the gradient of a scalar
by a matrix W has W's shape.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.printing.precedence import PRECEDENCE, precedence_traditional

from derive.authoring import NamedSymbol
from derive.differentiate import derivative
from derive.functions import Verbatim, VerbatimSum


class Elementwise(ElementwiseApplyFunction):
    """f applied to every entry of a matrix, printed as f(X) (``Elementwise(Lambda(t, …), X)``)."""

    @property
    def precedence(self) -> int:
        """As printed: 3 (x)^+ binds like a product, the identity like its argument."""
        t, body = self.function.variables[0], self.function.expr
        return precedence_traditional(self.expr if body == t else body)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        t = self.function.variables[0]
        kind = VerbatimSum if isinstance(self.expr, (sp.MatAdd, sp.Add)) else Verbatim
        placeholder = kind(printer._print(self.expr))
        with sp.evaluate(False):    # σ(t)(1 − σ(t)) stays in the order it was written
            body = self.function.expr.xreplace({t: placeholder})
        return printer._print(body)


def elementwise(f: sp.Expr, t: sp.Symbol, matrix: sp.MatrixExpr) -> Elementwise:
    """The element-wise application of ``u ↦ f(u)`` (written in the scalar ``t``) to ``matrix``."""
    return Elementwise(sp.Lambda(t, f), matrix)


class Diag(sp.DiagMatrix):
    """The square diagonal matrix with a column vector on its diagonal."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return rf"\operatorname{{diag}}\left({printer._print(self.args[0])}\right)"


class Hadamard(sp.HadamardProduct):
    """The entry-wise product, printed with ⊙."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        # a factor in parentheses where it binds more loosely than a product (a sum), and a
        # matrix product too, as the equations are stated: ((W^{l+1})^T δ^{l+1}) ⊙ σ'(z^l)
        return r" \odot ".join(
            printer._add_parens(printer._print(a)) if isinstance(a, sp.MatMul)
            else printer.parenthesize(a, PRECEDENCE["Mul"], strict=True) for a in self.args)


class _MatrixDerivative(MatrixExpr):
    """What a Jacobian and a gradient share: printed ∂(first argument)/∂(second), and an
    entry in index notation while the sizes are symbols, read off ``doit`` once concrete."""

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        if not has_symbolic_shape(self):
            return self.doit()[i, j]
        from derive.index_form import entry  # index notation: only when asked for

        return entry(self, i, j)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return (rf"\frac{{\partial {printer._print(self.args[0])}}}"
                rf"{{\partial {printer._print(self.args[1])}}}")


class Jacobian(_MatrixDerivative):
    """∂f/∂u evaluated at u = ``point``: entry (r, c) is ∂f_r/∂u_c.

    ``f`` is a column (or 1×1) matrix expression in the column variable ``u``; keeping u a
    variable of its own lets ``point`` be any expression (s2 = W2 a1 + b2, say).
    """

    def __new__(cls, f: sp.Basic, u: sp.Basic, point: sp.Basic) -> Jacobian:
        _require_variable(u, "the variable of a Jacobian")
        if _shape(u)[1] != 1 or _shape(f)[1] != 1:
            raise ValueError(f"a Jacobian is of a column by a column: ∂({sp.sstr(f)})/"
                             f"∂({sp.sstr(u)}) has shapes {_shape(f)} and {_shape(u)}")
        if sp.expand(_shape(point)[0] - _shape(u)[0]) != 0 or _shape(point)[1] != 1:
            raise ValueError(f"the point {sp.sstr(point)} of a Jacobian by {sp.sstr(u)} has "
                             f"another shape ({_shape(point)}, not {_shape(u)})")
        return sp.Basic.__new__(cls, f, u, point)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (self.args[0].shape[0], self.args[1].shape[0])

    def doit(self, **hints: Any) -> sp.Basic:
        if has_symbolic_shape(self):
            return self
        f, u, point = (explicit(a) for a in self.args)
        at = dict(zip(u, point, strict=True))
        return sp.ImmutableMatrix(f.rows, u.rows,
                                  lambda r, c: derivative(f[r, 0], u[c, 0]).xreplace(at))


class Gradient(_MatrixDerivative):
    """∂ℓ/∂W for a scalar (or 1×1) ℓ and a matrix variable W: W's shape, entry-wise."""

    def __new__(cls, loss: sp.Basic, variable: sp.Basic) -> Gradient:
        _require_variable(variable, "the variable of a gradient")
        if _shape(loss) != (1, 1):
            raise ValueError(f"a gradient is of a scalar (or 1 x 1) loss, not of "
                             f"{sp.sstr(loss)} of shape {_shape(loss)}: only its entry "
                             "(1, 1) would be differentiated")
        return sp.Basic.__new__(cls, loss, variable)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[1].shape

    def doit(self, **hints: Any) -> sp.Basic:
        if has_symbolic_shape(self):
            return self
        loss, variable = self.args
        loss = explicit(loss)   # a scalar too: tr(AB) with A written out
        if isinstance(loss, sp.MatrixBase):
            loss = loss[0, 0]
        w = explicit(variable)
        return sp.ImmutableMatrix(*w.shape, lambda r, c: derivative(loss, w[r, c]))


def _shape(expr: sp.Basic) -> tuple[Any, Any]:
    """A matrix's shape, (1, 1) for a scalar."""
    return tuple(expr.shape) if isinstance(expr, (MatrixExpr, sp.MatrixBase)) else (1, 1)


def _require_variable(u: sp.Basic, what: str) -> None:
    """Raise ValueError unless ``u`` is something to differentiate by: a matrix symbol (or its
    transpose), or once written out a matrix of distinct symbols.  A derivative by an
    expression (∂x/∂(2x), ∂f/∂(W x)) is not what the entry-wise rule computes: x_1 holds no
    2 x_1, so ∂x/∂(2x) came out 0."""
    if isinstance(u, sp.Transpose):
        u = u.args[0]
    if isinstance(u, sp.MatrixSymbol):
        return
    entries = list(u) if isinstance(u, sp.MatrixBase) else []
    if entries and all(isinstance(e, sp.Symbol) for e in entries) \
            and len(set(entries)) == len(entries):
        return
    raise ValueError(f"{what} must be a matrix symbol, not {sp.sstr(u)}: define a symbol for "
                     "the expression and differentiate by it (a Jacobian's point says where)")


def minus(a: sp.MatrixExpr, b: sp.MatrixExpr) -> sp.MatrixExpr:
    """a − b, kept in the order written (SymPy would print −b + a)."""
    return sp.MatAdd(a, sp.MatMul(-1, b), evaluate=False)


def entry_label(matrix: sp.MatrixSymbol) -> sp.Symbol | str:
    """What a matrix's entries are indexed by in index notation (IndexedBase(label)): its
    name, or the symbol with notation that names it (W^(1) and W^(2) are not one W)."""
    label = matrix.args[0]
    return label if isinstance(label, NamedSymbol) else matrix.name


def has_symbolic_shape(expr: sp.Basic) -> bool:
    """Whether ``expr`` is a matrix expression whose dimensions are symbols (n, d, K)."""
    return isinstance(expr, MatrixExpr) and any(
        not sp.sympify(dim).is_Integer for dim in expr.shape)


def has_symbolic_size(expr: sp.Basic) -> bool:
    """Whether ``expr`` is a matrix expression of symbolic size: its own dimensions, or
    those of a matrix inside it (v^T A u is 1 x 1, a sum over n all the same)."""
    return has_symbolic_shape(expr) or isinstance(expr, MatrixExpr) and _holds_sized_matrix(expr)


def _holds_sized_matrix(expr: sp.Basic) -> bool:
    """Whether a matrix of symbolic size is inside (a symbol, or I_n: tr I_n = n)."""
    return any(not sp.sympify(dim).is_Integer for m in expr.atoms(sp.MatrixSymbol, sp.Identity,
                                                                   sp.ZeroMatrix, sp.OneMatrix)
               for dim in m.shape)


def is_sized_scalar(expr: sp.Basic) -> bool:
    """Whether ``expr`` is a scalar (not a matrix expression) with matrices of symbolic size
    inside: tr(AB), det A, an entry (v^T u)_11 or (W x)_i, a function of them."""
    return (isinstance(expr, sp.Basic) and not isinstance(expr, (MatrixExpr, sp.MatrixBase))
            and _holds_sized_matrix(expr))


def holds_symbolic_size(expr: sp.Basic) -> bool:
    """Whether ``expr`` is judged at concrete sizes written out: a matrix expression of
    symbolic size (:func:`has_symbolic_size`) or a scalar made of such matrices, the 1 x 1
    matrix it is (:func:`is_sized_scalar`)."""
    return has_symbolic_size(expr) or is_sized_scalar(expr)


def shape_of(expr: sp.Basic) -> tuple[Any, Any]:
    """A matrix's shape, (1, 1) for a scalar (tr(AB) is the 1 x 1 matrix v^T v also is)."""
    return _shape(expr)


def written_at(expr: sp.Basic, values: dict[sp.Symbol, int]) -> sp.ImmutableMatrix:
    """``expr`` at concrete sizes (and index values) as an explicit matrix: a scalar (tr(AB),
    (W x)_i) as the 1 x 1 matrix it is."""
    out = at_sizes(expr, values)
    return out if isinstance(out, sp.MatrixBase) else sp.ImmutableMatrix([[out]])


def symbolic_dimensions(expr: sp.Basic) -> set[sp.Basic]:
    """The symbols of the dimensions of ``expr`` and of the matrices inside it."""
    shapes = [getattr(expr, "shape", ())] + [m.shape for m in getattr(
        expr, "atoms", lambda *_: set())(sp.MatrixSymbol)]
    return sp.Tuple(*[d for shape in shapes for d in shape]).free_symbols


def explicit_symbols(matrix: sp.MatrixSymbol) -> sp.ImmutableMatrix:
    """A concrete-size matrix symbol as real symbols W_11, W_12, … (x_1, x_2, … for a column;
    W_1,11 and W_11,1 once a dimension reaches 10, which would otherwise share a name).  A
    matrix named by a symbol with notation (``matrix("W", n, n, "W^{(1)}")``) has entries
    that carry it: two matrices of one name and two notations are two matrices."""
    wide = max(int(matrix.rows), int(matrix.cols)) >= 10
    label = matrix.args[0]

    def entry(r: int, c: int) -> sp.Symbol:
        index = (f"{r + 1}" if matrix.cols == 1 else f"{r + 1},{c + 1}" if wide
                 else f"{r + 1}{c + 1}")
        if isinstance(label, NamedSymbol):   # W^(1) and W^(2), both named W: not one W_11
            return NamedSymbol(f"{matrix.name}_{index}", f"{{{label.latex}}}_{{{index}}}",
                               real=True)
        return sp.Symbol(f"{matrix.name}_{index}", real=True)

    return sp.ImmutableMatrix(int(matrix.rows), int(matrix.cols), entry)


@functools.lru_cache(maxsize=1024)
def explicit(expr: sp.Basic) -> sp.Basic:
    """A concrete-size matrix expression evaluated bottom-up into an explicit matrix.

    Each kind of node has its rule (products of explicit matrices, entry-wise functions,
    Jacobians by differentiating entries); a scalar is returned as it is.  Remembered: the
    same node (a gradient, say) recurs in many steps.
    """
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr)
    if not isinstance(expr, MatrixExpr):
        return _explicit_scalar(expr)
    if isinstance(expr, sp.MatrixSymbol):
        return explicit_symbols(expr)
    if isinstance(expr, _MatrixDerivative):
        return type(expr)(*map(explicit, expr.args)).doit()
    rule = _EXPLICIT_RULES.get(type(expr)) or next(
        (r for kind, r in _EXPLICIT_RULES.items() if isinstance(expr, kind)), None)
    args = [explicit(a) for a in expr.args]
    if rule is None:
        return sp.ImmutableMatrix(expr.func(*args).as_explicit())
    return rule(expr, args)


def _explicit_scalar(expr: Any) -> Any:
    """A scalar with matrices inside (tr(AB), det A, (v^T v)_11, a function of them) with
    each matrix written out and the trace, determinant or entry taken: left as it was, a
    gradient by A's entries saw no A in tr(AB) (d tr(AB)/dA = 0 was proved)."""
    if not isinstance(expr, sp.Basic) or not expr.args or not expr.has(MatrixExpr):
        return expr
    args = [explicit(a) if isinstance(a, MatrixExpr) else _explicit_scalar(a)
            for a in expr.args]
    rebuilt = expr.func(*args)
    if isinstance(rebuilt, sp.Determinant) and isinstance(rebuilt.arg, sp.MatrixBase):
        # division-free and exact; SymPy's default (Bareiss, cancelling at each step) takes
        # seconds on a 5 x 5 matrix of symbols, minutes on a product of two
        return rebuilt.arg.det(method="berkowitz")
    if isinstance(rebuilt, (sp.Trace, sp.Determinant)) or (
            isinstance(rebuilt, sp.Sum) and all(b.is_Integer for lim in rebuilt.limits
                                                for b in lim[1:])):
        return rebuilt.doit()   # a sum of entries over a concrete range: (v^T v)_11
    return rebuilt


def _product(_: Any, args: list[Any]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(functools.reduce(operator.mul, args))


def _total(_: Any, args: list[Any]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(functools.reduce(operator.add, args))


def _hadamard(_: Any, args: list[Any]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(functools.reduce(lambda a, b: a.multiply_elementwise(b), args))


def _inverse(matrix: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
    """The inverse; a diagonal one entry by entry (general inversion of large entries is slow)."""
    if matrix.is_diagonal():
        return sp.ImmutableMatrix(sp.diag(*[1 / matrix[i, i] for i in range(matrix.rows)]))
    return sp.ImmutableMatrix(matrix.inv())


_EXPLICIT_RULES: dict[type, Callable[[Any, list[Any]], sp.ImmutableMatrix]] = {
    sp.MatMul: _product,
    sp.MatAdd: _total,
    sp.HadamardProduct: _hadamard,
    sp.Transpose: lambda e, a: a[0].T,
    sp.MatPow: lambda e, a: a[0] ** a[1],
    sp.Inverse: lambda e, a: _inverse(a[0]),
    sp.DiagMatrix: lambda e, a: sp.ImmutableMatrix(sp.diag(*a[0])),
    ElementwiseApplyFunction: lambda e, a: a[1].applyfunc(e.function),
    sp.Identity: lambda e, a: sp.ImmutableMatrix(sp.eye(int(e.rows))),
    sp.OneMatrix: lambda e, a: sp.ImmutableMatrix(sp.ones(int(e.rows), int(e.cols))),
    sp.ZeroMatrix: lambda e, a: sp.ImmutableMatrix(sp.zeros(int(e.rows), int(e.cols))),
}


def at_sizes(expr: sp.Basic, sizes: dict[sp.Symbol, int]) -> sp.Basic:
    """``expr`` at concrete sizes: every matrix symbol written out entry by entry, evaluated.

    Remembered: neighbouring steps share a side, and each side is written out at every size.
    """
    return _at_sizes(expr, tuple(sorted(sizes.items(), key=lambda kv: str(kv[0]))))


@functools.lru_cache(maxsize=256)
def _at_sizes(expr: sp.Basic, sizes: tuple[tuple[sp.Symbol, int], ...]) -> sp.Basic:
    return explicit(expr.xreplace({k: sp.Integer(v) for k, v in sizes}))
