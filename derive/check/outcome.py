"""The verdict of one link of a hand-written chain and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """The verdict of one link and why."""

    verdict: str            # correct | wrong | undecided
    kind: str               # step | arithmetic
    reason: str
