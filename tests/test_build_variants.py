"""Per-student variants end to end (derive/build/variants.py): every number of a variant's
solution PDF is its answers.csv row and an independent NumPy computation; bad input is one
line, exit 2, and nothing in DIR."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from derive import cli
from derive.build import variants
from derive.build.roster import Student
from derive.errors import UnknownNameError
from derive.numeric.parameters import Constraint, quantity_values
from derive.registry import VARIANTS

CORRECTNESS_VARIANTS = 50     # answers and NumPy for all of them
PDF_VARIANTS = 50             # all of them also compiled and read back


def roster(path: Path, count: int, start: int = 1) -> Path:
    rows = ["id,name", *[f"s{n:03d},Student {n}" for n in range(start, start + count)]]
    path.write_text("\n".join(rows) + "\n")
    return path


def numpy_c12(p: dict[str, float]) -> dict[str, float]:
    """C12 by hand in NumPy: forward, loss, back-propagation (no derive code)."""
    w = np.array([[p[f"w_{h}{k}"] for k in range(3)] for h in (1, 2, 3)])
    v = np.array([p[f"v_{h}"] for h in range(4)])
    out: dict[str, float] = {"L": 0.0}
    dw, dv = np.zeros((3, 3)), np.zeros(4)
    for i in (1, 2, 3):
        x = np.array([1.0, p[f"x1_{i}"], p[f"x2_{i}"]])
        a = 1 / (1 + np.exp(-w @ x))
        yhat = v[0] + v[1:] @ a
        out[f"yhat_{i}"] = yhat
        out["L"] += (yhat - p[f"y_{i}"]) ** 2
        e = 2 * (yhat - p[f"y_{i}"])
        dv += e * np.array([1.0, *a])
        dw += np.outer(e * v[1:] * a * (1 - a), x)
    out |= {f"dL_w_{h}{k}": dw[h - 1, k] for h in (1, 2, 3) for k in range(3)}
    out |= {f"dL_v_{h}": dv[h] for h in range(4)}
    return out


def printed(value: float) -> str:
    """A value as the sheet prints it: six significant digits, no trailing zeros."""
    return f"{value:.6g}"


@pytest.fixture(scope="module")
def quiz_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 variants, answers and quiz only (no PDFs)."""
    tmp = tmp_path_factory.mktemp("variants")
    out = tmp / "quiz"
    code = cli.main(["variants", "c12", "--students", str(roster(tmp / "r.csv",
                     CORRECTNESS_VARIANTS)), "--out", str(out), "--seed", "5",
                     "--format", "moodle"])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def pdf_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first PDF_VARIANTS students of the same roster and seed, with their PDFs."""
    if shutil.which("latexmk") is None:
        pytest.fail("latexmk missing: `make test` installs TeX Live")
    tmp = tmp_path_factory.mktemp("variants-pdf")
    out = tmp / "pdf"
    assert cli.main(["variants", "c12", "--students", str(roster(tmp / "r.csv", PDF_VARIANTS)),
                     "--out", str(out), "--seed", "5", "--jobs", "2"]) == 0
    return out


def rows_of(out: Path) -> list[dict[str, str]]:
    with open(out / "answers.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_fifty_variants_agree_with_numpy(quiz_run: Path) -> None:
    data = json.loads((quiz_run / "answers.json").read_text())
    rows = rows_of(quiz_run)
    assert len(data["students"]) == CORRECTNESS_VARIANTS
    assert len(rows) == CORRECTNESS_VARIANTS * 17
    seen = set()
    for student in data["students"]:
        params = student["parameters"]["c12-scalar-network"]
        seen.add(json.dumps(params, sort_keys=True))
        expected = numpy_c12(params)
        mine = [r for r in rows if r["student_id"] == student["id"]]
        assert len(mine) == 17
        for r in mine:
            assert float(r["value"]) == pytest.approx(expected[r["quantity"]], rel=1e-10,
                                                      abs=1e-12), (student["id"], r)
            assert 0 < float(r["tolerance"]) <= abs(float(r["value"])) * 0.005 + 1e-12
        # a good exercise: distinct targets, no weight 0, values in range
        assert len({params[f"y_{i}"] for i in (1, 2, 3)}) == 3
        assert all(params[k] != 0 for k in params if k.startswith(("w_", "v_")))
        assert all(round(v, 2) == v for v in params.values())
    assert len(seen) == CORRECTNESS_VARIANTS                     # every student differs


def test_the_solution_pdf_shows_the_answers_and_the_exercise_the_givens(
        pdf_run: Path, quiz_run: Path) -> None:
    rows = rows_of(pdf_run)
    assert rows == rows_of(quiz_run)[:len(rows)]      # the same students: the same numbers
    data = json.loads((pdf_run / "answers.json").read_text())
    for student in data["students"]:
        folder = pdf_run / student["id"]
        solution = _text(folder / "solution.pdf")
        exercise = _text(folder / "exercise.pdf")
        params = student["parameters"]["c12-scalar-network"]
        expected = numpy_c12(params)
        for r in (r for r in rows if r["student_id"] == student["id"]):
            shown = printed(float(r["value"]))
            assert shown == printed(expected[r["quantity"]])
            assert shown in solution, (student["id"], r["quantity"], shown)
            assert shown not in exercise or r["quantity"].startswith("yhat")
        assert f"w1,0 = {printed(params['w_10'])}" in exercise
        assert student["name"] in exercise and student["id"] in solution
        assert re.search(r"^\s*Verification\s*$", solution, re.M) and "finite" in solution


def _text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return re.sub(r"[ \t]+", " ", text.replace("\u2212", "-"))


def test_the_run_writes_the_key_and_each_students_pair(pdf_run: Path) -> None:
    assert sorted(p.name for p in pdf_run.iterdir() if not p.name.startswith(".")) == [
        "answers.csv", "answers.json", "key.pdf",
        *[f"s{n:03d}" for n in range(1, PDF_VARIANTS + 1)]]
    key = _text(pdf_run / "key.pdf")
    for r in rows_of(pdf_run):
        assert printed(float(r["value"])) in key
    assert not list(pdf_run.parent.glob(".pdf.partial-*"))


def test_a_variant_failing_its_checks_is_never_shipped() -> None:
    from derive.numeric.parameters import ParameterSpace

    space, build = VARIANTS["c12-scalar-network"]
    ex = build(space.defaults())
    assert variants.check_failure(space, ex) is None
    q = ex["dL_w_21"]
    wrong = replace(ex, quantities=[replace(x, value=x.value + 1e-3) if x is q else x
                                    for x in ex.quantities])
    assert "dL_w_21" in (variants.check_failure(space, wrong) or "")
    bad = replace(ex, comparisons=[replace(ex.comparisons[0], right=1.0)])
    assert "comparison" in (variants.check_failure(space, bad) or "")
    assert isinstance(space, ParameterSpace)


def test_a_draw_is_deterministic_and_redrawn_until_it_passes() -> None:
    one = variants.draw_variant("c12-scalar-network", 3, Student("x"))
    two = variants.draw_variant("c12-scalar-network", 3, Student("x"))
    assert one[1] == two[1] and quantity_values(one[0]) == quantity_values(two[0])
    space = VARIANTS["c12-scalar-network"][0]
    assert space.violated(one[0]) is None
    assert variants.check_failure(space, one[0]) is None


def test_the_sheet_names_what_it_varies(tmp_path: Path) -> None:
    sheet = variants.find_sheet("c12")
    assert sheet.vary == ("c12-scalar-network",)
    doc = tmp_path / "mine.tex.j2"
    doc.write_text('((* set vary = ["a1-linear-neuron"] *))\\documentclass{article}\n')
    with pytest.raises(UnknownNameError, match="parametrised example 'a1-linear-neuron'"):
        variants.find_sheet(str(doc))
    with pytest.raises(UnknownNameError, match="variant sheet 'c13'"):
        variants.find_sheet("c13")


def _bad(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> str:
    out = tmp_path / "out"
    code = cli.main(["variants", *args, "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("derive: error: ")
    assert not out.exists() and not list(tmp_path.glob(".out.*"))   # nothing half-written
    return err


def test_bad_input_is_one_line_exit_2_and_nothing_written(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = roster(tmp_path / "good.csv", 2)
    (tmp_path / "noid.csv").write_text("name\nAda\n")
    (tmp_path / "dup.csv").write_text("id\ns1\ns1\n")
    assert "no id column" in _bad(capsys, tmp_path, "c12", "--students",
                                  str(tmp_path / "noid.csv"))
    assert "duplicate id" in _bad(capsys, tmp_path, "c12", "--students",
                                  str(tmp_path / "dup.csv"))
    assert "unknown variant sheet 'c21'" in _bad(capsys, tmp_path, "c21", "--students",
                                                 str(good))
    doc = tmp_path / "mine.tex.j2"
    doc.write_text('((* set vary = ["no-such-example"] *))x\n')
    assert "unknown example" in _bad(capsys, tmp_path, str(doc), "--students", str(good))


def test_an_unsatisfiable_constraint_stops_the_run_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    space, build = VARIANTS["c12-scalar-network"]
    never = replace(space, constraints=(*space.constraints,
                                        Constraint("the loss is negative", lambda q: q["L"] < 0)))
    monkeypatch.setitem(VARIANTS, "c12-scalar-network", (never, build))
    monkeypatch.setattr("derive.numeric.parameters.MAX_TRIES", 5)
    monkeypatch.setattr(variants, "draw", _few_tries)
    err = _bad(capsys, tmp_path, "c12", "--students", str(roster(tmp_path / "r.csv", 3)),
               "--format", "moodle")
    assert "no variant met the constraints after 5 draws" in err
    assert "the loss is negative" in err


def _few_tries(*args: object, **kwargs: object) -> object:
    from derive.numeric import parameters

    return parameters.draw(*args, **{**kwargs, "tries": 5})  # type: ignore[arg-type]


def test_a_folder_of_other_files_is_not_replaced(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    code = cli.main(["variants", "c12", "--students", str(roster(tmp_path / "r.csv", 1)),
                     "--out", str(out), "--format", "moodle"])
    assert code == 2 and "holds other files" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "precious"


def test_the_same_seed_gives_the_same_variants_and_another_seed_others(
        quiz_run: Path, tmp_path: Path) -> None:
    r = roster(tmp_path / "r.csv", 3)
    for seed, out in (("5", tmp_path / "same"), ("6", tmp_path / "other")):
        assert cli.main(["variants", "c12", "--students", str(r), "--out", str(out),
                         "--seed", seed, "--format", "moodle", "--jobs", "1"]) == 0
    assert rows_of(tmp_path / "same") == rows_of(quiz_run)[:3 * 17]
    assert rows_of(tmp_path / "other") != rows_of(tmp_path / "same")
    # a second run into the same folder replaces the first, whole
    assert cli.main(["variants", "c12", "--students", str(r), "--out",
                     str(tmp_path / "same"), "--seed", "6", "--format", "moodle"]) == 0
    assert rows_of(tmp_path / "same") == rows_of(tmp_path / "other")


def numpy_q3(p: dict[str, float]) -> dict[str, float]:
    """The 2-2-2 network with cross-entropy by hand in NumPy: cost, gradients, the step."""
    i, y = np.array([p["i1"], p["i2"]]), np.array([p["y1"], p["y2"]])
    w1 = np.array([[p["w1"], p["w2"]], [p["w3"], p["w4"]]])
    w2 = np.array([[p["w5"], p["w6"]], [p["w7"], p["w8"]]])
    h = 1 / (1 + np.exp(-(w1 @ i + p["b_h"])))
    o = 1 / (1 + np.exp(-(w2 @ h + p["b_o"])))
    delta_o = o - y
    delta_h = (w2.T @ delta_o) * h * (1 - h)
    grads = np.concatenate([np.outer(delta_h, i).ravel(), np.outer(delta_o, h).ravel()])
    out = {"C": float(-np.sum(y * np.log(o) + (1 - y) * np.log(1 - o)))}
    for e in range(1, 9):
        out[f"dC_w{e}"] = grads[e - 1]
        out[f"w{e}_new"] = p[f"w{e}"] - p["eta"] * grads[e - 1]
    return out


def numpy_a4(p: dict[str, float]) -> dict[str, float]:
    norm = float(np.linalg.norm([p["theta_1"], p["theta_2"]]))
    return {"n1": p["theta_1"] / norm, "n2": p["theta_2"] / norm,
            "d": abs(p["theta_0"]) / norm, "d_signed": -p["theta_0"] / norm}


@pytest.mark.parametrize("sheet, example, reference, answers", [
    ("c-q3", "c-q3-cross-entropy", numpy_q3, 17), ("a4", "a4-boundary", numpy_a4, 4)])
def test_the_2_2_2_and_a4_variants_agree_with_numpy(tmp_path: Path, sheet: str, example: str,
                                                    reference: object, answers: int) -> None:
    out = tmp_path / "out"
    assert cli.main(["variants", sheet, "--students", str(roster(tmp_path / "r.csv", 10)),
                     "--out", str(out), "--format", "moodle"]) == 0
    data = json.loads((out / "answers.json").read_text())
    rows = rows_of(out)
    assert len(rows) == 10 * answers
    for student in data["students"]:
        expected = reference(student["parameters"][example])  # type: ignore[operator]
        for r in (r for r in rows if r["student_id"] == student["id"]):
            assert float(r["value"]) == pytest.approx(expected[r["quantity"]], rel=1e-10,
                                                      abs=1e-13), (student["id"], r)
    assert len({json.dumps(s["parameters"]) for s in data["students"]}) == 10


def test_the_pdfs_are_the_same_bytes_whatever_the_number_of_jobs(pdf_run: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "again"
    assert cli.main(["variants", "c12", "--students", str(roster(tmp_path / "r.csv",
                     PDF_VARIANTS)), "--out", str(out), "--seed", "5", "--jobs", "1"]) == 0
    files = sorted(p.relative_to(pdf_run) for p in pdf_run.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    for f in files:
        assert (pdf_run / f).read_bytes() == (out / f).read_bytes(), f


TOY = '''
from derive.numeric.parameters import Answer, Constraint, Parameter, ParameterSpace
from derive.numeric.worksheet import Worksheet
from derive.proof import text
from derive.registry import example

SPACE = ParameterSpace((Parameter("a", 2, 1, 9, 0),), answers=(Answer("(a)", "b"),),
                       constraints=(Constraint("b is {wanted}", lambda q: q["b"] {test}),))


@example("toy-square", parameters=SPACE)
def toy(values):
    ws = Worksheet()
    a = ws.given(ws.symbol("a"), values["a"], "Given")
    ws.add(ws.symbol("b"), a**2, "Square")
    return ws.example("toy-square", "A square", text("b = a squared."), [])
'''
SHEET = ('((* set vary = ["toy-square"] *))((* extends "partials/variant-base.tex.j2" *))'
         '((* block title *))Toy((* endblock *))((* block body *))((* if solution *))'
         '((( example("toy-square") )))((* else *))((( exercise("toy-square") )))'
         '((* endif *))((* endblock *))\n')


@pytest.mark.parametrize("wanted, test, code", [("odd", "% 2 == 1", 0),
                                                ("negative", "< 0", 2)])
def test_a_users_own_parametrised_example_and_sheet(tmp_path: Path, wanted: str, test: str,
                                                    code: int) -> None:
    (tmp_path / "toy.py").write_text(TOY.replace("{wanted}", wanted).replace("{test}", test))
    (tmp_path / "toy.tex.j2").write_text(SHEET)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "derive.cli", "--library",
                           str(tmp_path / "toy.py"), "variants", str(tmp_path / "toy.tex.j2"),
                           "--students", str(roster(tmp_path / "r.csv", 3)), "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == code, proc.stderr
    if code:
        assert proc.stderr.strip().splitlines() == [
            "derive: error: s001: toy-square: no variant met the constraints after 2000 "
            "draws (most often failed, 2000 times: b is negative)"]
        assert not out.exists() and not list(tmp_path.glob(".out.*"))
        return
    values = {r["student_id"]: float(r["value"]) for r in rows_of(out)}
    assert all(v % 2 == 1 for v in values.values())
    assert "b = " in _text(out / "s001" / "solution.pdf")
