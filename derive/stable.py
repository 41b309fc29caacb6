"""Numerically stable evaluation of derive's expressions (float64 through NumPy, or evalf).

The expressions a derivation shows are written as the textbook writes them:
``-(y log sigma(z) + (1 - y) log(1 - sigma(z)))``, ``sigma(z)(1 - sigma(z))``,
``log(e^{z_c} / sum_k e^{z_k})``.  Evaluated as written they lose everything: ``1 - sigma(37)``
rounds to 0 in float64, ``e^{10^4}`` overflows.  :func:`stable_form` rewrites a copy of an
expression, for evaluation only, into primitives that do not:

- ``1 - sigma(u)`` -> ``sigma(-u)`` (and ``c - c sigma(u)`` -> ``c sigma(-u)``), so
  ``sigma'`` = ``sigma(z) sigma(-z)``;
- ``log sigma(u)`` -> ``log_sigmoid(u)`` = ``-softplus(-u)``, so BCE is computed from the logit;
- ``e^a / sum_k c_k e^{b_k}`` -> ``softmax`` or ``exp_ratio``, ``log`` of it -> ``log_ratio``
  (``a - LSE(b)``: log-softmax), ``log sum_k c_k e^{b_k}`` -> ``logsumexp``;
- ``log`` of a product of positive factors -> the sum of their logs, ``log x^p`` -> ``p log x``;
- a product with a log factor -> ``zero_times(rest, log)``: ``0 log 0 = 0``.

The verifier and the renderers never see the rewritten form; only :func:`lambdify` and
:func:`evaluate` use it.  At +-inf: a component of softmax is 1 where its input is the only
+inf (several +inf inputs share 1 equally; all -inf share it too, the limit along the
diagonal), log-sum-exp is +-inf, and a NaN input gives NaN.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from derive.functions import logsumexp, sigmoid, softmax

# --- the primitives: SymPy functions for lambdify to print, each with an exact evalf --------


class _Primitive(sp.Function):
    """A function that exists only in evaluated forms; evalf goes through mpmath."""

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        values = [a.evalf(prec + 20) for a in self.args]
        if not all(v.is_Number for v in values):
            return None
        with mpmath.workprec(prec + 20):
            out = self._mp(*[mpmath.mpf(v._to_mpmath(prec + 20)) for v in values])
        return sp.Float(out, precision=prec)

    @staticmethod
    def _mp(*args: Any) -> Any:
        raise NotImplementedError


class log_sigmoid(_Primitive):  # noqa: N801
    """log sigma(u) = -softplus(-u) = min(u, 0) - log(1 + e^{-|u|})."""

    nargs = 1

    @staticmethod
    def _mp(u: Any) -> Any:
        return min(u, 0) - mpmath.log1p(mpmath.exp(-abs(u)))


class log_ratio(_Primitive):  # noqa: N801
    """a - log sum_k e^{b_k}: the log-softmax when a is one of the b."""

    @staticmethod
    def _mp(a: Any, *bs: Any) -> Any:
        top = max(bs)
        if mpmath.isinf(top):
            hits = sum(1 for b in bs if b == top)
            return -mpmath.log(hits) if a == top else (mpmath.inf if top < 0 else -mpmath.inf)
        rest = list(bs)
        rest.remove(top)
        return (a - top) - mpmath.log1p(mpmath.fsum(mpmath.exp(b - top) for b in rest))


class exp_ratio(_Primitive):  # noqa: N801
    """e^a / sum_k e^{b_k}, through log_ratio."""

    @staticmethod
    def _mp(a: Any, *bs: Any) -> Any:
        return mpmath.exp(log_ratio._mp(a, *bs))


class zero_times(_Primitive):  # noqa: N801
    """x * l, and 0 where x is 0 whatever l is (0 log 0 = 0)."""

    nargs = 2

    @staticmethod
    def _mp(x: Any, l: Any) -> Any:  # noqa: E741
        return mpmath.mpf(0) if x == 0 else x * l


# --- the rewrite -----------------------------------------------------------------------------


def stable_form(expr: Any) -> Any:
    """A copy of ``expr`` (or of each entry of a list, tuple or matrix) in stable primitives."""
    if isinstance(expr, (list, tuple)):
        return type(expr)(stable_form(e) for e in expr)
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(_stable)
    return _stable(expr) if isinstance(expr, sp.Basic) else expr


def _stable(e: sp.Basic) -> sp.Basic:
    if e.is_Atom or not isinstance(e, sp.Basic):
        return e
    if isinstance(e, sp.log) and len(e.args) == 1:
        return _log(e.args[0])
    if isinstance(e, sp.Add):
        e = _one_minus_sigmoid(e)
        if not isinstance(e, sp.Add):
            return _stable(e)
    if isinstance(e, (sp.Mul, sp.Pow)):
        ratio = _ratio(e)
        if ratio is not None:
            return ratio
    if isinstance(e, sp.Mul):
        logs = [f for f in e.args if isinstance(f, sp.log)]
        if logs:
            rest = sp.Mul(*[_stable(f) for f in e.args if f is not logs[0]])
            return zero_times(rest, _log(logs[0].args[0]))
    args = tuple(_stable(a) for a in e.args)
    return e if args == e.args else e.func(*args)


def _one_minus_sigmoid(e: sp.Add) -> sp.Expr:
    """c - c sigma(u) -> c sigma(-u) for the first such pair of terms of a sum."""
    constant = sum((t for t in e.args if t.is_Number), sp.S.Zero)
    if constant == 0:
        return e
    for t in e.args:
        coeff, rest = t.as_coeff_Mul()
        if isinstance(rest, sigmoid) and coeff == -constant:
            others = [u for u in e.args if u is not t and not u.is_Number]
            return sp.Add(*others, constant * sigmoid(-rest.args[0]))
    return e


def _exp_terms(s: sp.Expr) -> list[sp.Expr] | None:
    """The exponents b_k of a sum s = sum_k c_k e^{b_k} (c_k > 0 numbers), else None."""
    if isinstance(s, sp.Sum) and all(lim[1].is_Integer and lim[2].is_Integer
                                     for lim in s.limits):
        s = s.doit()
    terms = s.args if isinstance(s, sp.Add) else (s,)
    out = []
    for t in terms:
        coeff, rest = t.as_coeff_Mul()
        if not (coeff.is_positive and coeff.is_Number):
            return None
        if isinstance(rest, sp.exp):
            out.append(rest.args[0] + (sp.log(coeff) if coeff != 1 else 0))
        elif rest == 1:
            out.append(sp.log(coeff))
        else:
            return None
    return out if len(out) > 1 else None


def _split_ratio(e: sp.Expr) -> tuple[sp.Expr, sp.Expr, list[sp.Expr]] | None:
    """e = rest * e^a / sum_k e^{b_k} as (rest, a, b), else None."""
    factors = e.args if isinstance(e, sp.Mul) else (e,)
    for f in factors:
        if isinstance(f, sp.Pow) and f.exp == -1:
            bs = _exp_terms(f.base)
            if bs is None:
                continue
            others = [g for g in factors if g is not f]
            exps = [g for g in others if isinstance(g, sp.exp)]
            a = sp.Add(*[g.args[0] for g in exps])
            return sp.Mul(*[g for g in others if g not in exps]), a, bs
    return None


def _ratio(e: sp.Expr) -> sp.Expr | None:
    split = _split_ratio(e)
    if split is None:
        return None
    rest, a, bs = split
    a, bs = _stable(a), [_stable(b) for b in bs]
    if len(bs) == 2 and 0 in bs:                  # 1 / (1 + e^w), e^w / (1 + e^w)
        w = bs[1] if bs[0] == 0 else bs[0]
        if a in (0, w):
            return _stable(rest) * sigmoid(w if a == w else -w)
    value = softmax(bs.index(a) + 1, *bs) if a in bs else exp_ratio(a, *bs)
    return _stable(rest) * value


def _positive(x: sp.Expr) -> bool:
    """Positive by its form (not by assumptions): e^u, sigma, softmax, sums of those."""
    if x.is_Number:
        return bool(x.is_positive)
    if isinstance(x, (sp.exp, sigmoid, softmax)):
        return True
    if isinstance(x, sp.Pow):
        return _positive(x.base)
    if isinstance(x, (sp.Mul, sp.Add)):
        return all(_positive(a) for a in x.args)
    return False


def _log(x: sp.Expr) -> sp.Expr:
    """A stable form of log(x)."""
    if isinstance(x, sp.exp):
        return _stable(x.args[0])
    if isinstance(x, sigmoid):
        return log_sigmoid(_stable(x.args[0]))
    if isinstance(x, softmax):
        zs = [_stable(z) for z in x.args[1:]]
        return log_ratio(zs[int(x.args[0]) - 1], *zs)
    if isinstance(x, sp.Add):
        bs = _exp_terms(x)
        if bs is not None:
            return logsumexp(*[_stable(b) for b in bs])
        flipped = _one_minus_sigmoid(_stable(x))
        if isinstance(flipped, (sp.Mul, sigmoid)):
            return _log(flipped)
    split = _split_ratio(x) if isinstance(x, (sp.Mul, sp.Pow)) else None
    if split is not None:
        rest, a, bs = split
        as_sigmoid = _ratio(x) if rest == 1 else None
        if isinstance(as_sigmoid, sigmoid):
            return log_sigmoid(as_sigmoid.args[0])
        if rest == 1 or _positive(rest):
            stable_bs = [_stable(b) for b in bs]
            tail = _log(rest) if rest != 1 else sp.S.Zero
            return tail + log_ratio(_stable(a), *stable_bs)
    if isinstance(x, sp.Pow) and _positive(x.base):
        return _stable(x.exp) * _log(x.base)
    if isinstance(x, sp.Mul) and all(_positive(f) for f in x.args):
        return sp.Add(*[_log(f) for f in x.args])
    return sp.log(_stable(x))


# --- NumPy implementations --------------------------------------------------------------------


def _stack(zs: Sequence[Any]) -> np.ndarray:
    return np.stack(np.broadcast_arrays(*[np.asarray(z, dtype=float) for z in zs]))


def _shifted(stacked: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(top, e, rest): the maximum, e^{z - top} (top 0 where it is not finite), and the sum
    of e without one maximal entry, so that sum e = 1 + rest where top is finite."""
    top = stacked.max(axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(stacked - safe)
    first = np.argmax(stacked, axis=0)
    keep = np.arange(len(stacked)).reshape((-1,) + (1,) * top.ndim) != first
    return top, e, np.where(keep, e, 0.0).sum(axis=0)


def np_sigmoid(z: Any) -> Any:
    z = np.asarray(z, dtype=float)
    ez = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def np_log_sigmoid(z: Any) -> Any:
    z = np.asarray(z, dtype=float)
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


def np_logsumexp(*zs: Any) -> Any:
    top, _, rest = _shifted(_stack(zs))
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(top), top + np.log1p(rest), top)


