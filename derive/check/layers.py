"""Layers written as superscripts, as this field writes them: W^{(2)} (a family, read by
derive.check.calls), a^{[l]} and dW^{[2]} (Andrew Ng's courses), δ^l, z^{l+1}, a^{L-1}
(Nielsen's book), and W^2, δ^1 where the text writes that name's layers so.

A superscript in square brackets, or the letter l or L (with ± a number), is never a power in
this field: it is always a layer.  A digit is a power unless the text writes the same name
with a superscript no one writes as a power (δ^1, W^l, a^{[2]}); then W^2 is tried both as
layer 2 and as W squared (derive.check.notation's reading ``layer``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# the letter of a layer, with ± a number: l, L, l+1, l-1, L-1 (spaces removed)
_LAYER_LETTER = re.compile(r"^[lL](?:[+-]\d)?$")
_BRACKETED = re.compile(r"^\[\s*([0-9]+|[A-Za-z](?:\s*[+-]\s*\d)?)\s*\]$")
# a name and its superscript in the prepared text of a formula
_NAME_SUPERSCRIPT = re.compile(
    r"(\\(?:mathbf|boldsymbol|bm|hat|tilde|bar|vec)\s*\{\s*\\?[A-Za-z]+\s*\}|\\[A-Za-z]+|"
    r"(?<![A-Za-z\\])[A-Za-z])\s*(?:_\s*(?:\{[^{}]*\}|\w)\s*)?\^\s*(\{[^{}]*\}|[^\s{])")
NOT_LAYERED = frozenset(("e", "\\exp", "\\sigma", "\\tanh", "\\log", "\\ln", "d", "\\partial",
                         "\\mathbb{R}", "\\sum", "\\prod", "\\sqrt", "\\frac"))


def layer_of(text: str) -> str | None:
    """The layer a superscript's text names (``[l]`` → ``l``, ``l+1``, ``[2]`` → ``2``), or
    None where it may be a power (a digit, an expression)."""
    text = text.replace(" ", "")
    if _LAYER_LETTER.match(text):
        return text
    bracketed = _BRACKETED.match(text)
    if bracketed:
        return bracketed.group(1).replace(" ", "")
    return None


_LAYER_AND_ENTRY = re.compile(r"^(\[[^\[\]]+\])\s*\(\s*(\w+)\s*\)$")


def layer_and_entry(text: str) -> tuple[str, str] | None:
    """Ng's a^{[2](i)}: layer 2 of example i (never a power 2·i), or None."""
    match = _LAYER_AND_ENTRY.match(text.strip())
    layer = layer_of(match.group(1)) if match else None
    return (layer, match.group(2)) if match and layer is not None else None


_TRANSPOSED_LAYER = re.compile(r"^(?:\((?P<family>[^(),]+)\)|\[(?P<layer>[^\[\],]+)\])"
                               r"\s*(?:\\top|T|\\intercal|\\mathsf\{T\})$")


def transposed_layer(text: str) -> str | None:
    """The layer of a superscript that also transposes (``(2)\\top``, ``[2]T``), or None."""
    match = _TRANSPOSED_LAYER.match(text.strip())
    if match is None:
        return None
    return (match.group("family") or match.group("layer")).replace(" ", "")


def layered_names(formulas: Iterable[str]) -> set[str]:
    """The names the text writes with a layer's superscript (δ^1, W^{l+1}, a^{[2]}): the
    bases whose digit superscripts are layers too.  ``formulas``: prepared maths text
    (derive.check.lexer.prepared)."""
    found: set[str] = set()
    for text in formulas:
        if "^" not in text:
            continue
        for match in _NAME_SUPERSCRIPT.finditer(text):
            base = re.sub(r"\s+", "", match.group(1))
            sup = match.group(2)
            inner = sup[1:-1].strip() if sup.startswith("{") else sup
            if base in NOT_LAYERED:
                continue
            if inner == "1" or layer_of(inner) is not None:
                found.add(base)
    return found


# sizes: the number of classes, outputs, examples (K, N, M, m, n, H, B) where the text uses
# the letter as one: the upper bound of a Σ, a dimension of ℝ^{…}, or 1/K
SIZE_LETTERS = frozenset("KNMmnHB")
_SIZE_USES = (
    re.compile(r"\\(?:sum|prod)\s*_\s*(?:\{[^{}]*\}|\w)\s*\^\s*\{?\s*([A-Za-z])\s*\}?"),
    re.compile(r"\\mathbb\s*\{\s*R\s*\}\s*\^\s*\{([^{}]*)\}"),
    re.compile(r"\\mathbb\s*\{\s*R\s*\}\s*\^\s*([A-Za-z])"),
    re.compile(r"ℝ\s*\^\s*(?:\{([^{}]*)\}|([A-Za-z]))"),
    re.compile(r"\\[dt]?frac\s*\{\s*1\s*\}\s*\{\s*([A-Za-z])\s*\}"),
)


_VARIABLE = re.compile(r"\\partial\s*([A-Za-z])(?![A-Za-z])|\{\s*d\s*([A-Za-z])\s*\}")


def written_sizes(formulas: Iterable[str]) -> set[str]:
    """The letters the text uses as sizes (Σ_{i=1}^{K}, ℝ^{K×d}, 1/K) and never
    differentiates by: integers ≥ 1, so a step that drops a 1/K is wrong (at K = 2), not
    undecided.  ``formulas``: prepared maths text."""
    found: set[str] = set()
    varied: set[str] = set()
    for text in formulas:
        for pattern in _SIZE_USES:
            for match in pattern.finditer(text):
                written = "".join(g for g in match.groups() if g)
                found |= set(re.findall(r"(?<![A-Za-z\\])[A-Za-z](?![A-Za-z])",
                                        written)) & SIZE_LETTERS
        varied |= {a or b for a, b in _VARIABLE.findall(text)}
    return found - varied
