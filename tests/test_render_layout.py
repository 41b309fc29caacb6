"""Layered layout of a computation graph (derive/render/layout.py): edge labels never overlap."""

from __future__ import annotations

import pytest

from derive.pipeline import get_figure
from derive.render.graphs import scalar_graph
from derive.render.layout import count_overlaps


@pytest.mark.parametrize("name", ["c12-graph", "c5-backflow", "c4-graph", "c-q3-graph"])
def test_graph_labels_do_not_overlap(name: str) -> None:
    from derive.render.figures import _landscape_spacing

    fig = get_figure(name)
    assert fig.graphs
    for panel in fig.graphs:
        # the spacing the sheet draws it with
        colsep, gap = _landscape_spacing(panel.output) if fig.landscape else (2.4, 1.7)
        spacing = {"colsep": colsep, "gap": gap}
        _, labels = scalar_graph(panel.output, fig.show_numbers, **spacing)
        assert count_overlaps(labels) == 0


def test_vector_graph_nodes_do_not_run_into_the_next_layer() -> None:
    """Sheet A's Fig. 9 once drew W's box over the product's (review): every two nodes that
    share some width lie apart by at least half the sum of their heights."""
    import re

    from derive.numeric import vector_graph
    from derive.render.graphs import tensor_graph, tensor_node_height

    output = get_figure("c13d-vector-graph").tensor_graph
    assert output is not None
    code = tensor_graph(output)
    where = r"\\node\[tnode\] \(t\d+\) at \(([-\d.]+),([-\d.]+)\)"
    at = [(float(x), float(y)) for x, y in re.findall(where, code)]
    heights = [tensor_node_height(n) for n in vector_graph.topological_order(output)]
    assert len(at) == len(heights) > 5
    for i in range(len(at)):
        for j in range(i + 1, len(at)):
            if abs(at[i][0] - at[j][0]) < 4.0:      # boxes that could share some width
                assert abs(at[i][1] - at[j][1]) >= (heights[i] + heights[j]) / 2, (i, j)


def test_edge_labels_are_drawn_over_every_wire() -> None:
    code, _ = scalar_graph(get_figure("c12-graph").graphs[0].output, True)
    lines = code.splitlines()
    last_wire = max(k for k, line in enumerate(lines) if line.lstrip().startswith(r"\draw[wire]"))
    first_label = min(k for k, line in enumerate(lines) if "node[edgelabel" in line)
    assert last_wire < first_label
