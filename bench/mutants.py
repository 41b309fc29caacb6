"""Mutation testing of the verifier: can a wrong step pass?  Run with `make mutants`.

For every non-premise step of every registered derivation, the step's right side is mutated
(kinds: sign, dropped factor, doubled term, swapped indices, exponent, sigma -> 1 - sigma,
transpose, summation bound +-1, delta -> another index, constant; at most ``--cap`` of each
kind per step, chosen with a fixed seed), and each mutant is verified in its derivation's
context by ``derive.verify.verify_step``.  An independent judge (``mutant_judge``, none of
the verifier's code) says whether the mutant is really wrong or harmless.  A **false
acceptance** is a mutant judged wrong that the verifier proved or checked; any one makes the
exit status 1.

    .venv/bin/python bench/mutants.py [--sample N] [--derivation NAME ...] [--jobs J]
                                      [--json FILE] [--cap C] [--timeout S] [--judge-timeout S]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import random
import signal
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp
from sympy.core.relational import Relational
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import Boolean
from sympy.matrices.expressions.matexpr import MatrixExpr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutant_judge import Judge  # noqa: E402

from derive import registry  # noqa: E402
from derive.context import denied_fact  # noqa: E402
from derive.functions import sigmoid  # noqa: E402
from derive.proof import Derivation  # noqa: E402
from derive.verify import Context, verify_step, with_result_check  # noqa: E402

KINDS = ("sign", "dropped factor", "doubled term", "swapped indices", "exponent", "sigma",
         "transpose", "bound", "delta", "constant")
CAP = 3                 # mutants per kind per step
# Seconds for the verifier (and again for the judge) per mutant.  The whole library verifies
# in a few seconds, so a step that takes longer is a finding in itself (the "timeout" column);
# `--timeout 60` looks further, at several times the run time.
TIMEOUT = 5.0
JUDGE_TIMEOUT = 60.0    # seconds per judgement (writing out at larger sizes takes a while)
SAMPLE_SEED = 17
ACCEPTED = ("proved", "checked")
STATUS_ORDER = ("refuted", "undecided", "checked", "proved")


@dataclass(frozen=True)
class Mutant:
    """Step ``step`` (0-based, as in ``Derivation.steps``) of ``derivation`` with its right
    side replaced by ``rhs``; ``change`` says what was changed."""

    derivation: str
    step: int
    kind: str
    change: str
    rhs: sp.Basic


# --- where an expression may be changed ----------------------------------------------------

@dataclass(frozen=True)
class Site:
    """A node of a side, by its path of argument positions (entries of an explicit matrix
    count as its arguments); ``bound``: the summation variables in scope there."""

    path: tuple[int, ...]
    node: sp.Basic
    bound: frozenset[sp.Symbol]
    exponent: bool = False   # the exponent of a power


def _children(e: sp.Basic) -> list[int]:
    """The argument positions a mutation may go into: not summation limits, derivative
    variables, indices, conditions or the value of a step at 0."""
    name = type(e).__name__
    if isinstance(e, sp.MatrixBase):
        return list(range(len(e)))
    if isinstance(e, (sp.Sum, sp.Product, sp.Derivative, sp.Subs, ExprCondPair, sp.Heaviside)):
        return [0]
    if isinstance(e, sp.Lambda):
        return [1]
    if isinstance(e, (sp.Inverse, sp.Transpose)):   # an Inverse holds its exponent -1
        return [0]
    if isinstance(e, (sp.Indexed, sp.IndexedBase, sp.KroneckerDelta, sp.MatrixSymbol,
                      sp.Identity, sp.ZeroMatrix, sp.OneMatrix, Relational)) or (
            isinstance(e, Boolean) and not isinstance(e, sp.Expr)):
        return []
    if name == "softmax":
        return list(range(1, len(e.args)))
    if name == "Jacobian":
        return [0, 2]
    if name == "Gradient":
        return [0]
    if e.is_Atom:
        return []
    return list(range(len(e.args)))


def _args(e: sp.Basic) -> list[sp.Basic]:
    return list(e) if isinstance(e, sp.MatrixBase) else list(e.args)


def sites(expr: sp.Basic) -> Iterator[Site]:
    """Every node a mutation may change, in preorder."""
    def walk(e: sp.Basic, path: tuple[int, ...], bound: frozenset[sp.Symbol],
             exponent: bool) -> Iterator[Site]:
        yield Site(path, e, bound, exponent)
        inner = bound
        if isinstance(e, (sp.Sum, sp.Product)):
            inner = bound | {lim[0] for lim in e.limits}
        args = _args(e)
        for k in (k for k in _children(e) if k < len(args)):
            yield from walk(args[k], (*path, k), inner,
                            isinstance(e, (sp.Pow, sp.MatPow)) and k == 1)

    yield from walk(expr, (), frozenset(), False)


def replaced(expr: sp.Basic, path: tuple[int, ...], new: sp.Basic) -> sp.Basic:
    """``expr`` with the node at ``path`` replaced by ``new``, rebuilt upwards."""
    if not path:
        return new
    args = _args(expr)
    args[path[0]] = replaced(args[path[0]], path[1:], new)
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr.rows, expr.cols, args)
    return expr.func(*args)


# --- the kinds of mutation -----------------------------------------------------------------
# Each yields (path, new node, what changed) for one site; `indices` are the derivation's
# declared index symbols.

Candidate = tuple[tuple[int, ...], sp.Basic, str]


def _terms(site: Site, f: Callable[[sp.Basic], sp.Basic], verb: str) -> Iterator[Candidate]:
    if isinstance(site.node, (sp.Add, sp.MatAdd)):
        for k, term in enumerate(site.node.args):
            yield (*site.path, k), f(term), f"{verb} the term {term}"


def sign(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    if not site.path:
        yield (), -site.node, "negate the whole side"
    yield from _terms(site, lambda t: -t, "negate")


def dropped_factor(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    node = site.node
    if isinstance(node, sp.MatMul) or (isinstance(node, sp.Mul) and node.is_commutative):
        for k, factor in enumerate(node.args):
            rest = [a for j, a in enumerate(node.args) if j != k]
            if isinstance(node, sp.MatMul) and not any(isinstance(a, MatrixExpr) for a in rest):
                continue
            yield site.path, node.func(*rest), f"drop the factor {factor}"


def doubled_term(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    yield from _terms(site, lambda t: 2 * t, "double")


def swapped_indices(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    node = site.node
    if not isinstance(node, sp.Indexed):
        return
    ix = list(node.indices)
    for a in range(len(ix)):
        for b in range(a + 1, len(ix)):
            if ix[a] != ix[b]:
                swapped = list(ix)
                swapped[a], swapped[b] = ix[b], ix[a]
                yield site.path, node.base[tuple(swapped)], f"swap the indices of {node}"
    others = sorted({*indices, *site.bound}, key=str)
    for a, index in enumerate(ix):
        if isinstance(index, sp.Symbol):
            for other in others:
                if other != index:
                    renamed = [*ix[:a], other, *ix[a + 1:]]
                    yield (site.path, node.base[tuple(renamed)],
                           f"{node} -> {node.base[tuple(renamed)]}")


def exponent(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    node = site.node
    if isinstance(node, sp.Pow):
        base, power = node.args
        yield site.path, sp.Pow(base, power + 1), f"exponent {power} -> {power + 1}"
        yield site.path, sp.Pow(base, 2 * power), f"exponent {power} -> {2 * power}"
    elif isinstance(node, sp.MatPow):
        base, power = node.args
        yield site.path, sp.MatPow(base, power + 1), f"exponent {power} -> {power + 1}"


def sigma(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    if isinstance(site.node, sigmoid):
        yield site.path, 1 - site.node, f"{site.node} -> 1 - {site.node}"


def transpose(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    node = site.node
    if isinstance(node, (MatrixExpr, sp.MatrixBase)):
        yield site.path, node.T, f"transpose {node}"


def bound(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    node = site.node
    if not isinstance(node, (sp.Sum, sp.Product)):
        return
    for k, (var, lo, hi) in enumerate(node.limits):
        for which, delta in (("upper", 1), ("upper", -1), ("lower", 1), ("lower", -1)):
            new = (var, lo + delta, hi) if which == "lower" else (var, lo, hi + delta)
            limits = [*node.limits[:k], new, *node.limits[k + 1:]]
            old_bound = lo if which == "lower" else hi
            mutated = node.func(node.function, *limits)
            if denied_fact(var, *new[1:]) is not None:
                # k positive summed from 0 is ill-formed input (a DomainError, by design):
                # the mutant a user could write sums a plain integer k from 0
                plain = sp.Symbol(var.name, integer=True)
                mutated = mutated.xreplace({var: plain})
            yield (site.path, mutated,
                   f"{which} bound of {var}: {old_bound} -> {old_bound + delta}")


def delta(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    node = site.node
    if not isinstance(node, sp.KroneckerDelta) or len(node.args) != 2:
        return
    for position in (0, 1):
        for other in sorted({*indices, *site.bound} - set(node.args), key=str):
            args = list(node.args)
            args[position] = other
            new = sp.KroneckerDelta(*args)
            yield site.path, new, f"{node} -> {new}"


def constant(site: Site, indices: list[sp.Symbol]) -> Iterator[Candidate]:
    node = site.node
    if site.exponent or not isinstance(node, sp.Number):
        return
    if isinstance(node, sp.Integer):
        new: sp.Number = node + 1
    elif isinstance(node, sp.Rational):
        new = sp.Rational(node.p, node.q + 1)
    else:
        new = node + 1
    yield site.path, new, f"constant {node} -> {new}"


GENERATORS: dict[str, Callable[[Site, list[sp.Symbol]], Iterator[Candidate]]] = {
    "sign": sign, "dropped factor": dropped_factor, "doubled term": doubled_term,
    "swapped indices": swapped_indices, "exponent": exponent, "sigma": sigma,
    "transpose": transpose, "bound": bound, "delta": delta, "constant": constant,
}


def _same_shape(a: Any, b: Any) -> bool:
    return all(sp.expand(x - y) == 0 for x, y in zip(a, b, strict=True))


def shapes_agree(expr: sp.Basic) -> bool:
    """Whether every product, sum and entry-wise product in ``expr`` has matching shapes."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.MatMul):
            factors = [a for a in node.args if isinstance(a, (MatrixExpr, sp.MatrixBase))]
            if not all(_same_shape((a.shape[1],), (b.shape[0],))
                       for a, b in zip(factors, factors[1:], strict=False)):
                return False
        elif isinstance(node, (sp.MatAdd, sp.HadamardProduct)):
            if not all(_same_shape(a.shape, node.args[0].shape) for a in node.args):
                return False
    return True


