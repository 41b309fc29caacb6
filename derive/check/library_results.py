"""A solution's final result compared with derive's own derivation of the problem it answers.

The problem is the one the front matter names (``problem: A14``) or a heading of the question
calls (``A14.``, ``## A14:``, ``\\section*{A14: …}``); its derivations are the library's that
list it (``@derivation(..., problems=("A13", "A14"))``).  So far one derivation's result is
read: ``bce-gradient`` (A13, A14), ∂J/∂θⱼ = Σᵢ (hᵢ − yᵢ) xᵢⱼ for the cost
J = −Σᵢ [yᵢ log hᵢ + (1 − yᵢ) log(1 − hᵢ)].

A chain whose left side is the derivative of the text's own cost with respect to θⱼ (or θ,
or ∇_θ of it) has its last expression compared with the derivation's gradient: the text's
notation mapped to the derivation's (h, h_θ(x⁽ⁱ⁾), σ(θᵀx⁽ⁱ⁾), h⁽ⁱ⁾ → h; y⁽ⁱ⁾ → y; x⁽ⁱ⁾ⱼ,
x⁽ⁱ⁾ → x; m), the text's cost read as c times the derivation's (c = ±1, ±1/m: a mean, or a
log-likelihood to maximise), so the expected result is c times the derivation's.  A result
that differs at every number of examples tried is wrong even when every line before it
follows from the previous one (a sign flipped twice, a 1/m lost with the definition);
a name the mapping does not know, a cost it cannot read, a cost of one example against a
summed result: undecided, never wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.document import Chain
from derive.check.errors import NotUnderstood
from derive.check.findings import Finding
from derive.check.judge import compare_scalars
from derive.check.library_names import EX, H0, X0, Y0, H, M, Unreadable, X, Y, canonical
from derive.check.library_names import from_library as _from_library
from derive.check.notation import Notation
from derive.check.parser import parse
from derive.check.shared import readings

_BY = ("\\theta", "\\theta_{j}")      # ∂/∂θⱼ, or ∂/∂θ of the whole vector
VERIFIED = ("proved", "checked")     # a result the verifier did not confirm is not used
SCALES = (sp.S.One, -sp.S.One, 1 / M, -1 / M)
EXAMPLE_COUNTS = (1, 2, 3)     # the cost read: the same expression at each
COMPARED_COUNTS = (2, 3)        # the result: at m = 1 a lost 1/m would not show
_PROBLEM_ID = re.compile(r"^\s*([A-Z]\d{1,2})\s*$")
_HEADING_ID = re.compile(r"^\s*(?:#+\s*|\\(?:sub)*section\*?\{\s*|\*\*)?(?:Problem\s+)?"
                         r"([A-Z]\d{1,2})\s*[.:)]")
_NABLA = re.compile(r"^\s*(?:\\nabla|∇)\s*_\s*\{?\s*(?:\\theta|θ)\s*\}?\s*(.+?)\s*$")


@dataclass(frozen=True)
class LibraryResult:
    """A derivation's verified result, in the canonical symbols: the cost (summed over the
    examples) and its gradient ∂J/∂θⱼ."""

    name: str
    cost: sp.Expr
    gradient: sp.Expr

    def shown(self) -> str:
        return "∂J/∂θ_j = Σ_i (h_i − y_i) x_ij"


def problem_of_lines(chains: list[Chain], text: str, front: dict) -> Callable[[int], str]:
    """The problem each line answers: the last heading before it that names one (A14.),
    else the front matter's ``problem:`` when it names one problem."""
    named = str(front.get("problem") or "")
    default = named.strip() if _PROBLEM_ID.match(named) else ""
    headings = [(k, m.group(1)) for k, line in enumerate(text.splitlines(), start=1)
                if (m := _HEADING_ID.match(line))]

    def problem(line: int) -> str:
        found = [p for k, p in headings if k <= line]
        return found[-1] if found else default

    return problem


