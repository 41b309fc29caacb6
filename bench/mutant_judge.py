"""An independent judge of mutated steps: is a mutant really wrong, or harmless?

Written without the verifier's code: it imports nothing of derive but the plain data
(:mod:`derive.proof`), and never derive.verify, derive.tactics, derive.sampling,
derive.differentiate or derive.matrices.  Its method, on purpose a different one:

* definitions unfolded (the derivation's own, and every given ``name = expr``);
* derive's custom functions replaced by their elementary form, from its own table
  (sigmoid(z) = 1/(1 + e^-z), relu(z) = max(0, z), softmax, logsumexp);
* every size one larger than the largest the derivation declares (in ``sizes`` or
  ``numeric_sizes``), every free index at the two ends of its range and one value between;
* sums and products over the concrete ranges written out term by term (SymPy's convention
  for a reversed range), matrices written out entry by entry, Jacobians and gradients by
  ``sympy.diff`` of the entries, derivatives carried out by SymPy's own ``doit``;
* unspecified functions (f1(W, x), f2(...)) replaced by concrete non-separable ones;
* the original and the mutated side compared at a few random points of the declared domains
  (default (-2, 2), positive symbols (0.1, 3)) with mpmath at 50 digits, relative tolerance
  1e-30.  An implication step's equation is compared on the solutions of the previous one.

Equal at every point: **harmless**; different at one: **wrong**; not evaluable: **unjudged**.
"""

from __future__ import annotations

import functools
import itertools
import random
import zlib
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.core.numbers import ImaginaryUnit
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr

from derive.proof import Derivation, Step

DIGITS = 50
RELATIVE_TOLERANCE = mpmath.mpf("1e-30")
ABSOLUTE_FLOOR = mpmath.mpf("1e-40")   # two values this close to 0 are both 0
POINTS = 3                             # random points per assignment of the free indices
DEFAULT_DOMAIN = (-2.0, 2.0)
POSITIVE_DOMAIN = (0.1, 3.0)
UNFOLD_ROUNDS = 10


class Unjudgeable(Exception):
    """The judge cannot write out or evaluate an expression."""


@dataclass(frozen=True)
class Judgement:
    """``verdict`` is harmless, wrong or unjudged; ``detail`` says where or why."""

    verdict: str
    detail: str = ""


# --- elementary forms of derive's functions (the judge's own table) ------------------------

def _softmax(i: sp.Expr, *zs: sp.Expr) -> sp.Expr:
    if not i.is_Integer:
        raise Unjudgeable(f"softmax with a symbolic component {i}")
    return sp.exp(zs[int(i) - 1]) / sp.Add(*[sp.exp(z) for z in zs])


ELEMENTARY = {
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
    "relu": lambda z: sp.Max(0, z),
    "softmax": _softmax,
    "logsumexp": lambda *zs: sp.log(sp.Add(*[sp.exp(z) for z in zs])),
}


def elementary(expr: sp.Basic) -> sp.Basic:
    """Every function of derive rewritten with exp, log and Max (bottom-up)."""
    def rewrite(e: sp.Basic) -> sp.Basic:
        name = type(e).__name__
        if name in ELEMENTARY:
            return ELEMENTARY[name](*e.args)
        return e

    def is_derive_function(e: sp.Basic) -> bool:
        return isinstance(e, sp.Function) and type(e).__module__ == "derive.functions"

    out = expr.replace(is_derive_function, rewrite)
    leftover = [e for e in sp.preorder_traversal(out) if is_derive_function(e)]
    if leftover:
        raise Unjudgeable(f"no elementary form for {type(leftover[0]).__name__}")
    return out


# --- unspecified functions made concrete ---------------------------------------------------

def unspecified(e: sp.Basic) -> bool:
    """An unspecified function: f(x) with no definition, or a function class of the library
    that only prints differently (f2 of C2)."""
    module = type(e).__module__ or ""
    return isinstance(e, AppliedUndef) or (
        isinstance(e, sp.Function) and not module.startswith("sympy")
        and module != "derive.functions")


