"""The build driver: templates -> .tex -> PDF with latexmk, safely, never replacing a good PDF.

:func:`build_documents` reads like the pipeline: it verifies, in one parallel batch, every
derivation the out-of-date documents name; renders each template (library -> verifier ->
renderers) and writes its .tex; and compiles it with latexmk while the next one renders.
A fingerprint of what a document used lets an unchanged one skip all of that, without even
importing SymPy; a figure is compiled once per content (derive.build.figure_cache).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from derive.build import incremental
from derive.build.figure_cache import FigureCache
from derive.build.latexmk import (
    LATEX_TIMEOUT_S,
    LatexJob,
    compile_latex,
    folder_lock,
    write_atomically,
)
from derive.errors import DeriveError, LatexError, TemplateError, UnknownNameError
from derive.paths import BUILD_DIR, SHEET_DIR

__all__ = ["BuildResult", "Rendered", "build_document", "build_documents", "build_sheet",
           "build_sheets", "compile_latex", "fingerprint", "render_document", "render_tex",
           "sheet_names"]

@dataclass(frozen=True)
class BuildResult:
    name: str
    pdf: Path
    skipped: bool


def sheet_names() -> list[str]:
    """The sheets in templates/sheets/, by name (file name without .tex.j2)."""
    return sorted(p.name.removesuffix(".tex.j2") for p in SHEET_DIR.glob("*.tex.j2"))


def fingerprint(template: Path, used: list[Path] | None = None) -> str:
    """A hash of everything a document depends on (see derive.build.incremental): its
    template, the files its last rendering used, derive's code outside the builders."""
    return incremental.fingerprint(template, used or [])


@dataclass(frozen=True)
class Rendered:
    """A rendered document: its LaTeX, the files it used, the compiled figures it shows."""

    source: str
    used: list[Path]
    figures: list[str]
    preamble: tuple[Path, bytes] | None = None    # its class and preamble, precompiled


class _Recording:
    """A catalogue that notes what a document asked for, by kind and name."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    def derivation(self, name: str) -> Any:
        self.asked.append(("derivation", name))
        return self.inner.derivation(name)

    def example(self, name: str) -> Any:
        self.asked.append(("example", name))
        return self.inner.example(name)

    def figure(self, name: str) -> Any:
        self.asked.append(("figure", name))
        return self.inner.figure(name)

    def names(self) -> list[str]:
        return list(self.inner.names())

    def prepare(self, derivations: list[str]) -> None:
        self.inner.prepare(derivations)


def render_tex(template: Path) -> str:
    """Render a Jinja-LaTeX document, its figures drawn inline; every error in it is one
    line naming the template file and line (in an included template, that one)."""
    return render_document(template).source


def render_document(template: Path, figures: FigureCache | None = None) -> Rendered:
    """Render a Jinja-LaTeX document (see render_tex); with a figure cache, its figures are
    recorded there and included as compiled PDFs, if the document has the preamble they
    are compiled with (else they are drawn inline)."""
    from derive.pipeline import Catalogue
    from derive.render.environment import make_environment, render_template
    from derive.render.figures import compiled_figures

    if not template.is_file():
        raise TemplateError(f"{template}: not a file")
    catalogue = _Recording(Catalogue())
    env = make_environment([template.parent], catalogue.names)
    with template_errors(template):
        if figures is not None:
            figures.begin(env)
        with compiled_figures(figures.include if figures is not None else None):
            source = render_template(env, template.name, catalogue)
        if figures is not None and figures.recorded and not source.startswith(figures.head()):
            figures.begin(env)
            source = render_template(env, template.name, catalogue)
        loaded = [Path(t.filename) for t in env.cache.values() if t.filename] if env.cache else []
    return Rendered(source, [*loaded, *_builder_files(catalogue.asked)],
                    list(figures.recorded) if figures is not None else [])


def _builder_files(asked: list[tuple[str, str]]) -> set[Path]:
    """The source files of the builders a document asked for, and the library and numeric
    modules they and derive's other code import."""
    from derive.registry import BUILDERS, EXAMPLES, FIGURES

    tables: dict[str, dict[str, Callable[[], object]]] = {
        "derivation": dict(BUILDERS), "example": dict(EXAMPLES), "figure": dict(FIGURES)}
    modules = {incremental.builder_module(tables[kind][name])
               for kind, name in asked if name in tables[kind]}
    return incremental.module_files(modules | incremental.core_builder_modules())


