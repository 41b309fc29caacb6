"""Judging one link of a hand-written chain: ✓ (correct), ✗ (wrong, with a counter-example or
the true value) or ? (undecided, with the reason).

The verifier's own equivalence check decides symbolic steps (derive.identities.check_equal:
opaque functions become fixed smooth functions, points are sampled in the declared domains);
numbers are intervals (derive.check.arithmetic).  A link is wrong only when every reading of
its ambiguous forms disagrees and both sides speak of the same quantities: a step that brings
in a value the text never gave is undecided, never wrong."""

from __future__ import annotations

import contextlib
import dataclasses
import re

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.definitions import (
    PRODUCT,
    Definitions,
    carried_numbers,
    judge_carried,
    substituted,
    undefined_inverse,
)
from derive.check.dependence import assumed_independent, made_dependent
from derive.check.entries import Range, families, summed
from derive.check.errors import NotUnderstood
from derive.check.evaluations import (
    counterexample,
    entry_pairs,
    judge_implication,
    judge_numbers,
    shapes,
    symbolic_hint,
)
from derive.check.indices import Condition, coincidences, judged_in_every_reading
from derive.check.matrices import base_name, compare_ordered, ordered
from derive.check.named_gradients import judge_named_gradient
from derive.check.notation import Notation
from derive.check.parser import INNER_PRODUCTS, Parsed, parse
from derive.check.shared import (
    SECONDS_PER_COMPARISON,
    ComparisonTimeout,
    Outcome,
    carried_out,
    context_for,
    quantities,
    readings,
    time_limit,
)
from derive.identities import check_equal

__all__ = ["SECONDS_PER_COMPARISON", "Definitions", "Outcome", "judge_implication",
           "judge_link"]

# a statement of shapes, (2 × 2)(2 × 1) = 2 × 1 or [1 × 2][2 × 3] = [1 × 3], is not arithmetic
_DIMENSIONS = r"\d+\s*(?:\\times|×|x)\s*\d+"
_SHAPEPRODUCT = re.compile(rf"(?:\s*[\[(]\s*{_DIMENSIONS}\s*[\])]\s*){{2,}}")
_SHAPE_RESULT = re.compile(rf"\s*[\[(]?\s*{_DIMENSIONS}\s*[\])]?\s*")
_OPERATION = re.compile(r"[-+−×*/·]|\\times|\\cdot")
_BRACED = re.compile(r"\{[^{}]*\}")


def _computed(text: str) -> bool:
    """An operation outside braces (p₂ − 0, not A^{[l-1]}): a side computed, though it
    reads as a name alone."""
    while _BRACED.search(text):
        text = _BRACED.sub("", text)
    return _OPERATION.search(text) is not None

_RAISED_POINT = re.compile(r"(\d)·(\d)")   # 0·6: a raised decimal point, or 0 × 6
_DECIMAL_COMMA = re.compile(r"(\d)(?:,|\{,\})(\d)")   # 0,52: a decimal comma, or a pair


def judge_link(lhs: str, rhs: str, relation: str, notation: Notation,
               definitions: Definitions | None = None,
               conditions: tuple[Condition, ...] = ()) -> Outcome:
    """The outcome of ``lhs relation rhs`` read as a claimed equality; ``definitions`` (the
    names the text defined before) can show a step right, never wrong.  Names that differ
    only in their index letters (z_i, z_j) are judged both as the same and as different
    quantities (derive.check.indices), under the ``conditions`` the text states."""
    if relation == "=":
        try:
            with time_limit(SECONDS_PER_COMPARISON):
                named = judge_named_gradient(lhs, rhs, notation)
        except ComparisonTimeout:
            return Outcome("undecided", "step", "the comparison took too long")
        if named is not None:
            return named                         # dW^{[2]} = (1/m) dZ^{[2]} A^{[1]T}
    found = None if _all_numbered(lhs, rhs, notation, definitions) \
        else coincidences(lhs, rhs, conditions)
    if found is None:
        return _judge_dotted(lhs, rhs, relation, notation, definitions)
    return judged_in_every_reading(
        found, lambda a, b: _judge_dotted(a, b, relation, notation, definitions),
        lambda: _judge_dotted(lhs, rhs, relation, notation, definitions))