def concrete_function(call: AppliedUndef) -> sp.Expr:
    """A concrete stand-in for f(a1, ..., an): smooth, non-linear in every argument and not
    separable (so a mixed-up partial derivative shows); its coefficients depend on f's name."""
    h = zlib.crc32(str(call.func).encode())
    c = [sp.Rational(2 + (h >> (3 * k)) % 5, 7) for k in range(len(call.args) + 2)]
    linear = sp.Add(*[c[k] * a for k, a in enumerate(call.args)])
    return sp.sin(linear + c[-1]) + linear ** 2 / 3 + c[-2] * call.args[0]


# --- writing out at concrete sizes ---------------------------------------------------------

def renamed_bound(expr: sp.Basic) -> sp.Basic:
    """Every summation (product) variable renamed to a fresh Dummy, so that substituting a
    free index cannot reach a bound one of the same name."""
    def rename(e: sp.Basic) -> sp.Basic:
        fresh = {lim[0]: sp.Dummy(str(lim[0]), integer=True) for lim in e.limits}
        body = e.function.xreplace(fresh)
        limits = [(fresh[lim[0]], *(b.xreplace(fresh) for b in lim[1:])) for lim in e.limits]
        return e.func(body, *limits)

    return expr.replace(lambda e: isinstance(e, (sp.Sum, sp.Product)), rename)


def _integer(bound: sp.Expr) -> int:
    if not bound.is_Integer:
        raise Unjudgeable(f"a summation bound {bound} is not a concrete integer")
    return int(bound)


def written_sums(expr: sp.Basic) -> sp.Basic:
    """Sums and products over concrete ranges written out term by term, outermost first.

    A reversed range follows SymPy's (Karr's) convention: Sum_{k=a}^{b} with b = a - 1 is 0,
    with b < a - 1 it is minus the sum over b+1 .. a-1 (a product: the reciprocal).
    """
    if isinstance(expr, (sp.Sum, sp.Product)):
        is_sum = isinstance(expr, sp.Sum)
        var, lo, hi = expr.limits[-1]
        inner = (expr.func(expr.function, *expr.limits[:-1]) if len(expr.limits) > 1
                 else expr.function)
        a, b = _integer(lo), _integer(hi)
        reverse = b < a - 1
        values = range(b + 1, a) if reverse else range(a, b + 1)
        terms = [written_sums(inner.xreplace({var: sp.Integer(v)})) for v in values]
        total = sp.Add(*terms) if is_sum else sp.Mul(*terms)
        if reverse:
            total = -total if is_sum else 1 / total
        return total
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr.rows, expr.cols, [written_sums(e) for e in expr])
    if not expr.args or isinstance(expr, (sp.Indexed, sp.MatrixSymbol)):
        return expr
    args = [written_sums(a) for a in expr.args]
    return expr.func(*args) if args != list(expr.args) else expr


def _entry_symbols(m: sp.MatrixSymbol) -> sp.ImmutableMatrix:
    rows, cols = (_integer(sp.sympify(d)) for d in m.shape)
    return sp.ImmutableMatrix(rows, cols,
                              lambda r, c: sp.Symbol(f"{m.name}[{r},{c}]", real=True))


