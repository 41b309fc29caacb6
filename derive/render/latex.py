"""LaTeX printing: expressions with the reader's notation, escaped text, numbers, substitutions.

Dispatch follows SymPy's printers: a subclass of ``LatexPrinter`` that first looks an
expression up in the derivation's ``notation`` and otherwise prints as SymPy does (custom
functions print themselves through their own ``_latex``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from pylatex.utils import escape_latex
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from derive.proof import Derivation, Quantity, Step, Text, Verdict

# Unicode that prose may contain, mapped to LaTeX that pdflatex understands.
UNICODE_TEXT = {
    "σ": r"\ensuremath{\sigma}", "θ": r"\ensuremath{\theta}", "η": r"\ensuremath{\eta}",
    "δ": r"\ensuremath{\delta}", "ℓ": r"\ensuremath{\ell}", "∂": r"\ensuremath{\partial}",
    "Σ": r"\ensuremath{\Sigma}", "−": r"\ensuremath{-}", "′": r"\ensuremath{'}",
    "·": r"\ensuremath{\cdot}",
    "≤": r"\ensuremath{\le}", "≥": r"\ensuremath{\ge}", "→": r"\ensuremath{\to}",
    "×": r"\ensuremath{\times}", "≈": r"\ensuremath{\approx}",
    "∘": r"\ensuremath{\circ}",
    "…": r"\dots{}", "–": "--", "—": "---", "‖": r"\ensuremath{\Vert}",
    "ŷ": r"\ensuremath{\hat y}", "⊙": r"\ensuremath{\odot}", "∇": r"\ensuremath{\nabla}",
    "≠": r"\ensuremath{\neq}", "⇔": r"\ensuremath{\Leftrightarrow}", "∈": r"\ensuremath{\in}",
    "ℝ": r"\ensuremath{\mathbb{R}}", "∞": r"\ensuremath{\infty}", "″": r"\ensuremath{''}",
    "½": r"\ensuremath{\tfrac12}", "φ": r"\ensuremath{\varphi}", "↦": r"\ensuremath{\mapsto}",
}
# Unicode super- and subscripts; a run of them becomes one ^{...} or _{...}.
SUPERSCRIPTS = {**dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ᴸˡⁿ", "0123456789+-()Lln", strict=True)),
                "ᵀ": r"\top "}
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₐ₋₊", "0123456789ijka-+", strict=True))


INDICATOR = r"\mathbf{1}"   # 1[s > 0], how a Heaviside step prints


def _has_top_level_sum(latex: str) -> bool:
    """Whether printed maths has a + or − outside every bracket (a sum that prints bare, such
    as a matrix sum written as it stands): a log of it needs its brackets."""
    depth = 0
    for k, ch in enumerate(latex):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(ch, 0)
        if depth == 0 and ch in "+-" and k > 0:
            return True
    return False


def _monomial_order(product: sp.Mul) -> sp.Mul:
    """A monomial SymPy ordered (2 y x²) with its variables in alphabetical order, as a person
    writes it (2 x² y); a product the author wrote in another order is kept."""
    factors = list(product.args)
    variables = [f for f in factors if not f.is_Number]
    simple = all(isinstance(f, sp.Symbol) or (isinstance(f, sp.Pow) and isinstance(
        f.base, sp.Symbol) and f.exp.is_Integer and f.exp > 0) for f in variables)
    if len(variables) < 2 or not simple or product.args != sp.Mul(*factors).args:
        return product
    ordered = sorted(variables, key=lambda f: (f.base if isinstance(f, sp.Pow) else f).name)
    if ordered == variables:
        return product
    return sp.Mul(*[f for f in factors if f.is_Number], *ordered, evaluate=False)


def _written_fractions(product: sp.Mul) -> bool:
    """Whether an author wrote this product of two or more fractions factor by factor (SymPy
    would print it as one fraction, the step "split into two factors" then showing one)."""
    fractions = [f for f in product.args
                 if not f.is_Number and sp.fraction(f, exact=True)[1] != 1]
    # a fraction beside a sum holding fractions of its own: SymPy would put the sum over the
    # fraction's denominator, a fraction nested in a numerator (1/(1 + e^-z) · (1 - 1/(...)))
    nested = any(a.is_Add and any(sp.fraction(t, exact=True)[1] != 1 for t in a.args)
                 for a in product.args)
    if fractions and nested:
        return True
    return len(fractions) >= 2 and product.args != sp.Mul(*product.args).args


def _negated_fraction(product: sp.Mul) -> tuple[sp.Expr, sp.Expr] | None:
    """(numerator, denominator) of a written product -1 · (negative factor) / (power), which
    SymPy would print with a stray (-1); None for any other product."""
    args = product.args
    if len(args) < 3 or args[0] != -1 or product.args == sp.Mul(*args).args:
        return None
    below = [a for a in args[1:] if a.is_Pow and a.exp.is_negative]
    above = [a for a in args[1:] if a not in below]
    if len(below) != 1 or len(above) != 1 or not above[0].could_extract_minus_sign():
        return None
    return above[0], sp.Pow(below[0].base, -below[0].exp, evaluate=False)


def _leading_negative(product: sp.MatMul) -> bool:
    return bool(product.args[0].is_Number and product.args[0].is_extended_negative)


_OPEN, _CLOSE = "\u27e8D\u27e8", "\u27e9D\u27e9"   # brackets a product may already have

# A name as a derivative's numerator: a letter or a command, hatted or not, with at most one
# superscript and one subscript of plain text.
_A_NAME = re.compile(r"(?:[A-Za-z]|\\[a-zA-Z]+|\\hat\{[a-z]\})(?:\^\{[^{}]*\})?(?:_\{[^{}]*\})?")


class NotationPrinter(LatexPrinter):
    """LatexPrinter that prints any expression found in ``notation`` as the given LaTeX."""

    def __init__(self, notation: Mapping[sp.Basic, str] | None = None, **settings: Any) -> None:
        settings.setdefault("order", "none")          # keep the order the author wrote
        settings.setdefault("mul_symbol", None)
        super().__init__(settings)
        self.notation = dict(notation or {})
        self._bracketed_logs: set[int] = set()   # logs that a factor follows (see _print_Mul)

    def doprint(self, expr: Any) -> str:
        printed = super().doprint(expr)   # no bracket marker ever reaches the page
        return printed.replace(_OPEN, r"\left(").replace(_CLOSE, r"\right)")

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, sp.Basic) and expr in self.notation:
            return self.notation[expr]
        return super()._print(expr, **kwargs)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        # d for a function of one variable (dσ/dz), the partial sign where there are others.
        dim = sum(int(count) for _, count in expr.variable_count)
        variables = {v for v, _ in expr.variable_count}
        one = len(variables) == 1 and isinstance(next(iter(variables)), sp.Symbol) \
            and expr.expr.free_symbols <= variables
        d = r"\mathrm{d}" if one else r"\partial"
        den = " ".join(rf"{d} {self._print(v)}" + (f"^{{{c}}}" if int(c) > 1 else "")
                       for v, c in reversed(expr.variable_count))
        num = d + (f"^{{{dim}}}" if dim > 1 else "")
        body = self.parenthesize(expr.expr, PRECEDENCE["Mul"], strict=True)
        if isinstance(expr.expr, (sp.Symbol, sp.Indexed)) or expr.expr in self.notation:
            if _A_NAME.fullmatch(body):   # a name, perhaps indexed: dC/dz, dz^{l+1}_k/dz^l_j
                return rf"\frac{{{num} {body}}}{{{den}}}"
        if id(expr) in self._bracketed_logs:   # brackets, unless SymPy's own go round them
            return rf"{_OPEN}\frac{{{num}}}{{{den}}} {body}{_CLOSE}"
        return rf"\frac{{{num}}}{{{den}}} {body}"

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        # A matrix named by a symbol with notation of its own prints as that notation.
        name = expr.args[0]
        return self._print(name) if isinstance(name, sp.Symbol) else super()._print_MatrixSymbol(
            expr)

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        # A named matrix (w^{2}) is wrapped once: (w^{2})^{T}, not ((w^{2}))^{T}.
        # The transpose is \top, as in the prose.
        inner = self._print(expr.arg)
        if expr.arg in self.notation or isinstance(expr.arg, sp.MatrixSymbol):
            return rf"\left({inner}\right)^{{\top}}" if "^" in inner else rf"{inner}^{{\top}}"
        printed = super()._print_Transpose(expr)
        return printed[:-len("^{T}")] + r"^{\top}" if printed.endswith("^{T}") else printed

    # SymPy looks for a minus sign in a matrix product by negating it, and negating a matrix
    # expression evaluates it deeply (seconds per sheet).  A leading negative number is the
    # only minus sign such a product shows, so both places below look at that alone.

    def parenthesize(self, item: Any, level: int, is_neg: bool = False,
                     strict: bool = False) -> str:
        if not isinstance(item, sp.MatMul):
            return super().parenthesize(item, level, is_neg, strict)
        prec = PRECEDENCE["Add"] if _leading_negative(item) else PRECEDENCE["Mul"]
        if (is_neg and strict) or prec < level or (not strict and prec <= level):
            return self._add_parens(self._print(item))
        return self._print(item)

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        args, sign = list(expr.args), ""
        if _leading_negative(expr):
            args, sign = (args[1:] if args[0] == -1 else [-args[0], *args[1:]]), "- "
        level = PRECEDENCE["Mul"]
        # a product inside a product needs no brackets (it is associative): 2(ŷ − y)ᵀ W, not
        # (2(ŷ − y)ᵀ) W; one that starts with a minus sign keeps them after the first factor
        return sign + " ".join(
            self._print(a) if (isinstance(a, sp.Mul) and not isinstance(a, sp.MatMul)) or (
                isinstance(a, sp.MatMul) and (n == 0 or not _leading_negative(a)))
            else self.parenthesize(a, level, False) for n, a in enumerate(args))

    def _print_Add(self, expr: sp.Add, order: Any = None) -> str:
        # A sum SymPy ordered that starts with a minus sign starts with its first positive
        # term instead: ŷ − y, not −y + ŷ (a sum the author wrote in another order is kept).
        terms = list(expr.args)
        if terms[0].could_extract_minus_sign() and expr.args == sp.Add(*terms).args:
            positive = next((t for t in terms if not t.could_extract_minus_sign()), None)
            if positive is not None:
                terms.remove(positive)
                expr = sp.Add(positive, *terms, evaluate=False)
        return super()._print_Add(expr, order)

    def _print_log(self, expr: sp.log, exp: Any = None) -> str:
        # log a, log σ(z), log s_i as a person writes them; log(1 − a) keeps its brackets.
        arg = expr.args[0]
        power = "" if exp is None else f"^{{{exp}}}"
        printed = self._print(arg)
        bare = isinstance(arg, (sp.Symbol, sp.Indexed)) or (
            isinstance(arg, sp.Function) and not isinstance(arg, (sp.log, sp.exp)))
        if id(expr) not in self._bracketed_logs and bare and not _has_top_level_sum(printed):
            return rf"\log{power} {printed}"
        return rf"\log{power}{{\left({printed} \right)}}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: Any = None) -> str:
        # The Kronecker delta as an indicator, 1[i = j]: delta always means an error.
        i, j = (self._print(a) for a in expr.args)
        return rf"{INDICATOR}[{i} = {j}]" + ("" if exp is None else f"^{{{exp}}}")

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        # The step as an indicator; its value at 0 does not matter on a sheet.
        return rf"{INDICATOR}[{self._print(expr.args[0])} > 0]"

    def _print_Mul(self, expr: sp.Mul) -> str:
        # A log followed by another factor keeps its brackets: log(a) (1 − y), not log a (1 − y).
        expr = _monomial_order(expr)
        negated = _negated_fraction(expr)
        if negated is not None:   # -(-e^-z)/(1 + e^-z)^2, not -(-1) e^-z/(1 + e^-z)^2
            numerator, denominator = negated
            return (rf"- \frac{{{self._print(numerator)}}}"
                    rf"{{{self._print(denominator)}}}")
        first = expr.args[0]
        if (first.is_Rational and not first.is_Integer and first.p == 1 and len(expr.args) == 2
                and (expr.args[1].is_Add or isinstance(expr.args[1], sp.Sum) or (
                    expr.args[1].is_Pow and expr.args[1].base.is_Add))):   # ½ (ŷ − y)², ½ Σ
            rest = sp.Mul(*expr.args[1:], evaluate=False) if len(expr.args) > 2 else expr.args[1]
            shown = (self._print(rest) if isinstance(rest, sp.Sum)
                     else self.parenthesize(rest, PRECEDENCE["Mul"]))
            return rf"\frac{{1}}{{{first.q}}} {shown}"
        if _written_fractions(expr):   # 1/(1 + e^-z) · e^-z/(1 + e^-z): two fractions, as written
            return " ".join(self._print(a) if sp.fraction(a, exact=True)[1] != 1
                            else self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)
        outer = self._bracketed_logs
        # a log or a derivative written as an operator (d/dz e^z) followed by another factor
        # keeps its brackets: (d/dz e^z) S, not d/dz e^z S, which reads as d/dz (e^z S)
        self._bracketed_logs = outer | {id(a) for a in expr.args[:-1]
                                        if isinstance(a, (sp.log, sp.Derivative))}
        try:
            printed = super()._print_Mul(expr)
        finally:
            self._bracketed_logs = outer
        printed = re.sub(rf"\\left\({_OPEN}(.*?){_CLOSE}\\right\)", r"\\left(\1\\right)", printed)
        printed = printed.replace(_OPEN, r"\left(").replace(_CLOSE, r"\right)")
        # A number before an indicator gets a dot: 3 1[s > 0], not 31[s > 0].
        return re.sub(r"(\d) *(" + re.escape(INDICATOR) + r"\[)", r"\1 \\cdot \2", printed)

    def _print_Sum(self, expr: sp.Sum) -> str:
        return self._nested(expr, r"\sum", super()._print_Sum)

    def _print_Product(self, expr: sp.Product) -> str:
        return self._nested(expr, r"\prod", super()._print_Product)

    def _nested(self, expr: sp.Sum | sp.Product, sign: str,
                print_one: Callable[[Any], str]) -> str:
        """A sum or product over several indices as nested ones, one sign per index (Σᵢ Σ_l),
        not one sign with a stack of ranges: from the outermost (SymPy's last limit) in."""
        limits = list(expr.limits)
        if len(limits) == 1:
            return print_one(expr)
        outer_first = limits[::-1]
        innermost = print_one(type(expr)(expr.function, outer_first[-1]))
        return " ".join(rf"{sign}_{{{self._print(v)}={self._print(a)}}}^{{{self._print(b)}}}"
                        for v, a, b in outer_first[:-1]) + " " + innermost

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base = (self.notation[expr.base] if expr.base in self.notation
                else self._print(expr.base.label))
        if "#1" in base:   # notation that places its indices itself: ∂z_{#1,#2}/∂w_{#2,#3}
            return re.sub(r"#(\d)", lambda hit: self._print(expr.indices[int(hit[1]) - 1]), base)
        indices = ",".join(self._print(i) for i in expr.indices)
        derivative = re.fullmatch(r"(\\frac\{[^{}]*\}\{\\partial )([^{}]*(?:\{[^{}]*\})?)\}", base)
        if derivative:   # ∂C/∂b^l, entry j: ∂C/∂b^l_j, the index on the variable
            return f"{derivative[1]}{derivative[2]}_{{{indices}}}}}"
        return f"{base}_{{{indices}}}"


def tex(expr: sp.Basic, notation: Mapping[sp.Basic, str] | None = None, **settings: Any) -> str:
    """An expression (or an equation) as LaTeX, with the reader's notation."""
    return plain_parentheses(NotationPrinter(notation, **settings).doprint(expr))


# What makes a parenthesised group tall enough for \left( \right) to stretch to it.
_TALL = re.compile(r"\\(frac|dfrac|tfrac|sum|prod|int|begin|binom|sqrt|KEEPLEFT|Bigl|bigl)"
                   r"(?![a-zA-Z])")
_INNERMOST = re.compile(r"\\left\((?P<body>(?:(?!\\left|\\right).)*?)\\right\)", re.DOTALL)


def plain_parentheses(latex: str) -> str:
    """``\\left( \\right)`` kept only around what is tall (a fraction, a sum, a matrix); around
    anything else plain parentheses, as a person writes σ(z) and log(1 − a): TeX sets a
    stretched pair as an inner atom, with a space before it (σ (z)) and brackets taller than
    what they hold."""
    def one(match: re.Match[str]) -> str:
        body = match["body"]
        if _TALL.search(body):
            return rf"\KEEPLEFT({body}\KEEPRIGHT)"
        return f"({body.strip()})"

    while True:
        shown = _INNERMOST.sub(one, latex)
        if shown == latex:
            break
        latex = shown
    latex = latex.replace(r"\KEEPLEFT(", r"\left(").replace(r"\KEEPRIGHT)", r"\right)")
    return _unbraced_arguments(latex)


# A function's name before its argument group: \tanh, \log^{2}, f (not \frac or \sqrt).
_FUNCTION_NAME = re.compile(r"(?:\\(?:log|ln|exp|tanh|sinh|cosh|sin|cos|tan|max|min)"
                            r"|\\operatorname\{[^{}]*\}|(?<![\\a-zA-Z])[a-zA-Z])"
                            r"(?:\^\{[^{}]*\})?$")


def _unbraced_arguments(latex: str) -> str:
    """``\\tanh{(s)}`` as ``\\tanh(s)``: SymPy braces a function's argument, and TeX then
    sets a thin space between the operator and the braced group ("tanh (s)")."""
    out, k = [], 0
    while k < len(latex):
        if latex.startswith(("{(", r"{\left("), k) \
                and _FUNCTION_NAME.search(latex[max(0, k - 40):k]):
            end = _group_end(latex, k)
            inner = latex[k + 1:end - 1] if end is not None else ""
            stretched = inner.startswith(r"\left(") and inner.endswith(r"\right)")
            if inner.endswith(")") and _wraps(inner[len(r"\left"):] if stretched else inner):
                out.append(inner)
                k = end  # type: ignore[assignment]
                continue
        out.append(latex[k])
        k += 1
    return "".join(out)


def _wraps(inner: str) -> bool:
    """Whether the parenthesis that opens ``inner`` closes at its very end."""
    depth = 0
    for k, ch in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return k == len(inner) - 1
    return False


def _group_end(latex: str, start: int) -> int | None:
    """The index just past the brace group that opens at ``start``."""
    depth = 0
    for k in range(start, len(latex)):
        depth += {"{": 1, "}": -1}.get(latex[k], 0)
        if depth == 0:
            return k + 1
    return None


def escape_text(words: str) -> str:
    """Plain text made safe for LaTeX: special characters escaped, common Unicode mapped."""
    escaped = escape_latex(words)
    out: list[str] = []
    for kind, run in _script_runs(escaped):
        if kind == "^":
            out.append(rf"\ensuremath{{^{{{''.join(SUPERSCRIPTS[c] for c in run)}}}}}")
        elif kind == "_":
            out.append(rf"\ensuremath{{_{{{''.join(SUBSCRIPTS[c] for c in run)}}}}}")
        else:
            out.append("".join(UNICODE_TEXT.get(ch, ch) for ch in run))
    return "".join(out)


def _script_runs(words: str) -> list[tuple[str, str]]:
    """Split text into runs of superscript characters, subscript characters, and the rest."""
    runs: list[tuple[str, str]] = []
    for ch in words:
        kind = "^" if ch in SUPERSCRIPTS else "_" if ch in SUBSCRIPTS else ""
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + ch)
        else:
            runs.append((kind, ch))
    return runs


