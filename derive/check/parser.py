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
from dataclasses import dataclass, field

import sympy as sp

from derive.check.arithmetic import Literal, literal_of
from derive.check.dependence import (
    GREEK,
    VECTOR_FUNCTIONS,
    explicit_derivative,
    hidden_dependence,
    of_vector_function,
)
from derive.check.errors import NotUnderstood
from derive.check.lexer import Token, tokens
from derive.check.matrices import (
    Unsupported,
    base_name,
    kind_of,
    looks_like_matrix,
    ordered,
    transposed,
)
from derive.check.notation import (
    FUNCTION_LETTERS,
    KNOWN_FUNCTIONS,
    Notation,
    Reading,
    log_of,
)
from derive.functions import relu

DECORATIONS = frozenset("hat widehat tilde widetilde bar vec dot ddot mathbf boldsymbol bm "
                        "mathcal mathit mathsf".split())
TRANSPARENT = frozenset("underline boxed cancel bcancel xcancel displaystyle textstyle "
                        "mathstrut".split())
SIZES = frozenset("left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr middle".split())
FUNCTION_COMMANDS = {"log": "log", "ln": "log", "exp": "exp", "tanh": "tanh", "sinh": "sinh",
                     "cosh": "cosh", "sin": "sin", "cos": "cos", "max": "max", "min": "min",
                     "sqrt": "sqrt", "sgn": "sign"}
PRODUCT_OPERATORS = {"*": "mul", "cdot": "mul", "times": "mul", "ast": "mul", "/": "div",
                     "div": "div", "odot": "hadamard"}
OPENERS = {"(": ")", "[": "]", "{": "}", "lbrace": "rbrace", "{_": "}_", "lbrack": "rbrack"}


@dataclass
class Parsed:
    """What a parse found besides the expression: the choices met, whether it holds opaque
    derivatives or products whose order matters, and the integers it declared."""

    met: set[str] = field(default_factory=set)
    opaque: bool = False
    ordered: bool = False
    integers: set[str] = field(default_factory=set)
    literals: dict[sp.Symbol, Literal] | None = None
    derivatives: dict[sp.Symbol, tuple[sp.Expr, sp.Expr, int]] = field(default_factory=dict)
    derivative_claim: bool = False     # σ′(z) of a known function: a result, not a name
    # the two sides of each ⊙ (for derive.check.shapes: they must have one shape)
    hadamards: list[tuple[sp.Expr, sp.Expr]] = field(default_factory=list)


def _group_text(toks: list[Token]) -> str:
    return "".join(t.text if t.kind != "cmd" else "\\" + t.text for t in toks)