def _shape_of(expr: sp.Basic) -> tuple[Any, ...] | None:
    return expr.shape if isinstance(expr, (MatrixExpr, sp.MatrixBase)) else None


def _acceptable(mutant: sp.Basic, original: sp.Basic) -> bool:
    """A mutant worth verifying: not equal to the original (nor printed alike), shapes
    consistent inside and the same as the original's (a side of another shape is refuted
    trivially)."""
    try:
        if mutant == original or sp.sstr(mutant) == sp.sstr(original):
            return False   # the same, or a change to a hidden argument that prints alike
        shape, new = _shape_of(original), _shape_of(mutant)
        if (shape is None) != (new is None):
            return False
        if shape is not None and not (_same_shape(shape, new) and shapes_agree(mutant)):
            return False
        return True
    except Exception:   # noqa: BLE001  a malformed mutant is skipped
        return False


def mutants_of(d: Derivation, k: int, cap: int = CAP) -> list[Mutant]:
    """At most ``cap`` mutants of each kind of step k's right side (seeded choice)."""
    original = d.steps[k].rhs
    indices = list(d.indices)
    all_sites = list(sites(original))
    out = []
    for kind in KINDS:
        candidates = [c for s in all_sites for c in GENERATORS[kind](s, indices)]
        random.Random(zlib.crc32(f"{d.name}|{k}|{kind}".encode())).shuffle(candidates)
        seen: list[sp.Basic] = []
        for path, new, change in candidates:
            if len(seen) == cap:
                break
            try:
                mutant = replaced(original, path, new)
            except Exception:   # noqa: BLE001  (a shape error, say): not a mutant
                continue
            if mutant in seen or not _acceptable(mutant, original):
                continue
            seen.append(mutant)
            out.append(Mutant(d.name, k, kind, change, mutant))
    return out


