"""Measure how long each derivation takes to verify on one core; write derive/verify_costs.json.

Run with `make costs` after adding or changing derivations.  The table only orders the work
of the parallel verifier (the costliest first); a stale or missing entry costs time, never
correctness.
"""

from __future__ import annotations

import json
import os
import time

os.environ["DERIVE_CACHE"] = "off"

from derive.batch import COSTS_FILE  # noqa: E402
from derive.registry import BUILDERS, names  # noqa: E402
from derive.verify import verify  # noqa: E402


def main() -> None:
    names()
    built = {name: BUILDERS[name]() for name in sorted(BUILDERS)}
    costs = {}
    for name, derivation in built.items():
        start = time.perf_counter()
        verify(derivation)
        costs[name] = round(time.perf_counter() - start, 3)
    COSTS_FILE.write_text(json.dumps(costs, indent=1, sort_keys=True) + "\n")
    print(f"{COSTS_FILE}: {len(costs)} derivations, {sum(costs.values()):.2f} s on one core")


if __name__ == "__main__":
    main()
