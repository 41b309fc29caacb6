"""Several documents in one LaTeX run, cut into their PDFs (derive/build/latex_batch.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from derive.build import latex_batch

HEAD = "\\documentclass{article}\n\\usepackage{hyperref}\n"


def doc(title: str, pages: int) -> str:
    body = "\n\\newpage\n".join(f"{title} page {n}: \\thepage" for n in range(1, pages + 1))
    return (f"{HEAD}\\nofiles\n\\title{{{title}}}\n\\author{{me}}\n\\date{{}}\n"
            f"\\begin{{document}}\n\\maketitle\n{body}\n\\end{{document}}\n")


def text(data: bytes, tmp: Path) -> str:
    (tmp / "x.pdf").write_bytes(data)
    return subprocess.run(["pdftotext", str(tmp / "x.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_only_a_title_author_and_date_may_precede_the_body() -> None:
    assert latex_batch.parts(doc("A", 1), HEAD) is not None
    own, body = latex_batch.parts(doc("A", 1), HEAD) or ("", "")
    assert "\\nofiles" not in own and "\\title{A}" in own and body.startswith("\\maketitle")
    assert latex_batch.parts(doc("A", 1).replace("\\date{}", "\\usepackage{x}"), HEAD) is None
    assert latex_batch.parts("\\documentclass{book}" + doc("A", 1)[len(HEAD):], HEAD) is None


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf cuts the batch (else: alone)")
def test_a_batch_gives_each_document_its_own_pages_title_and_numbers(tmp_path: Path) -> None:
    sources = [doc("Alpha", 2), doc("Beta", 1), doc("Gamma", 3)]
    pdfs = latex_batch.compile_documents(tmp_path, ["a", "b", "c"], sources, HEAD, None, 60)
    texts = [text(p, tmp_path) for p in pdfs]
    assert [t.count("\f") for t in texts] == [2, 1, 3]           # pages per document
    assert "Alpha" in texts[0] and "Beta" not in texts[0]
    assert "Gamma page 3: 3" in texts[2] and "Gamma page 1: 1" in texts[2]   # renumbered
    assert "Beta" in texts[1] and "me" in texts[1]                 # its own title page
    assert (tmp_path / ".work" / "batch").is_dir()                 # one run did it


def test_a_document_that_cannot_share_a_run_is_compiled_alone(tmp_path: Path) -> None:
    odd = doc("Odd", 1).replace("\\date{}", "\\newcommand{\\odd}{Odd}")
    pdfs = latex_batch.compile_documents(tmp_path, ["a", "odd"], [doc("A", 1), odd], HEAD,
                                         None, 60)
    assert "Odd" in text(pdfs[1], tmp_path)
    assert not (tmp_path / ".work" / "batch").exists()
