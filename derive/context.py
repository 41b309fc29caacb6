"""What a check needs besides the two sides: a derivation's definitions, domains, sizes,
index ranges and the condition of the step being judged; and unfolding defined names."""

from __future__ import annotations

import functools
import math
import random
import zlib
from dataclasses import dataclass, field
from typing import Literal

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef, ArgumentIndexError

from derive.errors import DomainError
from derive.functions import elementary
from derive.proof import Derivation
from derive.tactics import RangesKey, ranges_key, reduces_to_zero

LARGER_SIZE_STEP = 2          # with no numeric size declared: the largest concrete one + 2


@dataclass(frozen=True)
class Context:
    """What a check needs to know besides the two expressions (taken from the Derivation)."""

    definitions: dict[sp.Basic, sp.Expr]
    domains: dict[sp.Basic, tuple[float, float]]
    sizes: dict[sp.Symbol, tuple[int, ...]]
    numeric_sizes: dict[sp.Symbol, int]
    indices: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]
    seed: int
    symbolic_sizes: bool = False
    where: sp.Basic | None = None   # the condition of the step being judged, if any
    unfolded: dict[sp.Basic, sp.Expr] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, d: Derivation) -> Context:
        """The context of a derivation; a given step ``name = expr`` also defines ``name``.

        Raises DomainError where a declared domain contradicts its symbol's assumptions.
        With no numeric size declared, a size larger than every concrete one is checked
        numerically (an identity true only for small sizes is caught there)."""
        definitions = dict(d.definitions)
        for step in d.steps:
            if step.kind != "given":
                continue
            check_given_meaning(step.lhs, step.rhs, definitions, d.name)
            if isinstance(step.lhs, sp.Symbol):
                definitions.setdefault(step.lhs, step.rhs)
        for symbol, interval in d.domains.items():
            check_domain(symbol, interval, d.name)
        check_namesakes(d)
        check_ranges(d)
        check_function_derivatives(d)
        numeric_sizes = dict(d.numeric_sizes) or {
            size: max(values) + LARGER_SIZE_STEP for size, values in d.sizes.items() if values}
        return cls(definitions, dict(d.domains), d.sizes, numeric_sizes, d.indices,
                   zlib.crc32(d.name.encode()), d.symbolic_sizes)

    @property
    def ranges(self) -> RangesKey:
        """The declared index ranges, as the tactics' caches take them."""
        return ranges_key(self.indices)


def _defined_meaning(lhs: sp.Basic, definitions: dict[sp.Basic, sp.Expr]) -> sp.Expr | None:
    """What ``definitions`` already make of a given's left side, if anything: a name's
    meaning, or a family's (``s[i]`` defined through ``s``) at the given's indices."""
    if lhs in definitions:
        return definitions[lhs]
    if isinstance(lhs, sp.Indexed) and isinstance(definitions.get(lhs.base), sp.Lambda):
        family = definitions[lhs.base]
        if len(family.variables) == len(lhs.indices):
            return family(*lhs.indices)
    return None


def check_given_meaning(lhs: sp.Basic, rhs: sp.Basic, definitions: dict[sp.Basic, sp.Expr],
                        name: str = "") -> None:
    """Raise DomainError where a given ``lhs = rhs`` names something the derivation already
    defines otherwise (a hidden ``definitions=`` entry, ``Proof.define``, or an earlier given
    of the same name): the page shows this given, the steps would be checked with the other
    meaning, and a step true only by that hidden meaning would get a mark."""
    meaning = _defined_meaning(lhs, definitions)
    if meaning is None or meaning == rhs:
        return
    try:
        same = reduces_to_zero(sp.sympify(meaning) - sp.sympify(rhs))
    except (TypeError, ValueError, AttributeError):
        same = False
    if not same:
        where = f"{name}: " if name else ""
        raise DomainError(f"{where}the given {sp.sstr(lhs)} = {sp.sstr(rhs)} names what is "
                          f"already defined as {sp.sstr(meaning)}: the steps would be checked "
                          "with that meaning, not the one shown; give each name one meaning")


