"""``derive check --format pdf``: the solution re-typeset through derive's own LaTeX build
(sandboxed latexmk) with each finding's mark in the margin beside its display and the
reasons under it — what a grader hands back.  A solution whose own LaTeX does not compile is
set again with its maths verbatim."""

from __future__ import annotations

import re
from pathlib import Path

from derive.build.latexmk import compile_latex, write_atomically
from derive.check.document import _MATH, read
from derive.check.findings import FileReport, Finding
from derive.check.lexer import UNICODE
from derive.errors import LatexError
from derive.render.latex import escape_text

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[a4paper, left=2.2cm, right=5.2cm, marginparwidth=4.2cm, marginparsep=4mm]{geometry}
\usepackage{amsmath, amssymb, bm, xcolor, pifont}
\providecommand{\cancel}[1]{#1}
\providecommand{\bcancel}[1]{#1}
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
\newcommand{\checkok}{{\color{green!50!black}\checkmark}}
\newcommand{\checkwrong}{{\color{red!75!black}\ding{55}}}
\newcommand{\checkunsure}{{\color{orange!80!black}\textbf{?}}}
\begin{document}
"""
MARK = {"correct": r"\checkok", "wrong": r"\checkwrong", "undecided": r"\checkunsure"}


def write_marked_pdfs(reports: list[FileReport], out: Path) -> list[Path]:
    """One PDF per checked file, in ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for report in reports:
        stem = Path(report.file).stem
        tex = out / f"{stem}.checked.tex"
        for verbatim in (False, True):
            write_atomically(tex, marked_latex(report, verbatim).encode())
            try:
                written.append(compile_latex(tex))
                break
            except LatexError:
                if verbatim:
                    raise
    return written


def _prose(text: str) -> str:
    """A solution's words: escaped, its Unicode maths set as maths, other characters dropped."""
    out = []
    for c in text:
        if c in UNICODE and UNICODE[c].startswith("\\"):
            out.append(f"${UNICODE[c]}$")
        elif ord(c) < 128:
            out.append(escape_text(c) if c not in "\n" else c)
    return re.sub(r"\n\s*\n", "\n\n", "".join(out))


def _display(body: str, verbatim: bool) -> str:
    if verbatim:
        return "\\begin{verbatim}\n" + body.replace("\\end{verbatim}", "") + "\n\\end{verbatim}\n"
    inner = body.strip()
    if "\\\\" in inner and "\\begin{" not in inner:
        inner = f"\\begin{{gathered}}{inner}\\end{{gathered}}"
    return f"\\[{inner}\\]\n"


def _notes(findings: list[Finding]) -> str:
    """The margin marks and, under the display, the reasons of what is not right."""
    if not findings:
        return ""
    marks = " ".join(MARK[f.verdict] for f in findings)
    lines = [f"\\marginpar{{\\raggedright\\small {marks}}}"]
    for f in findings:
        if f.verdict != "correct":
            lines.append(f"{{\\small {MARK[f.verdict]}\\ line {f.line}: "
                         f"{escape_text(_ascii(f.reason))}}}\\par")
    return "\n".join(lines) + "\n"


def _ascii(text: str) -> str:
    return "".join(c if ord(c) < 128 else " " for c in text)


def marked_latex(report: FileReport, verbatim: bool = False) -> str:
    """The LaTeX of the marked solution."""
    text = Path(report.file).read_text(errors="replace")
    start = len(text) - len(text.lstrip()) if not read(report.file).front else \
        text.index("\n---", 3) + 4
    s = report.summary
    parts = [PREAMBLE, f"\\section*{{Checked: {escape_text(_ascii(Path(report.file).name))}}}\n",
             f"{s['correct']} {MARK['correct']}\\quad {s['wrong']} {MARK['wrong']}\\quad "
             f"{s['undecided']} {MARK['undecided']} of {s['judged']} steps and evaluations.\n\n"
             "\\medskip\n"]
    position = start
    for match in _MATH.finditer(text, start):
        parts.append(_prose(text[position:match.start()]))
        position = match.end()
        first = text.count("\n", 0, match.start()) + 1
        last = text.count("\n", 0, match.end()) + 1
        here = [f for f in report.findings if first <= f.line <= last]
        body = next(match.group(k) for k in ("dd", "br", "body", "d") if match.group(k))
        if match.group("d") is not None and not here:
            parts.append(f"\\verb|{body}|" if verbatim and "|" not in body else f"${body}$")
            continue
        parts.append("\n" + _display(body, verbatim) + _notes(here))
    parts.append(_prose(text[position:]))
    parts.append("\n\\end{document}\n")
    return "".join(parts)
