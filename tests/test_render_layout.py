"""Layered layout of a computation graph (derive/render/layout.py): edge labels never overlap."""

from __future__ import annotations

import pytest

from derive.pipeline import get_figure
from derive.render.graphs import scalar_graph
from derive.render.layout import count_overlaps


@pytest.mark.parametrize("name", ["c12-graph", "c5-backflow", "c4-graph"])
def test_graph_labels_do_not_overlap(name: str) -> None:
    fig = get_figure(name)
    assert fig.graphs
    for panel in fig.graphs:
        spacing = {"colsep": 3.0, "gap": 1.45} if fig.landscape else {"colsep": 2.4, "gap": 1.7}
        _, labels = scalar_graph(panel.output, fig.show_numbers, **spacing)
        assert count_overlaps(labels) == 0
