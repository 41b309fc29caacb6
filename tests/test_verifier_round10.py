"""Verifier attack, round 10 (docs/reviews/2026-12-04-verifier-attack-round-10.md): unfolding
definitions with variable binding respected (a summation variable that is a defined name, a
definition captured by a sum, a derivative by an entry whose index a sum also binds).  Each
hole has its test, and near misses (right steps close to the wrong one) that must keep their
mark."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import DomainError
from tests.mutation import ACCEPTED, judge

y, a, m = sp.symbols("y a m", real=True)
i, k, N = sp.symbols("i k N", integer=True, positive=True)
x = sp.IndexedBase("x", real=True)
s, total = sp.symbols("s A", real=True)
SIZES = {"sizes": {N: (2, 3)}, "domains": {y: (-2, 2), m: (-2, 2)}}


# --- 1. a summation variable that is a defined name ---------------------------------------
# unfold replaced every occurrence of a defined name, the summation variable of a sum over
# that name too: with a = y, Σ_{a=1}^{N} a y became Σ_{y=1}^{N} y², and a step equating the
# two was proved at once (the two sides one expression after unfolding).

def test_a_summation_variable_is_not_the_defined_name() -> None:
    defs = {"definitions": {a: y}, **SIZES}
    assert judge(sp.Sum(a * y, (a, 1, N)), sp.Sum(y**2, (y, 1, N)), **defs) == "refuted"
    assert judge(sp.Sum(a * y, (a, 1, N)), y * N * (N + 1) / 2, **defs) in ACCEPTED


def test_a_definition_with_a_sum_over_another_defined_name() -> None:
    # s = Σ_k m x_k with k = m defined too: the second pass made it Σ_m m x_m
    defs = {"definitions": {k: m, s: sp.Sum(x[k] * m, (k, 1, N))}, **SIZES}
    assert judge(s, sp.Sum(k * x[k], (k, 1, N)), **defs) == "refuted"
    assert judge(s, m * sp.Sum(x[k], (k, 1, N)), **defs) in ACCEPTED


def test_a_definition_captured_by_a_sum_is_an_error() -> None:
    # a = y written inside Σ_y: the outer y or the summation variable? Neither is marked.
    with pytest.raises(DomainError, match="binds"):
        judge(sp.Sum(a * y, (y, 1, N)), sp.Sum(y**2, (y, 1, N)),
              definitions={a: y}, **SIZES)
    with pytest.raises(DomainError, match="binds"):
        judge(sp.Sum(a * y, (y, 1, N)), y * N * (N + 1) / 2, definitions={a: y}, **SIZES)


# --- 2. a derivative by an entry whose index a sum binds ------------------------------------
# d(Σ_i x_i²)/d x_i, with i free (the entry differentiated by) and bound (the sum): SymPy
# differentiates the summand by its own x_i, so 2 Σ_i x_i was proved and 2 x_i refuted;
# the same through a definition A = Σ_i x_i².

@pytest.mark.parametrize("defined", [False, True])
def test_a_derivative_by_an_entry_whose_index_a_sum_binds(defined: bool) -> None:
    squares = sp.Sum(x[i]**2, (i, 1, N))
    context = {"sizes": {N: (2, 3)}, "indices": {i: (1, N)}}
    if defined:
        lhs, context["definitions"] = sp.Derivative(total, x[i]), {total: squares}
    else:
        lhs = sp.Derivative(squares, x[i])
    assert judge(lhs, 2 * sp.Sum(x[i], (i, 1, N)), **context) == "refuted"
    assert judge(lhs, 2 * x[i], **context) in ACCEPTED


# --- 3. a periodic kink whose period depends on another variable ---------------------------
# sin(x y) = 0 in x has period 2π/y; only the principal roots 0 and π/y were visited, which
# never lie in x ∈ (5, 7) for y ∈ (1, 3): two sides differing only on the kinks were checked.

def test_a_kink_whose_period_depends_on_another_variable() -> None:
    x_, y_ = sp.symbols("x y", real=True)
    dom = {"domains": {x_: (5, 7), y_: (1, 3)}}
    g = sp.sin(x_ * y_)
    assert judge(sp.Heaviside(g, 0), (sp.sign(g) + 1) / 2, **dom) == "refuted"
    assert judge(sp.Heaviside(g, 0), sp.Heaviside(g, 1), **dom) == "refuted"
    assert judge(sp.Piecewise((1, g > 0), (0, True)), sp.Heaviside(g, 1), **dom) == "refuted"
    assert judge(sp.Heaviside(g), (sp.sign(g) + 1) / 2, **dom) in ACCEPTED
    assert judge(sp.Piecewise((1, g >= 0), (0, True)), sp.Heaviside(g, 1), **dom) in ACCEPTED
    for other in (sp.cos(x_ * y_), sp.sin(x_ * y_ + 1), sp.sin(2 * x_ / y_)):
        assert judge(sp.Heaviside(other, 0), (sp.sign(other) + 1) / 2, **dom) == "refuted"
        assert judge(sp.Heaviside(other), (sp.sign(other) + 1) / 2, **dom) in ACCEPTED


# --- 4. sizes kept in their order at the larger size ---------------------------------------
# Σ_{j≤N} δ_ij x_j = x_i for i ∈ 1…M holds only while M ≤ N; declared M = 2, N = 3, the
# larger size (M = 4, N = 5) kept the order, and the step was checked.

def test_the_larger_size_also_turns_the_order_of_the_sizes_round() -> None:
    j = sp.Symbol("j", integer=True)
    ii = sp.Symbol("i", integer=True)
    big_m, big_n = sp.symbols("M N", integer=True, positive=True)
    lhs = sp.Sum(sp.KroneckerDelta(ii, j) * x[j], (j, 1, big_n))
    sizes = {"sizes": {big_m: (2,), big_n: (3,)}}
    assert judge(lhs, x[ii], indices={ii: (1, big_m)}, **sizes) == "refuted"
    assert judge(lhs, x[ii], where=big_m <= big_n, indices={ii: (1, big_m)},
                 **sizes) in ACCEPTED
    assert judge(lhs, x[ii], indices={ii: (1, big_n)}, **sizes) in ACCEPTED


# --- 5. a condition between two variables, narrow -------------------------------------------
# where 0 < x - y < 1/100 on x, y ∈ (-2, 2): points were drawn on the whole box and thrown
# away outside the strip, so a step was checked at one point (floor(200 (x - y)) = 0, wrong
# on half the strip) or left undecided.

def test_points_are_drawn_within_a_condition_between_two_variables() -> None:
    x_, y_ = sp.symbols("x y", real=True)
    dom = {"domains": {x_: (-2, 2), y_: (-2, 2)}}
    strip = sp.And(x_ - y_ > 0, x_ - y_ < sp.Rational(1, 100))
    assert judge(sp.floor(200 * (x_ - y_)), sp.S(0), where=strip, **dom) == "refuted"
    assert judge(sp.Abs(x_), x_, where=strip, **dom) == "refuted"
    assert judge(sp.floor(100 * (x_ - y_)), sp.S(0), where=strip, **dom) in ACCEPTED
    assert judge(sp.Abs(x_ - y_), x_ - y_, where=strip, **dom) in ACCEPTED


# --- 6. a derivative rule wrong on a narrow band --------------------------------------------
# fdiff was compared with the derivative of the function's meaning at five uniform points of
# (-2, 2) (and far from 0): a rule wrong only on z ∈ (0.3, 0.55) passed about three times
# in four, and would vouch for itself in every step that differentiates the function.

def _banded(lo: float, hi: float, name: str, wrong: bool = True) -> type:
    def fdiff(self: sp.Function, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        extra = sp.Piecewise((sp.Rational(1, 1000), (z > lo) & (z < hi)), (0, True))
        return sp.cos(z) + (extra if wrong else 0)

    def rewrite(self: sp.Function, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return (sp.exp(sp.I * z) - sp.exp(-sp.I * z)) / (2 * sp.I)

    return type(name, (sp.Function,), {"nargs": 1, "fdiff": fdiff,
                                       "_eval_rewrite_as_exp": rewrite})


@pytest.mark.parametrize("band", [(0.3, 0.55), (0.3, 0.4), (-1.5, -1.45)])
def test_a_derivative_rule_wrong_on_a_narrow_band_is_found(band: tuple[float, float]) -> None:
    from derive.function_rules import _derivative_disagreement

    name = "banded_" + "_".join(str(abs(b)).replace(".", "") for b in band)
    assert _derivative_disagreement(_banded(*band, name)) is not None
    assert _derivative_disagreement(_banded(*band, name + "_right", wrong=False)) is None


# --- 7. the verdict cache key and a user library's helper modules ---------------------------
# A function class's fingerprint held its own source and its module's, not the modules that
# module draws on: an entry outlived a change to a helper (a constant its numeric code used).

def test_a_helper_module_of_a_function_class_is_in_its_fingerprint(
        tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys
    import textwrap
    from pathlib import Path

    from derive.verdict_cache import _class_fingerprint

    root = Path(str(tmp_path))
    (root / "r10lib").mkdir()
    (root / "r10lib" / "__init__.py").write_text("")
    (root / "r10lib" / "helpers.py").write_text("SCALE = 2\n")
    (root / "r10lib" / "funcs.py").write_text(textwrap.dedent('''
        import sympy as sp
        from r10lib import helpers
        class scaled(sp.Function):
            nargs = 1
            def _eval_evalf(self, prec):
                return (helpers.SCALE * self.args[0])._eval_evalf(prec)
    '''))
    monkeypatch.syspath_prepend(str(root))
    try:
        funcs = importlib.import_module("r10lib.funcs")
        before = _class_fingerprint(funcs.scaled)
        _class_fingerprint.cache_clear()
        assert _class_fingerprint(funcs.scaled) == before   # the same code: the same key
        (root / "r10lib" / "helpers.py").write_text("SCALE = 3\n")
        importlib.reload(sys.modules["r10lib.helpers"])
        _class_fingerprint.cache_clear()
        assert _class_fingerprint(funcs.scaled) != before
    finally:
        for name in [m for m in sys.modules if m.startswith("r10lib")]:
            del sys.modules[name]
        _class_fingerprint.cache_clear()


def test_a_summation_variable_free_on_the_other_side() -> None:
    # Σ_{i ≤ k} x_i against a side with a free index i: setting i to a value set the
    # summation variable too (a ValueError: the right step stopped the build)
    j = sp.Symbol("j", integer=True, positive=True)
    context = {"sizes": {N: (2, 3)}, "indices": {i: (1, N), k: (1, N)}}
    lhs = sp.Sum(x[i], (i, 1, k))
    assert judge(lhs, sp.Sum(x[j], (j, 1, k)) + sp.Heaviside(i - N - 1, 0),
                 **context) in ACCEPTED
    assert judge(lhs, sp.Sum(x[j], (j, 1, k)) + sp.Heaviside(i - N, 1), **context) == "refuted"
    assert judge(lhs, x[i], **context) == "refuted"


def test_a_family_captured_by_a_sum_is_an_error_and_an_entry_key_is_not() -> None:
    j = sp.Symbol("j", integer=True, positive=True)
    y_, t = sp.IndexedBase("y", real=True), sp.IndexedBase("t", real=True)
    family = {"sizes": {N: (2, 3)}, "indices": {j: (1, N)},
              "definitions": {t: sp.Lambda(i, x[i] * y_[j])}}
    with pytest.raises(DomainError, match="binds"):   # t_j = x_j y_j, or x_j times the outer y_j?
        judge(sp.Sum(t[j], (j, 1, N)), sp.Sum(x[j] * y_[j], (j, 1, N)), **family)
    assert judge(sp.Sum(t[i], (i, 1, N)), y_[j] * sp.Sum(x[i], (i, 1, N)), **family) in ACCEPTED
    # an entry s[i] as the key: the i of its meaning is the key's own, bound or not
    sq = sp.IndexedBase("s", real=True)
    entry = {"sizes": {N: (2, 3)}, "definitions": {sq[i]: x[i]**2}}
    assert judge(sp.Sum(sq[i], (i, 1, N)), sp.Sum(x[i]**2, (i, 1, N)), **entry) in ACCEPTED
    assert judge(sp.Sum(sq[i], (i, 1, N)), sp.Sum(x[i]**3, (i, 1, N)), **entry) == "refuted"
