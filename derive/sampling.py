"""Numeric evidence for the verifier: both sides of a step evaluated at random points.

Expressions are compiled once into mpmath functions (30 digits).  Two forms are supported:

* a concrete expression whose variables are symbols and indexed entries like ``z[3]``
  (:func:`compare_numerically`);
* a general index-notation expression with symbolic sums and products, evaluated at a given
  size with every indexed quantity an array of random entries drawn lazily
  (:func:`compare_general_form`), so a check at K = 100 never expands a sum symbolically.

A cross-check of a step already proved symbolically may be ``fast``: each point is first
evaluated in machine floats, and only a point where the floats disagree (beyond 1e-9) or
cannot be evaluated is evaluated again with mpmath, which alone refutes.
"""

from __future__ import annotations

import builtins
import contextlib
import contextvars
import functools
import itertools
import keyword
import math
import random
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import mpmath
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from derive.functions import elementary

NUMERIC_POINTS = 24          # random points per numeric check
PRECISION_DIGITS = 30        # mpmath working precision
FLOAT_TOLERANCE = 1e-13      # relative agreement in machine floats (fast cross-checks)
# what evaluating a compiled side at a point may raise: the point is skipped
EVALUATION_ERRORS = (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError)

Outcome = tuple[int, dict[str, str] | None]   # (points agreed, counter-example or None)


class Domains(Protocol):
    """What sampling needs from the verifier's context."""

    @property
    def domains(self) -> dict[sp.Basic, tuple[float, float]]: ...

    @property
    def where(self) -> sp.Basic | None: ...

    @property
    def seed(self) -> int: ...


def python_name(symbol: sp.Symbol) -> str:
    """A symbol's name as a Python identifier (j' and x_{1} are not), the same every time."""
    name = symbol.name
    if name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_v"):
        return name
    return "_s" + "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in name)


class _LoopPrinter(MpmathPrinter):
    """The mpmath printer, with products written as loops like SymPy writes sums, and the
    function's arguments (symbols, indexed entries, array bases) printed by their names.

    Integers stay Python ints where they index or bound a loop, and are mpf (exact) in
    arithmetic: 1/K for a size K must not be a machine float."""

    def __init__(self, settings: dict[str, Any], renames: dict[sp.Basic, str]) -> None:
        super().__init__(settings)
        self.renames = renames
        self.indexing = 0   # > 0 while printing an index or a loop bound
        self.names_taken: dict[sp.Symbol, str] = {}

    def _integer_valued(self, code: str, expr: sp.Basic) -> str:
        return code if self.indexing or not expr.is_integer else f"mpf({code})"

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        code = self.renames.get(expr) or self._unique_name(expr)
        return self._integer_valued(code, expr)

    def _unique_name(self, symbol: sp.Symbol) -> str:
        """A Python name of its own for each distinct symbol: Symbol("k", integer=True) and
        Symbol("k"), or two Dummies named k, must not share one loop variable."""
        taken = self.names_taken
        if symbol not in taken:
            name, used = python_name(symbol), set(taken.values())
            while name in used:
                name += "_"
            taken[symbol] = name
        return str(taken[symbol])

    def _print_Integer(self, expr: sp.Integer) -> str:
        return str(int(expr)) if self.indexing else f"mpf({int(expr)})"

    def _as_index(self, expr: sp.Basic) -> str:
        self.indexing += 1
        try:
            return self._print(expr)
        finally:
            self.indexing -= 1

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        if expr in self.renames:
            return self.renames[expr]
        base = self.renames.get(expr.base) or python_name(expr.base.label)
        return f"{base}[{', '.join(self._as_index(i) for i in expr.indices)}]"

    def _loops(self, expr: sp.Sum | sp.Product) -> str:
        return " ".join(f"for {self._as_index(i)} in range({self._as_index(a)}, "
                        f"{self._as_index(b)}+1)" for i, a, b in expr.limits[::-1])

    def _print_Sum(self, expr: sp.Sum) -> str:
        return f"(builtins.sum({self._print(expr.function)} {self._loops(expr)}))"

    def _print_Product(self, expr: sp.Product) -> str:
        return f"(fprod({self._print(expr.function)} {self._loops(expr)}))"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        a, b = (self._as_index(arg) for arg in expr.args[:2])
        return f"(mpf(1) if ({a}) == ({b}) else mpf(0))"


# The names compiled code sees, built once (each function gets a copy): mpmath's, and the
# same in machine floats where math has them (mpmath for the rest).
_MPMATH_NAMES: dict[str, Any] = {name: getattr(mpmath, name) for name in dir(mpmath)}
_MPMATH_NAMES.update(mpf=mpmath.mpf, Max=max, Min=min, builtins=builtins)
_FLOAT_NAMES: dict[str, Any] = {
    **_MPMATH_NAMES, "mpf": float, "exp": math.exp, "log": math.log, "tanh": math.tanh,
    "sin": math.sin, "cos": math.cos, "sqrt": math.sqrt, "fabs": abs, "fprod": math.prod,
    "pi": math.pi, "e": math.e}


def mp_function(expr: sp.Expr, arguments: list[sp.Basic]) -> Callable[..., Any]:
    """Compile an expression once into an mpmath function of the given arguments (its
    attribute ``fast`` is the same function in machine floats).  Remembered: the first
    look, the full check and the cross-check of a step evaluate the same sides.

    Prints with SymPy's mpmath printer directly: ``lambdify``'s argument preprocessing costs
    seconds when there are dozens of indexed variables.  An argument may be a symbol, an
    indexed entry, or an IndexedBase (then passed as a mapping from indices to values).
    What cannot be printed gives a function that raises NameError (reported as not checkable).
    """
    return _compiled(expr, tuple(arguments))


