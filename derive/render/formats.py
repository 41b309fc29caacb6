"""Text, LaTeX and JSON views of a derivation or worked example (for ``derive show``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from derive.figure import Figure
from derive.numeric import graph, vector_graph
from derive.proof import Derivation, WorkedExample, plain
from derive.render import latex

Shown = Derivation | WorkedExample | Figure


def _graph_data(output: graph.Node) -> list[dict[str, Any]]:
    order = graph.topological_order(output)
    index = {id(n): k for k, n in enumerate(order)}
    return [{"id": k, "op": n.op, "label": n.label, "value": n.data, "grad": n.grad,
             "parents": [index[id(p)] for p in n.parents], "edge_grads": list(n.edge_grads)}
            for k, n in enumerate(order)]


def _tensor_graph_data(output: vector_graph.Tensor) -> list[dict[str, Any]]:
    order = vector_graph.topological_order(output)
    index = {id(n): k for k, n in enumerate(order)}
    return [{"id": k, "op": n.op, "label": n.label, "value": n.data.tolist(),
             "grad": n.grad.tolist(), "parents": [index[id(p)] for p in n.parents]}
            for k, n in enumerate(order)]


def figure_data(fig: Figure) -> dict[str, Any]:
    """Everything a figure is drawn from: every curve's points, every node's numbers."""
    out: dict[str, Any] = {"name": fig.name, "kind": "figure", "caption": fig.caption,
                           "problems": list(fig.problems)}
    if fig.plots:
        out["plots"] = [{"title": p.title, "xlabel": p.xlabel, "ylabel": p.ylabel,
                         "log_y": p.log_y, "log_x": p.log_x,
                         "series": [{"legend": s.legend, "x": s.xs, "y": s.ys}
                                    for s in p.series]} for p in fig.plots]
    if fig.graphs:
        out["graphs"] = [{"title": g.title, "rule": g.rule, "nodes": _graph_data(g.output)}
                         for g in fig.graphs]
    if fig.tensor_graph is not None:
        out["tensor_graph"] = _tensor_graph_data(fig.tensor_graph)
    if fig.geometry is not None:
        out["geometry"] = dict(vars(fig.geometry))
    out.update(fig.data)
    return out


def _plain_value(value: Any, digits: int) -> str:
    if hasattr(value, "shape"):
        return np.array2string(np.asarray(value), precision=digits, separator=", ")
    return f"{value:.{digits}g}"


def _json_value(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else value


def to_text(obj: Shown) -> str:
    """A readable plain-text view."""
    if isinstance(obj, Figure):
        data = figure_data(obj)
        lines = [f"figure {obj.name} ({', '.join(obj.problems)})", obj.caption]
        for p in data.get("plots", []):
            for s in p["series"]:
                lines.append(f"  curve {s['legend']}: {len(s['x'])} points")
        for g in data.get("graphs", []):
            lines.append(f"  graph {g['title']}: {len(g['nodes'])} nodes")
        if "tensor_graph" in data:
            lines.append(f"  vector graph: {len(data['tensor_graph'])} nodes")
        lines.append("  (the numbers: derive show NAME --format json)")
        return "\n".join(lines)
    if isinstance(obj, WorkedExample):
        lines = [obj.title, plain(obj.summary), ""]
        for group, quantities in obj.groups():
            lines.append(f"[{group}]")
            for q in quantities:
                formula = f" = {sp.sstr(q.formula)}" if q.formula is not None else ""
                lines.append(f"  {q.symbol}{formula} = {_plain_value(q.value, 10)}")
        for c in obj.comparisons:
            lines.append(f"  {plain(c.label)}: {obj.compared[0]} {_plain_value(c.left, 12)}, "
                         f"{obj.compared[1]} {_plain_value(c.right, 12)}, "
                         f"|difference| {c.abs_error:.2g}")
        return "\n".join(lines)
    lines = [obj.title, plain(obj.summary), ""]
    for number, step in enumerate(obj.steps, 1):
        status = step.verdict.status if step.verdict else "unverified"
        arrow = "=>" if step.kind == "implies" else "  "
        lines.append(f"{number:2d}. {arrow} {sp.sstr(step.lhs)} = {sp.sstr(step.rhs)}")
        lines.append(f"       [{plain(step.rule)}] -- {status}"
                     + (f": {step.verdict.method}" if step.verdict else ""))
    t = obj.tally()
    lines.append(f"\n{sum(t.values())} steps: {t['proved']} proved, {t['checked']} checked, "
                 f"{t['refuted']} refuted, {t['undecided']} undecided")
    for o in obj.oracles:
        lines.append(f"oracle ({plain(o.description)}): {o.verdict.status if o.verdict else '?'}")
    return "\n".join(lines)


def to_latex(obj: Shown) -> str:
    """The LaTeX a sheet would contain (the same partial templates)."""
    from derive.render.environment import make_environment, render_object

    return render_object(make_environment(), obj)


def to_data(obj: Shown) -> dict[str, Any]:
    """A JSON-ready dict: every step's LaTeX, rule and verdict, every quantity's value, or
    every number a figure is drawn from."""
    if isinstance(obj, Figure):
        return figure_data(obj)
    if isinstance(obj, WorkedExample):
        values = obj.values()
        return {
            "name": obj.name, "title": obj.title, "kind": "worked-example",
            "quantities": [{
                "name": q.symbol.name, "group": q.group,
                "latex": latex.tex(q.symbol, obj.notation),
                "formula": None if q.formula is None else latex.tex(q.formula, obj.notation),
                "substituted": None if q.formula is None or q.is_matrix
                else latex.substituted(q.formula, values, obj.notation),
                "value": _json_value(q.value)} for q in obj.quantities],
            "comparisons": [{"label": plain(c.label), "left": _json_value(c.left),
                             "right": _json_value(c.right),
                             "abs_error": c.abs_error} for c in obj.comparisons],
        }
    steps = []
    for step in obj.steps:
        v = step.verdict
        steps.append({
            "kind": step.kind, "lhs": latex.tex(step.lhs, obj.notation),
            "rhs": latex.tex(step.rhs, obj.notation), "rule": plain(step.rule),
            "rule_latex": latex.text_latex(step.rule, obj.notation),
            "verdict": None if v is None else {"status": v.status, "method": v.method,
                                               "points": v.points,
                                               "counterexample": v.counterexample}})
    result = obj.result
    return {"name": obj.name, "title": obj.title, "kind": "derivation",
            "summary": plain(obj.summary), "steps": steps, "tally": obj.tally(),
            "result": {"lhs": latex.tex(result.lhs, obj.notation),
                       "rhs": latex.tex(result.rhs, obj.notation)},
            "oracles": [{"description": plain(o.description),
                         "status": o.verdict.status if o.verdict else None}
                        for o in obj.oracles]}


def to_json(obj: Shown) -> str:
    return json.dumps(to_data(obj), indent=2)


FORMATS: dict[str, Callable[[Any], str]] = {"text": to_text, "latex": to_latex, "json": to_json}
