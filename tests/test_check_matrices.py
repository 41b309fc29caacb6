"""Products of matrices and vectors decided at random matrices: what a name stands for is
read from how it is written, every mix of readings is tried, and a step is wrong only when
every reading that fits differs."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.check.checker import check_document
from derive.check.document import Document, chains
from derive.check.judge import judge_link
from derive.check.matrices import compare_ordered, kind_of, transposed
from derive.check.notation import Notation


def verdict(lhs: str, rhs: str, symmetric: bool = False) -> str:
    return judge_link(lhs, rhs, "=", Notation(symmetric=symmetric)).verdict


@pytest.mark.parametrize("name, transposed_somewhere, kind", [
    (r"\mathbf{W}", False, "matrix"),
    (r"\mathbf{x}", False, "vector"),
    ("W", False, "matrix_or_number"),
    ("W", True, "matrix"),
    ("x", True, "vector"),
    ("x", False, "vector_or_number"),
    (r"\Sigma", False, "matrix_or_number"),
    ("∂^1[C]/∂[s]", False, "anything"),
])
def test_what_a_name_stands_for_is_read_from_its_writing(name: str, transposed_somewhere: bool,
                                                         kind: str) -> None:
    assert kind_of(name, transposed_somewhere) == kind


def test_the_transpose_of_a_product_reverses_it() -> None:
    a, b = sp.Symbol("A", commutative=False), sp.Symbol("B", commutative=False)
    assert transposed(a * b) == sp.Symbol("B^{T}", commutative=False) * sp.Symbol(
        "A^{T}", commutative=False)
    assert transposed(transposed(a * b)) == a * b


@pytest.mark.parametrize("lhs, rhs, expected", [
    (r"\mathbf{A}\mathbf{B}", r"\mathbf{B}\mathbf{A}", "wrong"),
    (r"(\mathbf{A}\mathbf{B})^T", r"\mathbf{B}^T\mathbf{A}^T", "correct"),
    (r"\mathbf{a}^T \mathbf{b}", r"\mathbf{b}^T \mathbf{a}", "correct"),        # a number
    (r"\mathbf{x}^T \mathbf{A} \mathbf{x}", r"\mathbf{x}^T \mathbf{A}^T \mathbf{x}", "correct"),
    (r"(\mathbf{y} - X\mathbf{w})^T (\mathbf{y} - X\mathbf{w})",
     r"\mathbf{y}^T\mathbf{y} - 2\mathbf{y}^T X \mathbf{w} + \mathbf{w}^T X^T X \mathbf{w}",
     "correct"),
    (r"(\mathbf{y} - X\mathbf{w})^T (\mathbf{y} - X\mathbf{w})",
     r"\mathbf{y}^T\mathbf{y} - \mathbf{y}^T X \mathbf{w} + \mathbf{w}^T X^T X \mathbf{w}",
     "wrong"),
    (r"\mathbf{W}_1^2", r"\mathbf{W}_1^T \mathbf{W}_1", "wrong"),
    (r"(\mathbf{W}^T \boldsymbol{\delta}) \odot \sigma'(\mathbf{z})",
     r"\sigma'(\mathbf{z}) \odot (\mathbf{W}^T \boldsymbol{\delta})", "correct"),
])
def test_products_at_random_matrices(lhs: str, rhs: str, expected: str) -> None:
    assert verdict(lhs, rhs) == expected


@pytest.mark.parametrize("lhs, rhs", [
    (r"\mathbf{I}\mathbf{A}", r"\mathbf{A}"),          # the identity is not a random matrix
    ("I W", "W"),
    (r"\mathbf{x} \mathbf{x}^T", r"\mathbf{x}^T \mathbf{x}"),   # shapes that cannot fit
    (r"\Sigma^{-1} \mu", r"\mu \Sigma^{-1}"),           # fits only with μ a number
    (r"\mathbf{w} \cdot \mathbf{x}", r"\mathbf{x} \cdot \mathbf{w}"),
])
def test_what_the_writing_does_not_settle_is_undecided(lhs: str, rhs: str) -> None:
    assert verdict(lhs, rhs) == "undecided"


def test_a_text_that_speaks_of_symmetry_is_never_wrong_where_symmetry_would_make_it_right(
        ) -> None:
    step = (r"(\mathbf{A} + \mathbf{A}^T)\mathbf{x}", r"2\mathbf{A}\mathbf{x}")
    assert verdict(*step) == "wrong"
    assert verdict(*step, symmetric=True) == "undecided"
    assert verdict(r"\mathbf{A}\mathbf{B}", r"\mathbf{B}\mathbf{A}", symmetric=True) == "wrong"
    text = ("Since $A$ is symmetric,\n\n"
            r"$$\nabla_x (x^T A x) = (\mathbf{A} + \mathbf{A}^T)\mathbf{x}"
            r" = 2\mathbf{A}\mathbf{x}$$")
    report = check_document(Document("t.md", {}, chains(text), 3, symmetric=True), Notation())
    assert [f for f in report.findings if f.verdict == "wrong"] == []


def test_a_hypothesis_is_used_and_a_slip_under_it_is_caught() -> None:
    text = (r"If $\mathbf{W}_1 = \mathbf{W}_2$," "\n\n"
            r"$$J_h = \mathbf{W}_1 + \mathbf{W}_2 = 2\mathbf{W}_1$$" "\n\n"
            r"$$J = \mathbf{W}_2 \mathbf{W}_1 = \mathbf{W}_1^T \mathbf{W}_1$$" "\n")
    report = check_document(Document("t.md", {}, chains(text), 5), Notation())
    marks = {(f.lhs, f.rhs): f.verdict for f in report.findings}
    assert marks[(r"\mathbf{W}_1 + \mathbf{W}_2", r"2\mathbf{W}_1")] == "correct"
    assert marks[(r"\mathbf{W}_2 \mathbf{W}_1", r"\mathbf{W}_1^T \mathbf{W}_1")] == "wrong"


def test_compare_ordered_refuses_sums_and_derivatives() -> None:
    a = sp.Symbol("A", commutative=False)
    status, _ = compare_ordered(sp.Derivative(sp.Function("f")(sp.Symbol("x")), sp.Symbol("x"))
                                * a, a)
    assert status == "undecided"


def test_a_product_of_numbers_written_with_another_shape() -> None:
    """A product of written-out matrices of numbers with the shape of its transpose is wrong
    (attack round 4, f15:38); a vector written as a row for a column with the right entries
    is undecided; a tuple may be either."""
    col = r"\begin{bmatrix} 1 \\ 2 \end{bmatrix}"
    row = r"\begin{bmatrix} -0.5 & 1 & 0 \end{bmatrix}"
    product = col + " " + row
    assert verdict(product, r"\begin{bmatrix} -0.5 & -1 \\ 1 & 2 \\ 0 & 0 \end{bmatrix}") \
        == "wrong"
    assert verdict(product, r"\begin{bmatrix} -0.5 & 1 & 0 \\ -1 & 2 & 0 \end{bmatrix}") \
        == "correct"
    m = r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} \begin{bmatrix} 1 \\ 1 \end{bmatrix}"
    assert verdict(m, r"\begin{bmatrix} 3 & 7 \end{bmatrix}") == "undecided"
    assert verdict(m, r"\begin{bmatrix} 3 & 8 \end{bmatrix}") == "wrong"
    assert verdict(m, "(3, 7)") == "correct"


def test_the_inverse_of_a_matrix_written_out_non_square_does_not_exist() -> None:
    """X written out 3×2 earlier in the question: X⁻¹ (Xᵀ)⁻¹ does not exist (attack round 4,
    f14:19); a square one, or another question, leaves the step as it was."""
    given = r"$$X = \begin{bmatrix} 1 & 1 \\ 1 & 2 \\ 1 & 3 \end{bmatrix}$$" "\n\n"
    step = r"$$\theta = (X^\top X)^{-1} X^\top y = X^{-1} (X^\top)^{-1} X^\top y = X^{-1} y$$"
    wrong = [f for f in check_document(Document("t.md", {}, chains(given + step), 3),
                                       Notation()).findings if f.verdict == "wrong"]
    assert len(wrong) == 2 and "does not exist" in wrong[0].reason
    square = r"$$X = \begin{bmatrix} 1 & 1 \\ 1 & 2 \end{bmatrix}$$" "\n\n"
    elsewhere = given + "## Q2\n\n"
    for text in (square + step, elsewhere + step):
        report = check_document(Document("t.md", {}, chains(text), 5), Notation())
        assert [f for f in report.findings if f.verdict == "wrong"] == []