def check_domain(symbol: sp.Basic, interval: tuple[float, float], name: str = "") -> None:
    """Raise DomainError if the interval is empty or contradicts the symbol's assumptions."""
    label = symbol.label if isinstance(symbol, sp.IndexedBase) else symbol
    lo, hi = interval
    where = f"{name}: " if name else ""
    problem = None
    if not lo < hi:
        problem = "is empty"
    elif getattr(label, "is_positive", False) or getattr(label, "is_nonnegative", False):
        problem = "reaches below 0" if lo < 0 else None
    elif getattr(label, "is_negative", False) or getattr(label, "is_nonpositive", False):
        problem = "reaches above 0" if hi > 0 else None
    if problem is None and getattr(label, "is_integer", False) and math.ceil(lo) > hi:
        problem = "holds no integer"
    if problem is not None:
        facts = [f for f in ("positive", "nonnegative", "negative", "nonpositive", "integer")
                 if getattr(label, f"is_{f}", False)]
        raise DomainError(f"{where}the domain ({lo}, {hi}) of {symbol} {problem}, but {symbol} "
                          f"is declared {' and '.join(facts) or 'real'}")


def _label_of(key: sp.Basic) -> sp.Basic:
    """The symbol a domain key stands for: itself, an IndexedBase's label, an entry's."""
    base = key.base if isinstance(key, sp.Indexed) else key
    return base.label if isinstance(base, sp.IndexedBase) else base


def check_namesakes(d: Derivation) -> None:
    """Raise DomainError where a domain is declared for a symbol the steps do not use while
    they use another of the same name (``Symbol("p", real=True)`` for a ``p`` declared
    positive): the domain would apply to nothing, and the step's p be sampled elsewhere."""
    sides = [e for s in d.steps for e in (s.lhs, s.rhs)] + [
        e for o in d.oracles for e in (o.result, o.reference)]
    declared = {_label_of(key) for key in d.domains}
    names = {str(label) for label in declared}
    present: set[sp.Basic] = set()   # atoms first (quick); free symbols only for a namesake
    for side in sides:
        if isinstance(side, sp.Basic):
            present |= {a.label if isinstance(a, sp.IndexedBase) else a
                        for a in side.atoms(sp.Symbol, sp.IndexedBase)}
    if not any(isinstance(u, sp.Symbol) and u.name in names and u not in declared
               for u in present):
        return
    used: set[sp.Basic] = set()
    for side in sides:
        if isinstance(side, sp.Basic):
            used |= side.free_symbols | {b.label for b in side.atoms(sp.IndexedBase)}
    for key in d.domains:
        label = _label_of(key)
        if label in used:
            continue
        namesakes = [u for u in used if isinstance(u, sp.Symbol) and u.name == str(label)
                     and u not in declared]
        if namesakes:
            other = namesakes[0]
            raise DomainError(f"{d.name}: a domain is declared for {label} "
                              f"({_facts(label)}), but the steps use another symbol of that "
                              f"name, {other} ({_facts(other)}): the domain applies to "
                              "nothing; declare it for the symbol the steps use")


def _facts(symbol: sp.Basic) -> str:
    facts = sorted(k for k, v in getattr(symbol, "assumptions0", {}).items() if v)
    return ", ".join(facts) or "no assumptions"


def check_ranges(d: Derivation) -> None:
    """Raise DomainError where a summation variable or a declared index is given a range its
    assumptions deny (k positive, summed from 0): SymPy uses the assumption as it builds the
    expression (δ(k, 0) becomes 0 at once), so the sum no longer says what was written."""
    for number, step in enumerate(d.steps, 1):
        for side in (step.lhs, step.rhs):
            for e in getattr(side, "atoms", lambda *_: set())(sp.Sum, sp.Product):
                for var, lo, hi in e.limits:
                    _check_range(var, lo, hi, f"{d.name}: step {number}: the sum over {var}")
    for index, (lo, hi) in d.indices.items():
        _check_range(index, sp.sympify(lo), sp.sympify(hi), f"{d.name}: the index {index}")


