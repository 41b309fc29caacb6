"""Verifying many derivations at once, with their steps spread over the machine's cores.

Every step's verdict depends only on the step, the one before it and the derivation's
context, so the checks are independent tasks.  Worker processes are forked, so they inherit
the derivations already built (nothing but the small Verdicts travels between processes).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from derive.proof import Derivation, Verdict
from derive.verify import Context, check_count, set_verdict, verdict_of, verify

_PENDING: list[Derivation] = []   # read by forked workers
RUN_LENGTH = 3                    # neighbouring checks done by one worker




def workers_available() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_run(run: tuple[int, tuple[int, ...]]) -> list[Verdict]:
    """The verdicts of checks ks of pending derivation d."""
    d, ks = run
    ctx = Context.of(_PENDING[d])
    return [verdict_of(_PENDING[d], ctx, k) for k in ks]


def verify_all(derivations: list[Derivation], workers: int | None = None) -> list[Derivation]:
    """Fill in every verdict of every derivation, in parallel where it pays.

    The checks of each derivation are cut into runs of neighbouring steps (which share sides,
    so a worker's caches serve the next step), handed out longest-first: oracles lead.
    """
    workers = workers or workers_available()
    runs: list[tuple[int, tuple[int, ...]]] = []
    for d, der in enumerate(derivations):
        checks = list(range(check_count(der)))
        runs += [(d, tuple(checks[k:k + RUN_LENGTH])) for k in range(0, len(checks), RUN_LENGTH)]
    runs.sort(key=lambda r: -r[1][-1])   # the last runs hold the oracles
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers < 2 or len(runs) < 2 or not can_fork:
        return [verify(d) for d in derivations]
    _PENDING[:] = derivations
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_check_run, runs, chunksize=1))
    finally:
        _PENDING.clear()
    for (d, ks), verdicts in zip(runs, results, strict=True):
        for k, verdict in zip(ks, verdicts, strict=True):
            set_verdict(derivations[d], k, verdict)
    return derivations
