"""derive check, round 5 (derive/check/shapes.py and what came with it): a transpose
dropped in back-propagation (shapes the text gives), a wrong softmax or sigmoid entry after
the text defined it, notation not read before (decimal comma, \\nonumber, \\tag,
\\intertext, evaluation bars, \\mathrm{d}), values carried from an earlier line.  Each slip
is ✗, and right lines of the same shape are ✓ or ?, never ✗."""

from __future__ import annotations

import pytest

from derive.check.checker import check_document
from derive.check.document import document
from derive.check.notation import Notation


def verdicts(text: str, front: dict | None = None) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for f in check_document(document("x.md", front or {}, text), Notation()).findings:
        found.setdefault(f.line, set()).add(f.verdict)
    return found


SHAPES = ("The network: $z_1 \\in \\mathbb{R}^{3}$, $W_2 \\in \\mathbb{R}^{1 \\times 3}$, "
          "$\\delta_2 \\in \\mathbb{R}$.\n\n")


@pytest.mark.parametrize("line", [
    r"\delta_1 = (W_2 \delta_2) \odot \sigma'(z_1)",
    r"\delta_1 = W_2 \delta_2 \odot \sigma'(z_1)",
])
def test_a_transpose_dropped_is_caught_where_the_text_gives_the_shapes(line: str) -> None:
    assert verdicts(SHAPES + f"$${line}$$\n")[3] == {"wrong"}


@pytest.mark.parametrize("line", [
    r"\delta_1 = (W_2^T \delta_2) \odot \sigma'(z_1)",
    r"\delta_1 = W_2^\top \delta_2 \odot \sigma'(z_1)",
    r"\frac{\partial L}{\partial a_1} = W_2^\top \delta_2",
    r"\delta_1 = (\delta_2 W_2)^\top \odot \sigma'(z_1)",
    r"g = (W_2 x) \odot \sigma'(u)",          # x and u not declared: may be anything
])
def test_right_back_propagation_lines_are_not_wrong(line: str) -> None:
    assert "wrong" not in set().union(*verdicts(SHAPES + f"$${line}$$\n").values())


def test_shapes_in_letters_and_from_the_front_matter() -> None:
    text = ("Shapes: $W_2 \\in \\mathbb{R}^{K \\times H}$, $\\delta_2 \\in \\mathbb{R}^{K}$, "
            "$z_1 \\in \\mathbb{R}^{H}$.\n\n"
            "$$\\delta_1 = (W_2 \\delta_2) \\odot \\sigma'(z_1)$$\n\n"
            "$$\\delta_1 = (W_2^\\top \\delta_2) \\odot \\sigma'(z_1)$$\n")
    assert verdicts(text) == {3: {"wrong"}}
    front = {"shapes": {"W_2": "1x3", "delta_2": "1", "z_1": "3"}}
    assert verdicts("$$\\delta_1 = (W_2 \\delta_2) \\odot \\sigma'(z_1)$$\n", front) \
        == {1: {"wrong"}}
    assert verdicts("$$\\delta_1 = (W_2^T \\delta_2) \\odot \\sigma'(z_1)$$\n", front) == {}


def test_shapes_from_written_out_matrices_and_numbers() -> None:
    text = ("$$W_2 = \\begin{bmatrix} 0.4 & 0.45 \\end{bmatrix}, \\quad "
            "z_1 = \\begin{bmatrix} 0.3775 \\\\ 0.3925 \\end{bmatrix}$$\n\n"
            "$$\\delta_2 = 0.7414 \\times 0.1868 = 0.1385$$\n\n"
            "$$\\delta_1 = (W_2 \\delta_2) \\odot \\sigma'(z_1)$$\n\n"
            "$$\\delta_1 = (W_2^T \\delta_2) \\odot \\sigma'(z_1)$$\n")
    found = verdicts(text)
    assert found == {3: {"correct"}, 5: {"wrong"}}


SOFTMAX = "The softmax is $s_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n"


@pytest.mark.parametrize("line", [
    "For $i \\neq j$:\n$$\\frac{\\partial s_i}{\\partial z_j} = s_i s_j$$",
    "$$\\frac{\\partial s_i}{\\partial z_i} = s_i(1 + s_i)$$",
    "$$\\frac{\\partial s_i}{\\partial z_i} = s_i^2$$",
    "$$\\frac{\\partial s_i}{\\partial z_j} = s_i(\\delta_{ij} + s_j)$$",
])
def test_a_wrong_softmax_entry_after_its_definition(line: str) -> None:
    found = verdicts(SOFTMAX + line + "\n")
    assert set().union(*(v for k, v in found.items() if k > 1)) == {"wrong"}


@pytest.mark.parametrize("line", [
    "For $i \\neq j$:\n$$\\frac{\\partial s_i}{\\partial z_j} = -s_i s_j$$",
    "$$\\frac{\\partial s_i}{\\partial z_i} = s_i(1 - s_i)$$",
    "$$\\frac{\\partial s_i}{\\partial z_j} = s_i(\\delta_{ij} - s_j)$$",
    "$$\\frac{\\partial s_i}{\\partial z_j} = -s_i s_j$$",        # right only when i ≠ j: ?
])
def test_right_softmax_entries_are_not_wrong(line: str) -> None:
    found = verdicts(SOFTMAX + line + "\n")
    assert "wrong" not in set().union(set(), *found.values())


