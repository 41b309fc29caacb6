"""Computation-graph figures: C4 (structure), C5 (back-flow patterns), C12 (a), C13 (d)."""

from __future__ import annotations

from collections.abc import Callable

from derive.figure import Figure, GraphPanel
from derive.numeric import graph
from derive.numeric.network_graphs import c4_graph, c12_graph, c13_vector_graph
from derive.numeric.scalar_network import BATCH
from derive.registry import figure


@figure("c12-graph")
def c12_graph_figure() -> Figure:
    """C12 (a): the scalar graph of the network, with the values and gradients of example 1."""
    output, _ = c12_graph(1)
    (x1, x2), y = BATCH[0]
    return Figure("c12-graph",
                  rf"The computation graph of C12 for example 1, $x = ({x1:g}, {x2:g})$, "
                  rf"$y = {y:g}$. Leaves are the inputs (blue) and the parameters; the loss "
                  r"$\ell = (\hat y - y)^2$ is on the right. The gradients reaching the "
                  r"parameters are those of example 1 in the worked example below.",
                  graphs=[GraphPanel(output)], problems=("C12",), landscape=True)


@figure("c4-graph")
def c4_graph_figure() -> Figure:
    """C4: a 3-input, 2-hidden-unit regression network's graph (structure only)."""
    return Figure("c4-graph",
                  r"The computation graph of a two-layer regression network with inputs "
                  r"$x_1, x_2, x_3$, two logistic hidden units and a linear output, loss "
                  r"$(\hat y - y)^2$.",
                  graphs=[GraphPanel(c4_graph())], show_numbers=False, problems=("C4",))


@figure("c13d-vector-graph")
def c13d_vector_graph_figure() -> Figure:
    """C13 (d): the C12 network with a weight matrix; nodes carry vectors and matrices."""
    loss, _ = c13_vector_graph(1)
    return Figure("c13d-vector-graph",
                  r"C12 with vectors (example 1), read from top to bottom: the inputs "
                  r"(blue), the parameters and each operation with its value and, in red, the "
                  r"derivative of $\ell$ by it, the derivative below times the operation's "
                  r"Jacobian. Vectors are columns, printed as transposed rows; in the sheet's "
                  r"layout the derivative by a column is a row (the gradient transposed), by a "
                  r"matrix a matrix of its shape. The derivatives by $W$ and $v$ are those of "
                  r"the scalar graph.",
                  tensor_graph=loss, problems=("C13",))


# --- C5: the six back-flow patterns --------------------------------------------------------

PATTERN_INPUTS = {"x": 3.0, "y": -2.0}      # the inputs of every pattern
PATTERN_CONSTANT = 2.0
UPSTREAM = 1.5                              # the gradient arriving from above


def _patterns() -> list[tuple[str, str, Callable[[graph.Node, graph.Node], graph.Node]]]:
    def c() -> graph.Node:     # the constant, by its name
        return graph.leaf("c", PATTERN_CONSTANT, "const")

    return [
        ("add a constant", r"$\partial(x + c)/\partial x = 1$: the gradient passes unchanged",
         lambda x, y: x + c()),
        ("add two inputs", r"both local gradients are $1$: the gradient is copied to each input",
         lambda x, y: x + y),
        ("multiply by a constant", r"$\partial(cx)/\partial x = c$: the gradient is scaled by $c$",
         lambda x, y: c() * x),
        ("multiply two inputs", r"$\partial(xy)/\partial x = y$, $\partial(xy)/\partial y = x$: "
         r"each input gets the gradient times the other input", lambda x, y: x * y),
        ("max of two inputs", r"the gradient is routed to the larger input; the other gets $0$",
         lambda x, y: graph.Node("max", (x, y))),
        ("min of two inputs", r"the gradient is routed to the smaller input; the other gets $0$",
         lambda x, y: graph.Node("min", (x, y))),
    ]


def pattern_graph(build: Callable[[graph.Node, graph.Node], graph.Node]) -> graph.Node:
    """One pattern at the standard inputs, forward and backward with the upstream gradient."""
    x = graph.leaf("x", PATTERN_INPUTS["x"], "input")
    y = graph.leaf("y", PATTERN_INPUTS["y"], "input")
    out = build(x, y)
    graph.forward(out)
    graph.backward(out, UPSTREAM)
    return out


@figure("c5-backflow")
def c5_backflow() -> Figure:
    """C5: each node's forward value and the gradient it sends back, for an upstream 1.5."""
    panels = [GraphPanel(pattern_graph(build), title, rule) for title, rule, build in _patterns()]
    return Figure("c5-backflow",
                  rf"Back-flow through six kinds of node, with $x = {PATTERN_INPUTS['x']:g}$, "
                  rf"$y = {PATTERN_INPUTS['y']:g}$, $c = {PATTERN_CONSTANT:g}$ and a gradient "
                  rf"of ${UPSTREAM:g}$ arriving at the output from the rest of the graph. Each "
                  r"input shows its value over the gradient it receives (red); the constant $c$, "
                  r"unframed, only its value, for a constant receives no gradient; the "
                  r"output's arrow, its value over the gradient arriving.",
                  graphs=panels, problems=("C5",))
