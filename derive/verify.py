"""The verifier: proves each step of a derivation, checks it numerically, or refutes it, and
says so when it can do none of these (DESIGN section 3):

* **proved**: the difference of the two sides reduces to 0 symbolically, each rewrite's side
  conditions proved (and the sides as written agree at a few points);
* **checked**: not proved for general sizes, but equal on concrete sizes and at points of the
  declared domains, with error control (two precisions; edges and breakpoints among the
  points; every index value up to a hundred assignments; a size larger than the symbolic
  ones);
* **refuted**: a counter-example;
* **undecided**: none of these; the build fails, but no counter-example is claimed.

One step is judged by ``derive.identities`` (an identity) or ``derive.implications`` (an
equation transformed in place); this module runs the steps of a derivation in order, adds
the finite-difference check of its results, and reports.  The verifier knows nothing of
LaTeX; it only reads Steps and fills in their Verdicts.
"""

from __future__ import annotations

import dataclasses

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.context import Context, apart_pair, unfold
from derive.errors import RefutedStepError
from derive.evidence import (
    free_indices,
    index_assignments,
    instantiate,
    size_assignments,
)
from derive.finite_differences import differences_agree
from derive.functions import elementary
from derive.identities import check_equal
from derive.implications import check_implies
from derive.proof import STATUSES, Derivation, Oracle, Step, Verdict, plain
from derive.sampling import error_controlled
from derive.screening import screen


def restricted(ctx: Context, where: sp.Basic | None) -> Context:
    """The context of a step claimed only where a condition holds."""
    return ctx if where is None else dataclasses.replace(ctx, where=where)


def _where_note(verdict: Verdict, where: sp.Basic | None) -> Verdict:
    if where is None or verdict.status not in ("proved", "checked"):
        return verdict
    return dataclasses.replace(verdict, method=f"{verdict.method}; claimed where "
                               f"{sp.sstr(where)}")


def verify_step(previous: Step | None, step: Step, ctx: Context) -> Verdict:
    """The verdict of one step given the one before it."""
    if step.kind == "given":
        return Verdict("given", "premise")
    return _where_note(_verify_step(previous, step, restricted(ctx, step.where)), step.where)


def _verify_step(previous: Step | None, step: Step, ctx: Context) -> Verdict:
    if step.kind == "implies":
        if previous is None:
            raise ValueError("an implication step needs a previous equation")
        return check_implies(previous, step, ctx)
    if continues(previous, step):
        return check_equal(previous.rhs, step.rhs, ctx)   # type: ignore[union-attr]
    return check_equal(step.lhs, step.rhs, ctx)


def continues(previous: Step | None, step: Step) -> bool:
    """Whether an equality step continues a chain: judged against the previous right side.
    Not after an equation transformed in place (``implies``), which is no identity: a chain
    that starts from its left side is judged as written (x^2 = 4 is not proved by 4 = 4)."""
    return (previous is not None and step.kind == "equals" and previous.kind != "implies"
            and previous.lhs == step.lhs)


def check_count(derivation: Derivation) -> int:
    """How many checks a derivation has: its steps, then its oracles."""
    return len(derivation.steps) + len(derivation.oracles)


def verdict_of(derivation: Derivation, ctx: Context, k: int) -> Verdict:
    """The verdict of check k: step k (given the one before it), or past the steps an oracle."""
    steps = derivation.steps
    if k < len(steps):
        return verify_step(steps[k - 1] if k else None, steps[k], ctx)
    oracle = derivation.oracles[k - len(steps)]
    return _where_note(check_equal(oracle.result, oracle.reference,
                                   restricted(ctx, oracle.where)), oracle.where)


def set_verdict(derivation: Derivation, k: int, verdict: Verdict) -> None:
    """Record the verdict of check k (numbered as in :func:`verdict_of`)."""
    if k < len(derivation.steps):
        derivation.steps[k].verdict = verdict
    else:
        derivation.oracles[k - len(derivation.steps)].verdict = verdict


def checks_of(derivation: Derivation) -> list[Step | Oracle]:
    """What carries a verdict, numbered as in :func:`verdict_of`: the steps, then the oracles."""
    return [*derivation.steps, *derivation.oracles]


def forget_verdicts(derivation: Derivation) -> None:
    """Clear the verdict of every step and oracle."""
    for item in checks_of(derivation):
        item.verdict = None