class Parser:
    """Parses one expression (a list of tokens) under one reading."""

    def __init__(self, toks: list[Token], notation: Notation, reading: Reading,
                 integers: set[str], found: Parsed) -> None:
        self.toks = toks
        self.k = 0
        self.notation = notation
        self.reading = reading
        self.integers = integers
        self.found = found
        self.bound: list[str] = []
        self.abs_depth = 0

    # -- token helpers -------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token | None:
        k = self.k + offset
        return self.toks[k] if k < len(self.toks) else None

    def is_(self, kind: str, text: str | None = None, offset: int = 0) -> bool:
        t = self.peek(offset)
        return t is not None and t.kind == kind and (text is None or t.text == text)

    def sym_is(self, text: str) -> bool:
        return self.is_("sym", text)

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            raise NotUnderstood("an expression that ends too soon")
        self.k += 1
        return t

    def expect_sym(self, text: str) -> None:
        t = self.take()
        if t.kind != "sym" or t.text != text:
            raise NotUnderstood(f"expected {text!r} but found {t.text!r}")

    def skip_sizes(self) -> None:
        while (t := self.peek()) is not None and t.kind == "cmd" and t.text in SIZES:
            self.k += 1
            if self.sym_is("."):
                self.k += 1

    def group_tokens(self) -> list[Token]:
        """The tokens of a ``{…}`` group, or of the one token that stands for it."""
        if not self.sym_is("{"):
            return [self.take()]
        self.k += 1
        start, depth = self.k, 1
        while True:
            t = self.take()
            if t.kind == "sym" and t.text == "{":
                depth += 1
            elif t.kind == "sym" and t.text == "}":
                depth -= 1
                if depth == 0:
                    return self.toks[start:self.k - 1]

    def sub_parser(self, toks: list[Token]) -> Parser:
        p = Parser(toks, self.notation, self.reading, self.integers, self.found)
        p.bound = list(self.bound)
        return p

    def parse_group(self, toks: list[Token]) -> sp.Expr:
        p = self.sub_parser(toks)
        e = p.expression()
        p.end()
        return e

    def end(self) -> None:
        if self.peek() is not None:
            raise NotUnderstood(f"{self.peek().text!r} where the expression should end")  # type: ignore[union-attr]

    # -- symbols -------------------------------------------------------------------------
    def symbol(self, name: str) -> sp.Symbol:
        if name in self.integers:
            return sp.Symbol(name, integer=True)
        return sp.Symbol(name, real=True)

    def named(self, base: str, subs: list[str], sups: list[str]) -> sp.Expr:
        """A symbol with its subscripts and (i)-superscripts; pieces bound by an enclosing Σ
        become indices of an Indexed."""
        indices = [p for p in subs + sups if p in self.bound]
        sub_text = ",".join("·" if p in self.bound else p for p in subs)
        sup_text = ",".join("·" if p in self.bound else p for p in sups)
        name = base + (f"_{{{sub_text}}}" if subs else "") + (f"^{{({sup_text})}}" if sups else "")
        if not indices:
            return self.symbol(name)
        return sp.IndexedBase(name, real=True)[tuple(self.symbol(i) for i in indices)]

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
        if t.kind == "word":
            return self.function(t.text)
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

    # -- names, calls, functions ---------------------------------------------------------
    def _index_superscript_next(self) -> bool:
        """Whether a superscript (i), (1) or (k) follows: e^{(i)} is the i-th e, not a power."""
        before = self.k
        self.k += 1
        text = _group_text(self.group_tokens())
        self.k = before
        inner = text[1:-1] if text.startswith("(") and text.endswith(")") else ""
        return inner.isdigit() or (len(inner) == 1 and inner.isalpha())

    def scripts(self) -> tuple[list[str], list[str]]:
        """Subscripts and (i)-superscripts after a name, as text; a superscript that is a
        power or a transpose is left for :meth:`postfix`."""
        subs: list[str] = []
        sups: list[str] = []
        while self.sym_is("_") or self.sym_is("^"):
            before = self.k
            mark = self.take().text
            text = _group_text(self.group_tokens())
            if mark == "_":
                subs.extend(_pieces(text))
            elif text.startswith("(") and text.endswith(")") and "," not in text:
                sups.append(text[1:-1])
            elif text in ("*", "**", "\\ast"):
                sups.append(text)
            else:
                self.k = before
                break
        return subs, sups

    def name_or_call(self, base: str) -> sp.Expr:
        if base == "e" and self.sym_is("^") and "e" not in self.notation.quantities \
                and not self._index_superscript_next():
            self.k += 1
            return sp.exp(self.parse_group(self.group_tokens()))
        subs, sups = self.scripts()
        primes = 0
        while self.sym_is("'"):
            self.k += 1
            primes += 1
        if self.opens_paren():
            inside = self.paren_tokens(peek=True)
            top = _outside_braces(inside)          # not the k = 1 of a Σ inside
            if any(t.kind == "sym" and t.text in "=|<>" for t in top) \
                    or any(t.kind == "cmd" and t.text in ("mid", "in") for t in top):
                self.paren_tokens()
                return self.opaque_atom(f"{base}(", inside, ")")
            name = base + (f"_{{{','.join(subs)}}}" if subs else "")
            if primes or self.call_reading(base, name):
                args = self.arguments()
                if primes:
                    return sp.Function(name + "'" * primes, real=True)(*args)
                return sp.Function(name, real=True)(*args)
        if primes:
            raise NotUnderstood(f"{base}′ without an argument")
        return self.named(base, subs, sups)

    def opaque_atom(self, opening: str, inside: list[Token], closing: str) -> sp.Expr:
        """P(y = 1 | x), 𝟙(y = j): a value the checker does not look into, an entry of a
        family where it names an index a Σ binds."""
        self.found.opaque = True
        indices = [t.text for t in inside if t.kind == "letter" and t.text in self.bound]
        indices = list(dict.fromkeys(indices))
        text = "".join("·" if t.kind == "letter" and t.text in indices
                       else (t.text if t.kind != "cmd" else "\\" + t.text) for t in inside)
        name = f"{opening}{text}{closing}"
        if not indices:
            return self.symbol(name)
        return sp.IndexedBase(name, real=True)[tuple(self.symbol(i) for i in indices)]

    def call_reading(self, base: str, name: str) -> bool:
        declared = self.notation.is_function(name)
        if declared is None:
            declared = self.notation.is_function(base)
        if declared is not None:
            return declared
        self.found.met.add("letter_call")
        if self.reading.letter_call != "default":
            return self.reading.letter_call == "call"
        return base in FUNCTION_LETTERS or "theta" in name

    def opens_paren(self) -> bool:
        return self.sym_is("(") or (self.is_("cmd", "left") and self.is_("sym", "(", 1))

    def paren_tokens(self, peek: bool = False) -> list[Token]:
        """The tokens inside the parentheses that open here."""
        k = self.k + (2 if self.is_("cmd", "left") else 1)
        start, depth = k, 1
        while k < len(self.toks):
            t = self.toks[k]
            if t.kind == "sym" and t.text in "([{":
                depth += 1
            elif t.kind == "sym" and t.text in ")]}":
                depth -= 1
                if depth == 0:
                    end = k
                    if end > start and self.toks[end - 1].kind == "cmd" \
                            and self.toks[end - 1].text == "right":
                        end -= 1
                    if not peek:
                        self.k = k + 1
                    return self.toks[start:end]
            k += 1
        raise NotUnderstood("an unclosed parenthesis")

    def arguments(self) -> list[sp.Expr]:
        inside = self.paren_tokens()
        args: list[list[Token]] = [[]]
        depth = 0
        for t in inside:
            if t.kind == "sym" and t.text in "([{":
                depth += 1
            elif t.kind == "sym" and t.text in ")]}":
                depth -= 1
            if depth == 0 and t.kind == "sym" and t.text == ",":
                args.append([])
            else:
                args[-1].append(t)
        return [self.parse_group(a) for a in args]

    def function(self, name: str) -> sp.Expr:
        """A known function applied: log, exp, tanh, sigmoid, softmax, …, with an optional
        power (tanh^2(x)) and prime (σ'(z))."""
        power = None
        if self.sym_is("^"):
            self.k += 1
            power = self.parse_group(self.group_tokens())
        primes = 0
        while self.sym_is("'"):
            self.k += 1
            primes += 1
        if self.sym_is("_") and name in ("log",):
            raise NotUnderstood("a logarithm with a base")
        if self.opens_paren() or self.sym_is("{"):
            args = (self.arguments() if self.opens_paren()
                    else [self.parse_group(self.group_tokens())])
        else:
            args = [self.postfix(self.primary())]
        if power is not None and power.is_negative:   # tanh^{-1}: an inverse, not 1/tanh
            raise NotUnderstood(f"\\{name}^{{{power}}}, an inverse function or a reciprocal")
        value = self.apply(name, args, primes)
        return value if power is None else _power(value, power)

    def composed_function(self, names: list[str]) -> sp.Expr:
        args = self.arguments() if self.opens_paren() else [self.postfix(self.primary())]
        value = self.apply(names[-1], args, 0)
        for name in reversed(names[:-1]):
            value = self.apply(name, [value], 0)
        return value

    def apply(self, name: str, args: list[sp.Expr], primes: int) -> sp.Expr:
        if name in VECTOR_FUNCTIONS:
            self.found.opaque = True
            return sp.Function(name + "'" * primes, real=True)(*args)
        if name == "log":
            function = lambda u: log_of(u, self.notation)   # noqa: E731
        else:
            function = KNOWN_FUNCTIONS.get(name)       # type: ignore[assignment]
        if function is None:
            raise NotUnderstood(f"the function {name}")
        if name in ("max", "min"):
            if primes:
                raise NotUnderstood(f"{name}′")
            return function(*args)
        if len(args) != 1:
            raise NotUnderstood(f"{name} of {len(args)} arguments")
        (arg,) = args
        if isinstance(arg, sp.MatrixBase):
            if primes:
                raise NotUnderstood(f"{name}′ of a matrix")
            return arg.applyfunc(function)
        if primes:
            self.found.derivative_claim = True
            u = sp.Dummy("u", real=True)
            return sp.diff(function(u), u, primes).subs(u, arg)
        return function(arg)

    # -- fractions and derivatives -------------------------------------------------------
    def fraction(self) -> sp.Expr:
        top, bottom = self.group_tokens(), self.group_tokens()
        d_top = _differential(top)
        d_bottom = _differential(bottom)
        if d_top is not None and d_bottom is not None:
            return self.derivative(d_top, d_bottom)
        if d_bottom is not None or (d_top is not None and len(top) == 1):
            raise NotUnderstood("a derivative written in a form not understood")
        return self.parse_group(top) / self.parse_group(bottom)

    def derivative(self, top: tuple[str, int, list[Token]], bottom: tuple[str, int, list[Token]]
                   ) -> sp.Expr:
        kind, order, rest = top
        _, order_below, variable_toks = bottom
        if order != order_below:
            raise NotUnderstood("a derivative whose orders do not match")
        variable = self.parse_group(variable_toks)
        if not isinstance(variable, (sp.Symbol, sp.Indexed)):
            raise NotUnderstood("a derivative with respect to an expression")
        body = self.parse_group(rest) if rest else self.term()
        text = _group_text(rest) if rest else sp.sstr(body)
        return self.differentiated(body, variable, order, kind, text)

    def differentiated(self, body: sp.Expr, variable: sp.Expr, order: int, kind: str,
                       text: str) -> sp.Expr:
        """The derivative as written; where what is differentiated may depend on the variable
        in a way the text does not say, an opaque name (never 0)."""
        if body == variable:
            return sp.Integer(1) if order == 1 else sp.Integer(0)
        explicit = explicit_derivative(body, variable, order, kind)
        if explicit is not None:
            return explicit
        bare = isinstance(body, (sp.Symbol, sp.Indexed, sp.core.function.AppliedUndef))
        if bare and not body.has(variable) or hidden_dependence(body, variable, kind) \
                or of_vector_function(body, variable):
            self.found.opaque = True
            atom = self.symbol(f"∂^{order}[{text}]/∂[{sp.sstr(variable)}]")
            self.found.derivatives[atom] = (body, variable, order)
            return atom
        return sp.Derivative(body, (variable, order))

    # -- sums, products, special symbols -------------------------------------------------
    def big_operator(self, name: str) -> sp.Expr:
        if self.is_("cmd", "limits"):
            self.k += 1
        if not self.sym_is("_"):
            raise NotUnderstood(f"a {name} without an index")
        self.k += 1
        below = self.group_tokens()
        above: list[Token] | None = None
        if self.sym_is("^"):
            self.k += 1
            above = self.group_tokens()
        if len(below) == 1 and below[0].kind == "letter":
            index, low = below[0].text, sp.Integer(1)
        elif len(below) >= 3 and below[0].kind == "letter" and below[1].text == "=":
            index = below[0].text
            low = self.parse_group(below[2:])
        else:
            raise NotUnderstood(f"a {name} over “{_group_text(below)}”")
        if above is None and low != 1:
            raise NotUnderstood(f"a {name} without an upper bound")
        # \sum_k: over every entry of the family, k = 1 … an unnamed size
        high = self.parse_group(above) if above is not None \
            else sp.Symbol(f"#{index}", integer=True, positive=True)
        for s in high.free_symbols - {sp.Symbol(f"#{index}", integer=True, positive=True)}:
            self.found.integers.add(s.name)
        self.found.integers.add(index)
        self.bound.append(index)
        try:
            if self.reading.sum_reach == "rest":
                body = self.expression()
            else:
                body = self.term()
        finally:
            self.bound.pop()
        if self.sym_is("+") or self.sym_is("-"):
            self.found.met.add("sum_reach")
        var = self.symbol(index)
        if isinstance(body, sp.MatrixBase):
            raise NotUnderstood(f"a {name} of matrices")
        operator = sp.Sum if name == "sum" else sp.Product
        return operator(body, (var, low, high))

    def _two_indices_next(self) -> bool:
        before = self.k
        self.k += 1
        pieces = _pieces(_group_text(self.group_tokens()))
        self.k = before
        return len(pieces) != 1

    def kronecker(self) -> sp.Expr:
        self.k += 1
        pieces = _pieces(_group_text(self.group_tokens()))
        if len(pieces) != 2:
            raise NotUnderstood("a Kronecker delta without two indices")
        for p in pieces:
            if p.isalpha():
                self.found.integers.add(p)
        a, b = (self.symbol(p) if p.isalpha() else sp.Integer(p) if p.isdigit()
                else self.parse_group(tokens(p)) for p in pieces)
        return sp.KroneckerDelta(a, b)

    def _indicator_next(self) -> bool:
        inner = self.peek(1)
        return inner is not None and inner.text in ("1", "I") and self.is_("sym", "{")

    def indicator(self) -> sp.Expr:
        if self.sym_is("{"):
            self.group_tokens()
        self.found.opaque = True
        if self.sym_is("_"):
            self.k += 1
            condition = self.group_tokens()
        elif self.opens_paren() or self.sym_is("{") or self.is_("cmd", "{"):
            if self.is_("cmd", "{"):
                raise NotUnderstood("an indicator with braces")
            condition = self.paren_tokens() if self.opens_paren() else self.group_tokens()
        else:
            raise NotUnderstood("an indicator without its condition")
        return self.opaque_atom("𝟙[", condition, "]")

    def environment(self) -> sp.Expr:
        env = _group_text(self.group_tokens())
        if env not in ("bmatrix", "pmatrix", "matrix", "Bmatrix", "array", "smallmatrix"):
            raise NotUnderstood(f"the environment {env}")
        if env == "array":
            self.group_tokens()
        rows: list[list[list[Token]]] = [[[]]]
        depth = 0
        while True:
            t = self.take()
            if t.kind == "cmd" and t.text == "begin":
                depth += 1
            if t.kind == "cmd" and t.text == "end":
                if depth == 0:
                    self.group_tokens()
                    break
                depth -= 1
            if depth == 0 and t.kind == "cmd" and t.text == "\\":
                rows.append([[]])
            elif depth == 0 and t.kind == "sym" and t.text == "&":
                rows[-1].append([])
            else:
                rows[-1][-1].append(t)
        rows = [r for r in rows if any(cell for cell in r)]
        if not rows or len({len(r) for r in rows}) != 1:
            raise NotUnderstood("a matrix with rows of different lengths")
        cells = [[self.parse_group(cell) for cell in r] for r in rows]
        if any(isinstance(c, sp.MatrixBase) for r in cells for c in r):
            raise NotUnderstood("a matrix of matrices")
        return sp.ImmutableMatrix(cells)


