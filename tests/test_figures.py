"""Figures: their data come from the library, every figure compiles, graph labels never overlap."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

from derive.build.driver import build_document
from derive.cli import main
from derive.numeric.plots import LEARNING_RATES, TEMPERATURE_LOGITS
from derive.pipeline import get_figure
from derive.registry import FIGURES, names
from derive.render.figures import figure_latex, gallery_template
from derive.render.graphs import scalar_graph
from derive.render.layout import count_overlaps


def test_every_figure_compiles_in_one_document(tmp_path: Path) -> None:
    names()
    template = tmp_path / "all-figures.tex.j2"
    template.write_text(gallery_template(sorted(FIGURES)))
    pdf = build_document(template, tmp_path, force=True).pdf
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "63.1" in text                   # the C12 loss of example 1, on the graph
    assert "0.2774" in text                 # the distance of the A4 boundary from the origin
    assert len(FIGURES) >= 10


def test_each_figure_is_a_figure_environment_with_caption() -> None:
    for name in names():
        if name in FIGURES:
            tex = figure_latex(get_figure(name))
            assert r"\begin{figure}[H]" in tex and r"\caption{" in tex and f"fig:{name}" in tex


@pytest.mark.parametrize("name", ["c12-graph", "c5-backflow", "c4-graph"])
def test_graph_labels_do_not_overlap(name: str) -> None:
    fig = get_figure(name)
    for panel in fig.graphs:
        spacing = {"colsep": 3.0, "gap": 1.45} if fig.landscape else {"colsep": 2.4, "gap": 1.7}
        _, labels = scalar_graph(panel.output, fig.show_numbers, **spacing)
        assert count_overlaps(labels) == 0


def test_sigmoid_curves_are_the_sigmoid() -> None:
    fig = get_figure("sigmoid-steepness")
    for s in fig.plots[0].series[:-1]:
        theta = float(s.legend.strip("$").split("=")[1])
        for x, y in list(zip(s.xs, s.ys, strict=True))[::20]:
            assert y == pytest.approx(1 / (1 + math.exp(-theta * x)), rel=1e-12)


def test_learning_rate_iterates_follow_the_update() -> None:
    runs = get_figure("learning-rates").data["iterates"]
    for what, eta in LEARNING_RATES.items():
        its = runs[what]["iterates"]
        assert its == pytest.approx([(1 - 2 * eta) ** t for t in range(len(its))], rel=1e-12)
    assert abs(runs["too large"]["iterates"][-1]) > 1 > abs(runs["good"]["iterates"][-1])


def test_gradient_vanishes_through_sigmoid_layers_only() -> None:
    norms = get_figure("gradient-norm-depth").data["norms"]
    assert norms["sigmoid"][0] < 1e-4 * norms["sigmoid"][-1]
    assert norms["tanh"][0] > 1e-2 * norms["tanh"][-1]


def test_softmax_temperature_bars_are_distributions() -> None:
    series = get_figure("softmax-temperature").plots[0].series
    for s in series:
        assert sum(s.ys) == pytest.approx(1.0, rel=1e-12)
        assert s.ys.index(max(s.ys)) == TEMPERATURE_LOGITS.index(max(TEMPERATURE_LOGITS))
    hottest = series[-1].ys
    assert max(hottest) - min(hottest) < 0.05      # T = 100: nearly uniform


def test_decision_boundary_geometry() -> None:
    b = get_figure("decision-boundary").geometry
    assert b is not None
    t0, t1, t2 = b.theta
    assert b.distance == pytest.approx(1 / math.sqrt(13), rel=1e-15)
    assert t0 + t1 * b.foot[0] + t2 * b.foot[1] == pytest.approx(0, abs=1e-15)
    assert math.hypot(*b.unit_normal) == pytest.approx(1, rel=1e-15)
    assert math.hypot(*b.foot) == pytest.approx(b.distance, rel=1e-15)


def test_show_json_of_a_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "c12-graph", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    nodes = data["graphs"][0]["nodes"]
    loss = nodes[-1]
    assert loss["grad"] == 1.0 and loss["value"] == pytest.approx(63.0952, rel=1e-5)
    assert all(p < n["id"] for n in nodes for p in n["parents"])   # topological order


def test_demos_back_their_claims() -> None:
    from derive.numeric.demos import A12_X, misclassified, xor_predictions

    # A12: the error count is constant between neighbouring data points
    xs = sorted(A12_X)
    for left, right in zip(xs, xs[1:], strict=False):
        inside = np.linspace(left, right, 7)[1:-1]
        assert len({misclassified(float(t)) for t in inside}) == 1
    assert len({misclassified(float(t)) for t in np.linspace(-3, 3, 61)}) > 2
    # B1: the network classifies all four XOR inputs
    assert all(label == prediction for label, prediction, _ in xor_predictions())
    # B8: ReLU with 1/n halves the variance per layer; 2/n keeps it within a factor of 2
    data = get_figure("init-variance").data["variance"]
    relu_1n, relu_2n = data["relu, Var(w) = 1/n"], data["relu, Var(w) = 2/n"]
    ratios = [b / a for a, b in zip(relu_1n, relu_1n[1:], strict=False)]
    assert all(0.3 < r < 0.7 for r in ratios)
    assert max(relu_2n) / min(relu_2n) < 2
    assert all(v == 0 for v in data["tanh, Var(w) = 0"])
