"""The computation-graph engine: order, accumulation at forks, published numbers, oracles."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from derive.functions import sigmoid
from derive.numeric import graph
from derive.numeric.graph import backward, forward, from_expr, gradients, leaf, topological_order
from derive.numeric.graph_figures import PATTERN_INPUTS, UPSTREAM, _patterns, pattern_graph
from derive.numeric.network_graphs import c12_graph, c13_vector_graph
from derive.pipeline import get_example


def central_difference(node: graph.Node, out: graph.Node, h: float) -> float:
    """d out / d node by a central difference, leaving the graph as it was."""
    node.data += h
    up = forward(out)
    node.data -= 2 * h
    down = forward(out)
    node.data += h
    forward(out)
    return (up - down) / (2 * h)


def test_topological_order_puts_every_node_after_its_parents() -> None:
    x, y = leaf("x", 1.0), leaf("y", 2.0)
    a = x * y
    b = a + x
    out = (b * a).apply("exp")
    order = topological_order(out)
    position = {id(n): k for k, n in enumerate(order)}
    assert len(order) == len({id(n) for n in order}) == 6
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents)
    assert order[-1] is out


def test_gradients_accumulate_where_a_value_forks() -> None:
    x = leaf("x", 3.0)
    out = x * x + x           # d/dx = 2x + 1 = 7: three paths back to x
    assert gradients(out, [x]) == [7.0]
    # backward twice gives the same answer: grads are reset, not added across runs
    backward(out)
    assert x.grad == 7.0


def test_cs231n_sigmoid_neuron() -> None:
    """CS231n notes: f = sigma(w0 x0 + w1 x1 + w2), w = (2, -3, -3), x = (-1, -2)."""
    w = [leaf(f"w{k}", v) for k, v in enumerate((2.0, -3.0, -3.0))]
    x = [leaf(f"x{k}", v, "input") for k, v in enumerate((-1.0, -2.0))]
    out = (w[0] * x[0] + w[1] * x[1] + w[2]).apply("sigmoid")
    grads = gradients(out, [*x, *w])
    assert out.data == pytest.approx(0.73, abs=0.005)
    # the notes print dx = [0.39, -0.59] and dw = [-0.2, -0.39, 0.2]
    assert grads == pytest.approx([0.39, -0.59, -0.2, -0.39, 0.2], abs=0.006)


def test_micrograd_readme_example() -> None:
    a, b = leaf("a", -4.0), leaf("b", 2.0)
    c = a + b
    d = a * b + b**3
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).apply("relu"))
    d = d + (3 * d + (b - a).apply("relu"))
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    grads = gradients(g, [a, b])
    assert f"{g.data:.4f}" == "24.7041"
    assert [f"{v:.4f}" for v in grads] == ["138.8338", "645.5773"]


def test_graph_from_sympy_agrees_with_symbolic_gradient() -> None:
    x, y, z = sp.symbols("x y z", real=True)
    expr = sigmoid(x * y - z) * sp.log(1 + x**2) + sp.exp(-y) * z**2 - x * z
    values = {x: 0.7, y: -1.3, z: 0.4}
    leaves = {s: leaf(str(s), v) for s, v in values.items()}
    out = from_expr(expr, leaves)
    grads = gradients(out, list(leaves.values()))
    assert out.data == pytest.approx(float(expr.subs(values)), rel=1e-14)
    for s, got in zip(values, grads, strict=True):
        assert got == pytest.approx(float(sp.diff(expr, s).subs(values)), rel=1e-12)


def test_c12_graph_matches_worked_example_and_finite_differences() -> None:
    out, leaves = c12_graph(1)
    ex = get_example("c12-scalar-network")
    assert out.data == pytest.approx(ex["loss_1"].value, rel=1e-14)
    for symbol, node in leaves.items():
        name = symbol.name.replace("_", "")        # w_10 -> w10
        assert node.grad == pytest.approx(ex[f"d_{name}_1"].value, rel=1e-12)
        expected = central_difference(node, out, 1e-6)
        assert node.grad == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_vector_graph_gives_the_scalar_graphs_gradients() -> None:
    for example in (1, 2, 3):
        out, leaves = c12_graph(example)
        loss, params = c13_vector_graph(example)
        assert float(loss.data[0, 0]) == pytest.approx(out.data, rel=1e-13)
        w_grad = np.array([[leaves[sp.Symbol(f"w_{h}{k}", real=True)].grad for k in range(3)]
                           for h in (1, 2, 3)])
        v_grad = np.array([[leaves[sp.Symbol(f"v_{h}", real=True)].grad for h in range(4)]])
        np.testing.assert_allclose(params["W"].grad, w_grad, rtol=1e-12)
        np.testing.assert_allclose(params["v"].grad, v_grad, rtol=1e-12)


@pytest.mark.parametrize("pattern", _patterns(), ids=lambda p: p[0])
def test_c5_backflow_rules_match_finite_differences(pattern: tuple) -> None:
    _, _, build = pattern
    out = pattern_graph(build)
    inputs = [n for n in topological_order(out) if n.op == "input"]
    assert [n.data for n in inputs] == [PATTERN_INPUTS["x"], PATTERN_INPUTS["y"]][:len(inputs)]
    for node in inputs:
        expected = UPSTREAM * central_difference(node, out, 1e-7)
        assert node.grad == pytest.approx(expected, abs=1e-6)
    assert out.grad == UPSTREAM


def test_unsupported_expression_is_a_clear_error() -> None:
    x = sp.Symbol("x")
    with pytest.raises(ValueError, match="no graph node"):
        from_expr(sp.sin(x), {x: leaf("x", 1.0)})


def test_sigmoid_node_is_stable() -> None:
    for t in (-1e4, 1e4):
        node = graph.Node("sigmoid", (leaf("t", t),))
        forward(node)
        assert math.isfinite(node.data)
