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
import itertools
import re
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.dependence import assumed_independent, hidden_dependence
from derive.check.entries import Range, derivative_of_entries, families, generalised, summed
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
from derive.check.matrices import Unsupported, base_name, compare_ordered, ordered, transposed
from derive.check.notation import Notation, Reading
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
_SHAPE_PRODUCT = re.compile(rf"(?:\s*[\[(]\s*{_DIMENSIONS}\s*[\])]\s*){{2,}}")
_SHAPE_RESULT = re.compile(rf"\s*[\[(]?\s*{_DIMENSIONS}\s*[\])]?\s*")
_RAISED_POINT = re.compile(r"(\d)·(\d)")   # 0·6: a raised decimal point, or 0 × 6
_DECIMAL_COMMA = re.compile(r"(\d)(?:,|\{,\})(\d)")   # 0,52: a decimal comma, or a pair


def judge_link(lhs: str, rhs: str, relation: str, notation: Notation,
               definitions: Definitions | None = None,
               conditions: tuple[Condition, ...] = ()) -> Outcome:
    """The outcome of ``lhs relation rhs`` read as a claimed equality; ``definitions`` (the
    names the text defined before) can show a step right, never wrong.  Names that differ
    only in their index letters (z_i, z_j) are judged both as the same and as different
    quantities (derive.check.indices), under the ``conditions`` the text states."""
    found = coincidences(lhs, rhs, conditions)
    if found is None:
        return _judge_dotted(lhs, rhs, relation, notation, definitions)
    return judged_in_every_reading(
        found, lambda a, b: _judge_dotted(a, b, relation, notation, definitions),
        lambda: _judge_dotted(lhs, rhs, relation, notation, definitions))


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
    if _SHAPE_PRODUCT.fullmatch(lhs) and _SHAPE_RESULT.fullmatch(rhs):
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
            left, found_l = parse(lhs, notation, _PRODUCT)
            right, found_r = parse(rhs, notation, _PRODUCT, integers=found_l.integers)
            as_product = True
    if definitions is not None and definitions.numbers \
            and (carried := _carried(left, right, found_l, found_r, definitions)):
        return _judge_carried(lhs, rhs, relation, notation, carried, definitions.computed,
                              _PRODUCT if as_product else None)
    if definitions is not None and (undefined := _undefined_inverse(left, right, definitions)):
        return Outcome("wrong", "step", undefined)
    if relation != "=":
        return Outcome("undecided", "step", f"a symbolic {relation} is not checked")
    outcome = judge_symbolic(lhs, rhs, notation, found_l.met | found_r.met)
    if outcome.verdict != "correct" and definitions:
        again = with_definitions(lhs, rhs, notation, definitions)
        if again is not None and (again.verdict == "correct" or outcome.verdict == "undecided"):
            return again          # a definition shows the step right, or the assumption wrong
    return outcome


@dataclass
class Definitions:
    """Names the text defined (``h = σ(x w_1)``), the latest first, with their lines."""

    values: dict[str, tuple[sp.Expr, int]] = dataclasses.field(default_factory=dict)
    assumed: set[int] = dataclasses.field(default_factory=set)   # lines of 'if W₁ = W₂'
    # matrices of numbers written out (X = [[1, 1], [1, 2], [1, 3]]): their shapes
    shapes: dict[str, tuple[tuple[int, int], int]] = dataclasses.field(default_factory=dict)
    # names the text gave a number (z₁ = … = 0.3775): the number's text and its line
    # names the text gave a number in this question (z₁ = … = 0.3775): each number's text
    # and line, the latest last (a name given several numbers may mean any of them)
    numbers: dict[str, list[tuple[str, int]]] = dataclasses.field(default_factory=dict)
    computed: set[tuple[str, str]] = dataclasses.field(default_factory=set)   # not given data

    def add(self, name: sp.Basic, value: sp.Expr, line: int, assumption: bool = False
            ) -> None:
        if isinstance(name, sp.Symbol) and isinstance(value, sp.MatrixBase):
            self.shapes.pop(name.name, None)
            if not value.free_symbols:
                self.shapes[name.name] = (value.shape, line)
        if isinstance(name, sp.Symbol) and not isinstance(value, sp.MatrixBase) \
                and name not in value.free_symbols and "∂" not in name.name:
            self.values[name.name] = (value, line)
            if assumption:
                self.assumed.add(line)

    def __bool__(self) -> bool:
        return bool(self.values) or bool(self.numbers)

    def carry(self, name: sp.Basic, text: str | None, line: int, computed: bool = True
              ) -> None:
        """``name`` was given the number ``text`` on ``line`` (None: given a formula, so a
        number it had before no longer holds)."""
        if not isinstance(name, sp.Symbol) or "∂" in name.name:
            return
        if text is None:
            self.numbers.pop(name.name, None)
        elif all(text != said for said, _ in self.numbers.get(name.name, [])):
            self.numbers[name.name] = [*self.numbers.get(name.name, []), (text, line)]
            if computed:
                self.computed.add((name.name, text))

    def lookup(self, name: str) -> tuple[sp.Expr, int] | None:
        """The definition of a name and its line; s_j from that of s_i, where s_i is a
        formula in i (derive.check.entries)."""
        return self.values.get(name) or generalised(name, self.values)


MAX_CARRIED_READINGS = 16
_PRODUCT = Reading(letter_call="product")


