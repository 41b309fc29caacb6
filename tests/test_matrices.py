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
    (sp.tanh(_T), r"\tanh(W x + b)"),
    (1 - sp.tanh(_T) ** 2, r"1 - \tanh^{2}(W x + b)"),
    (_T ** 2, r"(W x + b)^{2}"),
    (2 * _T, r"2 (W x + b)"),
])
def test_an_entry_wise_function_of_a_sum_gets_one_pair_of_parentheses(f: sp.Expr,
                                                                        expected: str) -> None:
    assert tex(elementwise(f, _T, _W * _X + _B)) == expected


def test_an_entry_wise_function_binds_as_it_prints() -> None:
    scaled = elementwise(3 * relu(_T), _T, _W * _X + _B)
    assert tex(_W * scaled) == r"W (3 (W x + b)^{+})"
    assert tex(_W * elementwise(_T, _T, _W * _X + _B)) == r"W (W x + b)"