def _all_numbered(lhs: str, rhs: str, notation: Notation, definitions: Definitions | None
                  ) -> bool:
    """Every name of the link has a number the text (or the problem) gave: arithmetic, whose
    names are those numbers, not entries whose indices may coincide (δ_{o1}, δ_{o2})."""
    if definitions is None or not definitions.numbers:
        return False
    try:
        names = quantities(parse(lhs, notation)[0]) | quantities(parse(rhs, notation)[0])
    except NotUnderstood:
        return False
    return bool(names) and names <= set(definitions.numbers)


def _judge_dotted(lhs: str, rhs: str, relation: str, notation: Notation,
                  definitions: Definitions | None = None) -> Outcome:
    """A middle dot between digits (0·6) read both as a product and as a decimal point, a
    comma between digits (0,52; 1{,}250) both as it reads (a pair, a digit group) and as a
    decimal comma: wrong only if wrong in every reading."""
    outcome = _judge_as_read(lhs, rhs, relation, notation, definitions)
    if outcome.verdict == "correct":
        return outcome
    for pattern, what in ((_RAISED_POINT, "· read as a decimal point"),
                          (_DECIMAL_COMMA, "a comma read as a decimal comma")):
        if not pattern.search(lhs + rhs):
            continue
        other = _judge_as_read(pattern.sub(r"\1.\2", lhs), pattern.sub(r"\1.\2", rhs),
                               relation, notation, definitions)
        if other.verdict == "correct":
            return dataclasses.replace(other, reason=f"{other.reason} ({what})")
        if "not understood" in other.reason:
            continue                     # a reading that does not parse is no reading
        if other.verdict != outcome.verdict or "not understood" in outcome.reason:
            if other.verdict == "wrong" and "not understood" in outcome.reason:
                outcome = dataclasses.replace(other, reason=f"{other.reason} ({what}; read "
                                              "otherwise, it is not understood)")
            else:
                outcome = dataclasses.replace(
                    outcome, verdict="undecided", reason=f"wrong or undecided as the digits "
                    f"are read ({what}): {outcome.reason}")
    return outcome


def _judge_as_read(lhs: str, rhs: str, relation: str, notation: Notation,
                   definitions: Definitions | None = None) -> Outcome:
    if _SHAPEPRODUCT.fullmatch(lhs) and _SHAPE_RESULT.fullmatch(rhs):
        return Outcome("undecided", "step", "a statement of shapes, not arithmetic")
    try:
        left, found_l = parse(lhs, notation)
        right, found_r = parse(rhs, notation, integers=found_l.integers)
    except NotUnderstood as error:
        return Outcome("undecided", "step", f"not understood: {error}")
    if not quantities(left) and not quantities(right) and not found_l.opaque \
            and not found_r.opaque and not left.has(sp.Derivative) \
            and not right.has(sp.Derivative):
        outcome = judge_numbers(lhs, rhs, relation, notation)
        if outcome.verdict == "wrong" and notation.binary_logs and notation.log_base is None \
                and judge_numbers(lhs, rhs, relation, dataclasses.replace(
                    notation, log_base=2)).verdict == "correct":
            return Outcome("undecided", "arithmetic", "right if log is base 2 (the text "
                           "speaks of bits or base 2)")
        return outcome
    as_product = False
    if definitions is not None and definitions.numbers and any(
            str(f.func) in definitions.numbers for side in (left, right)
            for f in side.atoms(AppliedUndef)):
        with contextlib.suppress(NotUnderstood):     # h_1(1 - h_1), h₁ a number: a product
            left, found_l = parse(lhs, notation, PRODUCT)
            right, found_r = parse(rhs, notation, PRODUCT, integers=found_l.integers)
            as_product = True
    if definitions is not None and definitions.numbers \
            and (carried := carried_numbers(left, right, found_l, found_r, definitions,
                                            (_computed(lhs), _computed(rhs)))):
        return judge_carried(lhs, rhs, relation, notation, carried, definitions.computed,
                              PRODUCT if as_product else None)
    if definitions is not None and (undefined := undefined_inverse(left, right, definitions)):
        return Outcome("wrong", "step", undefined)
    if relation != "=":
        return Outcome("undecided", "step", f"a symbolic {relation} is not checked")
    outcome = judge_symbolic(lhs, rhs, notation, found_l.met | found_r.met)
    if outcome.verdict != "correct" and definitions:
        again = with_definitions(lhs, rhs, notation, definitions)
        if again is not None and (again.verdict == "correct" or outcome.verdict == "undecided"):
            return again          # a definition shows the step right, or the assumption wrong
    return outcome


