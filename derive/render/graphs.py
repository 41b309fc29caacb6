"""Computation graphs as TikZ pictures.

Scalar graphs run left to right: inputs and parameters on the left, operations as circles,
the loss on the right; every edge carries its forward value (black, above) and the gradient
of the loss that flows back along it (red, below), with a legend.  Vector graphs, whose nodes
carry matrices, run top to bottom so that the matrices fit the page width.
"""

from __future__ import annotations

from collections.abc import Sequence

from derive.numeric import graph, vector_graph
from derive.render.latex import matrix_tex, number
from derive.render.layout import Box, label_position, place

CHAR_CM = 0.135        # width of a \scriptsize digit, cm (with a little slack)
LINE_CM = 0.30         # height of a \scriptsize line, cm
FRACTIONS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.35, 0.65, 0.45, 0.55, 0.26, 0.74)
OP_SYMBOLS = {"+": "+", "*": r"\times", "-": "-", "neg": r"-(\cdot)", "exp": r"\exp",
              "log": r"\log", "sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}",
              "max": r"\max", "min": r"\min"}

STYLES = r"""
  leaf/.style={draw, rounded corners=2pt, fill=black!4, inner sep=2pt, font=\small},
  input/.style={leaf, fill=blue!6},
  op/.style={draw, circle, inner sep=1pt, minimum size=6mm, font=\small},
  wire/.style={-{Stealth[length=1.6mm]}, draw=black!55},
  edgelabel/.style={fill=white, inner sep=0.6pt, font=\scriptsize, align=center},
  opname/.style={font=\scriptsize, text=black!60, inner sep=1pt},
"""


def _visible_length(latex: str) -> int:
    """Rough count of printed characters of a short LaTeX label."""
    out, skip = 0, False
    for ch in latex:
        if ch == "\\":
            skip = True
            out += 1
        elif skip and ch.isalpha():
            continue
        else:
            skip = False
            out += ch not in "{}_^$"
    return max(out, 1)


def _op_text(node: graph.Node) -> str:
    if node.op == "pow":
        return rf"(\cdot)^{{{number(node.exponent)}}}"
    return OP_SYMBOLS.get(node.op, node.op)


def _leaf_text(node: graph.Node) -> str:
    return node.label or number(node.data, 3)


def _column_positions(order: Sequence[graph.Node], positions: dict[int, tuple[int, float]],
                      colsep: float) -> dict[int, float]:
    """x of each column: a gap crossed by many edges is widened (up to 1.6 times) so that
    their labels find room."""
    crossing: dict[int, int] = {}
    for node in order:
        for parent in node.parents:
            for c in range(positions[id(parent)][0], positions[id(node)][0]):
                crossing[c] = crossing.get(c, 0) + 1
    xs, x = {}, 0.0
    for c in range(max(col for col, _ in positions.values()) + 1):
        xs[c] = x
        x += colsep * min(1.6, max(1.0, crossing.get(c, 0) / 6))
    return xs


