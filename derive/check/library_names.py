"""The notation of a logistic-regression solution mapped onto the symbols of derive's
``bce-gradient`` (derive/check/library_results.py): h, h_θ(x⁽ⁱ⁾), σ(θᵀx⁽ⁱ⁾), h⁽ⁱ⁾ → h; y⁽ⁱ⁾ → y;
x⁽ⁱ⁾ⱼ, x⁽ⁱ⁾ → x; m, and sums over the m examples.  A name it does not know is Unreadable:
the result is then undecided, never wrong."""

from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef

EX = sp.Symbol("i", integer=True, positive=True)     # the example, in every canonical form
M = sp.Symbol("m", integer=True, positive=True)
H, Y, X = sp.IndexedBase("h"), sp.IndexedBase("y"), sp.IndexedBase("x")
H0, Y0, X0 = sp.symbols("h y x")                     # one example
_ONE = {"h": H0, "h_{\\theta}": H0, "y": Y0, "x": X0, "x_{j}": X0}
_FAMILY = {"h": H, "h_{\\theta}": H, "y": Y, "x": X, "x_{j}": X}
_SUPERSCRIPT = re.compile(r"^(.*?)\^\{\((\w|·)\)\}(.*)$")     # y^{(i)}, x_{j}^{(i)}
_THETA_T = re.compile(r"^\\theta\^\{(?:T|\\top)\}$")
_SCORE = re.compile(r"^\\theta\^\{(?:T|\\top)\}x(?:\^\{\((\w)\)\})?$")   # θᵀx, θᵀx⁽ⁱ⁾


class Unreadable(Exception):
    """A name or a form the mapping onto the derivation's symbols does not know."""


def from_library(e: sp.Expr) -> sp.Expr:
    """The library's h[i], y[i], x[i, j], σ(Σₖ θₖ x[i, k]) and Σ over i ≤ m, canonical."""
    def rebuild(a: sp.Basic) -> sp.Basic:
        if isinstance(a, sp.Sum):
            (v, lo, hi), = a.limits
            return sp.Sum(rebuild(a.function).xreplace({v: EX}), (EX, lo, M))
        if isinstance(a, sp.Indexed):
            base = {"h": H, "y": Y, "x": X}[str(a.base)]
            return base[a.indices[0]]
        if type(a).__name__ == "sigmoid":
            inner = a.args[0]
            xs = [x for x in inner.atoms(sp.Indexed) if str(x.base) == "x"]
            return H[xs[0].indices[0]]
        if isinstance(a, sp.Symbol):
            return M if a.name == "m" else a
        if not a.args:
            return a
        return a.func(*[rebuild(x) for x in a.args])

    return sp.sympify(rebuild(e))


def canonical(e: sp.Basic, bound: frozenset = frozenset()) -> sp.Expr:
    """The text's expression in the canonical symbols; Unreadable for what is not mapped."""
    if isinstance(e, sp.Sum):
        if len(e.limits) != 1:
            raise Unreadable("a sum over several indices")
        v, lo, hi = e.limits[0]
        if lo != 1 or not (str(hi) == "m" or str(hi).startswith("#")):
            raise Unreadable(f"a sum from {lo} to {hi}, not over the m examples")
        return sp.Sum(canonical(e.function, bound | {v}).xreplace({v: EX}), (EX, 1, M))
    if isinstance(e, sp.Indexed):
        return _entry(str(e.base), e.indices[0], bound)
    if isinstance(e, AppliedUndef):
        if str(e.func) in ("h", "h_{\\theta}") and len(e.args) == 1:
            arg = e.args[0]
            if isinstance(arg, sp.Indexed) and str(arg.base) == "x^{(·)}" \
                    and arg.indices[0] in bound:
                return H[arg.indices[0]]
            if isinstance(arg, sp.Symbol) and arg.name == "x" and not bound:
                return H0
        raise Unreadable(f"{e}")
    if type(e).__name__ == "sigmoid" and isinstance(e.args[0], sp.Mul):
        inner = set(e.args[0].args)           # θᵀ x⁽ⁱ⁾ in a sum: θᵀ times an entry
        theta = {a for a in inner if isinstance(a, sp.Symbol) and _THETA_T.match(a.name)}
        rest = list(inner - theta)
        if len(theta) == 1 and len(rest) == 1:
            x = rest[0]
            if isinstance(x, sp.Indexed) and str(x.base) == "x^{(·)}" and x.indices[0] in bound:
                return H[x.indices[0]]
            if isinstance(x, sp.Symbol) and x.name == "x" and not bound:
                return H0
        raise Unreadable(f"σ of {e.args[0]}")
    if type(e).__name__ == "sigmoid" and isinstance(e.args[0], sp.Symbol):
        score = _SCORE.match(e.args[0].name)
        if score and score.group(1) is None and not bound:
            return H0
        if score and sp.Symbol(score.group(1)) in {b for b in bound if b.name == score.group(1)}:
            return H[next(b for b in bound if b.name == score.group(1))]
        raise Unreadable(f"σ of {e.args[0]}")
    if isinstance(e, sp.Symbol):
        if e.name == "m":
            return M
        if e.name in _ONE and bound:
            raise Unreadable(f"{e.name} without the example's index inside a sum")
        if e.name in _ONE:
            return _ONE[e.name]
        sup = _SUPERSCRIPT.match(e.name)          # y^{(i)} outside a sum: one example
        if sup and not bound and (sup.group(1) + sup.group(3)) in _ONE:
            return _ONE[sup.group(1) + sup.group(3)]
        raise Unreadable(e.name)
    if e.is_Number:
        return e
    if not e.args or isinstance(e, (sp.Derivative, sp.MatrixBase)):
        raise Unreadable(f"{e}")
    return e.func(*[canonical(a, bound) for a in e.args])


def _entry(base: str, index: sp.Basic, bound: frozenset) -> sp.Expr:
    sup = _SUPERSCRIPT.match(base)
    name = (sup.group(1) + sup.group(3)) if sup else ""
    if name not in _FAMILY or index not in bound:
        raise Unreadable(f"{base}[{index}]")
    return _FAMILY[name][index]
