"""Verifying many derivations at once, with their steps spread over the machine's cores.

Every step's verdict depends only on the step, the one before it and the derivation's
context, so the checks are independent tasks.  Worker processes are forked, so they inherit
the derivations already built (nothing but the small Verdicts travels between processes).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from derive.proof import Derivation, Step, Verdict
from derive.verify import Context, check_equal, verify, verify_step

_PENDING: list[Derivation] = []   # read by forked workers


def _check(task: tuple[int, int]) -> Verdict:
    """Verdict of step k of pending derivation d; k past the steps means an oracle."""
    d, k = task
    derivation = _PENDING[d]
    ctx = Context.of(derivation)
    steps = derivation.steps
    if k < len(steps):
        previous: Step | None = steps[k - 1] if k else None
        return verify_step(previous, steps[k], ctx)
    oracle = derivation.oracles[k - len(steps)]
    return check_equal(oracle.result, oracle.reference, ctx)


def workers_available() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def verify_all(derivations: list[Derivation], workers: int | None = None) -> list[Derivation]:
    """Fill in every verdict of every derivation, in parallel where it pays."""
    workers = workers or workers_available()
    # Oracles first: they compare raw, unsimplified forms and tend to be the longest tasks,
    # and starting the longest tasks first keeps both cores busy to the end.
    tasks = sorted(((d, k) for d, der in enumerate(derivations)
                    for k in range(len(der.steps) + len(der.oracles))),
                   key=lambda t: t[1] < len(derivations[t[0]].steps))
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers < 2 or len(tasks) < 4 or not can_fork:
        return [verify(d) for d in derivations]
    _PENDING[:] = derivations
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            verdicts = list(pool.map(_check, tasks, chunksize=1))
    finally:
        _PENDING.clear()
    for (d, k), verdict in zip(tasks, verdicts, strict=True):
        der = derivations[d]
        if k < len(der.steps):
            der.steps[k].verdict = verdict
        else:
            der.oracles[k - len(der.steps)].verdict = verdict
    return derivations