def scalar_graph(output: graph.Node, show_numbers: bool = True, colsep: float = 2.15,
                 gap: float = 1.0, legend: bool = True) -> tuple[str, list[Box]]:
    """A scalar graph as a tikzpicture; also the label boxes (to test for overlaps)."""
    order = graph.topological_order(output)
    positions = place(order, gap=gap)
    ident = {id(n): f"n{k}" for k, n in enumerate(order)}
    column_x = _column_positions(order, positions, colsep)
    xy = {id(n): (column_x[positions[id(n)][0]], -positions[id(n)][1]) for n in order}
    lines = [r"\begin{tikzpicture}[", STYLES.strip("\n"), "]"]
    taken: list[Box] = []
    for node in order:
        x, y = xy[id(node)]
        if node.is_leaf:
            text = _leaf_text(node)
            style = "input" if node.op in {"input", "const"} else "leaf"
            half_w = 0.12 + CHAR_CM * _visible_length(text) / 2
        else:
            text, style, half_w = _op_text(node), "op", 0.32
        lines.append(rf"  \node[{style}] ({ident[id(node)]}) at ({x:.3f},{y:.3f}) {{${text}$}};")
        taken.append(Box(x, y, half_w, 0.3))
        if not node.is_leaf and node.label:
            name = node.label
            lines.append(rf"  \node[opname, above=0.5mm of {ident[id(node)]}] {{${name}$}};")
            taken.append(Box(x, y + 0.5, CHAR_CM * _visible_length(name) / 2, 0.17))
    labels: list[Box] = []
    # every wire first, then the labels over them: no later wire strikes through a label
    # (review: sheet A Fig. 8, sheet C Fig. 2)
    for node in order:
        for parent in node.parents:
            lines.append(rf"  \draw[wire] ({ident[id(parent)]}) -- ({ident[id(node)]});")
    for node in order:
        for k, parent in enumerate(node.parents):
            start, end = xy[id(parent)], xy[id(node)]
            path = rf"  \path ({ident[id(parent)]}) -- ({ident[id(node)]})"
            if not show_numbers:
                continue
            value, grad = number(parent.data, 3), number(node.edge_grads[k], 3)
            width = CHAR_CM * max(_visible_length(value), _visible_length(grad)) + 0.1
            before = len(taken)
            t = label_position(start, end, (width, 2 * LINE_CM + 0.05), taken, FRACTIONS)
            labels.append(taken[before])
            lines.append(path + rf" node[edgelabel, pos={t:.2f}] "
                         rf"{{${value}$\\\textcolor{{red!75!black}}{{${grad}$}}}};")
    if show_numbers:
        out = ident[id(output)]
        lines.append(rf"  \node[right=1mm of {out}, font=\scriptsize, align=left] "
                     rf"{{$= {number(output.data, 4)}$\\\textcolor{{red!75!black}}"
                     rf"{{grad ${number(output.grad, 4)}$}}}};")
    if show_numbers and legend:
        bottom = min(y for _, y in xy.values()) - 0.8
        lines.append(rf"  \node[anchor=north west, font=\scriptsize] at "
                     rf"({min(x for x, _ in xy.values()) - 0.5:.3f},{bottom:.3f}) "
                     r"{on each edge: forward value (black) over the gradient of the loss "
                     r"flowing back along it (\textcolor{red!75!black}{red});"
                     r" at a fork the gradients add};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines), labels


# --- vector graphs -------------------------------------------------------------------------

TENSOR_OPS_TEXT = {"matmul": "product", "augment": "prepend 1", "sigmoid": r"$\sigma$ entrywise",
                   "-": "difference", "square": "square"}


TENSOR_LINE_CM = 0.36   # one line of a vector-graph node's text, a matrix row included


def tensor_node_height(node: vector_graph.Tensor) -> float:
    """Roughly how tall a vector-graph node is drawn (cm): its heading, value and gradient."""
    rows = [1 if getattr(a, "size", 1) == 1 else len(a) for a in (node.data, node.grad)]
    return TENSOR_LINE_CM * (1 + sum(rows)) + 0.35


def tensor_graph(output: vector_graph.Tensor, rowsep: float = 2.3,
                 colsep: float = 5.4) -> str:
    """A vector graph, top to bottom: each node shows its value and (red) its gradient."""
    order = vector_graph.topological_order(output)
    positions = place(order, gap=1.0)
    ident = {id(n): f"t{k}" for k, n in enumerate(order)}
    # each layer lies below the last by half the tallest node of each and a gap, so that a
    # tall node (a matrix over its gradient) never runs into the next layer (review: Fig. 9)
    tallest: dict[int, float] = {}
    for node in order:
        column = positions[id(node)][0]
        tallest[column] = max(tallest.get(column, 0.0), tensor_node_height(node))
    top = {0: 0.0}
    for column in range(1, max(tallest) + 1):
        halves = (tallest.get(column - 1, 0.0) + tallest.get(column, 0.0)) / 2
        top[column] = top[column - 1] - halves - max(rowsep - 1.75, 0.5)
    lines = [r"\begin{tikzpicture}[",
             r"  tnode/.style={draw, rounded corners=2pt, align=center, font=\scriptsize,"
             r" inner sep=2.5pt, fill=black!3},",
             r"  wire/.style={-{Stealth[length=1.6mm]}, draw=black!55},", "]"]
    for node in order:
        column, height = positions[id(node)]
        x, y = height * colsep, top[column]
        kind = "" if node.parents else ("input" if node.op == "input" else "parameter")
        head = TENSOR_OPS_TEXT.get(node.op, kind)
        wrt = f"({node.label})" if any(c in node.label for c in "+-") else node.label
        grad = (rf"\\\textcolor{{red!75!black}}{{$\partial\ell/\partial {wrt} = "
                rf"{matrix_tex(node.grad)}$}}")
        lines.append(rf"  \node[tnode] ({ident[id(node)]}) at ({x:.3f},{y:.3f}) "
                     rf"{{\textcolor{{black!55}}{{{head}}}\\${node.label} = "
                     rf"{matrix_tex(node.data)}${grad}}};")
    for node in order:
        for parent in node.parents:
            lines.append(rf"  \draw[wire] ({ident[id(parent)]}) -- ({ident[id(node)]});")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)