def _premise(derivation: Derivation, k: int) -> int | None:
    """The position of the step that step k is judged against, if any."""
    steps = derivation.steps
    if k == 0 or k >= len(steps):
        return None
    step, previous = steps[k], steps[k - 1]
    if step.kind == "implies" or continues(previous, step):
        return k - 1
    return None


def with_premise_note(derivation: Derivation, k: int, verdict: Verdict,
                      earlier: list[Verdict]) -> Verdict:
    """A step judged against a refuted or undecided one says so: its mark vouches only for
    the step from that (wrong or unverified) premise.  ``earlier``: the verdicts of checks
    0 .. k-1."""
    before = _premise(derivation, k)
    if before is None:
        return verdict
    premise = earlier[before]
    if premise.status not in ("refuted", "undecided"):
        return verdict
    return dataclasses.replace(verdict, method=f"{verdict.method} (judged against step "
                               f"{before + 1}, which is {premise.status}: a wrong premise)")


def all_verdicts(derivation: Derivation) -> list[Verdict]:
    """The verdict of every check of a derivation (steps, then oracles), in order; each
    result that is a derivative is also compared with finite differences."""
    ctx = Context.of(derivation)
    found: list[Verdict] = []
    for k in range(check_count(derivation)):
        verdict = with_result_check(derivation, ctx, k, verdict_of(derivation, ctx, k))
        found.append(with_premise_note(derivation, k, verdict, found))
    return found


def with_result_check(derivation: Derivation, ctx: Context, k: int, verdict: Verdict
                      ) -> Verdict:
    """Check k's verdict, and for a proved or checked result d f / d v = g (a step that
    ends a chain), the comparison with central finite differences as well."""
    if k < len(derivation.steps) and verdict.status in TRUSTED and _is_result(derivation, k):
        return with_finite_differences(derivation.steps[k], verdict, ctx)
    return verdict


def _is_result(derivation: Derivation, k: int) -> bool:
    """Whether step k ends a chain (the next step has another left side) with d f / d v."""
    steps = derivation.steps
    step = steps[k]
    if step.kind != "equals" or (k + 1 < len(steps) and steps[k + 1].lhs == step.lhs):
        return False
    return isinstance(step.lhs, sp.Derivative) and [c for _, c in step.lhs.variable_count] == [1]


def with_finite_differences(step: Step, verdict: Verdict, ctx: Context) -> Verdict:
    """The verdict of a result d f / d v = g, compared with central differences of f (no
    differentiation code involved): refuted where they disagree, else noted."""
    local = restricted(ctx, step.where)
    derivative = unfold(step.lhs, local)
    if not isinstance(derivative, sp.Derivative) or len(derivative.variables) != 1:
        return verdict
    g = unfold(step.rhs, local)
    derivative, g = apart_pair(derivative, g)
    f, (v,) = derivative.expr, derivative.variables
    if (f.has(sp.Derivative) or g.has(sp.Derivative) or f.atoms(AppliedUndef)
            or getattr(f, "is_Matrix", False) or isinstance(f, sp.MatrixExpr)
            or local.where is not None):
        return verdict
    f, g = elementary(f), elementary(g)
    sizes = list(size_assignments(ctx.sizes))
    assignments: list[dict[sp.Symbol, int]] = [{}]
    if sizes:
        free = free_indices(sp.Tuple(f, g, v), ctx)
        assignments = [{**size, **index} for size in (sizes[0], sizes[-1])
                       for index in _corners(index_assignments(free, ctx, size))]
    compared = 0
    for assignment in assignments:
        got, example = differences_agree(f, v, g, local, assignment)
        if example is not None:
            return Verdict("refuted", f"{verdict.method}; but the result disagrees with central "
                           "finite differences", verdict.points + got, example)
        compared += got
    if not compared:
        return verdict
    return dataclasses.replace(verdict, method=f"{verdict.method}; the result agrees with "
                               f"central finite differences at {compared} points")


def _corners(assignments: list[dict[sp.Symbol, int]]) -> list[dict[sp.Symbol, int]]:
    return assignments[:1] + assignments[-1:] if len(assignments) > 1 else assignments


def verify(derivation: Derivation) -> Derivation:
    """Fill in the verdict of every step and oracle; return the same derivation."""
    for k, verdict in enumerate(all_verdicts(derivation)):
        set_verdict(derivation, k, verdict)
    return derivation