@functools.lru_cache(maxsize=1024)
def _compiled(expr: sp.Expr, arguments: tuple[sp.Basic, ...]) -> Callable[..., Any]:
    names = {a: f"_B{n}" if isinstance(a, sp.IndexedBase) else f"_v{n}"
             for n, a in enumerate(arguments)}
    body = _elementary_parts(expr)
    try:
        if body.has(sp.Derivative):
            raise NotImplementedError("an unevaluated derivative")
        code = _dag_code(body, names)
    except (KeyError, NotImplementedError, TypeError) as err:
        message = f"cannot evaluate {body.func.__name__}: {err!r}"

        def unprintable(*_: Any) -> Any:
            raise NameError(message)

        unprintable.unprintable = message  # type: ignore[attr-defined]
        return unprintable
    params = ", ".join(names.values()) or "*_"
    source = f"def f({params}):\n" + "\n".join(f"    {line}" for line in code)
    compiled = compile(source, "<derive.sampling>", "exec")
    namespace, fast = dict(_MPMATH_NAMES), dict(_FLOAT_NAMES)
    exec(compiled, namespace)  # noqa: S102  (code generated from the expression tree above)
    exec(compiled, fast)  # noqa: S102
    namespace["f"].fast = fast["f"]
    return namespace["f"]


def _elementary_parts(expr: sp.Basic) -> sp.Basic:
    """The elementary form, of each side of a tuple on its own: sides recur from check to
    check (a step's right side is the next one's left), so each is rewritten once."""
    if isinstance(expr, sp.Tuple):
        return sp.Tuple(*[elementary(a) for a in expr.args])
    return elementary(expr)


# Nodes written as plain Python by _dag_code; anything else is printed by _LoopPrinter.
_DAG_FUNCTIONS = {sp.exp: "exp", sp.log: "log", sp.tanh: "tanh", sp.sin: "sin", sp.cos: "cos",
                  sp.Abs: "fabs"}


def _dag_code(body: sp.Expr, arguments: dict[sp.Basic, str]) -> list[str]:
    """Python statements computing ``body``: one temporary per distinct subexpression.

    The explicit matrices of the verifier share most of their subexpressions (σ(s₂ᵢ) appears
    in every entry of a gradient), so each is computed once; and writing the statements
    directly is far quicker than SymPy's printer, which orders terms and weighs precedence
    at every node.  Sums, products, piecewise functions and the like are still printed by
    the mpmath printer, as one statement each.
    """
    printer = _LoopPrinter({"fully_qualified_modules": False, "inline": True,
                            "order": "none"}, arguments)   # terms as they are: no sorting
    lines: list[str] = []
    names: dict[sp.Basic, str] = dict(arguments)

    def emit(e: sp.Basic) -> str:
        if e in names:
            return names[e]
        if e.is_Symbol:
            return printer.doprint(e)
        if e.is_Integer:
            return f"mpf({int(e)})"
        if e.is_Rational:
            return f"(mpf({e.p})/{e.q})"
        if isinstance(e, sp.Add):
            code = " + ".join(emit(a) for a in e.args)
        elif isinstance(e, sp.Mul):
            code = " * ".join(emit(a) for a in e.args)
        elif isinstance(e, sp.Pow):
            exponent = str(int(e.exp)) if e.exp.is_Integer else emit(e.exp)
            base = emit(e.base)   # an integer base (a size) as mpf: K**-1 is not a float
            code = f"{f'mpf({base})' if e.base.is_integer else base} ** {exponent}"
        elif isinstance(e, sp.Tuple):
            code = "(" + "".join(f"{emit(a)}, " for a in e.args) + ")"
        elif e.func in _DAG_FUNCTIONS and len(e.args) == 1:
            code = f"{_DAG_FUNCTIONS[e.func]}({emit(e.args[0])})"
        else:
            code = printer.doprint(e)
        names[e] = f"t{len(lines)}"
        lines.append(f"{names[e]} = {code}")
        return names[e]

    result = emit(body)
    return [*lines, f"return {result}"]


def _values(f: Callable[..., Any], point: list[Any], digits: int) -> list[mpmath.mpc] | None:
    """The values a compiled tuple of sides takes at a point, at ``digits`` significant
    digits; None if any is not finite."""
    try:
        with mpmath.workdps(digits):
            values = [mpmath.mpmathify(v) for v in f(*_as_mpmath(point))]
    except EVALUATION_ERRORS:
        return None
    if any(mpmath.isnan(v) or mpmath.isinf(v) for v in values):
        return None
    return values


def _float_values(f: Callable[..., Any], point: list[Any]) -> list[float] | None:
    """The values in machine floats, or None where any is not a finite real float."""
    try:
        values = list(f(*point))
    except EVALUATION_ERRORS:
        return None
    if all(type(v) is float and math.isfinite(v) for v in values):
        return values
    return None


def _as_mpmath(point: list[Any]) -> list[Any]:
    """A drawn point for mpmath: floats as mpf (exactly), arrays read as mpf."""
    return [mpmath.mpf(v) if isinstance(v, float) else
            _MpfView(v) if isinstance(v, RandomArray) else v for v in point]


def variables(expr: sp.Basic) -> list[sp.Basic]:
    """The free quantities to sample: plain symbols and indexed entries like z[3]."""
    indexed = list(expr.atoms(sp.Indexed))
    inside = set().union(*(e.free_symbols for e in indexed)) if indexed else set()
    symbols = [s for s in expr.free_symbols if s not in inside and not isinstance(s, sp.Indexed)]
    return sorted(symbols, key=str) + sorted(indexed, key=str)


def _label(var: sp.Basic) -> sp.Basic:
    base = var.base if isinstance(var, sp.Indexed) else var
    return base.label if isinstance(base, sp.IndexedBase) else base


INTEGER_REACH = 40.0   # an integer symbol with no declared domain is drawn up to this


def default_domain(label: sp.Basic) -> tuple[float, float]:
    """Where a symbol with no declared domain is sampled, by its assumptions."""
    if getattr(label, "is_integer", False):   # wide: a step true for n = 1..6 only is not
        return ((1.0, INTEGER_REACH) if label.is_positive   # checked on 1..6 alone
                else (0.0, INTEGER_REACH) if label.is_nonnegative
                else (-INTEGER_REACH, -1.0) if label.is_negative
                else (-INTEGER_REACH / 2, INTEGER_REACH / 2))
    if getattr(label, "is_positive", False):
        return (0.1, 3.0)
    if getattr(label, "is_nonnegative", False):
        return (0.0, 3.0)
    if getattr(label, "is_negative", False):
        return (-3.0, -0.1)
    if getattr(label, "is_nonpositive", False):
        return (-3.0, 0.0)
    return (-2.0, 2.0)


