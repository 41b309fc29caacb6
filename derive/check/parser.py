"""A restricted grammar of this field's notation, read into SymPy: σ and sigmoid as the logistic
function, tanh, log (natural) and exp, softmax, ReLU, Σ and Π with x^{(i)}, hats and bold
vectors, ᵀ, ⊙, δ_{ij}, 𝟙(·), bmatrix, and Leibniz derivatives kept as derivatives.

A recursive-descent parser over the tokens of derive.check.lexer.  Where a form has two
readings (how far a Σ reaches; ``h(1 - h)`` as a call or a product) it follows the given
:class:`Reading` and records that it met the choice, so the judge can try the other.  What it
does not understand raises NotUnderstood: a finding is then undecided, never wrong.
"""
from __future__ import annotations

import dataclasses
import re

import sympy as sp

from derive.check.arithmetic import Literal, literal_of
from derive.check.dependence import (
    GREEK,
)
from derive.check.errors import NotUnderstood
from derive.check.forms import INNER_PRODUCTS as INNER_PRODUCTS  # re-exported
from derive.check.forms import _add, _combine, _power, evaluation_bar, trimmed
from derive.check.lexer import Token, tokens
from derive.check.matrices import (
    Unsupported,
    ordered,
    transposed,
)
from derive.check.notation import (
    Notation,
    Reading,
)
from derive.check.operators import Operators
from derive.check.reader import (
    DECORATIONS,
    FUNCTION_COMMANDS,
    PRODUCT_OPERATORS,
    SIZES,
    TRANSPARENT,
    Parsed,
    _group_text,
    _text_function,
)
from derive.functions import relu


