"""Computation graphs as TikZ pictures, laid out by Graphviz dot.

Scalar graphs run left to right in ranks: data inputs, then parameters, then operations
(derive/render/layout.py's ranks).  Every edge carries a label, placed by dot clear of the
other edges and labels: the value that flows forward along it (with its name, for a named
value) over, in red, the gradient of the loss that flows back along it.  The output's value
leaves on an arrow of its own.  A subtraction marks its inputs + and -.  Vector graphs (the
nodes carry matrices) run top to bottom, in derive/render/tensor_graphs.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from derive.numeric import graph
from derive.render.dot_layout import DotEdge, DotNode, Layout, Point, layout
from derive.render.latex import number
from derive.render.layout import Box, bezier, labelled, ranks, uses
from derive.render.tex_size import math_width

NODE_PT = 10.0          # \small: operation symbols
LABEL_PT = 9.0          # \footnotesize: leaves and edge labels
PAD_BP = 2.0            # white margin around a label's text
OP_BP = 18.0            # an operation's circle
END_BP = 10.0           # the empty node the output's arrow points into
SIGN_BP = 3.2           # half the size of a subtraction's + or - mark
GRAD = "red!75!black"
OP_SYMBOLS = {"+": "+", "*": r"\times", "-": "-", "neg": r"-(\cdot)", "exp": r"\exp",
              "log": r"\log", "sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}",
              "max": r"\max", "min": r"\min"}
LEGEND = (r"Each input and parameter shows its value over the gradient of the loss with "
          r"respect to it (\textcolor{red!75!black}{red}); a constant, unframed, only its "
          r"value (it receives no gradient); each label on an edge, the value flowing forward "
          r"along it over the gradient flowing back. At a fork the gradients add.")

STYLES = r"""
  x=1bp, y=1bp,
  leaf/.style={draw, rounded corners=2pt, fill=black!4, inner sep=0pt, font=\footnotesize,
    align=center},
  input/.style={leaf, fill=blue!8},
  const/.style={inner sep=1pt, font=\footnotesize, align=center},
  op/.style={draw, circle, inner sep=0pt, font=\small},
  line/.style={draw=black!60, line width=0.5pt},
  wire/.style={line, -{Stealth[length=4.5bp, width=3.4bp]}},
  edgelabel/.style={fill=white, inner sep=0pt, font=\footnotesize, align=center},
  sign/.style={font=\scriptsize\bfseries, inner sep=0.5pt, text=black!75},
