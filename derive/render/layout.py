"""Layered layout of a computation graph, and placing edge labels where they do not overlap.

Columns are topological depths (inputs left, the output right); a leaf sits one column left
of its first use.  Within a column, nodes are ordered by the barycentre of their neighbours
(a few sweeps, as in Sugiyama's method) and then moved towards their neighbours' heights
while keeping a minimum gap.  Pure geometry: no maths and no TeX here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class GraphNode(Protocol):
    @property
    def parents(self) -> Sequence[GraphNode]: ...


@dataclass
class Box:
    """An axis-parallel rectangle by its centre and half-sizes (cm)."""

    x: float
    y: float
    half_w: float
    half_h: float

    def overlaps(self, other: Box, margin: float = 0.04) -> bool:
        return (abs(self.x - other.x) < self.half_w + other.half_w + margin
                and abs(self.y - other.y) < self.half_h + other.half_h + margin)


def layers(order: Sequence[GraphNode]) -> dict[int, int]:
    """Column of every node (keyed by id): depth for operations, first use - 1 for leaves."""
    column: dict[int, int] = {}
    for node in order:
        column[id(node)] = 1 + max((column[id(p)] for p in node.parents), default=-1)
    children: dict[int, list[GraphNode]] = {id(n): [] for n in order}
    for node in order:
        for p in node.parents:
            children[id(p)].append(node)
    for node in order:
        if not node.parents and children[id(node)]:
            column[id(node)] = min(column[id(c)] for c in children[id(node)]) - 1
    return column


def place(order: Sequence[GraphNode], gap: float = 1.0,
          sweeps: int = 4) -> dict[int, tuple[int, float]]:
    """(column, height) of every node; heights grow downwards, separated by at least ``gap``."""
    column = layers(order)
    neighbours: dict[int, list[int]] = {id(n): [] for n in order}
    for node in order:
        for p in node.parents:
            neighbours[id(node)].append(id(p))
            neighbours[id(p)].append(id(node))
    by_column: dict[int, list[int]] = {}
    for node in order:
        by_column.setdefault(column[id(node)], []).append(id(node))
    height = {}
    for ids in by_column.values():
        for k, i in enumerate(ids):
            height[i] = (k - (len(ids) - 1) / 2) * gap

    def mean_neighbour(i: int, side: int | None) -> float | None:
        ys = [height[j] for j in neighbours[i] if side is None or column[j] == column[i] + side]
        return sum(ys) / len(ys) if ys else None

    for sweep in range(sweeps):
        cols = sorted(by_column) if sweep % 2 == 0 else sorted(by_column, reverse=True)
        side = -1 if sweep % 2 == 0 else 1
        for c in cols:
            ids = by_column[c]
            def key(i: int, side: int = side) -> float:
                mean = mean_neighbour(i, side)
                return height[i] if mean is None else mean

            ids.sort(key=key)
            for k, i in enumerate(ids):
                height[i] = (k - (len(ids) - 1) / 2) * gap
    for _ in range(3):   # pull nodes towards their neighbours, keeping order and gaps
        for c in sorted(by_column):
            ids = by_column[c]
            targets = [mean_neighbour(i, None) for i in ids]
            wanted = [t if t is not None else height[i] for i, t in zip(ids, targets, strict=True)]
            placed: list[float] = []
            for w in wanted:
                placed.append(w if not placed else max(w, placed[-1] + gap))
            shift = sum(w - p for w, p in zip(wanted, placed, strict=True)) / len(placed)
            for i, y in zip(ids, placed, strict=True):
                height[i] = y + shift
    return {i: (column[i], height[i]) for i in column}


def label_position(start: tuple[float, float], end: tuple[float, float], size: tuple[float, float],
                   taken: list[Box], fractions: Sequence[float] = (0.5, 0.38, 0.62, 0.28, 0.72,
                                                                    0.2, 0.8)) -> float:
    """The fraction along an edge where a label of ``size`` overlaps nothing taken so far.

    The chosen box is added to ``taken``; if every candidate overlaps, the least crowded one
    is used (and reported by :func:`count_overlaps`).
    """
    best, best_hits = fractions[0], None
    for t in fractions:
        box = Box(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]),
                  size[0] / 2, size[1] / 2)
        hits = sum(box.overlaps(b) for b in taken)
        if hits == 0:
            taken.append(box)
            return t
        if best_hits is None or hits < best_hits:
            best, best_hits = t, hits
    taken.append(Box(start[0] + best * (end[0] - start[0]),
                     start[1] + best * (end[1] - start[1]), size[0] / 2, size[1] / 2))
    return best


def count_overlaps(boxes: Sequence[Box]) -> int:
    """How many pairs of boxes overlap (0 for a legible figure)."""
    return sum(a.overlaps(b, margin=0.0) for k, a in enumerate(boxes) for b in boxes[k + 1:])
