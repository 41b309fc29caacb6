"""The computation-graph engine (derive/numeric/graph.py): order, accumulation at forks,
published numbers, SymPy's gradient as oracle."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from derive.functions import sigmoid
from derive.numeric import graph
from derive.numeric.graph import backward, forward, from_expr, gradients, leaf, topological_order


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
    assert grads == pytest.approx([0.39, -0.59, -0.2, -0.39, 0.2], abs=0.005)


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


def test_unsupported_expression_is_a_clear_error() -> None:
    x = sp.Symbol("x")
    with pytest.raises(ValueError, match="no graph node"):
        from_expr(sp.sin(x), {x: leaf("x", 1.0)})


def test_sigmoid_node_is_stable() -> None:
    for t in (-1e4, 1e4):
        node = graph.Node("sigmoid", (leaf("t", t),))
        forward(node)
        assert math.isfinite(node.data)


def test_a_difference_is_one_node_whichever_term_sympy_puts_first() -> None:
    """y - a prints as a '-' node with y first even when SymPy stores it as -a + y; a
    number is a leaf of its own at each use, a fraction named as one."""
    y, a = sp.Symbol("y", real=True), sp.Symbol("a", real=True)
    leaves = {y: leaf("y", 1.0, "input"), a: leaf("a", 0.25)}
    expr = sp.Add(-a, y, evaluate=False)
    node = from_expr(expr, leaves)
    assert node.op == "-" and node.parents == (leaves[y], leaves[a])
    half = sp.Mul(sp.Rational(1, 2), (y - a) ** 2, evaluate=False)
    twice = from_expr(sp.Add(half, sp.Mul(sp.Rational(1, 2), a, evaluate=False),
                             evaluate=False), leaves)
    halves = [n for n in topological_order(twice) if n.op == "const"]
    assert len(halves) == 2 and {n.label for n in halves} == {r"\tfrac{1}{2}"}
    assert forward(twice) == pytest.approx(0.5 * 0.75 ** 2 + 0.125)
