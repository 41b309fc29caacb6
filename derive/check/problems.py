"""The problem a solution answers, and the numbers its statement gives (``w5 = 0.40``,
``i = (0.05, 0.10)``): a name the solution uses without a value of its own takes the
statement's, so an arithmetic line using it can be decided.

The statements are the Markdown files of a ``problems`` folder: the one the front matter names
(``problems: DIR``), else ``$DERIVE_PROBLEMS``, else a ``problems`` or ``shared/problems``
folder beside the solution or above it.  The sheet is the one the front matter names
(``problem: C`` or ``problem: A14``, by the sheet's letter), else the one the solution's first
lines or file name call it (``Sheet C``, ``sheet-B-…``), else the one most of whose numbers
the solution writes (at least four of them, and more than of any other sheet's).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

GREEK = {"η": "\\eta", "θ": "\\theta", "λ": "\\lambda", "α": "\\alpha", "β": "\\beta",
         "μ": "\\mu", "σ": "\\sigma", "ε": "\\epsilon", "γ": "\\gamma", "δ": "\\delta"}
GREEK_NAMES = frozenset(g.lstrip("\\") for g in GREEK.values())
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_NAME = r"(?<![\w⁽)])([A-Za-z" + "".join(GREEK) + r"])(\d{0,2})(?![\w⁽(])"
_DATUM = r"-?\d*\.\d+"                  # data are decimals: 'g = 0', 'l = 1' are not
_SCALAR = re.compile(_NAME + r"\s*=\s*(" + _DATUM + r")(?![\d.,]*\s*[)\]×x])")
_TUPLE = re.compile(_NAME + r"\s*=\s*\((" + _DATUM + r"(?:\s*,\s*" + _DATUM + r")+)\)")
_SHEET_HEADING = re.compile(r"\bsheet[\s_-]*([A-Z])\b", re.IGNORECASE)
_DECIMAL = re.compile(r"(?<![\d.])\d*\.\d+")
MIN_SHARED_NUMBERS = 4
MAX_SHEETS, MAX_BYTES = 50, 1_000_000      # a folder of statements, not of anything


def statement_values(statement: str) -> dict[str, list[str]]:
    """The numbers a problem statement gives its names (decimals: an integer such as ``g = 0``
    or ``l = 1`` is more often a condition or a range), as the checker's parser names them
    (``w5 = 0.40`` → ``w_{5}``; ``y = (0.01, 0.99)`` → ``y_{1}``, ``y_{2}``; ``η = 0.5`` →
    ``\\eta``); a name given several numbers keeps each.  Tuples of a sheet that writes
    vectors bias first (index 0) are not expanded: their first entry's index is unclear."""
    text = statement.translate(SUBSCRIPTS)
    values: dict[str, list[str]] = {}

    def give(name: str, number: str) -> None:
        if number not in values.setdefault(name, []):
            values[name].append(number)

    for match in _SCALAR.finditer(text):
        give(_spelled(match.group(1), match.group(2)), match.group(3))
    if "bias first" not in text:
        for match in _TUPLE.finditer(text):
            if match.group(2):
                continue                    # w1 = (0.01, 0.02, 0.03): a vector of a family
            for k, number in enumerate(re.split(r"\s*,\s*", match.group(3)), start=1):
                give(_spelled(match.group(1), str(k)), number)
    return values


def _spelled(letter: str, index: str) -> str:
    base = GREEK.get(letter, letter)
    return f"{base}_{{{index}}}" if index else base


def problem_values(path: str, text: str, front: dict) -> tuple[dict[str, list[str]], str]:
    """The numbers of the statement of the problem a solution answers, and the statement's
    file name ({} and "" when none is found)."""
    folder = _problems_folder(Path(path), front)
    if folder is None:
        return {}, ""
    try:
        sheets = {p: p.read_text(encoding="utf-8", errors="replace")
                  for p in sorted(folder.glob("*.md"))[:MAX_SHEETS]
                  if p.is_file() and p.stat().st_size <= MAX_BYTES}
    except OSError:
        return {}, ""                   # statements that cannot be read: none
    chosen = _named_sheet(sheets, path, text, front) or _sheet_by_numbers(sheets, text)
    if chosen is None:
        return {}, ""
    return statement_values(sheets[chosen]), chosen.name