def text_latex(words: Text, notation: Mapping[sp.Basic, str] | None = None) -> str:
    """A Text (plain strings and expressions) as LaTeX: strings escaped, expressions inline.

    Inside the library's own strings, ``$...$`` is inline maths written in LaTeX by the author
    (``"differentiation is linear: $J_{f+g} = J_f + J_g$"``); the rest is escaped.
    """
    return "".join(_authored_latex(p) if isinstance(p, str) else f"${tex(p, notation)}$"
                   for p in words)


def _authored_latex(words: str) -> str:
    """A library string as LaTeX: the ``$...$`` segments kept as maths, the rest escaped."""
    parts = words.split("$")
    if len(parts) % 2 == 0:
        raise ValueError(f"unbalanced $ in text: {words!r}")
    return "".join(f"${part}$" if i % 2 else escape_text(part) for i, part in enumerate(parts))


SHORT_TAIL_CHARS = 12   # a rule's last word this short is kept with the word before it


def tied_end(latex: str) -> str:
    """A rule's LaTeX with its last text space unbreakable when what follows is short, so that
    no single word (or a short formula) is left alone on a justification's last line."""
    parts = latex.rstrip().split("$")
    tail = 0
    for i in range(len(parts) - 1, -1, -1):
        if i % 2 == 0 and " " in parts[i]:
            cut = parts[i].rindex(" ")
            tail += printed_width(parts[i][cut + 1:])
            if tail > SHORT_TAIL_CHARS or not "".join(parts[:i]) + parts[i][:cut].strip():
                return latex
            parts[i] = parts[i][:cut] + "~" + parts[i][cut + 1:]
            return "$".join(parts)
        tail += printed_width(parts[i])
    return latex


