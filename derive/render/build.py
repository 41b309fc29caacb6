"""The build driver: template -> .tex -> PDF with latexmk, safely, never replacing a good PDF.

``build_sheet`` reads like the pipeline: it renders the template (which asks the library
for derivations, which the verifier has checked), writes the .tex, and compiles it.
A fingerprint of every input lets an unchanged sheet skip all of that, without even
importing SymPy.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from derive.errors import LatexError, TemplateError
from derive.paths import BUILD_DIR, PACKAGE_DIR, ROOT, SHEET_DIR, TEMPLATE_DIR

LATEX_TIMEOUT_S = 300
LATEXMK = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           "-no-shell-escape"]


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
    """Render a Jinja-LaTeX document; template errors name the file and line."""
    import jinja2

    from derive.render.environment import make_environment, render_template

    env = make_environment([template.parent])
    try:
        return render_template(env, template.name)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{err.filename or template}:{err.lineno}: {err.message}") from err
    except jinja2.TemplateNotFound as err:
        raise TemplateError(f"{template}: template not found: {err.name}") from err
    except jinja2.UndefinedError as err:
        raise TemplateError(f"{template}:{_template_line(err)}: {err.message}") from err


def _template_line(err: BaseException) -> str:
    """The template line of an exception raised while rendering, from its traceback."""
    tb = err.__traceback__
    line = "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = f"{tb.tb_lineno}"
        tb = tb.tb_next
    return line


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)   # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def compile_latex(tex_path: Path, template: Path | None = None) -> Path:
    """Compile a .tex file with latexmk in a private work folder; return the PDF path.

    No shell escape; kpathsea forbids reading or writing outside the work folder
    (openin_any=p, openout_any=p); a time limit; on failure a LatexError names the message
    and the offending line, and any previous PDF beside the .tex stays as it was.
    """
    if shutil.which("latexmk") is None:
        raise LatexError("latexmk is not installed; run `make pdf` (it installs TeX Live)")
    work = tex_path.parent / ".work" / tex_path.stem
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy2(tex_path, work / tex_path.name)
    env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
    try:
        proc = subprocess.run([*LATEXMK, tex_path.name], cwd=work, env=env, capture_output=True,
                              text=True, timeout=LATEX_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as err:
        raise LatexError(f"{tex_path}: LaTeX took longer than {LATEX_TIMEOUT_S} s") from err
    built = work / f"{tex_path.stem}.pdf"
    if proc.returncode != 0 or not built.exists():
        raise LatexError(latex_error_message(work / f"{tex_path.stem}.log", tex_path, template))
    pdf = tex_path.with_suffix(".pdf")
    _write_atomically(pdf, built.read_bytes())
    return pdf


def latex_error_message(log: Path, tex_path: Path, template: Path | None) -> str:
    """One line: the LaTeX error, the offending .tex line, and where it came from."""
    text = log.read_text(errors="replace") if log.exists() else ""
    match = re.search(r"^(?:\./)?[^\n:]*\.tex:(\d+): (.*)$", text, re.MULTILINE)
    if match is None:
        bang = re.search(r"^! (.*)$", text, re.MULTILINE)
        return f"{tex_path}: LaTeX failed: {bang.group(1) if bang else 'see ' + str(log)}"
    line_no, message = int(match.group(1)), match.group(2).strip()
    lines = tex_path.read_text().splitlines()
    source = lines[line_no - 1].strip() if 0 < line_no <= len(lines) else ""
    origin = _origin(lines, line_no, source, template)
    return f"{tex_path}:{line_no}: {message} [{source[:120]}]{origin}"


def _origin(lines: list[str], line_no: int, source: str, template: Path | None) -> str:
    """Where a .tex line came from: a derivation's marker above it, or the template line."""
    for earlier in reversed(lines[: line_no - 1]):
        if earlier.startswith("% derive: end"):
            break
        if earlier.startswith("% derive: "):
            return f" (inside {earlier.removeprefix('% derive: ')})"
    if template is not None and source:
        for n, tline in enumerate(template.read_text().splitlines(), 1):
            if source in tline or tline.strip() == source:
                return f" (from {template}:{n})"
    return ""


def build_document(template: Path, out_dir: Path, force: bool = False) -> BuildResult:
    """Render and compile one Jinja-LaTeX document into out_dir/NAME.tex and NAME.pdf."""
    name = template.name.removesuffix(".j2").removesuffix(".tex")
    pdf = out_dir / f"{name}.pdf"
    stamp = out_dir / ".stamps" / f"{name}.sha256"
    digest = fingerprint(template)
    if not force and pdf.exists() and stamp.exists() and stamp.read_text() == digest:
        return BuildResult(name, pdf, skipped=True)
    tex = render_tex(template)                    # library -> verifier -> renderers
    tex_path = out_dir / f"{name}.tex"
    _write_atomically(tex_path, tex.encode())
    compile_latex(tex_path, template)             # the build: latexmk, safely
    _write_atomically(stamp, digest.encode())
    return BuildResult(name, pdf, skipped=False)


def build_sheet(name: str, out_dir: Path = BUILD_DIR, force: bool = False) -> BuildResult:
    """Build one solution sheet of templates/sheets/ by name."""
    template = SHEET_DIR / f"{name}.tex.j2"
    if not template.exists():
        from derive.errors import UnknownNameError

        raise UnknownNameError("sheet", name, sheet_names())
    return build_document(template, out_dir, force)
