"""Notebook views (derive/render/notebook.py): the reprs, and docs/example.ipynb executes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.pipeline import get_derivation, get_example, get_figure

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "example.ipynb"


def test_a_derivation_in_html_has_title_givens_rows_rules_marks_and_tally() -> None:
    d = get_derivation("bce-gradient")
    page = d._repr_html_()
    assert f"<h4>{d.title}</h4>" in page and "<em>Given:</em>" in page
    assert page.count("<tr") == len(d.steps)
    assert page.count("<em>(proved)</em>") == d.tally()["proved"]
    assert "chain rule" in page and "Verified: 11 steps: 11 proved ✓" in page
    assert "max-width:100%" in page and "overflow-x:auto" in page
    assert page.count(r"\(") == page.count(r"\)") > len(d.steps)


def test_a_derivation_in_latex_is_one_block_with_title_and_marks() -> None:
    d = get_derivation("sigmoid-derivative")
    block = d._repr_latex_()
    assert block.startswith("$$\n\\begin{aligned}") and block.endswith("\\end{aligned}\n$$")
    assert f"\\textbf{{{d.title}}}" in block and "Given:" in block
    assert block.count("\\checkmark") == d.tally()["proved"]
    assert "(12)\\ \\checkmark" in block


def test_a_worked_example_shows_its_values() -> None:
    ex = get_example("c12-scalar-network")
    page = ex._repr_html_()
    assert "0.522485" in page and page.count("<li>") >= len(ex.quantities)
    assert len(page) < 40_000 and "Quantity(" not in page
    assert "0.09" in ex._repr_latex_()


def test_a_figure_draws_its_plots_as_svg() -> None:
    fig = get_figure("activations")
    svg = fig._repr_svg_()
    assert svg is not None and svg.count("<polyline") == sum(len(p.series) for p in fig.plots)
    assert svg in fig._repr_html_()
    graph = get_figure("c12-graph")
    assert graph._repr_svg_() is None and "computation graph" in graph._repr_html_()


def test_the_example_notebook_executes() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    try:
        client.execute()
    except (RuntimeError, OSError) as err:
        if re.search(r"[Kk]ernel.*(died|start|not found|No such kernel)", str(err)) or \
                "NoSuchKernel" in type(err).__name__:
            pytest.skip(f"no Jupyter kernel could start: {err}")
        raise
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("The derivative of the sigmoid" in h and "✓" in h for h in html)
    assert any("<svg" in h for h in html)
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "The Jacobian of softmax" in printed and "✓" in printed
