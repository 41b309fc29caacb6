"""A Unicode terminal view of derivations, worked examples and figures (``derive show``).

Displayed equations go through SymPy's pretty printer (Unicode, the author's term order,
derive's own functions as σ, ReLU, softmax, LSE and the derivation's notation honoured);
inline maths and the authored ``$...$`` LaTeX of givens and rules are turned into linear
Unicode (``∂J/∂θⱼ``, ``P(y=1 | x)``).  Everything is wrapped to a width, by default the
terminal's.
"""

from __future__ import annotations

import re
import shutil
import textwrap
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm

from derive.figure import Figure
from derive.proof import Derivation, Text, Verdict, WorkedExample
from derive.render import latex
from derive.render.tex_size import tex_group

MARKS = {"proved": "✓", "checked": "≈", "refuted": "✗", "undecided": "?", "given": "•"}
FUNCTION_NAMES = {"sigmoid": "σ", "relu": "ReLU", "softmax": "softmax", "logsumexp": "LSE"}

# --- LaTeX -> linear Unicode (for notation, inline maths and authored $...$ text) ---------

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "Pi": "Π", "Phi": "Φ",
    "Omega": "Ω", "Gamma": "Γ", "Lambda": "Λ", "Theta": "Θ", "partial": "∂", "nabla": "∇",
    "sum": "Σ", "prod": "Π", "infty": "∞", "times": "×", "cdot": "·", "cdots": "⋯",
    "ldots": "…", "dots": "…", "odot": "⊙", "circ": "∘", "mid": "|", "in": "∈",
    "notin": "∉", "neq": "≠", "ne": "≠", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "to": "→", "rightarrow": "→", "Rightarrow": "⇒", "iff": "⇔", "implies": "⇒",
    "approx": "≈", "propto": "∝", "pm": "±", "ell": "ℓ", "top": "ᵀ", "intercal": "ᵀ",
    "forall": "∀", "exists": "∃", "subset": "⊂", "cup": "∪", "cap": "∩", "mapsto": "↦",
    "lbrace": "{", "rbrace": "}", "langle": "⟨", "rangle": "⟩", "lVert": "‖", "rVert": "‖",
    "Vert": "‖", "|": "‖", "{": "{", "}": "}", "%": "%", "&": "&", "_": "_", "#": "#",
    "log": "log", "exp": "exp", "max": "max", "min": "min", "ln": "ln", "tanh": "tanh",
    "det": "det", "sup": "sup", "inf": "inf", "arg": "arg", "quad": "  ", "qquad": "    ",
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "displaystyle": "", "limits": "",
    "left": "", "right": "", "bigl": "", "bigr": "", "Bigl": "", "Bigr": "", "biggl": "",
    "biggr": "", "big": "", "Big": "", "mathbb": "", "colon": ":", "star": "⋆", "ast": "∗",
    "setminus": "∖", "emptyset": "∅", "prime": "′", "cdotp": "·", "vert": "|",
}
ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "overline": "\u0304",
           "dot": "\u0307", "vec": "\u20d7", "widehat": "\u0302"}
WRAPPERS = ("mathrm", "mathit", "mathbf", "mathsf", "mathcal", "operatorname", "text",
            "textrm", "textit", "textbf", "boldsymbol", "bm", "mbox", "emph")
SUPER = dict(zip("0123456789+-=()niTtjklmxyzabcdefghoprsuvw",
                 "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᵗʲᵏˡᵐˣʸᶻᵃᵇᶜᵈᵉᶠᵍʰᵒᵖʳˢᵘᵛʷ", strict=True))
SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ",
               strict=True))


def _script(body: str, table: dict[str, str], mark: str) -> str:
    text = unicode_math(body).replace(" ", "")
    if text and all(c in table or c == "," for c in text):
        return "".join(table.get(c, c) for c in text)
    if mark == "^" and text in ("ᵀ", "′", "″", "∗", "⋆"):
        return text
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _atom(text: str) -> str:
    """A fraction's part, bracketed unless it is one symbol."""
    text = re.sub(r"^(∂|d) (?=\S+$)", r"\1", text.strip())
    return text if text and not re.search(r"[\s+\-/=·⋅×]", text) else f"({text})"


