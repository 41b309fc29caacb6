"""The token reader under derive.check.parser's grammar: what a parse found (:class:`Parsed`),
the commands and brackets the grammar knows, and a :class:`Reader` over a list of tokens —
looking ahead, taking, reading a ``{…}`` group, parsing a group with the same reading, and
making the symbols of names.  The grammar (derive.check.parser) and its two halves for names
and calls (derive.check.calls) and for fractions, derivatives, sums and environments
(derive.check.operators) are built on it."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from derive.check.arithmetic import Literal
from derive.check.errors import NotUnderstood
from derive.check.lexer import Token
from derive.check.notation import (
    Notation,
    Reading,
)

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


class Reader:
    """Reads one expression (a list of tokens) under one reading; the grammar's rules are
    defined by derive.check.parser.Parser and its halves."""

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

    def sub_parser(self, toks: list[Token]) -> Reader:
        p = type(self)(toks, self.notation, self.reading, self.integers, self.found)
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
        if name in self.notation.sizes:
            return sp.Symbol(name, integer=True, positive=True)
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

    # -- the grammar's rules, defined by the classes built on this one -------------------
    def expression(self) -> sp.Expr:
        raise NotImplementedError

    def term(self) -> sp.Expr:
        raise NotImplementedError

    def factor(self) -> sp.Expr:
        raise NotImplementedError

    def postfix(self, value: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def transpose(self, value: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def primary(self) -> sp.Expr:
        raise NotImplementedError

    def bracketed(self, opener: str) -> sp.Expr:
        raise NotImplementedError

    def starts_factor(self) -> bool:
        raise NotImplementedError