MAX_DECIMALS = 12


def number(value: float, digits: int = 6) -> str:
    """A computed number for the page: ``digits`` significant digits, scientific if extreme.

    Trailing zeros go only where the number is exact without them (0.09, 2, 0.4): a rounded
    one keeps all its digits (0.593270 beside 0.596884, not 0.59327).  A value that would
    round to a whole number it is not gets the digits that tell them apart (σ(15) is
    0.9999997, not 1.000000).
    """
    if value == 0:
        return "0"
    if math.isnan(value):
        return r"\mathrm{NaN}"
    if not math.isfinite(value):
        return r"\infty" if value > 0 else r"-\infty"
    exponent = math.floor(math.log10(abs(value)))
    if -4 <= exponent < 6:
        decimals = max(digits - 1 - exponent, 0)
        shown = f"{value:.{decimals}f}"
        while decimals < MAX_DECIMALS and float(shown) == round(float(shown)) \
                and float(shown) != value:
            decimals += 1
            shown = f"{value:.{decimals}f}"
        return _exact_shortened(shown, value)
    scaled = value / 10**exponent
    mantissa = _exact_shortened(f"{scaled:.{digits - 1}f}", scaled)
    return rf"{mantissa} \times 10^{{{exponent}}}"


def _exact_shortened(shown: str, value: float) -> str:
    """``shown`` without its trailing zeros if it is ``value`` exactly (to rounding error)."""
    if "." not in shown or not math.isclose(float(shown), value, rel_tol=1e-12):
        return shown
    return shown.rstrip("0").rstrip(".")