def test_a_sigmoid_derivative_after_its_definition() -> None:
    text = ("The output is $a = \\sigma(z)$.\n\n$$\\frac{\\partial a}{\\partial z} = a(1 + a)$$\n\n"
            "$$\\frac{\\partial a}{\\partial z} = a(1 - a)$$\n\n"
            "$$\\frac{\\partial a}{\\partial z} = \\sigma(z)(1 - \\sigma(z))$$\n")
    assert verdicts(text) == {3: {"wrong"}, 5: {"correct"}, 7: {"correct"}}


def test_a_definition_of_an_unknown_function_never_shows_a_step_wrong() -> None:
    text = "Let $h = f(z)$.\n\n$$\\frac{\\partial h}{\\partial z} = h(1 - h)$$\n"
    assert "wrong" not in set().union(set(), *verdicts(text).values())


@pytest.mark.parametrize("text, expected", [
    ("$$0{,}2 + 0{,}3 = 0{,}6$$", "wrong"),
    ("$$0{,}2 + 0{,}3 = 0{,}5$$", "correct"),
    ("$$0,2 + 0,3 = 0,5$$", "correct"),
    ("$$0,2 + 0,3 = 0,6$$", "wrong"),
    ("$$\\sigma(0{,}5) = 0{,}6225$$", "correct"),
    ("$$1{,}000 + 1 = 1001$$", "correct"),        # a digit group
    ("$$1{,}5 \\times 2 = 3$$", "correct"),
])
def test_the_decimal_comma(text: str, expected: str) -> None:
    assert verdicts(text + "\n")[1] == {expected}


def test_a_pair_is_still_a_pair() -> None:
    assert "wrong" not in set().union(set(), *verdicts("$$f(1,2) = 3$$\n").values())


def test_equation_numbers_intertext_and_leibniz_d() -> None:
    text = ("\\begin{align}\n"
            "\\frac{d}{dx} x^2 &= 2x \\nonumber \\\\\n"
            "\\frac{\\mathrm{d}}{\\mathrm{d}x} x^3 &= 3x^2 \\tag{1} \\label{eq:a}\n"
            "\\end{align}\n\n"
            "\\begin{align*}\n"
            "\\frac{d}{dx}(x^2 + x) &= 2x + 1 \\\\\n"
            "\\intertext{and for the other one}\n"
            "\\frac{d}{dx}(3x) &= -3\n"
            "\\end{align*}\n")
    assert verdicts(text) == {2: {"correct"}, 3: {"correct"}, 7: {"correct"}, 9: {"wrong"}}


@pytest.mark.parametrize("text, expected", [
    ("$$\\left. \\frac{d}{dx} x^2 \\right|_{x=2} = 4$$", "correct"),
    ("$$\\left. 2x \\right|_{x=2} = 5$$", "wrong"),
    ("$$3x^2 \\Big|_{x=1} = 3$$", "correct"),
    ("$$\\left. \\frac{\\partial}{\\partial x} x y \\right|_{x=1, y=2} = 2$$", "correct"),
    ("$$2 \\cdot 3 = 6$$", "correct"),
    ("$$2 \\times 3 = 7$$", "wrong"),
])
def test_evaluation_bars_and_products(text: str, expected: str) -> None:
    assert verdicts(text + "\n")[1] == {expected}


def test_values_carried_from_an_earlier_line() -> None:
    text = ("$$z_1 = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = 0.3775$$\n\n"
            "$$\\sigma(z_1) = 0.5933$$\n\n"
            "$$\\sigma(z_1) = 0.5993$$\n\n"
            "$w_1 = 0.6$, so\n\n"
            "$$2(w_1 - 3) = -4.8$$\n\n"
            "$$2(w_1 - 3) = -4.2$$\n")
    assert verdicts(text) == {1: {"correct"}, 3: {"correct"}, 5: {"wrong"}, 9: {"correct"},
                              11: {"wrong"}}


def test_a_name_given_two_numbers_may_mean_either() -> None:
    text = ("$$a_1 = 0.2741$$\n\nscaled:\n\n$$a_1 = 0.2219$$\n\n"
            "at the first scores: $-a_1 = -0.2741$\n")
    assert "wrong" not in set().union(set(), *verdicts(text).values())


def test_an_assignment_in_a_chain_is_not_arithmetic() -> None:
    text = "$$y = 0.99$$\n\nAt $a = y = 0.3$ the cost is minimal.\n"
    assert "wrong" not in set().union(set(), *verdicts(text).values())


def test_a_vector_written_as_a_tuple_may_be_a_row() -> None:
    """x = (1, 2) does not say row or column: xᵀ(p − y), an outer product of rows, fits."""
    text = ("$x = (1, 2)$ and $y = (1, 0, 0)$, $p = (0.6590, 0.2424, 0.0986)$.\n\n"
            "$$dW = x^T (p - y)$$\n")
    assert "wrong" not in set().union(*verdicts(text).values())