def unicode_math(s: str) -> str:
    """LaTeX maths as linear Unicode: ``\\frac{\\partial J}{\\partial \\theta_j}`` -> ``∂J/∂θⱼ``."""
    out: list[str] = []
    at = 0
    while at < len(s):
        c = s[at]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[at:])
            assert m is not None
            name, at = m.group(1), at + m.end()
            if name in ("frac", "dfrac", "tfrac"):
                num, at = tex_group(s, at)
                den, at = tex_group(s, at)
                out.append(f"{_atom(unicode_math(num))}/{_atom(unicode_math(den))}")
            elif name in ("sqrt",):
                arg, at = tex_group(s, at)
                out.append(f"√{_atom(unicode_math(arg))}")
            elif name in ACCENTS:
                arg, at = tex_group(s, at)
                inner = unicode_math(arg)
                out.append(inner + ACCENTS[name] if len(inner) == 1 else f"{name}({inner})")
            elif name in WRAPPERS:
                arg, at = tex_group(s, at)
                out.append(unicode_math(arg))
            elif name in SYMBOLS:
                out.append(SYMBOLS[name])
            else:
                out.append(name)
        elif c in "^_":
            body, at = tex_group(s, at + 1)
            out.append(_script(body, SUPER if c == "^" else SUB, c))
        elif c in "{}$":
            at += 1
        elif c == "~":
            out.append(" ")
            at += 1
        else:
            out.append(c)
            at += 1
    joined = unicodedata.normalize("NFC", "".join(out))
    joined = re.sub(r" {2,}", " ", joined).replace("( ", "(").replace(" )", ")")
    return re.sub(r"([(\[{^,=]) ?- (?=\w)", r"\1-", joined)


def authored_text(words: str) -> str:
    """Authored prose whose maths is written ``$...$`` (givens, rules, captions)."""
    parts = re.split(r"(?<!\\)\$(.+?)(?<!\\)\$", words)
    return "".join(unicode_math(p) if k % 2 else p.replace(r"\$", "$")
                   for k, p in enumerate(parts))


# --- the pretty printer --------------------------------------------------------------------

