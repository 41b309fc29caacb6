"""Judging an identity (derive/identities.py): explicit matrices entry by entry."""

from __future__ import annotations

import sympy as sp

from derive.functions import softmax
from tests.mutation import ACCEPTED, REJECTED, judge


def test_one_wrong_entry_of_a_softmax_jacobian_is_found() -> None:
    # the Jacobian written out for K = 6: one entry of 36 is wrong
    zs = sp.symbols("z1:7", real=True)
    jacobian = sp.ImmutableMatrix(6, 6, lambda r, c: sp.Derivative(softmax(r + 1, *zs), zs[c]))
    true = sp.ImmutableMatrix(6, 6, lambda r, c: softmax(r + 1, *zs) * (
        sp.KroneckerDelta(r, c) - softmax(c + 1, *zs)))
    wrong = true + sp.ImmutableMatrix(6, 6, lambda r, c: sp.Rational(1, 7) if (r, c) == (4, 1)
                                      else 0)
    assert judge(jacobian, true) in ACCEPTED
    assert judge(jacobian, wrong) in REJECTED