def written_matrices(expr: sp.Basic) -> sp.Basic:
    """Matrix expressions at concrete sizes written out as explicit matrices.

    Reads a node's kind and arguments only; a Jacobian (f, u, point) is ∂f_r/∂u_c by
    ``sympy.diff``, u then replaced by the point, a Gradient (loss, W) is ∂loss/∂W_rc.
    """
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr.rows, expr.cols, [written_matrices(e) for e in expr])
    if not isinstance(expr, MatrixExpr):
        if not expr.args or not expr.has(MatrixExpr) or isinstance(expr, sp.Indexed):
            return expr
        return expr.func(*[written_matrices(a) for a in expr.args])
    name = type(expr).__name__
    if isinstance(expr, sp.MatrixSymbol):
        return _entry_symbols(expr)
    if name == "Jacobian":
        f, u, point = (written_matrices(a) for a in expr.args)
        at = dict(zip(list(u), list(point), strict=True))
        return sp.ImmutableMatrix(f.rows, u.rows,
                                  lambda r, c: sp.diff(f[r, 0], u[c, 0]).xreplace(at))
    if name == "Gradient":
        loss, w = (written_matrices(a) for a in expr.args)
        if isinstance(loss, sp.MatrixBase):
            loss = loss[0, 0]
        return sp.ImmutableMatrix(w.rows, w.cols, lambda r, c: sp.diff(loss, w[r, c]))
    if isinstance(expr, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)):
        return sp.ImmutableMatrix(expr.as_explicit())
    if isinstance(expr, ElementwiseApplyFunction):
        return written_matrices(expr.expr).applyfunc(expr.function)
    args = [written_matrices(a) for a in expr.args]
    if isinstance(expr, sp.MatMul):
        return sp.ImmutableMatrix(functools.reduce(lambda a, b: a * b, args))
    if isinstance(expr, sp.MatAdd):
        return sp.ImmutableMatrix(functools.reduce(lambda a, b: a + b, args))
    if isinstance(expr, sp.HadamardProduct):
        return sp.ImmutableMatrix(functools.reduce(lambda a, b: a.multiply_elementwise(b),
                                                   args))
    if isinstance(expr, sp.Transpose):
        return args[0].T
    if isinstance(expr, sp.Inverse):   # before MatPow: an Inverse is a MatPow
        return sp.ImmutableMatrix(args[0].inv())
    if isinstance(expr, sp.MatPow):
        return sp.ImmutableMatrix(args[0] ** args[1])
    if isinstance(expr, sp.DiagMatrix):
        return sp.ImmutableMatrix(sp.diag(*list(args[0])))
    raise Unjudgeable(f"cannot write out a {name}")


def derivatives_done(expr: sp.Basic) -> sp.Basic:
    """Derivatives carried out by SymPy (inner ones first), then unspecified functions made
    concrete and what they left written (derivatives, substitutions) carried out too."""
    def done(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.MatrixBase):
            return sp.ImmutableMatrix(e.rows, e.cols, [done(x) for x in e])
        return e.replace(lambda x: isinstance(x, sp.Derivative), lambda x: x.doit())

    expr = done(expr)
    expr = expr.replace(lambda x: isinstance(x, sp.Derivative) and not all(
        isinstance(v, (sp.Symbol, sp.Indexed)) for v in x.variables), _by_placeholder)
    if any(unspecified(x) for x in sp.preorder_traversal(expr)):
        expr = expr.replace(unspecified, concrete_function)
        expr = expr.doit() if not isinstance(expr, sp.MatrixBase) else sp.ImmutableMatrix(
            expr.rows, expr.cols, [x.doit() for x in expr])
    if expr.has(sp.Derivative, sp.Subs):
        raise Unjudgeable("a derivative is left written")
    return expr


def _by_placeholder(d: sp.Derivative) -> sp.Basic:
    """A derivative by an expression g (a function's value f1(W, x)), as SymPy defines it:
    by a placeholder put where g stands, then g put back."""
    body, subs = d.expr, []
    variables = []
    for v, count in d.variable_count:
        if isinstance(v, (sp.Symbol, sp.Indexed)):
            variables.append((v, count))
            continue
        xi = sp.Dummy("xi")
        body = body.xreplace({v: xi})
        variables.append((xi, count))
        subs.append((xi, v))
    inner = sp.Derivative(body, *variables)
    return sp.Subs(inner, [a for a, _ in subs], [b for _, b in subs])


# --- numbers -------------------------------------------------------------------------------

def _numbers(expr: sp.Basic, values: dict[sp.Basic, sp.Rational]) -> list[Any]:
    """The value (a list of entries for a matrix) at the point, at 50 digits and more; a
    value that is not a finite number is mpmath's nan."""
    entries = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    with mpmath.workdps(DIGITS + 10):
        memo: dict[sp.Basic, Any] = {}
        return [_value(e, values, memo) for e in entries]


_FUNCTIONS: dict[type, Any] = {
    sp.exp: mpmath.exp, sp.log: mpmath.log, sp.sin: mpmath.sin, sp.cos: mpmath.cos,
    sp.tan: mpmath.tan, sp.tanh: mpmath.tanh, sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh,
    sp.atan: mpmath.atan, sp.Abs: abs, sp.sign: mpmath.sign,
}
_RELATIONS: dict[type, Any] = {
    sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
    sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
    sp.Equality: lambda a, b: a == b, sp.Unequality: lambda a, b: a != b,
}


def _real(v: Any) -> Any:
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > ABSOLUTE_FLOOR:
            raise ArithmeticError("a comparison of complex numbers")
        return v.real
    return v


