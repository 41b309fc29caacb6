"""What the text defined, and judging with it: names given formulas (``h = σ(x w_1)``),
hypotheses (``if W₁ = W₂``), matrices of numbers written out (their shapes) and names given
numbers (``z₁ = … = 0.3775``), carried into later lines.  A link whose every name the text gave
a number is arithmetic with those numbers (``σ(z₁) = 0.5866``), wrong only if wrong with
every number each name was given."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import re
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.dependence import hidden_dependence
from derive.check.entries import derivative_of_entries, generalised
from derive.check.evaluations import judge_numbers
from derive.check.matrices import Unsupported, base_name, ordered, transposed
from derive.check.notation import Notation, Reading
from derive.check.parser import Parsed
from derive.check.shared import Outcome, quantities

_NUMBER = r"[-−]?\d+(?:\.\d+)?"
_TUPLE = re.compile(rf"\(\s*({_NUMBER}(?:\s*,\s*{_NUMBER})+)\s*\)")


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
    # vectors written as tuples, x = (1, 2): a row or a column, the text does not say
    tuples: set[str] = dataclasses.field(default_factory=set)

    def add(self, name: sp.Basic, value: sp.Expr, line: int, assumption: bool = False,
            tuple_: bool = False) -> None:
        if isinstance(name, sp.Symbol) and isinstance(value, sp.MatrixBase):
            self.shapes.pop(name.name, None)
            (self.tuples.add if tuple_ else self.tuples.discard)(name.name)
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
        family = name.name.split("_")[0]
        for other in [n for n, said in self.numbers.items() if n.split("_")[0] == family
                      and n != name.name and all(line == 0 for _, line in said)]:
            del self.numbers[other]      # the text gives y its own numbers: not the problem's
        if text is None:
            self.numbers.pop(name.name, None)
        elif all(line == 0 for _, line in self.numbers.get(name.name, [])):
            self.numbers[name.name] = [(text, line)]      # the text's own, not the problem's
            if computed:
                self.computed.add((name.name, text))
        elif all(text != said for said, _ in self.numbers.get(name.name, [])):
            self.numbers[name.name] = [*self.numbers.get(name.name, []), (text, line)]
            if computed:
                self.computed.add((name.name, text))

    def carry_entries(self, name: sp.Basic, text: str, line: int) -> bool:
        """``y = (0, 0, 1)``: its entries given to y₁, y₂, y₃, each also to the index one
        less (a vector written bias first counts from 0); False when ``text`` is no tuple of
        numbers."""
        entries = _TUPLE.fullmatch(text)
        if not entries or not isinstance(name, sp.Symbol) or "_" in name.name:
            return False
        numbers = [e.replace("−", "-") for e in re.split(r"\s*,\s*", entries.group(1))]
        for k in range(len(numbers) + 1):
            for entry in numbers[max(k - 1, 0):k + 1]:
                self.carry(sp.Symbol(f"{name.name}_{{{k}}}"), entry, line, computed=False)
        return True

    def seed(self, given: dict[str, list[str]]) -> None:
        """The problem statement's numbers (line 0) for names that have none yet."""
        for name, numbers in given.items():
            self.numbers.setdefault(name, [(text, 0) for text in numbers])

    def lookup(self, name: str) -> tuple[sp.Expr, int] | None:
        """The definition of a name and its line; s_j from that of s_i, where s_i is a
        formula in i (derive.check.entries)."""
        return self.values.get(name) or generalised(name, self.values)


def bound_apart(value: sp.Expr, free: set[sp.Basic]) -> sp.Expr:
    """A definition's summation indices renamed apart from the letters the link it is put in
    uses freely (a_j = e^{z_j}/Σ_k e^{z_k}, then ∂a_j/∂z_k: that k is not the sum's)."""
    letters = {name for s in free for name in
               [str(s), *re.findall(r"_\{?([A-Za-z])\}?", str(s)),
                *re.findall(r"\[([A-Za-z])\]", str(s))]}

    def renamed(s: sp.Sum) -> sp.Sum:
        body, limits = s.function, []
        for limit in s.limits:
            old = limit[0]
            if old.name not in letters:
                limits.append(limit)
                continue
            new = sp.Symbol(f"bound{old.name}", **old.assumptions0)
            body = body.xreplace({old: new})
            limits.append((new, *limit[1:]))
        return sp.Sum(body, *limits)
    try:
        return value.replace(lambda e: isinstance(e, sp.Sum), renamed)
    except (TypeError, ValueError, AttributeError):
        return value


MAX_CARRIED_READINGS = 16
PRODUCT = Reading(letter_call="product")


def carried_numbers(left: sp.Basic, right: sp.Basic, found_l: Parsed, found_r: Parsed,
                    definitions: Definitions, computed: tuple[bool, bool] = (False, False)
                    ) -> dict[str, list[tuple[str, int]]]:
    """The numbers carried from earlier lines for every name of a link that has no other
    names (σ(z₁) = 0.5866 after z₁ = 0.35); empty if a name has no number, a side is a name
    alone (``a = y = 0.3``: an assignment, not a computation), or the link holds a derivative,
    an index or an opaque form."""
    if found_l.opaque or found_r.opaque or any(
            isinstance(side, sp.MatrixBase) or isinstance(side, sp.Symbol) and not written
            or side.has(
                sp.Derivative, sp.Sum, sp.Product, AppliedUndef, sp.Indexed, sp.KroneckerDelta)
            for side, written in zip((left, right), computed, strict=True)):
        return {}
    names = quantities(left) | quantities(right)
    if not names or any(name not in definitions.numbers for name in names) or any(
            s.is_integer for side in (left, right) for s in side.free_symbols):
        return {}
    return {name: definitions.numbers[name] for name in names}


def judge_carried(lhs: str, rhs: str, relation: str, notation: Notation,
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
    lines = ", ".join(sorted({str(line) for _, line in picked if line}, key=int))
    given = ", ".join(f"{n} = {text}" for n, (text, _) in zip(names, picked, strict=True))
    several = " or any other number the text gave them" if len(choices) > 1 else ""
    source = " and ".join(
        ([f"the definitions of line {lines}"] if lines else [])
        + ([f"the problem statement ({notation.statement})"]
           if any(line == 0 for _, line in picked) else []))
    verb = "give" if lines else "gives"
    return dataclasses.replace(outcome, reason=f"{outcome.reason} (with {given}, as "
                               f"{source} {verb}{several})")


def undefined_inverse(left: sp.Basic, right: sp.Basic, definitions: Definitions) -> str:
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


def substituted(e: sp.Expr, found: Parsed, definitions: Definitions, used: set[int]
                 ) -> sp.Expr:
    """Defined names replaced by their definitions (twice, for a definition that uses another),
    and an opaque derivative of a defined name carried out."""
    for _ in range(2):
        swaps: dict[sp.Basic, sp.Expr] = {}
        for atom, (body, variable, order) in found.derivatives.items():
            defined = definitions.lookup(body.name) if isinstance(body, sp.Symbol) else None
            if atom in e.free_symbols and defined is not None:
                line = defined[1]
                value = bound_apart(defined[0], e.free_symbols | variable.free_symbols)
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
                swaps[s], line = bound_apart(defined[0], e.free_symbols), defined[1]
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
