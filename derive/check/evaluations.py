"""Arithmetic (numbers on both sides, by interval arithmetic: derive.check.arithmetic), the
implications between two equations, counter-examples in words, and the hint 'possible
transcription error' where one character of the right side would make a link right."""

from __future__ import annotations

import dataclasses
import re

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.arithmetic import Literal, claimed, interval, iv, literal_of, overlap, shown
from derive.check.errors import NotUnderstood
from derive.check.notation import Notation, Reading
from derive.check.parser import parse
from derive.check.shared import (
    SECONDS_PER_COMPARISON,
    ComparisonTimeout,
    Outcome,
    context_for,
    time_limit,
)

UNIT_INTERVAL = iv.mpf([-1, 1])   # widens a claimed interval: lb + UNIT_INTERVAL * width


def judge_numbers(lhs: str, rhs: str, relation: str, notation: Notation,
                  carried: dict[str, tuple[str, bool]] | None = None,
                  reading: Reading | None = None
                  ) -> Outcome:
    """Arithmetic: the two sides' intervals must meet.  ``carried``: names the text gave a
    number before (z₁ = 0.3775): the number's text, and whether it was computed there (then
    read as a rounded number; given data, 0.1, is read as data is)."""
    table: dict[sp.Symbol, Literal] = {}
    try:
        left, _ = parse(lhs, notation, reading, literals=table)
        computing = set(table)
        right, _ = parse(rhs, notation, reading, literals=table)
        for symbol in set(table) - computing:
            table[symbol] = dataclasses.replace(table[symbol], claimed=True)
        if carried and right not in table:
            _copies_exact(set(table) - computing, carried, table)
        if carried:
            left, right = (_with_carried(side, carried, notation, table)
                           for side in (left, right))
        with time_limit(SECONDS_PER_COMPARISON):
            pairs = entry_pairs(left, right)
            if pairs is None and _written_matrices(lhs, rhs, left, right):
                return _other_shape(left, right, table, relation)
            if pairs is None:
                return Outcome("undecided", "arithmetic", shapes(left, right))
            for a, b in pairs:
                verdict = _numbers_agree(a, b, table, relation)
                if verdict is not None:
                    return verdict
    except NotUnderstood as error:
        return Outcome("undecided", "arithmetic", f"not understood: {error}")
    except ComparisonTimeout:
        return Outcome("undecided", "arithmetic", "the computation took too long")
    except (ZeroDivisionError, ValueError, OverflowError):
        return Outcome("undecided", "arithmetic", "a value is undefined (division by 0, log 0)")
    if right in table and table[right].value != 0 and not _exactly(left, right, table):
        notation.rounded.add(rhs.strip().strip("."))        # remembered as rounded
    return Outcome("correct", "arithmetic", "the numbers agree to the digits shown")


def _exactly(left: sp.Expr, right: sp.Expr, table: dict[sp.Symbol, Literal]) -> bool:
    """The claimed number is the computation's exact value (0.5 − 0.2 + 0.8 = 1.1): not a
    rounding, so a later 1.1 is 1.1 (not 1.1 ± 0.1, which would let σ′(1) pass for σ′(1.1))."""
    try:
        exact = left.xreplace({s: lit.value for s, lit in table.items()})
        return bool(exact.is_Rational) and exact == table[right].value
    except (TypeError, ValueError, AttributeError):
        return False


def _copies_exact(claimed: set[sp.Symbol], carried: dict[str, tuple[str, bool]],
                  table: dict[sp.Symbol, Literal]) -> None:
    """The numbers of a substitution (v₂ − η·2v₂ = 0.64 − 0.1·2·0.8, v₂ = 0.64, η = 0.1) that
    copy the values of the names substituted are those values, not roundings: 0.1 there is
    not 0.1 ± 0.05 (which would let the 0.8 of another iterate pass)."""
    values = set()
    for text, _ in carried.values():
        try:
            values.add(literal_of(text.strip().lstrip("-−")).value)
        except (ValueError, TypeError, ArithmeticError):
            continue
    for symbol in claimed:
        if table[symbol].value in values:
            table[symbol] = dataclasses.replace(table[symbol], unit=sp.Integer(0),
                                                claimed=False, known_rounded=False)


def _with_carried(e: sp.Basic, carried: dict[str, tuple[str, bool]], notation: Notation,
                  table: dict[sp.Symbol, Literal]) -> sp.Basic:
    """The names the text gave a number replaced by that number, as a rounded literal (a
    value carried from an earlier line is a rounding of what was computed there)."""
    swaps: dict[sp.Basic, sp.Basic] = {}
    for s in e.free_symbols:
        if str(s) not in carried:
            continue
        text, computed = carried[str(s)]
        start = set(table)
        value, _ = parse(text, notation, literals=table)
        for new in set(table) - start:
            if table[new].unit != 0 and computed:
                table[new] = dataclasses.replace(table[new], known_rounded=True)
        swaps[s] = value
    return e.xreplace(swaps) if swaps else e


