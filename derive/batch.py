"""Verifying many derivations at once, spread over the machine's cores.

A derivation's verdicts depend only on it, so derivations are independent tasks.  Worker
processes are forked, so they inherit the derivations already built (nothing but the small
Verdicts travels between processes).  The costliest derivations are handed out first, as
measured by ``make costs`` (``verify_costs.json``), so that no worker is left with a long
one at the end while the others idle.  Before forking, the objects already made are moved
out of the garbage collector's sight (``gc.freeze``): otherwise each worker's collections
walk them and so copy the parent's memory page by page.
"""

from __future__ import annotations

import functools
import gc
import json
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from derive.proof import Derivation, Verdict
from derive.verify import (
    all_verdicts,
    check_count,
    checks_of,
    forget_verdicts,
    reconfirmed,
    set_verdict,
)

_PENDING: list[Derivation] = []   # read by forked workers
# Verification makes many short-lived objects and few reference cycles: workers collect
# the youngest generation every 50000 allocations, not every 700 (a few per cent faster).
WORKER_GC_THRESHOLDS = (50_000, 20, 100)
COSTS_FILE = Path(__file__).with_name("verify_costs.json")   # written by `make costs`
PR_SET_PDEATHSIG = 1
_PARENT = [os.getpid()]   # the process that forks the workers (set again before forking)


def workers_available() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@functools.cache
def expected_costs() -> dict[str, float]:
    """Seconds each derivation took to verify on one core, as last measured (none if the
    table is missing or unreadable: it only orders the work)."""
    try:
        table = json.loads(COSTS_FILE.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in table.items()} if isinstance(table, dict) else {}


def costliest_first(derivations: list[Derivation]) -> list[int]:
    """Positions of the derivations, the costliest first (longest-first scheduling).

    A derivation not in the table (a new one) comes first: its cost is unknown.  Ties,
    and a missing table, fall back to the number of checks.
    """
    costs = expected_costs()

    def cost(d: int) -> tuple[float, int]:
        derivation = derivations[d]
        return (costs.get(derivation.name, float("inf")), check_count(derivation))

    return sorted(range(len(derivations)), key=cost, reverse=True)


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG; elsewhere nothing), so no verifier worker outlives derive."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != _PARENT[0]:   # the parent died before the request took effect
        os._exit(1)


def _start_worker() -> None:
    die_with_parent()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _verdicts_of_pending(d: int) -> tuple[list[Verdict], bool]:
    """The verdicts of every check of pending derivation d, in order, and whether they
    were reused."""
    return _verdicts(_PENDING[d])


def filled_in(derivation: Derivation) -> bool:
    """Whether every step and oracle already has a verdict (from the verdict cache)."""
    return all(item.verdict is not None for item in checks_of(derivation))


def _verdicts(derivation: Derivation) -> tuple[list[Verdict], bool]:
    """Verdicts already filled in (from a cache) where they are re-confirmed, else every
    check verified afresh; and whether they were reused."""
    if filled_in(derivation) and reconfirmed(derivation):
        return [item.verdict for item in checks_of(derivation) if item.verdict is not None], True
    forget_verdicts(derivation)
    return all_verdicts(derivation), False


def verify_all(derivations: list[Derivation], workers: int | None = None) -> list[Derivation]:
    """Fill in every verdict of every derivation, in parallel where it pays; return the
    derivations verified afresh (the others' verdicts were reused).

    A derivation whose verdicts are already filled in (from the verdict cache) keeps them
    only if they are re-confirmed (:func:`derive.verify.reconfirmed`); that too runs in the
    workers, after the derivations to verify afresh.

    A worker verifies a whole derivation: neighbouring steps share sides, so its caches
    serve the next step (cutting derivations into pieces cost more than it balanced).  The
    costliest derivations are handed out first.
    """
    workers = workers or workers_available()
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    order = sorted(costliest_first(derivations), key=lambda d: filled_in(derivations[d]))
    if workers < 2 or len(derivations) < 2 or not can_fork:
        results = [_verdicts(derivations[d]) for d in order]
    else:
        _PENDING[:] = derivations
        _PARENT[0] = os.getpid()
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                     initializer=_start_worker) as pool:
                results = list(pool.map(_verdicts_of_pending, order, chunksize=1))
        finally:
            gc.unfreeze()
            _PENDING.clear()
    for d, (verdicts, _) in zip(order, results, strict=True):
        for k, verdict in enumerate(verdicts):
            set_verdict(derivations[d], k, verdict)
    return [derivations[d] for d, (_, reused) in zip(order, results, strict=True)
            if not reused]