def _value(e: sp.Basic, values: dict[sp.Basic, sp.Rational], memo: dict[sp.Basic, Any]
           ) -> Any:
    """``e`` evaluated with mpmath, node by node (shared nodes once); nan where the
    arithmetic fails (a division by zero, say)."""
    if e in memo:
        return memo[e]
    try:
        v = _node_value(e, values, memo)
    except (ZeroDivisionError, ArithmeticError, ValueError, OverflowError):
        v = mpmath.nan
    memo[e] = v
    return v


def _node_value(e: sp.Basic, values: dict[sp.Basic, sp.Rational], memo: dict[sp.Basic, Any]
                ) -> Any:
    if e in values:
        r = values[e]
        return mpmath.mpf(r.p) / r.q
    if isinstance(e, sp.Rational):
        return mpmath.mpf(e.p) / e.q
    if isinstance(e, sp.Float):
        return mpmath.mpf(str(e))
    if e is sp.S.true or e is sp.S.false:
        return bool(e)
    if isinstance(e, (sp.NumberSymbol, ImaginaryUnit)):
        return mpmath.mpmathify(complex(e)) if e is sp.I else mpmath.mpf(str(sp.N(e, 70)))
    if e in (sp.zoo, sp.nan, sp.oo, -sp.oo):
        return mpmath.nan
    args = [_value(a, values, memo) for a in e.args] if not isinstance(e, sp.Piecewise) else []
    if isinstance(e, sp.Add):
        return mpmath.fsum(args)
    if isinstance(e, sp.Mul):
        return mpmath.fprod(args)
    if isinstance(e, sp.Pow):
        base, power = args
        if base == 0 and _real(power) < 0:
            return mpmath.nan
        return mpmath.power(base, power)
    if type(e) in _FUNCTIONS:
        return _FUNCTIONS[type(e)](*args)
    if isinstance(e, (sp.Max, sp.Min)):
        reals = [_real(a) for a in args]
        return max(reals) if isinstance(e, sp.Max) else min(reals)
    if isinstance(e, sp.Heaviside):
        z = _real(args[0])
        at_zero = args[1] if len(args) > 1 else mpmath.mpf(1) / 2
        return mpmath.mpf(1) if z > 0 else mpmath.mpf(0) if z < 0 else at_zero
    if type(e) in _RELATIONS:
        return _RELATIONS[type(e)](*map(_real, args))
    if isinstance(e, sp.And):
        return all(args)
    if isinstance(e, sp.Or):
        return any(args)
    if isinstance(e, sp.Not):
        return not args[0]
    if isinstance(e, sp.Piecewise):
        for piece, condition in e.args:
            if _value(condition, values, memo):
                return _value(piece, values, memo)
        return mpmath.nan
    if isinstance(e, (sp.Symbol, sp.Indexed)):
        raise Unjudgeable(f"no value for {e}")
    raise Unjudgeable(f"cannot evaluate a {type(e).__name__}")


