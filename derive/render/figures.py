"""Figures as LaTeX: pgfplots axes, TikZ graphs and the decision-boundary drawing.

Every coordinate comes from the Figure's data; this module only draws.  A figure is a
non-floating ``figure[H]`` so that it stays with its problem, scaled down (never up) to the
line width when it is wider.  Inside :func:`compiled_figures` the drawing itself is handed to
an ``include`` function (the build's figure cache compiles it once, standalone) and the
figure environment holds what that returns, an ``\\includegraphics``; the caption and label
stay in the document.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from derive.figure import Boundary, Figure, GraphPanel, Plot
from derive.render.graphs import scalar_graph
from derive.render.tensor_graphs import tensor_graph

COLOURS = ("blue!80!black", "red!80!black", "green!50!black", "orange!90!black",
           "violet!80!black", "cyan!60!black", "black")


def _coordinates(xs: list[float], ys: list[float]) -> str:
    return " ".join(f"({x:.6g},{y:.6g})" for x, y in zip(xs, ys, strict=True))


def integer_ticks(plot: Plot) -> list[str]:
    """A discrete axis (every x a whole number: components, layers, iterations) gets whole
    ticks, at most about ten of them, never 1.5 or 2.5; a continuous one keeps pgfplots' own."""
    xs = [x for s in plot.series for x in s.xs]
    if not xs or any(float(x) != round(x) for x in xs):
        return []
    if plot.bars:
        return ["xtick=data", "enlarge x limits=0.15"]
    span = max(xs) - min(xs)
    step = next(d for d in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if span <= 10 * d)
    # the axis ends at the first and last point (pgfplots would add a tick on each side)
    return [f"xtick distance={step}", "enlarge x limits=0.03"] if span <= 10 * 1000 else []


def _legend_place(pos: str) -> list[str]:
    """pgfplots' own corners, or ``above``: one row over the axis, clear of every curve."""
    if pos == "above":
        return ["legend style={at={(0.5,1.03)}, anchor=south, legend columns=-1, "
                "/tikz/every even column/.append style={column sep=0.6em}}"]
    return [f"legend pos={pos}"]


def plot_axis(plot: Plot, width: str) -> str:
    """One pgfplots axis with its series and legend."""
    options = [f"width={width}", f"height=0.62*{width}",
               f"xlabel={{{plot.xlabel}}}", f"ylabel={{{plot.ylabel}}}", "grid=major",
               "grid style={black!12}", "tick label style={font=\\scriptsize}",
               "label style={font=\\small}", "legend style={font=\\scriptsize, fill=white, "
               "fill opacity=0.85, text opacity=1, draw=black!30}",
               *_legend_place(plot.legend_pos), "legend cell align=left",
               "every axis plot/.append style={thick}"]
    if plot.title:
        options.append(f"title={{{plot.title}}}")
    if plot.ymin is not None:
        options.append(f"ymin={plot.ymin:g}")
    if plot.ymax is not None:
        options.append(f"ymax={plot.ymax:g}")
    if plot.log_y:
        options[0:0] = ["ymode=log"]
    if plot.bars:
        bar = max(2.0, 16.0 / len(plot.series))
        options[0:0] = ["ybar", f"bar width={bar:g}pt", "area legend"]
    if plot.log_x:
        options[0:0] = ["xmode=log", "log basis x=2"]
    else:
        options += integer_ticks(plot)
    lines = [r"\begin{tikzpicture}", rf"\begin{{axis}}[{', '.join(options)}]"]
    for k, s in enumerate(plot.series):
        style = [COLOURS[k % len(COLOURS)]]
        if plot.bars:
            style.append(f"fill={COLOURS[k % len(COLOURS)]}!60, thin")
        if s.dashed:
            style.append("dashed")
        if s.points:
            style += ["only marks", f"mark={s.points}", "mark size=1.8pt"]
        else:
            style.append("mark=*, mark size=1.2pt" if s.marks and not plot.bars else "no marks")
        lines.append(rf"\addplot[{', '.join(style)}] coordinates {{{_coordinates(s.xs, s.ys)}}};")
        lines.append(rf"\addlegendentry{{{s.legend}}}")
    lines += [r"\end{axis}", r"\end{tikzpicture}"]
    return "\n".join(lines)