class Parser(Operators):
    """Parses one expression (a list of tokens) under one reading: the grammar (expression,
    term, factor, primary) over the rules of names and calls and of operators."""

    # -- grammar -------------------------------------------------------------------------
    def expression(self) -> sp.Expr:
        """sign? term (('+' | '-') term)*"""
        terms: list[sp.Expr] = []
        sign = 1
        if self.sym_is("+") or self.sym_is("-"):
            sign = -1 if self.take().text == "-" else 1
        terms.append(sign * self.term())
        while self.sym_is("+") or self.sym_is("-") or self.is_("cmd", "pm"):
            op = self.take().text
            if op == "pm":
                raise NotUnderstood("±")
            t = self.term()
            terms.append(t if op == "+" else -t)
        return _add(terms)

    def term(self) -> sp.Expr:
        """factor (operator? factor)*: a product, with / and ⊙."""
        value = self.factor()
        while True:
            t = self.peek()
            if t is None:
                return value
            op = PRODUCT_OPERATORS.get(t.text) if t.kind in ("sym", "cmd") else None
            if op is not None:
                self.k += 1
                right = self.factor()
            elif self.starts_factor():
                op, right = "mul", self.factor()
            else:
                return value
            value = _combine(value, op, right, self.found)

    def starts_factor(self) -> bool:
        t = self.peek()
        if t is None:
            return False
        if t.kind in ("num", "letter", "word"):
            return True
        if t.kind == "text":
            return _text_function(t.text) is not None
        if t.kind == "sym":
            if t.text == "|":
                return self.abs_depth == 0
            return t.text in "([{"
        if t.kind == "cmd":
            return t.text not in ("right", "end", "\\", "pm", "to", "rightarrow", "Rightarrow",
                                  "implies", "approx", "le", "leq", "ge", "geq", "neq", "ne",
                                  "in", "equiv", "circ", "}", "rbrace", "rangle") \
                and t.text not in PRODUCT_OPERATORS
        return False

    def factor(self) -> sp.Expr:
        if self.sym_is("-"):
            self.k += 1
            return -self.factor()
        if self.sym_is("+"):
            self.k += 1
            return self.factor()
        return self.postfix(self.primary())

    def postfix(self, value: sp.Expr) -> sp.Expr:
        while True:
            if self.sym_is("^"):
                self.k += 1
                value = self.superscript(value)
            elif self.sym_is("_") and isinstance(value, sp.MatrixBase):
                self.k += 1
                self.group_tokens()          # a shape note such as _{2 \times 3}
            elif self.sym_is("!"):
                raise NotUnderstood("a factorial")
            else:
                return value

    def superscript(self, value: sp.Expr) -> sp.Expr:
        toks = self.group_tokens()
        text = _group_text(toks)
        if text in ("T", "\\top", "\\intercal", "\\mathsf{T}"):
            return self.transpose(value)
        if text == "+":
            return sp.Max(value, 0) if value.is_commutative else relu(value)
        if text.startswith("(") or text in ("*", "**", "'"):
            raise NotUnderstood(f"a superscript {text} on an expression")
        exponent = self.parse_group(toks)
        if isinstance(value, sp.MatrixBase):
            raise NotUnderstood("a power of a matrix")
        return _power(value, exponent)

    def transpose(self, value: sp.Expr) -> sp.Expr:
        if isinstance(value, sp.MatrixBase):
            return value.T
        if isinstance(value, sp.Symbol) and value.is_commutative:
            return self.symbol(value.name + "^{T}")
        try:
            result = transposed(ordered(value))          # (W x)ᵀ = xᵀ Wᵀ
        except Unsupported:
            raise NotUnderstood("the transpose of an expression") from None
        self.found.ordered = True
        return result

    def primary(self) -> sp.Expr:
        self.skip_sizes()
        t = self.take()
        if t.kind == "num":
            scaled = self.scientific(t.text)
            if scaled is not None:
                return scaled
            lit = literal_of(t.text)
            if self.found.literals is not None and lit.unit != 0:
                name = sp.Symbol(f"#{len(self.found.literals)}", positive=True)
                self.found.literals[name] = dataclasses.replace(
                    lit, known_rounded=t.text in self.notation.rounded)
                return name
            return lit.value
        if t.kind == "letter":
            return self.name_or_call(t.text)
        if t.kind == "word":          # ln, sqrt written as plain letters
            return self.function(FUNCTION_COMMANDS.get(t.text, t.text))
        if t.kind == "text":
            composed = _text_function(t.text)
            if composed is None and self.opens_paren() and re.fullmatch(r"[A-Za-z][\w-]*",
                                                                         t.text):
                self.found.opaque = True         # LeakyReLU(-2), softplus(0): a function
                return sp.Function(t.text, real=True)(*self.arguments())   # it does not know
            if composed is None:
                raise NotUnderstood(f"the words “{t.text}” inside a formula")
            return self.composed_function(composed)
        if t.kind == "sym":
            return self.bracketed(t.text)
        return self.command(t.text)

    def scientific(self, mantissa: str) -> sp.Expr | None:
        """1.79769 × 10^{308} as one number (a log or σ applied to it takes all of it)."""
        if not (self.is_("cmd", "times") or self.is_("cmd", "cdot")) \
                or not self.is_("num", "10", 1) or not self.is_("sym", "^", 2):
            return None
        self.k += 3
        exponent = self.parse_group(self.group_tokens())
        if not isinstance(exponent, sp.Integer):
            raise NotUnderstood("a power of ten whose exponent is not an integer")
        scale = sp.Integer(10) ** exponent
        if self.found.literals is not None and "." in mantissa:
            lit = literal_of(mantissa)
            name = sp.Symbol(f"#{len(self.found.literals)}", positive=True)
            self.found.literals[name] = Literal(lit.value * scale, lit.unit * scale,
                                                lit.significant)
            return name
        return sp.Rational(mantissa) * scale

    def bracketed(self, opener: str) -> sp.Expr:
        if opener == "|":
            self.abs_depth += 1
            inner = self.expression()
            self.skip_sizes()
            self.expect_sym("|")
            self.abs_depth -= 1
            return sp.Abs(inner)
        closer = {"(": ")", "[": "]", "{": "}"}.get(opener)
        if closer is None:
            raise NotUnderstood(f"{opener!r}")
        items = [self.expression()]
        while self.sym_is(","):
            self.k += 1
            items.append(self.expression())
        self.skip_sizes()
        if self.is_("cmd", "}") and closer == "}":
            self.k += 1
        else:
            self.expect_sym(closer)
        if len(items) == 1:
            return items[0]
        if any(isinstance(i, sp.MatrixBase) for i in items):
            raise NotUnderstood("a tuple of matrices")
        return sp.ImmutableMatrix(items)

    def command(self, name: str) -> sp.Expr:
        if name in SIZES:
            self.k -= 1
            self.skip_sizes()
            return self.primary()
        if name == "{":
            self.k -= 1
            self.toks[self.k] = Token("sym", "{", self.toks[self.k].at)
            return self.primary()
        if name in TRANSPARENT:
            return self.parse_group(self.group_tokens())
        if name in ("underbrace", "overbrace"):
            inner = self.parse_group(self.group_tokens())
            if self.sym_is("_") or self.sym_is("^"):
                self.k += 1
                self.group_tokens()
            return inner
        if name in ("color", "textcolor"):
            self.group_tokens()
            return self.parse_group(self.group_tokens())
        if name in ("frac", "dfrac", "tfrac"):
            return self.fraction()
        if name == "sqrt":
            if self.sym_is("["):
                raise NotUnderstood("an n-th root")
            return sp.sqrt(self.parse_group(self.group_tokens()))
        if name in ("sum", "prod"):
            return self.big_operator(name)
        if name in FUNCTION_COMMANDS:
            return self.function(FUNCTION_COMMANDS[name])
        if name == "operatorname":
            return self.function(_group_text(self.group_tokens()))
        if name == "sigma" and (self.sym_is("(") or self.is_("cmd", "left")
                                or self.sym_is("'")):
            if self.notation.functions.get("sigma", "logistic") == "logistic":
                return self.function("sigmoid")
        if name == "delta" and self.sym_is("_") and self._two_indices_next():
            return self.kronecker()           # δ_{ij}; δ_2, a layer's error, is a name
        if name in ("one",) or (name in ("mathbb", "mathbf", "mathds", "boldsymbol")
                                and self._indicator_next()):
            return self.indicator()
        if name in DECORATIONS or name == "mathbb":
            inner = _group_text(self.group_tokens())
            return self.name_or_call(f"\\{name}{{{inner}}}")
        if name == "pi" and "pi" not in self.notation.quantities:
            return sp.pi
        if name in GREEK:
            return self.name_or_call("\\" + name)
        if name == "begin":
            return self.environment()
        raise NotUnderstood(f"\\{name}")


