"""Text, LaTeX and JSON views of a derivation or worked example (for ``derive show``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sympy as sp

from derive.proof import Derivation, WorkedExample, plain
from derive.render import latex


def to_text(obj: Derivation | WorkedExample) -> str:
    """A readable plain-text view."""
    if isinstance(obj, WorkedExample):
        lines = [obj.title, plain(obj.summary), ""]
        for group, quantities in obj.groups():
            lines.append(f"[{group}]")
            for q in quantities:
                formula = f" = {sp.sstr(q.formula)}" if q.formula is not None else ""
                lines.append(f"  {q.symbol}{formula} = {q.value:.10g}")
        for c in obj.comparisons:
            lines.append(f"  {plain(c.label)}: back-propagation {c.left:.12g}, "
                         f"closed form {c.right:.12g}, |difference| {c.abs_error:.2g}")
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
                 f"{t['refuted']} refuted")
    for o in obj.oracles:
        lines.append(f"oracle ({plain(o.description)}): {o.verdict.status if o.verdict else '?'}")
    return "\n".join(lines)


def to_latex(obj: Derivation | WorkedExample) -> str:
    """The LaTeX a sheet would contain (the same partial templates)."""
    from derive.render.environment import make_environment, render_object

    return render_object(make_environment(), obj)


def to_data(obj: Derivation | WorkedExample) -> dict[str, Any]:
    """A JSON-ready dict: every step's LaTeX, rule and verdict, or every quantity's value."""
    if isinstance(obj, WorkedExample):
        values = obj.values()
        return {
            "name": obj.name, "title": obj.title, "kind": "worked-example",
            "quantities": [{
                "name": q.symbol.name, "group": q.group,
                "latex": latex.tex(q.symbol, obj.notation),
                "formula": None if q.formula is None else latex.tex(q.formula, obj.notation),
                "substituted": None if q.formula is None
                else latex.substituted(q.formula, values, obj.notation),
                "value": q.value} for q in obj.quantities],
            "comparisons": [{"label": plain(c.label), "left": c.left, "right": c.right,
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


def to_json(obj: Derivation | WorkedExample) -> str:
    return json.dumps(to_data(obj), indent=2)


FORMATS: dict[str, Callable[[Any], str]] = {"text": to_text, "latex": to_latex, "json": to_json}
