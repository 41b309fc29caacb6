"""Whether each value a worked example prints is what the formula beside it gives.

A quantity is printed as ``symbol = formula = value``; a worksheet computes the value from
the formula, but an example may compute it by code of its own (NumPy, beside a formula in
matrix notation) and only compare some of the results with an independent check.  Here
every formula written in earlier quantities is evaluated at their values (matrices written
out entry by entry) and compared with the value printed beside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from derive.matrices import explicit, explicit_symbols
from derive.proof import WorkedExample
from derive.stable import evaluate

RELATIVE = 1e-9     # float64 arithmetic in another order than SymPy's evalf
ABSOLUTE = 1e-12


def _concrete(symbol: sp.Basic) -> bool:
    return all(sp.sympify(d).is_Integer for d in getattr(symbol, "shape", (1, 1)))


def _value_of(formula: sp.Basic, values: dict[sp.Basic, Any]) -> np.ndarray | None:
    """The formula at the values of the quantities it names, or None where it names
    anything else (a placeholder symbol, a matrix of symbolic size) or cannot be evaluated."""
    matrices = formula.atoms(sp.MatrixSymbol)
    scalars = formula.free_symbols - matrices - {s for m in matrices for s in m.free_symbols}
    if not matrices <= set(values) or not scalars <= set(values) or not all(
            _concrete(m) for m in matrices):
        return None
    numbers: dict[sp.Basic, sp.Expr] = {s: sp.Float(float(values[s]), 17) for s in scalars}
    for m in matrices:
        array = np.asarray(values[m], dtype=float)
        if array.size != int(m.rows) * int(m.cols):
            return None
        for entry, number in zip(explicit_symbols(m), array.ravel(), strict=True):
            numbers[entry] = sp.Float(float(number), 17)
    try:
        written = explicit(formula) if matrices else formula
        if isinstance(written, sp.MatrixBase):
            result = sp.ImmutableMatrix(written).xreplace(numbers).evalf(17)
            return np.array(result.tolist(), dtype=float)
        return np.array(float(evaluate(written, numbers, 17)))
    except (TypeError, ValueError, ZeroDivisionError, AttributeError, NotImplementedError):
        return None


def formula_disagreement(example: WorkedExample) -> str | None:
    """The first quantity whose printed value is not what its formula gives at the values
    of the quantities before it, or None."""
    values: dict[sp.Basic, Any] = {}
    for q in example.quantities:
        if q.formula is not None and isinstance(q.formula, sp.Basic):
            got = _value_of(q.formula, values)
            printed = np.asarray(q.value, dtype=float)
            if got is not None:
                if got.size != printed.size:
                    return (f"{sp.sstr(q.symbol)} = {sp.sstr(q.formula)} has {got.size} "
                            f"entries, its printed value {printed.size}")
                got = got.reshape(printed.shape)
                allowed = RELATIVE * np.maximum(np.abs(got), np.abs(printed)) + ABSOLUTE
                if not np.all(np.abs(got - printed) <= allowed):
                    return (f"{sp.sstr(q.symbol)} is printed as {np.array2string(printed)}, "
                            f"but its formula {sp.sstr(q.formula)} gives "
                            f"{np.array2string(got)}")
        values[q.symbol] = q.value
    return None
