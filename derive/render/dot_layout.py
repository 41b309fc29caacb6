"""A graph laid out by Graphviz ``dot``: node centres and edge splines.

The caller gives every node's size and rank (in big points, as TikZ's ``bp`` and dot's
points are); ``dot -Tjson`` orders the ranks to reduce crossings, places the nodes and routes
the edges around them.  An edge label is given as a node of its own (derive/render/graphs.py
splits a labelled edge in two at it), so dot keeps it clear of other nodes, labels and edges.
Nothing here knows TeX.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

from derive.errors import DeriveError

DOT_TIMEOUT_S = 60.0
Point = tuple[float, float]


class GraphvizError(DeriveError):
    """Graphviz's dot is missing or failed, and a computation-graph figure needs it."""


@dataclass
class DotNode:
    """A node to place: its key, size (bp), shape ("box" or "circle") and rank (0 first)."""

    key: str
    width: float
    height: float
    rank: int
    shape: str = "box"


@dataclass
class DotEdge:
    """An edge from ``tail`` to ``head``, leaving and entering at the given compass points
    ("e", "w"; "" for dot's choice)."""

    tail: str
    head: str
    tailport: str = ""
    headport: str = ""
    arrow: bool = True


@dataclass
class Route:
    """A laid-out edge: Bezier points (start, then three per segment) and the arrow tip."""

    tail: str
    head: str
    points: list[Point]
    tip: Point


@dataclass
class Layout:
    """Where dot put everything (bp, y upwards), and the bounding box's width and height."""

    centres: dict[str, Point]
    routes: list[Route]
    width: float
    height: float
    sizes: dict[str, Point] = field(default_factory=dict)   # node key -> (width, height)


def _inches(bp: float) -> str:
    return f"{bp / 72:.4f}"


def dot_source(nodes: Sequence[DotNode], edges: Sequence[DotEdge], rankdir: str = "LR",
               nodesep: float = 8.0, ranksep: float = 14.0, arrowsize: float = 0.5,
               orders: Sequence[Sequence[str]] = ()) -> str:
    """The DOT text: fixed-size nodes, and every rank tied to an invisible spine so that the
    ranks are exactly the given ones.  Each of ``orders`` lists nodes of one rank that must
    keep that order (top to bottom with LR), held by invisible edges between them."""
    lines = ["digraph G {",
             f"  rankdir={rankdir}; nodesep={_inches(nodesep)}; ranksep={_inches(ranksep)};",
             "  splines=spline; newrank=true; outputorder=edgesfirst;",
             '  node [fixedsize=true, label="", margin=0, penwidth=0.6];',
             f"  edge [arrowsize={arrowsize:.3f}, penwidth=0.6];"]
    for node in nodes:
        shape = "circle" if node.shape == "circle" else "box"
        lines.append(f'  "{node.key}" [shape={shape}, width={_inches(node.width)}, '
                     f"height={_inches(node.height)}];")
    ranks = sorted({node.rank for node in nodes})
    for r in ranks:
        members = " ".join(f'"{n.key}";' for n in nodes if n.rank == r)
        lines.append(f'  {{ rank=same; "spine{r}"; {members} }}')
    for r in range(ranks[0], ranks[-1] + 1):
        lines.append(f'  "spine{r}" [shape=point, width=0.01, height=0.01, style=invis];')
    for a, b in zip(range(ranks[0], ranks[-1]), range(ranks[0] + 1, ranks[-1] + 1),
                    strict=True):
        lines.append(f'  "spine{a}" -> "spine{b}" [style=invis];')
    for keys in orders:
        for upper, lower in zip(keys, keys[1:], strict=False):
            lines.append(f'  "{upper}" -> "{lower}" [style=invis];')
    for edge in edges:
        tail = f'"{edge.tail}"' + (f":{edge.tailport}" if edge.tailport else "")
        head = f'"{edge.head}"' + (f":{edge.headport}" if edge.headport else "")
        lines.append(f"  {tail} -> {head}{'' if edge.arrow else ' [arrowhead=none]'};")
    lines.append("}")
    return "\n".join(lines)


def _point(text: str, magnify: float) -> Point:
    x, y = text.split(",")
    return float(x) / magnify, float(y) / magnify


def run_dot(source: str) -> dict[str, object]:
    """dot -Tjson on the source; a clear error if Graphviz is not installed or fails."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizError("Graphviz's dot is not installed, and the computation-graph "
                            "figures need it for their layout; run `make pdf` (it installs "
                            "it) or `apt-get install graphviz`")
    try:
        done = subprocess.run([dot, "-Tjson"], input=source, capture_output=True, text=True,
                              timeout=DOT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as err:
        raise GraphvizError(f"dot took longer than {DOT_TIMEOUT_S:g} s") from err
    if done.returncode != 0:
        raise GraphvizError(f"dot failed: {done.stderr.strip()[:500]}")
    result: dict[str, object] = json.loads(done.stdout)
    return result


MAGNIFY = 1.4    # dot keeps about 8 pt between ranks whatever ranksep says: laid out this
                 # much larger and scaled back, the gaps shrink to about 6 bp


def layout(nodes: Sequence[DotNode], edges: Sequence[DotEdge], rankdir: str = "LR",
           nodesep: float = 8.0, ranksep: float = 14.0, magnify: float = MAGNIFY,
           orders: Sequence[Sequence[str]] = ()) -> Layout:
    """Lay the graph out with dot; the routes come in the order of ``edges``; ``orders`` as
    for :func:`dot_source`."""
    big = [DotNode(n.key, n.width * magnify, n.height * magnify, n.rank, n.shape)
           for n in nodes]
    data = run_dot(dot_source(big, edges, rankdir, nodesep * magnify, ranksep * magnify,
                              0.5 * magnify, orders))
    objects = data.get("objects", [])
    edge_data = data.get("edges", [])
    assert isinstance(objects, list) and isinstance(edge_data, list)
    names = [str(o["name"]) for o in objects]
    centres = {str(o["name"]): _point(o["pos"], magnify) for o in objects if "pos" in o}
    routes: dict[tuple[str, str], list[Route]] = {}
    for e in edge_data:
        tail, head = names[e["tail"]], names[e["head"]]
        if tail.startswith("spine"):
            continue
        fields = str(e["pos"]).split()
        tip = _point(fields[0][2:], magnify) if fields[0].startswith("e,") else None
        points = [_point(f, magnify) for f in fields if not f.startswith(("e,", "s,"))]
        routes.setdefault((tail, head), []).append(
            Route(tail, head, points, tip if tip is not None else points[-1]))
    ordered = [routes[(e.tail, e.head)].pop(0) for e in edges]
    bb = [float(v) for v in str(data["bb"]).split(",")]
    return Layout({n.key: centres[n.key] for n in nodes}, ordered,
                  (bb[2] - bb[0]) / magnify, (bb[3] - bb[1]) / magnify,
                  {n.key: (n.width, n.height) for n in nodes})
