"""The verifier: proves each step of a derivation, or checks it numerically, or refutes it.

Three outcomes, never two (DESIGN section 3):

* **proved**: the difference of the two sides reduces to 0 symbolically;
* **checked**: not proved for general sizes, but proved on concrete sizes and/or equal at
  many random points of the declared domains, evaluated with mpmath at high precision;
* **refuted**: a point where the two sides differ, reported as a counter-example.

The verifier knows nothing of LaTeX; it only reads Steps and fills in their Verdicts.
"""

from __future__ import annotations

import functools
import itertools
import random
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mpmath
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from derive.errors import RefutedStepError
from derive.functions import elementary
from derive.proof import Derivation, Oracle, Step, Verdict, plain

NUMERIC_POINTS = 24          # random points per numeric check
PRECISION_DIGITS = 30        # mpmath working precision
RELATIVE_TOLERANCE = 1e-18   # at 30 digits, honest rounding stays far below this
SIMPLIFY_MAX_OPS = 250        # larger differences skip sympy.simplify (unbounded time)
CONCRETE_SIMPLIFY_MAX_OPS = 60  # concrete sizes fall back to numbers sooner
MAX_INDEX_VALUES = 8          # index assignments checked per concrete size


@dataclass(frozen=True)
class Context:
    """What a check needs to know besides the two expressions (taken from the Derivation)."""

    definitions: dict[sp.Basic, sp.Expr]
    domains: dict[sp.Basic, tuple[float, float]]
    sizes: dict[sp.Symbol, tuple[int, ...]]
    numeric_sizes: dict[sp.Symbol, int]
    indices: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]
    seed: int

    @classmethod
    def of(cls, d: Derivation) -> Context:
        """The context of a derivation; a given step ``name = expr`` also defines ``name``."""
        definitions = dict(d.definitions)
        for step in d.steps:
            if step.kind == "given" and isinstance(step.lhs, sp.Symbol):
                definitions.setdefault(step.lhs, step.rhs)
        return cls(definitions, dict(d.domains), d.sizes, d.numeric_sizes, d.indices,
                   zlib.crc32(d.name.encode()))


# --- symbolic tactics --------------------------------------------------------------------

def collapse_delta_sums(expr: sp.Expr) -> sp.Expr:
    """Sum_k f(k) delta(k, a) -> f(a): the index a is assumed to lie in the sum's range."""

    def rule(s: sp.Sum) -> sp.Expr:
        if len(s.limits) != 1:
            return s
        var = s.limits[0][0]
        terms = sp.Add.make_args(sp.expand(s.function))
        if not all(any(var in d.free_symbols for d in t.atoms(sp.KroneckerDelta)) for t in terms):
            return s
        out = sp.S.Zero
        for t in terms:
            delta = next(d for d in t.atoms(sp.KroneckerDelta) if var in d.free_symbols)
            other = delta.args[1] if delta.args[0] == var else delta.args[0]
            out += t.subs(delta, 1).subs(var, other)
        return out

    return expr.replace(lambda e: isinstance(e, sp.Sum), rule)


def unfold(expr: sp.Expr, ctx: Context) -> sp.Expr:
    """Replace defined names by their definitions.

    A key that is a Symbol (or any expression) is replaced where it stands; a key that is an
    IndexedBase maps to a Lambda of the indices, so ``s[j]`` unfolds as well as ``s[i]``.
    """
    plain_defs = {k: v for k, v in ctx.definitions.items() if not isinstance(k, sp.IndexedBase)}
    indexed_defs = {k: v for k, v in ctx.definitions.items() if isinstance(k, sp.IndexedBase)}
    for _ in range(6):  # definitions may refer to other definitions
        new = expr.xreplace(plain_defs)
        if indexed_defs:
            new = new.replace(lambda e: isinstance(e, sp.Indexed) and e.base in indexed_defs,
                              lambda e: indexed_defs[e.base](*e.indices))
        if new == expr:
            break
        expr = new
    return expr


def carry_out_derivatives(expr: sp.Expr) -> sp.Expr:
    """Evaluate the written derivatives, then collapse the Kronecker-delta sums they leave."""
    expr = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    return collapse_delta_sums(expr)


