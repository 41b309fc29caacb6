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


# --- 3. worked examples: what a sheet prints --------------------------------------------
# (a) A comparison agreed within 1e-6 * max(1, |value|): below 1 an absolute 1e-6, so a
# back-propagated gradient of 3e-5 could be 3% off "agreeing with finite differences", and
# a small entry of a matrix beside a large one anything.  (b) A value printed beside a
# formula was never compared with it: bp-numeric-check computes its values in NumPy, so a
# formula printed as (y - a) ⊙ σ'(z) beside the value of (a - y) ⊙ σ'(z) went to the sheet.
# (c) A parametrised example's NumPy reference and finite differences were checked for the
# students' variants only, not for the defaults the sheets print.

def _example(quantities: list, comparisons: list | None = None):  # type: ignore[no-untyped-def]
    from derive.proof import WorkedExample, text

    return WorkedExample("round8", "Round 8", text("x"), quantities,
                         comparisons=comparisons or [])


def test_a_small_value_or_entry_must_agree_relatively() -> None:
    import numpy as np

    from derive.errors import DisagreementError
    from derive.pipeline import ensure_agreement
    from derive.proof import Comparison, text

    for left, right in ((3.02e-5, 2.93e-5), (np.array([1000.0, 1e-3]), np.array([1000.0, 1.5e-3]))):
        with pytest.raises(DisagreementError):
            ensure_agreement(_example([], [Comparison(text("g"), left, right)]))
    # near misses: finite differences' own error, a published value to 9 digits, a big value
    for left, right in ((2.93383e-5, 2.93383e-5 + 7e-11), (0.000438568, 0.00043856849),
                        (1234.5, 1234.5 + 1e-5), (np.array([100.0, 1e-3]),
                                                  np.array([100.0 + 1e-5, 1e-3 + 1e-10]))):
        ensure_agreement(_example([], [Comparison(text("g"), left, right)]))


def test_a_value_printed_beside_a_formula_is_what_the_formula_gives() -> None:
    import numpy as np

    from derive.matrices import Hadamard, minus
    from derive.numeric.consistency import formula_disagreement
    from derive.proof import Quantity

    t = sp.Symbol("t", real=True)
    a, y, z, delta = (sp.MatrixSymbol(name, 2, 1) for name in ("a", "y", "z", "delta"))
    av, yv, zv = np.array([[0.7], [0.2]]), np.array([[1.0], [0.0]]), np.array([[0.4], [-1.1]])
    sv = 1 / (1 + np.exp(-zv))
    prime = elementwise(sigmoid(t) * (1 - sigmoid(t)), t, z)
    inputs = [Quantity(a, None, av, "in"), Quantity(y, None, yv, "in"),
              Quantity(z, None, zv, "in")]
    value = (av - yv) * sv * (1 - sv)
    wrong = Quantity(delta, Hadamard(minus(y, a), prime), value, "BP1")
    assert "delta" in (formula_disagreement(_example([*inputs, wrong])) or "")
    # near misses: the formula of the value, and a formula in placeholders (not evaluable)
    right = Quantity(delta, Hadamard(minus(a, y), prime), value, "BP1")
    assert formula_disagreement(_example([*inputs, right])) is None
    opaque = Quantity(delta, sp.Symbol("BP1-formula"), value, "BP1")
    assert formula_disagreement(_example([*inputs, opaque])) is None
    s, u = sp.symbols("s u", real=True)
    scalars = [Quantity(s, None, 2.0, "in"), Quantity(u, s ** 2 + 1, 5.0, "out")]
    assert formula_disagreement(_example(scalars)) is None
    scalars[1] = Quantity(u, s ** 2 + 1, 5.0 + 1e-6, "out")
    assert formula_disagreement(_example(scalars)) is not None


def test_the_default_of_a_parametrised_example_meets_its_reference(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from derive import registry
    from derive.errors import DisagreementError
    from derive.numeric.parameters import Parameter, ParameterSpace
    from derive.pipeline import get_example
    from derive.proof import Quantity

    registry.loaded_library()
    w, loss_ = sp.symbols("w loss", real=True)
    space = ParameterSpace(parameters=(Parameter("w", 0.5, 0.1, 0.9),),
                           reference=lambda p: {"loss": p["w"] ** 2})

    def build(values: dict[str, float]):  # type: ignore[no-untyped-def]
        # the loss printed with no formula beside it, from code of its own: (w + 0.01)^2
        return _example([Quantity(w, None, values["w"], "in"),
                         Quantity(loss_, None, (values["w"] + 0.01) ** 2, "out")])

    monkeypatch.setitem(registry.EXAMPLES, "round8-default", lambda: build(space.defaults()))
    monkeypatch.setitem(registry.VARIANTS, "round8-default", (space, build))
    with pytest.raises(DisagreementError, match="NumPy"):
        get_example("round8-default")
    monkeypatch.setitem(registry.EXAMPLES, "round8-default",
                        lambda: _example([Quantity(w, None, 0.5, "in"),
                                          Quantity(loss_, None, 0.25, "out")]))
    assert get_example("round8-default").name == "round8"   # near miss: the right loss


# --- 7. scalar traces and determinants at symbolic size (a false rejection) -------------
# A scalar made of matrices of symbolic size (tr(AB), det A, (v^T u)_11) was not routed to
# the judge of symbolic sizes: right and wrong steps alike were undecided.  Now judged as
# the 1 x 1 matrix it is, written out at the concrete sizes.

def test_scalar_traces_and_determinants_at_symbolic_size_are_judged() -> None:
    a, b, c = (sp.MatrixSymbol(name, n, n) for name in "ABC")
    u, v = sp.MatrixSymbol("u", n, 1), sp.MatrixSymbol("v", n, 1)
    for right in ((sp.Trace(a * b), sp.Trace(b * a)), (sp.Trace(a * b * c), sp.Trace(c * a * b)),
                  (v.T * v, sp.Trace(v * v.T)), ((v.T * u)[0, 0], sp.Trace(u * v.T)),
                  (sp.Determinant(a * b), sp.Determinant(a) * sp.Determinant(b))):
        assert judge(*right, **SIZES) in ACCEPTED
    for wrong in ((sp.Trace(a * b * c), sp.Trace(b * a * c)),
                  (sp.Trace(a * b), sp.Trace(a) * sp.Trace(b)),
                  ((v.T * u)[0, 0], sp.Trace(u * u.T)), (sp.Determinant(-a), sp.Determinant(a)),
                  (sp.Determinant(2 * a), 2 * sp.Determinant(a))):
        assert judge(*wrong, **SIZES) == "refuted"
