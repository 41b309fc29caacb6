"""The precompiled preamble (derive/build/tex_format.py): made once, loaded by a run whose
document begins with it, the same text and the same line numbers in errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from derive.build.latexmk import LatexJob
from derive.build.tex_format import preamble_format
from derive.errors import LatexError

HEAD = b"\\documentclass{article}\n\\usepackage{amsmath}\n\\newcommand{\\hello}{Hello}\n"


def test_a_run_loads_the_format_of_its_preamble(tmp_path: Path) -> None:
    fmt = preamble_format(tmp_path / "formats", HEAD, 60)
    assert fmt is not None and fmt.suffix == ".fmt"
    assert preamble_format(tmp_path / "formats", HEAD, 60) == fmt     # made once
    tex = tmp_path / "doc.tex"
    source = HEAD + b"\\begin{document}\n\\hello, $a^2$.\n\\end{document}\n"
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(LatexJob(tex, source=source, preamble=(fmt, HEAD)).finish())
    assert "preloaded format=derive" in (tmp_path / ".work" / "doc" / "latexmk.out").read_text()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Hello, a2" in text
    bad = HEAD + b"\\begin{document}\n\\undefinedmacro\n\\end{document}\n"
    with pytest.raises(LatexError, match=r"doc.tex:5: Undefined control sequence"):
        LatexJob(tex, source=bad, preamble=(fmt, HEAD)).finish()


def test_it_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_TEX_FORMAT", "off")
    assert preamble_format(tmp_path, HEAD, 60) is None
