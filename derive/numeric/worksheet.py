"""A worksheet: named quantities evaluated in order, each from a formula in earlier ones."""

from __future__ import annotations

import sympy as sp

from derive.proof import Comparison, Quantity, Table, TableRow, Text, WorkedExample
from derive.stable import evaluate


class Worksheet:
    """Collects quantities ``symbol = formula = value``; every value is computed here.

    ``add`` evaluates the formula with the values of the quantities added before it (in
    float64 through SymPy's evalf of its stable form, :func:`derive.stable.evaluate`), so
    nothing on a sheet is typed by hand.
    """

    def __init__(self) -> None:
        self.quantities: list[Quantity] = []
        self.notation: dict[sp.Basic, str] = {}
        self._values: dict[sp.Basic, sp.Float] = {}

    def symbol(self, name: str, latex: str | None = None) -> sp.Symbol:
        """A new symbol, shown to the reader as ``latex`` when given."""
        s = sp.Symbol(name, real=True)
        if latex is not None:
            self.notation[s] = latex
        return s

    def given(self, symbol: sp.Symbol, value: float, group: str) -> sp.Symbol:
        """An input quantity (data or a parameter of the problem)."""
        self._values[symbol] = sp.Float(value, 17)
        self.quantities.append(Quantity(symbol, None, float(value), group))
        return symbol

    def add(self, symbol: sp.Symbol, formula: sp.Expr, group: str, note: str = "") -> sp.Symbol:
        """A computed quantity; its value is the formula evaluated at the values so far."""
        value = self.evaluate(formula)
        self._values[symbol] = sp.Float(value, 17)
        self.quantities.append(Quantity(symbol, formula, value, group, note))
        return symbol

    def evaluate(self, formula: sp.Expr) -> float:
        """The float value of a formula in the quantities defined so far."""
        missing = formula.free_symbols - set(self._values)
        if missing:
            raise ValueError(f"formula {formula} uses undefined {sorted(map(str, missing))}")
        return float(evaluate(formula, self._values, 17))

    def value(self, symbol: sp.Symbol) -> float:
        return float(self._values[symbol])

    def example(self, name: str, title: str, summary: Text, comparisons: list[Comparison],
                problems: tuple[str, ...] = (), tables: list[Table] | None = None,
                compared: tuple[str, ...] | None = None) -> WorkedExample:
        ex = WorkedExample(name, title, summary, self.quantities, self.notation, comparisons,
                           problems, tables=tables or [])
        if compared is not None:
            ex.compared = compared
        return ex

    def general(self, quantities: list[sp.Symbol], names: dict[sp.Symbol, sp.Symbol]
                ) -> list[TableRow]:
        """Table rows for quantities of one instance (an example of a batch): each row's
        symbol and formula are the instance's own with ``names`` put in for its symbols
        (x_1^(1) -> x_1), in the order they were written; the cells are left to the caller."""
        by_symbol = {q.symbol: q for q in self.quantities}
        rows = []
        for s in quantities:
            formula = by_symbol[s].formula
            with sp.evaluate(False):
                shown = None if formula is None else formula.xreplace(names)
            rows.append(TableRow(names.get(s, s), shown, []))
        return rows