_ENVIRONMENT = re.compile(r"\\begin\{[bpBv]?matrix\}")


def _written_matrices(lhs: str, rhs: str, left: sp.Basic, right: sp.Basic) -> bool:
    """Both sides matrices of numbers written out as matrices (no tuple, which may be a row
    or a column)."""
    return isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase) and all(
        _ENVIRONMENT.search(side) and "," not in side for side in (lhs, rhs))


def _other_shape(left: sp.MatrixBase, right: sp.MatrixBase, table: dict[sp.Symbol, Literal],
                 relation: str) -> Outcome:
    """A product of numbers written with another shape than it has: wrong, but for a vector
    written as a row where it is a column (or the reverse) with the right entries."""
    said = (f"the left is {left.shape[0]}×{left.shape[1]} and the right "
            f"{right.shape[0]}×{right.shape[1]}")
    if left.T.shape != right.shape:
        return Outcome("wrong", "arithmetic", said)
    if any(_numbers_agree(a, b, table, relation) is not None
           for a, b in zip(left.T, right, strict=True)):
        return Outcome("wrong", "arithmetic", f"{said}, and the entries differ too")
    if 1 in left.shape:
        return Outcome("undecided", "arithmetic", f"{said}: the entries agree, a row written "
                       "for a column (or the reverse)")
    return Outcome("wrong", "arithmetic", f"{said}: the right is the transpose of the left")


def entry_pairs(left: sp.Basic, right: sp.Basic) -> list[tuple[sp.Expr, sp.Expr]] | None:
    lm, rm = isinstance(left, sp.MatrixBase), isinstance(right, sp.MatrixBase)
    if lm != rm:
        return None
    if lm:
        if left.shape != right.shape:
            return None
        return list(zip(left, right, strict=True))
    return [(left, right)]


def shapes(left: sp.Basic, right: sp.Basic) -> str:
    def shape(e: sp.Basic) -> str:
        return "×".join(map(str, e.shape)) if isinstance(e, sp.MatrixBase) else "a scalar"
    return (f"the sides have different shapes ({shape(left)} and {shape(right)}): a name may "
            "stand for a matrix, or a shape note was read as a factor")


def _numbers_agree(a: sp.Expr, b: sp.Expr, table: dict[sp.Symbol, Literal], relation: str
                   ) -> Outcome | None:
    """None where the entries agree, else the wrong outcome."""
    la, lb = interval(a, table), claimed(b, table)
    if isinstance(b, sp.Integer):
        # 63 for 63.09 (a large value rounded); 0 for σ(-40), 1 for σ(15), not for σ(0.5)
        lb = lb + UNIT_INTERVAL * (0.5 if abs(float(la.a.a)) >= 10 else 0.005)
    if relation == "≈":
        if b not in table and not isinstance(b, sp.Integer):
            return Outcome("undecided", "arithmetic", "≈ with a formula on the right: an "
                           "approximation, not a rounding")
        if isinstance(b, sp.Integer):     # ≈ 0, ≈ 1: near it, within 5 %
            lb = claimed(b, table) + UNIT_INTERVAL * 0.05 * max(1, abs(int(b)))
        else:
            width = max(float(lb.b.b) - float(lb.a.a), abs(float(lb.a.a)) * 0.005)
            lb = lb + UNIT_INTERVAL * width * 2
    if overlap(la, lb):
        return None
    hint = transcription_hint(a, b, table)
    true = shown(interval(a, table, widen=False))
    reason = f"the left is {true}, which the right does not round to"
    return Outcome("wrong", "arithmetic", reason + (f"; {hint}" if hint else ""))


def transcription_hint(a: sp.Expr, b: sp.Expr, table: dict[sp.Symbol, Literal]) -> str:
    """'possible transcription error' when one character of the claimed number explains the
    difference (a digit misread or mistyped, a lost minus)."""
    if b not in table and not isinstance(b, sp.Integer):
        return ""
    written = str(table[b].value if b in table else b)
    text = _decimal_text(table[b]) if b in table else written
    true = interval(a, table)
    for k, c in enumerate(text):
        options = "0123456789" if c.isdigit() else ""
        for d in options:
            if d == c:
                continue
            candidate = text[:k] + d + text[k + 1:]
            if _matches(candidate, true):
                return f"possible transcription error ({text} where {candidate} is right)"
    if _matches("-" + text, true):
        return f"possible transcription error (a lost minus: -{text} is right)"
    return ""


def _decimal_text(lit: Literal) -> str:
    decimals = len(str(lit.unit.q)) - 1
    return f"{float(lit.value):.{decimals}f}"


def _matches(candidate: str, true) -> bool:  # noqa: ANN001
    from derive.check.arithmetic import literal_of
    try:
        lit = literal_of(candidate.lstrip("-"))
    except (ValueError, TypeError):
        return False
    sign = -1 if candidate.startswith("-") else 1
    x = sp.Symbol("#c")
    return overlap(true, interval(sign * x, {x: lit}))


