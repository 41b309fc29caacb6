"""Fractions, Leibniz derivatives, Σ and Π, the Kronecker delta, the indicator 𝟙(·) and
matrix environments in derive.check.parser's grammar."""

from __future__ import annotations

import sympy as sp

from derive.check.calls import Calls
from derive.check.dependence import (
    explicit_derivative,
    hidden_dependence,
    of_vector_function,
)
from derive.check.errors import NotUnderstood
from derive.check.lexer import Token, tokens
from derive.check.reader import _group_text, _pieces


class Operators(Calls):
    """The rules for fractions, derivatives, sums, products and environments."""

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
        """δ_{ij}: a Kronecker delta, unless the text gave δ_{o1} a number (then a name)."""
        before = self.k
        self.k += 1
        text = _group_text(self.group_tokens())
        pieces = _pieces(text)
        self.k = before
        return len(pieces) != 1 and text.replace(" ", "") not in self.notation.named_deltas

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