def _outside_braces(toks: list[Token]) -> list[Token]:
    out, depth = [], 0
    for t in toks:
        if t.kind == "sym" and t.text == "{":
            depth += 1
        elif t.kind == "sym" and t.text == "}":
            depth -= 1
        elif depth == 0:
            out.append(t)
    return out


def _text_function(text: str) -> list[str] | None:
    """``sigmoid``, ``log sigmoid``, ``log-softmax`` written in \\text: the functions, outer
    first; None for words that are not functions."""
    words = text.replace("-", " ").split()
    names = {"sigmoid": "sigmoid", "softmax": "softmax", "log": "log", "exp": "exp",
             "tanh": "tanh", "relu": "relu", "ReLU": "relu", "Sigmoid": "sigmoid",
             "Softmax": "softmax", "ln": "log", "softargmax": "softargmax"}
    if not words or any(w not in names for w in words):
        return None
    return [names[w] for w in words]


def _pieces(text: str) -> list[str]:
    """The pieces of a subscript: ``ij`` → i, j; ``1j`` → 1, j; ``i,j`` → i, j; ``\\theta``
    and ``2l`` stay whole where they are not single letters and digits."""
    text = text.replace("{", "").replace("}", "")
    if "," in text:
        return [p.strip() for p in text.split(",") if p.strip()]
    if text.isalnum() and len(text) <= 3:
        return list(text)
    return [text]


