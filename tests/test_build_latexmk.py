"""Running latexmk safely (derive/build/latexmk.py): a LaTeX error names its line and keeps
the previous PDF; outputs are written atomically with ordinary permissions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from derive.build.latexmk import compile_latex
from derive.errors import LatexError


def test_latex_error_reports_line_and_keeps_previous_pdf(tmp_path: Path, built_sheet: Path
                                                         ) -> None:
    if shutil.which("latexmk") is None:
        pytest.fail("latexmk missing")
    tex = tmp_path / "bad.tex"
    pdf = tmp_path / "bad.pdf"
    shutil.copy(built_sheet, pdf)
    before = pdf.read_bytes()
    tex.write_text("\\documentclass{article}\n\\begin{document}\nfine\n\\undefinedmacro\n"
                   "\\end{document}\n")
    with pytest.raises(LatexError, match=r"bad.tex:4: Undefined control sequence.*undefinedmacro"):
        compile_latex(tex)
    assert pdf.read_bytes() == before


def test_outputs_have_ordinary_permissions(built_sheet: Path) -> None:
    # written atomically through a temporary file, but not left private (0600) like one
    umask = os.umask(0)
    os.umask(umask)
    for path in (built_sheet, built_sheet.with_suffix(".tex")):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_two_builds_of_the_same_sources_are_byte_identical(tmp_path: Path) -> None:
    """pdfTeX stamps the time into a PDF (dates, trailer ID); derive fixes it
    (SOURCE_DATE_EPOCH), so two builds, into two folders, give the same bytes."""
    from derive.build.driver import build_document

    template = tmp_path / "r.tex.j2"
    template.write_text("\\documentclass{article}\n\\begin{document}\nSame bytes.\n"
                        "\\end{document}\n")
    first = build_document(template, tmp_path / "one", force=True).pdf.read_bytes()
    second = build_document(template, tmp_path / "two", force=True).pdf.read_bytes()
    assert b"/CreationDate (D:20250101000000Z)" in first
    assert first == second