def denied_fact(var: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> str | None:
    """The sign assumption of ``var`` ("positive", ...) that the range lo..hi does not
    provably respect, or None."""
    facts = (("positive", lo, sp.Ge, 1), ("nonnegative", lo, sp.Ge, 0),
             ("negative", hi, sp.Le, -1), ("nonpositive", hi, sp.Le, 0))
    for fact, bound, relation, limit in facts:
        if getattr(var, f"is_{fact}", False) and relation(bound, limit) is not sp.true:
            return fact
    return None


def _check_range(var: sp.Symbol, lo: sp.Expr, hi: sp.Expr, what: str) -> None:
    fact = denied_fact(var, lo, hi)
    if fact is not None:
        raise DomainError(f"{what} runs from {lo} to {hi}, but {var} is declared {fact}: "
                          "its assumptions must hold on the whole range")


# --- the derivatives a function class claims ------------------------------------------------

DERIVATIVE_CHECK_POINTS = 5   # points in (-2, 2), and as many with 2 < |z| < 10^4
DERIVATIVE_USE_POINTS = 6     # points where the steps apply the function, on their domains
FAR_REACH = 4.0               # far points: |z| = 10^u, u uniform in (log10 2, FAR_REACH)


def check_function_derivatives(d: Derivation) -> None:
    """Raise DomainError where a function class the steps use (derive's, or a user
    library's) claims a derivative (``fdiff``) that disagrees with the derivative of its own
    meaning (its elementary form, or its rewrite in exp): the verifier carries out
    derivatives with ``fdiff``, for the symbolic proof and for the numeric evidence alike,
    so a wrong rule would vouch for itself (d/dz softsign(z) = 1/(1 + |z|) proved).

    The rule is compared near 0, far from it (|z| up to 10^4), and at the arguments the
    steps apply it to, their symbols drawn from the declared domains: a rule wrong only
    where |z| > 10 must not pass because no point went there."""
    applications: dict[type, list[sp.Basic]] = {}
    sides = [side for step in d.steps for side in (step.lhs, step.rhs)]
    sides += [side for o in d.oracles for side in (o.result, o.reference)]
    for side in sides:
        if isinstance(side, sp.Basic):
            for f in side.atoms(sp.Function):
                applications.setdefault(type(f), []).append(f)
    for cls in sorted(applications, key=lambda c: f"{c.__module__}.{c.__qualname__}"):
        if issubclass(cls, AppliedUndef) or cls.__module__.startswith(("sympy.", "mpmath.")):
            continue
        problem = _derivative_disagreement(cls, _points_of_use(applications[cls], d))
        if problem is not None:
            raise DomainError(f"{d.name}: {problem}")


def _points_of_use(nodes: list[sp.Basic], d: Derivation) -> tuple[tuple[float, ...], ...]:
    """Real argument tuples at which the steps apply a function: each application's
    arguments evaluated with its symbols drawn from the declared domains (else the default
    ones).  Applications whose arguments need sizes or cannot be evaluated are left out."""
    from derive.sampling import default_domain  # sampling imports nothing of the context

    rng = random.Random(d.name)
    out: list[tuple[float, ...]] = []
    for node in sorted(set(nodes), key=sp.srepr)[:8]:
        free = sorted(node.free_symbols, key=str)
        if any(not isinstance(v, sp.Symbol) for v in free) or node.has(sp.Sum, sp.Product,
                                                                        sp.Indexed):
            continue
        intervals = [d.domains.get(v) or default_domain(v) for v in free]
        try:
            args = sp.lambdify(free, sp.Tuple(*[elementary(a) for a in node.args]), "mpmath")
        except (TypeError, ValueError, NameError, SyntaxError, KeyError):
            continue
        for _ in range(DERIVATIVE_USE_POINTS):
            point = [rng.uniform(lo, hi) for lo, hi in intervals]
            try:
                with mpmath.workdps(30):
                    values = tuple(float(mpmath.mpmathify(v)) for v in args(*point))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError):
                continue
            if all(math.isfinite(v) for v in values):
                out.append(values)
    return tuple(out[:4 * DERIVATIVE_USE_POINTS])


def _meaning(node: sp.Expr) -> sp.Expr | None:
    """What a function application means, in plain SymPy: derive's elementary form, else
    its rewrite in exp; None where neither says anything more than the node itself."""
    plain = elementary(node)
    if plain == node:
        try:
            plain = node.rewrite(sp.exp)
        except (TypeError, ValueError, AttributeError, NotImplementedError):
            return None
    return None if plain == node or plain.has(type(node)) else plain


