"""Ranks of a computation graph for a layered drawing, and the geometry that checks one.

Operations get ranks by depth, each level after a rank for the labels of the edges into it;
leaves go before their first use so that data inputs, parameters and operations never share
a rank (the review of sheet A's Fig. 6 and 8: inputs and weights interleaved in one column).
Graphviz dot (derive/render/dot_layout.py) orders the ranks and routes the edges; the
functions below measure the result: overlapping boxes, edge crossings, a box that an edge
runs through.
Pure geometry: no maths and no TeX here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

Point = tuple[float, float]
KIND_ORDER = ("input", "param", "const")   # leaf ranks before an operation rank, in this order


class GraphNode(Protocol):
    @property
    def parents(self) -> Sequence[GraphNode]: ...

    @property
    def op(self) -> str: ...


@dataclass
class Box:
    """An axis-parallel rectangle by its centre and half-sizes."""

    x: float
    y: float
    half_w: float
    half_h: float

    def overlaps(self, other: Box, margin: float = 0.0) -> bool:
        """Whether the two boxes, each grown by ``margin``/2, share any area."""
        return (abs(self.x - other.x) < self.half_w + other.half_w + margin
                and abs(self.y - other.y) < self.half_h + other.half_h + margin)

    def hit_by(self, a: Point, b: Point) -> bool:
        """Whether the segment a-b passes through the box (Liang-Barsky clipping)."""
        t0, t1 = 0.0, 1.0
        dx, dy = b[0] - a[0], b[1] - a[1]
        for p, q in ((-dx, a[0] - (self.x - self.half_w)), (dx, self.x + self.half_w - a[0]),
                     (-dy, a[1] - (self.y - self.half_h)), (dy, self.y + self.half_h - a[1])):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
        return True


def uses(order: Sequence[GraphNode]) -> dict[int, int]:
    """How many edges leave each node (keyed by id)."""
    count = {id(n): 0 for n in order}
    for node in order:
        for p in node.parents:
            count[id(p)] += 1
    return count


def labelled(node: GraphNode, count: dict[int, int]) -> bool:
    """Whether the edges leaving ``node`` carry labels: those of an operation, and of a leaf
    used more than once (a leaf used once shows its numbers itself)."""
    return bool(node.parents) or count[id(node)] > 1


def ranks(order: Sequence[GraphNode], by_kind: bool = True) -> dict[int, int]:
    """Rank (0 first) of every node, keyed by id.

    An operation's level is one more than its deepest operation parent's.  Before the
    operations of each level comes a rank for the labels of the edges into them
    (:func:`labelled`), and a leaf used once sits in it too, beside the labels.  A leaf used
    more than once needs a label rank between it and its uses: it gets a rank of its own just
    before, unless a rank of the level before holds leaves of its kind (a bias joins its
    unit's weights).  With ``by_kind``, inputs, parameters and constants never share a rank:
    in a label rank the parameters stay and the other kinds move to their own ranks.
    """
    level: dict[int, int] = {}
    for node in order:
        level[id(node)] = 1 + max((level[id(p)] for p in node.parents if p.parents), default=0)
    count = uses(order)
    first: dict[int, int] = {}
    for node in order:
        for p in node.parents:
            first[id(p)] = min(first.get(id(p), level[id(node)]), level[id(node)])
    kinds = len(KIND_ORDER)

    def kind(node: GraphNode) -> int:
        return KIND_ORDER.index(node.op) if by_kind and node.op in KIND_ORDER else 1

    # a slot is (level, place, kind): place 0..kinds-1 leaf ranks, kinds the label rank,
    # kinds + 1 the operations
    slot: dict[int, tuple[int, int, int]] = {}
    leaves = [n for n in order if not n.parents]
    for node in leaves:
        if count[id(node)] == 1:
            slot[id(node)] = (first[id(node)], kinds, kind(node))
    for lv in {s[0] for s in slot.values()}:       # one kind in a label rank: the parameters'
        here = {s[2] for s in slot.values() if s[:2] == (lv, kinds)}
        if len(here) > 1:
            stay = 1 if 1 in here else min(here)
            for key, (at, place, k) in slot.items():
                if (at, place) == (lv, kinds) and k != stay:
                    slot[key] = (at, k, k)
    for node in sorted((n for n in leaves if count[id(n)] != 1),
                       key=lambda n: first.get(id(n), 1)):
        lv, k = first.get(id(node), 1), kind(node)
        earlier = sorted(s for s in slot.values() if s[0] == lv - 1 and s[2] == k
                         and s[1] <= kinds)
        slot[id(node)] = earlier[-1] if earlier else (lv, k, k)
    for node in order:
        if node.parents:
            slot[id(node)] = (level[id(node)], kinds + 1, 0)
    used = sorted({s[:2] for s in slot.values()} | {(level[id(n)], kinds) for n in order
                                                    if n.parents})
    return {key: used.index(s[:2]) for key, s in slot.items()}


def bezier(points: Sequence[Point], steps: int = 12) -> list[Point]:
    """A polyline through a piecewise cubic Bezier curve (start, then three points each)."""
    out = [points[0]]
    for k in range(1, len(points) - 2, 3):
        p0, p1, p2, p3 = points[k - 1:k + 3]
        for s in range(1, steps + 1):
            t = s / steps
            u = 1 - t
            out.append((u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0]
                        + t ** 3 * p3[0],
                        u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1]
                        + t ** 3 * p3[1]))
    return out


def _cross(a: Point, b: Point, c: Point, d: Point) -> Point | None:
    """Where segments a-b and c-d cross (not merely touch at an end), or None."""
    r = (b[0] - a[0], b[1] - a[1])
    s = (d[0] - c[0], d[1] - c[1])
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-12:
        return None
    t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / den
    u = ((c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0]) / den
    if 1e-6 < t < 1 - 1e-6 and 1e-6 < u < 1 - 1e-6:
        return a[0] + t * r[0], a[1] + t * r[1]
    return None


def crossings(paths: Sequence[Sequence[Point]]) -> list[Point]:
    """Every point where two of the polylines cross."""
    found = []
    for i, p in enumerate(paths):
        for q in paths[i + 1:]:
            for a, b in zip(p, p[1:], strict=False):
                for c, d in zip(q, q[1:], strict=False):
                    point = _cross(a, b, c, d)
                    if point is not None:
                        found.append(point)
    return found


def count_overlaps(boxes: Sequence[Box], margin: float = 0.0) -> int:
    """How many pairs of boxes overlap (0 for a legible figure)."""
    return sum(a.overlaps(b, margin) for k, a in enumerate(boxes) for b in boxes[k + 1:])
