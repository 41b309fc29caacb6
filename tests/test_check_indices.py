"""Names that differ only in their index letters (z_i, z_j) may be one quantity: a link is
right only where it is right both when the indices are equal and when they differ (or where
the text says which), wrong only where it is wrong in both (derive.check.indices)."""

from __future__ import annotations

import pytest

from derive.check.checker import check_document
from derive.check.document import document
from derive.check.indices import coincidences, condition_of, split_condition
from derive.check.notation import Notation


def verdicts(text: str) -> list[str]:
    return [f.verdict for f in check_document(document("x.md", {}, text), Notation()).findings]


# right in one reading only: never ✓ (nor ✗) unless the text says which
ONE_READING_ONLY = [
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = 0$$",
    r"$$\frac{\partial \sigma(z_i)}{\partial z_j} = 0$$",
    r"$$\frac{\partial (z_i z_j)}{\partial z_j} = z_i$$",
    r"$$\frac{\partial}{\partial z_j} z_i z_j = z_i$$",
    r"$$\frac{\partial (z_i + z_j)}{\partial z_j} = 1$$",
    r"$$\frac{\partial (w_i x_i)}{\partial w_j} = 0$$",
    r"$$\frac{\partial (w_i x_i)}{\partial w_j} = x_i$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_1} = 0$$",
    r"$$\frac{\partial}{\partial w_{ij}} w_{kl} x_l = 0$$",
    r"$$\frac{\partial z_i}{\partial z_j} = 0$$",
    r"$$\frac{\partial \sigma(z_i)}{\partial z_j} = \sigma(z_i)(1-\sigma(z_i))$$",
    r"$$\frac{\partial z_i^2}{\partial z_j} = 2 z_i$$",
    r"$$\frac{\partial \log(z_i)}{\partial z_j} = \frac{1}{z_i}$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = e^{z_i}$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = e^{z_j}$$",
    # the conditions are not where the line can use them
    "For $i \\neq j$ the entries vanish; otherwise\n$$\\frac{\\partial e^{z_i}}{\\partial z_j}"
    " = e^{z_i}$$",
    r"For $i \ne j$ the entry is zero, and the diagonal is $$\frac{\partial e^{z_i}}"
    r"{\partial z_j} = e^{z_i}$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = e^{z_i}$$ for the diagonal and $0$ for "
    r"$i \neq j$.",
    # a name whose dependence on the variable the text does not state (h = σ(z) perhaps)
    r"$$\frac{\partial \log h}{\partial z} = 1 - h$$",
    r"$$\frac{\partial \log s_i}{\partial z_i} = \frac{1}{s_i} s_i (1 - s_i)$$",
    r"$$\frac{d}{dz} \log a = \frac{1}{a} a(1-a)$$",
    # i may be 1 or 2, or neither
    r"$$\frac{\partial}{\partial w_i} (w_1 x_1 + w_2 x_2) = x_i$$",
]

