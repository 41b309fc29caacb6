"""The figure cache (derive/build/figure_cache.py): a drawing is compiled once per content
into OUT/.figures, the document includes it; a document without derive's preamble draws its
figures inline; a figure that does not compile is named."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from derive.build.driver import build_documents, render_document
from derive.build.figure_cache import FIGURE_DIR, FigureCache
from derive.errors import LatexError
from derive.user_library import load_library

FIGURES = '''from derive.figure import Figure, Plot, Series
from derive.registry import figure


def _plot(xlabel: str) -> list[Plot]:
    return [Plot([Series("rising", [0.0, 1.0, 2.0], [0.0, 1.0, 4.0])], xlabel=xlabel)]


@figure("fc-first")
def first() -> Figure:
    return Figure("fc-first", "The first caption", plots=_plot("$x$"))


@figure("fc-same")
def same() -> Figure:   # the same drawing under another name and caption
    return Figure("fc-same", "The same drawing again", plots=_plot("$x$"))


@figure("fc-other")
def other() -> Figure:
    return Figure("fc-other", "Another drawing", plots=_plot("$t$"))


@figure("fc-broken")
def broken() -> Figure:
    return Figure("fc-broken", "Broken", plots=_plot(r"\\nosuchmacro"))
'''


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The figures above, registered for this file's tests only."""
    from derive.registry import FIGURES as REGISTERED

    lib = tmp_path_factory.mktemp("figlib")
    (lib / "cached_figures.py").write_text(FIGURES)
    load_library(lib)
    yield lib
    for name in ("fc-first", "fc-same", "fc-other", "fc-broken"):
        REGISTERED.pop(name, None)


def sheet(folder: Path, name: str, figures: list[str]) -> Path:
    doc = folder / f"{name}.tex.j2"
    calls = "\n".join(f'((( figure("{f}") )))' for f in figures)
    doc.write_text('((* extends "base.tex.j2" *))\n((* block title *))Figures((* endblock *))\n'
                   f"((* block body *))\n{calls}\n((* endblock *))\n")
    return doc


def test_a_drawing_is_compiled_once_and_included(library: Path, tmp_path: Path) -> None:
    one = sheet(tmp_path, "one", ["fc-first", "fc-same"])
    two = sheet(tmp_path, "two", ["fc-other", "fc-first"])
    out = tmp_path / "out"
    said: list[str] = []
    build_documents([one, two], out, progress=said.append)
    assert len(list((out / FIGURE_DIR).glob("*.pdf"))) == 2    # three figures, two drawings
    assert "2 figures compiled into" in said[-1]
    tex = (out / "one.tex").read_text()
    assert tex.count("\\includegraphics{figures/") == 2 and "\\begin{axis}" not in tex
    assert len(set(line for line in tex.splitlines() if "includegraphics" in line)) == 1
    text = subprocess.run(["pdftotext", str(out / "one.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "The first caption" in text and "rising" in text   # the drawing's own text too
    said.clear()
    build_documents([one, two], out, force=True, progress=said.append)
    assert not any("compiled into" in s or "figure" in s for s in said)


def test_a_document_without_derives_preamble_draws_figures_inline(library: Path,
                                                                   tmp_path: Path) -> None:
    doc = tmp_path / "own.tex.j2"
    doc.write_text("\\documentclass{article}\n\\usepackage{float,pgfplots}\n"
                   '\\begin{document}\n((( figure("fc-first") )))\n\\end{document}\n')
    rendered = render_document(doc, FigureCache(tmp_path / "out", 60))
    assert "\\begin{axis}" in rendered.source and "includegraphics" not in rendered.source
    assert rendered.figures == []


def test_a_figure_that_does_not_compile_is_named(library: Path, tmp_path: Path) -> None:
    doc = sheet(tmp_path, "bad", ["fc-broken"])
    with pytest.raises(LatexError, match=r"Undefined control sequence.*inside figure fc-broken"):
        build_documents([doc], tmp_path / "out")
    assert not (tmp_path / "out" / "bad.pdf").exists()