@functools.lru_cache(maxsize=256)
def _derivative_disagreement(cls: type, used: tuple[tuple[float, ...], ...] = ()
                             ) -> str | None:
    """How ``cls.fdiff`` disagrees with the derivative of the class's meaning, at random
    real arguments near 0 and far from it and at the argument tuples ``used`` (those of its
    arity), or None (also where it cannot be tried: no meaning, no fixed arity)."""
    declared = getattr(cls, "nargs", None)
    nargs = declared if isinstance(declared, sp.FiniteSet) else sp.FiniteSet(2, 3)
    rng = random.Random(f"{cls.__module__}.{cls.__qualname__}")
    for count in sorted(n for n in nargs if n.is_Integer and n > 0)[:3]:
        args = list(sp.symbols(f"_fd0:{count}", real=True))
        for first in (None, sp.Integer(1)):   # softmax(i, z1, ...): an index first
            try:
                called = [first, *args[1:]] if first is not None else args
                node = cls(*called)
                meaning = _meaning(node) if isinstance(node, cls) else None
            except (TypeError, ValueError, AttributeError, NotImplementedError, IndexError):
                continue
            if meaning is None:
                continue
            variables = [v for v in called if isinstance(v, sp.Symbol)]
            at = [tuple(p[k] for k, v in enumerate(called) if isinstance(v, sp.Symbol))
                  for p in used if len(p) == len(called)
                  and all(p[k] == v for k, v in enumerate(called) if not isinstance(v, sp.Symbol))]
            for k, a in enumerate(called, 1):
                if not isinstance(a, sp.Symbol):
                    continue
                try:
                    claimed = elementary(node.fdiff(k))
                    # a rule written with the function itself (sigma (1 - sigma)): its meaning
                    claimed = claimed.replace(lambda e: isinstance(e, cls),
                                              lambda e: _meaning(e) or e)
                except (ArgumentIndexError, TypeError, ValueError, NotImplementedError):
                    continue
                problem = _differs(sp.diff(meaning, a), claimed, variables, rng, at)
                if problem is not None:
                    return (f"the function {cls.__name__} claims the derivative "
                            f"{sp.sstr(node.fdiff(k))} in its argument {k}, but its meaning "
                            f"{sp.sstr(meaning)} has the derivative {sp.sstr(sp.diff(meaning, a))}"
                            f" ({problem}): steps that differentiate it would be checked with "
                            "the wrong rule")
            break
    return None


def _far(rng: random.Random) -> float:
    return rng.choice((-1.0, 1.0)) * 10 ** rng.uniform(math.log10(2.0), FAR_REACH)


def _differs(expected: sp.Expr, claimed: sp.Expr, variables: list[sp.Symbol],
             rng: random.Random, used: list[tuple[float, ...]] | None = None) -> str | None:
    """Where two expressions differ: at random real points in (-2, 2), at as many far from 0
    (one coordinate or all with 2 < |z| < 10^4), and at the points ``used``; see
    :func:`_disagree`."""
    from derive.sampling import mp_function  # sampling imports nothing of the context

    f = mp_function(sp.Tuple(expected, claimed), list(variables))
    if hasattr(f, "unprintable"):
        return None
    near = [[rng.uniform(-2, 2) for _ in variables] for _ in range(4 * DERIVATIVE_CHECK_POINTS)]
    far = []
    for n in range(4 * DERIVATIVE_CHECK_POINTS):
        point = [rng.uniform(-2, 2) for _ in variables]
        if n % 2 or not point:
            point = [_far(rng) for _ in variables]
        else:
            point[rng.randrange(len(point))] = _far(rng)
        far.append(point)
    for points, wanted in ((near, DERIVATIVE_CHECK_POINTS), (far, DERIVATIVE_CHECK_POINTS),
                           ([list(p) for p in used or []], len(used or []))):
        tried = 0
        for point in points:
            if tried >= wanted:
                break
            outcome = _disagree(f, point)
            if outcome is None:
                continue
            tried += 1
            if outcome is not True:
                a, b = outcome
                shown = ", ".join(f"{v} = {mpmath.nstr(p, 6)}" for v, p in zip(variables, point,
                                                                            strict=True))
                return f"at {shown}: {mpmath.nstr(a, 10)} against {mpmath.nstr(b, 10)}"
    return None