# right whatever the indices, or right in the reading the text states: never ✗
RIGHT = [
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = e^{z_i}\delta_{ij}$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = 0 \text{ for } i \neq j$$",
    "For $i \\neq j$:\n\n$$\\frac{\\partial e^{z_i}}{\\partial z_j} = 0$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = 0$$ for $i \neq j$.",
    r"$\frac{\partial \sigma(z_i)}{\partial z_j} = 0$ for $i \neq j$, so it is diagonal",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = 0 \quad (i \neq j)$$",
    r"For $i \neq j$, we get $$\frac{\partial e^{z_i}}{\partial z_j} = 0$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = 0$$, for all $i \neq j$.",
    r"$$\sum_{i=1}^{n} \frac{\partial}{\partial w_j}(w_i x_i) = x_j$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = 0, \quad i \ne j$$",
    r"$$\begin{aligned} \frac{\partial e^{z_i}}{\partial z_j} &= 0 && \text{for } i \neq j \\"
    r" \frac{\partial e^{z_i}}{\partial z_i} &= e^{z_i} \end{aligned}$$",
    r"If $i = j$: $$\frac{\partial e^{z_i}}{\partial z_j} = e^{z_i}$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = e^{z_i} \text{ if } i = j$$",
    r"$$\frac{\partial \sigma(z_i)}{\partial z_j} = \sigma(z_i)(1-\sigma(z_i)) \quad"
    r" \text{when } i = j$$",
    r"$$\frac{\partial (z_i + z_j)}{\partial z_j} = 1 + \delta_{ij}$$",
    r"$$\frac{\partial (z_i z_j)}{\partial z_j} = z_i(1 + \delta_{ij})$$",
    r"$$\delta_{ij} z_i = \delta_{ij} z_j$$",
    r"$$\delta_{ij}\delta_{ij} = \delta_{ij}$$",
    r"$$\frac{\partial \sigma(z_i)}{\partial z_j} = \sigma(z_i)(1-\sigma(z_i))\delta_{ij}$$",
    r"$$\frac{\partial \tanh(z_i)}{\partial z_j} = (1-\tanh^2(z_i))\delta_{ij}$$",
    r"$$\frac{\partial z_i^2}{\partial z_j} = 2 z_i \delta_{ij}$$",
    r"$$\frac{\partial (w_i x_i)}{\partial w_j} = x_i \delta_{ij}$$",
    r"$$\frac{\partial z_i}{\partial z_j} = \delta_{ij}$$",
    r"$$\frac{d}{d z_j} (z_i - z_j)^2 = -2(z_i - z_j)$$",
    r"$$\frac{\partial}{\partial z_i} \text{softmax}(z_i) = \text{softmax}(z_i)"
    r"(1 - \text{softmax}(z_i))$$",
]

# wrong however the indices compare, or in the reading the text states
WRONG = [
    r"$$\frac{\partial e^{z_i}}{\partial z_i} = 0$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = 0$$ when $i = j$.",
    r"If $i = j$: $$\frac{\partial e^{z_i}}{\partial z_j} = 0$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = 0 \text{ if } i = j$$",
    r"$$\frac{\partial z_i}{\partial z_j} = 0 \text{ for } i = j$$",
    r"$$\frac{\partial e^{z_i}}{\partial z_j} = e^{z_i} \text{ for } i \neq j$$",
]


SOFTMAX = "$s_i = \\frac{e^{z_i}}{\\sum_{k=1}^{n} e^{z_k}}$.\n"
SUM = r"\sum_{k=1}^{n}"

