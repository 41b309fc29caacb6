"""Problem C12's scalar network (derive/numeric/scalar_network.py): values computed, not typed."""

from __future__ import annotations

from derive.numeric.scalar_network import c12_scalar_network


def test_c12_values_are_computed_not_typed() -> None:
    ex = c12_scalar_network()
    assert abs(ex["z1_1"].value - 0.09) < 1e-15          # 0.01 + 0.02*1 + 0.03*2
    assert abs(ex["a1_1"].value - 1 / (1 + 2.718281828459045 ** -0.09)) < 1e-12
    assert max(c.abs_error for c in ex.comparisons) < 1e-12
    assert len(ex.comparisons) == 13
