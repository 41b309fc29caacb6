"""Judging one link: numbers as intervals of their last digit, symbolic steps by the
verifier's equivalence check under every reading, and never 'wrong' without grounds."""

from __future__ import annotations

import pytest

from derive.check.judge import judge_link
from derive.check.notation import Notation


def verdict(lhs: str, rhs: str, relation: str = "=") -> str:
    return judge_link(lhs, rhs, relation, Notation()).verdict


@pytest.mark.parametrize("lhs, rhs, expected", [
    (r"\sigma(0.08)", "0.5199", "correct"),               # truncated, within its last digit
    (r"0.02 \times 0.52248", "0.01049", "wrong"),         # 0.0104496
    (r"0.02 \times 0.52248", "0.01045", "correct"),
    (r"(0.05677 - 8)^2", "63.09", "correct"),
    (r"(0.05677 - 8)^2", "63", "correct"),                 # an integer result of a rounding
    ("2 + 2", "5", "wrong"),
    (r"\sigma(0.01 + 0.02 \times 1 + 0.03 \times 2)", r"\sigma(0.09)", "correct"),
    (r"\begin{bmatrix} 6 \cdot 2 \\ 3 + 16(2)^3 \end{bmatrix}",
     r"\begin{bmatrix} 12 \\ 131 \end{bmatrix}", "correct"),
    (r"\begin{bmatrix} 6 \cdot 2 \\ 3 + 16(2)^3 \end{bmatrix}",
     r"\begin{bmatrix} 12 \\ 113 \end{bmatrix}", "wrong"),
    (r"\frac{1}{\sqrt{13}}", "0.2774", "correct"),
    (r"\frac{1}{\sqrt{13}}", "0.28", "correct"),
    (r"\frac{1}{\sqrt{13}}", "0.29", "wrong"),
])
def test_arithmetic_by_intervals(lhs: str, rhs: str, expected: str) -> None:
    assert verdict(lhs, rhs) == expected


def test_approximately_allows_a_coarser_rounding() -> None:
    assert verdict(r"\frac{1}{\sqrt{13}}", "0.277", "≈") == "correct"


@pytest.mark.parametrize("lhs, rhs, expected", [
    (r"\frac{d}{dx} \sigma(x)", r"\sigma(x)(1 - \sigma(x))", "correct"),
    (r"\frac{d}{dx} \sigma(x)", r"\sigma(x)(1 + \sigma(x))", "wrong"),
    (r"\sigma(x)(1 - \sigma(x))", r"\frac{e^{-x}}{(1 + e^{-x})^2}", "correct"),
    (r"\frac{1 + e^{-x} - 1}{1 + e^{-x}}", r"1 - \sigma(x)", "correct"),
    (r"-\sum_{i=1}^m y^{(i)} (1 - h^{(i)}) - (1 - y^{(i)}) h^{(i)}",
     r"\sum_{i=1}^m (h^{(i)} - y^{(i)})", "correct"),                   # Σ reaching the rest
    (r"\sum_{i=1}^m (h^{(i)} - y^{(i)}) x^{(i)}", r"\sum_{i=1}^m (y^{(i)} - h^{(i)}) x^{(i)}",
     "wrong"),                                                          # a lost sign
    (r"\log(ab)", r"\log a + \log b", "correct"),                       # a, b inside a log
    (r"2(2x+3y) \cdot 2", "8x + 12y", "correct"),
    (r"(x + y)^2", "x^2 + y^2", "wrong"),
    (r"\mathbf{W}_2 \mathbf{W}_1", r"\mathbf{W}_1 \mathbf{W}_2", "wrong"),  # matrices don't commute
    (r"(\mathbf{W} \mathbf{x})^T", r"\mathbf{x}^T \mathbf{W}^T", "correct"),
    (r"(\mathbf{A} \mathbf{B})^T", r"\mathbf{A}^T \mathbf{B}^T", "wrong"),
    (r"\mathbf{W}(\mathbf{x} + \mathbf{b})", r"\mathbf{W}\mathbf{x} + \mathbf{W}\mathbf{b}",
     "correct"),
])
def test_symbolic_steps(lhs: str, rhs: str, expected: str) -> None:
    assert verdict(lhs, rhs) == expected


@pytest.mark.parametrize("lhs, rhs", [
    (r"\frac{\partial L}{\partial w}", r"2(\hat{y} - y) x"),     # L is not given
    (r"\sigma(w_1 x_1)", r"\sigma(0.01 + 0.02 \times 1 + 0.03 \times 2)"),  # values not given
    (r"\frac{\partial E}{\partial v}", r"\frac{\partial E}{\partial \hat{y}}"),
    (r"G(x, y)", r"\begin{bmatrix} 1 & 2 \end{bmatrix}"),          # G may be a matrix
    (r"\frac{\partial h}{\partial x}", "0"),                       # never differentiated to 0
])
def test_what_the_text_does_not_settle_is_undecided_never_wrong(lhs: str, rhs: str) -> None:
    assert verdict(lhs, rhs) == "undecided"


def test_a_one_character_slip_is_labelled() -> None:
    wrong = judge_link(r"1 - \frac{1}{1 + \exp(-x)}", r"\frac{1 + \exp(-x) - x}{1 + \exp(-x)}",
                       "=", Notation())
    assert wrong.verdict == "wrong" and "possible transcription error" in wrong.reason
    number = judge_link("2 + 2", "5", "=", Notation())
    assert "possible transcription error" in number.reason


def test_a_slow_comparison_is_undecided_not_a_hang() -> None:
    import time
    start = time.monotonic()
    slow = judge_link("(a + b + c + d + e + f + g)^{40}", "(a + b + c + d + e + f + g)^{39} (a + "
                      "b + c + d + e + f + g) + a^{40}", "=", Notation())
    assert slow.verdict in ("undecided", "wrong") and time.monotonic() - start < 30