def library_result(problem: str) -> LibraryResult | None:
    """The derivation of ``problem`` whose result this module reads (None: none)."""
    if problem not in ("A13", "A14"):
        return None
    from derive.registry import DERIVATIONS, loaded_library  # the library, on demand

    loaded_library()
    derivation = DERIVATIONS["bce-gradient"]()      # verified (the pipeline's, cached)
    if problem not in derivation.problems:
        return None
    cost = gradient = None
    for step in derivation.steps:
        if isinstance(step.lhs, sp.Symbol) and step.lhs.name == "J" \
                and isinstance(step.rhs, sp.Expr) and step.rhs.has(sp.Sum):
            cost = step.rhs
        if isinstance(step.lhs, sp.Derivative) and not step.rhs.has(sp.Derivative):
            gradient = step.rhs if step.verdict is not None \
                and step.verdict.status in VERIFIED else None
    if cost is None or gradient is None:
        return None
    return LibraryResult("bce-gradient", _from_library(cost), _from_library(gradient))

def scale_of(text_cost: sp.Expr, library_cost: sp.Expr) -> tuple[sp.Expr, bool] | None:
    """c with the text's cost = c × the derivation's (summed) or c × its summand (one example,
    then True); None when no c makes them the same expression (a cost not read: no verdict)."""
    summand = _one_example(library_cost)
    candidates = [(library_cost, False), (summand, True)]
    for target, one in candidates:
        if text_cost.has(sp.Sum) == one:
            continue
        for c in SCALES:
            if one and c.has(M):
                continue
            if all(_same(text_cost, c * target, k) for k in EXAMPLE_COUNTS):
                return c, one
    return None


def _one_example(e: sp.Expr) -> sp.Expr:
    """The summand of a sum over the examples, for one example (h, y, x)."""
    sums = list(e.atoms(sp.Sum))
    sign = -1 if e == -sums[0] else 1
    return sign * sums[0].function.xreplace({H[EX]: H0, Y[EX]: Y0, X[EX]: X0})


def _expanded(e: sp.Expr, k: int) -> sp.Expr:
    e = e.xreplace({M: sp.Integer(k)}).doit()
    return e.xreplace({a: sp.Symbol(f"{a.base}{a.indices[0]}") for a in e.atoms(sp.Indexed)})


def _same(a: sp.Expr, b: sp.Expr, k: int) -> bool:
    return sp.expand(sp.expand_log(_expanded(a, k) - _expanded(b, k), force=True)) == 0


def compare_result(text_result: sp.Expr, expected: sp.Expr, notation: Notation) -> str:
    """correct, wrong (differs at every number of examples tried) or undecided: each through
    the checker's own comparison of scalars."""
    statuses = {compare_scalars(_expanded(text_result, k), _expanded(expected, k),
                                notation)[0] for k in COMPARED_COUNTS}
    return statuses.pop() if len(statuses) == 1 else "undecided"


def _either(claimed: sp.Expr, expected: list[sp.Expr], notation: Notation) -> str:
    """Right if right against one of the readings, wrong only if wrong against each."""
    statuses = [compare_result(claimed, e, notation) for e in expected]
    if "correct" in statuses:
        return "correct"
    return "wrong" if all(s == "wrong" for s in statuses) else "undecided"


def compared_results(chains: list[Chain], notation: Notation, problem: Callable[[int], str],
                     already_wrong: set[int]) -> list[Finding]:
    """A finding (kind ``result``) for the last expression of each chain whose left side is
    the gradient the named problem's derivation states."""
    findings: list[Finding] = []
    for chain, name, result in equality_chains(chains, problem, library_result):
        cost_name = _differentiated_cost(chain.pieces[0].text, notation)
        if cost_name is None:
            continue
        last = chain.pieces[-1]
        if last.line in already_wrong:
            continue                       # reported once, by the step
        definitions = _cost_definitions(chains, cost_name, notation, problem, name, chain)
        if definitions and not _h_is_logistic(chains, notation):
            findings.append(Finding(last.line, "undecided", "result", chain.pieces[0].text
                                    .strip(), last.text.strip(), f"not compared with "
                                    f"{result.name}: the text defines h otherwise than as "
                                    "σ(θᵀx)", "="))
        elif definitions:                    # else the derivative of no cost the text gives
            findings.append(_judged(chain, cost_name, result, definitions, notation))
    return findings


Results = TypeVar("Results")


def equality_chains(chains: list[Chain], problem: Callable[[int], str],
                    results_of: Callable[[str], Results | None], plain: bool = False
                    ) -> Iterator[tuple[Chain, str, Results]]:
    """Each chain of two or more pieces linked by '=' alone (``plain``: under no condition
    either) in a named problem whose library results ``results_of`` gives (looked up once a
    problem), with the problem's name and those results."""
    found: dict[str, Results | None] = {}
    for chain in joined(chains):
        if len(chain.pieces) < 2 or any(r != "=" for r in chain.relations) \
                or (plain and chain.conditions):
            continue
        name = problem(chain.pieces[0].line)
        if not name:
            continue
        if name not in found:
            found[name] = results_of(name)
        results = found[name]
        if results is not None:
            yield chain, name, results


