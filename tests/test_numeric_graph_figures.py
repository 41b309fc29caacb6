"""The computation-graph figures (derive/numeric/graph_figures.py): C5's back-flow patterns
against finite differences."""

from __future__ import annotations

import pytest

from derive.numeric.graph import topological_order
from derive.numeric.graph_figures import PATTERN_INPUTS, UPSTREAM, _patterns, pattern_graph
from tests.graphs import central_difference


@pytest.mark.parametrize("pattern", _patterns(), ids=lambda p: p[0])
def test_c5_backflow_rules_match_finite_differences(pattern: tuple) -> None:
    _, _, build = pattern
    out = pattern_graph(build)
    inputs = [n for n in topological_order(out) if n.op == "input"]
    assert inputs
    assert [n.data for n in inputs] == [PATTERN_INPUTS["x"], PATTERN_INPUTS["y"]][:len(inputs)]
    for node in inputs:
        expected = UPSTREAM * central_difference(node, out, 1e-7)
        assert node.grad == pytest.approx(expected, abs=1e-6)
    assert out.grad == UPSTREAM
