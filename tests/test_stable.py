"""Numeric evaluation of the losses and activations against mpmath (issue 22).

Each expression is written as a derivation writes it (log(1 - sigma(z)), sigma(1 - sigma),
log(e^{z_c} / sum e^{z_k}), ...), compiled by ``derive.functions.lambdify`` and compared with
the same textbook formula in mpmath, evaluated with enough working digits that the reference
has 50 correct significant digits (checked by a second evaluation with 20 more digits).
Over |z| <= 1e4: no floating-point warning, no NaN or inf where the true value is finite, and
relative error at most 1e-12 (absolute, scaled by 1e-300, where the value is below 1e-300).
At +-inf the expected values are the limits.

``.venv/bin/python tests/test_stable.py`` prints the largest error of each case.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp

from derive.functions import lambdify, logsumexp, sigmoid, softmax
from derive.models import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    categorical_cross_entropy,
    categorical_cross_entropy_with_logits,
)
from derive.stable import evaluate, stable_form

z, y = sp.symbols("z y", real=True)
a, b, c = sp.symbols("a b c", real=True)
INF = math.inf
TOLERANCE = 1e-12
TINY = 1e-300


def _scalars() -> np.ndarray:
    """|z| <= 1e4: a uniform grid, a log-spaced grid of both signs, the thresholds of float64."""
    rng = np.random.default_rng(22)
    mags = np.logspace(-12, 4, 49)
    special = [0.0, 1.0, 36.0, 37.0, 38.0, 100.0, 708.0, 709.0, 710.0, 744.0, 745.0, 746.0,
               1e4]
    pts = np.concatenate([np.linspace(-1e4, 1e4, 41), mags, -mags, special,
                          -np.array(special), rng.uniform(-50, 50, 30)])
    return np.unique(pts)


def _triples() -> np.ndarray:
    """Logit triples: wide and narrow random ones, ties, huge gaps, the reported case."""
    rng = np.random.default_rng(2222)
    wide = rng.uniform(-1e4, 1e4, size=(12, 3))
    narrow = rng.normal(scale=3.0, size=(40, 3))
    near = 1e4 - rng.uniform(0, 40, size=(15, 3))
    fixed = [(1e4, 9999.0, 0.0), (1e4, 1e4, 1e4), (0.0, 0.0, 0.0), (-1e4, -1e4, 0.0),
             (1e4, -1e4, 0.0), (745.0, 0.0, -745.0), (-1e4, -9999.0, -9998.0), (30.0, 0.0, -30.0)]
    return np.vstack([wide, narrow, near, np.array(fixed)])


def reference(formula: Callable[..., Any], *args: float) -> float:
    """The textbook formula at 50 correct digits.  The working digits grow with the largest
    gap e^-gap meets 1 in (|z| for sigma(z), the spread of the logits for softmax), so that
    even 1 - sigma(1e4), or 1 - softmax at a spread of 2e4, keeps 50;
    a second evaluation with 20 more digits must agree to 50."""
    gap = max(args) - min(args) if len(args) > 1 else abs(args[0])   # e^-gap against 1
    digits = 60 + int(gap / 2.3)
    values = []
    for extra in (0, 20):
        with mpmath.workdps(digits + extra):
            values.append(formula(*[mpmath.mpf(v) for v in args]))
    with mpmath.workdps(60):
        assert abs(values[0] - values[1]) <= mpmath.mpf(10) ** -50 * max(abs(values[1]), TINY)
    return float(values[1])


@contextmanager
def strict() -> Iterator[None]:
    """Every floating-point warning is an error (underflow to a value below 1e-300 is fine)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
            yield


def error(got: float, true: float) -> float:
    if math.isnan(got) or math.isinf(got):
        return INF
    return abs(got - true) / max(abs(true), TINY)


# --- the textbook formulas in mpmath ----------------------------------------------------------

def _sig(t: Any) -> Any:
    return 1 / (1 + mpmath.exp(-t))


def _xlog(w: Any, p: Any) -> Any:
    return 0 if w == 0 else w * mpmath.log(p)


def _bce(t: Any, label: Any) -> Any:
    return -(_xlog(label, _sig(t)) + _xlog(1 - label, 1 - _sig(t)))


def _softmax(k: int) -> Callable[..., Any]:
    return lambda *ts: mpmath.exp(ts[k]) / mpmath.fsum(mpmath.exp(t) for t in ts)


def _lse(*ts: Any) -> Any:
    return mpmath.log(mpmath.fsum(mpmath.exp(t) for t in ts))


