"""The restricted grammar: each notation of the field read as the field means it (the
misreadings existing LaTeX parsers make on such solutions are the cases)."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.check.errors import NotUnderstood
from derive.check.notation import Notation, Reading
from derive.check.parser import parse
from derive.functions import sigmoid

x = sp.Symbol("x", real=True)


def value(text: str, **kw: object) -> sp.Basic:
    return parse(text, **kw)[0]  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    (r"0.2 \times 1 + 0.3 \times 1 + 0.1", sp.Rational(3, 5)),
    (r"\frac{1}{\sqrt{(2)^2 + (3)^2}}", 1 / sp.sqrt(13)),
    (r"\underline{\underline{0.6}}", sp.Rational(3, 5)),
    (r"\sigma(x)", sigmoid(x)),
    (r"\text{sigmoid}(x)", sigmoid(x)),
    (r"sigmoid(x)", sigmoid(x)),
    (r"\log x", sp.log(x)),
    (r"\ln(x)", sp.log(x)),
    (r"e^{x}", sp.exp(x)),
    (r"\tanh^2(x)", sp.tanh(x) ** 2),
    (r"\sigma'(x)", sigmoid(x) * (1 - sigmoid(x))),
    (r"1.5 \times 10^{3}", sp.Integer(1500)),
    (r"\frac{d}{dx} \text{sigmoid}(x)", sp.Derivative(sigmoid(x), x)),
])
def test_a_formula_reads_as_the_field_means_it(text: str, expected: sp.Basic) -> None:
    assert sp.simplify(value(text) - expected) == 0


def test_a_leibniz_derivative_of_an_unknown_is_kept_not_a_fraction_and_never_zero() -> None:
    d, found = parse(r"\frac{\partial L}{\partial w_1}")
    assert d != 0 and not isinstance(d, sp.Mul) and found.opaque
    assert parse(r"\frac{\partial h}{\partial x}")[0] != 0
    assert value(r"\frac{\partial}{\partial x}(2xy)") .doit() == 2 * sp.Symbol("y", real=True)


def test_an_index_in_parentheses_is_no_power_and_case_matters() -> None:
    e = value(r"x^{(i)}")
    assert isinstance(e, sp.Symbol) and "(i)" in e.name
    assert value("Wx - wx") != 0


def test_a_sum_binds_its_index_and_its_reach_is_a_reading() -> None:
    text = r"\sum_{i=1}^m y^{(i)} + 1"
    term, found = parse(text, reading=Reading(sum_reach="term"))
    rest, _ = parse(text, reading=Reading(sum_reach="rest"))
    assert "sum_reach" in found.met and term != rest
    assert isinstance(term, sp.Add) and isinstance(rest, sp.Sum)
    assert value(r"\sum_{i=1}^{m} x^{(i)}").has(sp.Indexed)


def test_a_call_or_a_product_is_a_reading() -> None:
    call, found = parse("h(1-h)")
    product, _ = parse("h(1-h)", reading=Reading(letter_call="product"))
    assert "letter_call" in found.met and call != product
    declared = Notation(functions={"h": "value"})
    assert value("h(1-h)", notation=declared) == sp.Symbol("h", real=True) * (
        1 - sp.Symbol("h", real=True))


def test_matrices_and_their_products() -> None:
    m = value(r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} \begin{bmatrix} 1 \\ 1 \end{bmatrix}")
    assert m == sp.ImmutableMatrix([3, 7])
    assert value(r"\begin{bmatrix} 1 & 2 \end{bmatrix}^T").shape == (2, 1)


def test_probabilities_and_indicators_are_values_not_looked_into() -> None:
    p, found = parse(r"P(y=1|x)")
    assert isinstance(p, sp.Symbol) and found.opaque
    assert isinstance(value(r"\mathbb{1}(y^{(i)}=j)"), sp.Symbol)
    assert value(r"\delta_{ij}").func == sp.KroneckerDelta


def test_log_base_is_a_convention() -> None:
    assert value(r"\log 100", notation=Notation(log_base=10)) == 2


@pytest.mark.parametrize("text", [
    r"\frac{1}{2", r"\sum_{x \in C} x", r"x \pm y", r"\begin{cases} 1 \end{cases}",
    "a" * 30_000, r"\unknowncommand{x}", "(" * 400 + "x" + ")" * 400, r"\cdots", "x!",
])
def test_what_it_does_not_understand_it_refuses(text: str) -> None:
    with pytest.raises(NotUnderstood):
        parse(text)


def test_a_delta_with_one_index_is_a_name_with_two_a_kronecker_delta() -> None:
    assert isinstance(parse(r"\delta_2")[0], sp.Symbol)          # a layer's error vector
    assert parse(r"\delta_{ij}")[0] == sp.KroneckerDelta(sp.Symbol("i", integer=True),
                                                         sp.Symbol("j", integer=True))


def test_a_sum_inside_a_call_is_not_a_condition() -> None:
    value, found = parse(r"y_i \left(\sum_{k=1}^{n} z_k\right)")
    assert not found.opaque and value.has(sp.Sum)
