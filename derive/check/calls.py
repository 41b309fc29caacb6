"""Names, calls and functions in derive.check.parser's grammar: subscripts and (i)-superscripts,
a name or a call (``h(1 - h)``, one reading of two), an opaque atom, the arguments of a call,
the functions this field writes (σ, tanh, log, softmax, ReLU, composed and primed)."""

from __future__ import annotations

import sympy as sp

from derive.check.dependence import (
    VECTOR_FUNCTIONS,
)
from derive.check.errors import NotUnderstood
from derive.check.forms import _outside_braces, _power
from derive.check.layers import layer_and_entry, layer_of, transposed_layer
from derive.check.lexer import Token
from derive.check.notation import (
    FUNCTION_LETTERS,
    KNOWN_FUNCTIONS,
    log_of,
)
from derive.check.reader import Reader, _group_text, _pieces


class Calls(Reader):
    """The rules for names, calls and functions."""

    transpose_next = False       # the name just read carried a transpose in its layer

    # -- names, calls, functions ---------------------------------------------------------
    def _index_superscript_next(self) -> bool:
        """Whether a superscript (i), (1) or (k) follows: e^{(i)} is the i-th e, not a power."""
        before = self.k
        self.k += 1
        text = _group_text(self.group_tokens())
        self.k = before
        inner = text[1:-1] if text.startswith("(") and text.endswith(")") else ""
        return inner.isdigit() or (len(inner) == 1 and inner.isalpha())

    def scripts(self, base: str = "") -> tuple[list[str], list[str]]:
        """Subscripts and (i)-superscripts after a name, as text, and a layer's superscript
        (a^{[l]}, δ^{l+1}; W^2 where the text writes W's layers so: derive.check.layers);
        a superscript that is a power or a transpose is left for :meth:`postfix`."""
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
            elif base != "e" and (layer := layer_of(text)) is not None:
                sups.append(layer)
            elif (both := layer_and_entry(text)) is not None:
                sups.extend(both)                # a^{[2](i)}: layer 2, example i
            elif (transposed := transposed_layer(text)) is not None:
                sups.append(transposed)          # W^{(2)\top}, W^{[2]T}: a layer, transposed
                self.transpose_next = True
                break
            elif base in self.notation.layers and text.isdigit() and len(text) == 1:
                self.found.met.add("layer")
                if self.reading.layer == "power":
                    self.k = before
                    break
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
        subs, sups = self.scripts(base)
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
        if self.transpose_next:
            self.transpose_next = False
            return self.transpose(self.named(base, subs, sups))
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