def _derivative_of_formula(left: sp.Basic, found: Parsed, definitions: Definitions,
                           used: set[int]) -> bool:
    """The left is a derivative of a name the text defined by a formula of known functions
    (∂s_i/∂z_j after s_i = e^{z_i}/Σ_k e^{z_k}; ∂a/∂z after a = σ(z)), and every definition
    the step used is such a formula: the right is a result the definitions decide, so a
    step that differs from it in every reading is wrong."""
    atom = left if left in found.derivatives else None
    if atom is None or not isinstance(found.derivatives[atom][0], sp.Symbol):
        return False
    defined = definitions.lookup(found.derivatives[atom][0].name)
    if defined is None:
        return False
    formulas = [value for value, line in definitions.values.values() if line in used]
    formulas.append(defined[0])
    return not used & definitions.assumed - {defined[1]} and all(
        not value.has(AppliedUndef) and not any("∂" in str(s) for s in value.free_symbols)
        and value.free_symbols for value in formulas)


def with_definitions(lhs: str, rhs: str, notation: Notation, definitions: Definitions
                     ) -> Outcome | None:
    """The step shown right once the names it uses are replaced by their definitions; or
    shown wrong, when what it needs is only what the text assumed ('if W₁ = W₂') and every
    reading differs with it."""
    wrong: list[str] = []
    other = False
    for reading in readings({"letter_call", "sum_reach"}):
        try:
            left, found_l = parse(lhs, notation, reading)
            right, found_r = parse(rhs, notation, reading, integers=found_l.integers)
        except NotUnderstood:
            continue
        if isinstance(left, sp.MatrixBase) or isinstance(right, sp.MatrixBase):
            continue
        if any(definitions.lookup(str(f.func)) is not None
               for side in (left, right) for f in side.atoms(AppliedUndef)):
            continue            # a(1 + a) read as a call, where a is a value the text defined
        used: set[int] = set()
        lines = ""
        try:
            with time_limit(SECONDS_PER_COMPARISON):
                a = substituted(left, found_l, definitions, used)
                b = substituted(right, found_r, definitions, used)
                if not used:
                    continue
                lines = ", ".join(map(str, sorted(used)))
                because = (f"follows from what line {lines} assumes" if used <= definitions.assumed
                           else f"follows with the definitions of line {lines}")
                if found_l.ordered or found_r.ordered or not (a.is_commutative
                                                              and b.is_commutative):
                    status, reason = _compare_products([(as_products(a), as_products(b))], notation)
                    if status == "correct":
                        return Outcome("correct", "step", because)
                    if status == "wrong" and used <= definitions.assumed:
                        wrong.append(f"with what line {lines} assumes, {reason}")
                    elif status != "inapplicable":
                        other = True
                    continue
                a, b, indices, ranges = summed(a, b) if families(a, b) else (
                    carried_out(a), carried_out(b), set(), {})
                if quantities(a) - indices != quantities(b) - indices:
                    other = True
                    continue
                if sp.expand(a - b) == 0 or sp.simplify(a - b) == 0:
                    return Outcome("correct", "step", because)
                if not _derivative_of_formula(left, found_l, definitions, used):
                    other = True
                    continue
                status, reason = _compare_scalars(a, b, notation, True, ranges)
                if status == "correct":
                    return Outcome("correct", "step", because)
                if status == "wrong":
                    wrong.append(f"with the definitions of line {lines}, {reason}")
                else:
                    other = True
        except (ComparisonTimeout, TypeError, ValueError, NotImplementedError, RecursionError,
                ZeroDivisionError, AttributeError):
            other = True
            continue
    if wrong and not other:
        return Outcome("wrong", "step", wrong[0])
    return None


