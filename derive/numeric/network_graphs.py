"""Computation graphs of the two-layer regression networks of problems C4, C12 and C13 (d).

The scalar graph is built from the same loss expression as the C12 worked example; the vector
graph computes the same network with a weight matrix and Jacobian products.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive.numeric import graph, vector_graph
from derive.numeric.graph import topological_order
from derive.numeric.scalar_network import (
    BATCH,
    HIDDEN_WEIGHTS,
    OUTPUT_WEIGHTS,
    c12_scalar_network,
    example_loss,
    parameter_symbols,
    parameter_values,
)
from derive.proof import Comparison, Quantity, WorkedExample, text
from derive.registry import example


def _latex_name(symbol: sp.Symbol) -> str:
    """w_12 -> w_{1,2}; v_3 -> v_{3}; x1 -> x_{1}."""
    stem, _, index = symbol.name.partition("_")
    if not index:
        return rf"{symbol.name[0]}_{{{symbol.name[1:]}}}" if len(symbol.name) > 1 else stem
    return rf"{stem}_{{{','.join(index)}}}" if len(index) > 1 else rf"{stem}_{{{index}}}"


def c12_graph(example: int = 1) -> tuple[graph.Node, dict[sp.Symbol, graph.Node]]:
    """The scalar graph of example ``example`` (1-based) of C12, forward and backward done.

    Returns the loss node and the leaf of each parameter symbol.
    """
    (x1v, x2v), yv = BATCH[example - 1]
    w, v = parameter_symbols()
    x = [sp.Symbol("x1", real=True), sp.Symbol("x2", real=True)]
    y = sp.Symbol("y", real=True)
    loss, names = example_loss(w, v, x, y)
    leaves = {p: graph.leaf(_latex_name(p), value) for p, value in parameter_values().items()}
    inputs = {x[0]: graph.leaf("x_{1}", x1v, "input"), x[1]: graph.leaf("x_{2}", x2v, "input"),
              y: graph.leaf("y", yv, "input")}
    output = graph.from_expr(loss, {**leaves, **inputs}, names)
    graph.forward(output)
    graph.backward(output)
    return output, leaves


def c4_graph() -> graph.Node:
    """The graph of C4: 3 inputs, 2 logistic hidden units, a linear output, L2 loss."""
    w = {(h, k): sp.Symbol(f"w_{h}{k}", real=True) for h in (1, 2) for k in range(4)}
    v = {h: sp.Symbol(f"v_{h}", real=True) for h in range(3)}
    x = [sp.Symbol(f"x{k}", real=True) for k in (1, 2, 3)]
    y = sp.Symbol("y", real=True)
    loss, names = example_loss(w, v, x, y)
    leaves = {s: graph.leaf(_latex_name(s), 0.0) for s in [*w.values(), *v.values()]}
    leaves.update({s: graph.leaf(_latex_name(s), 0.0, "input") for s in [*x, y]})
    return graph.from_expr(loss, leaves, names)


def c13_vector_graph(example: int = 1
                     ) -> tuple[vector_graph.Tensor, dict[str, vector_graph.Tensor]]:
    """C12 with vectors: W (3 x 3, bias column first), v (4 x 1); forward and backward done.

    Returns the loss node and the leaves ``W`` and ``v``.
    """
    (x1v, x2v), yv = BATCH[example - 1]
    x = vector_graph.tensor("x", [x1v, x2v], "input")
    weights = vector_graph.tensor("W", HIDDEN_WEIGHTS)
    v = vector_graph.tensor("v", OUTPUT_WEIGHTS)               # a column, as every vector
    y = vector_graph.tensor("y", [yv], "input")
    op = vector_graph.op
    x_aug = op("augment", x, label=r"\tilde x")
    z = op("matmul", weights, x_aug, label="z")
    a = op("sigmoid", z, label="a")
    a_aug = op("augment", a, label=r"\tilde a")
    yhat = op("dot", v, a_aug, label=r"\hat y")                # v^T a~
    error = op("-", yhat, y, label=r"\hat y - y")
    loss = op("square", error, label=r"\ell")
    vector_graph.forward(loss)
    vector_graph.backward(loss)
    return loss, {"W": weights, "v": v}


@example("c13d-vector-vs-scalar")
def c13d_vector_vs_scalar() -> WorkedExample:
    """C13 (d): batch gradients from the vector graph against those of C12's worked example."""
    scalar = c12_scalar_network().values()
    comparisons = []
    notation: dict[sp.Basic, str] = {}
    graphs = [c13_vector_graph(i)[1] for i in range(1, len(BATCH) + 1)]
    w_grad = np.sum([g["W"].grad for g in graphs], axis=0)
    v_grad = np.sum([g["v"].grad for g in graphs], axis=0)
    for h, row in enumerate(HIDDEN_WEIGHTS, 1):
        for k in range(len(row)):
            label = sp.Symbol(f"dL/dw_{h}{k}")
            notation[label] = rf"\partial L / \partial w_{{{h},{k}}}"
            comparisons.append(Comparison(text(label), float(w_grad[h - 1, k]),
                                          scalar[sp.Symbol(f"dL_w_{h}{k}", real=True)]))
    for h in range(len(OUTPUT_WEIGHTS)):
        label = sp.Symbol(f"dL/dv_{h}")
        notation[label] = rf"\partial L / \partial v_{{{h}}}"
        comparisons.append(Comparison(text(label), float(v_grad[h, 0]),
                                      scalar[sp.Symbol(f"dL_v_{h}", real=True)]))
    return WorkedExample(
        "c13d-vector-vs-scalar", "C13 (d): the vector graph gives C12's gradients",
        text("The batch gradients summed over the three examples of the vector graph, next to "
             "the back-propagated gradients of the scalar graph of C12 (c)."),
        [], notation, comparisons, problems=("C13",),
        compared=("vector graph (Jacobian products)", "scalar graph (C12 (c))"))