# --- running -------------------------------------------------------------------------------

class Timeout(BaseException):
    """Raised by the alarm (a BaseException, so that no ``except Exception`` swallows it)."""


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout


def _limited(seconds: float, f: Callable[[], Any]) -> Any:
    """f() or Timeout after ``seconds``."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return f()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


@dataclass
class Plan:
    """What the workers read (forked, so nothing is pickled): derivations, mutants, units
    of work (a step: its original and its mutants), options."""

    derivations: dict[str, Derivation]
    mutants: list[Mutant]
    units: list[tuple[str, int, list[int]]]
    timeout: float
    judge_timeout: float = JUDGE_TIMEOUT


_PLAN: Plan | None = None
_JUDGES: dict[str, Judge] = {}


def _verdict(d: Derivation, k: int, rhs: sp.Basic, timeout: float
             ) -> tuple[str, str, str, float]:
    """(status, status of verify_step alone, method or error, seconds) of step k with
    ``rhs``, in d's context.  The status is what a build would print: verify_step's, then,
    for a result d f / d v = g, the finite-difference check that ``verify.all_verdicts``
    adds (where this verifier has one)."""
    steps = list(d.steps)
    steps[k] = dataclasses.replace(steps[k], rhs=rhs, verdict=None)
    mutated = dataclasses.replace(d, steps=steps)
    start = time.perf_counter()

    def judged() -> tuple[str, str, str]:
        ctx = Context.of(mutated)
        verdict = verify_step(steps[k - 1] if k else None, steps[k], ctx)
        alone = str(verdict.status)
        verdict = with_result_check(mutated, ctx, k, verdict)
        return str(verdict.status), alone, str(verdict.method)

    try:
        status, alone, method = _limited(timeout, judged)
    except Timeout:
        status = alone = "timeout"
        method = f"no verdict in {timeout:g} s"
    except Exception as exc:   # noqa: BLE001  counted, never fatal
        status = alone = "error"
        method = f"{type(exc).__name__}: {exc}"
    return status, alone, method[:400], time.perf_counter() - start


def _judgement(judge: Judge, call: Callable[[], Any], timeout: float
               ) -> tuple[str, str, float]:
    """(judgement, detail, seconds)."""
    start = time.perf_counter()
    try:
        j = _limited(timeout, call)
        verdict, detail = j.verdict, j.detail
    except Timeout:
        verdict, detail = "unjudged", f"no judgement in {timeout:g} s"
    return verdict, detail, time.perf_counter() - start


def run_unit(u: int) -> list[dict[str, Any]]:
    """Verify and judge one step's original and its mutants (in a worker)."""
    assert _PLAN is not None
    name, k, members = _PLAN.units[u]
    d = _PLAN.derivations[name]
    judge = _JUDGES.setdefault(name, Judge(d))
    status, alone, method, seconds = _verdict(d, k, d.steps[k].rhs, _PLAN.timeout)
    judged = _judgement(judge, lambda: judge.original(k), _PLAN.judge_timeout)
    out = [{"original": True, "derivation": name, "step": k, "kind": "original",
            "status": status, "step_status": alone, "method": method,
            "seconds": round(seconds, 3),
            "judge": judged[0], "judge_detail": judged[1], "judge_seconds": round(judged[2], 3),
            "rhs": sp.sstr(d.steps[k].rhs)}]
    for m in members:
        mutant = _PLAN.mutants[m]
        status, alone, method, seconds = _verdict(d, k, mutant.rhs, _PLAN.timeout)
        verdict, detail, judged_in = _judgement(
            judge, lambda mutant=mutant: judge.mutant(k, mutant.rhs), _PLAN.judge_timeout)
        out.append({"original": False, "derivation": name, "step": k, "kind": mutant.kind,
                    "change": mutant.change, "status": status, "step_status": alone,
                    "method": method,
                    "seconds": round(seconds, 3), "judge": verdict, "judge_detail": detail,
                    "judge_seconds": round(judged_in, 3),
                    "rhs": sp.sstr(mutant.rhs), "original_rhs": sp.sstr(d.steps[k].rhs)})
    return out