def np_log_ratio(a: Any, *bs: Any) -> Any:
    stacked = _stack(bs)
    a = np.broadcast_to(np.asarray(a, dtype=float), stacked.shape[1:])
    top, _, rest = _shifted(stacked)
    hits = (stacked == top).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        finite = (a - top) - np.log1p(rest)
        at_inf = np.where(a == top, -np.log(np.maximum(hits, 1)),
                          np.where(top > 0, -np.inf, np.inf))
    return np.where(np.isnan(top) | np.isnan(a), np.nan,
                    np.where(np.isfinite(top), finite, at_inf))


def np_exp_ratio(a: Any, *bs: Any) -> Any:
    return np.exp(np_log_ratio(a, *bs))


def np_softmax(i: Any, *zs: Any) -> Any:
    stacked = _stack(zs)
    top, e, rest = _shifted(stacked)
    k = int(i) - 1
    hits = (stacked == top).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        finite = e[k] / (1.0 + rest)
        at_inf = (stacked[k] == top) / np.maximum(hits, 1)
    return np.where(np.isfinite(top), finite, np.where(np.isnan(top), np.nan, at_inf))


def np_zero_times(x: Any, log_value: Any) -> Any:
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(x == 0, 0.0, x * log_value)


def np_relu(z: Any) -> Any:
    return np.maximum(0.0, z)