def matrix_tex(a: np.ndarray, digits: int = 3) -> str:
    """A small matrix (or vector) in parentheses; a 1 x 1 array as a plain number."""
    if a.size == 1:
        return number(float(a.ravel()[0]), digits)
    rows = [" & ".join(number(float(v), digits) for v in row) for row in np.atleast_2d(a)]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"   # full size: readable


def value_tex(value: Any, digits: int = 6) -> str:
    """A computed value for the page: a number, or a matrix for an array."""
    if hasattr(value, "shape"):
        return matrix_tex(value, min(digits, 4))
    return number(float(value), digits)


def substituted(formula: sp.Expr, values: Mapping[sp.Basic, Any],
                notation: Mapping[sp.Basic, str] | None = None) -> str:
    """The formula with every symbol replaced by its (computed) value, products dotted."""
    shown = dict(notation or {})
    for sym in formula.free_symbols:
        if sym in values:
            n = number(values[sym])
            # a negative number, or one in powers of ten, is bracketed: log(1.8 x 10^308)
            shown[sym] = f"({n})" if values[sym] < 0 or r"\times" in n else n
    printed = plain_parentheses(NotationPrinter(shown, mul_symbol="dot").doprint(formula))
    # a negative number alone in a group (a numerator, a denominator) needs no brackets
    printed = re.sub(r"\{\((-[^(){}]*(?:\{[^(){}]*\})?[^(){}]*)\)\}", r"{\1}", printed)
    # nor one that opens the expression or a bracket, as a person writes it: sigma(-5 + 10 * 0),
    # -15.8865 * 0.522485 (not sigma((-5) + ...)); a power's base keeps them: (-2)^2
    return re.sub(r"(^|\(|\{)\((-[^(){}]*(?:\{[^(){}]*\})?[^(){}]*)\)(?!\s*\^)", r"\1\2",
                  printed)