# (node label, parent index, symbol, formula): the local Jacobians of C13 (d)'s chain, from the
# loss back to z; then the Jacobian of z by the entries of W.
_CHAIN = (
    (r"\ell", 0, r"\frac{\partial \ell}{\partial \hat y}",
     r"\frac{\partial \ell}{\partial (\hat y - y)}\,\frac{\partial (\hat y - y)}{\partial \hat y}"
     r" = 2(\hat y - y) \cdot 1"),
    (r"\hat y", 1, r"\frac{\partial \hat y}{\partial \tilde a}", r"v^{\top}"),
    (r"\tilde a", 0, r"\frac{\partial \tilde a}{\partial a}",
     r"\begin{pmatrix} 0_{1 \times 3} \\ I_3 \end{pmatrix}"),
    ("a", 0, r"\frac{\partial a}{\partial z}", r"\operatorname{diag}(a \odot (1 - a))"),
)
_PRODUCT = "".join(shown for _, _, shown, _ in _CHAIN)


@example("c13d-jacobians")
def c13d_jacobians() -> WorkedExample:
    """C13 (d), example 1: each node's Jacobian with its numbers, and their product."""
    loss, leaves = c13_vector_graph(1)
    nodes = {node.label: node for node in topological_order(loss)}
    notation: dict[sp.Basic, str] = {}
    quantities: list[Quantity] = []

    def add(name: str, shown: str, formula: str, value: np.ndarray, group: str) -> None:
        symbol, written = sp.Symbol(name), sp.Symbol(f"{name}-formula")
        notation[symbol], notation[written] = shown, formula
        quantities.append(Quantity(symbol, written, value, group))

    group = "The local Jacobians, from the loss back to z (example 1)"
    row = np.ones((1, 1))
    for k, (label, parent, shown, formula) in enumerate(_CHAIN):
        jacobian = nodes[label].jacobians[parent]
        if label == r"\ell":     # times d(yhat - y)/d yhat, the 1 x 1 identity
            jacobian = jacobian @ nodes[r"\hat y - y"].jacobians[0]
        add(f"J{k}", shown, formula, jacobian, group)
        row = row @ jacobian
    if not np.allclose(row.ravel(), nodes["z"].grad.ravel(), rtol=1e-12, atol=0):
        raise ValueError("C13 (d): the product of the Jacobians is not the graph's gradient")
    group = "Their product, and the derivative by W"
    add("dl_dz", r"\frac{\partial \ell}{\partial z}", _PRODUCT, row, group)
    j_w = nodes["z"].jacobians[0]
    add("J_W", r"\frac{\partial z}{\partial \operatorname{vec} W}", r"I_3 \otimes \tilde x^{\top}",
        j_w, group)
    flat = row @ j_w                       # 1 x 9: d l / d vec W, W's rows end to end
    gradient = leaves["W"].grad
    if not np.allclose(flat.reshape(gradient.shape), gradient, rtol=1e-12, atol=0):
        raise ValueError("C13 (d): the row times dz/dvec W is not the graph's gradient of W")
    add("dl_dW", r"\frac{\partial \ell}{\partial W}",
        r"\operatorname{vec}^{-1}\Bigl(\frac{\partial \ell}{\partial z}\,"
        r"\frac{\partial z}{\partial \operatorname{vec} W}\Bigr)"
        r" = \Bigl(\frac{\partial \ell}{\partial z}\Bigr)^{\top} \tilde x^{\top}",
        flat.reshape(gradient.shape), group)
    return WorkedExample(
        "c13d-jacobians", "C13 (d): back-propagation as a product of Jacobians (example 1)",
        text("Each node's Jacobian with its numbers, for example 1 of C12. Multiplied from the "
             "loss back, they give the derivative of the loss by $z$, a $1 \\times 3$ row. "
             "Times the $3 \\times 9$ Jacobian of $z$ by $\\operatorname{vec} W$, the "
             "entries of $W$ read row by row, it gives a $1 \\times 9$ row; "
             "$\\operatorname{vec}^{-1}$ stacks its three blocks of three as the rows of "
             "$\\partial\\ell/\\partial W$, the outer product "
             "$(\\partial\\ell/\\partial z)^{\\top}\\tilde x^{\\top}$."),
        quantities, notation, [], problems=("C13",))