def np_heaviside(z: Any, h0: Any = 0.0) -> Any:
    return np.heaviside(z, h0)


NUMPY_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "sigmoid": np_sigmoid, "relu": np_relu, "logsumexp": np_logsumexp, "softmax": np_softmax,
    "Heaviside": np_heaviside, "log_sigmoid": np_log_sigmoid, "log_ratio": np_log_ratio,
    "exp_ratio": np_exp_ratio, "zero_times": np_zero_times,
}


def lambdify(args: Sequence[sp.Basic] | sp.Basic, expr: Any) -> Callable[..., Any]:
    """``sympy.lambdify`` of the stable form of ``expr``, with the NumPy implementations."""
    return sp.lambdify(args, stable_form(expr), modules=[NUMPY_IMPLEMENTATIONS, "numpy"])


def evaluate(expr: sp.Expr, values: dict[sp.Basic, sp.Expr], digits: int = 17) -> sp.Expr:
    """``expr`` at ``values`` through evalf at ``digits``, in the stable form (substituting
    into the written form first would round 1 - sigma(37) to 0 before evalf could help)."""
    return sp.N(stable_form(expr).xreplace(values), digits)


__all__ = ["NUMPY_IMPLEMENTATIONS", "evaluate", "lambdify", "log_ratio", "log_sigmoid",
           "stable_form", "exp_ratio", "zero_times"]
