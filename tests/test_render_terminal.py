"""The terminal view (derive/render/terminal.py): readable Unicode, wrapped, marks and rules."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.functions import relu, sigmoid, softmax
from derive.pipeline import get_derivation, get_example, get_figure
from derive.render.terminal import authored_text, inline, pretty, to_terminal, unicode_math


@pytest.mark.parametrize(("latex", "expected"), [
    (r"\frac{\partial J}{\partial \theta_j}", "∂J/∂θⱼ"),
    (r"x_{i,k}", "xᵢ,ₖ"),
    (r"x^{(i)}", "x⁽ⁱ⁾"),
    (r"\operatorname{diag}(s) - s s^{\top}", "diag(s) - s sᵀ"),
    (r"P(y{=}1 \mid x)", "P(y=1 | x)"),
    (r"e^{- z}", "e⁻ᶻ"),
    (r"\hat{y}", "ŷ"),
    (r"\frac{u'}{u}", "u'/u"),
    (r"2 \times 3", "2 × 3"),
])
def test_latex_becomes_linear_unicode(latex: str, expected: str) -> None:
    assert unicode_math(latex) == expected


def test_authored_text_turns_only_its_maths() -> None:
    assert authored_text(r"labels in $\{0, 1\}$, cost \$5") == "labels in {0, 1}, cost $5"


def test_derive_functions_print_as_the_reader_writes_them() -> None:
    z = sp.Symbol("z")
    assert inline(sigmoid(z)) == "σ(z)"
    assert inline(relu(z)) == "ReLU(z)"
    assert inline(softmax(sp.Symbol("i"), z, sp.Symbol("w"))) == "softmax(z, w)ᵢ"
    assert "sigmoid" not in pretty(sigmoid(z) * (1 - sigmoid(z)))


def test_notation_is_honoured() -> None:
    t = sp.Symbol("t")
    assert inline(sigmoid(t), {t: r"\theta^{\top} x"}) == "σ(θᵀ x)"


def test_a_derivation_shows_title_givens_steps_marks_and_tally() -> None:
    d = get_derivation("bce-gradient")
    shown = to_terminal(d, 80)
    lines = shown.splitlines()
    assert lines[0] == d.title and "Given:" in lines
    assert "Derivative(" not in shown and "Sum(" not in shown and "h[i]" not in shown
    tally = d.tally()
    assert shown.count(" (proved)") == tally["proved"] > 0
    assert sum(line[4:5] == "✓" for line in lines) == tally["proved"]
    assert f"{sum(tally.values())} steps: {tally['proved']} proved ✓" in shown
    assert "θⱼ" in shown and "σ(" in shown


@pytest.mark.parametrize("width", [60, 100])
def test_lines_fit_the_width(width: int) -> None:
    shown = to_terminal(get_derivation("softmax-jacobian"), width)
    assert max(len(line) for line in shown.splitlines()) <= width
    assert to_terminal(get_derivation("softmax-jacobian"), 100) != to_terminal(
        get_derivation("softmax-jacobian"), 60)


def test_a_checked_step_is_marked_approximately() -> None:
    d = get_derivation("linear-jacobians")
    checked = d.tally()["checked"]
    lines = to_terminal(d, 100).splitlines()
    assert sum(line[4:5] == "≈" for line in lines) == checked


def test_a_worked_example_prints_symbol_formula_numbers_value() -> None:
    shown = to_terminal(get_example("c12-scalar-network"), 100)
    assert "z₁⁽¹⁾ = w₁,₀ + w₁,₁⋅x₁⁽¹⁾ + w₁,₂⋅x₂⁽¹⁾ = 0.01 + 0.02 · 1 + 0.03 · 2 = 0.09" in shown
    assert "a₁⁽¹⁾ = σ(z₁⁽¹⁾) = σ(0.09) = 0.522485" in shown
    assert len(shown) < 16_000 and "Quantity(" not in shown


def test_a_figure_is_a_short_summary() -> None:
    shown = to_terminal(get_figure("c12-graph"), 80)
    assert shown.startswith("figure c12-graph") and len(shown) < 1000
