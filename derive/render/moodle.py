"""A Moodle XML quiz of numerical questions: one per student and asked quantity.

Each question states the student's givens and asks for one quantity; its answer is the
computed value with its absolute tolerance.  Questions go into one category per student
(``$course$/derive/SHEET/ID``), so that a quiz can draw "a random question" from each
student's category, or the instructor can assign them.  Maths is written as ``\\( ... \\)``,
which Moodle's MathJax filter typesets.  The format is Moodle's documented XML import
format (question type ``numerical``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape


def _number(value: float) -> str:
    return repr(float(value))


def _givens_html(givens: Iterable[tuple[str, str, float]]) -> str:
    """The givens, group by group, as HTML with inline TeX."""
    groups: dict[str, list[str]] = {}
    for group, latex, value in givens:
        groups.setdefault(group, []).append(rf"\({latex} = {value:g}\)")
    return "".join(f"<p><b>{html.escape(g)}</b>: {', '.join(items)}</p>"
                   for g, items in groups.items())


def question_xml(sheet: str, row: Mapping[str, Any]) -> str:
    """One numerical question: the givens, what to compute, the answer and tolerance."""
    text = (f"<p>{html.escape(str(row.get('title', '')))}</p>" * bool(row.get("title"))
            + _givens_html(row["givens"])
            + f"<p>{html.escape(str(row['question']))}: compute \\({row['latex']}\\) "
            "(to at least three significant digits).</p>")
    text = text.replace("]]>", "]]]]><![CDATA[>")   # CDATA cannot hold its own end
    name = f"{sheet} {row['student_id']} {row['quantity']}"
    return (
        '  <question type="numerical">\n'
        f"    <name><text>{escape(name)}</text></name>\n"
        f'    <questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>\n'
        "    <defaultgrade>1</defaultgrade>\n"
        "    <penalty>0</penalty>\n"
        "    <hidden>0</hidden>\n"
        '    <answer fraction="100">\n'
        f"      <text>{_number(row['value'])}</text>\n"
        f"      <tolerance>{_number(row['tolerance'])}</tolerance>\n"
        "      <feedback><text></text></feedback>\n"
        "    </answer>\n"
        "    <unitgradingtype>0</unitgradingtype>\n"
        "    <unitpenalty>0</unitpenalty>\n"
        "    <showunits>3</showunits>\n"
        "    <unitsleft>0</unitsleft>\n"
        "  </question>\n")


def quiz_xml(sheet: str, rows: list[Mapping[str, Any]]) -> str:
    """The whole quiz: a category per student, then that student's questions."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    current = None
    for row in rows:
        if row["student_id"] != current:
            current = row["student_id"]
            category = f"$course$/derive/{sheet}/{current}"
            parts.append('  <question type="category">\n'
                         f"    <category><text>{escape(category)}</text></category>\n"
                         "  </question>\n")
        parts.append(question_xml(sheet, row))
    parts.append("</quiz>\n")
    return "".join(parts)
