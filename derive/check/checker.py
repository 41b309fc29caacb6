"""Checking a hand-written solution: its chains of relations walked link by link, each link
classed (definition, equation, step, arithmetic, implication) and the steps and arithmetic
judged.  A definition (a name on the left) is never wrong; a slip is reported once, and the
line after it is judged against the last expression that was right."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.document import IMPLICATIONS, Chain, Document, Piece, read
from derive.check.errors import NotUnderstood
from derive.check.findings import FileReport, Finding
from derive.check.front import notation_of
from derive.check.indices import Condition
from derive.check.judge import Definitions, Outcome, judge_implication, judge_link
from derive.check.layers import layered_names, written_sizes
from derive.check.lexer import prepared
from derive.check.library_results import compared_results, problem_of_lines
from derive.check.library_sigmoid import compared_sigmoid
from derive.check.library_softmax import compared_softmax
from derive.check.named_gradients import (
    convention_misfits,
    is_named_gradient,
    w_orientations,
    writes_mean_cost,
)
from derive.check.notation import Notation
from derive.check.parser import parse
from derive.check.points import wrong_points
from derive.check.problems import named_deltas, numbered_families, problem_values
from derive.check.shapes import Shape, declared_shapes, misfits

JUDGED_RELATIONS = frozenset("=≈")
_BRACKET_LAYER = re.compile(r"\^\s*\{?\s*\[")          # a^{[l]}: Ng's layers
CARRIED = ", as the definitions of line"      # said by judge._judge_carried
_DECIMAL_COMMA = re.compile(r"(\d)(?:,|\{,\})(\d)")


def check_file(path: str | Path) -> FileReport:
    """Read and check one solution (raises CheckInputError for a file that cannot be read)."""
    document = read(path)
    notation = notation_of(document.front, document.path)
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    notation.given, notation.statement = problem_values(str(path), text, document.front)
    report = check_document(document, notation)
    wrong = {f.line for f in report.findings if f.verdict == "wrong"}
    problem = problem_of_lines(document.chains, text, document.front)
    for compared in (compared_results, compared_sigmoid, compared_softmax):
        try:        # a result compared with the library's derivation of the named problem
            report.findings += compared(document.chains, notation, problem, wrong)
        except Exception:  # noqa: BLE001 - a comparison that fails loses no report
            continue
    report.findings.sort(key=lambda f: f.line)
    return report


def check_document(document: Document, notation: Notation) -> FileReport:
    """Every link of every chain of a document, in order.  Displays and inline maths are two
    tracks: a display that starts with '=' continues the display before it (not a value
    given inline in between); a side remark ('with x = 2:') is never continued."""
    report = FileReport(document.path)
    notation.symmetric = notation.symmetric or document.symmetric
    notation.quantities |= given_constants(document.chains)
    notation.binary_logs = notation.binary_logs or document.binary_logs
    notation.row_vectors = notation.row_vectors or document.row_vectors
    formulas = [prepared(p.text) for c in document.chains for p in c.pieces]
    notation.layers |= layered_names(formulas)
    notation.mean_cost = writes_mean_cost(formulas)
    notation.bracket_layers = any(_BRACKET_LAYER.search(f) for f in formulas)
    notation.w_orientations = w_orientations(formulas)
    notation.named_deltas = frozenset(named_deltas(document.chains))
    notation.sizes |= written_sizes(formulas) - set(notation.domains)
    cache: dict[Key, Outcome] = {}
    declared = declared_shapes(document.chains, document.front, notation)
    tracks = {True: _Track(), False: _Track()}       # inline, display
    definitions = Definitions()
    notation.given = {n: v for n, v in notation.given.items()    # a family the text gives
                      if n.split("_")[0] not in numbered_families(document.chains, notation)}
    definitions.seed(notation.given)
    section = problem = 0
    for chain in document.chains:
        track = tracks[chain.inline]
        if chain.index_condition:       # '$i \\neq j$': for the formula beside it
            report.not_judged += len(chain.relations)
            continue
        if not chain.relations:
            if not chain.remark:
                track.remember(chain)   # a value on its own: a later '= …' may continue it
            continue
        if chain.section != section:
            numbers = definitions.numbers if chain.problem == problem else {}
            computed = definitions.computed if chain.problem == problem else set()
            section, definitions = chain.section, Definitions()   # a new question
            definitions.numbers = numbers     # a part (b) computes with (a)'s numbers
            definitions.computed = computed
            definitions.seed(notation.given)
            problem = chain.problem
        if not chain.continues:
            track.state = _State()
        pieces = list(chain.pieces)
        relations = list(chain.relations)
        first_is_definition = chain.prose_head is not None
        alternates: list[Piece] = []
        if chain.continues and track.chains:
            pieces = [track.chains[-1].pieces[-1]] + pieces
            alternates = [c.pieces[-1] for c in reversed(track.chains[:-1])]
            first_is_definition = False
        elif chain.prose_head is not None:
            pieces = [Piece(chain.prose_head, pieces[0].line)] + pieces
        _walk(pieces, relations, first_is_definition, chain.continues, notation, report,
              _Judge(notation, cache, definitions, chain.conditions), track.state, definitions,
              alternates, chain.hypothesis)
        if not chain.remark:
            track.remember(Chain(pieces, relations))
        _check_shapes(chain, declared, notation, definitions, report)
    for point in wrong_points(document.chains):
        report.findings.append(Finding(point.line, "wrong", "point", point.text, "",
                                       point.reason, "at"))
    report.findings.sort(key=lambda f: f.line)
    return report


def _check_shapes(chain: Chain, declared: dict[str, list[Shape | None]], notation: Notation,
                  definitions: Definitions, report: FileReport) -> None:
    """Each expression of a chain whose products cannot fit the shapes the text gave (once:
    not where a link of the same line and expression is already wrong)."""
    for line, text, reason in misfits(chain, declared, notation, definitions.shapes,
                                      set(definitions.numbers), definitions.tuples
                                      ) + convention_misfits(
                                          chain.pieces, notation):
        if not any(f.verdict == "wrong" and f.line == line and text in (f.lhs, f.rhs)
                   for f in report.findings):
            report.findings.append(Finding(line, "wrong", "shape", text, "", reason, "shape"))


GIVEN_CONSTANTS = {"e": "e", "\\pi": "pi", "π": "pi"}


def given_constants(chains: list[Chain]) -> set[str]:
    """The constants e and π where the text gives them a value of its own (e = ŷ − y,
    π = 0.3): from then on they are quantities."""
    return {GIVEN_CONSTANTS[c.pieces[0].text.strip()] for c in chains
            if c.relations and c.relations[0] == "=" and c.pieces
            and c.pieces[0].text.strip() in GIVEN_CONSTANTS}


@dataclass
class _Track:
    """The recent chains of one kind of maths (displays, or inline) and their state."""

    chains: list[Chain] = field(default_factory=list)
    state: _State = field(default_factory=lambda: _State())

    def remember(self, chain: Chain) -> None:
        self.chains = (self.chains + [chain])[-3:]


def _walk(pieces: list[Piece], relations: list[str], first_is_definition: bool,
          continues: bool, notation: Notation, report: FileReport, judged: _Judge,
          state: _State, definitions: Definitions, alternates: list[Piece] | None = None,
          hypothesis: bool = False) -> None:
    anchor, last_wrong = state.anchor, state.last_wrong
    first = len(report.findings)             # this chain's findings start here
    fresh = not continues          # the next '=' link begins an equation
    # the name a definition at the chain's head gives a value (a chain continued over rows
    # or displays, 'a &= v_1 h_1 \\ &= 0.02 × 0.52248 \\ &= 0.01049', keeps it)
    defined: str | None = state.defined if continues else None
    for k, relation in enumerate(relations[:len(pieces) - 1]):
        lhs, rhs = pieces[k], pieces[k + 1]
        if relation in IMPLICATIONS:
            conclusion = (rhs, pieces[k + 2]) if k + 2 < len(pieces) \
                and relations[k + 1] == "=" else None
            if state.equation is None or conclusion is None:
                report.not_judged += 1          # an arrow as a bullet, or to a word
                anchor, last_wrong, fresh, state.equation = None, False, True, None
                continue
            outcome = implication(state.equation, conclusion, notation)
            report.findings.append(Finding(rhs.line, outcome.verdict, "implication",
                                           lhs.text.strip(), rhs.text.strip(), outcome.reason,
                                           relation))
            anchor, last_wrong, fresh, state.equation = None, False, True, None
            continue
        if relation not in JUDGED_RELATIONS:
            report.not_judged += 1
            fresh, state.equation = False, None
            continue
        if fresh:
            fresh = False
            state.equation = (lhs, rhs)
            kind = "definition" if first_is_definition and k == 0 \
                else first_link_kind(lhs.text, notation)
            if kind == "definition" and (_claims_derivative(lhs.text, notation, definitions)
                                         or is_named_gradient(lhs.text, notation)):
                kind = "step"
            if kind == "equation" and relation in JUDGED_RELATIONS:
                # an equation standing alone may be a condition (σ(z) = 1 - σ(z) where z = 0):
                # shown right when it is an identity, otherwise undecided, never wrong; but
                # one of numbers the text gave before (σ(z₁) = 0.5866) is arithmetic
                outcome = judged(lhs.text, rhs.text, relation)
                if outcome.kind == "arithmetic" and outcome.verdict != "undecided" \
                        and CARRIED in outcome.reason:
                    report.findings.append(Finding(rhs.line, outcome.verdict, "arithmetic",
                                                   lhs.text.strip(), rhs.text.strip(),
                                                   outcome.reason, relation))
                    last_wrong = outcome.verdict == "wrong"
                    anchor = rhs if outcome.verdict == "correct" else lhs
                    continue
                if relation != "=":
                    report.not_judged += 1
                    anchor = rhs
                    continue
                if outcome.verdict == "correct":
                    report.findings.append(Finding(rhs.line, "correct", "step", lhs.text.strip(),
                                                   rhs.text.strip(), outcome.reason, relation))
                    anchor = rhs
                    continue
                if outcome.verdict == "wrong":
                    report.findings.append(Finding(
                        rhs.line, "undecided", "equation", lhs.text.strip(), rhs.text.strip(),
                        f"not an identity (a condition, or a slip): {outcome.reason}", relation))
                    anchor = rhs
                    continue
            if kind in ("definition", "equation"):
                report.not_judged += 1
                if kind == "definition":
                    _define(lhs.text, rhs, notation, definitions, hypothesis)
                    defined = lhs.text if k == 0 else None
                anchor = rhs
                continue
        elif state.equation is not None:
            state.equation = (state.equation[0], rhs)
        outcome = judged(lhs.text, rhs.text, relation)
        if outcome.verdict == "wrong" and k == 0 and continues:
            for other in alternates or []:   # '= …' may continue a display further up
                again = judged(other.text, rhs.text, relation)
                if again.verdict == "correct":
                    outcome = Outcome("correct", again.kind, f"continues line {other.line}")
                    break
        if outcome.verdict != "correct" and last_wrong and anchor is not None:
            again = judged(anchor.text, rhs.text, relation)
            if again.verdict == "correct":
                outcome = Outcome("correct", again.kind, f"follows from line {anchor.line} "
                                  "(the line before it holds the slip)")
        report.findings.append(Finding(rhs.line, outcome.verdict, outcome.kind,
                                       lhs.text.strip(), rhs.text.strip(), outcome.reason,
                                       relation))
        last_wrong = outcome.verdict == "wrong"
        if outcome.verdict == "correct" or anchor is None:
            anchor = rhs if outcome.verdict == "correct" else lhs
    state.anchor, state.last_wrong, state.defined = anchor, last_wrong, defined
    if defined is not None:
        slipped = any(f.verdict == "wrong" and f.kind != "shape"
                      for f in report.findings[first:])
        _carry(defined, pieces, relations, notation, definitions, slipped)


def _carry(name_text: str, pieces: list[Piece], relations: list[str], notation: Notation,
           definitions: Definitions, slipped: bool = False) -> None:
    """A name given a value by a chain (z₁ = w x + b = 0.3775): the number it ends in, for
    later lines to compute with (a formula at the end: the name has no number)."""
    try:
        name, _ = parse(name_text, notation)
    except NotUnderstood:
        return
    ends = len(relations) < len(pieces) and all(r in JUDGED_RELATIONS for r in relations)
    text = pieces[-1].text.strip().rstrip(".,;")
    if ends and definitions.carry_entries(name, text, pieces[-1].line):
        return                                        # y = (0, 0, 1): y₁ = 0 …
    try:
        value, _ = parse(text, notation)
    except NotUnderstood:
        value = None
    number = ends and value is not None and not isinstance(value, sp.MatrixBase) \
        and not value.free_symbols and value.is_number and not value.has(sp.Derivative)
    # a number reached through a wrong link is not carried: later lines computed with the
    # right value would be called wrong for the slip of this one (δ² = … = 0.02747, then
    # x δ² = −0.02747)
    definitions.carry(name, text if number and not slipped else None, pieces[-1].line,
                      computed=len(relations) > 1)


def implication(premise: tuple[Piece, Piece] | None, conclusion: tuple[Piece, Piece] | None,
                notation: Notation) -> Outcome:
    """⇒ between two equations: correct where the second follows from the first; never wrong
    (a solution often uses a fact stated in words, 'replacing P(y=0|x) by 1 - P(y=1|x)')."""
    if premise is None or conclusion is None:
        return Outcome("undecided", "implication", "not between two equations")
    return judge_implication(premise[0].text, premise[1].text, conclusion[0].text,
                             conclusion[1].text, notation)


@dataclass
class _State:
    """Carried along a chain continued over several displays: the last expression that was
    right, and whether the link before was wrong."""

    anchor: Piece | None = None
    last_wrong: bool = False
    equation: tuple[Piece, Piece] | None = None
    defined: str | None = None


Key = tuple[str, str, str, tuple[Condition, ...]]


@dataclass
class _Judge:
    """Judges the links of one chain: with what the text defined before and the conditions
    it states for the chain's indices; remembers what does not depend on definitions."""

    notation: Notation
    cache: dict[Key, Outcome]
    definitions: Definitions
    conditions: tuple[Condition, ...] = ()

    def __call__(self, lhs: str, rhs: str, relation: str) -> Outcome:
        key = (lhs.strip(), rhs.strip(), relation, self.conditions)
        if key not in self.cache:
            try:
                outcome = judge_link(lhs, rhs, relation, self.notation, self.definitions,
                                     self.conditions)
            except Exception as error:  # noqa: BLE001 - one failed comparison loses no report
                outcome = Outcome("undecided", "step", "the comparison failed "
                                  f"({type(error).__name__}): not decided")
            if "definitions of line" in outcome.reason:
                return outcome            # depends on what was defined before: not cached
            self.cache[key] = outcome
        return self.cache[key]