RECONFIRM_POINTS = 2


def reconfirmed(derivation: Derivation) -> bool:
    """Whether the verdicts filled in from a cache still stand up to a cheap check of each
    marked step (a cache may save work, never certify): every status known and fitting its
    step, and each proved or checked step's sides, as written, equal at a point or two (in
    mpmath with error control, never machine floats alone; at the smallest and the
    largest concrete size, for steps in index notation, so a sum wrong only at larger sizes is
    caught; with concrete functions for unspecified ones; an implication on the previous
    equation's solutions)."""
    ctx = Context.of(derivation)
    for k, item in enumerate(checks_of(derivation)):
        verdict = item.verdict
        given = isinstance(item, Step) and item.kind == "given"
        if verdict is None or verdict.status not in STATUSES or (verdict.status == "given") \
                != given:
            return False
        with error_controlled():   # no agreement in machine floats: see derive.sampling
            if verdict.status in TRUSTED and not _quick_check(derivation, ctx, k):
                return False
    return True


def _quick_check(derivation: Derivation, ctx: Context, k: int) -> bool:
    steps = derivation.steps
    if k < len(steps):
        step, previous = steps[k], steps[k - 1] if k else None
        if step.kind == "implies" and previous is not None:
            return check_implies(previous, step, restricted(ctx, step.where),
                                 quick=True).status in TRUSTED
        lhs = previous.rhs if previous is not None and continues(previous, step) else step.lhs
        rhs, where = step.rhs, step.where
    else:
        oracle = derivation.oracles[k - len(steps)]
        lhs, rhs, where = oracle.result, oracle.reference, oracle.where
    local = restricted(ctx, where)
    # mpmath with error control at every point (reconfirmed turns off agreement in floats):
    # a mark kept from a cache must not stand on a step that differs by 1e-15
    _, first_look = screen(unfold(lhs, local), unfold(rhs, local), local, RECONFIRM_POINTS,
                           fast=True)
    if first_look is not None and first_look.status == "undecided":
        return check_equal(lhs, rhs, local).status in TRUSTED   # no numeric witness
    return first_look is None


def _expressions(step: Step) -> str:
    return f"{sp.sstr(step.lhs)} = {sp.sstr(step.rhs)}"


def refutations(derivation: Derivation) -> list[str]:
    """One line per step or oracle of a verified derivation that is not proved or checked
    (refuted, undecided, or with a verdict of unknown status)."""
    lines = []
    for number, step in enumerate(derivation.steps, 1):
        verdict = step.verdict
        if step.kind == "given" or (verdict is not None and verdict.status in TRUSTED):
            continue
        status: str = "unverified" if verdict is None else verdict.status
        if status not in STATUSES:
            status = f"of unknown status '{status}'"
        detail = f": {verdict.method}" if verdict is not None else ""
        example = (f"; counter-example {verdict.counterexample}"
                   if verdict is not None and verdict.counterexample else "")
        lines.append(f"{derivation.name}: step {number} ({_expressions(step)}; "
                     f"{plain(step.rule)}) is {status}{detail}{example}")
    for oracle in derivation.oracles:
        verdict = oracle.verdict
        if verdict is not None and verdict.status in TRUSTED:
            continue
        status = "unverified" if verdict is None else verdict.status
        example = (f"; counter-example {verdict.counterexample}"
                   if verdict is not None and verdict.counterexample else "")
        lines.append(f"{derivation.name}: the result's oracle ({plain(oracle.description)}) is "
                     f"{status}: {verdict.method if verdict else ''}{example}")
    return lines


TRUSTED = ("proved", "checked")   # the verdicts that put a mark on the page


def ensure_sound(derivation: Derivation) -> Derivation:
    """Raise RefutedStepError if any step or oracle of the derivation is not proved or
    checked (refuted, undecided, unknown)."""
    problems = refutations(derivation)
    if problems:
        raise RefutedStepError(problems[0] if len(problems) == 1 else
                               f"{problems[0]} (and {len(problems) - 1} more)")
    return derivation


__all__ = ["Context", "Oracle", "Verdict", "all_verdicts", "check_equal", "check_implies",
           "checks_of", "ensure_sound", "forget_verdicts", "instantiate", "reconfirmed",
           "refutations", "unfold", "verify", "verify_step", "with_result_check"]