def judge_symbolic(lhs: str, rhs: str, notation: Notation, met: set[str]) -> Outcome:
    """A symbolic step: correct if some reading makes the two sides equal; wrong only if every
    reading that parses refutes it and the sides speak of the same quantities."""
    refuted: list[str] = []
    undecided: list[str] = []
    for reading in readings(met):
        try:
            left, found_l = parse(lhs, notation, reading)
            right, found_r = parse(rhs, notation, reading, integers=found_l.integers)
        except NotUnderstood as error:
            undecided.append(f"not understood: {error}")
            continue
        status, reason = compare(left, right, found_l, found_r, notation)
        if status == "correct":
            return Outcome("correct", "step", reason)
        if status == "inapplicable":        # W(x + b) read as a call, W a matrix elsewhere
            continue
        (refuted if status == "wrong" else undecided).append(reason)
    if refuted and not undecided:
        hint = symbolic_hint(lhs, rhs, notation)
        return Outcome("wrong", "step", refuted[0] + (f"; {hint}" if hint else ""))
    return Outcome("undecided", "step", (undecided or refuted or ["no reading applies"])[0])


def compare(left: sp.Basic, right: sp.Basic, found_l: Parsed, found_r: Parsed,
            notation: Notation) -> tuple[str, str]:
    """correct / wrong / undecided and the reason, for one reading."""
    pairs = entry_pairs(left, right)
    if pairs is None:
        return "undecided", shapes(left, right)
    if found_l.ordered or found_r.ordered:
        return _compare_products([(as_products(a), as_products(b)) for a, b in pairs],
                                              notation)
    if _bases(left) != _bases(right) and any(
            str(s) in INNER_PRODUCTS for side in (left, right) for s in side.free_symbols):
        status, reason = _compare_products([(as_products(a), as_products(b)) for a, b in pairs],
                                              notation)
        if status in ("correct", "wrong"):      # wᵀx + b = xᵀw + b
            return status, reason
    indices: set[str] = set()
    ranges: dict[sp.Symbol, Range] = {}
    unstated = "" if isinstance(left, sp.MatrixBase) else assumed_independent(left, right)
    if not isinstance(left, sp.MatrixBase) and families(left, right):
        try:
            with time_limit(SECONDS_PER_COMPARISON):
                left, right, indices, ranges = summed(left, right)   # ∂/∂w_j Σ_k w_k x_k
        except (ComparisonTimeout, TypeError, ValueError, NotImplementedError, RecursionError,
                AttributeError) as error:
            return "undecided", f"a sum over a family not carried out ({type(error).__name__})"
        pairs = [(left, right)]
    indices |= notation.sizes        # K, m: whole numbers ≥ 1, not values to be given
    same_quantities = quantities(left) - indices == quantities(right) - indices
    for a, b in pairs:
        status, reason = _compare_scalars(a, b, notation, same_quantities, ranges)
        if status == "wrong" and unstated:
            return "undecided", (f"{reason}, if {unstated} does not depend on the variable; the "
                                 "text does not say whether it does")
        if status == "wrong" and not same_quantities and _never_equal(a, b):
            return "wrong", f"{reason}, whatever the value of {_names(a, b)}"
        if status == "wrong" and not same_quantities:
            only = sorted(quantities(left) ^ quantities(right))
            return "undecided", (f"{', '.join(only[:3])} appear on one side only: a value or a "
                                 "definition the text does not give")
        if status != "correct":
            return status, reason
        dependent = made_dependent(a, b) if unstated else None
        if dependent is not None and _compare_scalars(
                dependent[0], dependent[1], notation, same_quantities, ranges)[0] != "correct":
            return "undecided", (f"right only if {unstated} does not depend on the variable "
                                 "(its derivative taken as 0); the text does not say")
    return "correct", reason