class Pieces(tuple):
    """A domain of several disjoint open intervals (a union; an interval with points left
    out, x in (-2, 2) minus {0}), read as its hull (lo, hi) where only the ends matter; a
    point is drawn from a piece chosen at random, at times at a piece's edge, so that a
    narrow piece and the points left out are visited."""

    pieces: tuple[tuple[float, float], ...]

    def __new__(cls, pieces: Iterable[tuple[float, float]]) -> Pieces:
        ordered = tuple(sorted((float(a), float(b)) for a, b in pieces))
        self = super().__new__(cls, (ordered[0][0], ordered[-1][1]))
        self.pieces = ordered
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pieces) and self.pieces == other.pieces

    def __hash__(self) -> int:
        return hash(self.pieces)

    def __repr__(self) -> str:   # the cache key prints the domains: the pieces, not the hull
        return f"Pieces({self.pieces!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Pieces, (self.pieces,))


def declared_domain(value: Any, what: str = "a domain") -> tuple[float, float]:
    """A declared domain as the sampler reads it: a pair (lo, hi) of finite numbers, or a
    SymPy set of bounded intervals (an Interval, a Union of them, an interval with points
    left out: ``Interval(-2, 2) - FiniteSet(0)``) as its :class:`Pieces` (one piece: the
    pair).  ValueError for anything else: a set of points read as the pair of its two
    elements, or an unbounded end (random.uniform(0, inf) is no point), changed the claim."""
    if isinstance(value, sp.Set):
        if isinstance(value, sp.Complement):   # what SymPy leaves unevaluated
            value = value.args[0] - value.args[1]
        parts = value.args if isinstance(value, sp.Union) else (value,)
        if not parts or not all(isinstance(p, sp.Interval) for p in parts):
            raise ValueError(f"{what} must be an interval or a union of intervals, not "
                             f"{value} (a set of points is not sampled from)")
        pieces = [_finite_pair(p.start, p.end, what) for p in parts]
        return Pieces(pieces) if len(pieces) > 1 else pieces[0]
    if isinstance(value, (tuple, list)) and len(value) == 2 and not isinstance(value, Pieces):
        return _finite_pair(value[0], value[1], what)
    if isinstance(value, Pieces):
        return value
    raise ValueError(f"{what} must be a pair (lo, hi) of numbers or a SymPy interval, not "
                     f"{value!r}")


def _finite_pair(lo: Any, hi: Any, what: str) -> tuple[float, float]:
    try:
        a, b = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ValueError(f"{what} has an end that is not a number: ({lo}, {hi})") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"{what} ({lo}, {hi}) is unbounded: declare finite ends (points "
                         "are drawn between them)")
    return (a, b)


def domain(var: sp.Basic, ctx: Domains) -> tuple[float, float]:
    """The sampling interval of a symbol, indexed entry or IndexedBase: declared, else by its
    assumptions; where the step's condition restricts the symbol alone (x < 0 or x > 1,
    x != 0), only the pieces of the interval it allows (:class:`Pieces`)."""
    base = var.base if isinstance(var, sp.Indexed) else var
    label = _label(var)
    interval = next((ctx.domains[c] for c in (var, base, label) if c in ctx.domains),
                    None) or default_domain(label)
    where = getattr(ctx, "where", None)
    if where is None or not isinstance(var, sp.Symbol) or var not in where.free_symbols:
        return interval
    return _allowed_pieces(where, var, interval)


@functools.lru_cache(maxsize=1024)
def _allowed_pieces(where: sp.Basic, var: sp.Symbol, interval: tuple[float, float]
                    ) -> tuple[float, float]:
    """The pieces of ``interval`` where the conditions of ``where`` on ``var`` alone hold
    (the interval itself when there are none, or they cannot be solved)."""
    conditions = where.args if isinstance(where, sp.And) else (where,)
    mine = [c for c in conditions if c.free_symbols == {var}]
    if not mine:
        return interval
    pieces = getattr(interval, "pieces", (tuple(interval),))
    whole = sp.Union(*[sp.Interval.open(a, b) for a, b in pieces])
    try:
        allowed = sp.And(*mine).as_set().intersect(whole)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return interval
    parts = allowed.args if isinstance(allowed, sp.Union) else (allowed,)
    found = [(float(p.start), float(p.end)) for p in parts
             if isinstance(p, sp.Interval) and p.measure > 0]
    if not found:
        return interval   # points alone, or nothing: drawn as before, then rejected
    return Pieces(found) if len(found) > 1 else found[0]


def domain_condition(value: sp.Expr, interval: tuple[float, float]) -> sp.Basic:
    """That ``value`` lies in the interval, or in one of its pieces."""
    pieces = getattr(interval, "pieces", (tuple(interval),))
    return sp.Or(*[sp.And(value > a, value < b) for a, b in pieces])


def default_domains(expr: sp.Basic, ctx: Domains) -> tuple[tuple[str, float, float], ...]:
    """The symbols of ``expr`` with no declared domain, each with the interval it is sampled
    from by default, so that a "checked" verdict says exactly what it covered."""
    undeclared: dict[str, tuple[float, float]] = {}
    for var in variables(expr):
        base = var.base if isinstance(var, sp.Indexed) else var
        if not any(c in ctx.domains for c in (var, base, _label(var))):
            undeclared.setdefault(str(_label(var)), default_domain(_label(var)))
    return tuple((name, lo, hi) for name, (lo, hi) in undeclared.items())


def undeclared_domains(expr: sp.Basic, ctx: Domains) -> str:
    """Where the symbols with no declared domain were sampled ("; x in (-2, 2) by default"),
    in words; empty if every one is declared."""
    spans = ", ".join(f"{name} in ({lo:g}, {hi:g})" for name, lo, hi in default_domains(expr, ctx))
    return f"; sampled with {spans} (no domain declared)" if spans else ""


def is_integer_valued(var: sp.Basic) -> bool:
    return bool(getattr(_label(var), "is_integer", False))


# Where a point lies: at random, at the lower or upper edge of every interval, at a random
# corner of the box of intervals.  Edges are nudged inside by a millionth of the interval
# (a domain is open: log p at p = 0 is not a claim of the step).
EDGE_NUDGE = 1e-6
Where = str   # "random" | "low" | "high" | "corner"