LINE_CHARS = 78   # printed characters that fit on one displayed line of a worked example


def _value_width(value: Any) -> int:
    """Roughly how many characters a computed value takes on the page (a matrix: its widest
    row, with the gaps between its columns)."""
    if hasattr(value, "shape") and value.size > 1:
        rows = np.atleast_2d(value)
        return max(sum(len(number(float(v), 4)) + 2 for v in row) for row in rows)
    return len(value_tex(value))


def quantity_forms(q: Quantity, values: Mapping[sp.Basic, Any],
                   notation: Mapping[sp.Basic, str] | None = None) -> list[str]:
    """``symbol = formula = numbers = value`` as the LaTeX of each form, for the views that set
    a quantity on one line (Markdown, HTML, notebooks); a matrix shows no numbers."""
    forms = [tex(q.symbol, notation)]
    if q.formula is not None:
        forms.append(tex(q.formula, notation))
        if not q.is_matrix:
            forms.append(substituted(q.formula, values, notation))
    return [*forms, value_tex(q.value)]


def quantity_rows(q: Quantity, values: Mapping[sp.Basic, Any],
                  notation: Mapping[sp.Basic, str] | None = None) -> list[tuple[str, str]]:
    """The right-hand sides of ``symbol = formula = numbers = value``, one line each, as
    (relation, LaTeX) pairs: the relation is ``=``, or an indent where a broken sum goes on.

    Everything goes on one line when it fits; otherwise the formula, the numbers and the
    value each take a line, and numbers too long for a line are broken between the terms
    of the sum.
    """
    assert q.formula is not None
    formula = tex(q.formula, notation)
    if q.is_matrix:
        parts = [formula, value_tex(q.value)]
        widths = [printed_width(formula), _value_width(q.value)]
    else:
        numbers, value = substituted(q.formula, values, notation), number(float(q.value))
        parts = [formula, numbers, rf"\mathbf{{{value}}}"]
        widths = [printed_width(formula), printed_width(numbers), len(value)]
    symbol = tex(q.symbol, notation)
    if not q.is_matrix:
        # x = x = 3, c = a = 0.3 = 0.3: a form that repeats the symbol, the form before it or
        # the value is not shown again
        said = [symbol, *parts[:1]]
        keep = [0] if parts[0] != symbol else []
        keep += [1] if parts[1] not in (*said, value) else []
        keep.append(2)
        parts, widths = [parts[k] for k in keep], [widths[k] for k in keep]
    # a matrix's width is the roughest guess (small type, column gaps): leave it more room
    room = LINE_CHARS * 3 // 4 if q.is_matrix else LINE_CHARS
    if printed_width(symbol) + sum(widths) + 3 * len(parts) <= room:
        return [("=", " = ".join(parts))]
    if len(parts) == 3 and widths[1] > LINE_CHARS - 10 and isinstance(q.formula, sp.Add):
        first, *rest = _broken_sum(q.formula, values, notation)
        return [("=", formula), ("=", first), *((r"\qquad", line) for line in rest),
                ("=", parts[2])]
    return [("=", part) for part in parts]


