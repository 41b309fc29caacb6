"""Ranks of a computation graph and the geometry that checks a drawing
(derive/render/layout.py)."""

from __future__ import annotations

from derive.numeric import graph
from derive.render.layout import Box, bezier, count_overlaps, crossings, labelled, ranks, uses


def _regression() -> tuple[graph.Node, dict[str, graph.Node]]:
    """y_hat = sigma(w1 x1 + w2 x2 + b), loss (y_hat - y)^2: the inputs x1, x2 feed one
    product each, the target y the difference."""
    n = {"x1": graph.leaf("x_1", 1.0, "input"), "x2": graph.leaf("x_2", 2.0, "input"),
         "w1": graph.leaf("w_1", 0.5), "w2": graph.leaf("w_2", -0.5), "b": graph.leaf("b", 0.1),
         "y": graph.leaf("y", 1.0, "input")}
    z = n["w1"] * n["x1"] + n["w2"] * n["x2"]
    out = ((z + n["b"]).apply("sigmoid") - n["y"]) ** 2
    return out, n


def test_inputs_parameters_and_operations_never_share_a_rank() -> None:
    out, n = _regression()
    order = graph.topological_order(out)
    rank = ranks(order)
    op_ranks = {rank[id(v)] for v in order if v.parents}
    input_ranks = {rank[id(n[k])] for k in ("x1", "x2", "y")}
    param_ranks = {rank[id(n[k])] for k in ("w1", "w2", "b")}
    assert not op_ranks & input_ranks and not op_ranks & param_ranks
    assert not input_ranks & param_ranks
    assert rank[id(n["x1"])] < rank[id(n["w1"])]     # data first, then the weights
    for node in order:                                # every edge runs forwards
        assert all(rank[id(p)] < rank[id(node)] for p in node.parents)


def test_a_label_rank_comes_before_every_operation_rank() -> None:
    out, _ = _regression()
    order = graph.topological_order(out)
    rank = ranks(order)
    for node in order:
        if node.parents:
            before = [v for v in order if rank[id(v)] == rank[id(node)] - 1]
            assert not any(v.parents for v in before)


def test_a_leaf_used_twice_gets_labels_a_leaf_used_once_none() -> None:
    x, w = graph.leaf("x", 2.0, "input"), graph.leaf("w", 3.0)
    out = x * w + x
    order = graph.topological_order(out)
    count = uses(order)
    assert count[id(x)] == 2 and labelled(x, count)
    assert count[id(w)] == 1 and not labelled(w, count)
    assert labelled(out.parents[0], count)             # an operation's edges always


def test_without_kinds_the_leaves_share_their_rank() -> None:
    x, c = graph.leaf("x", 3.0, "input"), graph._node(2.0)
    out = x + c
    rank = ranks(graph.topological_order(out), by_kind=False)
    assert rank[id(x)] == rank[id(c)] < rank[id(out)]


def test_boxes_segments_and_crossings() -> None:
    box = Box(0.0, 0.0, 1.0, 1.0)
    assert box.hit_by((-2.0, 0.0), (2.0, 0.5))
    assert not box.hit_by((-2.0, 2.0), (2.0, 1.5))
    assert box.overlaps(Box(1.9, 0.0, 1.0, 1.0)) and not box.overlaps(Box(2.1, 0.0, 1.0, 1.0))
    assert count_overlaps([box, Box(1.5, 0.0, 1.0, 1.0), Box(9.0, 0.0, 1.0, 1.0)]) == 1
    assert crossings([[(0.0, 0.0), (2.0, 2.0)], [(0.0, 2.0), (2.0, 0.0)]]) == [(1.0, 1.0)]
    assert crossings([[(0.0, 0.0), (2.0, 0.0)], [(0.0, 1.0), (2.0, 1.0)]]) == []
    curve = bezier([(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (3.0, 0.0)], steps=3)
    assert curve[0] == (0.0, 0.0) and curve[-1] == (3.0, 0.0) and len(curve) == 4