def _never_equal(a: sp.Expr, b: sp.Expr) -> bool:
    """A number on one side, and on the other what no real value of its names makes that
    number (∂e^{z_i}/∂z_i = 0: e^{z_i} is never 0): wrong whatever the text gives them."""
    try:
        with time_limit(1.0):
            a, b = carried_out(a), carried_out(b)
            if not (a.is_number or b.is_number) or a.has(AppliedUndef) or b.has(AppliedUndef):
                return False
            return (a - b).is_zero is False        # by its assumptions, not simplified
    except (ComparisonTimeout, TypeError, ValueError, NotImplementedError, RecursionError,
            AttributeError):
        return False


def _names(a: sp.Expr, b: sp.Expr) -> str:
    return ", ".join(sorted(quantities(a) | quantities(b))[:3])


def _compare_products(pairs: list[tuple[sp.Expr, sp.Expr]], notation: Notation
                      ) -> tuple[str, str]:
    """Sides whose products keep their order: the same expression, or random matrices
    (derive.check.matrices); wrong only when both sides speak of the same names."""
    try:
        with time_limit(SECONDS_PER_COMPARISON):
            if all(sp.expand(a - b) == 0 for a, b in pairs):
                return "correct", "the two sides are the same expression"
            for a, b in pairs:
                status, reason = compare_ordered(a, b, notation.symmetric,
                                                 notation.row_vectors)
                if status == "wrong" and _bases(a) != _bases(b):
                    only = sorted(_bases(a) ^ _bases(b))
                    return "undecided", (f"{', '.join(only[:3])} appear on one side only: a "
                                         "value or a definition the text does not give")
                if status != "correct":
                    return status, reason
    except ComparisonTimeout:
        return "undecided", "the comparison took too long"
    return "correct", reason


def as_products(e: sp.Expr) -> sp.Expr:
    """Every name that may be a matrix made non-commutative, and θᵀx, read as one number
    where it stood alone, written out as the product it is."""
    swaps = {s: sp.Symbol(INNER_PRODUCTS[s.name][0], commutative=False)
             * sp.Symbol(INNER_PRODUCTS[s.name][1], commutative=False)
             for s in e.free_symbols if isinstance(s, sp.Symbol) and s.name in INNER_PRODUCTS}
    return ordered(e.xreplace(swaps) if swaps else e)


def _bases(e: sp.Expr) -> set[str]:
    return {base_name(n) for n in quantities(e)}


def _compare_scalars(a: sp.Expr, b: sp.Expr, notation: Notation, thorough: bool = True,
                     ranges: dict[sp.Symbol, Range] | None = None) -> tuple[str, str]:
    """One entry.  Not ``thorough`` (the sides speak of different quantities, so the step can
    only be shown right): the cheap symbolic test alone."""
    try:
        with time_limit(SECONDS_PER_COMPARISON):
            a, b = carried_out(a), carried_out(b)
            if sp.expand(a - b) == 0:
                return "correct", "the two sides expand to the same expression"
            if not thorough:
                return "wrong", "the sides differ"
            verdict = check_equal(a, b, context_for(a, b, notation, ranges))
    except ComparisonTimeout:
        return "undecided", "the comparison took too long"
    except (NotUnderstood, TypeError, ValueError, NotImplementedError, RecursionError,
            ZeroDivisionError, AttributeError, KeyError, IndexError) as error:
        return "undecided", f"could not be compared ({type(error).__name__})"
    if verdict.status in ("proved", "checked"):
        return "correct", verdict.method
    if verdict.status == "refuted":
        return "wrong", counterexample(verdict.counterexample)
    return "undecided", verdict.method


compare_scalars = _compare_scalars     # for derive.check.library_results