HALF_LINE_CHARS = 34   # a quantity this narrow may share its line with the next one


def paired_quantities(quantities: list[Quantity], values: Mapping[sp.Basic, Any],
                      notation: Mapping[sp.Basic, str] | None = None
                      ) -> list[list[tuple[str, str]]] | None:
    """Scalar quantities that each fit in half a line, two to a line: (symbol, rest) pairs for
    an align with two columns of equations; None unless every one of them is that narrow
    (a group of near-identical lines then takes half the height)."""
    cells = []
    for q in quantities:
        rows = quantity_rows(q, values, notation)
        symbol = tex(q.symbol, notation)
        if q.is_matrix or len(rows) != 1 or printed_width(symbol + rows[0][1]) > HALF_LINE_CHARS:
            return None
        cells.append((symbol, f"{rows[0][0]} {rows[0][1]}"))
    if len(cells) < 4:
        return None
    return [cells[k:k + 2] for k in range(0, len(cells), 2)]


def _broken_sum(formula: sp.Add, values: Mapping[sp.Basic, Any],
                notation: Mapping[sp.Basic, str] | None) -> list[str]:
    """A sum with numbers substituted, broken between terms into lines that fit."""
    lines: list[str] = []
    for term in formula.args:
        shown = substituted(term, values, notation)
        joined = shown if shown.startswith("-") else "+ " + shown
        if lines and printed_width(lines[-1] + joined) <= LINE_CHARS - 10:
            lines[-1] += " " + joined
        else:
            lines.append(joined if lines else shown)
    return lines


