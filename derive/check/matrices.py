"""Steps with products of matrices and vectors, decided at random matrices.

What a name stands for is read from how it is written: a bold capital (``\\mathbf{W}``) or a
transposed capital is a matrix, a bold or transposed small letter a column vector; a plain
capital (``W``) is a matrix or a number, a plain small letter next to a matrix (``W x``) a
column vector or a number, a Leibniz derivative (``∂C/∂s``) anything at all.  Every mix of
those readings is tried.  In each, the shapes are inferred by unification (``A B`` needs A's
columns to be B's rows; a sum needs equal shapes; a number added to a product makes it 1×1);
a reading whose shapes cannot fit is dropped.  Each reading that fits is evaluated with random
entries, at two draws, with sizes 3, 4 and 5 for the free dimensions (below 2n, no identity of
n×n matrices holds that is not an identity of all matrices, Amitsur–Levitzki).  A step is
wrong only when every reading that fits differs, right only when every one agrees."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.functions import relu, sigmoid

TRANSPOSED = "^{T}"
MAX_AMBIGUOUS = 6                 # names with two readings: 2**6 readings at most
SIZES = (3, 4, 5)
TOLERANCE = 1e-9
MATRIX_CAPITALS = frozenset("ABHIMQRSUVWXY")
_BOLD = re.compile(r"\\(?:mathbf|boldsymbol|bm|vec)\{")
_DECORATION = re.compile(r"\\(?:hat|tilde|bar|widehat|widetilde|overline|mathrm|mathit)\{")
_CAPITAL_GREEK = ("Theta", "Sigma", "Phi", "Lambda", "Omega", "Gamma", "Delta", "Psi", "Pi",
                  "Xi", "Upsilon")
_ELEMENTWISE: dict[type, Any] = {sp.exp: np.exp, sp.log: np.log, sp.tanh: np.tanh, sp.Abs: np.abs,
                sp.sin: np.sin, sp.cos: np.cos, sigmoid: lambda v: 1 / (1 + np.exp(-v)),
                relu: lambda v: np.maximum(v, 0)}


class Unsupported(Exception):
    """A form the random-matrix comparison does not evaluate (a sum, an unknown function)."""


def is_candidate(s: sp.Basic) -> bool:
    """A symbol that may stand for a matrix or vector: not a number written out (#k), not an
    index, not a bound of a sum."""
    return isinstance(s, sp.Symbol) and not s.name.startswith("#") and not s.is_integer


def ordered(e: sp.Expr) -> sp.Expr:
    """``e`` with every name that may be a matrix or vector made non-commutative, so that a
    product keeps the order it was written in."""
    swaps = {s: sp.Symbol(s.name, commutative=False) for s in e.free_symbols
             if is_candidate(s) and s.is_commutative}
    return e.xreplace(swaps) if swaps else e


def looks_like_matrix(e: sp.Expr) -> bool:
    """Holds a name written as a matrix or vector: bold, transposed, already non-commutative,
    or a capital that usually names a matrix (W, X, A; not C, L, K, N, P, which are usually
    numbers: a cost, a count, a probability)."""
    for s in e.free_symbols:
        if not isinstance(s, sp.Symbol) or not is_candidate(s):
            continue
        if not s.is_commutative or s.name.endswith(TRANSPOSED) or _BOLD.match(s.name):
            return True
        inner = _DECORATION.sub("", s.name).lstrip("{\\")
        if inner[:1] in MATRIX_CAPITALS or inner.startswith(_CAPITAL_GREEK):
            return True
    return False


def transposed(e: sp.Expr) -> sp.Expr:
    """(A B)ᵀ = Bᵀ Aᵀ, (A + B)ᵀ = Aᵀ + Bᵀ, σ(z)ᵀ = σ(zᵀ); raises Unsupported otherwise."""
    if isinstance(e, sp.Symbol):
        if not is_candidate(e):
            return e
        name = e.name[:-len(TRANSPOSED)] if e.name.endswith(TRANSPOSED) else e.name + TRANSPOSED
        return sp.Symbol(name, commutative=False)
    if e.is_Number:
        return e
    if isinstance(e, sp.Add):
        return sp.Add(*(transposed(a) for a in e.args))
    if isinstance(e, sp.Mul):
        scalars, factors = e.args_cnc()
        return sp.Mul(*(transposed(a) for a in scalars),
                      *(transposed(a) for a in reversed(factors)))
    if isinstance(e, sp.Pow) and e.exp.is_Integer:
        return sp.Pow(transposed(e.base), e.exp)
    if isinstance(e, sp.Function) and type(e) in _ELEMENTWISE:
        return type(e)(transposed(e.args[0]))
    raise Unsupported("the transpose of this expression")


def base_name(name: str) -> str:
    return name[:-len(TRANSPOSED)] if name.endswith(TRANSPOSED) else name


def kind_of(name: str, transposed_somewhere: bool) -> str:
    """matrix | vector | matrix_or_number | vector_or_number | anything."""
    if "∂" in name:
        return "anything"
    bold = _BOLD.match(name) is not None
    inner = _DECORATION.sub("", _BOLD.sub("", name)).lstrip("{\\")
    capital = inner[:1].isupper() or inner.startswith(_CAPITAL_GREEK)
    if bold or transposed_somewhere:
        return "matrix" if capital else "vector"
    return "matrix_or_number" if capital else "vector_or_number"


@dataclass
class _Shapes:
    """Union–find over dimensions; ``ONE`` is the dimension 1."""

    parent: dict[str, str]

    def find(self, d: str) -> str:
        while self.parent.setdefault(d, d) != d:
            self.parent[d] = self.parent[self.parent[d]]
            d = self.parent[d]
        return d

    def unify(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb == ONE:
                ra, rb = rb, ra
            self.parent[rb] = ra


ONE = "1"
Shape = tuple[str, str] | None        # None: a number


def compare_ordered(left: sp.Expr, right: sp.Expr, symmetric: bool = False,
                    row_vectors: bool = False) -> tuple[str, str]:
    """correct / wrong / undecided for two sides holding products whose order matters.  With
    ``symmetric`` (the text speaks of symmetric matrices) a step that holds when its square
    matrices are symmetric is never wrong; with ``row_vectors``, one that holds when its
    vectors are rows."""
    if left.has(sp.Derivative, sp.Sum, sp.Product, sp.Integral, sp.Indexed) \
            or right.has(sp.Derivative, sp.Sum, sp.Product, sp.Integral, sp.Indexed):
        return "undecided", "products of matrices with sums or derivatives: not evaluated"
    names = sorted({s.name for side in (left, right) for s in side.free_symbols
                    if isinstance(s, sp.Symbol) and not s.is_commutative}, key=str)
    bases = sorted({base_name(n) for n in names})
    transposed_names = {base_name(n) for n in names if n.endswith(TRANSPOSED)}
    kinds = {b: kind_of(b, b in transposed_names) for b in bases}
    ambiguous = [b for b in bases if kinds[b] not in ("matrix", "vector")]
    if len(ambiguous) > MAX_AMBIGUOUS:
        return "undecided", "too many names that may be matrices or numbers"
    called = {str(f.func) for side in (left, right) for f in side.atoms(AppliedUndef)}
    if called & {base_name(n) for n in names}:
        return "inapplicable", "a name read both as a function and as a matrix"
    multiplied = _multiplied(left) | _multiplied(right)
    try:
        verdicts, all_matrices_fit = _verdicts(left, right, kinds, ambiguous, multiplied)
        if verdicts and not any(verdicts) and symmetric and any(
                _verdicts(left, right, kinds, ambiguous, multiplied, symmetric=True)[0]):
            return "undecided", "right if the matrices are symmetric (the text speaks of " \
                "symmetry)"
        if verdicts and not any(verdicts) and row_vectors and any(
                _verdicts(left, right, kinds, ambiguous, multiplied, rows=True)[0]):
            return "undecided", "right if vectors are rows (the text speaks of row vectors)"
    except Unsupported as error:
        return "undecided", f"products of matrices: {error}"
    if not verdicts:
        return "undecided", "products of matrices or vectors whose shapes do not fit"
    many = "every reading of the names as matrices, vectors or numbers" if ambiguous \
        else "the names as matrices and vectors"
    if all(verdicts) and not all_matrices_fit:
        return "undecided", ("the shapes fit only when some names are numbers (a vector "
                             "on the wrong side of a matrix?)")
    if all(verdicts):
        return "correct", f"the sides agree at random matrices ({many})"
    if not any(verdicts):
        return "wrong", f"the sides differ at random matrices ({many}): the order or a " \
            "transpose of a product, or a term"
    return "undecided", "right when some names are numbers, not when all are matrices"


ROW_KINDS = ("row", "row_or_number")


def _verdicts(left: sp.Expr, right: sp.Expr, kinds: dict[str, str], ambiguous: list[str],
              multiplied: set[str], symmetric: bool = False, rows: bool = False
              ) -> tuple[list[bool], bool]:
    """Whether the sides agree, for each reading that fits; and whether one that fits reads
    every multiplied name as a matrix or vector (``rows``: vectors as rows)."""
    verdicts: list[bool] = []
    all_matrices_fit = False
    as_rows = {"vector": "row", "vector_or_number": "row_or_number"}
    for choice in itertools.product((False, True), repeat=len(ambiguous)):
        reading = {b: as_rows.get(k, k) for b, k in kinds.items()} if rows else dict(kinds)
        for b, as_number in zip(ambiguous, choice, strict=True):
            if as_number:
                reading[b] = "number"
        agree = _agree(left, right, reading, symmetric)
        if agree is not None:
            verdicts.append(agree)
            all_matrices_fit = all_matrices_fit or not any(
                as_number and b in multiplied
                for b, as_number in zip(ambiguous, choice, strict=True))
    return verdicts, all_matrices_fit


MAX_CONDITION = 1e8   # an inverse of a worse-conditioned random matrix: singular in truth


def _multiplied(e: sp.Expr) -> set[str]:
    """The names standing in a product with another matrix-like factor (W x, W(x + b))."""
    found: set[str] = set()
    for m in e.atoms(sp.Mul):
        factors = m.args_cnc()[1]
        if len(factors) >= 2:
            found |= {base_name(s.name) for f in factors for s in f.free_symbols
                      if isinstance(s, sp.Symbol) and not s.is_commutative}
    return found


def _agree(left: sp.Expr, right: sp.Expr, reading: dict[str, str], symmetric: bool = False
           ) -> bool | None:
    """Whether the sides agree at random values of this reading (with ``symmetric``, every
    matrix square and symmetric); None if its shapes don't fit or a value is undefined."""
    shapes = _Shapes({})
    _same(_shape(left, reading, shapes), _shape(right, reading, shapes), shapes)
    if symmetric:
        for base, kind in reading.items():
            if kind in ("matrix", "matrix_or_number"):
                shapes.unify(f"{base}.rows", f"{base}.cols")
    for base, kind in reading.items():        # read as a matrix, but the shapes make it 1×1
        rows, cols = shapes.find(f"{base}.rows"), shapes.find(f"{base}.cols")
        rows = ONE if kind in ROW_KINDS else rows
        column = kind in ("vector", "vector_or_number")
        if kind != "number" and rows == ONE and (column or cols == ONE):
            return None
    sizes = _sizes(reading, shapes)
    positive = any(side.has(sp.log) or any(not p.exp.is_integer for p in side.atoms(sp.Pow))
                   for side in (left, right))
    for draw in (1, 2):
        rng = np.random.default_rng(draw)
        values = _values(left.free_symbols | right.free_symbols, reading, sizes, rng, positive,
                         symmetric)
        try:
            with np.errstate(all="ignore"):
                a, b = _evaluate(left, values), _evaluate(right, values)
        except np.linalg.LinAlgError:   # an inverse of a singular or non-square matrix
            return None
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))) or a.shape != b.shape:
            return None
        if np.max(np.abs(a - b)) > TOLERANCE * max(1.0, float(np.max(np.abs(a)))):
            return False
    return True