def _entropy(*ts: Any) -> Any:
    es = [mpmath.exp(t) for t in ts]
    total = mpmath.fsum(es)
    return -mpmath.fsum(_xlog(e / total, e / total) for e in es)


ELEMENTARY_SOFTMAX = sp.exp(a) / (sp.exp(a) + sp.exp(b) + sp.exp(c))

SCALAR_CASES: dict[str, tuple[sp.Expr, Callable[..., Any]]] = {
    "sigmoid": (sigmoid(z), _sig),
    "1/(1+e^-z)": (1 / (1 + sp.exp(-z)), _sig),
    "sigma'": (sp.diff(sigmoid(z), z), lambda t: _sig(t) * (1 - _sig(t))),
    "log sigma": (sp.log(sigmoid(z)), lambda t: mpmath.log(_sig(t))),
    "log(1-sigma)": (sp.log(1 - sigmoid(z)), lambda t: mpmath.log(1 - _sig(t))),
    "log(1+e^z)": (sp.log(1 + sp.exp(z)), lambda t: mpmath.log(1 + mpmath.exp(t))),
    **{f"BCE y={v}": (-(y * sp.log(sigmoid(z)) + (1 - y) * sp.log(1 - sigmoid(z))).subs(y, v),
                      lambda t, v=v: _bce(t, mpmath.mpf(v))) for v in (0, 1, sp.Rational(1, 4))},
    **{f"dBCE/dz y={v}": (sp.diff(-(y * sp.log(sigmoid(z)) + (1 - y) * sp.log(1 - sigmoid(z))),
                                  z).subs(y, v), lambda t, v=v: _sig(t) - v) for v in (0, 1)},
}

TRIPLE_CASES: dict[str, tuple[sp.Expr, Callable[..., Any]]] = {
    **{f"softmax_{k + 1}": (softmax(k + 1, a, b, c), _softmax(k)) for k in range(3)},
    "e^a/sum e": (ELEMENTARY_SOFTMAX, _softmax(0)),
    "LSE": (logsumexp(a, b, c), _lse),
    "log sum e": (sp.log(sp.exp(a) + sp.exp(b) + sp.exp(c)), _lse),
    **{f"CCE class {k + 1}": (-sp.log(softmax(k + 1, a, b, c)),
                              lambda *ts, k=k: -mpmath.log(_softmax(k)(*ts))) for k in range(3)},
    "CCE e^a/sum e": (-sp.log(ELEMENTARY_SOFTMAX), lambda *ts: -mpmath.log(_softmax(0)(*ts))),
    "entropy": (-sum(softmax(k, a, b, c) * sp.log(softmax(k, a, b, c)) for k in (1, 2, 3)),
                _entropy),
}


def worst(expr: sp.Expr, formula: Callable[..., Any], args: tuple[sp.Symbol, ...],
          points: np.ndarray) -> tuple[float, tuple[float, ...]]:
    """The largest error of the compiled expression over the points, and where."""
    f = lambdify(args, expr)
    out = (0.0, tuple(points[0]))
    for p in points:
        with strict():
            got = float(f(*p))
        e = error(got, reference(formula, *p))
        if e > out[0]:
            out = (e, tuple(float(v) for v in p))
    return out


@pytest.mark.parametrize("name", sorted(SCALAR_CASES))
def test_scalar_functions_agree_with_mpmath(name: str) -> None:
    expr, formula = SCALAR_CASES[name]
    err, where = worst(expr, formula, (z,), _scalars()[:, None])
    assert err <= TOLERANCE, f"{name}: error {err:.3g} at z = {where}"


@pytest.mark.parametrize("name", sorted(TRIPLE_CASES))
def test_functions_of_logits_agree_with_mpmath(name: str) -> None:
    expr, formula = TRIPLE_CASES[name]
    err, where = worst(expr, formula, (a, b, c), _triples())
    assert err <= TOLERANCE, f"{name}: error {err:.3g} at {where}"


def _bce_expr() -> sp.Expr:
    return -(y * sp.log(sigmoid(z)) + (1 - y) * sp.log(1 - sigmoid(z)))


@pytest.mark.parametrize(("zv", "yv", "true"), [
    (37.0, 1.0, 8.533047625744065e-17), (100.0, 0.0, 100.0), (-100.0, 1.0, 100.0),
    (1e4, 0.0, 1e4), (1e4, 1.0, 0.0)])