class TerminalPrinter(PrettyPrinter):
    """SymPy's Unicode pretty printer in the author's order, with derive's functions and the
    derivation's notation (printed as linear Unicode)."""

    def __init__(self, notation: Mapping[sp.Basic, str] | None = None, width: int = 80) -> None:
        super().__init__({"use_unicode": True, "order": "none", "num_columns": width,
                          "wrap_line": True})
        self.notation = dict(notation or {})

    def _print(self, expr: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(expr, sp.Basic) and expr in self.notation:
            return prettyForm(unicode_math(self.notation[expr]))
        return super()._print(expr, *args, **kwargs)

    def _print_Function(self, e: Any, sort: bool = False, func_name: str | None = None,
                        left: str = "(", right: str = ")") -> Any:
        name = FUNCTION_NAMES.get(type(e).__name__, func_name)
        return super()._print_Function(e, sort=sort, func_name=name, left=left, right=right)

    def _print_softmax(self, e: Any) -> Any:
        zs = ", ".join(str(self._print(z)) for z in e.args[1:])
        return prettyForm(f"softmax({zs})" + _script(str(self._print(e.args[0])), SUB, "_"))

    def _print_Symbol(self, e: sp.Symbol, bold_name: bool = False) -> Any:
        if type(e).__name__ in ("Verbatim", "VerbatimSum"):
            return prettyForm(unicode_math(latex.tex(e)))
        if e.name.endswith("'") and e.name.rstrip("'") in SYMBOLS:
            return prettyForm(SYMBOLS[e.name.rstrip("'")] + "′" * (len(e.name) - len(
                e.name.rstrip("'"))))
        return super()._print_Symbol(e, bold_name)

    def _print_Indexed(self, e: sp.Indexed) -> Any:
        base = unicode_math(self.notation[e.base]) if e.base in self.notation \
            else str(self._print(e.base.label))
        indices = [str(self._print(i)) for i in e.indices]
        if all(c in SUB for i in indices for c in i):
            return prettyForm(base + ",".join("".join(SUB[c] for c in i) for i in indices))
        return prettyForm(f"{base}[{', '.join(indices)}]")

    def _print_Transpose(self, e: Any) -> Any:
        inner = self._print(e.arg)
        if inner.height() == 1 and len(str(inner)) > 1 and not str(inner).isalnum():
            inner = prettyForm(*inner.parens())
        return prettyForm(str(inner) + "ᵀ") if inner.height() == 1 else \
            super()._print_Transpose(e)

    def _print_Heaviside(self, e: Any) -> Any:
        return prettyForm(f"𝟏[{self._print(e.args[0])} > 0]")


def pretty(expr: sp.Basic, notation: Mapping[sp.Basic, str] | None = None,
           width: int = 80) -> str:
    """An expression or equation as (possibly several lines of) Unicode, at most ``width``
    columns where SymPy can break it."""
    return TerminalPrinter(notation, width).doprint(expr)


def inline(expr: sp.Basic, notation: Mapping[sp.Basic, str] | None = None) -> str:
    """An expression on one line: the pretty form if it is one line, else linear Unicode."""
    form = pretty(expr, notation, width=10_000)
    return form if "\n" not in form else unicode_math(latex.tex(expr, notation))


def text_unicode(words: Text, notation: Mapping[sp.Basic, str] | None = None) -> str:
    """A Text (words and expressions) on one line of Unicode."""
    return "".join(authored_text(p) if isinstance(p, str) else inline(p, notation)
                   for p in words)


# --- views ---------------------------------------------------------------------------------

def mark(verdict: Verdict | None) -> str:
    return MARKS.get(verdict.status if verdict else "undecided", "?")


def _wrap(words: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(words, width=max(width, 20), initial_indent=first or indent,
                         subsequent_indent=indent, break_on_hyphens=False) or [indent]


def _block(head: str, body: str, indent: int) -> list[str]:
    """A multi-line pretty form with ``head`` before its first line, the rest indented."""
    lines = body.split("\n")
    pad = " " * indent
    return [head.ljust(indent) + lines[0], *(pad + line for line in lines[1:])]


def _tally_line(d: Derivation) -> str:
    t = d.tally()
    return (f"{sum(t.values())} steps: {t['proved']} proved ✓, {t['checked']} checked ≈, "
            f"{t['refuted']} refuted, {t['undecided']} undecided")


def derivation_text(d: Derivation, width: int) -> list[str]:
    lines = [d.title, "═" * min(len(d.title), width)]
    lines += _wrap(text_unicode(d.summary, d.notation), width)
    if d.givens:
        lines += ["", "Given:"]
        for g in d.givens:
            lines += _wrap(text_unicode(g, d.notation), width, "    ", "  • ")
    lines.append("")
    indent = 8
    for number, step in enumerate(d.steps, 1):
        arrow = ("⇒ " if step.one_way else "⇔ ") if step.kind == "implies" else ""
        status = "given" if step.kind == "given" else \
            (step.verdict.status if step.verdict else "undecided")
        head = f"{number:2d}. {MARKS.get(status, '?')} {arrow}"
        body = pretty(sp.Eq(step.lhs, step.rhs, evaluate=False), d.notation, width - indent - 3)
        lines += _block(head, body, indent)
        rule = text_unicode(step.rule, d.notation)
        lines += _wrap(f"— {rule} ({status})", width, " " * (indent + 2), " " * indent)
    lines += ["", _tally_line(d)]
    for o in d.oracles:
        status = o.verdict.status if o.verdict else "undecided"
        lines += _wrap(f"oracle ({status} {mark(o.verdict)}): "
                       f"{text_unicode(o.description, d.notation)}", width, "    ")
    return lines


def value_text(value: Any, digits: int = 6) -> str:
    """A computed value: a number to ``digits`` significant digits, an array as rows."""
    if hasattr(value, "shape"):
        return np.array2string(np.asarray(value, dtype=float), precision=4, separator=", ",
                               suppress_small=False)
    return f"{float(value):.{digits}g}"


def example_text(ex: WorkedExample, width: int) -> list[str]:
    lines = [ex.title, "═" * min(len(ex.title), width)]
    lines += _wrap(text_unicode(ex.summary, ex.notation), width)
    values = ex.values()
    for group, quantities in ex.groups():
        lines += ["", f"{authored_text(group)}:"]
        for q in quantities:
            parts = [inline(q.symbol, ex.notation)]
            if q.formula is not None:
                parts.append(inline(q.formula, ex.notation))
                if not q.is_matrix:
                    sub = unicode_math(latex.substituted(q.formula, values, ex.notation))
                    if sub not in parts and len(sub) < width:
                        parts.append(sub)
            value = value_text(q.value)
            if "\n" in value:
                lines += _wrap(" = ".join(parts) + " =", width, "      ", "  ")
                lines += ["      " + row for row in value.split("\n")]
            else:
                lines += _wrap(" = ".join([*parts, value]), width, "      ", "  ")
    if ex.comparisons:
        lines += ["", f"{ex.compared[0]} against {ex.against}:"]
        for c in ex.comparisons:
            lines += _wrap(f"{text_unicode(c.label, ex.notation)}: |difference| "
                           f"{c.abs_error:.2g}", width, "    ", "  ")
    return lines


def figure_text(fig: Figure, width: int) -> list[str]:
    lines = [f"figure {fig.name}" + (f" ({', '.join(fig.problems)})" if fig.problems else "")]
    lines += _wrap(authored_text(latex.plain_parentheses(fig.caption)), width)
    for p in fig.plots:
        for s in p.series:
            lines.append(f"  curve {authored_text(s.legend)}: {len(s.xs)} points")
    for g in fig.graphs:
        lines.append(f"  graph {authored_text(g.title)}")
    if fig.tensor_graph is not None:
        lines.append("  a vector computation graph")
    lines.append("  (the numbers: derive show NAME --format json)")
    return lines


def to_terminal(obj: Derivation | WorkedExample | Figure, width: int | None = None) -> str:
    """The terminal view, wrapped to ``width`` (default: the terminal's, at most 120)."""
    if width is None:
        width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    width = max(width, 40)
    if isinstance(obj, Figure):
        lines = figure_text(obj, width)
    elif isinstance(obj, WorkedExample):
        lines = example_text(obj, width)
    else:
        lines = derivation_text(obj, width)
    return "\n".join(line.rstrip() for line in lines)
