"""Names that differ only in their index letters (z_i and z_j, w_{ij} and w_{kl}, δ_{ij}) may
name one quantity: i and j may be equal.  A link is judged in every reading of which of its
index letters coincide (each letter also with a number written in the same place, z_i and
z_1), with a Kronecker delta 1 or 0 accordingly: right only where every reading is right,
wrong only where every reading is wrong, else undecided; a condition the text states
(``\\text{for } i \\neq j``, 'For $i = j$:') keeps only the readings that meet it."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from derive.check.entries import APART
from derive.check.errors import NotUnderstood
from derive.check.lexer import Token, prepared, tokens
from derive.check.shared import Outcome

Condition = tuple[str, str, str]          # ("i", "≠", "j"), ("i", "=", "1")
MAX_LETTERS = 4
MAX_READINGS = 16
DECORATIONS = frozenset("hat widehat tilde widetilde bar vec dot ddot mathbf boldsymbol bm "
                        "mathcal mathit mathsf".split())
_ATOM = re.compile(r"[A-Za-z]|\d+")
_SIMPLE_LETTERS = re.compile(r"[A-Za-z]")
_EXPRESSION = re.compile(r"(?=.*[A-Za-z])(\d*[A-Za-z]|\d+)(\s*[-+]\s*(\d*[A-Za-z]|\d+))*"
                         r"|\d+[A-Za-z]")


@dataclass(frozen=True)
class _Site:
    """A name's index: its base (z, \\hat{y}, \\delta), the pieces, the span of the
    whole script (with the base for a Kronecker delta) in the prepared text."""

    base: str
    atoms: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class IndexReading:
    """One reading of which index letters coincide: its sides rewritten, and its words."""

    label: str
    lhs: str
    rhs: str
    apart: tuple[tuple[str, str], ...] = ()     # the indices it takes to differ


@dataclass(frozen=True)
class Coincidences:
    """The readings of a link, or why it has none that can be tried."""

    readings: tuple[IndexReading, ...] = ()
    unresolved: str = ""        # names that may coincide in a way not tried (z_{i+1}, z_j)


def _pieces(text: str) -> list[str]:
    text = text.replace("{", "").replace("}", "")
    if text.isalpha() and len(text) >= 3:
        return [text]                 # z_{out}: a word, not three indices
    if "," in text:
        return [p.strip() for p in text.split(",") if p.strip()]
    if text.isalnum() and len(text) <= 3:
        return list(text)
    return [text]


def _text(toks: list[Token]) -> str:
    return "".join("\\" + t.text if t.kind == "cmd" else t.text for t in toks)


def _start(t: Token) -> int:
    return t.at - len(t.text) - 1 if t.kind == "cmd" else t.at


def _script(toks: list[Token], k: int) -> tuple[list[Token], int]:
    """The tokens of the script starting at k (a braced group or one token), and the index
    after it."""
    if k >= len(toks):
        return [], k
    if toks[k].kind != "sym" or toks[k].text != "{":
        return toks[k:k + 1], k + 1
    depth = 0
    for m in range(k, len(toks)):
        if toks[m].kind == "sym" and toks[m].text == "{":
            depth += 1
        elif toks[m].kind == "sym" and toks[m].text == "}":
            depth -= 1
            if depth == 0:
                return toks[k + 1:m], m + 1
    return toks[k + 1:], len(toks)


def _base(toks: list[Token], k: int) -> tuple[str, int] | None:
    """The name a script at k belongs to, and the index of its first token."""
    if k == 0:
        return None
    prev = toks[k - 1]
    if prev.kind == "letter":
        return prev.text, k - 1
    if prev.kind == "cmd":
        if prev.text == "limits" and k >= 2 and toks[k - 2].kind == "cmd":
            return "\\" + toks[k - 2].text, k - 2
        return "\\" + prev.text, k - 1
    if prev.kind == "sym" and prev.text == "}":
        depth = 0
        for b in range(k - 1, -1, -1):
            if toks[b].kind == "sym" and toks[b].text == "}":
                depth += 1
            elif toks[b].kind == "sym" and toks[b].text == "{":
                depth -= 1
                if depth == 0:
                    if b >= 1 and toks[b - 1].kind == "cmd" and toks[b - 1].text in DECORATIONS:
                        return f"\\{toks[b - 1].text}{{{_text(toks[b + 1:k - 1])}}}", b - 1
                    return None
    return None


def _sites(toks: list[Token]) -> tuple[list[_Site], set[str]]:
    """Every indexed name's index, and the letters a Σ or Π binds."""
    sites: list[_Site] = []
    bound: set[str] = set()
    for k, t in enumerate(toks):
        if t.kind != "sym" or t.text not in "_^":
            continue
        based = _base(toks, k)
        if based is None:
            continue
        base, first = based
        group, after = _script(toks, k + 1)
        if not group:
            continue
        if base in ("\\sum", "\\prod"):
            if t.text == "_" and group[0].kind == "letter":
                bound.add(group[0].text)
            continue
        text = _text(group)
        if t.text == "^":
            if not (text.startswith("(") and text.endswith(")")) or "," in text:
                continue                      # a power, not x^{(i)}
            text = text[1:-1]
        end = toks[after - 1].at + len(toks[after - 1].text) if toks[after - 1].kind != "cmd" \
            else toks[after - 1].at
        start = _start(toks[first]) if base == "\\delta" else t.at
        sites.append(_Site(base if t.text == "_" else base + "^()", tuple(_pieces(text)),
                           start, end))
    return sites, bound