def test_reported_bce_cases(zv: float, yv: float, true: float) -> None:
    with strict():
        got = float(lambdify((z, y), _bce_expr())(zv, yv))
    assert error(got, true) <= TOLERANCE
    assert error(float(evaluate(_bce_expr(), {z: sp.Float(zv, 17), y: sp.Float(yv, 17)})),
                 true) <= 1e-15


def test_reported_cce_case() -> None:
    for expr in (-sp.log(softmax(1, a, b, c)), -sp.log(ELEMENTARY_SOFTMAX)):
        with strict():
            got = float(lambdify((a, b, c), expr)(1e4, 9999.0, 0.0))
        assert got == pytest.approx(math.log1p(math.exp(-1.0)), rel=1e-15)   # 0.3133
        assert float(evaluate(expr, {a: sp.Float(1e4), b: sp.Float(9999), c: sp.Integer(0)})) \
            == pytest.approx(0.31326168751822283, rel=1e-15)


@pytest.mark.parametrize("zv", [37.0, 50.0, 100.0, 700.0])
def test_sigmoid_derivative_is_not_zero_for_large_z(zv: float) -> None:
    with strict():
        got = float(lambdify(z, sp.diff(sigmoid(z), z))(zv))
    assert error(got, reference(lambda t: _sig(t) * (1 - _sig(t)), zv)) <= TOLERANCE
    assert got > 0


def test_sigmoid_derivative_is_evaluated_as_sigma_z_sigma_minus_z() -> None:
    assert stable_form(sp.diff(sigmoid(z), z)) == sigmoid(z) * sigmoid(-z)


# --- +-inf: the limits ---------------------------------------------------------------------------

INFINITE_CASES: list[tuple[str, sp.Expr, tuple[sp.Symbol, ...], tuple[float, ...], float]] = [
    ("sigmoid", sigmoid(z), (z,), (INF,), 1.0),
    ("sigmoid", sigmoid(z), (z,), (-INF,), 0.0),
    ("sigma'", sp.diff(sigmoid(z), z), (z,), (INF,), 0.0),
    ("sigma'", sp.diff(sigmoid(z), z), (z,), (-INF,), 0.0),
    ("log sigma", sp.log(sigmoid(z)), (z,), (INF,), 0.0),
    ("log sigma", sp.log(sigmoid(z)), (z,), (-INF,), -INF),
    ("log(1-sigma)", sp.log(1 - sigmoid(z)), (z,), (-INF,), 0.0),
    ("BCE", _bce_expr(), (z, y), (INF, 1.0), 0.0),
    ("BCE", _bce_expr(), (z, y), (-INF, 0.0), 0.0),
    ("BCE", _bce_expr(), (z, y), (INF, 0.0), INF),
    ("softmax", softmax(1, a, b, c), (a, b, c), (INF, 0.0, 0.0), 1.0),
    ("softmax", softmax(2, a, b, c), (a, b, c), (INF, 0.0, 0.0), 0.0),
    ("softmax", softmax(1, a, b, c), (a, b, c), (-INF, 1.0, 2.0), 0.0),
    ("softmax", softmax(2, a, b, c), (a, b, c), (-INF, 0.0, 0.0), 0.5),
    ("softmax", softmax(1, a, b, c), (a, b, c), (INF, INF, 0.0), 0.5),
    ("softmax", softmax(3, a, b, c), (a, b, c), (INF, -INF, 0.0), 0.0),
    ("e^a/sum e", ELEMENTARY_SOFTMAX, (a, b, c), (INF, 0.0, -INF), 1.0),
    ("LSE", logsumexp(a, b, c), (a, b, c), (INF, 0.0, 0.0), INF),
    ("LSE", logsumexp(a, b, c), (a, b, c), (-INF, 0.0, 0.0), math.log(2.0)),
    ("LSE", logsumexp(a, b, c), (a, b, c), (-INF, -INF, -INF), -INF),
    ("LSE", logsumexp(a, b, c), (a, b, c), (INF, -INF, 0.0), INF),
    ("CCE", -sp.log(softmax(1, a, b, c)), (a, b, c), (INF, 0.0, 0.0), 0.0),
    ("CCE", -sp.log(softmax(2, a, b, c)), (a, b, c), (INF, 0.0, 0.0), INF),
    ("CCE", -sp.log(softmax(1, a, b, c)), (a, b, c), (-INF, 0.0, 0.0), INF),
    ("CCE", -sp.log(softmax(2, a, b, c)), (a, b, c), (-INF, 0.0, 0.0), math.log(2.0)),
    ("entropy", TRIPLE_CASES["entropy"][0], (a, b, c), (-INF, 0.0, 0.0), math.log(2.0)),
    ("entropy", TRIPLE_CASES["entropy"][0], (a, b, c), (INF, 0.0, 0.0), 0.0),
]