def joined(chains: list[Chain]) -> list[Chain]:
    """Chains continued over rows or displays (a row starting with '=') made one."""
    out: list[Chain] = []
    for chain in chains:
        if chain.continues and out and out[-1].inline == chain.inline and chain.relations:
            before = out[-1]
            out[-1] = Chain(list(before.pieces) + list(chain.pieces),
                            list(before.relations) + list(chain.relations),
                            inline=before.inline, section=before.section,
                            problem=before.problem)
        else:
            out.append(chain)
    return out


def _judged(chain: Chain, cost_name: str, result: LibraryResult,
            definitions: list[list[sp.Expr]], notation: Notation) -> Finding:
    first, last = chain.pieces[0], chain.pieces[-1]

    def finding(verdict: str, reason: str) -> Finding:
        return Finding(last.line, verdict, "result", first.text.strip(), last.text.strip(),
                       reason, "=")

    scales = set()
    for defined in definitions:               # each reading of each definition
        for value in defined:
            try:
                read = scale_of(canonical(value), result.cost)
            except (Unreadable, TypeError, ValueError, AttributeError, IndexError):
                read = None
            if read is not None:
                scales.add(read)
    if len(scales) != 1:
        return finding("undecided", f"the result of {result.name} ({result.shown()}) is not "
                       f"compared: the text's {cost_name} is "
                       + ("not defined in a form read as the cross-entropy" if not scales
                          else "defined twice, differently"))
    (c, one), = scales
    expected = _one_example(result.gradient) if one else result.gradient
    expected = c * expected
    claims, errors = [], []
    for value in read_all(last.text, notation):
        try:
            claims.append(canonical(value))
        except Unreadable as error:
            errors.append(str(error))
    if not claims:
        return finding("undecided", f"not compared with {result.name}'s result: "
                       f"{(errors or ['it'])[0]} is not one of its names")
    said = f"{cost_name} = {_said(c, one)}"
    statuses = []
    for claimed in claims:
        if claimed.has(sp.Sum) and one:     # ∇L = Σᵢ …: the one example's cost summed, or
            summed = c * result.gradient     # averaged, over the examples; either is read
            statuses.append(_either(claimed, [summed, summed / M], notation))
        elif claimed.has(sp.Sum) != one:
            statuses.append(compare_result(claimed, expected, notation))
        else:
            statuses.append("undecided")
    if one and all(claimed.has(sp.Sum) for claimed in claims):
        said += " summed (or averaged) over the examples"
        one = False
    if not one and not any(claimed.has(sp.Sum) for claimed in claims):
        return finding("undecided", f"not compared with {result.name}: the cost is summed, "
                       "the result of one example")
    status = "correct" if "correct" in statuses else "wrong" \
        if all(s == "wrong" for s in statuses) else "undecided"
    if status == "correct":
        return finding("correct", f"the result of derive's {result.name} ({result.shown()}), "
                       f"with {said}")
    if status == "wrong":
        return finding("wrong", f"derive's verified {result.name} gives {result.shown()}; "
                       f"with {said}, the gradient is {_said(c, one, 'gradient')}, and this "
                       "result differs from it (a sign or a factor 1/m?)")
    return finding("undecided", f"not decided against {result.name}'s result")


def _said(c: sp.Expr, one: bool, what: str = "cost") -> str:
    """c × the derivation's cost or gradient, as written (J = −(1/m) Σ …, ℓ = Σ …)."""
    body = {("cost", False): "Σ_i [y_i log h_i + (1 − y_i) log(1 − h_i)]",
            ("cost", True): "[y log h + (1 − y) log(1 − h)]",
            ("gradient", False): "Σ_i (h_i − y_i) x_ij",
            ("gradient", True): "(h − y) x_j"}[(what, one)]
    sign = -1 if what == "cost" else 1          # the derivation's cost is −Σ …
    negative = (c.could_extract_minus_sign()) != (sign < 0)
    return ("−" if negative else "") + ("(1/m) " if c.has(M) else "") + body