def plots_latex(plots: list[Plot]) -> str:
    """One plot at most of the line width; several side by side, two or three to a row."""
    if len(plots) == 1:
        return plot_axis(plots[0], r"0.78\linewidth")
    per_row = 2 if len(plots) % 3 else 3
    width = f"{0.96 / per_row:.2f}" + r"\linewidth"
    cells = [rf"\begin{{minipage}}[t]{{{width}}}\centering" + "\n"
             + plot_axis(p, r"1.0\linewidth") + "\n" + r"\end{minipage}" for p in plots]
    rows = ["\n\\hfill\n".join(cells[k:k + per_row]) for k in range(0, len(cells), per_row)]
    return "\n\n\\medskip\n".join(rows)


def _on_line(b: Boundary, x1: float) -> float:
    """The x2 of the boundary's point at ``x1`` (the line is not vertical in the figures)."""
    (fx, fy), (nx, ny) = b.foot, b.unit_normal
    return fy - nx * (x1 - fx) / ny


def boundary_tikz(b: Boundary, scale: float = 2.2) -> str:
    """The line, the shaded positive side, the unit normal and the distance from 0."""
    e = b.extent
    (fx, fy), (nx, ny) = b.foot, b.unit_normal
    dx, dy = -ny, nx                     # along the line
    px, py = fx + 0.5 * e * dx, fy + 0.5 * e * dy   # where the normal is drawn
    far = 4 * e
    side = [(fx + far * dx, fy + far * dy), (fx - far * dx, fy - far * dy),
            (fx - far * dx + far * nx, fy - far * dy + far * ny),
            (fx + far * dx + far * nx, fy + far * dy + far * ny)]
    poly = " -- ".join(f"({x:.4f},{y:.4f})" for x, y in side)
    t0, t1, t2 = b.theta
    return "\n".join([
        rf"\begin{{tikzpicture}}[scale={scale}, >={{Stealth[length=2mm]}}]",
        r"\begin{scope}",
        rf"\clip ({-e},{-e}) rectangle ({e},{e});",
        rf"\fill[blue!8] {poly} -- cycle;",
        rf"\draw[very thick, blue!60!black] ({fx - far * dx:.4f},{fy - far * dy:.4f}) -- "
        rf"({fx + far * dx:.4f},{fy + far * dy:.4f});",
        r"\end{scope}",
        rf"\draw[->, black!60] ({-e},0) -- ({e + 0.08},0) node[right] {{$x_1$}};",
        rf"\draw[->, black!60] (0,{-e}) -- (0,{e + 0.08}) node[above] {{$x_2$}};",
        # each label beside what it names, clear of the line and the axes (review: the
        # normal's label sat on the line, the line's label on the line and the x2 axis)
        rf"\draw[thick, red!75!black] (0,0) -- ({fx:.4f},{fy:.4f});",
        rf"\node[anchor=north west, font=\small, inner sep=1pt, text=red!75!black] at "
        rf"({0.06 * e:.4f},{-0.07 * e:.4f}) {{$d = {b.distance:.4f}$}};",
        rf"\draw[->, very thick, green!45!black] ({px:.4f},{py:.4f}) -- "
        rf"({px + 0.4 * nx:.4f},{py + 0.4 * ny:.4f}) node[above left, font=\small] "
        rf"{{$\hat{{\mathbf{{n}}}} = ({nx:.4f}, {ny:.4f})$}};",
        r"\fill (0,0) circle (0.6pt) node[above left, font=\small] {$0$};",
        rf"\node[font=\small, blue!50!black] at ({0.55 * e},{0.75 * e}) {{$g > 0$}};",
        rf"\node[font=\small, black!70] at ({-0.75 * e},{-0.8 * e}) {{$g < 0$}};",
        # the line's label hangs below it, left of the x2 axis
        rf"\node[anchor=north east, font=\small, blue!60!black, inner sep=1pt] at "
        rf"({-0.1 * e:.4f},{_on_line(b, -0.1 * e) - 0.06 * e:.4f}) "
        rf"{{$g = {t0:g} + {t1:g}x_1 + {t2:g}x_2 = 0$}};",
        r"\end{tikzpicture}",
    ])