def plan(wanted: list[str] | None = None, sample: int | None = None, cap: int = CAP,
         timeout: float = TIMEOUT, judge_timeout: float = JUDGE_TIMEOUT) -> Plan:
    """Build the derivations (unverified) and their mutants; a seeded sample if asked."""
    registry.names()
    names = wanted or sorted(registry.DERIVATIONS)
    unknown = [n for n in names if n not in registry.BUILDERS]
    if unknown:
        raise SystemExit(f"mutants: unknown derivation(s) {', '.join(unknown)}")
    derivations = {n: registry.BUILDERS[n]() for n in names}
    mutants = [m for n, d in derivations.items() for k, step in enumerate(d.steps)
               if step.kind != "given" for m in mutants_of(d, k, cap)]
    if sample is not None and sample < len(mutants):
        chosen = sorted(random.Random(SAMPLE_SEED).sample(range(len(mutants)), sample))
        mutants = [mutants[i] for i in chosen]
    by_step: dict[tuple[str, int], list[int]] = {}
    if sample is None:
        for n, d in derivations.items():
            for k, step in enumerate(d.steps):
                if step.kind != "given":
                    by_step[(n, k)] = []
    for i, m in enumerate(mutants):
        by_step.setdefault((m.derivation, m.step), []).append(i)
    units = sorted(((n, k, ms) for (n, k), ms in by_step.items()), key=lambda u: -len(u[2]))
    return Plan(derivations, mutants, units, timeout, judge_timeout)


