"""Matrix calculus (derive/matrices.py): an entry-wise function prints as it binds."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.functions import relu
from derive.matrices import elementwise
from derive.render.latex import tex

_W, _X, _B = sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("x", 3, 1), sp.MatrixSymbol("b", 3, 1)


_T = sp.Symbol("t")


@pytest.mark.parametrize(("f", "expected"), [
    (sp.tanh(_T), r"\tanh{\left(W x + b \right)}"),
    (1 - sp.tanh(_T) ** 2, r"1 - \tanh^{2}{\left(W x + b \right)}"),
    (_T ** 2, r"\left(W x + b\right)^{2}"),
    (2 * _T, r"2 \left(W x + b\right)"),
])
def test_an_entry_wise_function_of_a_sum_gets_one_pair_of_parentheses(f: sp.Expr,
                                                                        expected: str) -> None:
    assert tex(elementwise(f, _T, _W * _X + _B)) == expected


def test_an_entry_wise_function_binds_as_it_prints() -> None:
    scaled = elementwise(3 * relu(_T), _T, _W * _X + _B)
    assert tex(_W * scaled) == r"W \left(3 \left(W x + b\right)^{+}\right)"
    assert tex(_W * elementwise(_T, _T, _W * _X + _B)) == r"W \left(W x + b\right)"
