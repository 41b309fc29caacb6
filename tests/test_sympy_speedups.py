"""The speed-ups of SymPy change nothing but the time."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import sympy as sp

from derive import sympy_speedups


@pytest.mark.parametrize("number", [sp.S.Zero, sp.S.One, sp.S.Half, sp.Integer(-3),
                                    sp.Rational(7, 4)])
@pytest.mark.parametrize("other", [0.0, 1.0, 0.5, -3.0, 1.75, float("inf"), float("nan"),
                                   {}, {sp.Symbol("x"): 1}, defaultdict(int), None, 1, 0,
                                   sp.Float(0.5), sp.Rational(1, 2), sp.Symbol("x")])
def test_rational_equality_is_unchanged(number: sp.Rational, other: Any) -> None:
    sympy_speedups.install()
    expected = sympy_speedups._full_rational_eq(number, other)
    if expected is NotImplemented:   # Python then asks the other side, then identity
        expected = other.__eq__(number) if hasattr(other, "__eq__") else False
        expected = False if expected is NotImplemented else expected
    assert (number == other) == expected


def test_sum_free_symbols_are_remembered_as_fresh_sets() -> None:
    sympy_speedups.install()
    i, n, x = sp.symbols("i n x", integer=True)
    total = sp.Sum(x * sp.IndexedBase("w")[i], (i, 0, n))
    first = total.free_symbols
    first.add(sp.Symbol("intruder"))   # a caller changing its copy
    assert total.free_symbols == sympy_speedups._computed(total)
    assert x in total.free_symbols and n in total.free_symbols
