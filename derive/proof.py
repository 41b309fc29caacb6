"""The plain data of a derivation: Verdict, Step, Derivation, Quantity, WorkedExample.

These objects hold SymPy expressions and words, nothing else: the library builds them,
the verifier fills in the verdicts, the renderers print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union

import sympy as sp

if TYPE_CHECKING:
    from numpy.typing import NDArray

Status = Literal["proved", "checked", "refuted", "undecided", "given"]
STATUSES = ("proved", "checked", "refuted", "undecided", "given")
StepKind = Literal["given", "equals", "implies"]
# Words and inline maths: a rule such as ("substitute ", Eq(p0, 1 - p)) mixes plain text
# (escaped by the renderer) with SymPy expressions (printed as inline maths).
Text = tuple[str | sp.Basic, ...]
# A computed value: a float, or a NumPy array for a vector or matrix quantity.
Value = Union[float, "NDArray[Any]"]


def text(*parts: str | sp.Basic) -> Text:
    """Build a Text from plain strings and SymPy expressions, in reading order."""
    return tuple(parts)


def written_sum(*terms: sp.Expr) -> sp.Expr:
    """A sum that keeps the order written, for display; the verifier evaluates it as usual."""
    return sp.Add(*terms, evaluate=False)


def written_product(*factors: sp.Expr) -> sp.Expr:
    """A product that keeps the order (and grouping) written, for display."""
    return sp.Mul(*factors, evaluate=False)


def written_eq(lhs: sp.Expr, rhs: sp.Expr) -> sp.Eq:
    """The equation ``lhs = rhs`` as written, unevaluated (for a reason or a given)."""
    return sp.Eq(lhs, rhs, evaluate=False)


def only_solution(solutions: sp.Set) -> sp.Basic:
    """The one element of a solution set from ``sympy.solveset`` or ``linsolve``.  A finite
    set minus excluded values counts by its finite part: {y} minus {1} is a = y (unless y = 1)."""
    if isinstance(solutions, sp.Complement):
        solutions = solutions.args[0]
    (solution,) = solutions
    return solution


def plain(words: Text) -> str:
    """A Text as a plain string (expressions in SymPy's own string form, no $ marks)."""
    return "".join(p.replace("$", "") if isinstance(p, str) else sp.sstr(p) for p in words)


@dataclass(frozen=True)
class Verdict:
    """What the verifier concluded about one step.

    ``status`` is one of: ``proved`` (the difference reduced to 0 symbolically, every
    rewrite's side conditions proved), ``checked`` (not proved, but equal at concrete sizes
    and at many points of the domains, with error control), ``refuted`` (a counter-example
    was found), ``undecided`` (none of these could be established; no counter-example is
    claimed) or ``given`` (a premise, not checked).
    ``method`` says how, in words (for logs and JSON); ``counterexample`` maps symbols to the
    values at which the two sides differ, with the two values under ``"lhs"`` and ``"rhs"``.
    The other fields say, as data for the renderers to phrase, what the evidence covered:
    ``tactic`` (``points``: sampled; ``entries``: a matrix entry by entry; ``sizes``: index
    notation on concrete sizes; ``solutions``: an equation's solutions substituted), the
    ``points`` compared at ``digits`` of precision, the matrix ``entries``, the concrete
    ``sizes`` proved symbolically and the ``assignments`` of sizes and indices compared (all
    values of the indices in ``every``), the ``large`` size compared at ``large_points``, and
    the symbols sampled on a ``default_domain``.
    """

    status: Status
    method: str
    points: int = 0
    counterexample: dict[str, str] | None = None
    tactic: str = ""
    digits: tuple[int, ...] = ()
    entries: int = 0
    sizes: tuple[tuple[tuple[str, int], ...], ...] = ()
    assignments: int = 0
    every: tuple[str, ...] = ()
    large: tuple[tuple[str, int], ...] = ()
    large_points: int = 0
    default_domain: tuple[tuple[str, float, float], ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        """A verdict from its JSON form (lists back to tuples)."""
        def frozen(value: Any) -> Any:
            return tuple(frozen(v) for v in value) if isinstance(value, list) else value

        return cls(**{k: v if k == "counterexample" else frozen(v) for k, v in data.items()})


@dataclass
class Step:
    """One line of a derivation: ``lhs = rhs``, justified by ``rule``.

    kind ``equals``: the line is an identity; its right side equals the previous line's
    (or, for the first line of a new left side, its own left side).
    kind ``implies``: the equation is equivalent to the previous equation (or, with
    ``one_way``, follows from it); checked over every solution of the previous one for
    ``eliminate`` (and, unless one-way, of this one).
    kind ``given``: a premise or definition, stated not checked.
    ``where``: a condition (``Ne(x, y)``) outside which the step claims nothing; numeric
    evidence skips the points where it fails.
    """

    lhs: sp.Expr
    rhs: sp.Expr
    rule: Text
    kind: StepKind = "equals"
    eliminate: sp.Symbol | None = None
    verdict: Verdict | None = None
    one_way: bool = False
    where: sp.Basic | None = None   # claimed only where this holds (x != y at a kink)
    label: str | None = None        # how tests and documents address the step


def step_labelled(steps: list[Step], label: str) -> Step:
    """The step of ``steps`` labelled ``label``; KeyError naming the labels there are."""
    for step in steps:
        if step.label == label:
            return step
    raise KeyError(f"no step labelled '{label}' (labels: "
                   f"{', '.join(s.label for s in steps if s.label) or 'none'})")


@dataclass
class Oracle:
    """An independent check of a derivation's result: ``result`` must equal ``reference``.

    Typically ``reference`` is ``sympy.diff`` of the raw expression.
    """

    description: Text
    result: sp.Expr
    reference: sp.Expr
    verdict: Verdict | None = None
    where: sp.Basic | None = None   # as for a Step


@dataclass
class Derivation:
    """A named chain of steps from givens to a result, each step checked by the verifier.

    ``domains`` gives the real interval each symbol is sampled from when checking
    numerically; ``definitions`` unfolds named quantities (a loss J, say) before checking;
    ``sizes`` lists concrete values of size symbols (m, K, ...) and ``indices`` the ranges
    of free index symbols, so that index-notation steps are also checked on concrete sizes;
    ``notation`` maps symbols to the LaTeX the reader should see.  A step proved for general
    sizes is cross-checked numerically on the concrete sizes, or symbolically when
    ``symbolic_sizes`` is set.
    """

    name: str
    title: str
    summary: Text
    steps: list[Step]
    givens: list[Text] = field(default_factory=list)
    domains: dict[sp.Symbol, tuple[float, float]] = field(default_factory=dict)
    definitions: dict[sp.Basic, sp.Expr] = field(default_factory=dict)
    sizes: dict[sp.Symbol, tuple[int, ...]] = field(default_factory=dict)
    numeric_sizes: dict[sp.Symbol, int] = field(default_factory=dict)
    indices: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = field(default_factory=dict)
    notation: dict[sp.Basic, str] = field(default_factory=dict)
    oracles: list[Oracle] = field(default_factory=list)
    problems: tuple[str, ...] = ()
    symbolic_sizes: bool = False
    method: Text = ()   # how it is verified, where a device needs saying (Verification only)

    @property
    def result(self) -> Step:
        """The last step: what the derivation arrives at."""
        return self.steps[-1]

    def step(self, label: str) -> Step:
        """The step labelled ``label``."""
        return step_labelled(self.steps, label)

    @property
    def checked_steps(self) -> list[Step]:
        """The steps the verifier judges (every step but the givens)."""
        return [s for s in self.steps if s.kind != "given"]

    def tally(self) -> dict[str, int]:
        """How many checked steps ended proved, checked, refuted and undecided; a step with
        no verdict, or one of an unknown status, counts as undecided (it never vanishes)."""
        counts = {"proved": 0, "checked": 0, "refuted": 0, "undecided": 0}
        for step in self.checked_steps:
            status = step.verdict.status if step.verdict is not None else "undecided"
            counts[status if status in counts else "undecided"] += 1
        return counts

    # Notebook display; the renderer is imported lazily so the data has no import edge to it.
    def _repr_html_(self) -> str:
        from derive.render.notebook import derivation_html

        return derivation_html(self)

    def _repr_latex_(self) -> str:
        from derive.render.notebook import derivation_latex

        return derivation_latex(self)


@dataclass
class Quantity:
    """One named value of a worked example: ``symbol = formula = substituted = value``.

    ``formula`` is written in the symbols of earlier quantities (or None for an input);
    ``value`` is computed, never typed, as a float or a NumPy array.
    """

    symbol: sp.Symbol
    formula: sp.Expr | None
    value: Value
    group: str
    note: str = ""

    @property
    def is_matrix(self) -> bool:
        """Whether the value is an array (shown as a matrix, without substituted numbers)."""
        return hasattr(self.value, "shape")


@dataclass
class Comparison:
    """Computed values that must agree (e.g. back-propagation against a closed form): the
    left one against the right one and against each of ``also`` (one per further name of the
    example's ``compared``)."""

    label: Text
    left: Value
    right: Value
    also: tuple[Value, ...] = ()

    @property
    def abs_errors(self) -> list[float]:
        """The difference from each other computation; for matrices the largest entry's."""
        import numpy as np

        return [float(np.max(np.abs(np.asarray(self.left) - np.asarray(other))))
                for other in (self.right, *self.also)]

    @property
    def abs_error(self) -> float:
        """The largest of :attr:`abs_errors`."""
        return max(self.abs_errors)


@dataclass
class TableRow:
    """One row of a :class:`Table`: a quantity in its general form (``symbol = formula``, as
    printed) and, per column, the worked example's quantity whose computed value it shows."""

    symbol: sp.Basic
    formula: sp.Expr | None
    cells: list[sp.Symbol | None]


@dataclass
class Table:
    """Quantities of a worked example in rows and columns: one row per quantity, one column per
    instance of it (each example of a batch, their sum). The cells hold computed values only;
    the groups it sets out (``replaces``) are not printed line by line as well.

    ``heads`` are the heads of the symbol and the formula columns; ``formula_after`` the
    number of value columns printed before the formula column (0: right after the symbol). A
    formula's head spans the value column after it when that column's head is empty (the
    formula and its value under one head)."""

    title: str
    columns: list[str]                 # LaTeX text
    rows: list[TableRow]
    replaces: tuple[str, ...] = ()
    heads: tuple[str, str] = ("", "")
    formula_after: int = 0


@dataclass
class WorkedExample:
    """A numeric example: quantities in evaluation order, grouped, and comparisons.

    ``compared`` names the computations each comparison sets side by side: the left one,
    the right one, then one per value of a comparison's ``also``.
    """

    name: str
    title: str
    summary: Text
    quantities: list[Quantity]
    notation: dict[sp.Basic, str] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    problems: tuple[str, ...] = ()
    compared: tuple[str, ...] = ("back-propagation", "closed form")
    tables: list[Table] = field(default_factory=list)

    @property
    def against(self) -> str:
        """What the left computation is compared with: "finite differences and autodiff"."""
        return " and ".join(self.compared[1:])

    def table_at(self, group: str) -> Table | None:
        """The table printed in place of ``group`` (at the first group it replaces)."""
        return next((t for t in self.tables if t.replaces[:1] == (group,)), None)

    def tabulated(self, group: str) -> bool:
        """Whether ``group`` is set out in a table rather than line by line."""
        return any(group in t.replaces for t in self.tables)

    def groups(self) -> list[tuple[str, list[Quantity]]]:
        """The quantities grouped by their group label, in first-appearance order."""
        out: dict[str, list[Quantity]] = {}
        for q in self.quantities:
            out.setdefault(q.group, []).append(q)
        return list(out.items())

    def values(self) -> dict[sp.Symbol, Value]:
        """Every quantity's value, by symbol."""
        return {q.symbol: q.value for q in self.quantities}

    def _repr_html_(self) -> str:   # notebook display (the renderer imported lazily)
        from derive.render.notebook import example_html

        return example_html(self)

    def _repr_latex_(self) -> str:
        from derive.render.notebook import example_latex

        return example_latex(self)

    def __getitem__(self, name: str) -> Quantity:
        for q in self.quantities:
            if q.symbol.name == name:
                return q
        raise KeyError(name)