def _differential(toks: list[Token]) -> tuple[str, int, list[Token]] | None:
    """``d``, ``\\partial``, ``\\partial^2`` at the start of a fraction's part: its kind,
    order, and the tokens after it; None if the part is no differential."""
    if not toks:
        return None
    first = toks[0]
    if first.kind == "cmd" and first.text == "partial":
        kind = "partial"
    elif first.text == "d" and first.kind in ("letter", "text"):
        kind = "d"
    else:
        return None
    rest = toks[1:]
    order = 1
    if len(rest) >= 2 and rest[0].text == "^" and rest[1].kind == "num":
        order, rest = int(rest[1].text), rest[2:]
    return kind, order, rest


def _add(terms: list[sp.Expr]) -> sp.Expr:
    matrices = [t for t in terms if isinstance(t, sp.MatrixBase)]
    if matrices and len(matrices) != len(terms):
        raise NotUnderstood("a matrix added to a scalar")
    if matrices:
        total = matrices[0]
        for m in matrices[1:]:
            if m.shape != total.shape:
                raise NotUnderstood("a sum of matrices of different shapes")
            total = total + m
        return total
    return sp.Add(*terms)


def _combine(left: sp.Expr, op: str, right: sp.Expr, found: Parsed) -> sp.Expr:
    lm, rm = isinstance(left, sp.MatrixBase), isinstance(right, sp.MatrixBase)
    if op == "div":
        if rm:
            raise NotUnderstood("a division by a matrix")
        return left / right
    if op == "hadamard":
        found.hadamards.append((left, right))
        if lm and rm:
            if left.shape != right.shape:
                raise NotUnderstood("⊙ of matrices of different shapes")
            return left.multiply_elementwise(right)
        if not lm and not rm:
            found.ordered = True
        return left * right
    if isinstance(left, sp.Symbol) and left.name.endswith("^{T}") and left.is_real \
            and isinstance(right, sp.Symbol) and right.is_commutative \
            and kind_of(base_name(left.name), True) == "vector" \
            and kind_of(right.name, False) in ("vector", "vector_or_number"):
        name = f"{left.name}{right.name}"                 # θᵀx: a number
        INNER_PRODUCTS[name] = (left.name, right.name)
        return sp.Symbol(name, real=True)
    if lm and rm:
        if left.shape[1] != right.shape[0]:
            raise NotUnderstood("a product of matrices whose shapes do not fit")
        return left * right
    if not lm and not rm and (matrix_like(left) and matrix_like(right)
                              or looks_like_matrix(left) or looks_like_matrix(right)):
        found.ordered = True              # W x: the order of the factors matters
        return ordered(left) * ordered(right)
    return left * right


