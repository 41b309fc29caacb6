"""The Moodle XML quiz (derive/render/moodle.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from derive.render.moodle import quiz_xml

ROW = {"title": "Problem C12: a <2-3-1> network", "student_id": "s1", "quantity": "L",
       "question": "(b) loss & more", "latex": "L", "value": 175.18173898984858, "tolerance": 0.5,
       "givens": [("Parameters", "w_{1,0}", 0.01), ("Example 1", "y^{(1)}", 8.0)]}


def test_one_numerical_question_per_row_in_a_category_per_student() -> None:
    rows = [ROW, {**ROW, "quantity": "yhat_1", "latex": r"\hat y^{(1)}", "value": -0.25,
                  "tolerance": 0.0005}, {**ROW, "student_id": "s2"}]
    quiz = ET.fromstring(quiz_xml("c12", rows))
    questions = quiz.findall("question")
    assert [q.get("type") for q in questions] == ["category", "numerical", "numerical",
                                                  "category", "numerical"]
    assert questions[0].findtext("category/text") == "$course$/derive/c12/s1"
    second = questions[2]
    assert second.findtext("name/text") == "c12 s1 yhat_1"
    assert second.find("answer").get("fraction") == "100"                # type: ignore[union-attr]
    assert float(second.findtext("answer/text") or "nan") == -0.25
    assert float(second.findtext("answer/tolerance") or "nan") == 0.0005
    text = second.findtext("questiontext/text") or ""
    assert r"\(w_{1,0} = 0.01\)" in text and r"compute \(\hat y^{(1)}\)" in text
    assert "(b) loss &amp; more" in text
    assert text.startswith("<p>Problem C12: a &lt;2-3-1&gt; network</p>")


def test_text_that_would_end_its_cdata_is_split() -> None:
    row = {**ROW, "question": "a ]]> b"}
    quiz = ET.fromstring(quiz_xml("c12", [row]))
    assert "a ]]&gt; b" in (quiz.findall("question")[1].findtext("questiontext/text") or "")