def _dims(name: str, reading: dict[str, str]) -> Shape:
    base = base_name(name)
    kind = reading.get(base, "number")
    if kind == "number":
        return None
    if kind in ROW_KINDS:
        dims: tuple[str, str] = (ONE, f"{base}.cols")
        return (dims[1], dims[0]) if name.endswith(TRANSPOSED) else dims
    rows, cols = f"{base}.rows", (ONE if kind in ("vector", "vector_or_number")
                                  else f"{base}.cols")
    return (cols, rows) if name.endswith(TRANSPOSED) else (rows, cols)


def _shape(e: sp.Expr, reading: dict[str, str], shapes: _Shapes) -> Shape:
    if isinstance(e, sp.Symbol):
        dims = None if e.is_commutative else _dims(e.name, reading)
        for d in dims or ():
            shapes.find(d)
        return dims
    if e.is_Number:
        return None
    if isinstance(e, sp.Add):
        found = [s for s in (_shape(a, reading, shapes) for a in e.args) if s is not None]
        if not found:
            return None
        if len(found) < len(e.args):            # wᵀx + b: the product is 1×1
            found.append((ONE, ONE))
        for s in found[1:]:
            _same(found[0], s, shapes)
        return found[0]
    if isinstance(e, sp.Mul):
        current: Shape = None
        for a in e.args:
            factor = _shape(a, reading, shapes)
            if factor is None:
                continue
            if current is not None:
                shapes.unify(current[1], factor[0])
                factor = (current[0], factor[1])
            current = factor
        return current
    if isinstance(e, sp.Pow):
        base = _shape(e.base, reading, shapes)
        if base is None:
            if _shape(e.exp, reading, shapes) is not None:
                raise Unsupported("a matrix in an exponent")
            return None
        if e.exp not in (-1, 2, 3):
            raise Unsupported("a power of a matrix other than 2, 3 or the inverse")
        shapes.unify(*base)
        return base
    if isinstance(e, sp.Function) and type(e) in _ELEMENTWISE:
        return _shape(e.args[0], reading, shapes)
    if isinstance(e, sp.Max) and len(e.args) == 2 and 0 in e.args:
        return _shape(next(a for a in e.args if a != 0), reading, shapes)
    raise Unsupported(f"{type(e).__name__} is not evaluated")


