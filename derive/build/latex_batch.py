"""Several documents of one preamble compiled in one LaTeX run, then split into their PDFs.

A student's exercise and solution, and those of the next students, begin with the same
class and preamble (the precompiled format's) and differ only in their title and body.
Starting LaTeX, loading the format and latexmk's own work cost half a second a run, more
than typesetting a page, so :func:`compile_documents` sets the documents one after the
other in one run of the build's hardened LaTeX job (derive.build.latexmk.LatexJob): each
begins on a new page with its page number, title and counters reset, and says in the log
after how many pages it begins; qpdf then cuts the PDF into the documents' PDFs (each
keeping only the fonts and objects its pages use).  Without qpdf each document is compiled
alone.  A document whose own preamble holds more than its title, author and
date, or a batch that fails, is compiled alone (so a LaTeX error names its own line).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from derive.build.latexmk import LatexJob, check_pdf, work_folder
from derive.errors import LatexError

BEGIN = "\\begin{document}\n"
END = "\\end{document}"
# what a batched document's own preamble may hold (the variant base's title page)
ALLOWED = re.compile(r"\\nofiles|\\title\{.*\}|\\author\{.*\}|\\date\{.*\}|%.*|\s*")
MARK = re.compile(r"^derive-batch: document (\d+) begins after (\d+) pages", re.MULTILINE)

SETUP = r"""\nofiles
\makeatletter
\hypersetup{pageanchor=false}
\let\derive@maketitle\maketitle \let\derive@@maketitle\@maketitle
\let\derive@title\title \let\derive@author\author \let\derive@date\date
\let\derive@and\and \let\derive@thanks\thanks
\newcommand{\derivenextdocument}[1]{\clearpage
  \immediate\write-1{derive-batch: document #1 begins after
    \the\ReadonlyShipoutCounter\space pages}%
  \global\let\maketitle\derive@maketitle \global\let\@maketitle\derive@@maketitle
  \global\let\title\derive@title \global\let\author\derive@author
  \global\let\date\derive@date \global\let\and\derive@and \global\let\thanks\derive@thanks
  \setcounter{page}{1}\setcounter{footnote}{0}\setcounter{section}{0}%
  \setcounter{equation}{0}\setcounter{table}{0}\setcounter{figure}{0}}
\makeatother
"""


def parts(source: str, head: str) -> tuple[str, str] | None:
    """A document's own preamble lines (\\nofiles dropped) and its body, if it begins with
    head and its preamble holds only its title, author and date; else None."""
    if not source.startswith(head) or BEGIN not in source:
        return None
    own, rest = source[len(head):].split(BEGIN, 1)
    body, end, tail = rest.rpartition(END)
    if not end or tail.strip():
        return None
    lines = own.splitlines()
    if not all(ALLOWED.fullmatch(line) for line in lines):
        return None
    return "\n".join(line for line in lines if line.strip() != r"\nofiles"), body


def combined(head: str, documents: list[tuple[str, str]]) -> str:
    """One source setting the documents (their parts) one after another."""
    pieces = [head, SETUP, BEGIN]
    for n, (own, body) in enumerate(documents, 1):
        pieces += [f"\\derivenextdocument{{{n}}}\n", own, "\n", body]
    pieces.append("\\clearpage\n" + END + "\n")
    return "".join(pieces)


def compile_documents(folder: Path, names: list[str], sources: list[str], head: str,
                      preamble: tuple[Path, bytes] | None, timeout: float,
                      template: Path | None = None) -> list[bytes]:
    """The PDFs of the documents (sources, named names), compiled in folder: in one run
    where they can be, else each alone."""
    split = [parts(s, head) for s in sources]
    if len(sources) > 1 and shutil.which("qpdf") and all(p is not None for p in split):
        tex = folder / "batch.tex"
        try:
            job = LatexJob(tex, template, timeout,
                           combined(head, [p for p in split if p is not None]).encode(),
                           preamble=preamble)
            job.finish()
            return _cut(work_folder(tex), tex, len(sources))
        except LatexError:
            pass     # compiled alone below, so that the error names its document's line
    jobs = [LatexJob(folder / f"{name}.tex", template, timeout, s.encode(), preamble=preamble)
            for name, s in zip(names, sources, strict=True)]
    return [job.finish() for job in jobs]


def _cut(work: Path, tex: Path, count: int) -> list[bytes]:
    """The batch's PDF cut where its log says each document begins."""
    log = (work / f"{tex.stem}.log").read_text(errors="replace")
    starts = {int(n): int(after) for n, after in MARK.findall(log)}
    if sorted(starts) != list(range(1, count + 1)):
        raise LatexError(f"{tex}: the batch's log names {len(starts)} of {count} documents")
    pdf = work / f"{tex.stem}.pdf"
    total = int(_run(["qpdf", "--show-npages", str(pdf)], tex))
    bounds = [starts[n] for n in range(1, count + 1)] + [total]
    out = []
    for n in range(count):
        first, last = bounds[n] + 1, bounds[n + 1]
        if last < first:
            raise LatexError(f"{tex}: document {n + 1} of the batch has no pages")
        target = work / f"document-{n + 1}.pdf"
        _run(["qpdf", "--deterministic-id", "--empty", "--pages", str(pdf), f"{first}-{last}",
              "--", str(target)], tex)
        data = target.read_bytes()
        check_pdf(target, data, tex)
        out.append(data)
    return out


def _run(command: list[str], tex: Path) -> str:
    proc = subprocess.run(command, capture_output=True, text=True, errors="replace",
                          timeout=120)
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or ["failed"])[0]
        raise LatexError(f"{tex}: {command[0]}: {why}")
    return proc.stdout