def _rational_in_exponentials(expr: sp.Expr) -> sp.Expr:
    """Replace each exponential by a positive symbol so that `cancel` can decide the identity.

    Sound: if the result is identically zero in independent symbols, it is zero for the
    particular values they stand for.  exp(-a) becomes 1/u where u stands for exp(a).
    """
    expr = sp.expand(expr, power_exp=True, mul=False, multinomial=False, log=False)
    table: dict[sp.Expr, sp.Dummy] = {}
    subs: dict[sp.Expr, sp.Expr] = {}
    for e in expr.atoms(sp.exp):
        arg = e.args[0]
        negative = arg.could_extract_minus_sign()
        key = -arg if negative else arg
        u = table.setdefault(key, sp.Dummy(positive=True))
        subs[e] = 1 / u if negative else u
    return expr.xreplace(subs)


def _merged_sums(expr: sp.Expr) -> tuple[list[sp.Expr], sp.Expr] | None:
    """Split a linear combination of single sums into one summand per range, plus the rest.

    Sum_i f(i) - Sum_i g(i) becomes the summand f(i) - g(i) over the shared range; the sums'
    variables are renamed to one symbol per range first.  None when no sum is present.
    """
    groups: dict[tuple[sp.Expr, sp.Expr], sp.Expr] = {}
    rest = sp.S.Zero
    found = False
    for term in sp.Add.make_args(expr):
        coeff, body = term.as_independent(sp.Sum, as_Add=False)
        if isinstance(body, sp.Sum) and len(body.limits) == 1:
            var, lo, hi = body.limits[0]
            canonical = sp.Symbol(f"_{var.name}", **var.assumptions0)
            key = (lo, hi)
            groups[key] = groups.get(key, sp.S.Zero) + coeff * body.function.xreplace(
                {var: canonical})
            found = True
        else:
            rest += term
    return (list(groups.values()), rest) if found else None


@functools.lru_cache(maxsize=4096)
def reduces_to_zero(diff: sp.Expr, max_ops: int = SIMPLIFY_MAX_OPS) -> bool:
    """Whether a difference provably reduces to zero, trying cheap tactics before costly ones.

    ``sympy.simplify`` is tried last, and only on differences of at most ``max_ops``
    operations, because its running time is unbounded.
    """
    if diff == 0 or diff.is_zero:
        return True
    candidates = [diff]
    plain_form = elementary(diff)
    if plain_form != diff:
        candidates.append(plain_form)
    for cand in candidates:
        for tactic in (sp.expand, lambda e: sp.cancel(sp.together(e)),
                       lambda e: sp.cancel(_rational_in_exponentials(e))):
            try:
                if tactic(cand) == 0:
                    return True
            except (sp.PolynomialError, TypeError, ValueError):
                continue
    merged = _merged_sums(diff)
    if merged is not None:
        summands, rest = merged
        if all(reduces_to_zero(t, max_ops) for t in [*summands, rest]):
            return True
    for cand in candidates:
        if cand.has(sp.Sum, sp.Product):
            continue  # simplify on symbolic sums takes seconds; decided above or numerically
        if sp.count_ops(cand) <= max_ops:
            try:
                if sp.simplify(sp.expand_log(cand, force=False)) == 0:
                    return True
            except (TypeError, ValueError, NotImplementedError):
                continue
    return False


# --- concrete sizes and numeric sampling -------------------------------------------------

def _size_assignments(sizes: dict[sp.Symbol, tuple[int, ...]]) -> Iterator[dict[sp.Symbol, int]]:
    names = list(sizes)
    for combo in itertools.product(*(sizes[n] for n in names)):
        yield dict(zip(names, combo, strict=True))


def _index_assignments(expr: sp.Basic, ctx: Context,
                       size: dict[sp.Symbol, int]) -> Iterator[dict[sp.Symbol, int]]:
    free = [i for i in ctx.indices if i in expr.free_symbols]
    ranges = []
    for i in free:
        lo, hi = (int(sp.sympify(b).subs(size)) for b in ctx.indices[i])
        ranges.append(range(lo, hi + 1))
    combos = list(itertools.product(*ranges))
    if len(combos) > MAX_INDEX_VALUES:
        # The ends and a spread of values between them: every equality pattern of small
        # index sets appears, without checking all K^2 entries of every size.
        rng = random.Random(len(combos))
        middle = rng.sample(combos[1:-1], MAX_INDEX_VALUES - 2)
        combos = [combos[0], *middle, combos[-1]]
    for combo in combos:
        yield dict(zip(free, combo, strict=True))


@functools.lru_cache(maxsize=4096)
def _instantiate(expr: sp.Expr, values: tuple[tuple[sp.Symbol, int], ...]) -> sp.Expr:
    return collapse_delta_sums(expr.subs(dict(values)).doit())


