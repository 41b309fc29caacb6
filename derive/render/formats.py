"""Text, Markdown, LaTeX and JSON views of a derivation, worked example or figure (for
``derive show``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from derive.figure import Figure
from derive.numeric import graph, vector_graph
from derive.proof import Derivation, WorkedExample, plain
from derive.render import latex, markdown, terminal

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


def _json_value(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else value


def to_text(obj: Shown) -> str:
    """The readable terminal view: Unicode mathematics, wrapped to the terminal's width."""
    return terminal.to_terminal(obj)


def to_markdown(obj: Shown) -> str:
    """Markdown with ``$...$``/``$$...$$`` maths (GitHub, Jupyter)."""
    return markdown.to_markdown(obj)


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
                             "also": [_json_value(v) for v in c.also],
                             "abs_error": c.abs_error} for c in obj.comparisons],
            "compared": list(obj.compared),
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


FORMATS: dict[str, Callable[[Any], str]] = {"text": to_text, "markdown": to_markdown,
                                            "latex": to_latex, "json": to_json}