EDGE_BAND = 0.01   # an array "at an edge" has every entry within 1 % of the interval of it
PIECE_EDGE_SHARE = 0.25   # the random points of a domain of pieces at a piece's edge


def draw_value(rng: random.Random, interval: tuple[float, float], integer: bool,
               where: Where, entry: bool = False) -> float | int:
    """One value of an interval: random, at an edge (nudged inside), or a random edge.

    An ``entry`` of an array is drawn near the edge, not at it: equal entries would make every
    array symmetric and constant, blind to swapped indices."""
    lo, hi = interval
    if where == "corner":
        where = rng.choice(("low", "high"))
    pieces = getattr(interval, "pieces", None)
    if pieces is not None and where == "random":   # a piece at random, at times its edge
        if integer:
            pieces = [p for p in pieces if math.ceil(p[0]) <= math.floor(p[1])] or pieces
        lo, hi = rng.choice(pieces)
        if not integer and not entry and rng.random() < PIECE_EDGE_SHARE:
            where = rng.choice(("low", "high"))
    if integer:
        a, b = math.ceil(lo), math.floor(hi)
        return a if where == "low" else b if where == "high" else rng.randint(a, b)
    nudge = EDGE_NUDGE * (hi - lo)
    if entry and where in ("low", "high"):
        band = EDGE_BAND * (hi - lo)
        return (rng.uniform(lo + nudge, lo + band) if where == "low"
                else rng.uniform(hi - band, hi - nudge))
    return (lo + nudge if where == "low" else hi - nudge if where == "high"
            else rng.uniform(lo, hi))


def edge_patterns(count: int, fast: bool = False) -> list[tuple[Where, ...]]:
    """Where each of ``count`` variables lies in the first points of a check: all at their
    lowest, all at their highest, then (unless ``fast``) every mixed corner of the box for
    up to four variables, or four random corners; the later points are random (and, for
    piecewise functions, at their breakpoints)."""
    patterns: list[tuple[Where, ...]] = [("low",) * count, ("high",) * count]
    if fast or count == 0:
        return patterns if count else []
    if count <= 4:
        patterns += [tuple("high" if bits >> v & 1 else "low" for v in range(count))
                     for bits in range(1, 2**count - 1)]
    else:
        patterns += [("corner",) * count] * 4
    return patterns


class RandomArray(dict[Any, float]):
    """An indexed quantity whose entries are drawn from an interval the first time read."""

    def __init__(self, rng: random.Random, interval: tuple[float, float],
                 where: Where = "random", integer: bool = False) -> None:
        super().__init__()
        self.rng, self.interval, self.where, self.integer = rng, interval, where, integer

    def __missing__(self, key: Any) -> float:
        value = self[key] = float(draw_value(self.rng, self.interval, self.integer,
                                             self.where, entry=True))
        return value


class _MpfView:
    """A RandomArray read as mpf entries (the same numbers, exactly)."""

    def __init__(self, array: RandomArray) -> None:
        self.array = array

    def __getitem__(self, key: Any) -> mpmath.mpf:
        return mpmath.mpf(self.array[key])


# --- error-controlled comparison ----------------------------------------------------------

# Each point is evaluated at two precisions; the change between them estimates the error
# of the lower one, and the higher one is (PRECISIONS gap) digits better than that.  Two
# sides agree when their difference at the higher precision is within what rounding
# explains; where the estimate says the lower precision lost most of its digits
# (cancellation), both are raised and the point evaluated again.
PRECISIONS = ((PRECISION_DIGITS, 2 * PRECISION_DIGITS),
              (2 * PRECISION_DIGITS, 4 * PRECISION_DIGITS),
              (4 * PRECISION_DIGITS, 8 * PRECISION_DIGITS))
CANCELLATION = mpmath.mpf("1e-8")   # relative error estimate past which precision is raised


def _disagreement(f: Callable[..., Any], point: list[Any], entries: int
                  ) -> tuple[int, mpmath.mpf, mpmath.mpf] | None | bool:
    """Compare every entry's two sides at a point with error control.

    False where the point cannot be evaluated, None where all entries agree, else
    (the entry, its left and right values) of the first that differs.

    The allowance is relative to the size of the values (plus what the error estimate
    explains): two tiny values that differ by a factor of 2 (sigma(-x) and 2 e^-x at x = 135,
    about 1e-59) differ, however small that difference is next to 1.  Only a side that came
    out exactly 0 at every precision, the other within 10^(8 - digits) of it, is left
    undecided at that point (a small term absorbed by a huge one: 1 - sigma(1000)).
    """
    for low, high in PRECISIONS:
        rough, fine = _values(f, point, low), _values(f, point, high)
        if rough is None or fine is None:
            return False
        worst_loss = mpmath.mpf(0)
        verdicts, absorbed = [], []
        for k in range(entries):
            a1, b1, a2, b2 = rough[k], rough[entries + k], fine[k], fine[entries + k]
            error = abs(a1 - a2) + abs(b1 - b2)             # of the low precision
            scale = max(abs(a2), abs(b2))
            with mpmath.workdps(high):
                allowed = (error * mpmath.mpf(10) ** (low - high + 5)
                           + mpmath.mpf(10) ** (8 - high) * scale)
                verdicts.append(abs(a2 - b2) <= allowed)
                absorbed.append(not verdicts[-1] and (a2 == 0 or b2 == 0)
                                and abs(a2 - b2) <= mpmath.mpf(10) ** (8 - high))
            if scale:
                worst_loss = max(worst_loss, error / scale)
        last = (low, high) == PRECISIONS[-1]
        if all(verdicts):
            if last or (worst_loss <= CANCELLATION and not any(v == 0 for v in fine)):
                return None
        elif last and all(a for a, same in zip(absorbed, verdicts, strict=True) if not same):
            return False   # only a value below every precision tells the sides apart
        elif last or (worst_loss <= CANCELLATION and not _absorbing(fine, verdicts, entries)):
            k = verdicts.index(False)
            return k, fine[k], fine[entries + k]
        # cancellation, or a value that came out exactly 0 (a small term may have been
        # absorbed by a huge one at both precisions): decided at the next, higher pair
    return None