def instantiate(expr: sp.Expr, values: dict[sp.Symbol, int]) -> sp.Expr:
    """Substitute concrete sizes (or indices), then expand sums, products and derivatives.

    Cached: consecutive steps share a side, so each expression is expanded once.
    """
    return _instantiate(expr, tuple(sorted(values.items(), key=str)))


def _variables(expr: sp.Basic) -> list[sp.Basic]:
    """The free quantities to sample: plain symbols and indexed entries like z[3]."""
    indexed = list(expr.atoms(sp.Indexed))
    inside = set().union(*(e.free_symbols for e in indexed)) if indexed else set()
    symbols = [s for s in expr.free_symbols if s not in inside and not isinstance(s, sp.Indexed)]
    return sorted(symbols, key=str) + sorted(indexed, key=str)


def _domain(var: sp.Basic, ctx: Context) -> tuple[float, float]:
    key = var.base.label if isinstance(var, sp.Indexed) else var
    for candidate in (var, key, getattr(var, "base", None)):
        if candidate is not None and candidate in ctx.domains:
            return ctx.domains[candidate]
    return (0.1, 3.0) if getattr(key, "is_positive", False) else (-2.0, 2.0)


def _mp_function(expr: sp.Expr, variables: list[sp.Basic]) -> Callable[..., Any]:
    """Compile an expression once into an mpmath function of the given variables.

    Prints with SymPy's mpmath printer directly: ``lambdify``'s argument preprocessing costs
    seconds when there are dozens of indexed variables.
    """
    names = [sp.Symbol(f"v{n}") for n in range(len(variables))]
    body = elementary(expr).xreplace(dict(zip(variables, names, strict=True)))
    try:
        code = MpmathPrinter({"fully_qualified_modules": False, "inline": True}).doprint(body)
    except (KeyError, NotImplementedError, TypeError) as err:
        message = f"cannot evaluate {body.func.__name__}: {err!r}"

        def unprintable(*_: Any) -> Any:
            raise NameError(message)

        return unprintable
    namespace: dict[str, Any] = {name: getattr(mpmath, name) for name in dir(mpmath)}
    namespace.update(mpf=mpmath.mpf, Max=max, Min=min)
    return eval(f"lambda {', '.join(map(str, names)) or '*_'}: ({code})", namespace)  # noqa: S307


def _call(f: Callable[..., Any], point: list[mpmath.mpf]) -> mpmath.mpc | None:
    try:
        value = mpmath.mpmathify(f(*point))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError):
        return None
    if mpmath.isnan(value) or mpmath.isinf(value):
        return None
    return value


def compare_numerically(lhs: sp.Expr, rhs: sp.Expr, ctx: Context, points: int = NUMERIC_POINTS,
                        solve_for: tuple[sp.Symbol, list[sp.Expr]] | None = None
                        ) -> tuple[int, dict[str, str] | None]:
    """Evaluate both sides at random points; return (points agreed, counter-example or None).

    With ``solve_for=(x, solutions)`` x is set from each solution in turn (an implication
    check: the points lie on the previous equation's solution set).
    """
    pairs = [(lhs, rhs)] if solve_for is None else [
        (lhs.subs(solve_for[0], sol), rhs.subs(solve_for[0], sol)) for sol in solve_for[1]]
    variables = _variables(sp.Tuple(*[side for pair in pairs for side in pair]))
    compiled = [(_mp_function(a, variables), _mp_function(b, variables)) for a, b in pairs]
    rng = random.Random(ctx.seed)
    agreed, attempts = 0, 0
    with mpmath.workdps(PRECISION_DIGITS):
        while agreed < points and attempts < points * 4:
            attempts += 1
            point = [mpmath.mpf(rng.uniform(*_domain(v, ctx))) for v in variables]
            for f, g in compiled:
                a, b = _call(f, point), _call(g, point)
                if a is None or b is None:
                    continue
                if abs(a - b) > RELATIVE_TOLERANCE * max(1, abs(a), abs(b)):
                    example = {str(k): mpmath.nstr(v, 6) for k, v in zip(variables, point,
                                                                           strict=True)}
                    example.update(lhs=mpmath.nstr(a, 10), rhs=mpmath.nstr(b, 10))
                    return agreed, example
                agreed += 1
                break
    if agreed == 0:
        return 0, {"error": "no point of the domain could be evaluated"}
    return agreed, None


# --- the checks --------------------------------------------------------------------------

def _sizes_text(assignments: list[dict[sp.Symbol, int]]) -> str:
    by_symbol: dict[str, list[int]] = {}
    for a in assignments:
        for k, v in a.items():
            by_symbol.setdefault(str(k), [])
            if v not in by_symbol[str(k)]:
                by_symbol[str(k)].append(v)
    return ", ".join(f"{k} = {', '.join(map(str, vs))}" for k, vs in by_symbol.items())


