"""A hand-written solution split into what can be checked: its front matter, its pieces of
maths (``$…$``, ``$$…$$``, ``\\[…\\]``, equation environments) with their line numbers, and the
chains of relations they write (rows of aligned blocks, ``\\\\``, ⇒ and →, top-level ``=``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from derive.check.bare import marked_bare_maths
from derive.check.errors import CheckInputError
from derive.check.indices import Condition, condition_of, split_condition
from derive.check.markup import unboxed, untagged

RELATIONS = {"=": "=", "approx": "≈", "Rightarrow": "⇒", "implies": "⇒", "Longrightarrow": "⇒",
             "rightarrow": "→", "to": "→", "longrightarrow": "→", "le": "≤", "leq": "≤",
             "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "<": "<", ">": ">", "in": "∈",
             "equiv": "≡", "iff": "⇔", "Leftrightarrow": "⇔", "propto": "∝", "sim": "∼",
             "mapsto": "↦", "coloneqq": ":=", "leftarrow": "←", "gets": "←"}
IMPLICATIONS = frozenset("⇒→⇔")
DISPLAY_ENVIRONMENTS = ("equation", "equation*", "align", "align*", "gather", "gather*",
                        "multline", "multline*", "eqnarray", "eqnarray*")
MAX_BYTES = 5_000_000
CHAIN_BREAK_CHARS = 160       # more prose than this between two pieces of maths ends a chain


@dataclass(frozen=True)
class Piece:
    """One expression of a chain: its LaTeX and the line it starts on."""

    text: str
    line: int


@dataclass
class Chain:
    """expr rel expr rel expr …: pieces and the relations between them.  ``head`` is None
    when the chain continues one before it (its first relation links to that chain's last
    piece), or the words that name its first quantity when it was written in prose."""

    pieces: list[Piece] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    continues: bool = False
    prose_head: str | None = None
    section: int = 0
    problem: int = 0              # like section, but parts ((a), (b), Part 2) do not count
    inline: bool = False
    remark: bool = False          # 'with x = 2:' — set beside the working, never continued
    hypothesis: bool = False      # 'If $W_1 = W_2$': assumed for what follows, not a fact
    question: bool = False        # 'Compute the Jacobian $\\nabla F(2, 2)$': what is asked
    conditions: tuple[Condition, ...] = ()   # 'for i ≠ j' beside it or just before it
    index_condition: bool = False            # '$i \\neq j$' alone: a condition, no claim


@dataclass
class Document:
    """A solution ready to check."""

    path: str
    front: dict
    chains: list[Chain]
    lines: int
    symmetric: bool = False       # speaks of symmetric matrices (a Hessian, a covariance)
    binary_logs: bool = False     # speaks of bits or base 2: a log may be log₂
    row_vectors: bool = False     # speaks of row vectors: a vector may be 1×n


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
_MATH = re.compile(
    r"(?<!\\)\$\$(?P<dd>.+?)(?<!\\)\$\$"
    r"|\\\[(?P<br>.+?)\\\]"
    r"|\\begin\{(?P<env>" + "|".join(re.escape(e) for e in DISPLAY_ENVIRONMENTS) +
    r")\}(?P<body>.*?)\\end\{(?P=env)\}"
    r"|(?<![\\$])\$(?P<d>[^$\n]+?)(?<!\\)\$", re.S)


def read(path: str | Path) -> Document:
    """Read a .md, .txt or .tex solution (and its sidecar ``FILE.check.yaml``)."""
    path = Path(path)
    if path.suffix not in (".md", ".txt", ".tex", ".markdown"):
        raise CheckInputError(f"{path}: not a .md, .txt or .tex file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CheckInputError(f"{path}: {error.strerror or error}") from None
    if len(raw) > MAX_BYTES:
        raise CheckInputError(f"{path}: larger than {MAX_BYTES // 1_000_000} MB")
    text = raw.decode("utf-8", errors="replace")
    if path.suffix == ".tex":
        text = re.sub(r"(?<!\\)%[^\n]*", "", text)        # comments are not the document
    front, body_offset = front_matter(text, str(path))
    sidecar = path.with_name(path.name + ".check.yaml")
    if not sidecar.exists():
        sidecar = path.with_suffix(".check.yaml")
    if sidecar.exists():
        front = {**_yaml(sidecar.read_text(errors="replace"), str(sidecar)), **front}
    return document(str(path), front, text, body_offset)


def document(path: str, front: dict, text: str, body_offset: int = 0) -> Document:
    """A solution's text as a Document: its chains, and what its words say of the maths
    (maths written without dollars too, but in LaTeX: derive.check.bare)."""
    if not path.endswith(".tex"):
        text = text[:body_offset] + marked_bare_maths(text[body_offset:])
    return Document(path, front, chains(text, body_offset), text.count("\n") + 1,
                    _SYMMETRY.search(text) is not None, _BINARY.search(text) is not None,
                    _ROWS.search(text) is not None)


_SYMMETRY = re.compile(r"symmetr|hessian|covarian|gram matri", re.I)
_ROWS = re.compile(r"row[ -]vector", re.I)
_BINARY = re.compile(r"\bbits?\b|base[ -]?2|base \$2\$|\\log_2|\\log_\{2\}", re.I)


def front_matter(text: str, where: str) -> tuple[dict, int]:
    """The YAML front matter and the offset where the solution starts."""
    match = _FRONT.match(text)
    if not match:
        return {}, 0
    return _yaml(match.group(1), where), match.end()


def _yaml(text: str, where: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise CheckInputError(f"{where}:{at} malformed front matter") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CheckInputError(f"{where}: front matter must be a mapping of keys to values")
    return data


def chains(text: str, start: int = 0) -> list[Chain]:
    """The chains of relations of the text's maths, in order."""
    found: list[Chain] = []
    previous_end = previous_start = start
    section = problem = 0
    pending: tuple[Condition, ...] = ()     # 'For $i \\neq j$:' before the next formula
    last: list[Chain] = []                  # the chains of the formula before
    for match in _MATH.finditer(text, start):
        body_key = next(k for k in ("dd", "br", "body", "d") if match.group(k) is not None)
        body = match.group(body_key)
        body_start = match.start(body_key)
        gap = text[previous_end:match.start()]
        line_start = text.rfind("\n", 0, previous_start) + 1
        opens_line = text[line_start:previous_start].strip(" \t-*•→") == ""
        previous_start, previous_end = match.start(), match.end()
        rows = list(_rows(unboxed(body), text.count("\n", 0, body_start) + 1))
        gap_words = gap.strip()
        inline = body_key == "d"
        headings = len(_HEADING.findall(gap))
        section += headings
        problem += len(_PROBLEM.findall(gap))
        condition = condition_of(body) if inline else None
        if condition is not None and last and not headings \
                and _AFTER.fullmatch(gap_words):      # '$$… = 0$$ for $i \\neq j$'
            for c in last:
                c.conditions = (*c.conditions, condition)
        carried = pending if not headings and _BEFORE.fullmatch(gap_words) else ()
        pending = (condition,) if condition is not None else ()
        last = []
        for k, (row, line, conditions) in enumerate(rows):
            pieces, relations = _split_relations(row)
            if not pieces:
                continue
            chain = Chain([Piece(p, line) for p in pieces], relations, section=section)
            if inline and k == 0 and gap_words == "=" and found and opens_line \
                    and pieces[0].strip() != "":
                pieces, relations = ["", *pieces], ["=", *relations]   # $a$ = $b$
                chain = Chain([Piece(p, line) for p in pieces], relations, section=section)
            leading = pieces[0].strip() == ""
            named = inline and k == 0 and re.search(r"[A-Za-z]", gap_words) is not None
            if leading and named and relations[:1] == ["="]:
                # 'the half $= 3$': the words name a new quantity; no continuation
                chain.pieces = chain.pieces[1:]
                chain.prose_head = gap_words.splitlines()[-1][-80:]
            elif leading:
                chain.pieces = chain.pieces[1:]
                chain.continues = bool(found) and not named and (k > 0 or (
                    len(gap_words) <= CHAIN_BREAK_CHARS and not headings))
                if not chain.continues:
                    chain.relations = chain.relations[1:]
            elif k == 0 and gap_words.endswith("=") and re.search(r"[A-Za-z]", gap_words):
                chain.prose_head = gap_words[:-1].strip().splitlines()[-1][-80:]
                chain.relations = ["="] + chain.relations
            chain.inline = inline
            chain.hypothesis = inline and k == 0 and _HYPOTHESIS.search(gap_words) is not None
            chain.question = k == 0 and _QUESTION.search(gap_words[-200:]) is not None
            chain.remark = bool(chain.pieces) and (
                _REMARK.match(chain.pieces[0].text) is not None
                or chain.pieces[-1].text.rstrip().endswith(":"))
            chain.conditions = (*conditions, *carried)
            chain.problem = problem
            chain.index_condition = condition is not None
            if chain.pieces:
                found.append(chain)
                last.append(chain)
    return found