def _absorbing(values: list[mpmath.mpc], verdicts: list[bool], entries: int) -> bool:
    """Whether a disagreement might be precision, not mathematics: a side that came out
    exactly 0 (a small term added to a huge one and taken away again, at both precisions)."""
    return any(not same and (values[k] == 0 or values[entries + k] == 0)
               for k, same in enumerate(verdicts))


def _sample(compiled: list[Callable[..., Any]], entries: int,
            draw: Callable[[random.Random, int], list[Any]],
            describe: Callable[[list[Any]], dict[str, str]], seed: int, points: int,
            fast: bool = False, admissible: Callable[..., Any] | None = None,
            one_sided: Callable[[list[Any], int], tuple[int, str, str] | None] | None = None
            ) -> Outcome:
    """Draw points until ``points`` agree, one differs, or too many cannot be evaluated.

    ``draw(rng, attempt)`` gives the attempt-th point (the first ones at the edges).  Each
    compiled function returns ``entries`` left sides, then as many right sides; the first
    that can be evaluated at a point is compared there with error control (``fast``: in
    machine floats first, see the module's docstring).  Returns the number of entry
    comparisons that agreed, or a counter-example (naming the entry when there are several).
    """
    rng = random.Random(seed)
    agreed, attempts = 0, 0
    while agreed < points and attempts < points * 4 + 16:
        point = draw(rng, attempts)
        attempts += 1
        if admissible is not None and not _holds(admissible, point):
            continue
        for f in compiled:
            if fast and (agreed or _FLOATS_AGREE.get()) and _agree_in_floats(f, point, entries):
                agreed += 1
                break
            outcome = _disagreement(f, point, entries)
            if outcome is False:
                found = None if one_sided is None else one_sided(point, attempts - 1)
                if found is not None:   # one side undefined where the other has a value
                    k, a, b = found
                    which = {"entry": str(k + 1)} if entries > 1 else {}
                    return agreed * entries, {**describe(point), **which, "lhs": a, "rhs": b}
                continue
            if outcome is not None:
                k, a, b = outcome   # type: ignore[misc]
                which = {"entry": str(k + 1)} if entries > 1 else {}
                return agreed * entries, {**describe(point), **which,
                                          "lhs": mpmath.nstr(a, 12), "rhs": mpmath.nstr(b, 12)}
            agreed += 1
            break
    if agreed == 0:
        return 0, {"error": "no point of the domain could be evaluated"}
    return agreed * entries, None


def _holds(condition: Callable[..., Any], point: list[Any]) -> bool:
    """Whether a step's condition holds at a point (False where it cannot be evaluated)."""
    try:
        with mpmath.workdps(PRECISION_DIGITS):
            return bool(condition(*_as_mpmath(point)))
    except EVALUATION_ERRORS:
        return False


# Whether a fast check may take agreement in machine floats for agreement at its first
# point.  Not while a cached mark is re-confirmed: that look is the only check the mark
# gets, and floats agree within 1e-13 where the sides differ by 1e-15 (1 + 10^-15 sin x = 1).
_FLOATS_AGREE = contextvars.ContextVar("floats_agree", default=True)


@contextlib.contextmanager
def error_controlled() -> Iterator[None]:
    """Within it, a ``fast`` comparison takes its first agreeing point from mpmath at two
    precisions (with error control), never from machine floats; the later points may agree
    in floats (they look for gross differences; the first already saw the fine ones)."""
    token = _FLOATS_AGREE.set(False)
    try:
        yield
    finally:
        _FLOATS_AGREE.reset(token)


def _agree_in_floats(f: Callable[..., Any], point: list[Any], entries: int) -> bool:
    """Whether every entry's two sides agree in machine floats (False if not evaluable)."""
    values = _float_values(f.fast, point) if hasattr(f, "fast") else None
    if values is None:
        return False
    # relative to the values, not to 1: below 1 any two small values agreed (a signed
    # cache entry marking 1e-20 max(x, 0) = 0 proved was kept); where they differ by
    # rounding alone (a difference that cancels to 1e-17 against 0) mpmath decides
    return all(abs(a - b) <= FLOAT_TOLERANCE * max(abs(a), abs(b))
               for a, b in zip(values[:entries], values[entries:], strict=True))


# --- breakpoints of piecewise functions ----------------------------------------------------

MAX_BREAKPOINT_SOLUTIONS = 24


INTEGER_JUMPS = 3   # floor(u) is visited at u = -3, ..., 3, and where the domain takes u
DOMAIN_JUMPS = 10   # at most this many integers, of the values u takes on the domain
RANGE_POINTS = 48   # random points (beside the corners) that estimate the values u takes

Jumps = Callable[[sp.Expr], list[int]]


def _near_zero_jumps(_: sp.Expr) -> list[int]:
    return list(range(-INTEGER_JUMPS, INTEGER_JUMPS + 1))


def domain_jumps(ctx: Domains, free: list[sp.Basic]) -> Jumps:
    """The integers at which floor(u) is to be visited, for ``u`` on the declared domains of
    ``free``: those from one below the least to one above the greatest value u takes at the
    corners of the box and at random points (every one when there are at most DOMAIN_JUMPS,
    else the two at each end and a random spread), or -3..3 where u cannot be evaluated so:
    a domain declared away from 0, x in (4, 6), must not keep floor(x)'s jump at 5 from
    being visited."""
    def jumps(u: sp.Expr) -> list[int]:
        found = _near_zero_jumps(u)
        inside = [v for v in free if v in u.free_symbols or v in u.atoms(sp.Indexed)]
        if not inside or not set(inside) >= (u.free_symbols - {s for v in inside
                                                               for s in v.free_symbols}):
            return found
        rng = random.Random(sp.srepr(u))
        values = _real_values(u, inside, [domain(v, ctx) for v in inside], rng)
        if not values:
            return found
        # one more on either side: a u that is not monotone may reach a little further
        lo, hi = math.floor(min(values)) - 1, math.ceil(max(values)) + 1
        if hi - lo + 1 <= DOMAIN_JUMPS:
            return list(range(lo, hi + 1))
        middle = range(lo + 2, hi - 1)
        picks = rng.sample(middle, min(len(middle), DOMAIN_JUMPS - 4))
        return [lo, lo + 1, *sorted(picks), hi - 1, hi]

    return jumps


