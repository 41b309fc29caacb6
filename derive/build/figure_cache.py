"""The figure cache: each figure's drawing compiled once per content, in parallel.

A document rendered with a :class:`FigureCache` shows each figure's drawing (the TikZ or
pgfplots code derive/render/figures.py makes) as ``\\includegraphics{figures/HASH.pdf}``.
The drawing goes into a standalone document of its own (templates/partials/figure.tex.j2:
the sheet's class and preamble, a box as wide as the sheet's line), whose hash names it; it
is compiled through the same hardened LaTeX job as a document (derive.build.latexmk), on as
many cores as there are, into ``OUT/.figures/HASH.pdf``.  A drawing whose PDF is there is
never compiled again.  A document's LaTeX run gets the PDFs it needs in its work folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from derive.build.latexmk import (
    RUN_PREFIX,
    LatexJob,
    check_pdf,
    work_folder,
    write_atomically,
)
from derive.build.tex_format import preamble_format
from derive.errors import LatexError

FIGURE_DIR = ".figures"      # OUT/.figures/HASH.pdf (and HASH.tex, its source)
INCLUDED_AS = "figures"      # where a document's run finds them: WORK/figures/HASH.pdf
STANDALONE = "partials/figure.tex.j2"
MARK = r"\newsavebox{\derivefigurebox}"   # where the standalone's own part begins


class FigureCache:
    """Compiled figures of one build into one output folder (the caller holds its lock).

    :meth:`include` is what figure_latex hands a drawing to while a document renders; it
    only records it.  :meth:`start` compiles what the document recorded and is not cached
    yet; :meth:`files` waits for a document's figures and names them for its LaTeX run.
    """

    def __init__(self, out_dir: Path, timeout: float, workers: int | None = None) -> None:
        self.folder = out_dir / FIGURE_DIR
        self.timeout = timeout
        self.env: Any = None                      # the rendering document's Jinja environment
        self.recorded: dict[str, tuple[str, bytes]] = {}   # this document: hash -> name, source
        self._drawings: dict[str, tuple[str, str, bool]] = {}   # hash -> name, code, landscape
        self.compiled: list[str] = []             # hashes compiled by this build
        self._futures: dict[str, Future[None]] = {}
        self._formats: dict[bytes, tuple[Path, bytes] | None] = {}
        self._jobs: set[LatexJob] = set()
        self._lock = threading.Lock()
        self._workers = workers or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(max_workers=self._workers,
                                        thread_name_prefix="derive-figure")
        for stale in (self.folder / ".work").glob(f"{RUN_PREFIX}*"):   # killed builds' runs
            shutil.rmtree(stale, ignore_errors=True)

    def standalone(self, drawings: list[tuple[str, str, bool]]) -> str:
        """The standalone document of drawings (name, code, landscape), one a page."""
        figures = [{"name": " ".join(name.split()), "drawing": code, "landscape": landscape}
                   for name, code, landscape in drawings]
        return str(self.env.get_template(STANDALONE).render(figures=figures))

    def head(self) -> str:
        """What a document must begin with for its figures to be compiled apart: the class
        and preamble the standalone documents have (else they are drawn inline)."""
        return self.standalone([]).split(MARK, 1)[0]

    def preamble(self) -> tuple[Path, bytes] | None:
        """The precompiled format of the standalone documents' class and preamble (the
        sheets' too), with that text; None if it cannot be made (derive.build.tex_format)."""
        head = self.head().encode()
        if head not in self._formats:
            fmt = preamble_format(self.folder, head, self.timeout)
            self._formats[head] = None if fmt is None else (fmt, head)
        return self._formats[head]

    def begin(self, env: Any) -> None:
        """A new document renders in env."""
        self.env = env
        self.recorded = {}

    def include(self, name: str, drawing: str, landscape: bool) -> str:
        """Record a drawing; the LaTeX that shows its compiled PDF."""
        figure = (name, drawing, landscape)
        source = self.standalone([("", drawing, landscape)]).encode()   # content, not name
        key = hashlib.sha256(source).hexdigest()[:32]
        self.recorded.setdefault(key, (name, source))
        self._drawings.setdefault(key, figure)
        return rf"\includegraphics{{{INCLUDED_AS}/{key}.pdf}}"

    def pdf(self, key: str) -> Path:
        return self.folder / f"{key}.pdf"

    def start(self) -> list[str]:
        """Start compiling the recorded drawings that have no PDF yet, in as many batches
        as there are workers (one LaTeX run makes a batch's pages, pdfseparate splits
        them); their hashes."""
        new = [k for k in self.recorded if k not in self._futures and not self.pdf(k).exists()]
        if not new:
            return []
        size = -(-len(new) // self._workers) if shutil.which("pdfseparate") else 1
        preamble = self.preamble()
        for at in range(0, len(new), size):
            batch = new[at:at + size]
            source = self.standalone([self._drawings[k] for k in batch]).encode()
            singles = {k: self.recorded[k][1] for k in batch}
            future = self._pool.submit(self._compile, batch, source, singles, preamble)
            for key in batch:
                self._futures[key] = future
        return new

    def ready(self, keys: list[str]) -> bool:
        return all(k not in self._futures or self._futures[k].done() for k in keys)

    def files(self, keys: list[str]) -> dict[str, Path]:
        """Wait for the figures; each one's name in a document's work folder -> its PDF.
        A figure that failed to compile raises its LatexError."""
        for key in keys:
            if key in self._futures:
                self._futures[key].result()
        return {f"{INCLUDED_AS}/{key}.pdf": self.pdf(key) for key in keys}

    def _compile(self, batch: list[str], source: bytes, singles: dict[str, bytes],
                 preamble: tuple[Path, bytes] | None) -> None:
        """Compile a batch of drawings; each page becomes its drawing's PDF (and its own
        standalone source beside it, to compile by hand)."""
        tex = self.folder / f"batch-{batch[0]}.tex"
        job = LatexJob(tex, None, self.timeout, source, preamble=preamble)
        with self._lock:
            self._jobs.add(job)
        try:
            pdf = job.finish()
        except LatexError as err:
            write_atomically(tex, source)
            raise LatexError(f"{err} (a figure's drawing; the source: {tex})") from err
        finally:
            with self._lock:
                self._jobs.discard(job)
        pages = [pdf] if len(batch) == 1 else _pages(work_folder(tex) / f"{tex.stem}.pdf",
                                                     len(batch), tex)
        for key, page in zip(batch, pages, strict=True):
            write_atomically(self.folder / f"{key}.tex", singles[key])
            write_atomically(self.pdf(key), page)
        shutil.rmtree(work_folder(tex), ignore_errors=True)   # its log: nothing to read
        with self._lock:
            self.compiled.extend(batch)

    def close(self, cancel: bool = False) -> None:
        """Wait for the compiles still running (cancel: stop them first)."""
        if cancel:
            with self._lock:
                jobs = list(self._jobs)
            for job in jobs:
                job.cancel()
        self._pool.shutdown(wait=True, cancel_futures=cancel)


def _pages(pdf: Path, count: int, tex: Path) -> list[bytes]:
    """The pages of a PDF, each a PDF of its own (poppler's pdfseparate)."""
    split = pdf.parent / "pages"
    split.mkdir(exist_ok=True)
    proc = subprocess.run(["pdfseparate", str(pdf), str(split / "page-%d.pdf")],
                          capture_output=True, text=True, errors="replace", timeout=120)
    pages = [split / f"page-{n}.pdf" for n in range(1, count + 1)]
    if proc.returncode != 0 or not all(p.is_file() for p in pages) \
            or (split / f"page-{count + 1}.pdf").exists():
        why = (proc.stderr.strip().splitlines() or ["a page too many or too few"])[0]
        raise LatexError(f"{tex}: its {count} figures could not be split into pages ({why})")
    data = [p.read_bytes() for p in pages]
    for page, one in zip(pages, data, strict=True):
        check_pdf(page, one, tex)
    return data