# a sum over a family and one of its entries: the entry is one of the summed terms
SUMS_RIGHT = [
    rf"$$\frac{{\partial}}{{\partial w_j}} {SUM} w_k x_k = x_j$$",
    rf"$$\frac{{\partial}}{{\partial z_j}} {SUM} e^{{z_k}} = e^{{z_j}}$$",
    rf"$${SUM} \delta_{{jk}} x_k = x_j$$",
    r"$$\sum_{j=1}^{n} \delta_{ij} s_j = s_i$$",
    rf"$$\frac{{\partial}}{{\partial z_j}} \frac{{e^{{z_i}}}}{{{SUM} e^{{z_k}}}} = "
    rf"\frac{{e^{{z_i}}}}{{{SUM} e^{{z_k}}}}\left(\delta_{{ij}} - \frac{{e^{{z_j}}}}"
    rf"{{{SUM} e^{{z_k}}}}\right)$$",
    rf"$$\frac{{\partial}}{{\partial z_j}} \frac{{e^{{z_i}}}}{{{SUM} e^{{z_k}}}} = "
    rf"-\frac{{e^{{z_i}} e^{{z_j}}}}{{\left({SUM} e^{{z_k}}\right)^2}} \text{{ for }} i \neq j$$",
    rf"$$\frac{{\partial}}{{\partial z_j}} \log {SUM} e^{{z_k}} = \frac{{e^{{z_j}}}}"
    rf"{{{SUM} e^{{z_k}}}}$$",
    rf"$$\frac{{\partial}}{{\partial w_j}} \left({SUM} w_k x_k - y\right)^2 = "
    rf"2\left({SUM} w_k x_k - y\right) x_j$$",
    rf"$$\frac{{\partial}}{{\partial w_j}} \frac{{\lambda}}{{2}}{SUM} w_k^2 = \lambda w_j$$",
    r"$$\frac{\partial}{\partial x_j} \prod_{k=1}^{n} x_k = \frac{1}{x_j}"
    r"\prod_{k=1}^{n} x_k$$",
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_i} = s_i(1 - s_i)$$",
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_j} = s_i(\delta_{ij} - s_j)$$",
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_j} = s_j(\delta_{ij} - s_i)$$",
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_j} = \delta_{ij} s_i - s_i s_j$$",
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_j} = -s_i s_j \quad (i \neq j)$$",
    # the condition pairs s_i with z_j though no name has both letters
    SOFTMAX + "\nCase $i = j$: $$\\frac{\\partial s_i}{\\partial z_j} = s_i(1 - s_i)$$",
    # a capital size, and a sum inside the parentheses after a name
    r"$$\frac{\partial}{\partial z_j}\left(z_i - \log\sum_{k=1}^{K} e^{z_k}\right) = "
    r"\delta_{ij} - \frac{e^{z_j}}{\sum_{k=1}^{K} e^{z_k}}$$",
]

SUMS_WRONG = [
    rf"$$\frac{{\partial}}{{\partial z_j}} {SUM} e^{{z_k}} = {SUM} e^{{z_k}}$$",
    rf"$$\frac{{\partial}}{{\partial w_j}} {SUM} w_k x_k = {SUM} x_k$$",
    r"$$\frac{\partial}{\partial x_j} \prod_{k=1}^{n} x_k = \prod_{k=1}^{n} x_k$$",
    rf"$$\frac{{\partial}}{{\partial z_i}} \frac{{e^{{z_i}}}}{{{SUM} e^{{z_k}}}} = "
    rf"\frac{{e^{{z_i}}}}{{{SUM} e^{{z_k}}}}$$",
    rf"$$\frac{{\partial}}{{\partial z_j}} \log {SUM} e^{{z_k}} = \frac{{1}}{{{SUM} e^{{z_k}}}}$$",
    rf"$$\frac{{\partial}}{{\partial w_j}} \frac{{\lambda}}{{2}}{SUM} w_k^2 = \lambda {SUM} w_k$$",
]

SUMS_NOT_RIGHT = [          # never ✓: wrong, or right only when i = j (or i ≠ j)
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_i} = s_i$$",
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_j} = -s_i s_j$$",
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_j} = s_i(1 - s_j)$$",
    SOFTMAX + r"$$\frac{\partial s_i}{\partial z_j} = s_i(\delta_{ij} + s_j)$$",
    rf"$$\frac{{\partial}}{{\partial w_j}} {SUM} w_k x_k = 0$$",
    rf"$$\frac{{\partial}}{{\partial w_j}} {SUM} w_k x_k = x_k$$",
    rf"$$\frac{{\partial}}{{\partial z_j}} \frac{{e^{{z_i}}}}{{{SUM} e^{{z_k}}}} = "
    rf"-\frac{{e^{{z_i}} e^{{z_j}}}}{{\left({SUM} e^{{z_k}}\right)^2}}$$",
    rf"$$\frac{{\partial}}{{\partial z_j}} \frac{{e^{{z_i}}}}{{{SUM} e^{{z_k}}}} = "
    rf"\frac{{e^{{z_i}}}}{{{SUM} e^{{z_k}}}}\left(1 - \frac{{e^{{z_j}}}}"
    rf"{{{SUM} e^{{z_k}}}}\right)$$",
]


