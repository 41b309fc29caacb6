"""Oracle references computed without derive's differentiation code (DESIGN section 3).

A derivation's oracle compares its result with a reference worked out another way. Here the
reference is plain ``sympy.diff`` of the *elementary* form: every custom function of
derive.functions rewritten first (σ to 1/(1 + e⁻ᶻ), softmax and log-sum-exp to exponentials,
ReLU to a Piecewise), so neither derive.differentiate nor any custom ``fdiff`` rule is
consulted. This module imports only SymPy and derive.functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from derive.functions import _Elementary, elementary, relu, sigmoid

Definitions = Mapping[sp.Basic, sp.Expr]


def elementary_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every custom function of derive rewritten into plain SymPy.

    ReLU becomes ``Piecewise((u, u > 0), (0, True))``, whose SymPy derivative is
    1[u > 0] (0 at the kink, the convention of the library's Heaviside(u, 0)); the
    others take their elementary rewrite (exp, log).
    """
    rewritten = expr.replace(lambda e: isinstance(e, relu),
                             lambda e: sp.Piecewise((e.args[0], e.args[0] > 0), (0, True)))
    rewritten = elementary(rewritten)
    left = rewritten.atoms(_Elementary)
    if left:
        raise ValueError(f"no elementary form for {sorted(map(str, left))}")
    return rewritten


def written_out(expr: sp.Expr, definitions: Definitions | None = None) -> sp.Expr:
    """``expr`` with the derivation's named quantities replaced by their definitions.

    A key that is an IndexedBase maps to a Lambda of the indices (``h[i]`` unfolds with
    ``h: Lambda(a, ...)``); any other key is replaced where it stands.  Repeated until
    nothing changes, since definitions refer to one another.
    """
    if not definitions:
        return expr
    plain = {k: v for k, v in definitions.items() if not isinstance(k, sp.IndexedBase)}
    indexed = {k: v for k, v in definitions.items() if isinstance(k, sp.IndexedBase)}
    for _ in range(12):
        new = expr.xreplace(plain)
        if indexed:
            new = new.replace(lambda e: isinstance(e, sp.Indexed) and e.base in indexed,
                              lambda e: indexed[e.base](*e.indices))
        if new == expr:
            return expr
        expr = new
    raise ValueError("the definitions do not terminate (a definition refers to itself)")


def independent_diff(expr: sp.Expr, *variables: sp.Basic,
                     definitions: Definitions | None = None) -> sp.Expr:
    """∂expr/∂variables by plain ``sympy.diff`` of the elementary form.

    ``definitions`` (the derivation's) are written out first, so the reference depends on
    the variables explicitly.  A derivative written inside ``expr`` is carried out by
    SymPy's own ``doit``, once its custom functions are gone; only derivatives of
    unspecified functions (f(z)) stay written.
    """
    written = written_out(expr, definitions)
    result = sp.diff(elementary_form(written), *variables)
    result = result.replace(lambda e: isinstance(e, sp.Derivative) and _evaluable(e),
                            lambda e: e.doit(deep=False))
    return _folded(result, written)


def _folded(expr: sp.Expr, written: sp.Expr) -> sp.Expr:
    """``expr`` with the definitions of σ and ReLU read backwards, for each argument u of a
    sigmoid or a ReLU in ``written``: 1 + e⁻ᵘ becomes 1/σ(u) and e⁻ᵘ becomes
    (1 − σ(u))/σ(u); Piecewise((u, u > 0), (0, True)) becomes (u)⁺ and
    Piecewise((c, u > 0), (0, True)) becomes c·Heaviside(u, 0).

    Identities of algebra, no derivative rule: they only spare the verifier the nested
    exponentials and case splits of a network written out (its cost grew tenfold without).
    """
    folds: dict[sp.Basic, sp.Expr] = {}
    for node in written.atoms(sigmoid):
        e = sp.exp(-elementary_form(node.args[0]))
        folds[1 + e] = 1 / node
        folds[e] = (1 - node) / node
    steps = {elementary_form(node.args[0]) > 0: node.args[0] for node in written.atoms(relu)}
    if folds:
        expr = expr.xreplace(folds)
    if steps:
        expr = expr.replace(lambda e: _is_step(e, steps), lambda e: _step_folded(e, steps))
    return expr


def _is_step(e: sp.Basic, steps: dict[sp.Basic, sp.Expr]) -> bool:
    """Whether ``e`` is Piecewise((c, u > 0), (0, True)) for a ReLU argument u."""
    return (isinstance(e, sp.Piecewise) and len(e.args) == 2 and e.args[0].cond in steps
            and e.args[1] == (0, True))


def _step_folded(e: sp.Piecewise, steps: dict[sp.Basic, sp.Expr]) -> sp.Expr:
    (value, condition), _ = e.args
    u = steps[condition]
    return relu(u) if value == elementary_form(u) else value * sp.Heaviside(u, 0)


def _evaluable(d: sp.Derivative) -> bool:
    """Whether SymPy can carry out the derivative: it has no unspecified function."""
    return not d.expr.atoms(sp.core.function.AppliedUndef)


def independent_jacobian(outputs: Sequence[sp.Expr], inputs: Sequence[sp.Basic],
                         definitions: Definitions | None = None) -> sp.ImmutableMatrix:
    """The Jacobian, entry (r, c) = ∂outputs[r]/∂inputs[c], each by :func:`independent_diff`."""
    return sp.ImmutableMatrix([[independent_diff(f, u, definitions=definitions)
                                for u in inputs] for f in outputs])


def independent_gradient(loss: sp.Expr, variable: sp.MatrixBase,
                         definitions: Definitions | None = None) -> sp.ImmutableMatrix:
    """∂loss/∂W for an explicit matrix W of symbols: W's shape, each entry by
    :func:`independent_diff`."""
    return sp.ImmutableMatrix(variable.rows, variable.cols,
                              lambda r, c: independent_diff(loss, variable[r, c],
                                                            definitions=definitions))
