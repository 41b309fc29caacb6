"""The softmax Jacobian (A18) compared with derive's own derivation, ``softmax-jacobian``:
∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ) and ∂ log sᵢ/∂zⱼ = δᵢⱼ − sⱼ, its chains' verified last steps.

Where the text names its output by softmax without a formula (``p = \\text{softmax}(z)``,
opaque to the step checker), ∂pᵢ/∂zⱼ = … is compared with the derivation's result, pᵢ for sᵢ:
in both readings of the indices (i = j, δ = 1; i ≠ j, δ = 0), right only when right in both,
wrong only when wrong in both.  A name other than p's entries and δ, a condition the text
states for the indices, or no such statement about p: no comparison.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.document import Chain
from derive.check.errors import NotUnderstood
from derive.check.findings import Finding
from derive.check.judge import compare_scalars
from derive.check.library_results import equality_chains, read_all
from derive.check.notation import Notation
from derive.check.parser import parse

NAME = "softmax-jacobian"
_ENTRY = re.compile(r"^(.+)_\{(\w)\}$")            # p_{i}, \hat{y}_{i}
SI, SJ = sp.symbols("s_i s_j")


def softmax_results(problem: str) -> dict[str, sp.Expr] | None:
    """The derivation's results ("s", "log s") in s_i, s_j and δ(i, j) (None: not its
    problem)."""
    from derive.registry import DERIVATIONS, loaded_library

    loaded_library()
    derivation = DERIVATIONS[NAME]()
    if problem not in derivation.problems:
        return None
    found: dict[str, sp.Expr] = {}
    for step in derivation.steps:
        if isinstance(step.lhs, sp.Derivative) and step.rhs is not None \
                and not step.rhs.has(sp.Derivative, sp.Sum, sp.exp):
            key = "log s" if isinstance(step.lhs.expr, sp.log) else "s"
            entry = step.lhs.expr.args[0] if key == "log s" else step.lhs.expr
            i, j = entry.indices[0], step.lhs.variables[0].indices[0]
            if step.verdict is not None and step.verdict.status in ("proved", "checked"):
                found[key] = _in_readings_form(step.rhs, i, j)
    return found


def _in_readings_form(e: sp.Expr, i: sp.Symbol, j: sp.Symbol) -> sp.Expr:
    e = e.xreplace({a: (SI if a.indices[0] == i else SJ) for a in e.atoms(sp.Indexed)})
    return e.xreplace({sp.KroneckerDelta(i, j): sp.Symbol("delta")})


def compared_softmax(chains: list[Chain], notation: Notation, problem: Callable[[int], str],
                     already_wrong: set[int]) -> list[Finding]:
    """A ``result`` finding for each chain headed by ∂pᵢ/∂zⱼ (or ∂ log pᵢ/∂zⱼ), p softmax."""
    findings: list[Finding] = []
    named = _softmax_names(chains, notation)
    if not named:
        return findings
    for chain, _, results in equality_chains(chains, problem, softmax_results, plain=True):
        head = _head(chain.pieces[0].text, notation, named)
        last = chain.pieces[-1]
        if head is None or head[0] not in results or last.line in already_wrong:
            continue
        key, base, a, b = head
        statuses = [status for value in read_all(last.text, notation)
                    if (status := _compared(value, base, a, b, results[key], notation))[0]
                    != "inapplicable"]
        said = "∂s_i/∂z_j = s_i(δ_ij − s_j)" if key == "s" else "∂ log s_i/∂z_j = δ_ij − s_j"
        if any(s == "correct" for s, _ in statuses):
            verdict, reason = "correct", f"the result of derive's {NAME} ({said}), in both " \
                "readings of the indices"
        elif statuses and all(s == "wrong" for s, _ in statuses):
            verdict, reason = "wrong", f"derive's verified {NAME} gives {said}; this result " \
                f"differs from it whether or not i = j ({statuses[0][1]})"
        else:
            verdict = "undecided"
            reason = f"not decided against {NAME}: " + next(
                (r for s, r in statuses if s != "wrong"), "no reading")
        findings.append(Finding(last.line, verdict, "result", chain.pieces[0].text.strip(),
                                last.text.strip(), reason, "="))
    return findings


def _compared(value: sp.Expr, base: str, a: str, b: str, target: sp.Expr,
              notation: Notation) -> tuple[str, str]:
    """The claim against the derivation's result with i = j and with i ≠ j."""
    if isinstance(value, AppliedUndef) or value.atoms(AppliedUndef) or value.has(sp.Derivative):
        return "inapplicable", "a call or a derivative in the result"  # p_i(…) read as a call
    entries = {s: SI if s.name == f"{base}_{{{a}}}" else SJ for s in value.free_symbols
               if s.name in (f"{base}_{{{a}}}", f"{base}_{{{b}}}")}
    deltas = {d for d in value.atoms(sp.KroneckerDelta)
              if {str(x) for x in d.args} == {a, b}}
    if value.free_symbols - set(entries) - {x for d in deltas for x in d.free_symbols}:
        return "undecided", "names that are not the entries of the softmax"
    mapped = value.xreplace(entries)
    verdicts = []
    for same in (True, False):
        text = mapped.xreplace({d: sp.S.One if same else sp.S.Zero for d in deltas})
        expected = target.xreplace({sp.Symbol("delta"): sp.S.One if same else sp.S.Zero})
        if same:
            text, expected = text.xreplace({SJ: SI}), expected.xreplace({SJ: SI})
        verdicts.append(compare_scalars(text, expected, notation))
    statuses = {status for status, _ in verdicts}
    if statuses == {"correct"}:
        return "correct", verdicts[0][1]
    if statuses == {"wrong"}:
        return "wrong", verdicts[1][1]
    return "undecided", "right in one reading of the indices only"


def _head(text: str, notation: Notation, named: set[str]
          ) -> tuple[str, str, str, str] | None:
    """("s" or "log s", the output's name, its index, z's index) for ∂pᵢ/∂zⱼ."""
    try:
        left, found = parse(text, notation)
    except NotUnderstood:
        return None
    key, of, by = None, None, None
    if left in found.derivatives and found.derivatives[left][2] == 1:
        key, of, by = "s", found.derivatives[left][0], found.derivatives[left][1]
    elif isinstance(left, sp.Derivative) and len(left.variables) == 1 \
            and isinstance(left.expr, sp.log):
        key, of, by = "log s", left.expr.args[0], left.variables[0]
    if key is None or not isinstance(of, sp.Symbol) or not isinstance(by, sp.Symbol):
        return None
    entry, variable = _ENTRY.match(of.name), _ENTRY.match(by.name)
    if not entry or not variable or variable.group(1) != "z" or entry.group(1) not in named \
            or entry.group(2) == variable.group(2):
        return None
    return key, entry.group(1), entry.group(2), variable.group(2)


def _softmax_names(chains: list[Chain], notation: Notation) -> set[str]:
    """The names the text says are softmax of z (``p = \\text{softmax}(z)``)."""
    names = set()
    for chain in chains:
        if len(chain.pieces) < 2 or not chain.relations or chain.relations[0] != "=":
            continue
        try:
            head, _ = parse(chain.pieces[0].text, notation)
            value, _ = parse(chain.pieces[1].text, notation)
        except NotUnderstood:
            continue
        if isinstance(head, sp.Symbol) and isinstance(value, AppliedUndef) \
                and str(value.func) == "softmax" and [str(x) for x in value.args] == ["z"]:
            names.add(head.name)
    return names
