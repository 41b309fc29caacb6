"""HTML pages (``derive build --format html``): one static page per sheet, typeset by KaTeX.

A page holds the derivations, worked examples and figures its sheet's template asks for, in
that order (recorded as for Markdown, :class:`derive.render.markdown.Recorder`), with a table
of contents.  Each step is its number and ✓/≈ mark, its equation (display maths that scrolls
sideways on a narrow screen) and its rule; how it was verified is one click away in a
``<details>``.  KaTeX (npm's ``katex@0.16``) is copied into ``OUT/html/katex/`` so a page
works offline.  A figure is the SVG of the PDF the build's figure cache compiled from the
sheet's own TikZ/pgfplots code (``pdftocairo -svg``), or else its plots drawn from their
numbers as a small SVG (derive.render.notebook).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sympy as sp

from derive.errors import DeriveError
from derive.figure import Figure
from derive.proof import Derivation, Step, Text, Verdict, WorkedExample
from derive.render import latex
from derive.render.markdown import MARKS, Recorder, portable

KATEX = "katex@0.16"
# The sheets' own macros (templates/partials/preamble.tex.j2) as KaTeX knows them.
MACROS = {r"\derivimplies": r"\Longrightarrow\quad #1",
          r"\derivequiv": r"\Longleftrightarrow\quad #1"}
KATEX_FILES = ("katex.min.js", "katex.min.css", "fonts")

CSS = """
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222}
main{max-width:46rem;margin:0 auto;padding:0 0.8rem 3rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.2rem}
nav ol{padding-left:1.4rem}
.display{overflow-x:auto;overflow-y:hidden;max-width:100%}
.tex.display{padding:0.1rem 0}
ol.steps{list-style:none;padding:0;margin:0}
.step{border-left:3px solid #7a9;padding:0.2rem 0 0.2rem 0.6rem;margin:0.5rem 0}
.step.checked{border-color:#c90}.step.given{border-color:#bbb}
.step.refuted,.step.undecided{border-color:#c00}
.num{font-weight:600;margin-right:0.4rem}.mark{font-weight:700}
.proved .mark{color:#1a7f37}.checked .mark{color:#b36b00}.given .mark{color:#777}
.rule{color:#555;font-size:0.92rem;margin:0.1rem 0}
details{font-size:0.88rem;color:#444}summary{cursor:pointer}
.tally,.oracle{font-style:italic}
.quantities{list-style:none;padding:0}.quantities .katex-display{margin:0.4em 0}
table{border-collapse:collapse}td,th{padding:0.15rem 0.5rem;border-bottom:1px solid #ddd}
.katex-error{color:#c00;white-space:pre-wrap}
.figure img,.figure svg{max-width:100%;height:auto;display:block;margin:0 auto}
figcaption{font-size:0.92rem;color:#444}
"""

RENDER_JS = """
(function () {
  var macros = %s;
  document.querySelectorAll(".tex").forEach(function (el) {
    var tex = el.textContent;
    try {
      katex.render(tex, el, {displayMode: el.classList.contains("display"),
                                        throwOnError: true, macros: macros});
    } catch (err) {   // shown as its source, marked, and said on the console
      el.classList.add("katex-error");
      el.textContent = tex;
      el.title = String(err);
      console.error("KaTeX: " + err);
    }
  });
  document.documentElement.setAttribute("data-rendered", "yes");
})();
"""


class HtmlError(DeriveError):
    """KaTeX could not be had from the npm registry, or a figure not converted."""


def _math(tex: str, display: bool = False) -> str:
    body = html.escape(portable(tex), quote=False)
    if display:
        return f'<div class="tex display">{body}</div>'
    return f'<span class="tex">{body}</span>'


def prose_html(words: str) -> str:
    """Authored text: words escaped, its ``$...$`` maths typeset."""
    return "".join(_math(p) if k % 2 else html.escape(p, quote=False)
                   for k, p in enumerate(words.split("$")))


def text_html(words: Text, notation: Mapping[sp.Basic, str] | None = None) -> str:
    """A Text (words and expressions) as HTML with inline maths."""
    return "".join(prose_html(p) if isinstance(p, str) else _math(latex.tex(p, notation))
                   for p in words)


def _status(verdict: Verdict | None, kind: str) -> str:
    return "given" if kind == "given" else (verdict.status if verdict else "undecided")


def verification_html(verdict: Verdict | None, step: Step | None = None) -> str:
    """How a step (or oracle) was verified, in words, for its <details>."""
    if verdict is None:
        return "Not verified."
    words = {"proved": "Proved symbolically", "checked": "Checked numerically",
             "given": "A premise, stated and not checked", "refuted": "Refuted",
             "undecided": "Undecided"}[verdict.status]
    out = [f"<p><strong>{words}.</strong> {html.escape(verdict.method)}</p>"]
    if verdict.status == "checked":
        out.append(f"<p>{prose_html(latex.how_checked(verdict, step))}.</p>")
    if verdict.counterexample:
        out.append("<p>Counter-example: " + html.escape(", ".join(
            f"{k} = {v}" for k, v in verdict.counterexample.items())) + "</p>")
    return "".join(out)


def derivation_html(d: Derivation, anchor: str) -> str:
    """A derivation: title, summary, givens, one item per step, the tally and oracles."""
    out = [f'<section class="derivation" id="{anchor}">', f"<h2>{prose_html(d.title)}</h2>",
           f"<p>{text_html(d.summary, d.notation)}</p>"]
    if d.givens:
        out.append("<p><strong>Given:</strong></p><ul>" + "".join(
            f"<li>{text_html(g, d.notation)}</li>" for g in d.givens) + "</ul>")
    out.append('<ol class="steps">')
    for number, (left, right, step) in enumerate(latex.step_lines(d), 1):
        status = _status(step.verdict, step.kind)
        out.append(
            f'<li class="step {status}"><span class="num">({number})</span>'
            f'<span class="mark" title="{status}">{MARKS[status]}</span>'
            f"{_math(rf'{left} {right}', display=True)}"
            f'<p class="rule">{text_html(step.rule, d.notation)}</p>'
            f"<details><summary>{status}: how it was verified</summary>"
            f"{verification_html(step.verdict, step)}</details></li>")
    out.append("</ol>")
    t = d.tally()
    out.append(f'<p class="tally">Verified: {sum(t.values())} steps, {t["proved"]} proved ✓, '
               f'{t["checked"]} checked ≈, {t["refuted"]} refuted, {t["undecided"]} '
               "undecided.</p>")
    for o in d.oracles:
        status = o.verdict.status if o.verdict else "undecided"
        out.append(f'<details class="oracle"><summary>Oracle: '
                   f"{text_html(o.description, d.notation)} — {status}</summary>"
                   f"{verification_html(o.verdict)}</details>")
    return "\n".join(out + ["</section>"])


def example_html(ex: WorkedExample, anchor: str) -> str:
    """A worked example: ``symbol = formula = numbers = value`` by group, the comparisons."""
    values = ex.values()
    out = [f'<section class="example" id="{anchor}">', f"<h2>{prose_html(ex.title)}</h2>",
           f"<p>{text_html(ex.summary, ex.notation)}</p>"]
    for group, quantities in ex.groups():
        out.append(f'<h3>{prose_html(group)}</h3><ul class="quantities">')
        for q in quantities:
            parts = latex.quantity_forms(q, values, ex.notation)
            out.append(f"<li>{_math(' = '.join(parts), display=True)}</li>")
        out.append("</ul>")
    if ex.comparisons:
        names = [html.escape(c) for c in ex.compared]
        out.append(f"<h3>{names[0]} against {html.escape(ex.against)}</h3>"
                   "<div class=\"display\"><table><tr><th></th>"
                   + "".join(f"<th>{name}</th>" for name in names)
                   + "<th>largest difference</th></tr>")
        out += [f"<tr><td>{text_html(c.label, ex.notation)}</td>"
                + "".join(f"<td>{_math(latex.value_tex(v, 10))}</td>"
                          for v in (c.left, c.right, *c.also))
                + f"<td>{_math(latex.number(c.abs_error, 2))}</td></tr>"
                for c in ex.comparisons]
        out.append("</table></div>")
    return "\n".join(out + ["</section>"])


def data_svg(fig: Figure) -> str | None:
    """A figure's plots drawn from their numbers, scaling to the page's width; None if it
    has no plots (a computation graph or boundary is drawn only by TeX)."""
    from derive.render.notebook import figure_svg

    svg = figure_svg(fig)
    if svg is None:
        return None
    width = re.search(r'width="(\d+)"', svg)
    assert width is not None
    return svg.replace(f'width="{width[1]}" height="220">',
                       f'viewBox="0 0 {width[1]} 220" role="img">', 1)


def figure_html(fig: Figure, anchor: str, drawing: str | None) -> str:
    """A figure: its drawing (an <img> of its SVG, or an inline <svg>), then its caption."""
    body = drawing or data_svg(fig) or (
        '<p class="missing">(This drawing is made only by TeX; see the PDF.)</p>')
    what = ", ".join(fig.problems)
    return (f'<section class="figure" id="{anchor}"><h2>Figure {html.escape(fig.name)}'
            f"{f' ({html.escape(what)})' if what else ''}</h2><figure>"
            f'<div class="display">{body}</div><figcaption>'
            f"{prose_html(latex.plain_parentheses(fig.caption))}</figcaption></figure></section>")


def _anchor(obj: Derivation | WorkedExample | Figure) -> str:
    kind = "figure" if isinstance(obj, Figure) else \
        "example" if isinstance(obj, WorkedExample) else "derivation"
    return f"{kind}-{re.sub(r'[^A-Za-z0-9_-]', '-', obj.name)}"


def _toc_entry(obj: Derivation | WorkedExample | Figure) -> str:
    title = f"Figure {html.escape(obj.name)}" if isinstance(obj, Figure) else prose_html(obj.title)
    return f'<li><a href="#{_anchor(obj)}">{title}</a></li>'


def sheet_html(title: str, used: list[Derivation | WorkedExample | Figure],
               drawings: Mapping[str, str] | None = None) -> str:
    """The whole page: contents, then each derivation, example and figure in order;
    ``drawings`` maps a figure's name to the HTML of its drawing (else drawn from data)."""
    drawings = drawings or {}
    parts = []
    for obj in used:
        anchor = _anchor(obj)
        if isinstance(obj, Figure):
            parts.append(figure_html(obj, anchor, drawings.get(obj.name)))
        elif isinstance(obj, WorkedExample):
            parts.append(example_html(obj, anchor))
        else:
            parts.append(derivation_html(obj, anchor))
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        '<link rel="stylesheet" href="katex/katex.min.css">', f"<style>{CSS}</style>",
        "</head><body><main>", f"<h1>{html.escape(title)}</h1>",
        "<p><em>Every derivation, worked example and figure of the sheet, in its order, each "
        "step checked by derive: ✓ proved, ≈ checked numerically (open a step's details to "
        "see how). The sheet's prose is in the PDF.</em></p>",
        '<nav><h2>Contents</h2><ol>', *map(_toc_entry, used), "</ol></nav>",
        *parts, "</main>", '<script src="katex/katex.min.js"></script>',
        f"<script>{RENDER_JS % json.dumps(MACROS)}</script>", "</body></html>", ""])


def katex_assets(html_dir: Path, cache: Path) -> Path:
    """KaTeX in ``html_dir/katex`` (from ``cache``, installed there by npm when missing)."""
    dist = cache / "node_modules" / "katex" / "dist"
    if not (dist / "katex.min.js").is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise HtmlError("npm not found (KaTeX comes from the npm registry): "
                            "apt-get install npm, or make browser")
        cache.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund",
                            "--silent", "--no-save", KATEX], check=True, timeout=600,
                           capture_output=True, text=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
            tail = (getattr(err, "stderr", "") or "").strip().splitlines()[-1:] or [str(err)]
            raise HtmlError(f"npm install {KATEX} failed: {tail[0]}") from err
    target = html_dir / "katex"
    target.mkdir(parents=True, exist_ok=True)
    for name in KATEX_FILES:
        src = dist / name
        if src.is_dir():
            shutil.copytree(src, target / name, dirs_exist_ok=True)
        else:
            shutil.copy2(src, target / name)
    return target


def pdf_to_svg(pdf: Path, svg: Path) -> None:
    """One compiled figure PDF as SVG (poppler's pdftocairo)."""
    tool = shutil.which("pdftocairo")
    if tool is None:
        raise HtmlError("pdftocairo not found: apt-get install poppler-utils")
    svg.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([tool, "-svg", str(pdf), str(svg)], check=True, timeout=60,
                       capture_output=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        raise HtmlError(f"pdftocairo -svg {pdf} failed") from err


def write_sheet_html(env: Any, template: str, title: str, catalogue: Any, out_dir: Path,
                     figure_pdfs: Any = None) -> tuple[Path, dict[str, str]]:
    """Render ``template`` (to learn what it uses, in order) and write
    ``out_dir/html/<title>.html`` with KaTeX beside it.  ``figure_pdfs(env, figures)`` may
    map figure names to compiled PDFs (the figure cache's); those are shown as their SVG, the
    others drawn from their data.  Returns the page and how each figure was drawn."""
    from derive.render.environment import render_template

    recorder = Recorder(catalogue)
    render_template(env, template, recorder)
    html_dir = out_dir / "html"
    katex_assets(html_dir, out_dir / ".npm")
    figures = [o for o in recorder.used if isinstance(o, Figure)]
    pdfs: Mapping[str, Path] = figure_pdfs(env, figures) if figure_pdfs and figures else {}
    drawings, how = {}, {}
    for fig in figures:
        if fig.name in pdfs:
            svg = html_dir / "figures" / f"{fig.name}.svg"
            pdf_to_svg(pdfs[fig.name], svg)
            drawings[fig.name] = (f'<img src="figures/{html.escape(fig.name)}.svg" '
                                  f'alt="Figure {html.escape(fig.name)}">')
            how[fig.name] = "compiled PDF converted to SVG"
        else:
            how[fig.name] = "drawn from its data" if fig.plots else "not drawn (TeX only)"
    target = html_dir / f"{title}.html"
    partial = target.with_suffix(".html.tmp")
    partial.write_text(sheet_html(title, recorder.used, drawings), encoding="utf-8")
    partial.replace(target)
    return target, how
