"""A precompiled preamble: the class and packages of derive's documents, dumped once.

Every sheet and every figure begins with the same ``\\documentclass`` and preamble, and
reading them (TikZ, pgfplots, hyperref, lmodern ...) is half of a figure's LaTeX run.  LaTeX
dumps them once into a format (``pdflatex -ini``, confined and time-limited like any run)
named by a hash of the preamble and of the TeX installation, kept beside the figures; a run
whose document begins with that preamble loads the format instead (derive.build.latexmk).
Where the format cannot be made the runs read the preamble as before.  DERIVE_TEX_FORMAT=off
turns it off.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from derive.build import sandbox
from derive.build.latexmk import (
    FORMAT,
    MAX_FILE_BYTES,
    RUN_PREFIX,
    SUPERVISOR,
    tex_environment,
    write_atomically,
)
from derive.errors import LatexError

SETTING = "DERIVE_TEX_FORMAT"


def _installation() -> bytes:
    """What a format depends on besides its preamble: the engine and its own format."""
    try:
        version = subprocess.run(["pdflatex", "--version"], capture_output=True,
                                 timeout=30).stdout.split(b"\n", 1)[0]
        base = subprocess.run(["kpsewhich", "-engine=pdftex", "pdflatex.fmt"],
                              capture_output=True, text=True, timeout=30).stdout.strip()
        stat = os.stat(base) if base else None
    except (OSError, subprocess.SubprocessError):
        return b"unknown"
    return version + (f" {base} {stat.st_size} {stat.st_mtime_ns}".encode() if stat else b"")


def preamble_format(folder: Path, head: bytes, timeout: float) -> Path | None:
    """The format of a preamble (head: a document's text up to its own part), made in
    folder if it is not there yet; None where it is turned off or cannot be made."""
    if os.environ.get(SETTING, "") == "off" or not head or shutil.which("pdflatex") is None:
        return None
    key = hashlib.sha256(head + b"\0" + _installation()).hexdigest()[:32]
    path = folder / f"{key}.fmt"
    if path.is_file():
        return path
    (folder / ".work").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder / ".work", prefix=f"{RUN_PREFIX}fmt-")).resolve()
    try:
        (work / "preamble.tex").write_bytes(head + b"\\dump\n")
        tex = ["pdflatex", "-ini", "-interaction=nonstopmode", "-halt-on-error", "-recorder",
               f"-jobname={FORMAT}", "&pdflatex", "preamble.tex"]
        command = [sys.executable, "-I", "-S", str(SUPERVISOR), str(int(timeout) + 1),
                   str(MAX_FILE_BYTES), *sandbox.confine(work, tex)]
        try:
            proc = subprocess.run(command, cwd=work, env=tex_environment(work),
                                  stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout + 10, start_new_session=True)
        except (OSError, subprocess.SubprocessError, LatexError):
            return None
        built = work / f"{FORMAT}.fmt"
        if proc.returncode != 0 or not built.is_file() \
                or sandbox.files_outside(work / f"{FORMAT}.fls", work):
            return None
        write_atomically(path, built.read_bytes())
        return path
    finally:
        shutil.rmtree(work, ignore_errors=True)
