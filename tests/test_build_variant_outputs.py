"""answers.csv, the output folder's checks and its replacement (derive/build/variant_outputs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.build import variant_outputs as outputs


def test_answers_csv_has_the_issues_columns_and_full_precision() -> None:
    rows = [{"student_id": "s1", "name": "Ada, L.", "example": "c12-scalar-network",
             "question": "(b) loss", "quantity": "L", "value": 175.18173898984858,
             "tolerance": 0.5}]
    text = outputs.answers_csv(rows)
    assert text.splitlines() == [
        "student_id,name,example,question,quantity,value,tolerance",
        's1,"Ada, L.",c12-scalar-network,(b) loss,L,175.18173898984858,0.5']


def test_the_target_folder_is_new_empty_or_an_earlier_run(tmp_path: Path) -> None:
    outputs.check_target(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    outputs.check_target(tmp_path / "empty")
    (tmp_path / "file").write_text("x")
    with pytest.raises(outputs.OutputFolderError, match="not a folder"):
        outputs.check_target(tmp_path / "file")


def test_a_complete_staging_folder_replaces_the_earlier_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = outputs.staging_folder(out)
    (first / "answers.csv").write_text("first")
    outputs.install(first, out)
    outputs.check_target(out)                           # an earlier run: may be replaced
    second = outputs.staging_folder(out)
    (second / "answers.csv").write_text("second")
    outputs.install(second, out)
    assert (out / "answers.csv").read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]   # no leftovers
