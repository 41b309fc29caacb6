"""Markdown views (GitHub and Jupyter): ``$...$`` inline and ``$$...$$`` display maths.

The maths is the LaTeX of :mod:`derive.render.latex`'s printer; a derivation's steps are one
``aligned`` block with each step's number and mark beside it, the rules listed under it by
number (a rule mixes words and maths, which ``\\text{}`` cannot hold in every renderer).
A sheet in Markdown is the derivations, examples and figures its template asks for, in the
order it asks for them (the sheet's own prose stays in the PDF).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from derive.figure import Figure
from derive.proof import Derivation, Text, Verdict, WorkedExample
from derive.render import latex

MARKS_TEX = {"proved": r"\checkmark", "checked": r"\approx", "refuted": r"\times",
             "undecided": "?", "given": r"\cdot"}
MARKS = {"proved": "✓", "checked": "≈", "refuted": "✗", "undecided": "?", "given": "given"}
# LaTeX of the sheets' preamble that KaTeX and MathJax do not know, and what they do know.
PORTABLE = [("psmallmatrix", "pmatrix"), (r"\operatorname*", r"\operatorname"),
            (r"\derivimplies{", r"\Longrightarrow\quad{"),      # the preamble's arrows
            (r"\derivequiv{", r"\Longleftrightarrow\quad{")]


def portable(tex: str) -> str:
    """LaTeX that GitHub's and Jupyter's maths renderers accept."""
    for old, new in PORTABLE:
        tex = tex.replace(old, new)
    return tex


def _prose(words: str) -> str:
    """Authored text: its ``$...$`` maths kept, Markdown's emphasis characters escaped."""
    parts = words.split("$")
    return "".join(f"${portable(p.strip())}$" if k % 2 else re.sub(r"([*_<>`\\|])", r"\\\1", p)
                   for k, p in enumerate(parts))


def text_markdown(words: Text, notation: Mapping[sp.Basic, str] | None = None) -> str:
    """A Text (words and expressions) as Markdown with inline maths."""
    return "".join(_prose(p) if isinstance(p, str)
                   else f"${portable(latex.tex(p, notation))}$" for p in words)


def _status(verdict: Verdict | None, kind: str) -> str:
    return "given" if kind == "given" else (verdict.status if verdict else "undecided")


def derivation_markdown(d: Derivation, heading: str = "###") -> str:
    """Title, summary, givens, the steps aligned with their marks, the rules, the tally."""
    out = [f"{heading} {_prose(d.title)}", "", text_markdown(d.summary, d.notation), ""]
    if d.givens:
        out += ["**Given:**", ""]
        out += [f"- {text_markdown(g, d.notation)}" for g in d.givens]
        out.append("")
    rows = []
    for number, (left, right, step) in enumerate(latex.step_lines(d), 1):
        mark = MARKS_TEX[_status(step.verdict, step.kind)]
        rows.append(f"{portable(left)} &{portable(right)} && ({number})\\ {mark}")
    out += ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""]
    for number, step in enumerate(d.steps, 1):
        status = _status(step.verdict, step.kind)
        out.append(f"{number}. {MARKS[status]} {text_markdown(step.rule, d.notation)}"
                   + ("" if status == "given" else f" *({status})*"))
    t = d.tally()
    out += ["", f"*Verified: {sum(t.values())} steps, {t['proved']} proved ✓, "
            f"{t['checked']} checked ≈, {t['refuted']} refuted, {t['undecided']} undecided.*"]
    for o in d.oracles:
        status = o.verdict.status if o.verdict else "undecided"
        out.append(f"*Oracle: {text_markdown(o.description, d.notation)} — {status}.*")
    return "\n".join(out) + "\n"


def example_markdown(ex: WorkedExample, heading: str = "###") -> str:
    """Each quantity as ``symbol = formula = numbers = value``, by group; the comparisons."""
    out = [f"{heading} {_prose(ex.title)}", "", text_markdown(ex.summary, ex.notation)]
    values = ex.values()
    for group, quantities in ex.groups():
        out += ["", f"**{_prose(group)}**", ""]
        for q in quantities:
            parts = latex.quantity_forms(q, values, ex.notation)
            out.append(f"- ${portable(' = '.join(parts))}$")
    if ex.comparisons:
        out += ["", f"**{ex.compared[0]} against {ex.against}**", "",
                "| | " + " | ".join(ex.compared) + " | largest difference |",
                "|---|" + "--:|" * (len(ex.compared) + 1)]
        for c in ex.comparisons:
            out.append(f"| {text_markdown(c.label, ex.notation)} | "
                       + "".join(f"${portable(latex.value_tex(v, 10))}$ | "
                                 for v in (c.left, c.right, *c.also))
                       + f"${latex.number(c.abs_error, 2)}$ |")
    return "\n".join(out) + "\n"


def figure_markdown(fig: Figure, heading: str = "###") -> str:
    """A figure's caption (the drawing itself is TikZ, in the PDF)."""
    what = ", ".join(fig.problems)
    return (f"{heading} Figure {fig.name}" + (f" ({what})" if what else "") + "\n\n"
            f"{_prose(fig.caption)}\n\n*(drawn in the PDF; its numbers: "
            f"`derive show {fig.name} --format json`)*\n")


def to_markdown(obj: Derivation | WorkedExample | Figure, heading: str = "###") -> str:
    """One derivation, worked example or figure as Markdown."""
    if isinstance(obj, Figure):
        return figure_markdown(obj, heading)
    if isinstance(obj, WorkedExample):
        return example_markdown(obj, heading)
    return derivation_markdown(obj, heading)


@dataclass
class Recorder:
    """A Catalogue that hands out another's objects and remembers, in order, what a
    document asked for (each once)."""

    catalogue: Any
    used: list[Derivation | WorkedExample | Figure] = field(default_factory=list)

    def _keep(self, obj: Any) -> Any:
        if all(obj is not seen for seen in self.used):
            self.used.append(obj)
        return obj

    def derivation(self, name: str) -> Derivation:
        return self._keep(self.catalogue.derivation(name))

    def example(self, name: str) -> WorkedExample:
        return self._keep(self.catalogue.example(name))

    def figure(self, name: str) -> Figure:
        return self._keep(self.catalogue.figure(name))

    def names(self) -> list[str]:
        return list(self.catalogue.names())

    def prepare(self, derivations: list[str]) -> None:
        self.catalogue.prepare(derivations)


def sheet_markdown(title: str, used: list[Derivation | WorkedExample | Figure]) -> str:
    """A sheet's derivations, examples and figures in the order it uses them."""
    parts = [f"# {title}", "",
             "*Every derivation, worked example and figure of the sheet, in its order; "
             "the sheet's prose and drawings are in the PDF.*", ""]
    return "\n".join(parts) + "\n".join(to_markdown(obj, "##") for obj in used)


def write_sheet_markdown(env: Any, template: str, title: str, catalogue: Any,
                         out_dir: Path) -> Path:
    """Render ``template`` (to learn what it uses, in order) and write
    ``out_dir/markdown/<title>.md``."""
    from derive.render.environment import render_template

    recorder = Recorder(catalogue)
    render_template(env, template, recorder)
    target = out_dir / "markdown" / f"{title}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".md.tmp")
    partial.write_text(sheet_markdown(title, recorder.used), encoding="utf-8")
    partial.replace(target)
    return target
