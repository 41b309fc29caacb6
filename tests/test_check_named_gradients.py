"""Andrew Ng's vectorised notation (derive/check/named_gradients.py): dW^{[l]} and dA^{[l]}
are the cost's gradients, so a dropped 1/m, a dropped transpose or a reversed product is wrong;
the formula of the other convention (examples as rows) is undecided, never wrong."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.check.judge import judge_link
from derive.check.lexer import prepared
from derive.check.notation import Notation


@pytest.mark.parametrize(("lhs", "rhs", "verdict"), [
    ("dW^{[2]}", r"\frac{1}{m} dZ^{[2]} A^{[1]T}", "correct"),
    ("dW^{[l]}", r"\frac{1}{m}\, dZ^{[l]} \cdot A^{[l-1]T}", "correct"),
    ("dW^{[1]}", r"\frac{1}{m} dZ^{[1]} X^T", "correct"),
    ("dW^{[1]}", r"\frac{1}{m} dZ^{[1]} A^{[0]T}", "correct"),
    ("dA^{[1]}", r"W^{[2]T} dZ^{[2]}", "correct"),
    ("dA^{[l-1]}", r"W^{[l]T} dZ^{[l]}", "correct"),
    ("dW^{[2]}", r"dZ^{[2]} A^{[1]T}", "wrong"),                 # 1/m dropped
    ("dW^{[1]}", r"2 dZ^{[1]} X^T", "wrong"),
    ("dW^{[2]}", r"\frac{1}{m} dZ^{[2]} A^{[1]}", "wrong"),      # transpose dropped
    ("dW^{[1]}", r"\frac{1}{m} dZ^{[1]} X", "wrong"),
    ("dA^{[l-1]}", r"W^{[l]} dZ^{[l]}", "wrong"),
    ("dW^{[2]}", r"dz^{[2]} a^{[1]T}", "correct"),               # one example, lowercase
    ("dW^{[1]}", r"dz^{[1]} x^T", "correct"),
    ("dA^{[1]}", r"W^{[2]T} dz^{[2]}", "correct"),
    ("dW^{[2]}", r"dz^{[2]} a^{[1]}", "wrong"),
    ("dA^{[1]}", r"W^{[2]} dz^{[2]}", "wrong"),
    ("db^{[2]}", r"\frac{1}{m}\sum_{i=1}^{m} dZ^{[2](i)}", "correct"),   # columns summed
    ("db^{[l]}", r"\frac{1}{m}\sum_{i} dZ^{[l](i)}", "correct"),
    ("db^{[2]}", r"dz^{[2]}", "correct"),
    ("db^{[2]}", r"\sum_{i=1}^{m} dZ^{[2](i)}", "wrong"),                # 1/m dropped
    ("db^{[2]}", r"\frac{1}{m}\sum_{i=1}^{m} dZ^{[2](i)} + \lambda", "undecided"),
    ("dW^{[1]}", r"\frac{1}{m} X^T dZ^{[1]}", "undecided"),      # examples as rows
    ("dA^{[1]}", r"dZ^{[2]} W^{[2]T}", "undecided"),
    ("dW^{[1]}", r"\frac{1}{m} dZ^{[1]} X^{T} + \frac{\lambda}{m} W^{[1]}", "undecided"),
])
def test_named_gradients_by_their_meaning(lhs: str, rhs: str, verdict: str) -> None:
    assert judge_link(lhs, rhs, "=", Notation()).verdict == verdict


def test_dz_is_one_name_but_not_inside_a_leibniz_fraction() -> None:
    assert prepared("dZ^{[2]} A^{[1]T}") == r"\mathit{dZ}^{[2]} A^{[1]T}"
    assert prepared(r"\frac{dJ}{dW^{[2]}}") == r"\frac{dJ}{dW^{[2]}}"
    assert prepared("dx + dZ_1") == "dx + dZ_1"


def test_without_1_over_m_in_the_text_the_cost_may_be_a_sum() -> None:
    """A text that never writes 1/m may mean J = Σ L: dW = dZ Aᵀ is then right."""
    summed = Notation(mean_cost=False)
    assert judge_link("dW^{[2]}", r"dZ^{[2]} A^{[1]T}", "=", summed).verdict == "correct"
    assert judge_link("dW^{[2]}", r"dZ^{[2]} A^{[1]}", "=", summed).verdict == "wrong"


def test_a_layer_and_an_example_are_no_power() -> None:
    """a^{[2](i)}: layer 2 of example i, an entry of a family (never a^{2i})."""
    from derive.check.parser import parse

    value, _ = parse(r"a^{[2](i)} - y^{(i)}")
    assert not value.has(sp.Pow) and {s.name for s in value.free_symbols} == {
        "a^{(2,i)}", "y^{(i)}"}


def test_a_derivative_taken_as_zero_does_not_show_a_step_right() -> None:
    """∂ log h/∂z = 0 holds only if h does not depend on z, which the text does not say."""
    n = Notation()
    assert judge_link(r"\frac{\partial \log h}{\partial z}", "0", "=", n).verdict == "undecided"
    assert judge_link(r"\frac{\partial (w x)}{\partial w}", "x", "=", n).verdict == "correct"


NG_TEXT = r"""# Backward pass

