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
import math
import random
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import mpmath
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from derive.functions import elementary

NUMERIC_POINTS = 24          # random points per numeric check
PRECISION_DIGITS = 30        # mpmath working precision
RELATIVE_TOLERANCE = 1e-18   # at 30 digits, honest rounding stays far below this
FLOAT_TOLERANCE = 1e-9       # agreement in machine floats (fast cross-checks)
# what evaluating a compiled side at a point may raise: the point is skipped
EVALUATION_ERRORS = (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError)

Outcome = tuple[int, dict[str, str] | None]   # (points agreed, counter-example or None)


class Domains(Protocol):
    """What sampling needs from the verifier's context."""

    @property
    def domains(self) -> dict[sp.Basic, tuple[float, float]]: ...

    @property
    def seed(self) -> int: ...


class _LoopPrinter(MpmathPrinter):
    """The mpmath printer, with products written as loops like SymPy writes sums, and the
    function's arguments (symbols, indexed entries, array bases) printed by their names."""

    def __init__(self, settings: dict[str, Any], renames: dict[sp.Basic, str]) -> None:
        super().__init__(settings)
        self.renames = renames

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return self.renames.get(expr) or super()._print_Symbol(expr)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        if expr in self.renames:
            return self.renames[expr]
        base = self.renames.get(expr.base) or str(expr.base)
        return f"{base}[{', '.join(self._print(i) for i in expr.indices)}]"

    def _print_Product(self, expr: sp.Product) -> str:
        loops = " ".join(f"for {self._print(i)} in range({self._print(a)}, {self._print(b)}+1)"
                         for i, a, b in expr.limits[::-1])
        return f"(fprod({self._print(expr.function)} {loops}))"


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
    attribute ``fast`` is the same function in machine floats).

    Prints with SymPy's mpmath printer directly: ``lambdify``'s argument preprocessing costs
    seconds when there are dozens of indexed variables.  An argument may be a symbol, an
    indexed entry, or an IndexedBase (then passed as a mapping from indices to values).
    What cannot be printed gives a function that raises NameError (reported as not checkable).
    """
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
            return e.name
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
            code = f"{emit(e.base)} ** {exponent}"
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


def _values(f: Callable[..., Any], point: list[Any]) -> list[mpmath.mpc] | None:
    """The values a compiled tuple of sides takes at a point; None if any is not finite."""
    try:
        values = [mpmath.mpmathify(v) for v in f(*point)]
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


def domain(var: sp.Basic, ctx: Domains) -> tuple[float, float]:
    """The sampling interval of a symbol, indexed entry or IndexedBase."""
    base = var.base if isinstance(var, sp.Indexed) else var
    label = base.label if isinstance(base, sp.IndexedBase) else base
    for candidate in (var, base, label):
        if candidate in ctx.domains:
            return ctx.domains[candidate]
    return (0.1, 3.0) if getattr(label, "is_positive", False) else (-2.0, 2.0)


class RandomArray(dict[Any, float]):
    """An indexed quantity whose entries are drawn from an interval the first time read."""

    def __init__(self, rng: random.Random, interval: tuple[float, float]) -> None:
        super().__init__()
        self.rng, self.interval = rng, interval

    def __missing__(self, key: Any) -> float:
        value = self[key] = self.rng.uniform(*self.interval)
        return value


class _MpfView:
    """A RandomArray read as mpf entries (the same numbers, exactly)."""

    def __init__(self, array: RandomArray) -> None:
        self.array = array

    def __getitem__(self, key: Any) -> mpmath.mpf:
        return mpmath.mpf(self.array[key])


def _agree(a: mpmath.mpc, b: mpmath.mpc) -> bool:
    return bool(abs(a - b) <= RELATIVE_TOLERANCE * max(1, abs(a), abs(b)))


def _sample(compiled: list[Callable[..., Any]], entries: int,
            draw: Callable[[random.Random], list[Any]],
            describe: Callable[[list[Any]], dict[str, str]], seed: int, points: int,
            fast: bool = False) -> Outcome:
    """Draw points until ``points`` agree, one differs, or too many cannot be evaluated.

    Each compiled function returns ``entries`` left sides, then as many right sides; the
    first that can be evaluated at a point is compared there (``fast``: in machine floats
    first, see the module's docstring).  Returns the number of entry comparisons that
    agreed, or a counter-example (naming the entry when there are several).
    """
    rng = random.Random(seed)
    agreed, attempts = 0, 0
    with mpmath.workdps(PRECISION_DIGITS):
        while agreed < points and attempts < points * 4:
            attempts += 1
            point = draw(rng)
            for f in compiled:
                if fast and _agree_in_floats(f, point, entries):
                    agreed += 1
                    break
                values = _values(f, _as_mpmath(point))
                if values is None:
                    continue
                for k in range(entries):
                    a, b = values[k], values[entries + k]
                    if not _agree(a, b):
                        which = {"entry": str(k + 1)} if entries > 1 else {}
                        return agreed * entries, {**describe(point), **which,
                                                  "lhs": mpmath.nstr(a, 10),
                                                  "rhs": mpmath.nstr(b, 10)}
                agreed += 1
                break
    if agreed == 0:
        return 0, {"error": "no point of the domain could be evaluated"}
    return agreed * entries, None


def _agree_in_floats(f: Callable[..., Any], point: list[Any], entries: int) -> bool:
    """Whether every entry's two sides agree in machine floats (False if not evaluable)."""
    values = _float_values(f.fast, point) if hasattr(f, "fast") else None
    if values is None:
        return False
    return all(abs(a - b) <= FLOAT_TOLERANCE * max(1.0, abs(a), abs(b))
               for a, b in zip(values[:entries], values[entries:], strict=True))


def compare_numerically(lhs: sp.Expr, rhs: sp.Expr, ctx: Domains, points: int = NUMERIC_POINTS,
                        solve_for: tuple[sp.Symbol, list[sp.Expr]] | None = None) -> Outcome:
    """Evaluate both sides at random points; return (points agreed, counter-example or None).

    With ``solve_for=(x, solutions)`` x is set from each solution in turn (an implication
    check: the points lie on the previous equation's solution set).
    """
    pairs = [(lhs, rhs)] if solve_for is None else [
        (lhs.subs(solve_for[0], sol), rhs.subs(solve_for[0], sol)) for sol in solve_for[1]]
    return _compare_free([([a], [b]) for a, b in pairs], ctx, points)


def compare_entries(lefts: list[sp.Expr], rights: list[sp.Expr], ctx: Domains,
                    points: int, fast: bool = False) -> Outcome:
    """Compare many pairs (the entries of two matrices) at the same random points.

    All entries are compiled into one function, so what they share is computed once per
    point.  Returns the number of entry comparisons that agreed, or a counter-example that
    names the entry.  ``fast``: see the module's docstring.
    """
    return _compare_free([(lefts, rights)], ctx, points, fast)


def _compare_free(alternatives: list[tuple[list[sp.Expr], list[sp.Expr]]], ctx: Domains,
                  points: int, fast: bool = False) -> Outcome:
    """Left and right sides over their free symbols and entries, each drawn from its domain;
    the alternatives are tried in turn at each point."""
    free = variables(sp.Tuple(*[side for pair in alternatives for sides in pair
                                for side in sides]))
    compiled = [mp_function(sp.Tuple(*lefts, *rights), free) for lefts, rights in alternatives]

    def draw(rng: random.Random) -> list[Any]:
        return [rng.uniform(*domain(v, ctx)) for v in free]

    def describe(point: list[Any]) -> dict[str, str]:
        return {str(k): mpmath.nstr(v, 6) for k, v in zip(free, point, strict=True)}

    return _sample(compiled, len(alternatives[0][0]), draw, describe, ctx.seed, points, fast)


def compare_general_form(lhs: sp.Expr, rhs: sp.Expr, ctx: Domains,
                         assignments: list[dict[sp.Symbol, int]], points: int,
                         fast: bool = False
                         ) -> tuple[int, dict[str, str] | None, dict[sp.Symbol, int]]:
    """Evaluate index-notation sides at fixed sizes and indices, sums done as loops.

    Each assignment fixes every size and free index; both sides are compiled once and
    evaluated at ``points`` random points per assignment.  Every indexed quantity is an array
    of random entries; every other free symbol a random number.  Returns (points agreed,
    counter-example or None, the assignment it failed at).  Raises NameError if a side cannot
    be compiled (an unevaluated derivative, say), so the caller can expand symbolically.
    ``fast``: see the module's docstring.
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

    def describe(point: list[Any]) -> dict[str, str]:
        out = {str(k): mpmath.nstr(v, 6) for k, v in zip(scalars, point, strict=False)}
        for b, array in zip(bases, point[len(scalars):], strict=False):
            out[str(b)] = _entries(array.items())
        return out

    agreed = 0
    for values in assignments:
        def draw(rng: random.Random, values: dict[sp.Symbol, int] = values) -> list[Any]:
            return ([rng.uniform(*domain(s, ctx)) for s in scalars]
                    + [RandomArray(rng, domain(b, ctx)) for b in bases]
                    + [values[k] for k in fixed])

        got, example = _sample([sides], 1, draw, describe, ctx.seed, points, fast)
        if example is not None:
            return agreed + got, example, values
        agreed += got
    return agreed, None, {}


def _entries(items: Iterable[tuple[Any, Any]], shown: int = 4) -> str:
    pairs = sorted(items, key=lambda kv: str(kv[0]))
    text = ", ".join(f"{k}: {mpmath.nstr(v, 4)}" for k, v in pairs[:shown])
    return text + (f", … ({len(pairs)} entries)" if len(pairs) > shown else "")
