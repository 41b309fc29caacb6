"""Tokens of the maths people write in ``$…$``: LaTeX commands, Unicode symbols (σ, ∂, ⇒, ᵀ,
·, −), numbers, letters, and the words of this field's functions written out (``sigmoid``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.check.errors import NotUnderstood

# Unicode as people type it, spelled as the LaTeX command it stands for.
UNICODE = {
    "σ": r"\sigma", "θ": r"\theta", "Θ": r"\Theta", "η": r"\eta", "δ": r"\delta",
    "Δ": r"\Delta", "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "λ": r"\lambda",
    "μ": r"\mu", "ε": r"\epsilon", "ϵ": r"\epsilon", "φ": r"\phi", "ϕ": r"\phi", "π": r"\pi",
    "ω": r"\omega", "τ": r"\tau", "ρ": r"\rho", "ξ": r"\xi", "ζ": r"\zeta", "ν": r"\nu",
    "∂": r"\partial", "Σ": r"\sum", "∑": r"\sum", "∏": r"\prod", "·": r"\cdot", "⋅": r"\cdot",
    "×": r"\times", "−": "-", "–": "-", "÷": r"\div", "≈": r"\approx", "⇒": r"\Rightarrow",
    "⟹": r"\Rightarrow", "→": r"\rightarrow", "≤": r"\le", "≥": r"\ge", "≠": r"\neq",
    "∈": r"\in", "⊙": r"\odot", "∘": r"\circ", "√": r"\sqrt", "∞": r"\infty", "±": r"\pm",
    "′": "'", "’": "'", "ᵀ": "^T", "𝟙": r"\one", "∇": r"\nabla",
    "½": r"\tfrac{1}{2}", "¼": r"\tfrac{1}{4}", "⟨": r"\langle", "⟩": r"\rangle",
    "≡": r"\equiv", "∀": r"\forall",
}

# Function names people write as plain letters inside maths (``sigmoid(x)``).
WORDS = ("softargmax", "softmax", "sigmoid", "logsumexp", "argmax", "argmin", "relu", "ReLU",
         "Softmax", "Sigmoid", "tanh", "sinh", "cosh", "diag", "sign", "sgn", "exp", "log",
         "max", "min", "sqrt", "sin", "cos", "ln")


@dataclass(frozen=True)
class Token:
    """One token: its kind (num, letter, word, cmd, sym, text), its text, its offset."""

    kind: str
    text: str
    at: int


_SPACE = re.compile(r"(\s|\\[,;:!> ]|\\quad|\\qquad|~)+")
_NUMBER = re.compile(r"(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+(?![.\d]))?")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})(?:\\,|\{,\})(\d{3})(?![\d.])")
_COMMAND = re.compile(r"\\([a-zA-Z]+|\\|\{|\}|\||.)")
_LETTERS = re.compile(r"[a-zA-Z]+")
_TEXT_COMMANDS = ("text", "textrm", "textnormal", "mathrm", "operatorname", "textit", "textbf",
                  "mbox", "rm")
_BIG_SIZES = frozenset("big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm "
                       "biggm Biggm".split())      # \bigl( is only a taller (
# a decimal comma set as LaTeX sets it, 0{,}52: a decimal point, but for 1{,}000 (three digits
# after a first group that is not 0), a digit group here (derive.check.judge tries both)
_DECIMAL_COMMA = re.compile(r"(?<![\d.])(0|\d+(?=\{,\}(?:\d{1,2}|\d{4,})(?!\d)))\{,\}(\d)")
_DECIMAL_GROUPS = re.compile(r"(\.(?:\d{3})+)(?:\\,|\\ |\{,\}|~)(\d{1,3})(?!\d)")
MAX_LENGTH = 20_000


def _braced(source: str, start: int) -> tuple[str, int]:
    """The text of the braces opening at ``start`` and the offset after them."""
    depth, k = 0, start
    while k < len(source):
        if source[k] == "\\":
            k += 2
            continue
        if source[k] == "{":
            depth += 1
        elif source[k] == "}":
            depth -= 1
            if depth == 0:
                return source[start + 1:k], k + 1
        k += 1
    raise NotUnderstood("an unclosed brace")


# Unicode sub- and superscripts as people type them (z₁, W⁽²⁾, δˡ, aˡ⁻¹): a run is one group
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁱⁿˡᴸʲᵏᵐ", "0123456789+-()inlLjkm", strict=True))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₍₎ᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓₐₑₕ", "0123456789+-()ijklmnoprstuvxaeh",
                      strict=True))
_SUPERSCRIPT_RUN = re.compile(f"[{''.join(SUPERSCRIPTS)}]+")
_SUBSCRIPT_RUN = re.compile(f"[{''.join(SUBSCRIPTS)}]+")
_HATTED = re.compile("([A-Za-z])\u0302")          # y followed by a combining circumflex
PRECOMPOSED_HATS = {"ŷ": "y", "Ŷ": "Y", "x̂": "x", "ĥ": "h", "ẑ": "z", "ŝ": "s", "â": "a",
                    "ĝ": "g", "ŵ": "w", "ĉ": "c"}


def _scripts(source: str) -> str:
    """Unicode scripts, hats and norms spelled as LaTeX: z₁ → z_{1}, aˡ⁻¹ → a^{l-1},
    ŷ → \\hat{y}, ‖x‖ → \\|x\\|."""
    if source.isascii():
        return source
    for hatted, letter in PRECOMPOSED_HATS.items():
        source = source.replace(hatted, f"\\hat{{{letter}}}")
    source = _HATTED.sub(r"\\hat{\1}", source)
    source = _SUBSCRIPT_RUN.sub(lambda m: "_{" + "".join(SUBSCRIPTS[c] for c in m.group())
                                + "}", source)
    source = _SUPERSCRIPT_RUN.sub(lambda m: "^{" + "".join(SUPERSCRIPTS[c] for c in m.group())
                                  + "}", source)
    return source.replace("‖", "\\|")


def normalised(source: str) -> str:
    """Unicode spelled as LaTeX commands (with a space after each, so ``σx`` stays apart)."""
    source = _scripts(source)
    return "".join(UNICODE[c] + (" " if UNICODE[c][0] == "\\" else "") if c in UNICODE else c
                   for c in source)


# a derivative written with a slash, as plain text writes it: ∂C/∂w₅, ∂/∂a (…), d/dz, dσ(z)/dz
_NAME = (r"(?:\\(?:hat|tilde|bar|mathbf|boldsymbol)\s*\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z])\s*"
         r"(?:_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?(?:\^\s*(?:\{[^{}]*\}|[0-9]))?")
_SLASHED = re.compile(
    rf"(?<![A-Za-z\\])(?P<d>\\partial|d)\s*(?P<body>{_NAME}(?:\([^()]*\))?)?\s*/\s*"
    rf"(?P=d)\s*(?P<var>{_NAME})")


def _slashed(source: str) -> str:
    """∂C/∂w as \\frac{∂C}{∂w}, d/dz as \\frac{d}{dz} (the slash binds the two)."""
    if "/" not in source:
        return source
    return _SLASHED.sub(lambda m: f"\\frac{{{m.group('d')} {m.group('body') or ''}}}"
                                  f"{{{m.group('d')} {m.group('var')}}}", source)


# Andrew Ng's courses name gradients dZ^{[l]}, dW^{[l]}, db^{[l]}, dA^{[l]} (∂/∂Z^{[l]} …):
# one name each, never d × Z (not in a Leibniz fraction's parts, {dJ}{dW^{[2]}}, or after /)
_NAMED_GRADIENT = re.compile(r"(?<![A-Za-z\{/])d([ZWAbzwa])(?=\s*\^\s*\{?\s*\[)")


_PRIME = re.compile(r"\^\s*(?:\\prime|\{\s*(\[[^\[\]{}]*\]\s*)?\\prime\s*\})")


def prepared(source: str) -> str:
    """The source as :func:`tokens` reads it (its offsets are into this text): Unicode
    spelled as LaTeX, digit groups joined, dZ^{[l]} as one name."""
    source = _slashed(normalised(source))
    source = _NAMED_GRADIENT.sub(r"\\mathit{d\1}", source)
    source = _PRIME.sub(lambda m: (f"^{{{m.group(1).strip()}}}" if m.group(1) else "") + "'",
                        source)                          # f^\prime, g^{[1]\prime}: f', g^{[1]}'
    source = source.replace("\\prime", "'")
    source = _DECIMAL_COMMA.sub(r"\1.\2", source)         # 0{,}52: 0.52
    while _THOUSANDS.search(source):
        source = _THOUSANDS.sub(r"\1\2", source)        # 1\,000: one number
    while _DECIMAL_GROUPS.search(source):
        source = _DECIMAL_GROUPS.sub(r"\1\2", source)   # 0.529\,964: one number
    return source


def tokens(source: str) -> list[Token]:
    """The tokens of one piece of maths; raises NotUnderstood on what has no token."""
    if len(source) > MAX_LENGTH:
        raise NotUnderstood("a formula longer than 20,000 characters")
    source = prepared(source)
    out: list[Token] = []
    k = 0
    while k < len(source):
        space = _SPACE.match(source, k)
        if space:
            k = space.end()
            continue
        c = source[k]
        percent = c == "%" or source.startswith("\\%", k)
        if percent and out and out[-1].kind == "num":      # 75% is 75/100
            out += [Token("sym", "/", k), Token("num", "100", k)]
            k += 1 if c == "%" else 2
            continue
        if c == "%":
            break
        number = _NUMBER.match(source, k)
        if number:
            out.append(Token("num", number.group(), k))
            k = number.end()
            continue
        command = _COMMAND.match(source, k)
        if command:
            name = command.group(1)
            k = command.end()
            if name in _BIG_SIZES:
                continue
            if name in _TEXT_COMMANDS:
                while k < len(source) and source[k] == " ":
                    k += 1
                if k < len(source) and source[k] == "{":
                    body, k = _braced(source, k)
                    out.append(Token("text", body.strip(), k))
                    continue
            out.append(Token("cmd", name, k))
            continue
        letters = _LETTERS.match(source, k)
        if letters:
            out.extend(_letters(letters.group(), k))
            k = letters.end()
            continue
        if c in "+-*/^_()[]{}|,=<>'!&:;.?":
            out.append(Token("sym", c, k))
            k += 1
            continue
        raise NotUnderstood(f"the character {c!r}")
    return out


def _letters(run: str, at: int) -> list[Token]:
    """A run of letters: a known function word, or one letter each (``xy`` is x times y)."""
    out: list[Token] = []
    k = 0
    while k < len(run):
        word = next((w for w in WORDS if run.startswith(w, k)), None)
        if word is not None:
            out.append(Token("word", word, at + k))
            k += len(word)
        else:
            out.append(Token("letter", run[k], at + k))
            k += 1
    return out