def run(p: Plan, jobs: int, progress: bool = False) -> list[dict[str, Any]]:
    """Every unit of the plan, on ``jobs`` forked processes; the records in plan order."""
    global _PLAN
    _PLAN = p
    results: list[list[dict[str, Any]]] = [[] for _ in p.units]
    done, total = 0, len(p.mutants)
    start = last = time.perf_counter()
    tty = sys.stderr.isatty()

    def note(u: int, records: list[dict[str, Any]]) -> None:
        nonlocal done, last
        results[u] = records
        done += len(records) - 1
        now = time.perf_counter()
        if progress and (tty or now - last > 30):
            last = now
            print(f"{done}/{total} mutants, {now - start:.0f} s", end="\r" if tty else "\n",
                  file=sys.stderr, flush=True)

    if jobs < 2:
        for u in range(len(p.units)):
            note(u, run_unit(u))
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for u, records in pool.imap_unordered(_indexed_unit, range(len(p.units))):
                note(u, records)
    if progress and tty:
        print(file=sys.stderr)
    return [r for records in results for r in records]


def _indexed_unit(u: int) -> tuple[int, list[dict[str, Any]]]:
    return u, run_unit(u)


# --- the report ----------------------------------------------------------------------------

def false_acceptance(r: dict[str, Any]) -> bool:
    """A mutant judged wrong that the verifier proved or checked."""
    return not r["original"] and r["judge"] == "wrong" and r["status"] in ACCEPTED