$$dZ^{[1]} = W^{[2]} dZ^{[2]} \odot (1 - (A^{[1]})^2)$$
$$dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot (1 - (A^{[1]})^2)$$
$$Z^{[1]} = W^{[1]} X + b^{[1]}$$
$$Z^{[2]} = A^{[1]} W^{[2]} + b^{[2]}$$
$$A x = b, \quad A^T A$$
$$z^{[1]} = W^{[1]} x^{(1)} + b^{[1]}$$
$$z^{[1]} = W^{[1]} x + b^{[1]}, \quad a^{[2]} = \sigma(W^{[2]} a^{[1]} + b^{[2]})$$
"""


def test_products_of_layer_quantities_that_cannot_be_formed(tmp_path) -> None:
    """In a text with Ng's a^{[l]}, W^{[2]} dZ^{[2]} (n^[1] columns, n^[2] rows) is wrong
    wherever it stands; rows-convention products (A W), plain A, and x^{(1)} (an example,
    or a layer?) are not judged by these shapes."""
    from derive.check.checker import check_file

    path = tmp_path / "ng.md"
    path.write_text(NG_TEXT)
    wrong = [f for f in check_file(path).findings if f.verdict == "wrong"]
    assert [(f.line, f.kind) for f in wrong] == [(3, "shape")]


def test_prime_written_as_a_command() -> None:
    """σ^\\prime(z), f^{\\prime}(x) and g^{[1]\\prime}(Z^{[1]}) are primes, not unknown words."""
    assert prepared(r"\sigma^\prime(z)") == r"\sigma'(z)"
    assert prepared(r"g^{[1]\prime}(Z^{[1]})") == r"g^{[1]}'(Z^{[1]})"
    assert judge_link(r"\sigma^{\prime}(z)", r"\sigma(z)(1 - \sigma(z))", "=",
                      Notation()).verdict == "correct"


@pytest.mark.parametrize(("rhs", "ng", "t", "either"), [
    (r"W^{[l]T} dZ^{[l]}", "correct", "wrong", "correct"),
    (r"W^{[l]} dZ^{[l]}", "wrong", "correct", "undecided"),
])
def test_w_stored_transposed(rhs: str, ng: str, t: str, either: str) -> None:
    """A text whose forward pass is Z = Wᵀ A stores W^{[l]} n^{[l-1]}×n^{[l]}: there
    dA^{[l-1]} = W^{[l]} dZ^{[l]}; where the text says neither, that is never wrong."""
    for orientations, verdict in (({"ng"}, ng), ({"t"}, t), ({"ng", "t"}, either)):
        notation = Notation(w_orientations=frozenset(orientations))
        assert judge_link("dA^{[l-1]}", rhs, "=", notation).verdict == verdict