def _h_is_logistic(chains: list[Chain], notation: Notation) -> bool:
    """Every definition the text gives h (h = …, h_θ(x) = …) is σ of something: the
    derivation's h (the problem's h = σ(θᵀx)); a tanh or a linear h is another problem."""
    for chain in chains:
        if len(chain.pieces) < 2 or not chain.relations or chain.relations[0] != "=":
            continue
        try:
            head, _ = parse(chain.pieces[0].text, notation)
        except NotUnderstood:
            continue
        named = head.name if isinstance(head, sp.Symbol) else str(head.func) \
            if isinstance(head, AppliedUndef) else ""
        if named not in ("h", "h_{\\theta}"):
            continue
        try:
            value, _ = parse(chain.pieces[1].text, notation)
        except NotUnderstood:
            return False
        if type(value).__name__ != "sigmoid":
            return False
    return True


def _differentiated_cost(text: str, notation: Notation) -> str | None:
    """The cost's name where the text is ∂J/∂θⱼ, ∂J/∂θ or ∇_θ J (J, J(θ), L …)."""
    nabla = _NABLA.match(text)
    try:
        if nabla:
            left, _ = parse(nabla.group(1), notation)
            return _name(left)
        left, found = parse(text, notation)
    except NotUnderstood:
        return None
    if isinstance(left, sp.Derivative) and len(left.variables) == 1 \
            and isinstance(left.expr, AppliedUndef) and str(left.variables[0]) in _BY:
        return _name(left.expr)               # d l(θ)/dθ: l applied to θ
    if left not in found.derivatives:
        return None
    of, by, order = found.derivatives[left]
    if order != 1 or not isinstance(by, sp.Symbol) or by.name not in _BY:
        return None
    return _name(of)


def _name(e: sp.Basic) -> str | None:
    if isinstance(e, sp.Symbol):
        return e.name
    if isinstance(e, AppliedUndef) and len(e.args) == 1 and str(e.args[0]) == "\\theta":
        return str(e.func)
    if isinstance(e, sp.Mul) and len(e.args) == 2 and all(isinstance(a, sp.Symbol)
                                                          for a in e.args):
        names = sorted(a.name for a in e.args)        # ℓ(θ) read as a product ℓ θ
        if "\\theta" in names:
            names.remove("\\theta")
            return names[0]
    return None


def _cost_definitions(chains: list[Chain], cost_name: str, notation: Notation,
                      problem: Callable[[int], str], name: str, claim: Chain
                      ) -> list[list[sp.Expr]]:
    """The expressions the text gives its cost (J = …, J(θ) = …) before the claim: in its
    question if it defines the cost there, else in the parts before of the same problem."""
    by_section = _definitions_where(chains, cost_name, notation, claim,
                                    lambda c: c.section == claim.section
                                    and problem(c.pieces[0].line) == name)
    return by_section or _definitions_where(chains, cost_name, notation, claim,
                                            lambda c: c.problem == claim.problem
                                            and problem(c.pieces[0].line) == name)


def _definitions_where(chains: list[Chain], cost_name: str, notation: Notation, claim: Chain,
                       where: Callable[[Chain], bool]) -> list[list[sp.Expr]]:
    found: list[list[sp.Expr]] = []
    for chain in chains:
        if not chain.pieces or chain.pieces[0].line > claim.pieces[0].line:
            break
        if not chain.relations or chain.relations[0] != "=" or not where(chain):
            continue
        try:
            head, _ = parse(chain.pieces[0].text, notation)
        except NotUnderstood:
            continue
        if _name(head) != cost_name:
            continue
        for piece in chain.pieces[1:]:
            values = read_all(piece.text, notation)
            if values and not any(v.has(sp.Derivative) for v in values) \
                    and all(v.has(sp.log) for v in values):
                found.append(values)
                break                 # its first form: later ones are the text's steps
    return found


def read_all(text: str, notation: Notation) -> list[sp.Expr]:
    """Every reading of a side (how far a Σ reaches, h(1 − h) a call or a product)."""
    try:
        _, found = parse(text, notation)
    except NotUnderstood:
        return []
    out: list[sp.Expr] = []
    for reading in readings(found.met):
        try:
            value, _ = parse(text, notation, reading)
        except NotUnderstood:
            continue
        if not isinstance(value, sp.MatrixBase) and value not in out:
            out.append(value)
    return out
