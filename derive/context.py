"""What a check needs besides the two sides: a derivation's definitions, domains, sizes,
index ranges and the condition of the step being judged; and unfolding defined names."""

from __future__ import annotations

import functools
import math
import zlib
from dataclasses import dataclass, field

import sympy as sp

from derive.errors import DomainError
from derive.function_rules import check_function_derivatives
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
        check_acyclic(definitions, d.name)
        domains = {symbol: check_domain(symbol, interval, d.name)
                   for symbol, interval in d.domains.items()}
        check_namesakes(d)
        check_ranges(d)
        check_function_derivatives(d)
        numeric_sizes = dict(d.numeric_sizes) or {
            size: max(values) + LARGER_SIZE_STEP for size, values in d.sizes.items() if values}
        return cls(definitions, domains, d.sizes, numeric_sizes, d.indices,
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


def _mentions(meaning: sp.Basic, key: sp.Basic) -> bool:
    """Whether unfolding ``meaning`` would replace ``key`` in it (an entry of a family for
    an IndexedBase key; the key itself, as xreplace finds it, for any other)."""
    if not isinstance(meaning, sp.Basic):
        return False
    if isinstance(key, sp.IndexedBase):
        return any(e.base == key for e in meaning.atoms(sp.Indexed))
    return meaning.has(key)


def check_acyclic(definitions: dict[sp.Basic, sp.Expr], name: str = "") -> None:
    """Raise DomainError where a definition refers to itself, directly or through others
    (s = 2 s; a = 2 b with b = a / 2; s[k] through s[k - 1]): unfolding it never ends, and
    one cut short leaves a defined name standing as if it were a free variable."""
    keys = list(definitions)
    uses = {k: [j for j in keys if _mentions(definitions[k], j)] for k in keys}
    state: dict[sp.Basic, int] = {}   # 1: on the path being followed, 2: done

    def visit(k: sp.Basic, path: list[sp.Basic]) -> None:
        state[k] = 1
        for j in uses[k]:
            if state.get(j) == 1:
                loop = [*path[path.index(j):], j] if j in path else [k, j]
                where = f"{name}: " if name else ""
                raise DomainError(f"{where}the definition of {sp.sstr(j)} refers to itself "
                                  f"({' -> '.join(map(sp.sstr, loop))}): unfolding it would "
                                  "never end; define each name by names defined before it")
            if j not in state:
                visit(j, [*path, j])
        state[k] = 2

    for k in keys:
        if k not in state:
            visit(k, [k])


def check_domain(symbol: sp.Basic, interval: object, name: str = ""
                 ) -> tuple[float, float]:
    """The declared domain as the sampler reads it (a pair of finite numbers, or the pieces
    of a SymPy union of intervals, see sampling.declared_domain); DomainError if it is not
    one, is empty, or contradicts the symbol's assumptions."""
    from derive.sampling import declared_domain  # sampling imports nothing of the context

    label = symbol.label if isinstance(symbol, sp.IndexedBase) else symbol
    where = f"{name}: " if name else ""
    try:
        read = declared_domain(interval, f"the domain of {symbol}")
    except ValueError as err:
        raise DomainError(f"{where}{err}") from None
    lo, hi = read
    pieces = getattr(read, "pieces", ((lo, hi),))
    problem = None
    if not all(a < b for a, b in pieces) or any(
            b1 > a2 for (_, b1), (a2, _) in zip(pieces, pieces[1:], strict=False)):
        problem = "is empty" if len(pieces) == 1 else "has an empty or overlapping piece"
    elif getattr(label, "is_positive", False) or getattr(label, "is_nonnegative", False):
        problem = "reaches below 0" if lo < 0 else None
    elif getattr(label, "is_negative", False) or getattr(label, "is_nonpositive", False):
        problem = "reaches above 0" if hi > 0 else None
    if problem is None and getattr(label, "is_integer", False) and all(
            math.ceil(a) > b for a, b in pieces):
        problem = "holds no integer"
    if problem is not None:
        facts = [f for f in ("positive", "nonnegative", "negative", "nonpositive", "integer")
                 if getattr(label, f"is_{f}", False)]
        raise DomainError(f"{where}the domain ({lo}, {hi}) of {symbol} {problem}, but {symbol} "
                          f"is declared {' and '.join(facts) or 'real'}")
    return read


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
        others = sorted(sp.Tuple(lo, hi).free_symbols & (set(d.indices) - {index}), key=str)
        if others:   # its values could not be listed per size (a TypeError, once)
            raise DomainError(f"{d.name}: the range {sp.sstr(lo)}..{sp.sstr(hi)} of the index "
                              f"{index} depends on the index {others[0]}: give each index a "
                              "range in the sizes, and the condition between them as the "
                              "step's where=")


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
    expr = sp.sympify(expr)   # a side written as a plain number, 0 say
    plain_defs = {k: v for k, v in ctx.definitions.items() if not isinstance(k, sp.IndexedBase)}
    indexed_defs = {k: v for k, v in ctx.definitions.items() if isinstance(k, sp.IndexedBase)}
    # definitions refer to other definitions, to any depth (a network defined layer by layer:
    # cut off after 6, L -> a3 -> ... -> z1 kept z1 free, and dL/dx = 0 was proved); they
    # form no cycle (Context.of), so one pass per definition, and one more, reach the end
    for _ in range(len(ctx.definitions) + 2):
        around = expr.atoms(sp.Symbol)   # what an unfolded body must not capture
        new = _written_in(expr, plain_defs, indexed_defs, around, frozenset())
        if new == expr:
            return bound_apart(expr)
        expr = new
    raise DomainError(f"the definitions do not come to an end unfolding {sp.sstr(expr)[:200]} "
                      "(a definition refers to itself)")


BINDERS = (sp.Sum, sp.Product, sp.Integral)   # the nodes whose limits bind a variable


def _written_in(e: sp.Basic, plain: dict[sp.Basic, sp.Expr], families: dict[sp.Basic, sp.Expr],
                around: set[sp.Symbol], bound: frozenset[sp.Symbol]) -> sp.Basic:
    """One pass of unfolding, variable binding respected: inside a sum over ``a`` the
    summation variable is not the defined name ``a`` (Σ_{a=1}^{3} a y with a = y is 6 y, not
    Σ y²); a meaning that names a symbol bound where the name stands (a = y inside Σ_y) is
    ambiguous and an error.  ``bound``: the variables bound around ``e``."""
    if not isinstance(e, sp.Basic):
        return e
    if e in plain and not (isinstance(e, sp.Symbol) and e in bound):
        _check_not_captured(e, plain[e], bound)
        return plain[e]
    if isinstance(e, BINDERS):
        limits, inner = [], bound
        for limit in e.limits:
            var, *ends = limit
            limits.append((var, *(_written_in(b, plain, families, around, inner)
                                  for b in ends)))
            inner = inner | {var}
        body = _written_in(e.function, plain, families, around, inner)
        return e.func(body, *limits) if (body, *limits) != (e.function, *e.limits) else e
    if isinstance(e, sp.Lambda):   # f(X) entry by entry: its variable is its own
        body = _written_in(e.expr, plain, families, around, bound | set(e.variables))
        return sp.Lambda(e.variables, body) if body != e.expr else e
    if not e.args:
        return e
    args = tuple(_written_in(a, plain, families, around, bound) for a in e.args)
    new = e.func(*args) if args != e.args else e
    if isinstance(new, sp.Indexed) and new.base in families:
        family = families[new.base]
        _check_not_captured(new.base, family, bound)   # not the arguments
        return applied(family, new.indices, avoid=around)
    return new


def _check_not_captured(name: sp.Basic, meaning: sp.Basic, bound: frozenset[sp.Symbol]) -> None:
    """DomainError where ``meaning`` names a variable that a sum around ``name`` binds (a = y
    written inside Σ_y): read as the outer y or as the summation variable, the step means two
    different things, and no mark should pick one."""
    # the key's own symbols are the meaning's (s[i] = x[i]^2 inside Σ_i: the summand's i)
    captured = sorted((getattr(meaning, "free_symbols", set()) - name.free_symbols) & bound,
                      key=str)
    if captured:
        raise DomainError(f"the definition of {sp.sstr(name)}, {sp.sstr(meaning)}, names "
                          f"{captured[0]}, which a sum or product around {sp.sstr(name)} binds: "
                          "rename the summation variable, or write the definition in")


def apart_pair(left: sp.Basic, right: sp.Basic) -> tuple[sp.Basic, sp.Basic]:
    """Two sides with every summation variable of one that is free in the other renamed
    (Σ_{i ≤ k} x_i against an expression in a free index i: setting i to a value set the
    summation variable too, and the check crashed)."""
    return (bound_apart(left, _free_names(sp.sympify(right))),
            bound_apart(right, _free_names(sp.sympify(left))))


def bound_apart(expr: sp.Basic, outside: frozenset[sp.Symbol] | None = None) -> sp.Basic:
    """``expr`` with every summation (product, integration) variable that is also a free
    symbol of ``expr`` renamed (i -> i'): d(Σ_i x_i²)/d x_i is 2 x_i, while SymPy takes the
    x_i it differentiates by for the summand's own (2 Σ_i x_i was proved), and a free index
    set to a value would set the summation variable too."""
    if not isinstance(expr, sp.Basic) or not expr.has(*BINDERS):
        return expr
    free = _free_names(expr) | (outside or set())
    if not {lim[0] for b in expr.atoms(*BINDERS) for lim in b.limits} & free:
        return expr
    taken = {str(s) for s in expr.atoms(sp.Symbol)}

    def apart(e: sp.Basic) -> sp.Basic:
        if not isinstance(e, BINDERS) or not any(lim[0] in free for lim in e.limits):
            return e
        fresh: dict[sp.Symbol, sp.Symbol] = {}
        limits = []
        for var, *ends in e.limits:
            ends = [b.xreplace(fresh) for b in ends]   # a later limit may use an earlier one
            if var in free:
                fresh[var] = _fresh_symbol(var, taken)
            limits.append((fresh.get(var, var), *ends))
        return e.func(e.function.xreplace(fresh), *limits)

    return expr.replace(lambda e: isinstance(e, BINDERS), apart)


@functools.lru_cache(maxsize=4096)   # a step's right side is the next one's left
def _free_names(e: sp.Basic) -> frozenset[sp.Symbol]:
    """The symbols free in ``e``, the index i of an entry x[i] a derivative is by among them
    (SymPy's free_symbols lists the entry x[i, j] of a sum over i, and no i in d/d x[i])."""
    if isinstance(e, sp.Symbol):
        return frozenset({e})
    if isinstance(e, BINDERS):
        free: set[sp.Symbol] = set()
        inner: set[sp.Symbol] = set()
        for var, *ends in e.limits:
            free |= {s for b in ends for s in _free_names(b) if s not in inner}
            inner.add(var)
        return frozenset(free | (_free_names(e.function) - inner))
    return frozenset().union(*(_free_names(a) for a in e.args)) if e.args else frozenset()


def _fresh_symbol(var: sp.Symbol, taken: set[str]) -> sp.Symbol:
    name = var.name + "'"
    while name in taken:
        name += "'"
    taken.add(name)
    return sp.Symbol(name, **var.assumptions0)


def applied(definition: sp.Lambda, args: tuple[sp.Basic, ...],
            avoid: set[sp.Symbol] | None = None) -> sp.Expr:
    """A definition applied to ``args`` without capture: a sum or product in its body whose
    index is also a symbol of the arguments or of ``avoid`` (the expression it goes into)
    has that index renamed first.  Defining s[j] as a sum over i, s[i] must not become a sum
    of its own index, nor d s[k]/d x[i] the derivative of a sum by its own summand."""
    free = set().union(*(sp.sympify(a).free_symbols for a in args)) | (avoid or set())

    def clashes(e: sp.Basic) -> bool:
        return isinstance(e, BINDERS) and any(
            lim[0] in free or lim[0] in definition.variables for lim in e.limits)

    def renamed(e: sp.Basic) -> sp.Basic:
        taken = {str(x) for x in e.free_symbols | free | definition.free_symbols}
        taken |= {str(x) for x in definition.variables}
        fresh = {}
        for lim in e.limits:
            if lim[0] in free or lim[0] in definition.variables:
                fresh[lim[0]] = _fresh_symbol(lim[0], taken)
        return e.xreplace(fresh)

    body = definition.expr.replace(clashes, renamed)
    return body.xreplace(dict(zip(definition.variables, args, strict=True)))


# --- concrete sizes and numeric sampling -------------------------------------------------