def _same(a: Shape, b: Shape, shapes: _Shapes) -> None:
    if a is None and b is None:
        return
    if a is None or b is None:
        a, b = a or (ONE, ONE), b or (ONE, ONE)
    shapes.unify(a[0], b[0])
    shapes.unify(a[1], b[1])


def _sizes(reading: dict[str, str], shapes: _Shapes) -> dict[str, int]:
    roots = sorted({shapes.find(d) for d in shapes.parent} - {ONE})
    size = {r: SIZES[k % len(SIZES)] for k, r in enumerate(roots)}
    size[ONE] = 1
    return {d: size[shapes.find(d)] for d in shapes.parent}


def _values(symbols: set[sp.Basic], reading: dict[str, str], sizes: dict[str, int],
            rng: np.random.Generator, positive: bool, symmetric: bool = False
            ) -> dict[str, Any]:
    low = 0.1 if positive else -1.0
    values: dict[str, Any] = {}
    for s in sorted(symbols, key=str):
        if not isinstance(s, sp.Symbol):
            continue
        base = base_name(s.name)
        if base in values:
            continue
        shape = _dims(base, reading) if not s.is_commutative else None
        if shape is None:
            values[base] = float(rng.uniform(max(low, 0.1), 0.9))
        else:
            value = rng.uniform(low, 1.0, size=(sizes.get(shape[0], 1),
                                                sizes.get(shape[1], 1)))
            square = value.shape[0] == value.shape[1] > 1
            values[base] = (value + value.T) / 2 if symmetric and square else value
    return values


