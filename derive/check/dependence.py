"""What a derivative written in a solution may be taken to mean: whether its body may depend
on the variable in a way the text does not say (then an opaque name, never 0), and the
derivatives that can be carried out though they look opaque (z_i by z_j; a sum over the
variable's family)."""

from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.entries import as_entries, entry, families

GREEK = frozenset("""alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
lambda mu nu xi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi
Sigma Phi Psi Omega ell""".split())
# functions of a whole vector, written of one entry (softmax(z_i)): opaque, never
# differentiated as a function of one variable
VECTOR_FUNCTIONS = frozenset(("softmax", "Softmax", "softargmax", "logsumexp", "argmax",
                              "argmin", "diag"))


def explicit_derivative(body: sp.Expr, variable: sp.Expr, order: int, kind: str
                        ) -> sp.Expr | None:
    """∂z_i/∂z_j as 0 (the entries apart: derive.check.indices tries i = j), and the
    derivative of a sum over the variable's family (∂/∂w_j Σ_k w_k x_k) with its names as
    entries; None for any other derivative."""
    if letter_namesakes(body, variable):
        return sp.Integer(0)
    as_entry = entry(variable, families(body))
    if as_entry is None or as_entry.indices[0] in {
            k for e in body.atoms(sp.Sum, sp.Product) for k, _, _ in e.limits}:
        return None
    (body,) = as_entries([body])
    if hidden_dependence(body, as_entry, kind, entries=True):
        return None
    return sp.Derivative(body, (as_entry, order))


def of_vector_function(body: sp.Expr, variable: sp.Expr) -> bool:
    """softmax(z_i) by z_i: the i-th output of a function of all of z, not of z_i alone."""
    return any(f.func.__name__.rstrip("'") in VECTOR_FUNCTIONS and f.has(variable)
               for f in body.atoms(AppliedUndef))


def hidden_dependence(body: sp.Expr, variable: sp.Expr, kind: str, entries: bool = False
                      ) -> bool:
    """Whether what is differentiated may depend on the variable in a way the text does not
    say: an unspecified function of other arguments, an entry of a family, a hat or a
    capital (an output, a matrix).  Other plain symbols are independent variables, under d
    as under ∂ (students write d/dw for ∂/∂w); a step that needs dy/dw names it on its
    right side, and a quantity on one side only is never judged wrong.  With ``entries``
    (the variable an entry z[j] of a family the body sums over) the entries of other
    families are read as their names are."""
    if isinstance(body, sp.MatrixBase):
        return any(hidden_dependence(e, variable, kind, entries) for e in body)
    if not entries and (body.has(sp.Indexed) or isinstance(variable, sp.Indexed)):
        return True
    for f in body.atoms(AppliedUndef):
        if not f.has(variable):
            return True
    others = body.free_symbols - {variable}
    if entries:
        others = {s for s in others if isinstance(s, sp.Symbol)}
    others = {s for s in others if not (isinstance(s, sp.Symbol) and s.is_integer)}   # sizes
    if any(not isinstance(s, sp.Symbol) or s.name[0] == "\\" and s.name[1:] not in GREEK
           or "∂" in s.name or s.name.endswith("{T}") or s.name.isupper()
           for s in others):
        return True
    return False


_SUBSCRIPTED = re.compile(r"^(.+)_\{([^{}]*)\}$")


def letter_namesakes(a: sp.Expr, b: sp.Expr) -> bool:
    """Two names of one family whose indices differ only in letters (z_i and z_j, w_{ij}
    and w_{kl}): its entries, each a variable of its own unless the indices coincide."""
    if not (isinstance(a, sp.Symbol) and isinstance(b, sp.Symbol)) or a == b:
        return False
    ma, mb = _SUBSCRIPTED.match(a.name), _SUBSCRIPTED.match(b.name)
    if not ma or not mb or ma.group(1) != mb.group(1):
        return False
    pa, pb = ma.group(2).split(","), mb.group(2).split(",")
    return len(pa) == len(pb) and all(x == y or x.isalpha() and y.isalpha() and len(x) == 1
                                      and len(y) == 1 for x, y in zip(pa, pb, strict=True))


def _family(e: sp.Basic) -> str | None:
    match = _SUBSCRIPTED.match(e.name) if isinstance(e, sp.Symbol) else None
    return match.group(1) if match else None


def assumed_independent(*sides: sp.Basic) -> str:
    """The names a written derivative takes to be independent of its variable though the
    text does not say so (∂ log h/∂z, h = σ(z) perhaps): a link is never wrong for that.
    Entries of the variable's own family (z_i by z_j) are apart; '' where there are none."""
    for side in sides:
        for d in side.atoms(sp.Derivative):
            for v in d.variables:
                if d.expr.has(v) or isinstance(v, sp.Indexed):   # z[j] of a sum: explicit
                    continue
                family = _family(v)
                others = [s for s in d.expr.free_symbols if isinstance(s, sp.Symbol)
                          and (family is None or _family(s) != family) and not s.is_integer]
                if others:
                    return ", ".join(sorted(map(str, others))[:3])
    return ""


def made_dependent(*sides: sp.Expr) -> tuple[sp.Expr, ...] | None:
    """The sides with each name a written derivative took to be independent of its variable
    made a function of it (∂ log h/∂z: h(z)), to see whether a step holds only because that
    derivative was 0 (∂ log h/∂z = 0); None where there is no such name.  Only derivatives
    of what holds nothing of the variable (an entry of its family, ∂(w_i x_i)/∂w_j, is
    apart, not hidden)."""
    swaps: dict[sp.Basic, sp.Expr] = {}
    for side in sides:
        for d in side.atoms(sp.Derivative):
            if len(d.variables) != 1 or not isinstance(d.variables[0], sp.Symbol) \
                    or d.expr.has(d.variables[0]):
                continue
            (v,) = d.variables
            family = _family(v)
            if family is not None and any(_family(s) == family for s in d.expr.free_symbols):
                continue              # ∂(w_i x_i)/∂w_j: of the variable's family, apart
            for s in d.expr.free_symbols:
                if isinstance(s, sp.Symbol) and s != v and not s.is_integer and (
                        family is None or _family(s) != family) and s not in swaps:
                    swaps[s] = sp.Function(s.name, real=True)(v)
    if not swaps:
        return None
    try:
        return tuple(side.xreplace(swaps).doit() for side in sides)
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return None
