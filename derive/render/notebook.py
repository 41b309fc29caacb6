"""Notebook views (``_repr_html_``, ``_repr_latex_``, ``_repr_svg_``) of derivations, worked
examples and figures: title, givens, steps with their rules and marks, values, at the width
of a notebook cell.

HTML carries its maths as ``\\(...\\)`` for the notebook's MathJax or KaTeX; each step is a
row (number and mark, the equation, its rule), so a long derivation scrolls within its cell
instead of one aligned block running off the side.  A figure's plots are drawn as a small
SVG from the same numbers the PDF uses.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import sympy as sp

from derive.figure import Figure, Plot
from derive.proof import Derivation, Text, WorkedExample
from derive.render import latex
from derive.render.markdown import MARKS, MARKS_TEX, portable

STYLE = ("max-width:100%;overflow-x:auto;font-size:95%;"
         "border-left:3px solid #7a9;padding-left:0.6em")


def _math(tex: str) -> str:
    return rf"\({html.escape(portable(tex), quote=False)}\)"


def _prose_html(words: str) -> str:
    parts = words.split("$")
    return "".join(_math(p) if k % 2 else html.escape(p, quote=False)
                   for k, p in enumerate(parts))


def text_html(words: Text, notation: Mapping[sp.Basic, str] | None = None) -> str:
    """A Text as HTML: words escaped, maths as ``\\(...\\)``."""
    return "".join(_prose_html(p) if isinstance(p, str) else _math(latex.tex(p, notation))
                   for p in words)


def _tally(d: Derivation) -> str:
    t = d.tally()
    return (f"{sum(t.values())} steps: {t['proved']} proved ✓, {t['checked']} checked ≈, "
            f"{t['refuted']} refuted, {t['undecided']} undecided")


def derivation_html(d: Derivation) -> str:
    """A derivation as an HTML block."""
    out = [f'<div class="derive-derivation" style="{STYLE}">',
           f"<h4>{_prose_html(d.title)}</h4>", f"<p>{text_html(d.summary, d.notation)}</p>"]
    if d.givens:
        out.append("<p><em>Given:</em></p><ul>"
                   + "".join(f"<li>{text_html(g, d.notation)}</li>" for g in d.givens) + "</ul>")
    out.append('<table style="border-collapse:collapse">')
    for number, (left, right, step) in enumerate(latex.step_lines(d), 1):
        status = "given" if step.kind == "given" else (
            step.verdict.status if step.verdict else "undecided")
        equation = rf"\displaystyle {left} {right}"
        out.append(f'<tr title="{html.escape(step.verdict.method if step.verdict else "")}">'
                   f'<td style="vertical-align:top">{number}.&nbsp;{MARKS[status]}</td>'
                   f'<td style="text-align:left">{_math(equation)}</td>'
                   f'<td style="text-align:left;font-size:90%;color:#555">'
                   f"{text_html(step.rule, d.notation)} <em>({status})</em></td></tr>")
    out.append("</table>")
    out.append(f"<p><em>Verified: {_tally(d)}.</em></p>")
    for o in d.oracles:
        status = o.verdict.status if o.verdict else "undecided"
        out.append(f"<p><em>Oracle: {text_html(o.description, d.notation)} — {status}.</em></p>")
    return "\n".join(out + ["</div>"])


def derivation_latex(d: Derivation) -> str:
    """A derivation as one display-maths block a notebook typesets: title, givens, each step
    with its number, mark and rule."""
    def words(t: Text) -> str:
        return "".join(p if isinstance(p, str) else f"${latex.tex(p, d.notation)}$" for p in t)

    rows = [rf"&\textbf{{{d.title}}}"]
    rows += [rf"&\text{{Given: {words(g)}}}" for g in d.givens]
    for number, (left, right, step) in enumerate(latex.step_lines(d), 1):
        status = "given" if step.kind == "given" else (
            step.verdict.status if step.verdict else "undecided")
        rows.append(rf"{left} &{right} && ({number})\ {MARKS_TEX[status]}\ "
                    rf"\text{{{words(step.rule)}}}")
    rows.append(rf"&\text{{{_tally(d)}}}".replace("✓", "").replace("≈", ""))
    return "$$\n\\begin{aligned}\n" + portable(" \\\\\n".join(rows)) + "\n\\end{aligned}\n$$"


def example_html(ex: WorkedExample) -> str:
    """A worked example as HTML: ``symbol = formula = numbers = value``, one row each."""
    values = ex.values()
    out = [f'<div class="derive-example" style="{STYLE}">',
           f"<h4>{_prose_html(ex.title)}</h4>", f"<p>{text_html(ex.summary, ex.notation)}</p>"]
    for group, quantities in ex.groups():
        out.append(f"<p><strong>{_prose_html(group)}</strong></p><ul>")
        for q in quantities:
            parts = latex.quantity_forms(q, values, ex.notation)
            out.append(f"<li>{_math(' = '.join(parts))}</li>")
        out.append("</ul>")
    if ex.comparisons:
        out.append(f"<p><strong>{html.escape(ex.compared[0])} against "
                   f"{html.escape(ex.against)}</strong></p><ul>")
        out += [f"<li>{text_html(c.label, ex.notation)}: |difference| {c.abs_error:.2g}</li>"
                for c in ex.comparisons]
        out.append("</ul>")
    return "\n".join(out + ["</div>"])


def example_latex(ex: WorkedExample) -> str:
    """A worked example as one aligned display block."""
    values = ex.values()
    rows = [rf"&\textbf{{{ex.title}}}"]
    for q in ex.quantities:
        parts = [] if q.formula is None else [latex.tex(q.formula, ex.notation)]
        if q.formula is not None and not q.is_matrix:
            parts.append(latex.substituted(q.formula, values, ex.notation))
        parts.append(latex.value_tex(q.value))
        rows.append(f"{latex.tex(q.symbol, ex.notation)} &= " + " = ".join(parts))
    return "$$\n\\begin{aligned}\n" + portable(" \\\\\n".join(rows)) + "\n\\end{aligned}\n$$"


COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def plot_svg(plot: Plot, width: int = 320, height: int = 220) -> str:
    """One plot's curves as a small SVG (linear axes; log axes as their logarithms)."""
    import math

    def tr(v: float, log: bool) -> float:
        return math.log10(v) if log and v > 0 else v

    pts = [[(tr(x, plot.log_x), tr(y, plot.log_y)) for x, y in zip(s.xs, s.ys, strict=False)
            if math.isfinite(x) and math.isfinite(y)] for s in plot.series]
    xs = [p[0] for c in pts for p in c] or [0.0, 1.0]
    ys = [p[1] for c in pts for p in c] or [0.0, 1.0]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1
    m = 30

    def sx(x: float) -> float:
        return m + (x - x0) / (x1 - x0) * (width - 2 * m)

    def sy(y: float) -> float:
        return height - m - (y - y0) / (y1 - y0) * (height - 2 * m)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-size="10" font-family="sans-serif">',
           f'<rect x="{m}" y="{m}" width="{width - 2 * m}" height="{height - 2 * m}" '
           'fill="none" stroke="#888"/>',
           f'<text x="{width / 2}" y="14" text-anchor="middle">'
           f"{html.escape(latex.plain_parentheses(plot.title).replace('$', ''))}</text>",
           f'<text x="{m}" y="{height - 8}">{x0:.3g}</text>',
           f'<text x="{width - m}" y="{height - 8}" text-anchor="end">{x1:.3g}</text>',
           f'<text x="2" y="{height - m}">{y0:.3g}</text>',
           f'<text x="2" y="{m + 8}">{y1:.3g}</text>']
    for k, curve in enumerate(pts):
        if curve:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in curve)
            dash = ' stroke-dasharray="4 3"' if plot.series[k].dashed else ""
            out.append(f'<polyline points="{path}" fill="none" '
                       f'stroke="{COLOURS[k % len(COLOURS)]}" stroke-width="1.5"{dash}/>')
    return "\n".join(out + ["</svg>"])


def figure_svg(fig: Figure) -> str | None:
    """The figure's plots side by side as one SVG, or None if it has no plots."""
    if not fig.plots:
        return None
    width = 320
    inner = "".join(f'<g transform="translate({k * width},0)">{plot_svg(p, width)}</g>'
                    for k, p in enumerate(fig.plots))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * len(fig.plots)}" '
            f'height="220">{inner}</svg>')


def figure_html(fig: Figure) -> str:
    """A figure: its plots drawn (SVG), else what it holds; the caption."""
    svg = figure_svg(fig)
    body = svg if svg else (f"<p><em>{len(fig.graphs)} computation graph(s)"
                            f"{', a vector graph' if fig.tensor_graph is not None else ''}"
                            "; drawn in the PDF.</em></p>")
    return (f'<div class="derive-figure" style="{STYLE}"><h4>Figure {html.escape(fig.name)}'
            f'</h4><div style="overflow-x:auto">{body}</div>'
            f"<p>{_prose_html(latex.plain_parentheses(fig.caption))}</p></div>")


def figure_latex(fig: Figure) -> str:
    """A figure's caption (its drawing is TikZ, which a notebook cannot typeset)."""
    return rf"$$\text{{Figure {fig.name}: {fig.caption}}}$$"
