"""The computation graphs of the regression networks (derive/numeric/network_graphs.py)
against the worked example and finite differences."""

from __future__ import annotations

import pytest

from derive.numeric.network_graphs import c12_graph
from derive.pipeline import get_example
from tests.graphs import central_difference


def test_c12_graph_matches_worked_example_and_finite_differences() -> None:
    out, leaves = c12_graph(1)
    ex = get_example("c12-scalar-network")
    assert len(leaves) == 13                       # w_hk for h = 1..3, k = 0..2; v_0..v_3
    assert out.data == pytest.approx(ex["loss_1"].value, rel=1e-14)
    for symbol, node in leaves.items():
        name = symbol.name.replace("_", "")        # w_10 -> w10
        assert node.grad == pytest.approx(ex[f"d_{name}_1"].value, rel=1e-12)
        expected = central_difference(node, out, 1e-6)
        assert node.grad == pytest.approx(expected, rel=1e-6, abs=1e-9)