def _panel(panel: GraphPanel, show_numbers: bool, width: str) -> str:
    # a small graph: its leaves share a rank (x, y and c side by side); a wide one (a row of
    # its own) keeps inputs, parameters and operations in ranks of their own
    body = scalar_graph(panel.output, show_numbers, legend=False, by_kind=panel.width > 0.5)[0]
    head = rf"\textbf{{\small {panel.title}}}\\[2pt]" if panel.title else ""
    rule = rf"\\[2pt]\parbox{{\linewidth}}{{\centering\footnotesize {panel.rule}}}" \
        if panel.rule else ""
    return (rf"\begin{{minipage}}[t]{{{width}}}\centering {head}" + "\n"
            + rf"\fitwidth{{{body}}}{rule}" + "\n" + r"\end{minipage}")


def graphs_latex(fig: Figure) -> str:
    if len(fig.graphs) == 1:
        fit = "fitpage" if fig.landscape else "fitwidth"   # a turned page: all of it
        return rf"\{fit}{{{scalar_graph(fig.graphs[0].output, fig.show_numbers)[0]}}}"
    rows: list[list[str]] = []
    room = 0.0
    for p in fig.graphs:     # panels fill rows in order, as many as the line holds
        if not rows or room + p.width > 1.0:
            rows.append([])
            room = 0.0
        rows[-1].append(_panel(p, fig.show_numbers, rf"{p.width:g}\linewidth"))
        room += p.width
    body = "\n\n\\medskip\n".join("\n\\hfill\n".join(row) for row in rows)
    if fig.landscape:   # a turned page: the rows together no taller than the page leaves
        # (a kern last: the box's depth 0, all its height where \fitpage measures it)
        return (rf"\fitpage{{\begin{{minipage}}[b]{{\linewidth}}{body}\par\kern0pt"
                r"\end{minipage}}")
    return body


# include(name, drawing, landscape) -> the LaTeX that shows the compiled drawing
Include = Callable[[str, str, bool], str]
_INCLUDE: ContextVar[Include | None] = ContextVar("derive_figure_include", default=None)


@contextlib.contextmanager
def compiled_figures(include: Include | None) -> Iterator[None]:
    """Within the block, figure_latex hands each drawing to ``include`` (None: inline)."""
    token = _INCLUDE.set(include)
    try:
        yield
    finally:
        _INCLUDE.reset(token)


def figure_latex(fig: Figure) -> str:
    """The whole figure environment with its caption and notes."""
    if fig.plots:
        body = plots_latex(fig.plots)
    elif fig.graphs:
        body = graphs_latex(fig)
    elif fig.tensor_graph is not None:
        body = rf"\fitwidth{{{tensor_graph(fig.tensor_graph)[0]}}}"
    elif fig.geometry is not None:
        body = boundary_tikz(fig.geometry)
    else:
        raise ValueError(f"figure {fig.name} has nothing to draw")
    include = _INCLUDE.get()
    if include is not None:
        body = include(fig.name, body, fig.landscape)
    notes = "".join(rf"\par\footnotesize {n}" for n in fig.notes)
    lines = [r"\begin{figure}[H]", r"\centering", f"% derive: figure {fig.name}", body,
             rf"\caption{{{fig.caption}{notes}}}", rf"\label{{fig:{fig.name}}}", r"\end{figure}"]
    if fig.landscape:   # a page of its own, turned (pdflscape also turns it in the viewer),
        # after the page in progress, which the text goes on to fill (no half-empty page)
        lines = [r"\afterpage{\begin{landscape}", *lines, r"\end{landscape}}"]
    return "\n".join(lines)


def gallery_template(names: list[str]) -> str:
    """A Jinja-LaTeX document showing the named figures, one a page (for tests and bench)."""
    body = "\n".join(f'((( figure("{n}") )))\n\\clearpage' for n in names)
    return ('((* extends "base.tex.j2" *))\n((* block title *))Figures((* endblock *))\n'
            "((* block body *))\n" + body + "\n((* endblock *))\n")