# a condition is for the formula beside it only when nothing but these words part them:
# 'For $i \\neq j$: $$…$$', '$$…$$ for $i \\neq j$'
_BEFORE = re.compile(r"[\s:,.;*_]*((we|one) (have|get|find)|then|this gives|it is|they are)?"
                     r"[\s:,.;*_]*", re.I)
_AFTER = re.compile(r",?\s*(for|when|if|where|whenever|with)( all| every| any)?", re.I)


_HYPOTHESIS = re.compile(r"\b(if|assume|assuming|suppose|supposing|let|when|given|provided)"
                         r"( that)?[\s,:]*\Z", re.I)
_QUESTION = re.compile(r"\b(compute|find|evaluate|calculate|determine|what is)\b", re.I)
_HEADING = re.compile(r"^\s*(Q\s*\.?\s*\d+|Question\b|Problem\b|Exercise\b|#{1,6}\s|"
                      r"\\(sub)*section\b|\(?[a-h]\)[\s.:]|Part\s*\(?[a-h0-9])", re.M | re.I)


_PROBLEM = re.compile(r"^\s*(Q\s*\.?\s*\d+|Question\b|Problem\b|Exercise\b|#{1,6}\s|"
                      r"\\(sub)*section\b)", re.M | re.I)


def _rows(body: str, line: int) -> list[tuple[str, int, tuple[Condition, ...]]]:
    """The rows of a display: split at top-level ``\\\\`` (not inside a matrix or braces),
    with aligned/split wrappers and ``&`` removed."""
    body = re.sub(r"\\(begin|end)\{(aligned|align\*?|split|gathered|alignat\*?)\}(\{\d+\})?",
                  " ", body)
    body = untagged(body)
    rows: list[tuple[str, int]] = []
    depth = 0
    current: list[str] = []
    row_line = line + body[:len(body) - len(body.lstrip())].count("\n")   # after \begin{…}
    k = 0
    while k < len(body):
        c = body[k]
        if body.startswith("\\begin{", k):
            depth += 1
        elif body.startswith("\\end{", k):
            depth -= 1
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if depth <= 0 and body.startswith("\\\\", k):
            rows.append(("".join(current), row_line))
            current = []
            k += 2
            spacing = _ROW_SPACING.match(body, k)       # \\[3pt]
            k = spacing.end() if spacing else k
            blank = len(body[k:]) - len(body[k:].lstrip())
            row_line = line + body.count("\n", 0, k + blank)
            continue
        if c == "\\" and k + 1 < len(body):
            current.append(body[k:k + 2])
            k += 2
            continue
        if body.startswith("&&", k) and depth <= 0:
            end = body.find("\\\\", k)          # an annotation column: (3) ✓, a tag
            annotation = body[k + 2:len(body) if end < 0 else end]
            if split_condition("x " + annotation)[1]:     # && \text{for } i \neq j
                current.append(" \\quad " + annotation)
            k = len(body) if end < 0 else end
            continue
        if c == "&" and depth <= 0:
            ahead = body[k + 1:].lstrip()
            starts_relation = _RELATION.match(ahead) is not None
            current.append(" " if starts_relation or not "".join(current).strip()
                           or _ends_with_relation("".join(current)) else " \\quad ")
        else:
            current.append(c)
        k += 1
    rows.append(("".join(current), row_line))
    out: list[tuple[str, int, tuple[Condition, ...]]] = []
    for r, n in _joined(rows):
        r, conditions = split_condition(r)
        out.extend((part, n, conditions) for part in _statements(r) if part.strip())
    return out


