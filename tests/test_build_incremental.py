"""Incremental builds (derive/build/incremental.py): a document depends on the files it used
the last time it was rendered, not on every module of derive; a rebuild whose labels did not
change runs LaTeX once."""

from __future__ import annotations

import time
from pathlib import Path

from derive.build import incremental
from derive.build.driver import Document, Rendered, _stamp_digest, build_document
from derive.paths import PACKAGE_DIR
from derive.registry import EXAMPLES
from derive.user_library import load_library

EXAMPLE = '''from derive.proof import WorkedExample
from derive.registry import example


@example("{name}")
def build() -> WorkedExample:
    return WorkedExample("{name}", "Example {name}", ("a summary",), [])
'''


def test_a_document_is_rebuilt_when_a_builder_it_used_changes_and_only_then(tmp_path: Path
                                                                           ) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in ("inc-one", "inc-two"):
        (lib / f"{name.replace('-', '_')}.py").write_text(EXAMPLE.format(name=name))
    load_library(lib)
    try:
        _rebuilt_only_when_its_builder_changes(lib, tmp_path)
    finally:
        for name in ("inc-one", "inc-two"):
            EXAMPLES.pop(name, None)


def _rebuilt_only_when_its_builder_changes(lib: Path, tmp_path: Path) -> None:
    doc = tmp_path / "doc.tex.j2"
    doc.write_text("\\documentclass{article}\n\\begin{document}\n"
                   '((( get_example("inc-one").title | e )))\n\\end{document}\n')
    out = tmp_path / "out"
    assert not build_document(doc, out).skipped
    used = incremental.recorded(Document(doc, out).stamp)
    assert used is not None
    names = {p.name for p in used}
    assert "inc_one.py" in names and "inc_two.py" not in names and "doc.tex.j2" in names
    assert build_document(doc, out).skipped
    with open(lib / "inc_two.py", "a") as f:          # a builder it did not use
        f.write("# edited\n")
    assert build_document(doc, out).skipped
    with open(lib / "inc_one.py", "a") as f:          # the builder it used
        f.write("# edited\n")
    assert not build_document(doc, out).skipped
    assert build_document(doc, out).skipped


def test_derive_code_outside_the_builders_affects_every_document() -> None:
    core = {p.relative_to(PACKAGE_DIR).as_posix() for p in incremental.core_files()}
    assert {"build/driver.py", "render/latex.py", "verify.py", "pipeline.py"} <= core
    assert not any(p.startswith(("library/", "numeric/")) for p in core)
    # figure.py imports numeric/vector_graph.py: a numeric module every document needs
    assert "derive.numeric.vector_graph" in incremental.core_builder_modules()


def test_a_builder_module_brings_the_builder_modules_it_imports_and_no_others() -> None:
    import derive.library.backprop  # noqa: F401
    import derive.numeric.scalar_network  # noqa: F401

    files = {p.relative_to(PACKAGE_DIR).as_posix()
             for p in incremental.module_files({"derive.numeric.scalar_network"})}
    assert files == {"__init__.py", "numeric/__init__.py", "numeric/scalar_network.py",
                     "numeric/worksheet.py",            # it imports numeric.worksheet
                     "numeric/parameters.py"}           # and its parameter space's module


def test_a_file_saved_while_the_build_ran_leaves_no_stamp(tmp_path: Path) -> None:
    doc = tmp_path / "doc.tex.j2"
    doc.write_text("x")
    rendered = Rendered("x", [doc], [])
    document = Document(doc, tmp_path)
    assert _stamp_digest(document, rendered, begun=time.time() + 10) is not None
    assert _stamp_digest(document, rendered, begun=time.time() - 10) is None


def test_a_rebuild_whose_labels_did_not_change_runs_latex_once(tmp_path: Path) -> None:
    doc = tmp_path / "doc.tex.j2"
    body = "\\section{One}\\label{one} See section~\\ref{one}. ((( 'v%d' | e )))"
    doc.write_text("\\documentclass{article}\n\\usepackage{hyperref}\n\\begin{document}\n"
                   f"{body % 1}\n\\end{{document}}\n")
    out = tmp_path / "out"

    def runs() -> int:
        return (out / ".work" / "doc" / "latexmk.out").read_text().count("Running 'pdflatex")

    build_document(doc, out)
    assert runs() == 2                        # a first build settles its labels
    doc.write_text(doc.read_text().replace("v1", "v2"))
    build_document(doc, out)
    assert runs() == 1                        # from the last run's .aux: one pass
    doc.write_text(doc.read_text().replace("{One}", "{Two}"))
    build_document(doc, out)
    assert runs() == 2                        # a changed heading: the outline needs two