def _refuted(where: str, agreed: int, example: dict[str, str],
             values: dict[sp.Symbol, int] | None = None) -> Verdict:
    """A refutation: a counter-example, or a check that could not evaluate a single point."""
    example = {**example, **{str(k): str(v) for k, v in (values or {}).items()}}
    if "error" in example:
        return Verdict("refuted", f"not checkable {where}: {example['error']}", agreed, example)
    return Verdict("refuted", f"the two sides differ {where}", agreed, example)


def check_equal(lhs: sp.Expr, rhs: sp.Expr, ctx: Context) -> Verdict:
    """Judge the identity lhs = rhs under the context's definitions, domains and sizes."""
    left, right = unfold(lhs, ctx), unfold(rhs, ctx)
    general = reduces_to_zero(carry_out_derivatives(left - right))
    has_sizes = bool(ctx.sizes) and bool(
        (left - right).free_symbols & (set(ctx.sizes) | set(ctx.indices))
        or (left - right).has(sp.Sum, sp.Product))
    if not has_sizes:
        if general:
            return Verdict("proved", "the difference simplifies to 0")
        agreed, example = compare_numerically(left, right, ctx)
        if example is not None:
            return _refuted("at a point", agreed, example)
        return Verdict("checked", f"equal at {agreed} random points ({PRECISION_DIGITS} digits)",
                       agreed)

    # Index notation: also check every concrete size and index value.
    proved_sizes: list[dict[sp.Symbol, int]] = []
    for size in _size_assignments(ctx.sizes):
        all_proved = True
        l_size, r_size = instantiate(left, size), instantiate(right, size)
        for index in _index_assignments(sp.Tuple(l_size, r_size), ctx, size):
            values = {**size, **index}
            l_c, r_c = instantiate(l_size, index), instantiate(r_size, index)
            if reduces_to_zero(l_c - r_c, CONCRETE_SIMPLIFY_MAX_OPS):
                continue
            all_proved = False
            agreed, example = compare_numerically(l_c, r_c, ctx)
            if example is not None:
                return _refuted("at a concrete size", agreed, example, values)
        if all_proved:
            proved_sizes.append(size)
    numeric_text, agreed = "", 0
    if ctx.numeric_sizes:
        size = dict(ctx.numeric_sizes)
        # A sample of index values at the large size keeps the check fast.
        l_size, r_size = instantiate(left, size), instantiate(right, size)
        index_values = list(_index_assignments(sp.Tuple(l_size, r_size), ctx, size))
        rng = random.Random(ctx.seed)
        sample = rng.sample(index_values, min(4, len(index_values))) if index_values else [{}]
        for index in sample:
            values = {**size, **index}
            got, example = compare_numerically(instantiate(l_size, index),
                                               instantiate(r_size, index), ctx, points=4)
            if example is not None:
                return _refuted("at a large size", got, example, values)
            agreed += got
        numeric_text = f"; equal at {agreed} random points for {_sizes_text([size])}"
    all_sizes = list(_size_assignments(ctx.sizes))
    sizes_text = (f"proved for {_sizes_text(proved_sizes)}" if proved_sizes
                  else "checked numerically on concrete sizes")
    if proved_sizes and len(proved_sizes) < len(all_sizes):
        sizes_text += ", numerically for the other concrete sizes"
    if general:
        return Verdict("proved", f"proved for general sizes; {sizes_text}{numeric_text}", agreed)
    return Verdict("checked", f"{sizes_text}{numeric_text}", agreed)


def check_implies(previous: Step, step: Step, ctx: Context) -> Verdict:
    """Judge that step's equation follows from the previous one (solve, then substitute)."""
    old = carry_out_derivatives(unfold(previous.lhs - previous.rhs, ctx))
    new_l = carry_out_derivatives(unfold(step.lhs, ctx))
    new_r = carry_out_derivatives(unfold(step.rhs, ctx))
    x = step.eliminate
    if x is None:
        raise ValueError(f"implication step '{plain(step.rule)}' names no symbol to eliminate")
    solutions = sp.solve(old, x, dict=False)
    if not solutions:
        return Verdict("refuted", f"the previous equation could not be solved for {x}")
    if all(reduces_to_zero((new_l - new_r).subs(x, s)) for s in solutions):
        return Verdict("proved", f"the previous equation solved for {x} and substituted")
    agreed, example = compare_numerically(new_l, new_r, ctx, solve_for=(x, list(solutions)))
    if example is not None:
        return _refuted("on the previous equation's solutions", agreed, example)
    return Verdict("checked", f"holds at {agreed} random points of the previous equation's "
                   "solutions", agreed)


