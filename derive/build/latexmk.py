"""Running latexmk safely: a private work folder, no shell escape, restricted file access,
a time limit, and a PDF that replaces the previous one only when the run succeeded.

A :class:`LatexJob` starts latexmk at once and is finished (waited for and checked) later,
so several documents compile side by side while Python renders the next one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from derive.errors import LatexError

LATEX_TIMEOUT_S = 300
LATEXMK = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           "-no-shell-escape"]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def write_atomically(path: Path, data: bytes) -> None:
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


def work_folder(tex_path: Path) -> Path:
    """Where latexmk runs on a .tex file, its auxiliary files and log kept for reading."""
    return tex_path.parent / ".work" / tex_path.stem


def latex_log(tex_path: Path) -> Path:
    """LaTeX's log of the last run on a .tex file (overfull lines, warnings, errors)."""
    return work_folder(tex_path) / f"{tex_path.stem}.log"


class LatexJob:
    """One latexmk run on a .tex file, started on creation; :meth:`finish` waits and checks.

    No shell escape; kpathsea forbids reading or writing outside the work folder
    (openin_any=p, openout_any=p); a time limit; on failure a LatexError names the message
    and the offending line, and any previous PDF beside the .tex stays as it was.
    """

    def __init__(self, tex_path: Path, template: Path | None = None) -> None:
        if shutil.which("latexmk") is None:
            raise LatexError("latexmk is not installed; run `make pdf` (it installs TeX Live)")
        self.tex_path, self.template = tex_path, template
        self.work = work_folder(tex_path)
        self.work.mkdir(parents=True, exist_ok=True)
        shutil.copy2(tex_path, self.work / tex_path.name)
        env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
        self.deadline = time.monotonic() + LATEX_TIMEOUT_S
        with open(self.work / "latexmk.out", "wb") as out:   # the .log holds what we read
            self.proc = subprocess.Popen([*LATEXMK, tex_path.name], cwd=self.work, env=env,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def finish(self) -> Path:
        """Wait for latexmk; the PDF beside the .tex on success, else a LatexError."""
        try:
            self.proc.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired as err:
            self.cancel()
            raise LatexError(f"{self.tex_path}: LaTeX took longer than {LATEX_TIMEOUT_S} s") \
                from err
        built = self.work / f"{self.tex_path.stem}.pdf"
        if self.proc.returncode != 0 or not built.exists():
            raise LatexError(latex_error_message(latex_log(self.tex_path), self.tex_path,
                                                 self.template))
        pdf = self.tex_path.with_suffix(".pdf")
        write_atomically(pdf, built.read_bytes())
        return pdf

    def cancel(self) -> None:
        """Stop latexmk if it is still running (a sibling document failed)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def compile_latex(tex_path: Path, template: Path | None = None) -> Path:
    """Compile a .tex file with latexmk (see :class:`LatexJob`); return the PDF path."""
    return LatexJob(tex_path, template).finish()


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
