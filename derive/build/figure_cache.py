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
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from derive.build.latexmk import RUN_PREFIX, LatexJob, work_folder, write_atomically
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
        self.compiled: list[str] = []             # hashes compiled by this build
        self._futures: dict[str, Future[Path]] = {}
        self._formats: dict[bytes, tuple[Path, bytes] | None] = {}
        self._jobs: set[LatexJob] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1,
                                        thread_name_prefix="derive-figure")
        for stale in (self.folder / ".work").glob(f"{RUN_PREFIX}*"):   # killed builds' runs
            shutil.rmtree(stale, ignore_errors=True)

    def standalone(self, drawing: str, landscape: bool) -> str:
        """The standalone document of one drawing, in the document's environment."""
        return str(self.env.get_template(STANDALONE).render(drawing=drawing,
                                                            landscape=landscape))

    def head(self) -> str:
        """What a document must begin with for its figures to be compiled apart: the class
        and preamble the standalone documents have (else they are drawn inline)."""
        return self.standalone("", False).split(MARK, 1)[0]

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
        source = self.standalone(drawing, landscape).encode()
        key = hashlib.sha256(source).hexdigest()[:32]
        self.recorded.setdefault(key, (name, source))
        return rf"\includegraphics{{{INCLUDED_AS}/{key}.pdf}}"

    def pdf(self, key: str) -> Path:
        return self.folder / f"{key}.pdf"

    def start(self) -> list[str]:
        """Start compiling the recorded drawings that have no PDF yet; their hashes."""
        started = []
        for key, (name, source) in self.recorded.items():
            if key not in self._futures and not self.pdf(key).exists():
                self._futures[key] = self._pool.submit(self._compile, key, name, source,
                                                       self.preamble())
                started.append(key)
        return started

    def ready(self, keys: list[str]) -> bool:
        return all(k not in self._futures or self._futures[k].done() for k in keys)

    def files(self, keys: list[str]) -> dict[str, Path]:
        """Wait for the figures; each one's name in a document's work folder -> its PDF.
        A figure that failed to compile raises its LatexError."""
        for key in keys:
            if key in self._futures:
                self._futures[key].result()
        return {f"{INCLUDED_AS}/{key}.pdf": self.pdf(key) for key in keys}

    def _compile(self, key: str, name: str, source: bytes,
                 preamble: tuple[Path, bytes] | None) -> Path:
        tex = self.folder / f"{key}.tex"
        job = LatexJob(tex, None, self.timeout, source, preamble=preamble)
        with self._lock:
            self._jobs.add(job)
        try:
            pdf = job.finish()
        except LatexError as err:
            write_atomically(tex, source)
            raise LatexError(f"figure {name}: {err} (its source: {tex})") from err
        finally:
            with self._lock:
                self._jobs.discard(job)
        write_atomically(tex, source)
        write_atomically(self.pdf(key), pdf)
        shutil.rmtree(work_folder(tex), ignore_errors=True)   # its log: nothing to read
        with self._lock:
            self.compiled.append(key)
        return self.pdf(key)

    def close(self, cancel: bool = False) -> None:
        """Wait for the compiles still running (cancel: stop them first)."""
        if cancel:
            with self._lock:
                jobs = list(self._jobs)
            for job in jobs:
                job.cancel()
        self._pool.shutdown(wait=True, cancel_futures=cancel)