@pytest.mark.parametrize(("name", "expr", "args", "point", "true"), INFINITE_CASES,
                         ids=[f"{n}{p}" for n, _, _, p, _ in INFINITE_CASES])
def test_limits_at_infinity(name: str, expr: sp.Expr, args: tuple[sp.Symbol, ...],
                            point: tuple[float, ...], true: float) -> None:
    with strict():
        got = float(lambdify(args, expr)(*point))
    assert got == true or error(got, true) <= TOLERANCE, f"{name} at {point}: {got}"


def test_nan_input_gives_nan() -> None:
    for expr, args in ((softmax(1, a, b, c), (a, b, c)), (logsumexp(a, b, c), (a, b, c)),
                       (sp.log(softmax(1, a, b, c)), (a, b, c))):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert math.isnan(float(lambdify(args, expr)(math.nan, 0.0, 0.0)))


def test_arrays_broadcast() -> None:
    zs = np.array([-1e4, -37.0, 0.0, 37.0, 1e4, INF])
    with strict():
        out = lambdify((z, y), _bce_expr())(zs, 1.0)
    assert out.shape == zs.shape
    np.testing.assert_allclose(out[:5], [1e4, 37.0, math.log(2.0), 8.533047625744065e-17, 0.0],
                               rtol=1e-15)
    with strict():
        s = lambdify((a, b, c), softmax(1, a, b, c))(zs, 0.0, np.array([[0.0], [1e4]]))
    assert s.shape == (2, 6) and np.isfinite(s).all()


# --- the losses of derive.models ------------------------------------------------------------

def test_model_bce_over_examples_from_logits() -> None:
    i, m = sp.Symbol("i", integer=True, positive=True), 3
    zz, yy = sp.IndexedBase("z", real=True), sp.IndexedBase("y", real=True)
    loss = binary_cross_entropy_with_logits(zz[i], yy[i], i, m)
    assert loss == binary_cross_entropy(sigmoid(zz[i]), yy[i], i, m)
    args = [zz[k] for k in range(1, m + 1)] + [yy[k] for k in range(1, m + 1)]
    with strict():
        got = float(lambdify(args, loss.doit())(37.0, 100.0, -1e4, 1.0, 0.0, 0.0))
    assert error(got, 8.533047625744065e-17 + 100.0 + 0.0) <= TOLERANCE


def test_model_cce_over_examples_from_logits() -> None:
    i, cc, r = sp.symbols("i c r", integer=True, positive=True)
    zz, yy = sp.IndexedBase("z", real=True), sp.IndexedBase("y", real=True)
    h = sp.exp(zz[i, cc]) / sp.Sum(sp.exp(zz[i, r]), (r, 1, 3))
    args = [zz[p, q] for p in (1, 2) for q in (1, 2, 3)] + [yy[p, q] for p in (1, 2)
                                                            for q in (1, 2, 3)]
    for loss in (categorical_cross_entropy(h, yy[i, cc], i, 2, cc, 3),
                 categorical_cross_entropy_with_logits(zz, yy[i, cc], i, 2, cc, 3)):
        with strict():
            got = float(lambdify(args, loss.doit())(1e4, 9999.0, 0.0, -INF, 5.0, 5.0,
                                                     1.0, 0.0, 0.0, 0.0, 1.0, 0.0))
        assert error(got, math.log1p(math.exp(-1.0)) + math.log(2.0)) <= TOLERANCE


def test_the_written_expression_is_unchanged() -> None:
    expr = _bce_expr()
    before = sp.srepr(expr)
    stable_form(expr)
    lambdify((z, y), expr)
    assert sp.srepr(expr) == before and stable_form(expr) != expr


if __name__ == "__main__":
    for name, (expr, formula) in sorted(SCALAR_CASES.items()):
        err, where = worst(expr, formula, (z,), _scalars()[:, None])
        print(f"{name:16s} max rel. error {err:.2e} at z = {where[0]:g}")
    for name, (expr, formula) in sorted(TRIPLE_CASES.items()):
        err, where = worst(expr, formula, (a, b, c), _triples())
        print(f"{name:16s} max rel. error {err:.2e} at {tuple(f'{v:g}' for v in where)}")