"""


@dataclass
class Drawing:
    """What a drawn graph occupies (bp), for the tests: node and label boxes, each edge's
    polyline (the output's arrow included), the rank of each node and the overall size."""

    nodes: list[Box] = field(default_factory=list)
    labels: list[Box] = field(default_factory=list)
    paths: list[list[Point]] = field(default_factory=list)
    label_edges: list[int] = field(default_factory=list)   # the path each label belongs to
    ends: list[tuple[int, int]] = field(default_factory=list)   # each path's node indices
    signs: list[Box] = field(default_factory=list)
    sign_nodes: list[int] = field(default_factory=list)    # the subtraction each sign marks
    ranks: list[tuple[str, int]] = field(default_factory=list)   # (node's op or kind, rank)
    width: float = 0.0
    height: float = 0.0


def _natural(name: str) -> list[tuple[int, str]]:
    """A name's sort key with its numbers compared as numbers: x_{2} before x_{10}."""
    return [(int(part), "") if part.isdigit() else (0, part)
            for part in re.split(r"(\d+)", name or "")]


def _op_text(node: graph.Node) -> str:
    if node.op == "pow":
        return rf"(\cdot)^{{{number(node.exponent)}}}"
    return OP_SYMBOLS.get(node.op, node.op)


def _leaf_text(node: graph.Node, show_numbers: bool) -> str:
    """A leaf's name (a constant's value, if it has no name) and, with numbers, its value
    (c = 2, 1/2 = 0.5; a bare 2 once) over the red gradient of the loss with respect to it."""
    value = number(node.data, 3)
    head = node.label or value
    if not show_numbers:
        return f"${head}$"
    if node.label and node.label != value:
        head = f"{node.label} = {value}"
    if node.op == "const":   # a constant is fixed: it receives no gradient
        return f"${head}$"
    return rf"${head}$\\\textcolor{{{GRAD}}}{{${number(node.grad, 3)}$}}"


def _label_text(parent: graph.Node, grad: float | None, digits: int = 3) -> str:
    """An edge's label: the value flowing forward (named if the value has a name), over the
    gradient flowing back; without numbers only the name (or nothing)."""
    name = parent.label if parent.parents else ""
    if grad is None:
        return f"${name}$" if name else ""
    value = number(parent.data, digits)
    head = f"{name} = {value}" if name else value
    return rf"${head}$\\\textcolor{{{GRAD}}}{{${number(grad, digits)}$}}"


def _text_size(text: str, size_pt: float, pad: float) -> Point:
    lines = text.count(r"\\") + 1
    plain = text.replace(r"\textcolor{" + GRAD + "}", "")
    return math_width(plain, size_pt) + 2 * pad, lines * size_pt * 1.22 + 2 * pad


def tikz_path(points: list[Point], tip: Point) -> str:
    """dot's Bezier route as a TikZ path, ending in a straight piece to the arrow tip."""
    out = [f"({points[0][0]:.2f},{points[0][1]:.2f})"]
    for k in range(1, len(points) - 2, 3):
        (ax, ay), (bx, by), (cx, cy) = points[k:k + 3]
        out.append(f".. controls ({ax:.2f},{ay:.2f}) and ({bx:.2f},{by:.2f}) .. "
                   f"({cx:.2f},{cy:.2f})")
    if tip != points[-1]:
        out.append(f"-- ({tip[0]:.2f},{tip[1]:.2f})")
    return " ".join(out)


def _sign_place(path: list[Point], centre: Point, radius: float, taken: list[Box],
                paths: list[list[Point]]) -> Box:
    """Where a subtraction's + or - goes: just outside the circle beside the arrow, turned
    towards the side the edge comes from, clear of the nodes, labels and other marks."""
    tip = path[-1]
    angle = math.atan2(tip[1] - centre[1], tip[0] - centre[0])
    side = 1.0 if path[0][1] >= centre[1] else -1.0
    if math.cos(angle) > 0:           # an edge into the right half turns the other way
        side = -side
    boxes = [Box(centre[0] + (radius + 5.5) * math.cos(angle - s * turn),
                 centre[1] + (radius + 5.5) * math.sin(angle - s * turn), SIGN_BP, SIGN_BP)
             for turn in (0.6, 0.85, 1.1) for s in (side, -side)]
    def free(box: Box) -> bool:
        return not any(box.overlaps(t) for t in taken) and not any(
            box.hit_by(a, b) for p in paths for a, b in zip(p, p[1:], strict=False))

    return next((b for b in boxes if free(b)), boxes[0])


@dataclass
class Edge:
    """An edge to draw: its ends (indices in the topological order; -1 for the output's
    arrow into nothing), its label's key in the layout and its text ("" without one)."""

    tail: int
    head: int
    slot: int       # which of the head's inputs (0 first)
    label: str
    text: str


@dataclass
class Scene:
    """A scalar graph ready to draw: its nodes in order, their ranks, dot's layout and the
    edges (the output's own arrow last)."""

    order: list[graph.Node]
    ranks: list[int]
    placed: Layout
    edges: list[Edge]


def scalar_layout(output: graph.Node, show_numbers: bool = True, by_kind: bool = True,
                  nodesep: float = 6.0, ranksep: float = 6.0) -> Scene:
    """Lay the graph out with dot: each labelled edge goes through a node of its label's size
    in the rank before its head, so that the label sits on its own edge, clear of others."""
    order = graph.topological_order(output)
    rank = ranks(order, by_kind)
    count = uses(order)
    index = {id(n): k for k, n in enumerate(order)}
    nodes = []
    for k, node in enumerate(order):
        if node.is_leaf:
            size = _text_size(_leaf_text(node, show_numbers), LABEL_PT, 2.5)
            nodes.append(DotNode(f"n{k}", *size, rank[id(node)]))
        else:
            d = max(OP_BP, math_width(_op_text(node), NODE_PT) + 7.0)
            nodes.append(DotNode(f"n{k}", d, d, rank[id(node)], "circle"))
    last = max(rank.values())
    nodes.append(DotNode("end", END_BP, 1.0, last + 2))
    wanted = [(p, index[id(n)], j, n.edge_grads[j] if show_numbers else None, rank[id(n)] - 1)
              for n in order for j, p in enumerate(n.parents)]
    wanted.append((output, -1, 0, output.grad if show_numbers else None, last + 1))
    edges, dot_edges = [], []
    for k, (parent, child, slot, grad, at) in enumerate(wanted):
        tail, head = f"n{index[id(parent)]}", f"n{child}" if child >= 0 else "end"
        text = (_label_text(parent, grad, 3 if child >= 0 else 4)
                if labelled(parent, count) else "")
        label = f"e{k}" if text else ""
        edges.append(Edge(index[id(parent)], child, slot, label, text))
        if not text:
            dot_edges.append(DotEdge(tail, head))
            continue
        nodes.append(DotNode(label, *_text_size(text, LABEL_PT, PAD_BP), at))
        dot_edges += [DotEdge(tail, label, headport="w", arrow=False),
                      DotEdge(label, head, tailport="e")]
    # the inputs of one rank in the order of their names, x_1 above x_2 above x_3
    inputs: dict[int, list[int]] = {}
    for k, node in enumerate(order):
        if node.op == "input":
            inputs.setdefault(rank[id(node)], []).append(k)
    orders = [[f"n{k}" for k in sorted(ks, key=lambda k: _natural(order[k].label))]
              for ks in inputs.values() if len(ks) > 1]
    placed = layout(nodes, dot_edges, "LR", nodesep, ranksep, orders=orders)
    return Scene(order, [rank[id(n)] for n in order], placed, edges)


def scalar_graph(output: graph.Node, show_numbers: bool = True, legend: bool = True,
                 by_kind: bool = True) -> tuple[str, Drawing]:
    """A scalar graph as a tikzpicture, and what it occupies (for the tests)."""
    scene = scalar_layout(output, show_numbers, by_kind)
    placed = scene.placed
    drawing = Drawing(width=placed.width, height=placed.height)
    lines = [r"\begin{tikzpicture}[", STYLES.strip("\n"), "]"]
    for k, node in enumerate(scene.order):
        (x, y), (w, h) = placed.centres[f"n{k}"], placed.sizes[f"n{k}"]
        if node.is_leaf:
            text = _leaf_text(node, show_numbers)
            style = {"input": "input", "const": "const"}.get(node.op, "leaf")
            size = f"minimum width={w:.1f}bp, minimum height={h:.1f}bp"
        else:
            text, style, size = f"${_op_text(node)}$", "op", f"minimum size={w:.1f}bp"
        lines.append(rf"  \node[{style}, {size}] (n{k}) at ({x:.2f},{y:.2f}) {{{text}}};")
        drawing.nodes.append(Box(x, y, w / 2, h / 2))
        drawing.ranks.append((node.op, scene.ranks[k]))
    routes, labels = iter(placed.routes), []
    for edge in scene.edges:
        parts = [next(routes)] + ([next(routes)] if edge.label else [])
        if edge.head < 0:     # the output's arrow runs through its (empty) end node
            parts[-1].tip = (parts[-1].tip[0] + END_BP, parts[-1].tip[1])
        for part, style in zip(parts, ("wire",) if not edge.label else ("line", "wire"),
                               strict=True):
            lines.append(rf"  \draw[{style}] {tikz_path(part.points, part.tip)};")
        drawing.paths.append([p for part in parts for p in bezier([*part.points, part.tip])])
        drawing.ends.append((edge.tail, edge.head))
        if edge.label:
            (x, y), (w, h) = placed.centres[edge.label], placed.sizes[edge.label]
            labels.append(rf"  \node[edgelabel, minimum width={w:.1f}bp, "
                          rf"minimum height={h:.1f}bp] at ({x:.2f},{y:.2f}) {{{edge.text}}};")
            drawing.labels.append(Box(x, y, w / 2, h / 2))
            drawing.label_edges.append(len(drawing.paths) - 1)
    lines += labels
    for k, edge in enumerate(scene.edges):
        head = scene.order[edge.head] if edge.head >= 0 else None
        if head is not None and head.op == "-":
            others = [b for j, b in enumerate(drawing.nodes) if j != edge.head]
            box = _sign_place(drawing.paths[k], placed.centres[f"n{edge.head}"],
                              placed.sizes[f"n{edge.head}"][0] / 2,
                              others + drawing.labels + drawing.signs, drawing.paths)
            lines.append(rf"  \node[sign] at ({box.x:.2f},{box.y:.2f}) "
                         rf"{{${'+-'[edge.slot]}$}};")
            drawing.signs.append(box)
            drawing.sign_nodes.append(edge.head)
    if legend and show_numbers:
        lines.append(rf"  \node[anchor=north west, font=\footnotesize, text width="
                     rf"{max(placed.width, 200):.0f}bp] at (0,-6) {{{LEGEND}}};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines), drawing


def node_ranks(drawing: Drawing, kinds: Sequence[str]) -> set[int]:
    """The ranks of the drawn nodes of the given kinds ("input", "param", "+", ...)."""
    return {r for kind, r in drawing.ranks if kind in kinds}
