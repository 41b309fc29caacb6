"""Writing a derivation the way the proof is written: building it is the record.

    z = symbol("z", real=True)

    @derivation("softplus-derivative", title="The derivative of softplus",
                domains={z: (-6.0, 6.0)})
    def softplus_derivative(d: Proof) -> None:
        c = d.chain(sp.Derivative(softplus, z))
        c.eq(sp.exp(z) / (1 + sp.exp(z)), "chain rule", label="chain")
        c.eq(sigmoid(z), "definition of the sigmoid")
        d.oracle(c.rhs, sp.diff(sp.log(1 + sp.exp(z)), z), "plain sympy.diff")

Symbols carry their notation (``symbol("J", r"J(\\theta)", real=True)``), a chain starts from
its left side and each step gives only the new right side and its reason, a given defines
what it names.  Nothing here verifies or prints: the registry turns a :class:`Proof` into a
:class:`~derive.proof.Derivation`, the pipeline verifies it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import sympy as sp

from derive.proof import Derivation, Oracle, Step, Text, step_labelled, text

Reason: TypeAlias = str | sp.Basic


class NamedSymbol(sp.Symbol):
    """A SymPy symbol that prints as the LaTeX it was given (``J`` as ``J(\\theta)``).

    The LaTeX is part of the symbol's identity: two symbols of one name but different
    notation are different symbols.
    """

    latex: str

    def __new__(cls, name: str, latex: str, **assumptions: Any) -> NamedSymbol:
        cls._sanitize(assumptions, cls)
        obj = sp.Symbol.__xnew__(cls, name, **assumptions)   # uncached: the LaTeX differs
        obj.latex = latex
        return obj

    def __getnewargs_ex__(self) -> tuple[tuple[str, str], dict[str, Any]]:
        return ((self.name, self.latex), self.assumptions0)

    def _hashable_content(self) -> tuple[Any, ...]:
        return (*super()._hashable_content(), self.latex)

    def _latex(self, printer: Any) -> str:
        return self.latex

    @classmethod
    def class_key(cls) -> tuple[int, int, str]:
        # Sorted as a plain Symbol of its name: giving a symbol notation must not reorder the
        # terms SymPy sorts (σ(1 − σ) stays so, (ŷ − y) stays so).
        return sp.Symbol.class_key()


def symbol(name: str, latex: str | None = None, **assumptions: Any) -> sp.Symbol:
    """A symbol, printed as ``latex`` when given (else as SymPy prints ``name``)."""
    if latex is None:
        return sp.Symbol(name, **assumptions)
    return NamedSymbol(name, latex, **assumptions)


def indexed(name: str, latex: str | None = None, **assumptions: Any) -> sp.IndexedBase:
    """An indexed family ``name[i]``, its base printed as ``latex`` when given."""
    return sp.IndexedBase(symbol(name, latex, **assumptions))


def matrix(name: str, rows: Any, cols: Any, latex: str | None = None) -> sp.MatrixSymbol:
    """A matrix symbol of the given shape, printed as ``latex`` when given."""
    return sp.MatrixSymbol(symbol(name, latex) if latex else name, rows, cols)


def _reason(parts: tuple[Reason | Text, ...]) -> Text:
    flat: list[str | sp.Basic] = []
    for part in parts:
        flat.extend(part if isinstance(part, tuple) else (part,))
    return text(*flat)


class Chain:
    """Equalities from one left side: each ``eq`` gives the new right side and its reason."""

    def __init__(self, proof: Proof, lhs: sp.Expr) -> None:
        self.proof, self.lhs = proof, lhs
        self.rhs: sp.Expr | None = None

    def eq(self, rhs: sp.Expr, *reason: Reason | Text, label: str | None = None,
           where: sp.Basic | None = None) -> Chain:
        """Add ``lhs = rhs``: equal to the chain's previous right side (the first step of a
        chain is judged as ``lhs = rhs`` itself).  ``where`` limits the claim to a condition."""
        self.proof.add(Step(self.lhs, rhs, _reason(reason), where=where, label=label))
        self.rhs = rhs
        return self

    def given(self, rhs: sp.Expr, *reason: Reason | Text, label: str | None = None) -> Chain:
        """Open the chain with ``lhs = rhs`` as a premise (a definition, say), stated not
        checked and marked so; the next step is judged against ``rhs``."""
        self.proof.given(self.lhs, rhs, *reason, label=label)
        self.rhs = rhs
        return self


class Equations:
    """A chain of equations, each equivalent to the one before (or following from it)."""

    def __init__(self, proof: Proof, eliminate: sp.Symbol | None) -> None:
        self.proof, self.eliminate = proof, eliminate

    def implies(self, lhs: sp.Expr, rhs: sp.Expr, *reason: Reason | Text,
                label: str | None = None, one_way: bool = False,
                eliminate: sp.Symbol | None = None) -> Equations:
        """Add the equation ``lhs = rhs``, equivalent to the previous one over every solution
        for the eliminated symbol (``one_way``: it follows from it)."""
        self.proof.add(Step(lhs, rhs, _reason(reason), kind="implies",
                            eliminate=eliminate or self.eliminate, one_way=one_way,
                            label=label))
        return self


class Proof:
    """What a derivation function builds: its steps, givens, definitions and oracles.

    ``domains``, ``sizes``, ``numeric_sizes``, ``indices``, ``definitions`` and ``notation``
    are plain dictionaries, filled from the decorator's settings and open to the function.
    """

    def __init__(self, **settings: Any) -> None:
        self.steps: list[Step] = []
        self.givens: list[Text] = []
        self.oracles: list[Oracle] = []
        summary = settings.pop("summary", ())
        self.summary: Text = _reason((summary,) if isinstance(summary, str) else tuple(summary))
        self.domains: dict[sp.Basic, tuple[float, float]] = dict(settings.pop("domains", {}))
        self.sizes: dict[sp.Symbol, tuple[int, ...]] = dict(settings.pop("sizes", {}))
        self.numeric_sizes: dict[sp.Symbol, int] = dict(settings.pop("numeric_sizes", {}))
        self.indices: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = dict(settings.pop("indices", {}))
        self.definitions: dict[sp.Basic, sp.Expr] = dict(settings.pop("definitions", {}))
        self.notation: dict[sp.Basic, str] = dict(settings.pop("notation", {}))
        self.settings = settings   # title, problems, symbolic_sizes

    def add(self, step: Step) -> Step:
        """Append a step; its label, if any, must be new."""
        if step.label is not None and any(s.label == step.label for s in self.steps):
            raise ValueError(f"two steps are labelled '{step.label}'")
        if not (isinstance(step.lhs, sp.Basic) and isinstance(step.rhs, sp.Basic)):
            step.lhs, step.rhs = sp.sympify(step.lhs), sp.sympify(step.rhs)   # x = 2: an int
        self.steps.append(step)
        return step

    def given(self, lhs: sp.Expr, rhs: sp.Expr, *reason: Reason | Text,
              label: str | None = None) -> Step:
        """A premise ``lhs = rhs``, stated not checked; it defines ``lhs`` (a symbol, an
        entry ``s[i]`` of an indexed family, or any expression) for the steps that follow."""
        self.define(lhs, rhs)
        return self.add(Step(lhs, rhs, _reason(reason), kind="given", label=label))

    def define(self, name: sp.Basic, meaning: sp.Expr) -> None:
        """Let ``name`` stand for ``meaning`` when steps are checked (shown nowhere).  An
        entry ``s[i, j]`` with symbol indices defines the whole family ``s``."""
        if isinstance(name, sp.Indexed) and all(isinstance(i, sp.Symbol) for i in name.indices) \
                and len(set(name.indices)) == len(name.indices):
            self.definitions.setdefault(name.base, sp.Lambda(name.indices, meaning))
        else:
            self.definitions.setdefault(name, meaning)

    def chain(self, lhs: sp.Expr) -> Chain:
        """Start a chain of equalities from ``lhs``."""
        return Chain(self, lhs)

    def equation(self, lhs: sp.Expr, rhs: sp.Expr, *reason: Reason | Text,
                 eliminate: sp.Symbol | None = None, label: str | None = None) -> Equations:
        """State the equation ``lhs = rhs`` (a premise) and start a chain of equations from
        it, solved for ``eliminate``."""
        self.add(Step(lhs, rhs, _reason(reason), kind="given", label=label))
        return Equations(self, eliminate)

    def state(self, *parts: Reason | Text) -> None:
        """A given of the derivation, shown in its givens (words and expressions)."""
        self.givens.append(_reason(parts))

    def summarize(self, *parts: Reason | Text) -> None:
        """The derivation's summary, words and expressions."""
        self.summary = _reason(parts)

    def oracle(self, result: sp.Expr, reference: sp.Expr, *description: Reason | Text,
               where: sp.Basic | None = None) -> Oracle:
        """Check ``result`` against an independent ``reference`` (plain ``sympy.diff``, say)."""
        oracle = Oracle(_reason(description), result, reference, where=where)
        self.oracles.append(oracle)
        return oracle

    def step(self, label: str) -> Step:
        """The step labelled ``label``."""
        return step_labelled(self.steps, label)

    def derivation(self, name: str) -> Derivation:
        """The Derivation this proof records, named ``name``."""
        settings = dict(self.settings)
        if "title" not in settings:
            raise ValueError(f"derivation '{name}' has no title: give title=... "
                             "to @derivation")
        return Derivation(
            name=name, title=settings.pop("title"), summary=self.summary, steps=self.steps,
            givens=self.givens, domains=self.domains, definitions=self.definitions,
            sizes=self.sizes, numeric_sizes=self.numeric_sizes, indices=self.indices,
            notation=self.notation, oracles=self.oracles,
            problems=tuple(settings.pop("problems", ())),
            symbolic_sizes=bool(settings.pop("symbolic_sizes", False)),
            method=_reason(tuple(settings.pop("method", ()))), **settings)


def build_derivation(record: Callable[[Proof], object], name: str, **settings: Any
                     ) -> Derivation:
    """The Derivation that ``record`` writes into a fresh Proof with ``settings`` (title,
    summary, problems, domains, ...): what ``@derivation`` does, for a builder shared by
    several derivations (``build_derivation(lambda p: network(p, setting), name, ...)``)."""
    proof = Proof(**settings)
    record(proof)
    return proof.derivation(name)