def numbered_families(chains: list, notation: object) -> set[str]:
    """The names (by their letter: y for y₁, y₂) the text itself gives a number anywhere
    (``η = 0.1``, ``y = (0, 0, 1)``, ``z₁ = … = 0.3775``): the statement's numbers for them
    are not used, even in a question where the text does not repeat them."""
    families: set[str] = set()
    for chain in chains:
        if not chain.relations or chain.relations[0] not in ("=", "≈"):
            continue
        head = chain.pieces[0].text.strip()
        last = chain.pieces[-1].text.strip().rstrip(".,;")
        if _NUMBERED.fullmatch(last) and (name := _HEAD.fullmatch(head)):
            letter = name.group(1)
            families.add(GREEK.get(letter, "\\" + letter if letter in GREEK_NAMES else letter))
    return families


def named_deltas(chains: list) -> set[str]:
    """The subscripts of δ's the text gives a number (δ_{o1} = … = 0.7414, Mazur's error of
    output o1): such a δ is a name, not a Kronecker delta."""
    found = set()
    for chain in chains:
        if chain.relations and chain.relations[0] in ("=", "≈") and len(chain.pieces) > 1 \
                and _NUMBERED.fullmatch(chain.pieces[-1].text.strip().rstrip(".,;")):
            match = _DELTA.fullmatch(chain.pieces[0].text.strip())
            number = chain.pieces[-1].text.strip().rstrip(".,;").lstrip("-−")
            if match and number not in ("0", "1"):          # δ_{1j} = 0: Kronecker's
                found.add(match.group(1).replace(" ", ""))
    return found


_DELTA = re.compile(r"(?:\\delta|δ)\s*_\s*\{\s*([A-Za-z]+\s*\d+)\s*\}")   # δ_{o1}, not δ_{ij}
_NUMBERED = re.compile(r"[-−]?\d*\.?\d+|\(\s*[-−\d.,\s]+\)")
_HEAD = re.compile(r"\\?([A-Za-z]+|[α-ω])\s*(?:_\s*(?:\{[^{}]*\}|\w)|[₀-₉]+)?")


def _problems_folder(path: Path, front: dict) -> Path | None:
    named = front.get("problems") or os.environ.get("DERIVE_PROBLEMS")
    if named:
        folder = (path.parent / str(named)).resolve()
        return folder if folder.is_dir() else None
    for parent in path.resolve().parents:
        for candidate in (parent / "problems", parent / "shared" / "problems"):
            if candidate.is_dir() and any(candidate.glob("*.md")):
                return candidate
    return None


def _letter(sheet: Path, text: str) -> str | None:
    match = re.match(r"([A-Z])[-_ ]", sheet.name) or _SHEET_HEADING.search(text[:200])
    return match.group(1).upper() if match else None


def _named_sheet(sheets: dict[Path, str], path: str, text: str, front: dict) -> Path | None:
    named = front.get("problem") or front.get("sheet")
    letter = None
    if named is not None:
        match = re.match(r"\s*(?:sheet\s*)?([A-Za-z])", str(named), re.IGNORECASE)
        letter = match.group(1).upper() if match else None
    else:
        head = "\n".join(text.splitlines()[:5])
        match = _SHEET_HEADING.search(head) or _SHEET_HEADING.search(Path(path).stem)
        letter = match.group(1).upper() if match else None
    if letter is None:
        return None
    found = [p for p, body in sheets.items() if _letter(p, body) == letter]
    return found[0] if len(found) == 1 else None


def _sheet_by_numbers(sheets: dict[Path, str], text: str) -> Path | None:
    written = set(_DECIMAL.findall(text))
    shared = sorted(((len(written & set(_DECIMAL.findall(body))), p)
                     for p, body in sheets.items()), reverse=True)
    if not shared or shared[0][0] < MIN_SHARED_NUMBERS:
        return None
    if len(shared) > 1 and shared[1][0] == shared[0][0]:
        return None
    return shared[0][1]