def table(records: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Per kind: totals by verdict, by judgement, and the false acceptances."""
    mutants = [r for r in records if not r["original"]]
    seen = {r["status"] for r in mutants}
    statuses = [*STATUS_ORDER, *sorted(seen - {*STATUS_ORDER, "error", "timeout"}),
                "error", "timeout"]
    header = ["kind", "total", *statuses, "wrong", "harmless", "unjudged",
              "false acc.", "false rej."]
    rows = []
    for kind in [*KINDS, "all"]:
        rs = [r for r in mutants if kind in ("all", r["kind"])]
        if not rs and kind != "all":
            continue
        rows.append([kind, len(rs), *(sum(r["status"] == s for r in rs) for s in statuses),
                     *(sum(r["judge"] == j for r in rs) for j in ("wrong", "harmless",
                                                                  "unjudged")),
                     sum(false_acceptance(r) for r in rs),
                     sum(r["judge"] == "harmless" and r["status"] == "refuted" for r in rs)])
    return header, rows


def report(records: list[dict[str, Any]], seconds: float) -> str:
    """The table, the false acceptances, what is odd, and the run time."""
    header, rows = table(records)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(x).rjust(w) if i else str(x).ljust(w)
                       for i, (x, w) in enumerate(zip(row, widths, strict=True)))
             for row in [header, *rows]]
    mutants = [r for r in records if not r["original"]]
    wrong = [r for r in mutants if r["judge"] == "wrong"]
    if wrong:
        refuted = sum(r["status"] == "refuted" for r in wrong)
        lines.append(f"wrong mutants refuted: {refuted}/{len(wrong)} "
                     f"({100 * refuted / len(wrong):.1f} %)")
    by_differences = [r for r in mutants if r["step_status"] in ACCEPTED
                      and r["status"] not in ACCEPTED]
    if by_differences:
        lines.append(f"accepted by verify_step but refuted by the results' finite-difference "
                     f"check: {len(by_differences)}")
    fa = [r for r in mutants if false_acceptance(r)]
    lines.append(f"\nfalse acceptances: {len(fa)} (steps numbered from 0, as in "
                 "Derivation.steps)")
    for r in fa:
        lines.append(f"- {r['derivation']} step {r['step']} [{r['kind']}] {r['status']}: "
                     f"{r['change']}\n    original: {r['original_rhs']}\n    mutant:   "
                     f"{r['rhs']}\n    verifier: {r['method']}\n    judge:    "
                     f"{r['judge_detail']}")
    odd = [r for r in records if r["original"] and (r["status"] not in ACCEPTED
                                                    or r["judge"] != "harmless")]
    if odd:
        lines.append("\noriginal steps not accepted by the verifier, or not confirmed by "
                     "the judge:")
        lines += [f"- {r['derivation']} step {r['step']}: verifier {r['status']} "
                  f"({r['method']}); judge {r['judge']} ({r['judge_detail']})" for r in odd]
    for label, status in (("errors", "error"), ("timeouts", "timeout")):
        bad = [r for r in mutants if r["status"] == status]
        if bad:
            lines.append(f"\nverifier {label}: {len(bad)}")
            lines += [f"- {r['derivation']} step {r['step']} [{r['kind']}] {r['change']}: "
                      f"{r['method']}" for r in bad[:20]]
    unjudged = [r for r in mutants if r["judge"] == "unjudged"]
    if unjudged:
        lines.append(f"\nunjudged mutants: {len(unjudged)}")
        lines += [f"- {r['derivation']} step {r['step']} [{r['kind']}] {r['change']}: "
                  f"{r['judge_detail']}" for r in unjudged[:20]]
    slowest = sorted(mutants, key=lambda r: -r["seconds"])[:5]
    if slowest:
        lines.append("\nslowest verifications: " + "; ".join(
            f"{r['derivation']} step {r['step']} [{r['kind']}] {r['seconds']:.1f} s"
            for r in slowest))
    lines.append(f"\n{len(mutants)} mutants of {sum(r['original'] for r in records)} steps "
                 f"in {seconds:.0f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, help="a seeded sample of N mutants")
    parser.add_argument("--derivation", action="append", help="only this one (repeatable)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--json", type=Path, help="write every record to this file")
    parser.add_argument("--cap", type=int, default=CAP, help="mutants per kind per step")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help="seconds per verification")
    parser.add_argument("--judge-timeout", type=float, default=JUDGE_TIMEOUT,
                        help="seconds per judgement")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    p = plan(args.derivation, args.sample, args.cap, args.timeout, args.judge_timeout)
    records = run(p, args.jobs, progress=True)
    seconds = time.perf_counter() - start
    print(report(records, seconds))
    if args.json:
        header, rows = table(records)
        args.json.write_text(json.dumps({"seconds": round(seconds, 1), "header": header,
                                         "rows": rows, "records": records}, indent=1))
    return 1 if any(false_acceptance(r) for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
