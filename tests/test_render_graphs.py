"""The computation-graph figures as drawn (derive/render/graphs.py, tensor_graphs.py, laid out
by Graphviz dot): layered, no label on a crossing or on another edge, no two boxes touching,
every text at least 7 pt on the page, named constants, marked subtractions."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from derive.numeric import graph
from derive.pipeline import get_figure
from derive.render import dot_layout
from derive.render.graphs import (
    GRAD,
    LABEL_PT,
    PAD_BP,
    Drawing,
    _leaf_text,
    node_ranks,
    scalar_graph,
    scalar_layout,
)
from derive.render.layout import Box, count_overlaps, crossings
from derive.render.tex_size import math_width

TEXT_WIDTH_BP = 16.6 / 2.54 * 72          # A4 less two 2.2 cm margins
TEXT_HEIGHT_BP = 25.3 / 2.54 * 72
BASELINE_BP = 13.6                        # 11 pt type
LEGEND_BP = 30.0                          # the legend's two lines under a graph
FIGURES = ["c12-graph", "c4-graph", "c-q3-graph", "c5-backflow"]
OPS = ("+", "*", "-", "neg", "exp", "log", "sigmoid", "tanh", "relu", "max", "min", "pow")


def _drawings(name: str) -> list[tuple[Drawing, float]]:
    """Each graph of the figure drawn as on its sheet, with the scale its page gives it."""
    fig = get_figure(name)
    out = []
    for panel in fig.graphs:
        many = len(fig.graphs) > 1
        _, d = scalar_graph(panel.output, fig.show_numbers, legend=not many,
                            by_kind=not many or panel.width > 0.5)
        if many:                      # each panel its share of the line (of a turned page:
            # the text height), the rows of a turned page fitted to it together
            line = TEXT_HEIGHT_BP if fig.landscape else TEXT_WIDTH_BP
            scale = min(1.0, panel.width * line / d.width)
            if fig.landscape:
                scale *= _turned_page_fit(fig)
        elif fig.landscape:           # a turned page, less room for the caption
            scale = min(1.0, TEXT_HEIGHT_BP / d.width,
                        (TEXT_WIDTH_BP - 5 * BASELINE_BP) / (d.height + LEGEND_BP))
        else:
            scale = min(1.0, TEXT_WIDTH_BP / d.width, 0.7 * TEXT_HEIGHT_BP / d.height)
        out.append((d, scale))
    return out


def _turned_page_fit(fig: object) -> float:
    """How much \\fitpage shrinks the rows of panels of a turned page: their heights (a row
    as tall as its tallest panel, each at its own scale) against the text width less five
    lines for the caption."""
    rows: list[list[float]] = []
    room = 0.0
    for panel in fig.graphs:  # type: ignore[attr-defined]
        _, d = scalar_graph(panel.output, True, legend=False, by_kind=panel.width > 0.5)
        height = d.height * min(1.0, panel.width * TEXT_HEIGHT_BP / d.width) + 2 * BASELINE_BP
        if not rows or room + panel.width > 1.0:
            rows.append([])
            room = 0.0
        rows[-1].append(height)
        room += panel.width
    return min(1.0, (TEXT_WIDTH_BP - 5 * BASELINE_BP) / sum(max(r) for r in rows))


def _shrunk(box: Box, by: float) -> Box:
    return Box(box.x, box.y, box.half_w - by, box.half_h - by)


@pytest.mark.parametrize("name", FIGURES)
def test_every_text_is_at_least_7_pt_on_the_page(name: str) -> None:
    for _, scale in _drawings(name):
        assert LABEL_PT * scale >= 7.0, (name, scale)


@pytest.mark.parametrize("name", FIGURES)
def test_no_two_boxes_touch(name: str) -> None:
    """Nodes and labels keep 1 bp apart; a + or - mark keeps clear of everything but the
    circle it marks, and of that circle too (by its distance from the centre)."""
    for d, _ in _drawings(name):
        assert count_overlaps(d.nodes + d.labels, margin=1.0) == 0
        assert count_overlaps(d.signs, margin=1.0) == 0
        for sign, marked in zip(d.signs, d.sign_nodes, strict=True):
            circle = d.nodes[marked]
            assert not any(sign.overlaps(b, 1.0) for b in d.labels)
            assert not any(sign.overlaps(b, 1.0) for b in d.nodes if b is not circle)
            assert not any(sign.hit_by(a, b) for path in d.paths
                           for a, b in zip(path, path[1:], strict=False))
            gap = ((sign.x - circle.x) ** 2 + (sign.y - circle.y) ** 2) ** 0.5
            assert gap - circle.half_w - sign.half_w * 2 ** 0.5 >= 0.5


@pytest.mark.parametrize("name", FIGURES)
def test_no_label_sits_on_a_crossing_or_on_another_edge(name: str) -> None:
    for d, _ in _drawings(name):
        for point in crossings(d.paths):
            assert not any(abs(point[0] - b.x) < b.half_w + 2 and abs(point[1] - b.y)
                           < b.half_h + 2 for b in d.labels), point
        for j, label in enumerate(d.labels):
            inner = _shrunk(label, 0.5)
            for k, path in enumerate(d.paths):
                if k != d.label_edges[j]:
                    assert not any(inner.hit_by(a, b) for a, b in zip(path, path[1:],
                                                                      strict=False)), (j, k)


@pytest.mark.parametrize("name", FIGURES)
def test_no_edge_runs_through_a_node_it_does_not_join(name: str) -> None:
    for d, _ in _drawings(name):
        for k, path in enumerate(d.paths):
            for n, node in enumerate(d.nodes):
                if n not in d.ends[k]:
                    assert not any(_shrunk(node, 0.5).hit_by(a, b)
                                   for a, b in zip(path, path[1:], strict=False)), (k, n)


@pytest.mark.parametrize(("name", "most"), [("c12-graph", 3), ("c4-graph", 3),
                                            ("c-q3-graph", 3)])
def test_few_edges_cross(name: str, most: int) -> None:
    for d, _ in _drawings(name):
        assert len(crossings(d.paths)) <= most


@pytest.mark.parametrize("name", ["c12-graph", "c4-graph", "c-q3-graph"])
def test_inputs_parameters_and_operations_lie_in_ranks_of_their_own(name: str) -> None:
    d, _ = _drawings(name)[0]       # the graph, or the wide first panel (c-q3: the output layer)
    inputs, params = node_ranks(d, ("input",)), node_ranks(d, ("param",))
    ops = node_ranks(d, OPS)
    assert inputs and params and ops
    assert not inputs & params and not inputs & ops and not params & ops
    assert min(inputs) < min(params) < min(ops)


def test_the_2_2_2_graph_names_its_inputs_targets_biases_and_the_half() -> None:
    panels = get_figure("c-q3-graph").graphs
    leaves = [n for p in panels for n in graph.topological_order(p.output) if n.is_leaf]
    output = panels[0].output
    names = {n.label for n in leaves}
    assert {"i_{1}", "i_{2}", "y_{1}", "y_{2}", "b_{h}", "b_{o}", r"\tfrac{1}{2}"} <= names
    assert all(n.label for n in leaves)
    code, _ = scalar_graph(output)
    assert "{$0.05$}" not in code and "{$0.35$}" not in code      # no bare constant as a leaf


def test_a_subtraction_marks_its_first_input_plus_and_its_second_minus() -> None:
    output = get_figure("c12-graph").graphs[0].output
    code, d = scalar_graph(output)
    differences = sum(n.op == "-" for n in graph.topological_order(output))
    assert differences == 1 and len(d.signs) == 2
    assert re.findall(r"\\node\[sign\] at \([-\d.,]+\) \{\$([+-])\$\}", code) == ["+", "-"]


def test_labels_are_drawn_after_every_edge() -> None:
    code, _ = scalar_graph(get_figure("c12-graph").graphs[0].output)
    lines = code.splitlines()
    last_wire = max(k for k, line in enumerate(lines) if line.lstrip().startswith(r"\draw"))
    first_label = min(k for k, line in enumerate(lines) if "node[edgelabel" in line)
    assert last_wire < first_label


def test_vector_graph_reads_at_its_size_with_row_gradients() -> None:
    from derive.render.tensor_graphs import FONT_PT, tensor_graph

    output = get_figure("c13d-vector-graph").tensor_graph
    assert output is not None
    code, boxes, width = tensor_graph(output)
    assert count_overlaps(boxes, margin=2.0) == 0
    height = max(b.y + b.half_h for b in boxes) - min(b.y - b.half_h for b in boxes)
    scale = min(1.0, TEXT_WIDTH_BP / width, 0.7 * TEXT_HEIGHT_BP / height)
    assert FONT_PT * scale >= 8.5
    # the gradient of a column vector is a row: (dl/dz_1, dl/dz_2, dl/dz_3), not a column
    assert re.search(r"\\partial\\ell/\\partial z = \(-0\.0793, -0\.119, -0\.159\)\$", code)
    assert r"z = W\tilde x = (0.09, 0.08, 0.07)^{\top}" in code
    assert code.count(r"\begin{pmatrix}") == 2            # W and its gradient only


def test_a_clear_error_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dot_layout.shutil, "which", lambda name: None)
    with pytest.raises(dot_layout.GraphvizError, match="graphviz"):
        scalar_graph(get_figure("c4-graph").graphs[0].output, show_numbers=False)


def test_graphviz_is_installed() -> None:
    assert shutil.which("dot"), "`make test` installs graphviz before running the tests"


def _tex_widths(texts: list[str], folder: Path) -> list[float]:
    """How wide TeX sets each text (bp) at \\footnotesize, its lines centred as in a node."""
    lines = [r"\documentclass[11pt]{article}\usepackage[T1]{fontenc}\usepackage{lmodern}"
             r"\usepackage{amsmath}\usepackage{xcolor}\begin{document}\footnotesize"]
    for k, text in enumerate(texts):
        lines.append(rf"\setbox0\hbox{{\begin{{tabular}}{{@{{}}c@{{}}}}{text}\end{{tabular}}}}"
                     rf"\typeout{{WIDTH {k} \the\wd0}}")
    (folder / "m.tex").write_text("\n".join([*lines, r"\end{document}"]))
    log = subprocess.run(["pdflatex", "-interaction=nonstopmode", "m.tex"], cwd=folder,
                         capture_output=True, text=True, timeout=120).stdout
    found = {int(k): float(w) * 72 / 72.27 for k, w in re.findall(r"WIDTH (\d+) ([\d.]+)pt", log)}
    assert len(found) == len(texts)
    return [found[k] for k in range(len(texts))]


def test_estimated_widths_are_not_shorter_than_tex_sets_them(tmp_path: Path) -> None:
    """Dot reserves each leaf's and label's estimated size: TeX must not set it wider (it
    keeps at least 0.5 bp of the padding on each side)."""
    texts = set()
    for name in FIGURES:
        fig = get_figure(name)
        for panel in fig.graphs:
            scene = scalar_layout(panel.output, fig.show_numbers, len(fig.graphs) == 1)
            texts |= {_leaf_text(n, fig.show_numbers) for n in scene.order if n.is_leaf}
            texts |= {e.text for e in scene.edges if e.text}
    ordered = sorted(texts)
    assert len(ordered) > 50
    for text, real in zip(ordered, _tex_widths(ordered, tmp_path), strict=True):
        estimate = math_width(text.replace(r"\textcolor{" + GRAD + "}", ""), LABEL_PT)
        assert real <= estimate + 2 * PAD_BP - 1.0, (text, estimate, real)


def test_vector_graph_nodes_are_as_wide_as_tex_sets_them(tmp_path: Path) -> None:
    from derive.numeric import vector_graph
    from derive.render.tensor_graphs import tensor_node

    output = get_figure("c13d-vector-graph").tensor_graph
    assert output is not None
    nodes = [tensor_node(n) for n in vector_graph.topological_order(output)]
    for (text, width, _), real in zip(nodes, _tex_widths([t for t, _, _ in nodes], tmp_path),
                                      strict=True):
        assert real + 2 <= width <= real + 40, (text, width, real)


def test_a_constant_is_drawn_unframed_with_no_gradient() -> None:
    # a constant receives no gradient in back-propagation (Fig. 7 of sheet A drew c = 2 in a
    # box with the gradient 1.5)
    const = graph.leaf("c", 2.0, "const")
    assert _leaf_text(const, True) == "$c = 2$"
    x = graph.leaf("x", 3.0, "input")
    out = x * const
    graph.forward(out)
    graph.backward(out, 1.5)
    tikz, _ = scalar_graph(out, True, legend=False)
    assert re.search(r"\\node\[const, [^]]*\] \(n\d+\) at [^{]*\{\$c = 2\$\};", tikz)
    assert GRAD in _leaf_text(x, True)


def test_the_inputs_of_a_rank_are_drawn_in_the_order_of_their_names() -> None:
    # C4's graph: x1 above x2 above x3 (they were drawn x3, x1, x2, with crossing edges)
    output = get_figure("c4-graph").graphs[0].output
    scene = scalar_layout(output, show_numbers=False)
    heights = {n.label: scene.placed.centres[f"n{k}"][1] for k, n in enumerate(scene.order)
               if n.op == "input" and n.label.startswith("x")}
    assert sorted(heights, key=lambda name: -heights[name]) == ["x_{1}", "x_{2}", "x_{3}"]
