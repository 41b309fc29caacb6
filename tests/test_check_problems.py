"""derive check takes the numbers a problem statement gives (derive/check/problems.py) for
names the solution uses without a value of its own."""

from __future__ import annotations

from pathlib import Path

from derive.check.checker import check_file
from derive.check.problems import problem_values, statement_values

STATEMENT = """# Sheet C — Back-propagation

Q3. Inputs i = (0.05, 0.10); targets y = (0.01, 0.99); hidden weights w1 = 0.15,
w5 = 0.40, w7 = 0.50; with η = 0.5. The boundary g = 0, layers l = 1 … L.
"""


def test_a_statement_gives_decimals_to_names_and_entries_of_tuples() -> None:
    values = statement_values(STATEMENT)
    assert values["w_{5}"] == ["0.40"] and values["\\eta"] == ["0.5"]
    assert values["i_{2}"] == ["0.10"] and values["y_{1}"] == ["0.01"]
    assert "g" not in values and "l" not in values      # conditions and ranges, not data
    assert statement_values("w1 = (0.01, 0.02, 0.03), all bias first") == {}


def _solution(tmp: Path, body: str, front: str = "") -> Path:
    (tmp / "problems").mkdir(exist_ok=True)
    (tmp / "problems" / "C-backprop.md").write_text(STATEMENT)
    (tmp / "problems" / "A-other.md").write_text("# Sheet A\n\nA1. x1 = 0.3.\n")
    path = tmp / "solution.md"
    path.write_text(front + body)
    return path


def test_the_sheet_is_found_by_heading_front_matter_or_numbers(tmp_path: Path) -> None:
    path = _solution(tmp_path, "Sheet C\n\n$a = 1$\n")
    assert problem_values(str(path), path.read_text(), {})[1] == "C-backprop.md"
    assert problem_values(str(path), "no heading", {"problem": "C3"})[1] == "C-backprop.md"
    numbers = "$0.05 + 0.10 = 0.15$, $0.40 + 0.50 = 0.90$"
    assert problem_values(str(path), numbers, {})[1] == "C-backprop.md"
    assert problem_values(str(path), "no heading, no numbers", {}) == ({}, "")


def test_arithmetic_with_the_statements_numbers_is_decided(tmp_path: Path) -> None:
    path = _solution(tmp_path, "## Q3\n\n$$\\delta_1 w_5 + \\delta_2 w_7 = 0.1385 \\times 0.40"
                     " + (-0.0381) \\times 0.50$$\n\n"
                     "$$(o_1 - y_1) = 0.75137 - 0.10$$\n", "---\nproblem: C\n---\n")
    path.write_text(path.read_text().replace("## Q3", "## Q3\n\n$\\delta_1 = 0.1385$, "
                                             "$\\delta_2 = -0.0381$, $o_1 = 0.75137$"))
    findings = {f.line: f for f in check_file(path).findings if f.kind == "arithmetic"}
    right, slip = sorted(findings)
    assert findings[right].verdict == "correct"
    assert "problem statement (C-backprop.md)" in findings[right].reason
    assert findings[slip].verdict == "wrong"          # y₁ is 0.01, not 0.10


def test_the_texts_own_number_replaces_the_statements(tmp_path: Path) -> None:
    path = _solution(tmp_path, "Sheet C\n\n$w_5 = 0.35$\n\n$$w_5 \\times 2 = 0.70$$\n")
    verdicts = [f.verdict for f in check_file(path).findings if f.kind == "arithmetic"]
    assert verdicts == ["correct"]


def test_a_family_the_text_numbers_anywhere_keeps_the_texts_numbers(tmp_path: Path) -> None:
    """η = 0.1 in one question: another question's η is not the statement's 0.5."""
    path = _solution(tmp_path, "Sheet C\n\n## Problem 1\n\n$\\eta = 0.1$\n\n"
                     "## Problem 2\n\n$$v = 1 - \\eta \\times 2 = 0.8$$\n")
    findings = [f for f in check_file(path).findings if f.kind == "arithmetic"]
    assert findings == [] or all(f.verdict != "wrong" for f in findings)


def test_a_computed_side_that_simplifies_to_a_name_is_arithmetic() -> None:
    """p₂ − 0 = 0.2424 − 1 computes (p₂ was 0.2424): wrong; p₂ alone would be an
    assignment, and A^{[l-1]} (a minus inside braces) is a name."""
    import sympy as sp

    from derive.check.judge import Definitions, judge_link
    from derive.check.notation import Notation

    given = Definitions()
    given.carry(sp.Symbol("p_{2}"), "0.2424", 3)
    assert judge_link("p_2 - 0", "0.2424 - 1", "=", Notation(), given).verdict == "wrong"
    assert judge_link("p_2", "0.2424 - 1", "=", Notation(), given).verdict == "undecided"
