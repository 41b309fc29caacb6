"""End-to-end tests of the command line and the build."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derive.build.driver import build_document, compile_latex
from derive.cli import main
from derive.errors import LatexError, TemplateError
from derive.numeric.scalar_network import c12_scalar_network
from derive.pipeline import get_derivation, get_example
from derive.render.latex import number
from tests.pages import overfull_boxes

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)


def test_list_names_everything() -> None:
    out = run("list").stdout
    assert "derivation  bce-gradient" in out and "sheet       A-neurons-networks-graphs" in out


def test_unknown_name_is_one_line_with_suggestion_and_exit_2() -> None:
    proc = run("show", "bce-gradiant")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "did you mean bce-gradient" in proc.stderr


def test_show_json_of_derivation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "sigmoid-from-log-odds", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tally"] == {"proved": 9, "checked": 0, "refuted": 0, "undecided": 0}
    assert data["steps"][-1]["rhs"] == r"\sigma\left(\theta^{\top} x\right)"
    assert all(s["verdict"]["status"] in {"proved", "given"} for s in data["steps"])


def test_show_json_of_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "c12-scalar-network", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    values = {q["name"]: q["value"] for q in data["quantities"]}
    assert values["z1_1"] == pytest.approx(0.09)
    assert len(data["comparisons"]) == 13


def test_show_text_and_latex(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "softmax-jacobian"]) == 0
    shown = capsys.readouterr().out
    judged = get_derivation("softmax-jacobian").tally()["proved"]
    assert shown.count("] -- proved: ") == judged > 0      # one verdict a judged step
    assert main(["show", "softmax-jacobian", "--format", "latex"]) == 0
    assert r"\begin{align*}" in capsys.readouterr().out


def test_verify_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "bce-gradient:" in out and "0 refuted" in out


def test_sheet_pdf_contains_computed_values(built_sheet: Path) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(built_sheet), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Verification summary" in text
    assert re.search(r"refuted or undecided\s+0\n", text)    # the summary's row, not the legend
    assert overfull_boxes(built_sheet) == []
    ex = c12_scalar_network()
    for name in ("a1_1", "yhat_2", "loss_3", "d_z1_1"):
        shown = number(ex[name].value).lstrip("-")
        assert shown in text, f"{name} = {shown} not on the sheet"
    for c in ex.comparisons[:3]:
        assert number(c.left, 10).lstrip("-") in text


def test_render_user_document_pulls_in_a_derivation(tmp_path: Path) -> None:
    doc = tmp_path / "notes.tex.j2"
    doc.write_text("\\documentclass{article}\n((* include 'partials/preamble.tex.j2' *))\n"
                   "\\begin{document}\nMy notes.\n((( derivation('softmax-jacobian') )))\n"
                   "((( verification_summary() )))\n\\end{document}\n")
    assert main(["render", str(doc), "--out", str(tmp_path / "out")]) == 0
    pdf = tmp_path / "out" / "notes.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "My notes." in text and "Jacobian of softmax" in text


def test_template_error_names_file_and_line(tmp_path: Path) -> None:
    doc = tmp_path / "broken.tex.j2"
    doc.write_text("line one\n((* if *))\n")
    with pytest.raises(TemplateError, match=r"broken.tex.j2:2"):
        build_document(doc, tmp_path / "out")


def test_unknown_derivation_in_template_is_reported(tmp_path: Path) -> None:
    doc = tmp_path / "typo.tex.j2"
    doc.write_text("((( derivation('no-such-thing') )))\n")
    assert main(["render", str(doc), "--out", str(tmp_path / "out")]) == 2


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


def test_unchanged_sheet_is_not_rebuilt(built_sheet: Path) -> None:
    from derive.build.driver import build_sheet

    again = build_sheet("A-neurons-networks-graphs", built_sheet.parent)
    assert again.skipped


def test_outputs_have_ordinary_permissions(built_sheet: Path) -> None:
    # written atomically through a temporary file, but not left private (0600) like one
    import os

    umask = os.umask(0)
    os.umask(umask)
    for path in (built_sheet, built_sheet.with_suffix(".tex")):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_sheet_answers_every_problem(built_sheet: Path) -> None:
    text = subprocess.run(["pdftotext", str(built_sheet), "-"], capture_output=True,
                          text=True, check=True).stdout
    headings = set(re.findall(r"^\f?([ABC]\d+)\b", text, flags=re.M))
    headings |= {f"A{n}" for pair in re.findall(r"^A(\d+) and A(\d+)", text, flags=re.M)
                 for n in pair}
    wanted = ({f"A{n}" for n in range(1, 21)} | {f"B{n}" for n in range(1, 9)}
              | {f"C{n}" for n in range(1, 15)})
    assert wanted <= headings, sorted(wanted - headings)
    # numbers of the new worked examples are on the page
    for name, quantity in (("a1-linear-neuron", "out"), ("a4-boundary", "d")):
        assert number(get_example(name)[quantity].value) in text


def test_documents_compile_side_by_side_and_a_failure_stops_only_later_ones(tmp_path: Path
                                                                          ) -> None:
    """build_documents: a document already handed to latexmk finishes when a later one fails;
    the failure is raised; a document after the failing one is not built."""
    from derive.build.driver import build_documents

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


def test_show_into_a_closed_pipe_ends_quietly() -> None:
    proc = subprocess.run(f"{sys.executable} -m derive.cli show bce-gradient | head -1",
                          shell=True, capture_output=True, text=True, timeout=300)
    assert proc.stdout.count("\n") == 1 and proc.stderr == ""
