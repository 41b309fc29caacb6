"""Markdown (derive/render/markdown.py): $...$ and $$...$$, aligned steps, marks, rules."""

from __future__ import annotations

import re
from pathlib import Path

from derive.cli import main
from derive.pipeline import get_derivation, get_example, get_figure
from derive.render.latex import tex
from derive.render.markdown import to_markdown


def test_a_derivation_is_one_aligned_block_with_numbered_marks_and_rules() -> None:
    d = get_derivation("sigmoid-derivative")
    md = to_markdown(d)
    assert md.startswith(f"### {d.title}\n")
    block = md.split("$$\n")[1]
    assert block.startswith("\\begin{aligned}\n") and block.endswith("\\end{aligned}\n")
    rows = block.splitlines()[1:-1]
    assert len(rows) == len(d.steps)
    assert all(f"&& ({k})" in row for k, row in enumerate(rows, 1))
    assert sum(r"\checkmark" in row for row in rows) == d.tally()["proved"]
    assert tex(d.result.rhs, d.notation) in rows[-1]
    assert "12. ✓ $1 - \\sigma(z) = \\sigma(- z)$" in md
    assert "*Verified: 11 steps, 11 proved ✓" in md


def test_markdown_has_no_latex_only_environments_and_balanced_dollars() -> None:
    for md in (to_markdown(get_derivation("two-layer-softmax")),
               to_markdown(get_example("c13d-vector-vs-scalar"))):
        assert "psmallmatrix" not in md and r"\why" not in md and r"\proved" not in md
        for line in md.splitlines():
            assert line.count("$") % 2 == 0, line


def test_a_worked_example_lists_symbol_formula_numbers_value() -> None:
    md = to_markdown(get_example("a1-linear-neuron"))
    assert ("- $\\theta^{\\top} x = \\theta_0 + \\theta_1 x_1 + \\theta_2 x_2 = "
            "0.1 + 0.2 \\cdot 1 + 0.3 \\cdot 1 = 0.6$") in md


def test_a_figure_gives_its_caption() -> None:
    md = to_markdown(get_figure("c12-graph"))
    assert md.startswith("### Figure c12-graph (C12)") and "$\\ell = (\\hat y - y)^2$" in md


def test_build_markdown_writes_each_sheet_in_its_order(tmp_path: Path,
                                                      capsys: object) -> None:
    assert main(["build", "C-backprop-cross-entropy", "--format", "markdown",
                 "--out", str(tmp_path)]) == 0
    md = (tmp_path / "markdown" / "C-backprop-cross-entropy.md").read_text()
    sheet = Path("templates/sheets/C-backprop-cross-entropy.tex.j2").read_text()
    asked = re.findall(r'\b(derivation|example|figure)\("([^"]+)"\)', sheet)
    headings = []
    for kind, name in asked:
        heading = f"## Figure {name}" if kind == "figure" else \
            f"## {get_derivation(name).title if kind == 'derivation' else get_example(name).title}"
        if heading not in headings:
            headings.append(heading)
    assert md.startswith("# C-backprop-cross-entropy") and len(headings) > 5
    at = [md.index(h + ("" if h.startswith("## Figure ") else "\n")) for h in headings]
    assert at == sorted(at)
    assert md.count("\\begin{aligned}") >= 5


def test_build_markdown_of_an_unknown_sheet_is_one_line(capsys: object,
                                                        tmp_path: Path) -> None:
    assert main(["build", "no-such-sheet", "--format", "markdown",
                 "--out", str(tmp_path)]) == 2
