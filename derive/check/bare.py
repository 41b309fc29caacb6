"""Maths written without dollars, as in a plain Markdown or text solution: a line that is a
formula (``h1 = σ(z1) = σ(0.3775) = 0.59327``), the formula that ends or starts a sentence
(``so the distance is |1|/√13 = 0.2774.``) and a code span (`` `dZ2 = A2 - Y` ``), marked as
maths so derive.check.document reads them.  Names written with their index run on
(``w5``, ``h1``) are subscripted (w_{5}, h_{1}).

Only runs of words that hold no prose (no word of three letters or more but the functions
this field writes, and none of the short English words) and hold a relation between two
sides are marked; a line with any ``$`` or a LaTeX environment is left as it is."""

from __future__ import annotations

import re

FUNCTION_WORDS = frozenset("""log ln exp tanh sigmoid softmax max min diag relu ReLU sqrt sgn
sign argmax argmin sigma Sigmoid Softmax lim""".split())
SHORT_WORDS = frozenset("""if so at is in of to as we be by or an on it no do up he me my us
am go vs iff for i.e e.g""".split())
# letters written as Unicode scripts (yⱼ, δⱼₖ, aᴸ): indices, never prose
SCRIPT_LETTERS = str.maketrans("", "", "ₐₑₒₓₕₖₗₘₙₚₛₜⱼᵢᵣᵤᵥᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴸᴷᴺᵀ")
_PROSE = re.compile(r"[^\W\d_]{3,}")
_RELATION = re.compile(r"(?<![<>!=])(=|≈|≠)(?!=)")
_RUN_ON_INDEX = re.compile(r"(?<![A-Za-z\\\d.])([A-Za-zα-ωΔΘ])(\d{1,2})(?![\d.]|\s*\()")
_CODE = re.compile(r"`([^`\n]+)`")
_LEADER = re.compile(r"^(\s*(?:[-*•→⇒]|\d+[.)](?=\s))?\s*)")    # "2." a list, "2.7" no
_FENCE = re.compile(r"^\s*(```|~~~)")
_EDGE = ".,;:"


def _mathy(word: str) -> bool:
    core = word.strip(_EDGE + "()[]")
    if not core:
        return word.strip() != ""
    if core.lower() in SHORT_WORDS:
        return False
    return all(w in FUNCTION_WORDS for w in _PROSE.findall(core.translate(SCRIPT_LETTERS)))


def _formula(words: list[str]) -> bool:
    text = " ".join(words).strip(_EDGE + " ")
    sides = _RELATION.split(text)
    return len(sides) >= 3 and all(s.strip() for s in sides[::2]) \
        and any(ch.isdigit() or ch in "σ∂∑Σ^_/()≠" for ch in text)


def _braced_powers(formula: str) -> str:
    """``e^(−z)`` as ``e^{−z}`` (a superscript in parentheses is the whole of them); ``x^(i)``,
    an entry of a family, is kept."""
    k = formula.find("^(")
    while k >= 0:
        depth, j = 0, k + 1
        while j < len(formula):
            depth += {"(": 1, ")": -1}.get(formula[j], 0)
            if depth == 0:
                break
            j += 1
        inner = formula[k + 2:j]
        if j < len(formula) and not re.fullmatch(r"\s*(\d+|[A-Za-z])\s*", inner):
            formula = f"{formula[:k]}^{{{inner}}}{formula[j + 1:]}"
        k = formula.find("^(", k + 1)
    return formula


def _separated(formula: str) -> str:
    """Statements side by side (``σ(0.5) = 0.6225, σ′(0.5) = 0.2350``) kept apart."""
    parts: list[str] = []
    depth, start = 0, 0
    for k, c in enumerate(formula):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(c, 0)
        if depth == 0 and c in ",;" and formula[k + 1:k + 2] == " " \
                and _RELATION.search(formula[k + 1:]) and _RELATION.search(formula[start:k]):
            parts.append(formula[start:k])
            start = k + 1
    parts.append(formula[start:])
    return " \\quad ".join(p.strip() for p in parts)


def _subscripted(formula: str) -> str:
    formula = _separated(_braced_powers(formula))
    return _RUN_ON_INDEX.sub(
        lambda m: m.group(0) if m.group(1) in "eE" and m.start() > 0
        and formula[m.start() - 1].isdigit() else f"{m.group(1)}_{{{m.group(2)}}}", formula)


def _marked(line: str) -> str:
    """One line with its bare formulas marked as maths."""
    lead = _LEADER.match(line)
    start = lead.end() if lead else 0
    body = line[start:]
    words = body.split(" ")
    if _formula(words) and all(_mathy(w) for w in words):
        formula = body.rstrip(_EDGE + " ")
        return f"{line[:start]}$${_subscripted(formula)}$${body[len(formula):]}"
    out: list[str] = []
    run: list[str] = []
    for word in [*words, "\0"]:
        if word != "\0" and _mathy(word):
            run.append(word)
            continue
        out.extend(_wrapped(run))
        run = []
        if word != "\0":
            out.append(word)
    return line[:start] + " ".join(out)


def _wrapped(run: list[str]) -> list[str]:
    """A run of words that hold no prose: the formula marked, if it is one."""
    while run and not run[0].strip(_EDGE + " "):
        run = run[1:]
    if not _formula(run):
        return run
    text = " ".join(run)
    formula = text.rstrip(_EDGE + " ")
    return [f"${_subscripted(formula)}${text[len(formula):]}"]


def marked_bare_maths(text: str) -> str:
    """The text with its formulas written without dollars marked as maths (line breaks
    kept, so every line number stays)."""
    lines = text.split("\n")
    inside = 0             # environments open, $$ or \\[ displays spanning lines
    for k, line in enumerate(lines):
        opened = inside
        inside += line.count("\\begin{") - line.count("\\end{") + line.count("\\[") \
            - line.count("\\]") + (line.count("$$") % 2) * (1 if inside % 2 == 0 else -1)
        inside = max(inside, 0)
        if opened or inside or _FENCE.match(line):
            continue
        if "$" in line or "\\" in line or line.lstrip().startswith(("#", "|", ">")):
            continue
        line = _CODE.sub(lambda m: f"${m.group(1)}$" if _RELATION.search(m.group(1))
                         else m.group(0), line)
        if "$" in line:
            lines[k] = line
            continue
        if _RELATION.search(line):
            lines[k] = _marked(line)
    return "\n".join(lines)