_CACHE: dict[tuple, tuple[sp.Expr, Parsed]] = {}
CACHE_SIZE = 20_000


def parse(source: str | list[Token], notation: Notation | None = None,
          reading: Reading | None = None, integers: set[str] | None = None,
          literals: dict[sp.Symbol, Literal] | None = None) -> tuple[sp.Expr, Parsed]:
    """One expression read into SymPy, and what the parse found; raises NotUnderstood.
    With a ``literals`` table (shared by the two sides of a link), each decimal number is a
    symbol whose Literal the table records.  Remembered (a step's right side is the next
    step's left, and each reading parses again)."""
    if literals is not None or not isinstance(source, str):
        return _parse(source, notation, reading, integers, literals)
    key = (source, repr(notation), reading, frozenset(integers or ()))
    if key not in _CACHE:
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.clear()
        try:
            _CACHE[key] = _parse(source, notation, reading, integers, None)
        except NotUnderstood as error:
            _CACHE[key] = (error, None)          # type: ignore[assignment]
    value, found = _CACHE[key]
    if found is None:
        raise value
    return value, found


def _parse(source: str | list[Token], notation: Notation | None = None,
          reading: Reading | None = None, integers: set[str] | None = None,
          literals: dict[sp.Symbol, Literal] | None = None) -> tuple[sp.Expr, Parsed]:
    toks = trimmed(tokens(source) if isinstance(source, str) else source)
    if not toks:
        raise NotUnderstood("an empty expression")
    notation = notation or Notation()
    bar = evaluation_bar(toks)
    if bar is not None:                    # \left. f'(x) \right|_{x=2}: f' at x = 2
        body, assignments = bar
        value, found = _parse(body, notation, reading, integers, literals)
        value = value.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
        for name, at in assignments:
            variable, _ = _parse(name, notation, reading, integers, None)
            point, _ = _parse(at, notation, reading, integers, literals)
            if not isinstance(variable, sp.Symbol):
                raise NotUnderstood("an evaluation bar at something other than a name")
            value = value.subs(variable, point)
        return value, found
    known = set(integers or ()) | notation.integers
    first = len(literals) if literals is not None else 0
    for _ in range(3):
        if literals is not None:
            for stale in list(literals)[first:]:
                del literals[stale]
        found = Parsed(literals=literals)
        parser = Parser(list(toks), notation, reading or Reading(), known, found)
        try:
            value = parser.expression()
            parser.end()
        except RecursionError:
            raise NotUnderstood("an expression nested too deeply") from None
        except (TypeError, ValueError, AttributeError, IndexError, ZeroDivisionError,
                sp.SympifyError) as error:
            raise NotUnderstood(f"an expression SymPy cannot build ({type(error).__name__})"
                                ) from None
        if found.integers <= known:
            return value, found
        known |= found.integers
    return value, found