def _involved(sites: list[_Site], bound: set[str]
              ) -> tuple[list[tuple[str, str]], str]:
    """The pairs of index atoms that stand in the same place of one family (or of a δ) and
    differ, and the names of a coincidence that cannot be tried ('' if none)."""
    pairs: list[tuple[str, str]] = []
    unresolved = ""
    families: dict[tuple[str, int], list[_Site]] = {}
    for s in sites:
        if s.base == "\\delta" and len(s.atoms) == 2:
            groups = [(s.atoms[0], s.atoms[1])]
        else:
            families.setdefault((s.base, len(s.atoms)), []).append(s)
            continue
        pairs.extend(groups)
    for members in families.values():
        for a, b in itertools.combinations({m.atoms for m in members}, 2):
            for x, y in zip(a, b, strict=True):
                if x != y:
                    pairs.append((x, y))
    kept: list[tuple[str, str]] = []
    ordered = (tuple(sorted(p, key=lambda a: (a.isdigit(), a))) for p in pairs)
    for x, y in dict.fromkeys(ordered):
        if x == y or x in bound or y in bound:
            continue
        simple = all(_ATOM.fullmatch(p) for p in (x, y))
        if not simple:
            if any(_EXPRESSION.fullmatch(p) for p in (x, y)):       # z_{i+1} and z_j
                unresolved = unresolved or f"indices {x} and {y}"
            continue
        if x.isdigit() and y.isdigit():
            continue
        if {x, y} & {"d", "e"}:
            unresolved = unresolved or f"indices {x} and {y}"
            continue
        kept.append((x, y))
    return kept, unresolved


