"""Forms the grammar of derive.check.parser builds and trims: sums and products of
scalars and matrices (⊙, θᵀx read as one number), powers, the prose around a formula, and an
evaluation bar ``\\left. f \\right|_{x=2}``."""

from __future__ import annotations

import sympy as sp

from derive.check.errors import NotUnderstood
from derive.check.lexer import Token
from derive.check.matrices import (
    base_name,
    kind_of,
    looks_like_matrix,
    ordered,
)
from derive.check.reader import TRANSPARENT, Parsed, _text_function


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