_ROW_SPACING = re.compile(r"\s*\[\s*-?[\d.]+\s*(pt|em|ex|mm|cm|in|bp|mu)\s*\]")
_LEADING_OPERATOR = re.compile(r"^(\s|\\q?quad(?![a-zA-Z])|\\[,;:!]|\\hspace\{[^}]*\})*"
                               r"(\+|-|\\cdot(?![a-zA-Z])|\\times(?![a-zA-Z]))")
_TRAILING_OPERATOR = re.compile(r"(\+|-|\\cdot|\\times)\s*$")


def _joined(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A long expression broken over rows (``&= a \\\\ &\\quad + b``) as one row: a row that
    starts with + or − and has no relation of its own, or follows a row ending in one."""
    out: list[tuple[str, int]] = []
    for row, line in rows:
        carried = out and (_TRAILING_OPERATOR.search(out[-1][0]) is not None or (
            _LEADING_OPERATOR.match(row) is not None and not _split_relations(row)[1]))
        if carried:
            out[-1] = (out[-1][0] + " " + row, out[-1][1])
        else:
            out.append((row, line))
    return out


def _ends_with_relation(text: str) -> bool:
    pieces, relations = _split_relations(text + " x")
    return bool(relations) and pieces[-1].strip() == "x"


# a side remark set beside a statement: \quad \text{at } z = 4, \qquad (2)
_REMARK = re.compile(r"^\s*\\(text|textrm|mbox|mathrm)\{\s*(at|where|with|for|and|since|if|"
                     r"when|so|i\.e\.|e\.g\.|as|using|by|because|here|then|given|note)\b", re.I)
_EQUATION_NUMBER = re.compile(r"^\s*\(\s*\d+[a-z]?\s*\)\s*\.?\s*$")
_SEPARATOR = re.compile(r"\\q?quad(?![a-zA-Z])|;")


def _statements(row: str) -> list[str]:
    """A row holding several statements side by side (``F = … \\quad G = …``, ``a = 1; b =
    2``) cut into them; a part without a relation stays with the part before it."""
    cuts = [0]
    depth = 0
    for k, c in enumerate(row):
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif depth == 0 and _SEPARATOR.match(row, k) and (k == 0 or row[k - 1] != "\\"):
            cuts.append(k)
    cuts.append(len(row))
    parts = [re.sub(r"^\\q?quad|^;", "", row[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
    parts = [p for p in parts if not _REMARK.match(p) and not _EQUATION_NUMBER.match(p)]
    if not parts:
        return []
    merged: list[str] = []
    for part in parts:
        if merged and not _split_relations(part)[1] or merged and not _split_relations(
                merged[-1])[1]:
            merged[-1] += part
        else:
            merged.append(part)
    return merged


_RELATION = re.compile(r"\\stackrel\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}\{(=)\}"
                       r"|\\overset\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}\{(=)\}"
                       r"|\\xrightarrow\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}"
                       r"|:=|\\(" + "|".join(k for k in RELATIONS if k.isalpha()) +
                       r")(?![a-zA-Z])|(=|<|>|≈|⇒|→|≤|≥|≠|∈|⟹|←)")
_UNICODE_RELATIONS = {"≈": "≈", "⇒": "⇒", "⟹": "⇒", "→": "→", "≤": "≤", "≥": "≥", "≠": "≠",
                      "∈": "∈", "←": "←"}


def _sized(row: str, k: int, word: str) -> bool:
    """``\\left`` / ``\\right`` at k as a delimiter size, not the start of ``\\leftarrow``."""
    end = k + 1 + len(word)
    return row.startswith("\\" + word, k) and not row[end:end + 1].isalpha()


def _split_relations(row: str) -> tuple[list[str], list[str]]:
    """A row cut at its top-level relations: the pieces and the relations between them."""
    pieces: list[str] = []
    relations: list[str] = []
    depth = 0
    last = 0
    k = 0
    while k < len(row):
        c = row[k]
        if row.startswith("\\begin{", k) or _sized(row, k, "left"):
            depth += 1
        elif row.startswith("\\end{", k) or _sized(row, k, "right"):
            depth -= 1
        if c in "{(" or (c == "[" and not row.startswith("\\[", k - 1)):
            depth += 1
        elif c in "})]":
            depth -= 1
        if depth <= 0:
            match = _RELATION.match(row, k)
            if match:
                relations.append(_relation_of(match))
                pieces.append(row[last:k])
                k = last = match.end()
                continue
        if c == "\\":
            k += 2
            continue
        k += 1
    pieces.append(row[last:])
    if relations and pieces[-1].strip() == "":
        pieces.pop()
        relations.pop()
    return pieces, relations


def _relation_of(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith(("\\stackrel", "\\overset")) or text == "=":
        return "="
    if text.startswith("\\xrightarrow"):
        return "→"
    if text == ":=":
        return ":="
    if match.group(3):
        return RELATIONS[match.group(3)]
    return _UNICODE_RELATIONS.get(text, text)