def verify_step(previous: Step | None, step: Step, ctx: Context) -> Verdict:
    """The verdict of one step given the one before it."""
    if step.kind == "given":
        return Verdict("given", "premise")
    if step.kind == "implies":
        if previous is None:
            raise ValueError("an implication step needs a previous equation")
        return check_implies(previous, step, ctx)
    if previous is not None and previous.lhs == step.lhs:
        return check_equal(previous.rhs, step.rhs, ctx)
    return check_equal(step.lhs, step.rhs, ctx)


def verify(derivation: Derivation) -> Derivation:
    """Fill in the verdict of every step and oracle; return the same derivation."""
    ctx = Context.of(derivation)
    previous: Step | None = None
    for step in derivation.steps:
        step.verdict = verify_step(previous, step, ctx)
        previous = step
    for oracle in derivation.oracles:
        oracle.verdict = check_equal(oracle.result, oracle.reference, ctx)
    return derivation


def refutations(derivation: Derivation) -> list[str]:
    """One line per refuted step or oracle of a verified derivation."""
    lines = []
    for number, step in enumerate(derivation.steps, 1):
        if step.verdict is not None and step.verdict.status == "refuted":
            lines.append(f"{derivation.name}: step {number} ({plain(step.rule)}) is refuted: "
                         f"{step.verdict.method}; counter-example {step.verdict.counterexample}")
    for oracle in derivation.oracles:
        if oracle.verdict is not None and oracle.verdict.status == "refuted":
            lines.append(f"{derivation.name}: the result disagrees with the oracle "
                         f"({plain(oracle.description)}): {oracle.verdict.counterexample}")
    return lines


def ensure_sound(derivation: Derivation) -> Derivation:
    """Raise RefutedStepError if any step or oracle of the derivation was refuted."""
    problems = refutations(derivation)
    if problems:
        raise RefutedStepError("; ".join(problems))
    return derivation


__all__ = ["Oracle", "Verdict", "check_equal", "check_implies", "ensure_sound", "refutations",
           "verify", "verify_step"]


# --- a cache of verdicts, keyed by everything a verdict depends on ----------------------

def verdict_key(derivation: Derivation) -> str:
    """A hash of the steps, oracles, context and the verifier's own code."""
    import hashlib
    h = hashlib.sha256(f"sympy {sp.__version__} mpmath {mpmath.__version__}".encode())
    for source in ("verify.py", "functions.py"):
        h.update((Path(__file__).with_name(source)).read_bytes())
    ctx = Context.of(derivation)
    parts: list[object] = [
        [(sp.srepr(s.lhs), sp.srepr(s.rhs), s.kind, str(s.eliminate)) for s in derivation.steps],
        [(sp.srepr(o.result), sp.srepr(o.reference)) for o in derivation.oracles],
        sorted((sp.srepr(k), sp.srepr(v)) for k, v in ctx.definitions.items()),
        sorted((sp.srepr(k), v) for k, v in ctx.domains.items()),
        sorted((str(k), v) for k, v in ctx.sizes.items()),
        sorted((str(k), v) for k, v in ctx.numeric_sizes.items()),
        sorted((str(k), sp.srepr(sp.Tuple(*v))) for k, v in ctx.indices.items()),
        ctx.seed,
    ]
    h.update(repr(parts).encode())
    return h.hexdigest()


def verify_cached(derivation: Derivation, cache_dir: Path | None) -> Derivation:
    """``verify``, reusing the verdicts of an identical earlier run stored in cache_dir."""
    import json

    if cache_dir is None:
        return verify(derivation)
    path = cache_dir / f"{derivation.name}-{verdict_key(derivation)[:32]}.json"
    if path.exists():
        try:
            stored = json.loads(path.read_text())
            for step, v in zip(derivation.steps, stored["steps"], strict=True):
                step.verdict = Verdict(**v)
            for oracle, v in zip(derivation.oracles, stored["oracles"], strict=True):
                oracle.verdict = Verdict(**v)
            return derivation
        except (ValueError, KeyError, TypeError):
            pass  # a damaged entry is simply recomputed
    verify(derivation)
    data = {"steps": [vars(s.verdict) for s in derivation.steps],
            "oracles": [vars(o.verdict) for o in derivation.oracles]}
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)
    return derivation