def _disagree(f: object, point: list[float]
              ) -> tuple[mpmath.mpf, mpmath.mpf] | Literal[True] | None:
    """True where the two values of ``f`` agree at a point, None where they cannot be
    evaluated, else the two values.  The precision grows with the point's size (1 - sigma(z)
    at z = 5000 needs some 2,200 digits to be more than 0), and the point is evaluated again
    at twice that: only a relative 1e-20, or what the change between the two explains, is
    allowed."""
    big = max((abs(p) for p in point), default=0.0)
    digits = 40 + int(big / 2)
    got = []
    for dps in (digits, 2 * digits):
        try:
            with mpmath.workdps(dps):
                values = [mpmath.mpmathify(v) for v in f(*[mpmath.mpf(p) for p in point])]  # type: ignore[operator]
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError):
            return None
        if not all(mpmath.isfinite(v) for v in values):
            return None
        got.append(values)
    (a1, b1), (a2, b2) = got
    with mpmath.workdps(2 * digits):
        error = abs(a1 - a2) + abs(b1 - b2)
        if abs(a2 - b2) <= mpmath.mpf("1e-20") * max(abs(a2), abs(b2)) + 10 * error:
            return True
    return a2, b2


def unfold(expr: sp.Expr, ctx: Context) -> sp.Expr:
    """Replace defined names by their definitions.

    A key that is a Symbol (or any expression) is replaced where it stands; a key that is an
    IndexedBase maps to a Lambda of the indices, so ``s[j]`` unfolds as well as ``s[i]``.
    Remembered in the context: a step's right side is the next step's left.
    """
    if isinstance(expr, sp.MatrixBase) and not isinstance(expr, sp.ImmutableMatrix):
        return _unfolded(expr, ctx)   # a mutable matrix cannot be a key
    if expr not in ctx.unfolded:
        ctx.unfolded[expr] = _unfolded(expr, ctx)
    return ctx.unfolded[expr]


def _unfolded(expr: sp.Expr, ctx: Context) -> sp.Expr:
    plain_defs = {k: v for k, v in ctx.definitions.items() if not isinstance(k, sp.IndexedBase)}
    indexed_defs = {k: v for k, v in ctx.definitions.items() if isinstance(k, sp.IndexedBase)}
    for _ in range(6):  # definitions may refer to other definitions
        new = expr.xreplace(plain_defs)
        if indexed_defs:
            around = new.atoms(sp.Symbol)   # what an unfolded body must not capture
            new = new.replace(lambda e: isinstance(e, sp.Indexed) and e.base in indexed_defs,
                              lambda e, around=around: applied(indexed_defs[e.base], e.indices,
                                                               avoid=around))
        if new == expr:
            break
        expr = new
    return expr


def applied(definition: sp.Lambda, args: tuple[sp.Basic, ...],
            avoid: set[sp.Symbol] | None = None) -> sp.Expr:
    """A definition applied to ``args`` without capture: a sum or product in its body whose
    index is also a symbol of the arguments or of ``avoid`` (the expression it goes into)
    has that index renamed first.  Defining s[j] as a sum over i, s[i] must not become a sum
    of its own index, nor d s[k]/d x[i] the derivative of a sum by its own summand."""
    free = set().union(*(sp.sympify(a).free_symbols for a in args)) | (avoid or set())

    def clashes(e: sp.Basic) -> bool:
        return isinstance(e, (sp.Sum, sp.Product)) and any(lim[0] in free for lim in e.limits)

    def renamed(e: sp.Basic) -> sp.Basic:
        taken = {str(x) for x in e.free_symbols | free | definition.free_symbols}
        fresh = {}
        for lim in e.limits:
            if lim[0] in free:
                name = lim[0].name + "'"
                while name in taken:
                    name += "'"
                taken.add(name)
                fresh[lim[0]] = sp.Symbol(name, **lim[0].assumptions0)
        return e.xreplace(fresh)

    body = definition.expr.replace(clashes, renamed)
    return body.xreplace(dict(zip(definition.variables, args, strict=True)))


# --- concrete sizes and numeric sampling -------------------------------------------------
