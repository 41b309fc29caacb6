"""Vector computation graphs (the nodes carry vectors and matrices) as TikZ, laid out by dot.

The graph runs top to bottom.  Each node shows its formula and value and, in red, the
gradient of the loss with respect to it: for a column vector a row (back-propagation
multiplies row vectors by Jacobians, as the sheet says), for a row vector or a matrix an
array of its own shape.  A column vector's value is printed as a transposed row, so that
every vector takes one line and the type stays at its own size (review: Fig. 9's entries
were 3-4 pt after the picture was shrunk to fit the page).
"""

from __future__ import annotations

import numpy as np

from derive.numeric import vector_graph
from derive.render.dot_layout import DotEdge, DotNode, layout
from derive.render.graphs import tikz_path
from derive.render.latex import number
from derive.render.layout import Box
from derive.render.tex_size import math_width

FONT_PT = 9.0            # \footnotesize
LINE_BP = 11.0           # its baseline skip
COLSEP_BP = 10.0         # 2 \arraycolsep between a matrix's columns
PAD_BP = 4.0
GRAD = "red!75!black"
FORMULAS = {"matmul": "{0}{1}", "dot": "{0}^{{\\top}}{1}", "sigmoid": r"\sigma({0})",
            "-": "{0} - {1}", "square": "({0})^{{2}}"}


def _tuple(values: np.ndarray, digits: int = 3) -> str:
    return "(" + ", ".join(number(float(v), digits) for v in values.ravel()) + ")"


def _array(a: np.ndarray, row_gradient: bool = False) -> tuple[str, float, float]:
    """An array as LaTeX with its estimated width and height (bp): a number, a vector as a
    tuple (a column with a transpose mark, unless ``row_gradient``), a matrix as pmatrix."""
    if a.size == 1:
        text = number(float(a.ravel()[0]), 3)
        return text, math_width(text, FONT_PT), LINE_BP
    if 1 in a.shape:
        text = _tuple(a) + (r"^{\top}" if a.shape[1] == 1 and not row_gradient else "")
        return text, math_width(text, FONT_PT), LINE_BP
    cells = [[number(float(v), 3) for v in row] for row in a]
    widths = [max(math_width(row[c], FONT_PT) for row in cells) for c in range(a.shape[1])]
    rows = [" & ".join(row) for row in cells]
    text = r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"
    return text, sum(widths) + COLSEP_BP * (len(widths) - 1) + 14.0, LINE_BP * len(rows) + 4.0


def _formula(node: vector_graph.Tensor) -> str:
    """The node's name and, for an operation, how it is computed (z = W x̃)."""
    if not node.parents:
        return node.label
    if node.op == "augment":
        p = node.parents[0].label
        rule = rf"(1, {p}^{{\top}})^{{\top}}" if node.data.shape[1] == 1 else f"(1, {p})"
    else:
        rule = FORMULAS[node.op].format(*(p.label for p in node.parents))
    return node.label if rule == node.label else f"{node.label} = {rule}"


def _wrt(node: vector_graph.Tensor) -> str:
    return f"({node.label})" if any(c in node.label for c in "+-") else node.label


def tensor_node(node: vector_graph.Tensor) -> tuple[str, float, float]:
    """A node's text (two lines: value, then the red gradient) and its size (bp)."""
    head = _formula(node)
    value, vw, vh = _array(node.data)
    grad, gw, gh = _array(node.grad, row_gradient=True)
    left = rf"\partial\ell/\partial {_wrt(node)}"
    text = (rf"${head} = {value}$\\[1pt]\textcolor{{{GRAD}}}{{${left} = {grad}$}}")
    width = max(math_width(head + " =", FONT_PT) + vw, math_width(left + " =", FONT_PT) + gw)
    return text, width + 2 * PAD_BP, vh + gh + 1 + 2 * PAD_BP


def tensor_graph(output: vector_graph.Tensor, nodesep: float = 14.0,
                 ranksep: float = 16.0) -> tuple[str, list[Box], float]:
    """A vector graph top to bottom; also the node boxes (bp) and the drawing's width."""
    order = vector_graph.topological_order(output)
    key = {id(n): f"t{k}" for k, n in enumerate(order)}
    depth: dict[int, int] = {}
    for node in order:
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
    children: dict[int, list[int]] = {id(n): [] for n in order}
    for node in order:
        for p in node.parents:
            children[id(p)].append(depth[id(node)])
    for node in order:      # a leaf sits just above its first use
        if not node.parents and children[id(node)]:
            depth[id(node)] = min(children[id(node)]) - 1
    texts = {id(n): tensor_node(n) for n in order}
    nodes = [DotNode(key[id(n)], texts[id(n)][1], texts[id(n)][2], depth[id(n)]) for n in order]
    edges = [DotEdge(key[id(p)], key[id(n)]) for n in order for p in n.parents]
    placed = layout(nodes, edges, "TB", nodesep, ranksep)
    lines = [r"\begin{tikzpicture}[x=1bp, y=1bp,",
             r"  tnode/.style={draw, rounded corners=2pt, align=center, font=\footnotesize,"
             r" inner sep=0pt, fill=black!3},",
             r"  tinput/.style={tnode, fill=blue!8},",
             r"  wire/.style={-{Stealth[length=4.5bp, width=3.4bp]}, draw=black!60,"
             r" line width=0.5pt},", "]"]
    boxes = []
    for node in order:
        (x, y), (text, w, h) = placed.centres[key[id(node)]], texts[id(node)]
        style = "tinput" if node.op == "input" else "tnode"
        lines.append(rf"  \node[{style}, minimum width={w:.1f}bp, minimum height={h:.1f}bp] "
                     rf"({key[id(node)]}) at ({x:.2f},{y:.2f}) {{{text}}};")
        boxes.append(Box(x, y, w / 2, h / 2))
    for route in placed.routes:
        lines.append(rf"  \draw[wire] {tikz_path(route.points, route.tip)};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines), boxes, placed.width