def kinks(expr: sp.Basic, jumps: Jumps | None = None) -> list[sp.Expr]:
    """Expressions whose zeros are the breakpoints of the piecewise functions in ``expr``
    (elementary form): Heaviside, sign and Abs arguments, ties of Max and Min and of a
    Kronecker delta's arguments, Piecewise conditions, and the jumps of floor, ceiling, frac
    and Mod (their argument, or a/b for a mod b, an integer: the integers ``jumps`` names
    for it, by default the few nearest 0; see :func:`domain_jumps`)."""
    jumps = jumps or _near_zero_jumps
    found: list[sp.Expr] = []
    for e in sp.preorder_traversal(expr):
        if isinstance(e, (sp.Heaviside, sp.sign, sp.Abs)):
            found.append(e.args[0])
        elif isinstance(e, (sp.floor, sp.ceiling, sp.frac)):
            found.extend(e.args[0] - n for n in jumps(e.args[0]))
        elif isinstance(e, sp.Mod):   # a mod b jumps where a/b is an integer
            a, b = e.args
            found.extend(a - n * b for n in jumps(a / b))
        elif isinstance(e, sp.KroneckerDelta):   # of real arguments: 1 only where they tie
            found.append(e.args[0] - e.args[1])
        elif isinstance(e, (sp.Max, sp.Min)):
            found.extend(a - b for a, b in itertools.combinations(e.args, 2))
        elif isinstance(e, sp.Piecewise):
            found.extend(r.lhs - r.rhs for _, c in e.args
                         for r in ([c] if isinstance(c, sp.core.relational.Relational)
                                   else c.atoms(sp.core.relational.Relational)))
    return list(dict.fromkeys(found))


KINK_SOLVE_MAX_OPS = 20   # a kink not polynomial of degree <= 2 is solved only when small


def kink_roots(expr: sp.Basic, free: list[sp.Basic], ctx: Domains | None = None
               ) -> list[tuple[int, sp.Expr]]:
    """(position of a variable, an exact value of it) where a kink of ``expr`` is zero:
    solved for a variable in which the kink is linear or quadratic, or, for a small kink
    (e^x - 2, x^3 - 2, tanh x - 1/2), by ``sympy.solve``.  With ``ctx``, the jumps of floor
    and the like are those the declared domains reach (:func:`domain_jumps`)."""
    out: list[tuple[int, sp.Expr]] = []
    for g in kinks(expr, None if ctx is None else domain_jumps(ctx, free)):
        for pos, v in enumerate(free):
            if not isinstance(v, sp.Symbol) or v not in g.free_symbols or is_integer_valued(v):
                continue
            try:
                low_degree = g.is_polynomial(v) and sp.Poly(g, v).degree() <= 2
                if not low_degree and sp.count_ops(g) > KINK_SOLVE_MAX_OPS:
                    continue
                roots = sp.solve(g, v, check=False, simplify=False)
            except (NotImplementedError, sp.PolynomialError, TypeError, ValueError):
                continue
            if ctx is not None and not low_degree:
                lo, hi = domain(v, ctx)
                others = sorted(set().union(*(r.free_symbols for r in roots))
                                | (g.free_symbols - {v}), key=str)   # the period's too
                spans = tuple((u, tuple(map(float, domain(u, ctx)))) for u in others)
                roots += _periodic_repeats(g, v, tuple(roots), (float(lo), float(hi)), spans)
            out.extend((pos, r) for r in roots if r.is_real is not False)
        if len(out) >= MAX_BREAKPOINT_SOLUTIONS:
            break
    return out[:MAX_BREAKPOINT_SOLUTIONS]


@functools.lru_cache(maxsize=512)
def _periodic_repeats(g: sp.Expr, v: sp.Symbol, roots: tuple[sp.Expr, ...],
                      interval: tuple[float, float],
                      spans: tuple[tuple[sp.Basic, tuple[float, float]], ...] = ()
                      ) -> tuple[sp.Expr, ...]:
    """The roots of a periodic kink repeated across the interval: ``sympy.solve`` gives one
    period's (sin x = 0 at 0 and π), and a kink at 2π on a domain (5, 7) was never visited
    (H(sin x, 0) = (sign(sin x) + 1)/2 was checked; they differ there).  A root in other
    variables (sin(x - y) = 0 at x = y) is repeated as far as the values it takes on their
    domains (``spans``) allow.  Every repeat when there are at most DOMAIN_JUMPS per root,
    else the two at each end and a random spread."""
    try:
        period = sp.periodicity(g, v)
    except (NotImplementedError, TypeError, ValueError, AttributeError, RecursionError):
        return ()
    if period is None or period.is_positive is False:
        return ()
    lo, hi = interval
    rng = random.Random(sp.srepr(g))
    # a period in other variables (sin(x y) = 0 in x: 2π/y) is bounded by the values it
    # takes on their domains; before, only the principal roots 0 and π/y were visited
    known = dict(spans)
    if any(u not in known for u in period.free_symbols):
        return ()
    # |y| where y keeps one sign on its domain, so that the repeats are set exactly
    # (sin(y (2π/|y|)) is no exact 0 for a real y)
    period = period.replace(lambda e: isinstance(e, sp.Abs) and e.args[0] in known
                            and (known[e.args[0]][0] >= 0 or known[e.args[0]][1] <= 0),
                            lambda e: e.args[0] if known[e.args[0]][0] >= 0 else -e.args[0])
    if period.has(sp.Abs):
        return ()
    widths = _value_range(period, known, rng) if period.free_symbols else (float(period),) * 2
    if widths is None or not (math.isfinite(lo) and math.isfinite(hi)) or widths[0] <= 0:
        return ()
    narrow, wide = widths
    out: list[sp.Expr] = []
    for r in roots:
        reach = _value_range(r, known, rng)
        if reach is None:
            continue
        least, most = reach
        # every whole number of periods that can bring a root into (lo, hi) somewhere
        first = math.ceil((lo - most) / (narrow if lo < most else wide))
        last = math.floor((hi - least) / (narrow if hi > least else wide))
        shifts = [k for k in range(first, last + 1) if k != 0]
        if len(shifts) > DOMAIN_JUMPS:
            middle = shifts[2:-2]
            shifts = [*shifts[:2], *sorted(rng.sample(middle, DOMAIN_JUMPS - 4)), *shifts[-2:]]
        # in one fraction, so that the kink at a repeat is an exact 0 ((π - 1)/y + 2π/y
        # is no exact root of sin(x y + 1) until it is (3π - 1)/y)
        out.extend(sp.together(r + k * period) for k in shifts)
    return tuple(out)