VERDICT_MARKS = {"proved": r"\proved", "checked": r"\checkednum", "refuted": r"\refuted",
                 "undecided": r"\undecided", "given": r"\given"}


def verdict_mark(verdict: Verdict | None) -> str:
    """The margin mark of a verdict (macros defined in templates/partials/preamble.tex.j2)."""
    if verdict is None:
        return ""
    return VERDICT_MARKS.get(verdict.status, VERDICT_MARKS["undecided"])  # unknown: no mark


def step_lines(d: Derivation, labels: list[str] | None = None
               ) -> list[tuple[str, str, Step]]:
    """Each step as (left column, right column) LaTeX for an align environment; with
    ``labels``, only the steps so labelled (a derivation's results, say), each in full.

    A step that continues the previous left side shown leaves its own left side blank; an
    implication is marked with a double arrow.
    """
    lines = []
    previous: Step | None = None
    for step in (d.steps if labels is None else [d.step(label) for label in labels]):
        same_lhs = (previous is not None and step.kind == "equals" and previous.kind != "implies"
                    and previous.lhs == step.lhs)   # as the verifier judges it: a new chain
        left = "" if same_lhs else tex(step.lhs, d.notation)
        if step.kind == "implies":   # arrows in one column: see \derivimplies in the preamble
            # verified over the solutions of both equations, unless one-way: an equivalence
            left = rf"\{'derivimplies' if step.one_way else 'derivequiv'}{{{left}}}"
        lines.append((left, "= " + tex(step.rhs, d.notation), step))
        previous = step
    return lines


_SILENT = r"\\(left|right|frac|partial|operatorname|mathrm|hat|big|begin|end)\b"   # print nothing


# Commands that print a word or a wide sign, in characters (log a shows four).
_WORDS = {"log": 3, "ln": 2, "exp": 3, "tanh": 4, "max": 3, "min": 3, "sin": 3, "cos": 3,
          "cdot": 2, "sum": 1, "prod": 1}


_INNERMOST_MATRIX = re.compile(
    r"\\begin\{[bpv]?matrix\}((?:(?!\\begin\{).)*?)\\end\{[bpv]?matrix\}", re.S)


def _matrix_width(match: re.Match[str]) -> str:
    """A matrix as wide as its widest row (its rows are stacked, not side by side)."""
    rows = match.group(1).split(r"\\")
    return "x" * (max(printed_width(row) for row in rows) + 2)


def printed_width(latex: str) -> int:
    """A rough count of the characters a LaTeX formula shows (commands and braces dropped,
    the named operators counted as their names, a matrix as wide as its widest row)."""
    while (flat := _INNERMOST_MATRIX.sub(_matrix_width, latex)) != latex:
        latex = flat
    shown = re.sub(_SILENT, "", latex)
    words = sum(_WORDS.get(c, 0) for c in re.findall(r"\\([a-zA-Z]+)", shown))
    return words + len(re.sub(r"\\[a-zA-Z]+|[{}^_ ]|&", "", shown))


@dataclass(frozen=True)
class StepRow:
    """One step as a row of a derivation's display: its two columns of maths and the step.
    Whether it shares its line with its rule, TeX decides from the printed widths
    (``\\derivfits`` in templates/partials/preamble.tex.j2)."""

    left: str
    right: str
    step: Step


def step_rows(d: Derivation, labels: list[str] | None = None) -> list[StepRow]:
    """The rows of :func:`step_lines`."""
    return [StepRow(left, right, step) for left, right, step in step_lines(d, labels)]


RULE_WIDTHS = (0.28, 0.42)    # (least, most) of the line a rule takes: a longer line of small
# type reads badly, a narrower one breaks every few words


