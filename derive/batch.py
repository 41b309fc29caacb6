"""Verifying many derivations at once, spread over the machine's cores.

A derivation's verdicts depend only on it, so derivations are independent tasks.  Worker
processes are forked, so they inherit the derivations already built (nothing but the small
Verdicts travels between processes).  Before forking, the objects already made are moved
out of the garbage collector's sight (``gc.freeze``): otherwise each worker's collections
walk them and so copy the parent's memory page by page.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from derive.proof import Derivation, Verdict
from derive.verify import Context, check_count, set_verdict, verdict_of, verify

_PENDING: list[Derivation] = []   # read by forked workers
# Verification makes many short-lived objects and few reference cycles: workers collect
# the youngest generation every 50000 allocations, not every 700 (a few per cent faster).
WORKER_GC_THRESHOLDS = (50_000, 20, 100)


def workers_available() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker() -> None:
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _verdicts_of_pending(d: int) -> list[Verdict]:
    """The verdicts of every check of pending derivation d, in order."""
    derivation = _PENDING[d]
    ctx = Context.of(derivation)
    return [verdict_of(derivation, ctx, k) for k in range(check_count(derivation))]


def verify_all(derivations: list[Derivation], workers: int | None = None) -> list[Derivation]:
    """Fill in every verdict of every derivation, in parallel where it pays.

    A worker verifies a whole derivation: neighbouring steps share sides, so its caches
    serve the next step (cutting derivations into pieces cost more than it balanced).  The
    derivations with the most checks are handed out first.
    """
    workers = workers or workers_available()
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers < 2 or len(derivations) < 2 or not can_fork:
        return [verify(d) for d in derivations]
    order = sorted(range(len(derivations)), key=lambda d: -check_count(derivations[d]))
    _PENDING[:] = derivations
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=_start_worker) as pool:
            results = list(pool.map(_verdicts_of_pending, order, chunksize=1))
    finally:
        gc.unfreeze()
        _PENDING.clear()
    for d, verdicts in zip(order, results, strict=True):
        for k, verdict in enumerate(verdicts):
            set_verdict(derivations[d], k, verdict)
    return derivations