# θᵀx read as one number, by its name: the two names it is made of
INNER_PRODUCTS: dict[str, tuple[str, str]] = {}

MAX_EXPONENT = 64
MAX_NUMBER_DIGITS = 40


def _power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    """base^exponent, refusing a number too large to compute (9^{99^{99}})."""
    if exponent.is_Number and abs(exponent) > MAX_EXPONENT and base.is_Number:
        raise NotUnderstood("a power too large to compute")
    if base.is_Integer and len(str(abs(base))) > MAX_NUMBER_DIGITS:
        raise NotUnderstood("a number with more than 40 digits")
    if exponent.has(sp.Pow) and exponent.is_Number is not True and base.is_Number:
        raise NotUnderstood("a tower of powers")
    return sp.Pow(base, exponent)


def matrix_like(e: sp.Expr) -> bool:
    """Holds a name written as a matrix or vector (a capital, bold, transposed), or one a
    product has already made non-commutative."""
    return any(not s.is_commutative or s.name.endswith("{T}") or s.name[:1].isupper()
               or s.name.startswith("\\mathbf") or s.name.startswith("\\boldsymbol")
               or s.name[:2] in ("\\T", "\\S")
               for s in e.free_symbols if isinstance(s, sp.Symbol))


def _is_prose(t: Token) -> bool:
    return t.kind == "text" and _text_function(t.text) is None