def _evaluate(e: sp.Expr, values: dict[str, Any]) -> Any:
    if isinstance(e, sp.Symbol):
        value = values[base_name(e.name)]
        return np.transpose(value) if e.name.endswith(TRANSPOSED) else value
    if e.is_Number:
        return float(e)
    if isinstance(e, sp.Add):
        total = _evaluate(e.args[0], values)
        for a in e.args[1:]:
            total = total + _evaluate(a, values)
        return total
    if isinstance(e, sp.Mul):
        product: Any = 1.0
        for a in e.args:
            v = _evaluate(a, values)
            both = np.ndim(product) == 2 and np.ndim(v) == 2
            product = product @ v if both else product * v
        return product
    if isinstance(e, sp.Pow):
        base, exponent = _evaluate(e.base, values), _evaluate(e.exp, values)
        if np.ndim(base) == 2:
            if exponent == -1:
                if base.shape[0] != base.shape[1] or np.linalg.cond(base) > MAX_CONDITION:
                    raise np.linalg.LinAlgError("not invertible")   # this reading: undefined
                return np.linalg.inv(base)
            return np.linalg.matrix_power(base, int(exponent))
        return np.power(base, exponent)
    if isinstance(e, sp.Max):
        a, b = (_evaluate(x, values) for x in e.args)
        return np.maximum(a, b)
    return _ELEMENTWISE[type(e)](_evaluate(e.args[0], values))
