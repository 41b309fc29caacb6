"""Figures as LaTeX (derive/render/figures.py): every figure compiles, each in a figure
environment with its caption, plots laid out in a grid."""

from __future__ import annotations

import subprocess
from pathlib import Path

from derive.build.driver import build_document
from derive.numeric.plots import activations
from derive.pipeline import get_figure
from derive.registry import FIGURES, names
from derive.render.figures import figure_latex, gallery_template, plots_latex


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
    figures = [name for name in names() if name in FIGURES]
    assert len(figures) >= 10
    for name in figures:
        tex = figure_latex(get_figure(name))
        assert r"\begin{figure}[H]" in tex and r"\caption{" in tex and f"fig:{name}" in tex


def test_four_plots_are_laid_out_two_by_two() -> None:
    code = plots_latex(activations().plots)
    assert code.count(r"\begin{minipage}") == 4 and code.count(r"\medskip") == 1


def test_a_discrete_axis_gets_whole_ticks_and_a_continuous_one_its_own() -> None:
    from derive.figure import Plot, Series
    from derive.render.figures import integer_ticks

    components = get_figure("softmax-temperature").plots[0]    # categorical: bars
    assert components.bars and integer_ticks(components) == ["xtick=data",
                                                             "enlarge x limits=0.15"]
    assert "ybar" in plots_latex([components]) and "xtick=data" in plots_latex([components])
    layers = get_figure("gradient-norm-depth").plots[0]
    assert integer_ticks(layers) == ["xtick distance=1", "enlarge x limits=0.03"]
    assert "xtick distance=1" in plots_latex([layers]) and "ybar" not in plots_latex([layers])
    assert integer_ticks(Plot([Series("t", list(range(16)), [0.0] * 16)])) == [
        "xtick distance=2", "enlarge x limits=0.03"]
    assert integer_ticks(Plot([Series("z", [-1.0, -0.5, 0.0, 0.5], [0.0] * 4)])) == []
    assert integer_ticks(activations().plots[0]) == []
