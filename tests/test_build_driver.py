"""The build driver (derive/build/driver.py): template errors name the file and line, an
unchanged document is not rebuilt, documents compile side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.build.driver import build_document, build_documents, build_sheet
from derive.errors import LatexError, TemplateError


def test_template_error_names_file_and_line(tmp_path: Path) -> None:
    doc = tmp_path / "broken.tex.j2"
    doc.write_text("line one\n((* if *))\n")
    with pytest.raises(TemplateError, match=r"broken.tex.j2:2"):
        build_document(doc, tmp_path / "out")


def test_unchanged_sheet_is_not_rebuilt(built_sheet: Path) -> None:
    again = build_sheet("A-neurons-networks-graphs", built_sheet.parent)
    assert again.skipped


def test_documents_compile_side_by_side_and_a_failure_stops_only_later_ones(tmp_path: Path
                                                                          ) -> None:
    """build_documents: a document already handed to latexmk finishes when a later one fails;
    the failure is raised; a document after the failing one is not built."""
    good = tmp_path / "good.tex.j2"
    good.write_text("\\documentclass{article}\n\\begin{document}\ngood\n\\end{document}\n")
    broken = tmp_path / "broken.tex.j2"
    broken.write_text("\\documentclass{article}\n((* if *))\n")
    later = tmp_path / "later.tex.j2"
    later.write_text("\\documentclass{article}\n\\begin{document}\nlater\n\\end{document}\n")
    out = tmp_path / "out"
    with pytest.raises(TemplateError, match=r"broken.tex.j2:2"):
        build_documents([good, broken, later], out)
    assert (out / "good.pdf").exists() and (out / ".stamps" / "good.sha256").exists()
    assert not (out / "later.pdf").exists()
    # a LaTeX error in one of two documents compiling side by side: the other is built
    bad = tmp_path / "bad.tex.j2"
    bad.write_text("\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n"
                   "\\end{document}\n")
    with pytest.raises(LatexError, match=r"bad.tex:3: Undefined control sequence"):
        build_documents([bad, later], out)
    assert (out / "later.pdf").exists() and not (out / "bad.pdf").exists()