@pytest.mark.parametrize("text", SUMS_RIGHT)
def test_a_sum_differentiated_by_one_of_its_entries_is_right(text: str) -> None:
    assert "correct" in verdicts(text) and "wrong" not in verdicts(text), verdicts(text)


@pytest.mark.parametrize("text", SUMS_WRONG)
def test_a_sum_differentiated_wrongly_is_wrong(text: str) -> None:
    assert verdicts(text) == ["wrong"]


@pytest.mark.parametrize("text", SUMS_NOT_RIGHT)
def test_a_softmax_entry_slip_is_never_right(text: str) -> None:
    assert verdicts(text) and "correct" not in verdicts(text), verdicts(text)


@pytest.mark.parametrize("text", ONE_READING_ONLY)
def test_a_line_right_in_one_reading_only_is_undecided(text: str) -> None:
    assert verdicts(text) and set(verdicts(text)) == {"undecided"}, verdicts(text)


@pytest.mark.parametrize("text", RIGHT)
def test_a_right_line_is_never_wrong(text: str) -> None:
    assert "wrong" not in verdicts(text)


@pytest.mark.parametrize("text", RIGHT[:-1])
def test_a_right_line_is_shown_right(text: str) -> None:
    assert "correct" in verdicts(text), verdicts(text)


@pytest.mark.parametrize("text", WRONG)
def test_a_line_wrong_in_every_reading_is_wrong(text: str) -> None:
    assert "wrong" in verdicts(text) and "correct" not in verdicts(text), verdicts(text)


def test_the_readings_of_a_link() -> None:
    found = coincidences(r"\frac{\partial e^{z_i}}{\partial z_j}", r"e^{z_i}\delta_{ij}")
    assert found is not None
    assert sorted((r.label, r.rhs) for r in found.readings) == [
        ("i = j", "e^{z_i}{1}"), ("i ≠ j", "e^{z_i}{0}")]
    assert coincidences("z_1 + z_2", "x_i") is None            # numbers, or one name only
    assert coincidences(r"\lambda_{\max}", r"\lambda_{\min}") is None
    assert coincidences("z_{out}", "z_{hid}") is None           # words, not three indices
    unresolved = coincidences(r"\frac{\partial e^{z_{i+1}}}{\partial z_j}", "0")
    assert unresolved is not None and unresolved.unresolved


def test_conditions_written_beside_a_formula() -> None:
    assert split_condition(r"= 0 \text{ for } i \neq j") == ("= 0", (("i", "≠", "j"),))
    assert split_condition(r"= 0 \; (i \neq j).") == ("= 0", (("i", "≠", "j"),))
    assert split_condition(r"\log P(y = 1)") == (r"\log P(y = 1)", ())
    assert split_condition("a = 0, n = 5") == ("a = 0, n = 5", ())
    assert condition_of(r"i \neq j") == ("i", "≠", "j")
    assert condition_of("w = 2") is None and condition_of("i = 1") is None


def test_a_softmax_jacobian_solution_with_planted_slips() -> None:
    """tests/data/check-indices/softmax-jacobian.md: the slips on lines 16, 18, 20, 26, 30, 34,
    40 and 42 (δ_{ii} = 0) are never ✓; those decidable from the text alone are ✗; the right
    lines (5–14, 22, 24, 28, 32, 36, 38, 42's others, 44) are never ✗."""
    from pathlib import Path

    from derive.check.checker import check_file
    report = check_file(Path(__file__).parent / "data" / "check-indices" / "softmax-jacobian.md")
    wrong = {f.line for f in report.findings if f.verdict == "wrong"}
    right = {f.line for f in report.findings if f.verdict == "correct"}
    assert wrong == {16, 34, 42}      # 16: wrong by the definition of s_i (round 5)
    assert not right & {16, 18, 20, 26, 30, 34, 40}
    assert {5, 7, 10, 12, 14, 22, 28, 32, 38, 44} <= right