def _claims_derivative(lhs: str, notation: Notation, definitions: Definitions) -> bool:
    """∂L/∂ŷ on the left, where L was defined: the right is a computed claim."""
    try:
        left, found = parse(lhs, notation)
    except NotUnderstood:
        return False
    return left in found.derivatives and isinstance(found.derivatives[left][0], sp.Symbol) \
        and found.derivatives[left][0].name in definitions.values


def _define(lhs: str, rhs: Piece, notation: Notation, definitions: Definitions,
            hypothesis: bool = False) -> None:
    """Remember ``name = expression`` for later steps (a hypothesis: 'if W₁ = W₂')."""
    try:
        name, _ = parse(lhs, notation)
        value, _ = parse(rhs.text, notation)
    except NotUnderstood:
        return
    if not isinstance(name, sp.Symbol) and isinstance(value, sp.MatrixBase):
        return          # δ^{1} = (…) read as a power: a layer's vector, not δ's
    definitions.add(name, value, rhs.line, assumption=hypothesis,
                    tuple_=rhs.text.strip().startswith("("))


def first_link_kind(lhs: str, notation: Notation) -> str:
    """The first link of a chain: a definition when a name stands on the left; arithmetic or
    a step when the left is numbers, or an explicit derivative to carry out; else an equation
    (a condition, never judged as an identity)."""
    try:
        left, found = parse(lhs, notation)
    except NotUnderstood:
        decimal = _DECIMAL_COMMA.sub(r"\1.\2", lhs)      # 0,2 + 0,3: a decimal comma
        if decimal == lhs:
            return "definition"
        try:
            left, found = parse(decimal, notation)
        except NotUnderstood:
            return "definition"
    if is_name(left):
        return "definition"
    if not left.free_symbols and not found.opaque and not left.atoms(AppliedUndef):
        return "arithmetic"
    if _carries_out_derivative(left) or found.derivative_claim:
        return "step"
    return "equation"


def is_name(e: sp.Basic) -> bool:
    """A symbol, an entry, a function applied to names or numbers, or a matrix of names."""
    if isinstance(e, (sp.Symbol, sp.Indexed)):
        return True
    if isinstance(e, AppliedUndef):
        return all(isinstance(a, (sp.Symbol, sp.Indexed, sp.Number)) for a in e.args)
    if isinstance(e, sp.MatrixBase):
        return all(is_name(x) for x in e)
    if isinstance(e, sp.Mul) and len(e.args) == 2 and all(
            isinstance(a, (sp.Symbol, AppliedUndef)) for a in e.args):
        return True           # DF(x, y): a name and a call
    return False


def _carries_out_derivative(e: sp.Basic) -> bool:
    if isinstance(e, sp.MatrixBase):
        return any(_carries_out_derivative(x) for x in e)
    return bool(e.atoms(sp.Derivative))