def _partitions(items: list[str]) -> Iterator[list[list[str]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for smaller in _partitions(rest):
        for k in range(len(smaller)):
            yield smaller[:k] + [[first, *smaller[k]]] + smaller[k + 1:]
        yield [[first], *smaller]


def _mappings(letters: list[str], digits: list[str]) -> Iterator[dict[str, str]]:
    """Each way the letters may coincide with one another and with the numbers: letter →
    the letter or number it is read as."""
    for blocks in _partitions(letters):
        for values in itertools.product([None, *digits], repeat=len(blocks)):
            chosen = [v for v in values if v is not None]
            if len(chosen) != len(set(chosen)):
                continue
            mapping: dict[str, str] = {}
            for block, value in zip(blocks, values, strict=True):
                target = value if value is not None else sorted(block)[0]
                for letter in block:
                    mapping[letter] = target
            yield mapping


def _meets(mapping: dict[str, str], conditions: tuple[Condition, ...]) -> bool:
    for a, relation, b in conditions:
        if a not in mapping and b not in mapping:
            continue
        same = mapping.get(a, a) == mapping.get(b, b)
        if same != (relation == "="):
            return False
    return True


def _label(mapping: dict[str, str], pairs: list[tuple[str, str]]) -> str:
    said = []
    for x, y in pairs:
        same = mapping.get(x, x) == mapping.get(y, y)
        said.append(f"{x} {'=' if same else '≠'} {y}")
    return ", ".join(dict.fromkeys(said))


def _rewritten(text: str, mapping: dict[str, str], bound: set[str]) -> str:
    """The side with each letter read as the mapping says, each δ of two indices 1 where
    they are now the same and 0 where they differ."""
    toks = tokens(text)
    sites, _ = _sites(toks)
    edits: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for s in sites:
        if s.base != "\\delta" or len(s.atoms) != 2:
            continue
        atoms = [mapping.get(a, a) for a in s.atoms]
        if not all(_ATOM.fullmatch(a) for a in atoms) or set(s.atoms) & bound:
            continue
        edits.append((s.start, s.end, "{1}" if atoms[0] == atoms[1] else "{0}"))
        taken.append((s.start, s.end))
    for t in toks:
        if t.kind == "letter" and t.text in mapping and mapping[t.text] != t.text \
                and not any(a <= t.at < b for a, b in taken):
            edits.append((t.at, t.at + 1, mapping[t.text]))
    source = prepared(text)
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    return source


def coincidences(lhs: str, rhs: str, conditions: tuple[Condition, ...] = ()
                 ) -> Coincidences | None:
    """The readings a link must be judged in; None where no two names may coincide (judge
    it as written)."""
    try:
        left, right = tokens(lhs), tokens(rhs)
    except NotUnderstood:
        return None
    sites_l, bound_l = _sites(left)
    sites_r, bound_r = _sites(right)
    bound = bound_l | bound_r
    pairs, unresolved = _involved(sites_l + sites_r, bound)
    present = {a for site in sites_l + sites_r for a in site.atoms} - bound
    for a, _, b in conditions:          # 'Case $i = j$:' s_i by z_j, s_i defined by z_i
        if {a, b} <= present and a != b and (a, b) not in pairs and (b, a) not in pairs:
            pairs.append(tuple(sorted((a, b), key=lambda x: (x.isdigit(), x))))   # type: ignore[arg-type]
    if unresolved:
        return Coincidences(unresolved=unresolved)
    if not pairs:
        return None
    letters = sorted({a for p in pairs for a in p if _SIMPLE_LETTERS.fullmatch(a)})
    digits = sorted({a for p in pairs for a in p if a.isdigit()})
    if len(letters) > MAX_LETTERS:
        return Coincidences(unresolved=f"the indices {', '.join(letters)}")
    # what a link means depends only on which of the paired indices are equal: one reading
    # for each pattern, with no other letters merged than it needs
    patterns: dict[str, dict[str, str]] = {}
    for mapping in _mappings(letters, digits):
        label = _label(mapping, pairs)
        if _meets(mapping, conditions) and (label not in patterns or len(set(
                mapping.values())) > len(set(patterns[label].values()))):
            patterns[label] = mapping
    if len(patterns) > MAX_READINGS:
        return Coincidences(unresolved=f"the indices {', '.join(letters)}")
    return Coincidences(tuple(IndexReading(label, _rewritten(lhs, m, bound),
                                           _rewritten(rhs, m, bound), _apart(m, pairs))
                              for label, m in patterns.items()))


def _apart(mapping: dict[str, str], pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    read = [(mapping.get(x, x), mapping.get(y, y)) for x, y in pairs]
    return tuple(dict.fromkeys((x, y) for x, y in read if x != y))


_RELATION = r"(=|\\neq(?![a-zA-Z])|\\ne(?![a-zA-Z])|≠|\\not\s*=)"
_ONE = rf"([a-zA-Z])\s*{_RELATION}\s*([a-zA-Z]|\d+)"
# without a word before it, only index letters, and = only between two letters: (i ≠ j)
_BARE = r"([i-n])\s*(\\neq(?![a-zA-Z])|\\ne(?![a-zA-Z])|≠|\\not\s*=|=(?=\s*[i-n]\b))\s*([i-n]|\d+)"
CONDITION = re.compile(rf"^\s*{_BARE}\s*$")
_KEYWORD = (r"\\(?:text|textrm|mathrm|mbox)\{\s*(?:for(?: all)?|if|when|where|with|whenever)"
            r"\s*\}")
_SPACES = r"(?:\\[,;: ]|~|\s)*"
_TAIL = r"\s*[.,;]?\s*$"
_TRAILING = (re.compile(rf"{_SPACES}(?:(?<!\\),{_SPACES})?{_KEYWORD}{_SPACES}\(?\s*{_ONE}\s*\)?"
                        rf"{_TAIL}"),
             re.compile(rf"{_SPACES}(?:(?<!\\)[,;]|\\q?quad(?![a-zA-Z])){_SPACES}(?:\\q?quad"
                        rf"(?![a-zA-Z]){_SPACES})?\(?\s*{_BARE}\s*\)?{_TAIL}"),
             re.compile(rf"(?:\s*(?:\\[,;: ]|\\q?quad(?![a-zA-Z])))+\s*\(\s*{_BARE}\s*\)"
                        rf"{_TAIL}"))
_LEADING = re.compile(rf"^\s*(?:{_KEYWORD}|\\text\{{\s*(?:for|if|when)\s+}}){_SPACES}{_ONE}"
                      rf"\s*(?::|,|\\q?quad(?![a-zA-Z]))")


def _condition(match: re.Match[str], at: int) -> Condition:
    a, relation, b = match.group(at), match.group(at + 1), match.group(at + 2)
    return (a, "=" if relation == "=" else "≠", b)


def condition_of(body: str) -> Condition | None:
    """An inline formula that is only a condition on index letters (i to n): ``i \\neq j``,
    ``i \\ne 1``, ``i = j`` (not ``w = 2``, a value)."""
    match = CONDITION.match(body)
    return _condition(match, 1) if match else None


def split_condition(row: str) -> tuple[str, tuple[Condition, ...]]:
    """A row without the condition on its indices written beside it (``… = 0 \\text{ for }
    i \\neq j``, ``… , \\quad (i \\ne j)``, ``\\text{for } i = j: …``), and that condition."""
    for pattern in _TRAILING:
        match = pattern.search(row)
        if match and row[:match.start()].strip():
            return row[:match.start()], (_condition(match, 1),)
    match = _LEADING.match(row)
    if match:
        return row[match.end():], (_condition(match, 1),)
    return row, ()


def judged_in_every_reading(found: Coincidences, judge: Callable[[str, str], Outcome],
                            as_written: Callable[[], Outcome]) -> Outcome:
    """The verdict of a link whose names may coincide: right where every reading is right,
    wrong where every reading is wrong, otherwise undecided with the readings that differ."""
    if found.unresolved:
        outcome = as_written()
        if outcome.verdict == "undecided":
            return outcome
        return dataclasses.replace(outcome, verdict="undecided", reason=(
            f"{outcome.verdict} as written, but names with {found.unresolved} may be the same "
            "quantity: not decided"))
    if not found.readings:
        outcome = as_written()
        return dataclasses.replace(outcome, verdict="undecided", reason=(
            "the conditions the text states on its indices contradict one another"))
    judged = [(r, _apart_while(r, judge)) for r in found.readings]
    verdicts = {o.verdict for _, o in judged}
    if len(judged) == 1:
        reading, outcome = judged[0]
        return dataclasses.replace(outcome, reason=f"{outcome.reason} (with {reading.label}, "
                                   "as the text says)")
    if verdicts == {"correct"}:
        outcome = judged[0][1]
        return dataclasses.replace(outcome, reason=f"{outcome.reason} (whether or not "
                                   f"{' or '.join(r.label for r, _ in judged[:1])})")
    if verdicts == {"wrong"}:
        reading, outcome = judged[0]
        return dataclasses.replace(outcome, reason=f"with {reading.label}: {outcome.reason} "
                                   "(and wrong however the indices compare)")
    right = [r.label for r, o in judged if o.verdict == "correct"]
    wrong = [r.label for r, o in judged if o.verdict == "wrong"]
    kind = judged[0][1].kind
    if right:
        reason = (f"right only when {'; or '.join(right)}"
                  + (f", wrong when {'; or '.join(wrong)}" if wrong else "")
                  + "; the text does not say which")
    else:
        undecided = next(o for _, o in judged if o.verdict == "undecided")
        reason = (f"wrong when {'; or '.join(wrong)}, " if wrong else "") + undecided.reason
    return dataclasses.replace(judged[0][1], verdict="undecided", kind=kind, reason=reason)


def _apart_while(reading: IndexReading, judge: Callable[[str, str], Outcome]) -> Outcome:
    token = APART.set(reading.apart)
    try:
        return judge(reading.lhs, reading.rhs)
    finally:
        APART.reset(token)
