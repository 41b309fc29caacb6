"""A class roster for ``derive variants``: one student a row, an id column, an optional name."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from derive.errors import DeriveError

ID_COLUMNS = ("id", "student_id", "student id", "student")
NAME_COLUMNS = ("name", "student_name", "student name", "full name")
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")   # it names the student's folder


class RosterError(DeriveError):
    """A roster derive cannot use: missing, no id column, an empty or repeated id."""

    exit_code = 2


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


def read_roster(path: Path) -> list[Student]:
    """The students of a CSV roster, in its order; a RosterError (one line) for a roster
    with no id column (id, student_id), an empty, unusable or repeated id, or no rows."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"{path}: no such roster") from None
    except (OSError, UnicodeDecodeError) as err:
        raise RosterError(f"{path}: cannot read the roster ({err})") from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(text.splitlines(), dialect))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise RosterError(f"{path}: the roster is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    id_at = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if id_at is None:
        raise RosterError(f"{path}: no id column (the first row names the columns; one of "
                          f"them must be {' or '.join(ID_COLUMNS[:2])}; found "
                          f"{', '.join(rows[0]) or 'nothing'})")
    name_at = next((header.index(c) for c in NAME_COLUMNS if c in header), None)
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], 2):
        sid = row[id_at].strip() if id_at < len(row) else ""
        if not sid:
            raise RosterError(f"{path}:{line}: a student without an id")
        if not SAFE_ID.fullmatch(sid):
            raise RosterError(f"{path}:{line}: id {sid!r} cannot name a folder (letters, "
                              "digits and . _ @ + -, starting with a letter or digit)")
        if sid.lower() in seen:
            raise RosterError(f"{path}:{line}: duplicate id {sid!r} (first on line "
                              f"{seen[sid.lower()]})")
        seen[sid.lower()] = line
        name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
        students.append(Student(sid, name))
    if not students:
        raise RosterError(f"{path}: the roster names no students (only its header)")
    return students