@contextmanager
def template_errors(template: Path) -> Iterator[None]:
    """Errors of a rendering as one-line TemplateErrors naming the template and line."""
    import jinja2
    from jinja2.sandbox import SecurityError

    from derive.render.environment import RenderLimitError

    try:
        yield
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{err.filename or template}:{err.lineno}: {err.message}") from err
    except jinja2.TemplateNotFound as err:
        raise TemplateError(f"{_where(err, template)}: template not found: {err.name}") from err
    except jinja2.UndefinedError as err:
        raise TemplateError(f"{_where(err, template)}: {err.message}") from err
    except SecurityError as err:
        raise TemplateError(f"{_where(err, template)}: not allowed in a template "
                            f"(derive renders templates in Jinja's sandbox): {err}") from err
    except RenderLimitError as err:
        raise TemplateError(f"{_where(err, template)}: {err}") from err
    except UnicodeDecodeError as err:
        raise TemplateError(f"{template}: not UTF-8 text ({err.reason} at byte "
                            f"{err.start})") from err
    except DeriveError:
        raise
    except Exception as err:   # a template's own mistake: ((( 1/0 ))), a wrong argument
        raise TemplateError(f"{_where(err, template)}: {type(err).__name__}: {err}") from err


def _where(err: BaseException, template: Path) -> str:
    """file:line of the innermost template frame of an exception raised while rendering
    (an included template names itself, not the one that includes it)."""
    tb = err.__traceback__
    where = str(template)
    while tb is not None:
        file = tb.tb_frame.f_code.co_filename   # Jinja maps its frames to template lines
        if not file.endswith(".py") and Path(file).is_file():
            where = f"{file}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


@dataclass(frozen=True)
class Document:
    """A document to build: its template and where its .tex, PDF and stamp go."""

    template: Path
    out_dir: Path

    @property
    def name(self) -> str:
        return self.template.name.removesuffix(".j2").removesuffix(".tex")

    @property
    def tex(self) -> Path:
        return self.out_dir / f"{self.name}.tex"

    @property
    def pdf(self) -> Path:
        return self.out_dir / f"{self.name}.pdf"

    @property
    def failed_tex(self) -> Path:
        """Where the source of a failed build is kept, beside the last good .tex and PDF."""
        return self.out_dir / f"{self.name}.failed.tex"

    @property
    def stamp(self) -> Path:
        return self.out_dir / ".stamps" / f"{self.name}.sha256"

    def used(self) -> list[Path] | None:
        """The files its last build used (None: no record, build it)."""
        return incremental.recorded(self.stamp)

    def up_to_date(self) -> bool:
        used = self.used()
        return (used is not None and self.pdf.exists() and self.stamp.exists()
                and self.stamp.read_text() == fingerprint(self.template, used))

    def check_outputs(self) -> None:
        """A DeriveError if building would write over the document's own template."""
        for output in (self.tex, self.pdf, self.failed_tex):
            if output.resolve() == self.template.resolve():
                raise DeriveError(f"{self.template}: building it into {self.out_dir} would "
                                  f"overwrite it with its own output; name the document "
                                  f"{self.name}.tex.j2, or choose another --out")


def _output_folder(out_dir: Path) -> Path:
    if out_dir.exists() and not out_dir.is_dir():
        raise DeriveError(f"--out {out_dir}: not a folder (it names the folder the .tex and "
                          "PDF files go to)")
    return out_dir


def _quiet(_: str) -> None:
    pass


def build_documents(templates: list[Path], out_dir: Path, force: bool = False,
                    progress: Callable[[str], None] = _quiet,
                    timeout: float = LATEX_TIMEOUT_S) -> list[BuildResult]:
    """Build Jinja-LaTeX documents into out_dir/NAME.tex and NAME.pdf.

    One build at a time per folder (a lock; a second build waits, saying so).  Documents
    whose inputs are unchanged are skipped (see derive.build.incremental).  For each of the
    others in turn, the derivations it names are verified in one parallel batch, the
    template is rendered, its figures not yet compiled start compiling (derive.build.
    figure_cache), and once they are there latexmk compiles the document in a private
    folder (timeout: seconds per document) while the next document is verified and
    rendered.  Only a checked PDF replaces the old one, with its .tex, and only then is the
    stamp written; a failed document keeps its last good .tex and PDF, its failed source
    going to NAME.failed.tex.  The first template error stops the build.
    """
    docs = [Document(t, _output_folder(out_dir)) for t in templates]
    for doc in docs:
        doc.check_outputs()
    begun = time.time()
    with folder_lock(out_dir, *([] if progress is _quiet else [progress])):
        stale = [doc for doc in docs if force or not doc.up_to_date()]
        figures = FigureCache(out_dir, timeout) if stale else None
        waiting: list[tuple[Document, Rendered]] = []
        started: list[tuple[Document, Rendered, LatexJob]] = []
        failure: DeriveError | None = None
        try:
            for doc in stale:
                try:
                    waiting.append((doc, _render(doc, progress, figures)))
                except DeriveError as err:
                    failure = err      # later documents are not started; earlier ones finish
                    break
                failure = _start_ready(waiting, started, figures, timeout, progress,
                                       False) or failure
            failure = _start_ready(waiting, started, figures, timeout, progress,
                                   True) or failure
            for doc, rendered, job in started:
                try:
                    _install(doc, job, _stamp_digest(doc, rendered, begun), rendered.used)
                except LatexError as err:
                    failure = failure or err
                    continue
                progress(f"{doc.pdf} built")
        finally:
            for _, _, job in started:     # interrupted, say: stop latexmk too
                job.cancel()
            if figures is not None:
                figures.close(cancel=failure is not None)
    if failure is not None:
        raise failure
    if figures is not None and figures.compiled:
        progress(f"{len(figures.compiled)} figure{'s' * (len(figures.compiled) != 1)} "
                 f"compiled into {figures.folder}")
    return [BuildResult(doc.name, doc.pdf, skipped=doc not in stale) for doc in docs]