def _value_range(r: sp.Expr, spans: dict[sp.Basic, tuple[float, float]],
                 rng: random.Random) -> tuple[float, float] | None:
    """The least and greatest real value of ``r`` on the domains of its variables (at the
    corners and at random points), or None where it cannot be evaluated so."""
    inside = sorted(r.free_symbols, key=str)
    if any(u not in spans for u in inside):
        return None
    values = _real_values(r, inside, [spans[u] for u in inside], rng)
    return (min(values), max(values)) if values else None


def _real_values(expr: sp.Expr, inside: list[sp.Basic], intervals: list[tuple[float, float]],
                 rng: random.Random) -> list[float]:
    """The finite real values of ``expr`` at the corners of the box ``intervals`` of its
    variables ``inside`` and at RANGE_POINTS random points of it (none where it cannot be
    evaluated so)."""
    try:
        f = mp_function(_elementary_parts(expr), inside)
    except (TypeError, ValueError):
        return []
    corners = list(itertools.product(*intervals)) if len(inside) <= 4 else []
    randoms = [[rng.uniform(a, b) for a, b in intervals] for _ in range(RANGE_POINTS)] \
        if inside else []
    values = []
    for point in [*corners, *randoms] or [[]]:
        try:
            with mpmath.workdps(PRECISION_DIGITS):
                value = mpmath.mpmathify(f(*[mpmath.mpf(p) for p in point]))
        except EVALUATION_ERRORS:
            continue
        if mpmath.isfinite(value) and abs(mpmath.im(value)) < 1e-12 * (1 + abs(value)):
            values.append(float(mpmath.re(value)))
    return values


def breakpoint_solutions(expr: sp.Basic, free: list[sp.Basic], ctx: Domains | None = None
                         ) -> list[tuple[int, Callable[..., Any]]]:
    """(position of a variable, its value as a function of the point) where a kink of
    ``expr`` is zero (see :func:`kink_roots`)."""
    return [(pos, mp_function(r, free)) for pos, r in kink_roots(expr, free, ctx)]


def _on_breakpoint(point: list[Any], solution: tuple[int, Callable[..., Any]],
                   interval: tuple[float, float], nudge: int) -> list[Any] | None:
    """The point moved onto a breakpoint (nudge 0) or just either side of it (+-1)."""
    pos, value = solution
    try:
        with mpmath.workdps(PRECISION_DIGITS):
            at = float(mpmath.re(value(*_as_mpmath(point))))
    except EVALUATION_ERRORS:
        return None
    at += nudge * 1e-9 * max(1.0, abs(at))
    if not (interval[0] < at < interval[1]):
        return None
    return [*point[:pos], at, *point[pos + 1:]]


# --- the comparisons ----------------------------------------------------------------------

def compare_numerically(lhs: sp.Expr, rhs: sp.Expr, ctx: Domains,
                        points: int = NUMERIC_POINTS, fast: bool = False,
                        isolated: bool = False) -> Outcome:
    """Evaluate both sides at points of the domains (edges, breakpoints, random); return
    (points agreed, counter-example or None).  ``isolated``: the points are special ones
    (a breakpoint set exactly), where one side alone may be undefined (sin x / x at 0)."""
    return compare_entries([lhs], [rhs], ctx, points, fast, isolated)


