"""Worked-example tables as LaTeX: one row per quantity (its symbol and formula), one column per
instance, each cell a computed value (bold, as every computed number on a sheet; an input plain).

The table's content is the worked example's (:class:`derive.proof.Table`); this module only
prints it.
"""

from __future__ import annotations

from derive.proof import Table, WorkedExample
from derive.render.latex import number, tex


def table_rows(table: Table, ex: WorkedExample) -> list[tuple[str, str, list[str]]]:
    """Per row: the symbol, the formula (empty for an input) and the cells, as LaTeX."""
    by_symbol = {q.symbol: q for q in ex.quantities}
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append("")
                continue
            q = by_symbol[cell]
            shown = number(float(q.value))
            cells.append(f"${shown}$" if q.formula is None else rf"$\mathbf{{{shown}}}$")
        formula = "" if row.formula is None else f"${tex(row.formula, ex.notation)}$"
        rows.append((f"${tex(row.symbol, ex.notation)}$", formula, cells))
    return rows


def table_spec(table: Table) -> str:
    """The tabular's column specification: symbol, formula, then right-aligned numbers."""
    return "ll" + "r" * len(table.columns)
