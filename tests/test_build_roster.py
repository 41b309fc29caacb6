"""Reading a class roster (derive/build/roster.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.build.roster import RosterError, Student, read_roster


def roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_ids_and_names_in_order(tmp_path: Path) -> None:
    path = roster(tmp_path, "\ufeffName,ID,email\nAda Lovelace,s1,a@x\n\nAlan Turing,s2,b@x\n")
    assert read_roster(path) == [Student("s1", "Ada Lovelace"), Student("s2", "Alan Turing")]


def test_a_student_id_column_and_semicolons(tmp_path: Path) -> None:
    assert read_roster(roster(tmp_path, "student_id;group\n42;A\n43;B\n")) == [
        Student("42"), Student("43")]


@pytest.mark.parametrize("text, message", [
    ("name\nAda\n", "no id column"),
    ("id,name\ns1,Ada\nS1,Alan\n", "roster.csv:3: duplicate id 'S1' (first on line 2)"),
    ("id,name\n,Ada\n", "roster.csv:2: a student without an id"),
    ("id\n../etc\n", "cannot name a folder"),
    ("id,name\n", "names no students"),
    ("", "empty"),
])
def test_bad_rosters_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RosterError) as err:
        read_roster(roster(tmp_path, text))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert err.value.exit_code == 2


def test_a_missing_roster(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="no such roster"):
        read_roster(tmp_path / "nope.csv")