def compare_entries(lefts: list[sp.Expr], rights: list[sp.Expr], ctx: Domains,
                    points: int, fast: bool = False, isolated: bool = False) -> Outcome:
    """Compare many pairs (the entries of two matrices) at the same points.

    All entries are compiled into one function, so what they share is computed once per
    point.  Returns the number of entry comparisons that agreed, or a counter-example that
    names the entry.  ``fast``: see the module's docstring.
    """
    pair = sp.Tuple(*lefts, *rights)
    where = getattr(ctx, "where", None)
    free = variables(pair if where is None else sp.Tuple(pair, where))
    compiled = mp_function(pair, free)
    admissible = None if where is None else mp_function(where, free)
    intervals = [domain(v, ctx) for v in free]
    integer = [is_integer_valued(v) for v in free]
    solutions = breakpoint_solutions(_elementary_parts(pair), free, ctx) if not fast else []
    edges = edge_patterns(len(free), fast)
    related = where if where is not None and _relates_variables(where) else None

    def draw(rng: random.Random, attempt: int) -> list[Any]:
        where = edges[attempt] if attempt < len(edges) else ("random",) * len(free)
        point = [draw_value(rng, iv, whole, at)
                 for iv, whole, at in zip(intervals, integer, where, strict=True)]
        k = attempt - len(edges)
        if 0 <= k < 3 * len(solutions):   # each breakpoint, then just either side of it
            solution = solutions[k // 3]
            moved = _on_breakpoint(point, solution, intervals[solution[0]], k % 3 - 1)
            return moved if moved is not None else point
        if related is not None and k >= 0:
            return _within_condition(rng, point, free, related, intervals, admissible)
        return point

    def describe(point: list[Any]) -> dict[str, str]:
        return {str(k): mpmath.nstr(v, 8) for k, v in zip(free, point, strict=True)}

    def one_sided(point: list[Any], attempt: int) -> tuple[int, str, str] | None:
        # only at a random point: an edge or a breakpoint may be a removable singularity
        # (sin x / x at 0), a random point hits an isolated one with probability 0
        if isolated or attempt < len(edges) + 3 * len(solutions):
            return None
        return _defined_on_one_side(lefts, rights, free, point)

    # the edge points and the breakpoints come on top of the random ones asked for
    return _sample([compiled], len(lefts), draw, describe, ctx.seed,
                   points + len(edges) + 3 * len(solutions), fast, admissible, one_sided)


def _relates_variables(where: sp.Basic) -> bool:
    """Whether a step's condition relates two variables or more (x > y): its points are
    then drawn within it, not only thrown away outside it."""
    conditions = where.args if isinstance(where, sp.And) else (where,)
    return any(len(c.free_symbols) > 1 for c in conditions)


def _within_condition(rng: random.Random, point: list[Any], free: list[sp.Basic],
                      where: sp.Basic, intervals: list[tuple[float, float]],
                      admissible: Callable[..., Any] | None) -> list[Any]:
    """A random point outside the step's condition moved inside it: one real variable of
    the condition redrawn from the values it allows at the others' (x in (y, y + 0.01) for
    y < x < y + 0.01, which rejection alone met about once in 400 points)."""
    if admissible is not None and _holds(admissible, point):
        return point
    candidates = [pos for pos, v in enumerate(free) if isinstance(v, sp.Symbol)
                  and v in where.free_symbols and not is_integer_valued(v)]
    for pos in rng.sample(candidates, len(candidates)):
        v = free[pos]
        others = {u: sp.Float(p, PRECISION_DIGITS) for u, p in zip(free, point, strict=True)
                  if u != v and isinstance(u, sp.Symbol) and u in where.free_symbols}
        try:
            alone = where.xreplace(others)
        except (TypeError, ValueError):
            continue
        if alone in (sp.true, sp.false) or alone.free_symbols != {v}:
            continue
        allowed = _allowed_pieces(alone, v, intervals[pos])
        if allowed == intervals[pos]:
            continue   # nothing to solve, or not solvable: rejection as before
        return [*point[:pos], draw_value(rng, allowed, False, "random"), *point[pos + 1:]]
    return point


def _defined_on_one_side(lefts: list[sp.Expr], rights: list[sp.Expr], free: list[sp.Basic],
                         point: list[Any]) -> tuple[int, str, str] | None:
    """The first entry with exactly one side finite at a point, at both precisions (1/relu(x)
    against 1/|x| at x < 0): (entry, left value, right value), "undefined" for the other."""
    for k, (a, b) in enumerate(zip(lefts, rights, strict=True)):
        functions = [mp_function(sp.Tuple(side), free) for side in (a, b)]
        if any(hasattr(f, "unprintable") for f in functions):
            continue   # no numeric code (DiracDelta): not evaluable, which is not undefined
        got = [[_values(f, point, digits) for digits in PRECISIONS[0]] for f in functions]
        defined = [all(v is not None for v in pair) for pair in got]
        undefined = [all(v is None for v in pair) for pair in got]
        if (defined[0] and undefined[1]) or (undefined[0] and defined[1]):
            shown = [mpmath.nstr(pair[1][0], 12) if ok else "undefined"   # type: ignore[index]
                     for pair, ok in zip(got, defined, strict=True)]
            return k, shown[0], shown[1]
    return None


def compare_general_form(lhs: sp.Expr, rhs: sp.Expr, ctx: Domains,
                         assignments: list[dict[sp.Symbol, int]], points: int,
                         fast: bool = False
                         ) -> tuple[int, dict[str, str] | None, dict[sp.Symbol, int]]:
    """Evaluate index-notation sides at fixed sizes and indices, sums done as loops.

    Each assignment fixes every size and free index; both sides are compiled once and
    evaluated at ``points`` points per assignment (the first at the edges of the domains).
    Every indexed quantity is an array of random entries; every other free symbol a random
    number.  Returns (points agreed, counter-example or None, the assignment it failed at).
    Raises NameError if a side cannot be compiled (an unevaluated derivative, say), so the
    caller can expand symbolically.  ``fast``: see the module's docstring.
    """
    pair = sp.Tuple(lhs, rhs)
    fixed = list(assignments[0])
    bases = sorted({e.base for e in pair.atoms(sp.Indexed)}, key=str)
    inside = set().union(*(i.free_symbols for e in pair.atoms(sp.Indexed) for i in e.indices))
    unbound = (pair.free_symbols & inside) - set(fixed)
    if unbound:
        raise NameError(f"no value for the index {sorted(unbound, key=str)[0]}")
    labels = {b.label for b in bases}
    scalars = sorted((s for s in pair.free_symbols - inside - set(fixed) - labels
                      if isinstance(s, sp.Symbol) and not isinstance(s, sp.Indexed)), key=str)
    arguments: list[sp.Basic] = [*scalars, *bases, *fixed]
    sides = mp_function(pair, arguments)
    if hasattr(sides, "unprintable"):
        raise NameError(sides.unprintable)
    where = getattr(ctx, "where", None)
    admissible = None if where is None else mp_function(where, arguments)

    def describe(point: list[Any]) -> dict[str, str]:
        out = {str(k): mpmath.nstr(v, 8) for k, v in zip(scalars, point, strict=False)}
        for b, array in zip(bases, point[len(scalars):], strict=False):
            out[str(b)] = _entries(array.items())
        return out

    agreed = 0
    edges = edge_patterns(len(scalars) + len(bases), fast)
    for values in assignments:
        def draw(rng: random.Random, attempt: int,
                 values: dict[sp.Symbol, int] = values) -> list[Any]:
            where = (edges[attempt] if attempt < len(edges)
                     else ("random",) * (len(scalars) + len(bases)))
            return ([draw_value(rng, domain(s, ctx), is_integer_valued(s), at)
                     for s, at in zip(scalars, where, strict=False)]
                    + [RandomArray(rng, domain(b, ctx), at, is_integer_valued(b))
                       for b, at in zip(bases, where[len(scalars):], strict=True)]
                    + [values[k] for k in fixed])

        # the edge points come on top of the random ones asked for
        got, example = _sample([sides], 1, draw, describe, ctx.seed, points + len(edges), fast,
                               admissible)
        if example is not None:
            return agreed + got, example, values
        agreed += got
    return agreed, None, {}


def _entries(items: Iterable[tuple[Any, Any]], shown: int = 4) -> str:
    pairs = sorted(items, key=lambda kv: str(kv[0]))
    text = ", ".join(f"{k}: {mpmath.nstr(v, 4)}" for k, v in pairs[:shown])
    return text + (f", … ({len(pairs)} entries)" if len(pairs) > shown else "")