def trimmed(toks: list[Token]) -> list[Token]:
    """Without the prose and punctuation around a formula: a leading \\text{Solu:}, a
    trailing full stop, \\text{Ans}, \\underline{\\text{Ans}}."""
    toks = list(toks)
    while toks and _is_prose(toks[0]) and not (len(toks) > 1 and toks[1].text == "("):
        toks.pop(0)
    while toks:
        last = toks[-1]
        if last.kind == "sym" and last.text in ".,;:" or _is_prose(last):
            toks.pop()
        elif last.kind == "sym" and last.text == "}":
            depth, k = 0, len(toks) - 1
            while k >= 0:
                if toks[k].kind == "sym" and toks[k].text == "}":
                    depth += 1
                elif toks[k].kind == "sym" and toks[k].text == "{":
                    depth -= 1
                    if depth == 0:
                        break
                k -= 1
            inner = toks[k + 1:-1]
            if k >= 1 and toks[k - 1].kind == "cmd" and toks[k - 1].text in TRANSPARENT \
                    and inner and all(t.kind in ("text", "cmd") or t.text in "{}" for t in inner) \
                    and any(_is_prose(t) for t in inner):
                del toks[k - 1:]
            else:
                break
        else:
            break
    return toks


def evaluation_bar(toks: list[Token]) -> tuple[list[Token], list[tuple[list[Token], list[Token]]]
                                              ] | None:
    """``\\left. body \\right|_{x=2}`` or ``body \\Big|_{x = 2, y = 1}``: the body and the
    assignments of its subscript, or None when the formula does not end in such a bar."""
    if len(toks) < 6 or toks[-1].text != "}" or toks[-1].kind != "sym":
        return None
    depth, k = 0, len(toks) - 1
    while k >= 0:
        depth += {"}": 1, "{": -1}.get(toks[k].text, 0) if toks[k].kind == "sym" else 0
        if depth == 0:
            break
        k -= 1
    if k < 2 or toks[k - 1].text != "_" or toks[k - 2].text != "|" \
            or toks[k - 2].kind != "sym":
        return None
    inside, body = toks[k + 1:-1], toks[:k - 2]
    if body and body[-1].kind == "cmd" and body[-1].text == "right":
        body = body[:-1]
        if len(body) >= 2 and body[0].kind == "cmd" and body[0].text == "left" \
                and body[1].text == ".":
            body = body[2:]
        elif any(t.kind == "cmd" and t.text == "left" for t in body):
            return None                  # \left| … \right|_{…}: not a bar of evaluation
    assignments: list[tuple[list[Token], list[Token]]] = []
    part: list[Token] = []
    for t in [*inside, Token("sym", ",", -1)]:
        if t.kind == "sym" and t.text == ",":
            equals = [j for j, u in enumerate(part) if u.kind == "sym" and u.text == "="]
            if len(equals) != 1 or not part[:equals[0]] or not part[equals[0] + 1:]:
                return None
            assignments.append((part[:equals[0]], part[equals[0] + 1:]))
            part = []
        else:
            part.append(t)
    if not body or not assignments or any(t.kind == "sym" and t.text == "|" for t in body):
        return None
    return body, assignments


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
