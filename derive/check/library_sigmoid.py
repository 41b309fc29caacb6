"""The sigmoid's derivative (A8) compared with derive's own derivation, ``sigmoid-derivative``:
dσ/dz = σ(z)(1 − σ(z)) and d log σ/dz = σ(−z), its chains' verified last steps.

A solution that writes σ as a value (``\\frac{d\\sigma}{dz} = \\sigma(1 - \\sigma)``) leaves
the step-by-step checker nothing to differentiate (σ is a name there, its dependence on z not
stated).  Where the problem named is the derivation's, σ is the logistic function of the
variable of the derivative, so the chain's last expression can be compared with the
derivation's result: σ(1 + σ) is wrong.  A name other than σ and the variable, or a text that
defines σ otherwise, leaves the line undecided.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp

from derive.check.document import Chain
from derive.check.errors import NotUnderstood
from derive.check.findings import Finding
from derive.check.judge import compare_scalars
from derive.check.library_results import equality_chains
from derive.check.notation import Notation
from derive.check.parser import parse
from derive.check.shared import Reading, readings
from derive.functions import sigmoid

NAME = "sigmoid-derivative"
SIGMA = "\\sigma"
# σ(1 − σ) where σ is a value: a product, or σ applied to 1 − σ — both readings are tried
_CALL = re.compile(r"(\\sigma|σ)\s*(?:\\left|\\bigl|\\Bigl)?\s*\(")


def sigmoid_results(problem: str) -> dict[str, tuple[sp.Expr, sp.Symbol]] | None:
    """The derivation's results by what they differentiate ("sigma", "log sigma"): the last
    step of each chain, and its variable (None: the problem is not the derivation's)."""
    from derive.registry import DERIVATIONS, loaded_library

    loaded_library()
    derivation = DERIVATIONS[NAME]()        # verified (the pipeline's, cached)
    if problem not in derivation.problems:
        return None
    found: dict[str, tuple[sp.Expr, sp.Symbol]] = {}
    for step in derivation.steps:
        if isinstance(step.lhs, sp.Derivative) and not step.rhs.has(sp.Derivative):
            inner, z = step.lhs.expr, step.lhs.variable_count[0][0]
            key = "log sigma" if isinstance(inner, sp.log) else "sigma"
            if step.verdict is not None and step.verdict.status in ("proved", "checked"):
                found[key] = (step.rhs, z)    # the chain's last step: its result
            else:
                found.pop(key, None)          # not confirmed by the verifier: not used
    return found


def compared_sigmoid(chains: list[Chain], notation: Notation, problem: Callable[[int], str],
                     already_wrong: set[int]) -> list[Finding]:
    """A ``result`` finding for each chain headed by dσ/dz or d log σ/dz, σ a value."""
    findings: list[Finding] = []
    for chain, _, results in equality_chains(chains, problem, sigmoid_results):
        head = _head(chain.pieces[0].text, notation)
        last = chain.pieces[-1]
        if head is None or head[0] not in results or last.line in already_wrong:
            continue
        expected, z = results[head[0]]
        variable = head[1]

        def finding(verdict: str, reason: str, chain: Chain = chain) -> Finding:
            return Finding(chain.pieces[-1].line, verdict, "result",
                           chain.pieces[0].text.strip(), chain.pieces[-1].text.strip(),
                           reason, "=")

        if _defines_sigma_otherwise(chains, notation, variable):
            findings.append(finding("undecided", f"not compared with {NAME}: the text "
                                    "defines σ otherwise"))
            continue
        try:
            _, met = parse(last.text, notation)
        except NotUnderstood as error:
            findings.append(finding("undecided", f"not compared with {NAME}: {error}"))
            continue
        statuses = [_compared(text, reading, notation, variable, expected.xreplace(
            {z: variable})) for reading in readings(met.met)
            for text in {last.text, _CALL.sub(r"\1 \\cdot (", last.text)}]
        said = "dσ/dz = σ(z)(1 − σ(z))" if head[0] == "sigma" else "d log σ/dz = σ(−z)"
        if any(status == "correct" for status, _ in statuses):
            findings.append(finding("correct", f"the result of derive's {NAME} ({said})"))
        elif statuses and all(status == "wrong" for status, _ in statuses):
            findings.append(finding("wrong", f"derive's verified {NAME} gives {said}; this "
                                    f"result differs from it ({statuses[0][1]})"))
        else:
            reasons = [r for status, r in statuses if status != "wrong"] or ["no reading"]
            findings.append(finding("undecided", f"not decided against {NAME}: {reasons[0]}"))
    return findings


def _compared(text: str, reading: Reading, notation: Notation, variable: sp.Symbol,
              target: sp.Expr) -> tuple[str, str]:
    """One reading of the claimed result (σ(1 − σ) a product or a call) against the
    derivation's, σ the logistic function of the variable."""
    try:
        claimed, found = parse(text, notation, reading)
    except NotUnderstood as error:
        return "undecided", f"not understood: {error}"
    names = {s.name for s in claimed.free_symbols}
    if found.opaque or claimed.has(sp.Derivative) or not names <= {SIGMA, variable.name}:
        others = ", ".join(sorted(names - {SIGMA, variable.name})) or "a derivative"
        return "undecided", f"{others} not one of its names"
    mapped = claimed.xreplace({s: sigmoid(variable) if s.name == SIGMA else variable
                               for s in claimed.free_symbols})
    return compare_scalars(mapped, target, notation)


def _head(text: str, notation: Notation) -> tuple[str, sp.Symbol] | None:
    """("sigma", z) for dσ/dz, ∂σ/∂z; ("log sigma", z) for d log σ/dz, σ a value."""
    try:
        left, found = parse(text, notation)
    except NotUnderstood:
        return None
    if left in found.derivatives:
        of, by, order = found.derivatives[left]
        if order == 1 and isinstance(of, sp.Symbol) and of.name == SIGMA \
                and isinstance(by, sp.Symbol):
            return "sigma", by
        return None
    if isinstance(left, sp.Derivative) and len(left.variables) == 1 \
            and isinstance(left.expr, sp.log) and isinstance(left.expr.args[0], sp.Symbol) \
            and left.expr.args[0].name == SIGMA:
        return "log sigma", left.variables[0]
    return None


def _defines_sigma_otherwise(chains: list[Chain], notation: Notation,
                             variable: sp.Symbol) -> bool:
    """σ = … in the text, with something other than 1/(1 + e^{−z})."""
    for chain in chains:
        if len(chain.pieces) < 2 or not chain.relations or chain.relations[0] != "=":
            continue
        try:
            head, _ = parse(chain.pieces[0].text, notation)
            if not (isinstance(head, sp.Symbol) and head.name == SIGMA):
                continue
            value, _ = parse(chain.pieces[1].text, notation)
        except NotUnderstood:
            return True
        value = value.xreplace({s: variable for s in value.free_symbols
                                if s.name == variable.name})
        if sp.simplify(value - 1 / (1 + sp.exp(-variable))) != 0:
            return True
    return False
