"""Where a derivation's display may break across pages: between its chains of equalities, and
inside a chain only when the chain is too long to keep on one page.

A chain is a step with a left side and the steps after it that continue its right side
("= ..."). Review 19 found one result's chain split over a page break (sheet C, BP3): the
line that names the result on one page, the lines that derive it on the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

KEEP_TOGETHER = 6     # a chain of at most this many rows is never split across pages


class Row(Protocol):
    @property
    def left(self) -> str: ...


def row_ends(rows: Sequence[Row], keep: int = KEEP_TOGETHER) -> list[str]:
    """The LaTeX that ends each row but the last: ``\\\\*`` (no page break after it) inside a
    chain of at most ``keep`` rows, after the first row of the display and before its last;
    ``\\\\`` elsewhere."""
    starts = [k for k, row in enumerate(rows) if row.left or k == 0]
    length = {}
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(rows)
        for k in range(start, end):
            length[k] = end - start
    ends = []
    for k in range(len(rows) - 1):
        same_chain = not rows[k + 1].left
        glued = k == 0 or k == len(rows) - 2 or (same_chain and length[k] <= keep)
        ends.append(r"\\*" if glued else r"\\")
    return ends
