"""What ``derive variants`` writes besides the students' PDFs: answers.csv, answers.json,
the instructor's key (key.pdf), a Moodle quiz (quiz.xml); and the folder's staging.

Everything goes into a temporary folder beside DIR (``.DIR.partial-*``), which replaces DIR
only when complete; a DIR that holds anything but an earlier run's output is refused.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from derive.build.latexmk import LatexJob, write_atomically
from derive.errors import DeriveError
from derive.numeric.parameters import ParameterSpace, tolerance
from derive.proof import Quantity, WorkedExample

if TYPE_CHECKING:
    from derive.build.roster import Student
    from derive.build.variants import Variant, VariantSheet

MARKER = ".derive-variants"     # names a folder as derive variants' output
KEY = "partials/variants-key.tex.j2"
COLUMNS = ("student_id", "name", "example", "question", "quantity", "value", "tolerance")


class OutputFolderError(DeriveError):
    exit_code = 2


def check_target(out_dir: Path) -> None:
    """A OutputFolderError unless out_dir is new, empty or an earlier run's output."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputFolderError(f"--out {out_dir}: not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise OutputFolderError(f"--out {out_dir}: the folder holds other files (not an "
                                "earlier run of derive variants); choose a new folder")


def staging_folder(out_dir: Path) -> Path:
    """A new temporary folder beside out_dir (the same file system: moved in one rename)."""
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=parent, prefix=f".{out_dir.name}.partial-"))


def install(staging: Path, out_dir: Path) -> None:
    """Put the complete staging folder where out_dir is (an earlier run's output goes)."""
    (staging / MARKER).write_text("written by derive variants\n")
    os.chmod(staging, 0o777 & ~_umask())
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(dir=staging.parent, prefix=f".{out_dir.name}.old-"))
        os.replace(out_dir, old / "previous")
        os.replace(staging, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out_dir)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def questions(space: ParameterSpace, example: WorkedExample) -> list[dict[str, Any]]:
    """The space's answers grouped by question, in order: question -> its quantities."""
    grouped: dict[str, list[Quantity]] = {}
    for answer in space.answers:
        grouped.setdefault(answer.question, []).append(example[answer.quantity])
    return [{"question": q, "quantities": qs} for q, qs in grouped.items()]


def answer_rows(variant: Variant) -> list[dict[str, Any]]:
    """One row per student, example and asked quantity: value and tolerance."""
    from derive.registry import VARIANTS

    rows = []
    for name, example in variant.examples.items():
        for answer in VARIANTS[name][0].answers:
            q = example[answer.quantity]
            value = float(q.value)
            rows.append({"student_id": variant.student.id, "name": variant.student.name,
                         "example": name, "question": answer.question,
                         "quantity": answer.quantity,
                         "latex": example.notation.get(q.symbol, q.symbol.name),
                         "value": value, "tolerance": tolerance(value),
                         "givens": _givens(example), "title": example.title})
    return rows


def _givens(example: WorkedExample) -> list[tuple[str, str, float]]:
    """The example's inputs: group, LaTeX name, value (what a quiz question states)."""
    return [(q.group, example.notation.get(q.symbol, q.symbol.name), float(q.value))
            for q in example.quantities if q.formula is None and not q.is_matrix]


def answers_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r["student_id"], r["name"], r["example"], r["question"],
                         r["quantity"], repr(r["value"]), f"{r['tolerance']:.3g}"])
    return out.getvalue()


def answers_json(sheet: VariantSheet, seed: int, students: list[Student],
                 results: list[dict[str, Any]]) -> str:
    rows = [r for result in results for r in result["rows"]]
    return json.dumps({
        "sheet": sheet.name, "seed": seed, "varied": list(sheet.vary),
        "tolerance": "half a unit in the third significant digit",
        "answers": [{k: r[k] for k in (*COLUMNS, "latex")} for r in rows],
        "students": [{"id": s.id, "name": s.name, "parameters": result["parameters"],
                      "redraws": result["redraws"]}
                     for s, result in zip(students, results, strict=True)],
    }, indent=1) + "\n"


def write_outputs(staging: Path, sheet: VariantSheet, students: list[Student], seed: int,
                  results: list[dict[str, Any]], formats: tuple[str, ...],
                  preamble: tuple[Path, bytes] | None, timeout: float) -> None:
    """answers.csv, answers.json and, as formats ask, key.pdf and quiz.xml."""
    rows = [r for result in results for r in result["rows"]]
    write_atomically(staging / "answers.csv", answers_csv(rows).encode())
    write_atomically(staging / "answers.json",
                     answers_json(sheet, seed, students, results).encode())
    if "moodle" in formats:
        from derive.render.moodle import quiz_xml

        write_atomically(staging / "quiz.xml", quiz_xml(sheet.name, rows).encode())
    if "pdf" in formats:
        source = key_latex(sheet, seed, students, rows)
        job = LatexJob(staging / ".work" / "key" / "key.tex", None, timeout,
                       source.encode(), preamble=preamble)
        write_atomically(staging / "key.pdf", job.finish())


def key_latex(sheet: VariantSheet, seed: int, students: list[Student],
              rows: list[dict[str, Any]]) -> str:
    """The instructor's key: every student's answers, by question, as a table."""
    from derive.render.environment import make_environment

    by_student: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_student.setdefault(r["student_id"], []).append(r)
    table = []
    for s in students:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for r in by_student.get(s.id, []):
            grouped.setdefault(r["question"], []).append(r)
        table.append({"id": s.id, "name": s.name, "questions": list(grouped.items())})
    env = make_environment()
    return str(env.get_template(KEY).render(sheet=sheet.name, seed=seed, students=table,
                                            varied=list(sheet.vary)))
