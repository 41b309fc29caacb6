"""Worked-example tables as LaTeX: one row per quantity (its symbol and formula), one column per
instance, each cell a computed value (bold, as every computed number on a sheet; an input plain).

The table's content is the worked example's (:class:`derive.proof.Table`); this module only
prints it.
"""

from __future__ import annotations

from derive.proof import Table, WorkedExample
from derive.render.latex import authored_latex, number, tex, text_latex


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
    """The tabular's column specification: symbol, formula, then right-aligned numbers (with
    ``formula_after`` of the numbers before the formula)."""
    before = table.formula_after
    return "l" + "r" * before + "l" + "r" * (len(table.columns) - before)


def table_head(table: Table) -> str:
    """The tabular's head line: the symbol's and the formula's heads in their places among
    the columns' (the formula's spanning the column after it if that one has no head)."""
    before = table.formula_after
    columns = [authored_latex(c) for c in table.columns]
    symbol, formula = (authored_latex(h) for h in table.heads)
    after = columns[before:]
    if formula and after and not after[0]:
        cells = [symbol, *columns[:before], rf"\multicolumn{{2}}{{c}}{{{formula}}}", *after[1:]]
    else:
        cells = [symbol, *columns[:before], formula, *after]
    return " & ".join(cells) + r" \\"


def comparison_lines(ex: WorkedExample, most: int = 40) -> int:
    """About how many lines of text a worked example's table of comparisons takes, with its
    headings (for \\needlines, which keeps the headings with the table): a row whose label
    holds a stacked fraction is set taller (comparisons.tex.j2) and counts two lines."""
    rows = sum(2 if r"\frac" in text_latex(c.label, ex.notation) else 1
               for c in ex.comparisons)
    return min(rows + 8, most)
