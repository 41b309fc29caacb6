"""The Jinja environment: TeX-friendly delimiters, explicit escaping, the library as globals.

Delimiters follow nbconvert's LaTeX templates: ``((* block *))``, ``((( variable )))`` and
``((= comment =))``.  Autoescaping is off (it is HTML-only); templates escape plain text with
the ``e`` filter, and every text that comes from the library is escaped by the renderer.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import jinja2
import jinja2.ext
import jinja2.meta
import jinja2.nodes
import sympy as sp
from jinja2.sandbox import ImmutableSandboxedEnvironment

from derive.deadline import deadline
from derive.figure import Figure
from derive.paths import TEMPLATE_DIR
from derive.proof import Derivation, WorkedExample
from derive.render import breaks, latex, tables

T = TypeVar("T")


def _used(seen: list[T], obj: T) -> T:
    """Record obj once in seen; return it."""
    if obj not in seen:
        seen.append(obj)
    return obj


class Catalogue(Protocol):
    """What a template may ask for by name: verified derivations, computed examples, figures
    (the pipeline's; handed in, so the renderers import neither the registry nor the
    library)."""

    def derivation(self, name: str) -> Derivation: ...
    def example(self, name: str) -> WorkedExample: ...
    def figure(self, name: str) -> Figure: ...
    def names(self) -> list[str]: ...
    def prepare(self, derivations: list[str]) -> None: ...


def _a_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"a name is a string such as \"bce-gradient\", not {name!r}")
    return name


@dataclass
class Session:
    """What one rendering used, for the verification summary at the end of a document."""

    catalogue: Catalogue
    derivations: list[Derivation] = field(default_factory=list)
    examples: list[WorkedExample] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    compared_at_end: list[WorkedExample] = field(default_factory=list)   # their tables

    def derivation(self, name: str) -> Derivation:
        return _used(self.derivations, self.catalogue.derivation(_a_name(name)))

    def example(self, name: str) -> WorkedExample:
        return _used(self.examples, self.catalogue.example(_a_name(name)))

    def figure(self, name: str) -> Figure:
        return _used(self.figures, self.catalogue.figure(_a_name(name)))

    def totals(self) -> dict[str, int]:
        counts = {"derivations": len(self.derivations), "steps": 0, "proved": 0, "checked": 0,
                  "refuted": 0, "undecided": 0, "oracles": 0, "examples": len(self.examples),
                  "comparisons": sum(len(e.comparisons) for e in self.examples),
                  "figures": len(self.figures)}
        for d in self.derivations:
            tally = d.tally()
            counts["steps"] += sum(tally.values())
            for k, v in tally.items():
                counts[k] += v
            counts["oracles"] += len(d.oracles)
        return counts


class ParenthesisTrap(jinja2.ext.Extension):
    """Reject ``((((``: a parenthesis just before ``(((`` is silently swallowed by Jinja
    (``f(((( x )))`` renders as ``f5``); the error says where, and how to write it."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        at = source.find("((((")
        if at >= 0:
            line = source.count("\n", 0, at) + 1
            raise jinja2.TemplateSyntaxError(
                "'((((' : a '(' just before '(((' would be lost; write '( ((( ... )))' "
                "(a space between) or '({}((( ... )))'", line, name, filename)
        return source


# Set DERIVE_TRUSTED_TEMPLATES=1 to render with Jinja's plain environment (templates may then
# reach Python's internals); only for templates you wrote yourself.  Never the default.
TRUSTED_SETTING = "DERIVE_TRUSTED_TEMPLATES"
RENDER_SECONDS = 300          # a template that renders longer than this is stopped
RENDER_CHARACTERS = 50_000_000   # and one whose output grows beyond this


class RenderLimitError(Exception):
    """A template ran past the time or size limit of a rendering."""


def make_environment(search_path: list[Path] | None = None,
                     library_names: Callable[[], list[str]] = list,
                     trusted: bool | None = None) -> jinja2.Environment:
    """A Jinja environment that loads from ``search_path`` and then derive's templates;
    ``library_names`` lists what templates may ask for.

    Templates render in Jinja's immutable sandbox: they can call what derive hands them and
    read attributes, but not reach Python's internals (``__globals__``, ``__class__``, …) nor
    change the objects they are given.  ``trusted`` (default: the DERIVE_TRUSTED_TEMPLATES
    setting) lifts the sandbox."""
    if trusted is None:
        trusted = os.environ.get(TRUSTED_SETTING, "") == "1"
    kind = jinja2.Environment if trusted else ImmutableSandboxedEnvironment
    paths = [*(search_path or []), TEMPLATE_DIR]
    env = kind(
        loader=jinja2.FileSystemLoader([str(p) for p in paths]),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
        autoescape=False, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        extensions=[ParenthesisTrap],
    )
    env.filters.update(
        e=latex.escape_text,
        tied_end=latex.tied_end,
        authored=latex.authored_latex,
        escape_tex=latex.escape_text,
        tex=lambda expr, notation=None: latex.tex(expr, notation),
        text=lambda words, notation=None: latex.text_latex(words, notation),
        number=latex.number,
        value=latex.value_tex,
        mark=latex.verdict_mark,
    )
    env.globals.update(
        substituted=latex.substituted,
        quantity_rows=latex.quantity_rows,
        paired_quantities=latex.paired_quantities,
        table_rows=tables.table_rows,
        table_spec=tables.table_spec,
        table_head=tables.table_head,
        comparison_lines=tables.comparison_lines,
        step_lines=latex.step_lines,
        step_rows=latex.step_rows,
        row_ends=breaks.row_ends,
        rule_widths=latex.RULE_WIDTHS,
        checked_notes=latex.checked_notes,
        verdict_runs=latex.verdict_runs,
        sstr=sp.sstr,
        library_names=library_names,
    )
    return env


def named_derivations(env: jinja2.Environment, name: str) -> list[str]:
    """The derivations a template (and every template it includes, imports or extends) asks
    for by a literal name, ``derivation("bce-gradient")``, read from Jinja's syntax tree so
    that they can be verified in one batch before rendering.  A name computed at render
    time is not seen here; it is verified when the template asks for it."""
    found: list[str] = []
    pending, seen = [name], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        source = env.loader.get_source(env, current)[0] if env.loader else ""
        tree = env.parse(source)
        for call in tree.find_all(jinja2.nodes.Call):
            if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "derivation" \
                    and call.args and isinstance(call.args[0], jinja2.nodes.Const) \
                    and isinstance(call.args[0].value, str):
                _used(found, call.args[0].value)
        pending.extend(t for t in jinja2.meta.find_referenced_templates(tree) if t)
    return found


def render_object(env: jinja2.Environment, obj: Derivation | WorkedExample | Figure,
                  steps: list[str] | None = None, comparisons: str = "here") -> str:
    """A derivation, worked example or figure as the LaTeX a document contains (of a
    derivation, with ``steps``, only the steps with those labels; of an example, with
    ``comparisons="appendix"``, one line for its table of comparisons, which the document's
    Verification section then holds)."""
    if isinstance(obj, Figure):
        from derive.render.figures import figure_latex

        return figure_latex(obj)
    if isinstance(obj, WorkedExample):
        if comparisons not in ("here", "appendix"):
            raise ValueError(f"comparisons must be 'here' or 'appendix', not {comparisons!r}")
        return env.get_template("partials/example.tex.j2").render(ex=obj, comparisons=comparisons)
    return env.get_template("partials/derivation.tex.j2").render(d=obj, only=steps)


def render_template(env: jinja2.Environment, name: str, catalogue: Catalogue,
                    **context: Any) -> str:
    """Render one template with a fresh Session; the library is callable from it.

    ``derivation("bce-gradient")``, ``example("c12-scalar-network")`` and
    ``figure("c12-graph")`` insert the verified derivation, computed example or drawn figure;
    ``verification_summary()`` the totals of what was used.
    """
    catalogue.prepare(named_derivations(env, name))
    session = Session(catalogue)

    def insert_derivation(name: str, steps: list[str] | None = None) -> str:
        # steps: the labels of the only steps to show (every step is verified all the same)
        return render_object(env, session.derivation(name), steps)

    def insert_example(name: str, comparisons: str = "here") -> str:
        # comparisons="appendix": the table of comparisons goes to the Verification section
        example = session.example(name)
        shown = render_object(env, example, comparisons=comparisons)
        if comparisons == "appendix" and example.comparisons:
            _used(session.compared_at_end, example)
        return shown

    def insert_figure(name: str) -> str:
        return render_object(env, session.figure(name))

    def summary() -> str:
        return env.get_template("partials/summary.tex.j2").render(
            session=session, totals=session.totals())

    template = env.get_template(name)
    pieces = template.generate(
        derivation=insert_derivation, example=insert_example, figure=insert_figure,
        verification_summary=summary, get_derivation=session.derivation,
        get_example=session.example, get_figure=session.figure, **context)
    with _time_limit(RENDER_SECONDS):
        return "".join(_bounded(pieces))


def _bounded(pieces: Iterator[str]) -> Iterator[str]:
    """The pieces of a rendering, stopped once they grow past RENDER_CHARACTERS."""
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > RENDER_CHARACTERS:
            raise RenderLimitError(f"the output grew beyond {RENDER_CHARACTERS:,} characters")
        yield piece


def _time_limit(seconds: float) -> contextlib.AbstractContextManager[None]:
    """Stop the block after ``seconds`` with RenderLimitError (main thread only)."""
    return deadline(seconds, lambda: RenderLimitError(
        f"rendering took longer than {seconds:g} s"))
