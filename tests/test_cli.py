"""End-to-end tests of the command line and the build."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from derive.cli import main
from derive.numeric.scalar_network import c12_scalar_network
from derive.pipeline import get_derivation, get_example
from derive.registry import DERIVATIONS
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
    assert data["steps"][-1]["rhs"] == r"\sigma(\theta^{\top} x)"
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
    assert shown.count(" (proved)") == judged > 0      # one verdict a judged step
    assert main(["show", "softmax-jacobian", "--format", "latex"]) == 0
    latex = capsys.readouterr().out
    assert r"\begin{flalign*}" in latex and r"\derivfits{= \mathbf{1}[i = j] - s_{j}}" in latex


def test_verify_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    lines = {line.split(":")[0]: line for line in out.splitlines() if " steps, " in line}
    assert set(lines) == set(DERIVATIONS) and "bce-gradient" in lines
    assert all(", 0 refuted, 0 undecided" in line for line in lines.values())


def test_sheet_pdf_contains_computed_values(built_sheet: Path) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(built_sheet), "-"], capture_output=True,
                          text=True, check=True).stdout
    summary = text[re.search(r"^\s*Verification\s*$", text, re.M).start():]  # type: ignore[union-attr]
    assert re.search(r"refuted or undecided\s+0\n", summary)  # the summary's row, not the legend
    rows = {label: int(value) for label, value in re.findall(
        r"^\s+(Derivations|Steps verified|proved symbolically|checked numerically, not proved)"
        r"\D*?(\d+)\s*$", summary, re.M)}
    assert rows["Derivations"] > 0
    assert rows["Steps verified"] == (rows["proved symbolically"]
                                      + rows["checked numerically, not proved"]) > 0
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


def test_unknown_derivation_in_template_is_reported(tmp_path: Path) -> None:
    doc = tmp_path / "typo.tex.j2"
    doc.write_text("((( derivation('no-such-thing') )))\n")
    assert main(["render", str(doc), "--out", str(tmp_path / "out")]) == 2


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


def test_show_into_a_closed_pipe_ends_quietly() -> None:
    proc = subprocess.run(f"{sys.executable} -m derive.cli show bce-gradient | head -1",
                          shell=True, capture_output=True, text=True, timeout=300)
    assert proc.stdout.count("\n") == 1 and proc.stderr == ""


def test_show_json_of_a_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "c12-graph", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    nodes = data["graphs"][0]["nodes"]
    loss = nodes[-1]
    assert loss["grad"] == 1.0 and loss["value"] == pytest.approx(63.0952, rel=1e-5)
    assert all(p < n["id"] for n in nodes for p in n["parents"])   # topological order