def _start_ready(waiting: list[tuple[Document, Rendered]],
                 started: list[tuple[Document, Rendered, LatexJob]],
                 figures: FigureCache | None, timeout: float,
                 progress: Callable[[str], None], wait: bool) -> LatexError | None:
    """Start latexmk on each rendered document whose figures are compiled (wait: on every
    one, once they are); the first figure that failed to compile, if any."""
    failure = None
    for doc, rendered in list(waiting):
        if not (wait or figures is None or figures.ready(rendered.figures)):
            continue
        waiting.remove((doc, rendered))
        try:
            files = figures.files(rendered.figures) if figures is not None else {}
        except LatexError as err:
            failure = failure or err
            continue
        progress(f"compiling {doc.name} with latexmk ...")
        started.append((doc, rendered, LatexJob(doc.tex, doc.template, timeout,
                                                rendered.source.encode(), files,
                                                rendered.preamble)))
    return failure


def _stamp_digest(doc: Document, rendered: Rendered, begun: float) -> str | None:
    """The document's fingerprint over what it used, or None (no stamp: build it again)
    when one of those files changed after this build began (saved while it ran)."""
    try:
        if any(p.stat().st_mtime > begun for p in [doc.template, *rendered.used]):
            return None
    except OSError:
        return None
    return fingerprint(doc.template, rendered.used)


def _install(doc: Document, job: LatexJob, digest: str | None, used: list[Path]) -> None:
    """Wait for the document's LaTeX run; put its .tex and checked PDF in place, then its
    record of what it used and its stamp.  On failure the last good .tex and PDF stay, the
    source goes to NAME.failed.tex."""
    try:
        pdf = job.finish()
    except LatexError as err:
        write_atomically(doc.failed_tex, job.source)
        kept = f"; {doc.name}.tex and .pdf are the last good build" * doc.pdf.exists()
        raise LatexError(f"{err} (the failed source is kept as {doc.failed_tex}{kept})") \
            from err
    doc.stamp.unlink(missing_ok=True)   # until the new pair is in place
    write_atomically(doc.tex, job.source)
    write_atomically(doc.pdf, pdf)
    incremental.record(doc.stamp, used)
    if digest is not None:
        write_atomically(doc.stamp, digest.encode())
    doc.failed_tex.unlink(missing_ok=True)


def _render(doc: Document, progress: Callable[[str], None],
            figures: FigureCache | None) -> Rendered:
    """Verify the document's derivations and render it (one road: the pipeline's
    catalogue, see render_template); start compiling its figures that are not cached."""
    progress(f"verifying and rendering {doc.name} ...")
    rendered = render_document(doc.template, figures)
    if figures is not None:
        if rendered.source.startswith(figures.head()):
            rendered = replace(rendered, preamble=figures.preamble())
        new = figures.start()
        if new:
            progress(f"compiling {len(new)} figure{'s' * (len(new) != 1)} of {doc.name} ...")
    return rendered


def build_document(template: Path, out_dir: Path, force: bool = False,
                   timeout: float = LATEX_TIMEOUT_S) -> BuildResult:
    """Render and compile one Jinja-LaTeX document into out_dir/NAME.tex and NAME.pdf."""
    return build_documents([template], out_dir, force, timeout=timeout)[0]


def _sheet_template(name: str) -> Path:
    template = SHEET_DIR / f"{name}.tex.j2"
    if not template.exists():
        raise UnknownNameError("sheet", name, sheet_names())
    return template


def build_sheets(names: list[str], out_dir: Path = BUILD_DIR, force: bool = False,
                 progress: Callable[[str], None] = _quiet,
                 timeout: float = LATEX_TIMEOUT_S) -> list[BuildResult]:
    """Build solution sheets of templates/sheets/ by name (see :func:`build_documents`)."""
    return build_documents([_sheet_template(n) for n in names], out_dir, force, progress,
                           timeout)


def build_sheet(name: str, out_dir: Path = BUILD_DIR, force: bool = False) -> BuildResult:
    """Build one solution sheet of templates/sheets/ by name."""
    return build_sheets([name], out_dir, force)[0]
