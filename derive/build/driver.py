"""The build driver: templates -> .tex -> PDF with latexmk, safely, never replacing a good PDF.

:func:`build_documents` reads like the pipeline: it verifies, in one parallel batch, every
derivation the out-of-date documents name; renders each template (library -> verifier ->
renderers) and writes its .tex; and compiles it with latexmk while the next one renders.
A fingerprint of every input lets an unchanged document skip all of that, without even
importing SymPy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from derive.build.latexmk import (
    LATEX_TIMEOUT_S,
    LatexJob,
    compile_latex,
    folder_lock,
    write_atomically,
)
from derive.errors import DeriveError, LatexError, TemplateError, UnknownNameError
from derive.paths import BUILD_DIR, PACKAGE_DIR, ROOT, SHEET_DIR, TEMPLATE_DIR

__all__ = ["BuildResult", "build_document", "build_documents", "build_sheet", "build_sheets",
           "compile_latex", "fingerprint", "render_tex", "sheet_names"]

@dataclass(frozen=True)
class BuildResult:
    name: str
    pdf: Path
    skipped: bool


def sheet_names() -> list[str]:
    """The sheets in templates/sheets/, by name (file name without .tex.j2)."""
    return sorted(p.name.removesuffix(".tex.j2") for p in SHEET_DIR.glob("*.tex.j2"))


def fingerprint(template: Path) -> str:
    """A hash of everything a document depends on: it, derive's templates and its code."""
    h = hashlib.sha256()
    inputs = [template, *sorted(TEMPLATE_DIR.rglob("*.j2")), *sorted(PACKAGE_DIR.rglob("*.py"))]
    for path in inputs:
        h.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def render_tex(template: Path) -> str:
    """Render a Jinja-LaTeX document; every error in it is one line naming the template
    file and line (in an included template, that one)."""
    import jinja2
    from jinja2.sandbox import SecurityError

    from derive.pipeline import Catalogue
    from derive.render.environment import RenderLimitError, make_environment, render_template

    if not template.is_file():
        raise TemplateError(f"{template}: not a file")
    catalogue = Catalogue()
    env = make_environment([template.parent], catalogue.names)
    try:
        return render_template(env, template.name, catalogue)
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

    def up_to_date(self, digest: str) -> bool:
        return self.pdf.exists() and self.stamp.exists() and self.stamp.read_text() == digest

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
    whose inputs are unchanged are skipped.  For each of the others in turn, the derivations
    it names are verified in one parallel batch, the template is rendered, and latexmk
    compiles it in a private folder (timeout: seconds per document) while the next
    document is verified and rendered.  Only a checked PDF replaces the old one, with its
    .tex, and only then is the stamp written; a failed document keeps its last good .tex and
    PDF, its failed source going to NAME.failed.tex.  The first error stops the build.
    """
    docs = [Document(t, _output_folder(out_dir)) for t in templates]
    for doc in docs:
        doc.check_outputs()
    digests = {doc: fingerprint(doc.template) for doc in docs}
    with folder_lock(out_dir, *([] if progress is _quiet else [progress])):
        stale = [doc for doc in docs if force or not doc.up_to_date(digests[doc])]
        started: list[tuple[Document, LatexJob]] = []
        failure: DeriveError | None = None
        try:
            for doc in stale:
                try:
                    started.append((doc, _render_and_start(doc, progress, timeout)))
                except DeriveError as err:
                    failure = err      # later documents are not started; earlier ones finish
                    break
            for doc, job in started:
                try:
                    _install(doc, job, digests[doc])
                except LatexError as err:
                    failure = failure or err
                    continue
                progress(f"{doc.pdf} built")
        finally:
            for _, job in started:     # interrupted, say: stop latexmk too
                job.cancel()
    if failure is not None:
        raise failure
    return [BuildResult(doc.name, doc.pdf, skipped=doc not in stale) for doc in docs]


def _install(doc: Document, job: LatexJob, digest: str) -> None:
    """Wait for the document's LaTeX run; put its .tex and checked PDF in place, then its
    stamp.  On failure the last good .tex and PDF stay, the source goes to NAME.failed.tex."""
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
    write_atomically(doc.stamp, digest.encode())
    doc.failed_tex.unlink(missing_ok=True)


def _render_and_start(doc: Document, progress: Callable[[str], None],
                      timeout: float) -> LatexJob:
    """Verify the document's derivations and render it (one road: the pipeline's
    catalogue, see render_template), then start latexmk on it in a private folder."""
    progress(f"verifying and rendering {doc.name} ...")
    source = render_tex(doc.template).encode()
    progress(f"compiling {doc.name} with latexmk ...")
    return LatexJob(doc.tex, doc.template, timeout, source)


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