@functools.lru_cache(maxsize=4096)
def _atoms(expr: sp.Basic) -> frozenset[sp.Basic]:
    """What takes a value at a point: symbols and indexed entries."""
    if isinstance(expr, sp.MatrixBase):
        return frozenset().union(*(_atoms(e) for e in expr))
    return frozenset({s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
                     | set(expr.atoms(sp.Indexed)))


def _finite(v: Any) -> bool:
    return bool(mpmath.isfinite(v))


def _close(a: Any, b: Any) -> bool:
    return bool(abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + ABSOLUTE_FLOOR)


def _never_raising(judge: Any) -> Any:
    """A judging method that turns any error into an "unjudged" judgement: the judge must
    not stop the run."""
    @functools.wraps(judge)
    def judged(*args: Any, **kwargs: Any) -> Judgement:
        try:
            return judge(*args, **kwargs)
        except Unjudgeable as exc:
            return Judgement("unjudged", str(exc))
        except Exception as exc:   # noqa: BLE001
            return Judgement("unjudged", f"{type(exc).__name__}: {exc}"[:200])

    return judged


class Judge:
    """The judge of one derivation's steps (original steps assumed right)."""

    def __init__(self, derivation: Derivation, points: int = POINTS) -> None:
        self.d = derivation
        self.points = points
        self.seed = zlib.crc32(derivation.name.encode())
        defs: dict[sp.Basic, sp.Basic] = dict(derivation.definitions)
        for step in derivation.steps:
            if step.kind == "given" and isinstance(step.lhs, sp.Symbol):
                defs.setdefault(step.lhs, step.rhs)
        self.plain_defs = {k: v for k, v in defs.items() if not isinstance(k, sp.IndexedBase)}
        self.indexed_defs = {k: v for k, v in defs.items() if isinstance(k, sp.IndexedBase)}
        self.sizes = {s: sp.Integer(max([*derivation.sizes.get(s, ()),
                                         derivation.numeric_sizes.get(s, 0)]) + 1)
                      for s in {*derivation.sizes, *derivation.numeric_sizes}}
        self.domains = {str(k): v for k, v in derivation.domains.items()}
        self._written: dict[tuple[sp.Basic, tuple[tuple[sp.Symbol, int], ...]], sp.Basic] = {}

    # symbolic preparation
    def unfolded(self, expr: sp.Basic) -> sp.Basic:
        """Defined names replaced by their definitions, to a fixed point."""
        for _ in range(UNFOLD_ROUNDS):
            new = expr.xreplace(self.plain_defs)
            if self.indexed_defs:
                new = new.replace(
                    lambda e: isinstance(e, sp.Indexed) and e.base in self.indexed_defs,
                    lambda e: self.indexed_defs[e.base](*e.indices))
            if new == expr:
                return expr
            expr = new
        raise Unjudgeable("definitions do not unfold to a fixed point")

    @functools.lru_cache(maxsize=1024)  # noqa: B019  (one judge per derivation and process)
    def prepared(self, expr: sp.Basic) -> sp.Basic:
        """Unfolded, elementary, bound variables renamed apart."""
        return renamed_bound(elementary(self.unfolded(expr)))

    def free_indices(self, *exprs: sp.Basic) -> list[sp.Symbol]:
        present = set().union(*(self.prepared(e).atoms(sp.Symbol) for e in exprs))
        return [i for i in self.d.indices if i in present]

    def index_assignments(self, free: list[sp.Symbol]) -> list[dict[sp.Symbol, int]]:
        """Every combination of the free indices at the ends of their ranges, and one
        combination of values between them (where the ranges have any)."""
        ends, between = [], []
        for i in free:
            lo, hi = (_integer(sp.sympify(b).xreplace(self.sizes)) for b in self.d.indices[i])
            ends.append(sorted({lo, hi}))
            rng = random.Random(f"{self.seed}:{i}")
            between.append(rng.randint(lo + 1, hi - 1) if hi - lo >= 2 else hi)
        combos = [*itertools.product(*ends), tuple(between)]
        return [dict(zip(free, c, strict=True)) for c in dict.fromkeys(combos)]

    def written_out(self, expr: sp.Basic, index: dict[sp.Symbol, int]) -> sp.Basic:
        """At the judge's sizes and these index values: sums, matrices and derivatives done."""
        key = (expr, tuple(sorted(index.items(), key=str)))
        if key not in self._written:
            values = {**self.sizes, **{k: sp.Integer(v) for k, v in index.items()}}
            e = self.prepared(expr).xreplace(values)
            self._written[key] = derivatives_done(written_matrices(written_sums(e)))
        return self._written[key]

    def value_of(self, atom: sp.Basic, point: int) -> sp.Rational:
        """A random value of one symbol or entry at point ``point``, in its declared domain
        (by name; an entry by its base's name); the same for the original and the mutant."""
        name = str(atom.base) if isinstance(atom, sp.Indexed) else str(atom).split("[")[0]
        if atom.is_integer:
            return sp.Integer(random.Random(f"{self.seed}:{point}:{atom}").randint(1, 5))
        lo, hi = self.domains.get(name, POSITIVE_DOMAIN if atom.is_positive else DEFAULT_DOMAIN)
        u = random.Random(f"{self.seed}:{point}:{atom}").uniform(0.05, 0.95)
        return sp.Rational(round((lo + (hi - lo) * u) * 10**12), 10**12)

    def values_at(self, exprs: list[sp.Basic], point: int) -> dict[sp.Basic, sp.Rational]:
        atoms = set().union(*(_atoms(e) for e in exprs))
        return {a: self.value_of(a, point) for a in atoms}

    # judging
    @_never_raising
    def compare(self, original: sp.Basic, mutant: sp.Basic,
                context: tuple[sp.Basic, ...] = ()) -> Judgement:
        """Harmless if ``mutant`` equals ``original`` at every index value and point."""
        free = self.free_indices(original, mutant, *context)
        compared = 0
        for index in self.index_assignments(free):
            a = self.written_out(original, index)
            b = self.written_out(mutant, index)
            shape_a, shape_b = (x.shape if isinstance(x, sp.MatrixBase) else None
                                for x in (a, b))
            if shape_a != shape_b:
                return Judgement("wrong", f"shapes {shape_a} and {shape_b}")
            for point in range(self.points):
                values = self.values_at([a, b], point)
                va, vb = _numbers(a, values), _numbers(b, values)
                for k, (x, y) in enumerate(zip(va, vb, strict=True)):
                    if not _finite(x):
                        continue
                    if not _finite(y) or not _close(x, y):
                        return Judgement("wrong", _where(index, point, k, x, y))
                    compared += 1
        if not compared:
            return Judgement("unjudged", "the original is not finite at any point")
        return Judgement("harmless", f"equal at {compared} values")

    @_never_raising
    def implication(self, previous: Step, step: Step, rhs: sp.Basic) -> Judgement:
        """Whether lhs = rhs holds on every solution of the previous equation (for the
        eliminated symbol), at random points of the other symbols."""
        x = step.eliminate
        if x is None:
            return Judgement("unjudged", "an implication that eliminates nothing")
        old = self.prepared(previous.lhs - previous.rhs)
        solutions = sp.solve(old, x, dict=False)
        if not solutions:
            return Judgement("unjudged", f"no solution of the previous equation for {x}")
        lhs, new = self.prepared(step.lhs), self.prepared(rhs)
        compared = 0
        for point in range(self.points):
            values = self.values_at([lhs, new, *solutions], point)
            values.pop(x, None)
            for s in solutions:
                (at,) = _numbers(s, values)
                if not _finite(at) or abs(mpmath.im(at)) > ABSOLUTE_FLOOR:
                    continue
                exact = sp.Rational(mpmath.nstr(mpmath.re(at), DIGITS + 5))
                here = {**values, x: exact}
                (left,) = _numbers(lhs, here)
                (right,) = _numbers(new, here)
                if not _finite(left):
                    continue
                if not _finite(right) or not _close(left, right):
                    return Judgement("wrong", f"{x} = {mpmath.nstr(at, 8)}, point {point}: "
                                     f"{mpmath.nstr(left, 8)} vs {mpmath.nstr(right, 8)}")
                compared += 1
        if not compared:
            return Judgement("unjudged", "no real solution of the previous equation")
        return Judgement("harmless", f"holds on the solutions at {compared} points")

    def reference(self, k: int) -> sp.Basic:
        """What step k's right side must equal, as the verifier reads it: the previous
        step's right side when the left sides match, else its own left side."""
        steps = self.d.steps
        if k and steps[k - 1].lhs == steps[k].lhs:
            return steps[k - 1].rhs
        return steps[k].lhs

    def mutant(self, k: int, rhs: sp.Basic) -> Judgement:
        """Judge step k with its right side replaced by ``rhs`` (original assumed right)."""
        step = self.d.steps[k]
        if step.kind == "implies":
            return self.implication(self.d.steps[k - 1], step, rhs)
        return self.compare(step.rhs, rhs, (step.lhs,))

    def original(self, k: int) -> Judgement:
        """The judge's own check of an original step (harmless = the judge agrees)."""
        step = self.d.steps[k]
        if step.kind == "implies":
            return self.implication(self.d.steps[k - 1], step, step.rhs)
        return self.compare(self.reference(k), step.rhs)


def _where(index: dict[sp.Symbol, int], point: int, entry: int, x: Any, y: Any) -> str:
    at = ", ".join(f"{k} = {v}" for k, v in index.items())
    return (f"{at + ', ' if at else ''}point {point}, entry {entry}: "
            f"{mpmath.nstr(x, 10)} vs {mpmath.nstr(y, 10)}")