def judge_implication(a: str, b: str, c: str, d: str, notation: Notation) -> Outcome:
    """a = b ⇒ c = d: correct when every solution of the first (for a symbol both share)
    satisfies the second, or the second is the first rearranged; otherwise undecided."""
    from derive.implications import consequence
    try:
        sides = [parse(t, notation)[0] for t in (a, b, c, d)]
    except NotUnderstood as error:
        return Outcome("undecided", "implication", f"not understood: {error}")
    if any(isinstance(e, sp.MatrixBase) for e in sides):
        return Outcome("undecided", "implication", "an implication between matrices")
    premise, conclusion = sides[0] - sides[1], sides[2] - sides[3]
    try:
        with time_limit(SECONDS_PER_COMPARISON):
            ratio = sp.simplify(conclusion / premise) if premise != 0 else None
            if ratio is not None and ratio.is_number and ratio != 0:
                return Outcome("correct", "implication", "the same equation rearranged")
            shared = sorted(premise.free_symbols & conclusion.free_symbols, key=str)
            ctx = context_for(premise, conclusion, notation)
            for x in shared[:2]:
                verdict = consequence(premise, conclusion, x, ctx)
                if verdict.status in ("proved", "checked"):
                    return Outcome("correct", "implication", verdict.method)
    except ComparisonTimeout:
        return Outcome("undecided", "implication", "the comparison took too long")
    except (TypeError, ValueError, NotImplementedError, RecursionError, ZeroDivisionError,
            AttributeError, KeyError, IndexError) as error:
        return Outcome("undecided", "implication",
                       f"could not be compared ({type(error).__name__})")
    return Outcome("undecided", "implication", "does not follow from the equation before alone "
                   "(it may use a fact stated in words)")


def symbolic_hint(lhs: str, rhs: str, notation: Notation) -> str:
    """'possible transcription error' when changing one symbol of the right side (a letter or
    digit for another, a sign) makes the step agree at random points."""
    from derive.check.lexer import Token, tokens
    try:
        left, _ = parse(lhs, notation)
        toks = tokens(rhs)
    except NotUnderstood:
        return ""
    if isinstance(left, sp.MatrixBase) or left.has(sp.Sum, sp.Product, AppliedUndef, sp.Indexed):
        return ""
    letters = sorted({t.text for t in tokens(lhs) if t.kind == "letter"})[:4]
    for k, t in enumerate(toks[:60]):
        options: list[str] = []
        if t.kind in ("letter", "num"):
            options = [o for o in ["1", "0", "2", *letters] if o != t.text]
        elif t.kind == "sym" and t.text in "+-":
            options = ["-" if t.text == "+" else "+"]
        for option in options:
            kind = "num" if option.isdigit() else ("sym" if option in "+-" else "letter")
            edited = toks[:k] + [Token(kind, option, t.at)] + toks[k + 1:]
            if _agree_at_points(left, edited, notation):
                return f"possible transcription error ({t.text} where {option} makes it right)"
    return ""


def _agree_at_points(left: sp.Expr, edited: list, notation: Notation) -> bool:  # noqa: ANN001
    try:
        with time_limit(0.5):
            right, _ = parse(edited, notation)
            if isinstance(right, sp.MatrixBase) or right.has(sp.Sum, sp.Product, AppliedUndef):
                return False
            symbols = sorted(left.free_symbols | right.free_symbols, key=str)
            for point in ((0.31, 0.47, 0.23, 0.61), (0.73, 0.19, 0.57, 0.41)):
                values = {s: point[i % 4] + 0.01 * i for i, s in enumerate(symbols)}
                a = complex(left.subs(values).evalf(30))
                b = complex(right.subs(values).evalf(30))
                if not abs(a - b) <= 1e-12 * max(1.0, abs(a)):
                    return False
            return True
    except (NotUnderstood, ComparisonTimeout, TypeError, ValueError, ZeroDivisionError):
        return False


def counterexample(example: dict[str, str] | None) -> str:
    """The verifier's counter-example in words: where the sides differ, and their values."""
    if not example:
        return "the two sides differ"
    at = ", ".join(_at(k, v) for k, v in example.items() if k not in ("lhs", "rhs", "functions"))
    return (f"the sides differ: at {at or 'a point'} the left is {_short(example.get('lhs', '?'))}"
            f" and the right {_short(example.get('rhs', '?'))}")


def _at(name: str, value: str) -> str:
    """z = 0.5; a family's entries one by one: z_1 = -1.98, z_2 = -1.99 (z_{·} = 1: …)."""
    entries = re.findall(r"(\d+): ([-+0-9.e]+)", value) if name.endswith("_{·}") else []
    if not entries:
        return f"{name} = {_short(value)}"
    return ", ".join(f"{name[:-4]}_{k} = {_short(v)}" for k, v in entries)


def _short(value: str) -> str:
    try:
        return f"{float(value):.6g}"
    except ValueError:
        return value[:40]