def _carried(left: sp.Basic, right: sp.Basic, found_l: Parsed, found_r: Parsed,
             definitions: Definitions) -> dict[str, list[tuple[str, int]]]:
    """The numbers carried from earlier lines for every name of a link that has no other
    names (σ(z₁) = 0.5866 after z₁ = 0.35); empty if a name has no number, a side is a name
    alone (``a = y = 0.3``: an assignment, not a computation), or the link holds a derivative,
    an index or an opaque form."""
    if found_l.opaque or found_r.opaque or any(
            isinstance(side, (sp.MatrixBase, sp.Symbol)) or side.has(
                sp.Derivative, sp.Sum, sp.Product, AppliedUndef, sp.Indexed, sp.KroneckerDelta)
            for side in (left, right)):
        return {}
    names = quantities(left) | quantities(right)
    if not names or any(name not in definitions.numbers for name in names) or any(
            s.is_integer for side in (left, right) for s in side.free_symbols):
        return {}
    return {name: definitions.numbers[name] for name in names}


def _judge_carried(lhs: str, rhs: str, relation: str, notation: Notation,
                   carried: dict[str, list[tuple[str, int]]], computed: set[tuple[str, str]],
                   reading: Reading | None = None) -> Outcome:
    """Arithmetic with the numbers the text gave the link's names: right if right with one
    choice of them (a name given two numbers, 0.2741 and later 0.2219, may mean either),
    wrong only if wrong with every choice."""
    names = sorted(carried)
    choices = list(itertools.islice(itertools.product(*(carried[n] for n in names)),
                                    MAX_CARRIED_READINGS))
    outcomes: list[tuple[Outcome, list[tuple[str, int]]]] = []
    for choice in choices:
        outcome = judge_numbers(lhs, rhs, relation, notation,
                                {n: (text, (n, text) in computed)
                                 for n, (text, _) in zip(names, choice, strict=True)},
                                reading)
        outcomes.append((outcome, list(choice)))
        if outcome.verdict == "correct":
            break
    outcome, picked = outcomes[-1]
    if outcome.verdict != "correct" and (
            len(choices) < len(list(itertools.product(*(carried[n] for n in names))))
            or any(o.verdict != "wrong" for o, _ in outcomes)):
        outcome = dataclasses.replace(outcome, verdict="undecided")
    if outcome.verdict == "wrong":
        outcome, picked = outcomes[0]
    lines = ", ".join(sorted({str(line) for _, line in picked}, key=int))
    given = ", ".join(f"{n} = {text}" for n, (text, _) in zip(names, picked, strict=True))
    several = " or any other number the text gave them" if len(choices) > 1 else ""
    return dataclasses.replace(outcome, reason=f"{outcome.reason} (with {given}, as the "
                               f"definitions of line {lines} give{several})")


def _undefined_inverse(left: sp.Basic, right: sp.Basic, definitions: Definitions) -> str:
    """The inverse of a matrix the text wrote out with more rows than columns or fewer
    (X⁻¹ of a 3×2 X): it does not exist, so a side holding it is no value."""
    for side in (left, right):
        if isinstance(side, sp.MatrixBase):
            continue
        for p in side.atoms(sp.Pow):
            if p.exp.is_negative and isinstance(p.base, sp.Symbol) \
                    and base_name(p.base.name) in definitions.shapes:
                (rows, cols), line = definitions.shapes[base_name(p.base.name)]
                if rows != cols:
                    name = p.base.name.replace("^{T}", "ᵀ")
                    return (f"{name} is {rows if name == base_name(p.base.name) else cols}×"
                            f"{cols if name == base_name(p.base.name) else rows} by the "
                            f"definitions of line {line}: {name}⁻¹ does not exist")
    return ""


def _substituted(e: sp.Expr, found: Parsed, definitions: Definitions, used: set[int]
                 ) -> sp.Expr:
    """Defined names replaced by their definitions (twice, for a definition that uses another),
    and an opaque derivative of a defined name carried out."""
    for _ in range(2):
        swaps: dict[sp.Basic, sp.Expr] = {}
        for atom, (body, variable, order) in found.derivatives.items():
            defined = definitions.lookup(body.name) if isinstance(body, sp.Symbol) else None
            if atom in e.free_symbols and defined is not None:
                value, line = defined
                summed_over = derivative_of_entries(value, variable, order)
                if summed_over is not None:          # ∂s_i/∂z_j, s_i = e^{z_i}/Σ_k e^{z_k}
                    swaps[atom] = summed_over
                    used.add(line)
                    continue
                if not value.has(variable) or hidden_dependence(value, variable, "partial"):
                    continue
                swaps[atom] = sp.Derivative(value, (variable, order)).doit()
                used.add(line)
        held = {v for d in e.atoms(sp.Derivative) for v in d.variables}
        for s in e.free_symbols - held:
            if not isinstance(s, sp.Symbol) or s in swaps:
                continue
            if (defined := definitions.lookup(s.name)) is not None:
                swaps[s], line = defined
                used.add(line)
            elif s.name.endswith("^{T}") and base_name(s.name) in definitions.values:
                value, line = definitions.values[base_name(s.name)]
                with contextlib.suppress(Unsupported):       # W₁ᵀ where W₁ = W₂: W₂ᵀ
                    swaps[s] = transposed(ordered(value))
                    used.add(line)
        if not swaps:
            break
        e = e.xreplace(swaps)
    return e


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
                a = _substituted(left, found_l, definitions, used)
                b = _substituted(right, found_r, definitions, used)
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


