"""Verifier attack, round 8 (docs/reviews/2026-12-03-verifier-attack-round-8.md): matrices,
vectors and the pipeline.  Each hole has its test, and near misses (right steps close to
the wrong one) that must keep their mark."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.authoring import build_derivation
from derive.errors import DomainError
from derive.functions import sigmoid
from derive.matrices import Gradient, Jacobian, elementwise
from derive.verify import verify
from tests.mutation import ACCEPTED, REJECTED, judge

n = sp.Symbol("n", integer=True, positive=True)
SIZES = {"sizes": {n: (2, 3)}}


def _statuses(record, name: str = "round8", **settings: object) -> list[str]:
    d = verify(build_derivation(record, name, title=name, **settings))
    return [s.verdict.status for s in d.steps if s.kind != "given"]  # type: ignore[union-attr]


# --- 1. definitions deeper than six levels ------------------------------------------------
# unfold() stopped after six rounds of replacement: a network defined layer by layer
# (L -> a3 -> z3 -> a2 -> z2 -> a1 -> z1 -> x) kept z1 as a free symbol, and dL/dx = 0 was
# proved, "agreeing with central finite differences" (they unfold the same way).

x, w1, w2, w3, y = sp.symbols("x w1 w2 w3 y", real=True)
z1, a1, z2, a2, z3, a3, loss = sp.symbols("z1 a1 z2 a2 z3 a3 L", real=True)


def _network(p, claim) -> None:  # type: ignore[no-untyped-def]
    for name, meaning in ((z1, w1 * x), (a1, sigmoid(z1)), (z2, w2 * a1), (a2, sigmoid(z2)),
                          (z3, w3 * a2), (a3, sigmoid(z3)), (loss, (a3 - y) ** 2)):
        p.given(name, meaning, "layer")
    p.chain(sp.Derivative(loss, x)).eq(claim, "claim")


def test_a_network_defined_layer_by_layer_is_unfolded_to_the_end() -> None:
    assert _statuses(lambda p: _network(p, sp.Integer(0))) == ["refuted"]
    right = (2 * (a3 - y) * a3 * (1 - a3) * w3 * a2 * (1 - a2) * w2 * a1 * (1 - a1) * w1)
    assert _statuses(lambda p: _network(p, right)) == ["proved"]


@pytest.mark.parametrize("givens", [
    [(sp.Symbol("s", real=True), 2 * sp.Symbol("s", real=True))],        # s = 2 s
    [(sp.Symbol("a", real=True), 2 * sp.Symbol("b", real=True)),         # a = 2 b, b = a / 2
     (sp.Symbol("b", real=True), sp.Symbol("a", real=True) / 2)],
])
def test_a_circular_definition_is_an_error(givens: list[tuple[sp.Symbol, sp.Expr]]) -> None:
    def record(p) -> None:  # type: ignore[no-untyped-def]
        for name, meaning in givens:
            p.given(name, meaning, "given")
        p.chain(givens[0][0]).eq(givens[0][1], "given")

    with pytest.raises(DomainError, match="refers to itself"):
        _statuses(record)


def test_definitions_that_refer_to_earlier_ones_are_fine() -> None:
    a, b, c = sp.symbols("a b c", real=True)

    def record(p) -> None:  # type: ignore[no-untyped-def]
        p.given(a, 2 * b, "")
        p.given(b, 3 * c, "")
        p.given(c, x ** 2, "")
        p.chain(sp.Derivative(a, x)).eq(12 * x, "")

    assert _statuses(record) == ["proved"]


# --- 2. a Jacobian or gradient by an expression, of a row, or of a non-scalar -------------
# Jacobian(x, 2x, 2x) = 0 was checked: the entry-wise rule differentiated x_r by the
# expression 2 x_c, which x_r does not contain.  Gradient(W v, W) took entry (1, 1) of the
# column W v without a word, and a Jacobian of a row its first column.

def test_a_derivative_by_an_expression_is_refused() -> None:
    xv = sp.MatrixSymbol("x", n, 1)
    w = sp.MatrixSymbol("W", n, n)
    row = sp.MatrixSymbol("r", 1, n)
    for build in (lambda: Jacobian(xv, 2 * xv, 2 * xv), lambda: Jacobian(w * xv, w * xv, xv),
                  lambda: Jacobian(row, xv, xv), lambda: Gradient(w * xv, w),
                  lambda: Gradient((xv.T * xv)[0, 0], 2 * xv)):
        with pytest.raises(ValueError):
            build()


def test_derivatives_by_matrix_symbols_keep_their_mark() -> None:
    t = sp.Symbol("t", real=True)
    u, s, v = (sp.MatrixSymbol(name, n, 1) for name in "usv")
    w = sp.MatrixSymbol("W", n, n)
    # near misses: a variable with a point elsewhere, the gradient of a 1 x 1 product
    assert judge(Jacobian(w * u, u, v), w, **SIZES) in ACCEPTED
    assert judge(Jacobian(elementwise(sigmoid(t), t, u), u, 2 * s),
                 Jacobian(elementwise(sigmoid(t), t, u), u, 2 * s), **SIZES) in ACCEPTED
    assert judge(Gradient(v.T * w * v, v), (w + w.T) * v, **SIZES) in ACCEPTED
    assert judge(Gradient(v.T * w * v, v), 2 * w * v, **SIZES) in REJECTED
    assert judge(Gradient((v.T * v)[0, 0], v.T), 2 * v.T, **SIZES) in ACCEPTED