def number_ranges(numbers: list[int]) -> str:
    """Step numbers compressed into ranges: [2, 3, 4, 7] -> '2–4, 7'."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def verdict_runs(d: Derivation) -> str:
    """The verdicts of a derivation's judged steps in order, consecutive ones grouped:
    'step 1 proved; steps 2–13 checked'."""
    groups: list[tuple[str, list[int]]] = []
    for n, step in enumerate(d.checked_steps, 1):
        status = step.verdict.status if step.verdict is not None else "unverified"
        if groups and groups[-1][0] == status:
            groups[-1][1].append(n)
        else:
            groups.append((status, [n]))
    return "; ".join(f"{'step' if len(ns) == 1 else 'steps'} {number_ranges(ns)} {status}"
                     for status, ns in groups)


def _subscripted(name: str) -> str:
    """n_1 as n₁: size and index names as the page prints them."""
    return re.sub(r"_(\d)", lambda m: "₀₁₂₃₄₅₆₇₈₉"[int(m.group(1))], name)


def authored_latex(words: str) -> str:
    """A string with ``$...$`` maths in it (a title, a note) as LaTeX: the maths kept, the
    rest escaped."""
    return _authored_latex(words)


def _assignments(sizes: tuple[tuple[tuple[str, int], ...], ...]) -> str:
    by_name: dict[str, list[int]] = {}
    for assignment in sizes:
        for name, value in assignment:
            if value not in by_name.setdefault(name, []):
                by_name[name].append(value)
    return ", ".join(f"{_subscripted(k)} = {', '.join(map(str, vs))}" for k, vs in by_name.items())


def _digits(v: Verdict) -> str:
    return " and ".join(map(str, v.digits)) + " digits"


def how_checked(v: Verdict, step: Step | None = None, points: str | None = None) -> str:
    """What a "checked" verdict's evidence covered, in words, from its fields (matrix entries
    are not counted, so steps checked alike share one note; ``points`` stands in for the
    count of points when several steps share it)."""
    if v.tactic == "points":
        words = (f"equal at {points or v.points} points (edges of the domains among them) "
                 f"at {_digits(v)}")
    elif v.tactic == "entries":
        words = (f"every entry checked at {_assignments(v.sizes)}" if v.sizes
                 else f"every entry equal at random points ({_digits(v)})")
    elif v.tactic == "sizes":
        proved = f"proved for {_assignments(v.sizes)}, numerically for the other " \
                 "concrete sizes" if v.sizes else "compared numerically on concrete sizes"
        every = f", every value of {', '.join(map(_subscripted, v.every))}" if v.every else ""
        words = f"{proved} ({v.assignments} size and index assignments{every})"
    elif v.tactic == "solutions":
        words = "every solution of each equation substituted into the other, the other " \
                "solutions searched numerically"
    else:   # a verdict of a kind this renderer does not know: its own words, loudly plain
        words = v.method
    if v.large:
        words += f"; equal at {v.large_points} random points for " \
                 f"{_assignments((v.large,))}"
    if v.default_domain:
        words += "; sampled with " + ", ".join(
            f"{_subscripted(n)} in ({lo:g}, {hi:g})" for n, lo, hi in v.default_domain) + \
            " (no domain declared)"
    if step is not None and step.where is not None:
        words += f"; claimed where ${tex(step.where)}$"
    return words


def checked_notes(d: Derivation) -> list[tuple[str, str]]:
    """How the checked (not proved) steps were checked, one note per kind of evidence:
    (which, how).

    With one note it speaks of all the steps marked as checked; with several, the steps are
    named by their place among the judged steps (the givens not counted).
    """
    groups: dict[str, list[tuple[int, Step, Verdict]]] = {}
    for n, step in enumerate(d.checked_steps, 1):
        if step.verdict is not None and step.verdict.status == "checked":
            key = how_checked(step.verdict, step, points="N")
            groups.setdefault(key, []).append((n, step, step.verdict))
    notes = []
    for members in groups.values():
        counts = sorted({v.points for _, _, v in members})
        span = str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
        notes.append(([n for n, _, _ in members],
                      how_checked(members[0][2], members[0][1], points=span)))
    if len(notes) == 1:
        return [("The steps marked as checked", how) for _, how in notes]
    return [(f"{'Step' if len(ns) == 1 else 'Steps'} {number_ranges(ns)} "
             "(counting the steps after the givens)", how) for ns, how in notes]


def derivation_latex(d: Derivation, standalone: bool = False) -> str:
    """A compact math-only rendering (for notebooks): an aligned block with rules as text."""
    rows = []
    for left, right, step in step_lines(d):
        status = step.verdict.status if step.verdict else "unverified"
        rows.append(rf"{left} &{right} && \text{{{text_latex(step.rule, d.notation)} [{status}]}}")
    body = "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
    return f"$$\n{body}\n$$" if standalone else body
