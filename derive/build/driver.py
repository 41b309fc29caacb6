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

from derive.build.latexmk import LatexJob, compile_latex, write_atomically
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
    def stamp(self) -> Path:
        return self.out_dir / ".stamps" / f"{self.name}.sha256"

    def up_to_date(self, digest: str) -> bool:
        return self.pdf.exists() and self.stamp.exists() and self.stamp.read_text() == digest


def build_documents(templates: list[Path], out_dir: Path, force: bool = False,
                    progress: Callable[[str], None] = lambda _: None) -> list[BuildResult]:
    """Build Jinja-LaTeX documents into out_dir/NAME.tex and NAME.pdf.

    Documents whose inputs are unchanged are skipped.  For each of the others in turn, the
    derivations it names are verified in one parallel batch, the template is rendered, and
    latexmk compiles it while the next document is verified and rendered.  The first error
    stops the build; PDFs already good stay as they are.
    """
    docs = [Document(t, out_dir) for t in templates]
    digests = {doc: fingerprint(doc.template) for doc in docs}
    stale = [doc for doc in docs if force or not doc.up_to_date(digests[doc])]
    started: list[tuple[Document, LatexJob]] = []
    failure: DeriveError | None = None
    try:
        for doc in stale:
            try:
                started.append((doc, _render_and_start(doc, progress)))
            except DeriveError as err:
                failure = err          # later documents are not started; earlier ones finish
                break
        for doc, job in started:
            try:
                job.finish()
            except LatexError as err:
                failure = failure or err
                continue
            write_atomically(doc.stamp, digests[doc].encode())
            progress(f"{doc.pdf} built")
    finally:
        for _, job in started:         # interrupted, say: stop latexmk too
            job.cancel()
    if failure is not None:
        raise failure
    return [BuildResult(doc.name, doc.pdf, skipped=doc not in stale) for doc in docs]


def _render_and_start(doc: Document, progress: Callable[[str], None]) -> LatexJob:
    """Verify the document's derivations and render it to .tex (one road: the pipeline's
    catalogue, see render_template), then start latexmk on it."""
    progress(f"verifying and rendering {doc.name} ...")
    write_atomically(doc.tex, render_tex(doc.template).encode())
    progress(f"compiling {doc.name} with latexmk ...")
    return LatexJob(doc.tex, doc.template)


def build_document(template: Path, out_dir: Path, force: bool = False) -> BuildResult:
    """Render and compile one Jinja-LaTeX document into out_dir/NAME.tex and NAME.pdf."""
    return build_documents([template], out_dir, force)[0]


def _sheet_template(name: str) -> Path:
    template = SHEET_DIR / f"{name}.tex.j2"
    if not template.exists():
        raise UnknownNameError("sheet", name, sheet_names())
    return template


def build_sheets(names: list[str], out_dir: Path = BUILD_DIR, force: bool = False,
                 progress: Callable[[str], None] = lambda _: None) -> list[BuildResult]:
    """Build solution sheets of templates/sheets/ by name (see :func:`build_documents`)."""
    return build_documents([_sheet_template(n) for n in names], out_dir, force, progress)


def build_sheet(name: str, out_dir: Path = BUILD_DIR, force: bool = False) -> BuildResult:
    """Build one solution sheet of templates/sheets/ by name."""
    return build_sheets([name], out_dir, force)[0]
