"""derive check on derive's own derivations and worked examples, exported as Markdown: no
finding is wrong; and a step mutated (its sign, a factor, a number) is flagged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.check.checker import check_document, check_file
from derive.check.document import document
from derive.check.judge import judge_link
from derive.check.notation import Notation
from derive.pipeline import get
from derive.registry import DERIVATIONS, EXAMPLES, loaded_library
from derive.render.markdown import to_markdown


def own_exports() -> list[str]:
    loaded_library()
    return sorted(DERIVATIONS) + sorted(EXAMPLES)


def check_text(text: str) -> list:
    return check_document(document("x.md", {}, text), Notation()).findings


@pytest.fixture(scope="module")
def exports() -> dict[str, str]:
    return {name: to_markdown(get(name)) for name in own_exports()}


def test_derives_own_solutions_have_no_wrong_finding(exports: dict[str, str]) -> None:
    wrong = [(name, f) for name, text in exports.items() for f in check_text(text)
             if f.verdict == "wrong"]
    assert wrong == []
    correct = sum(f.verdict == "correct" for text in exports.values() for f in check_text(text))
    assert correct >= 200


MUTATIONS = [
    ("sign", lambda rhs: f"-\\left({rhs}\\right)"),
    ("factor", lambda rhs: f"2 \\left({rhs}\\right)"),
    ("number", lambda rhs: re.sub(r"\d", lambda m: str((int(m.group()) + 3) % 10), rhs, count=1)),
]


@pytest.mark.parametrize("mutation, change", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_a_mutated_step_is_flagged(exports: dict[str, str], mutation: str, change) -> None:  # noqa: ANN001
    """Each link derive's own export shows correct, with its right side mutated, judged again
    (the links whose mutation leaves them unchanged or undecidable, such as a sign on 0, are
    not counted)."""
    flagged = tried = 0
    for name in ("bce-gradient", "sigmoid-derivative", "softmax-jacobian", "c12-scalar-network",
                 "a4-boundary", "b1-xor"):
        for f in check_text(exports[name])[:12]:
            mutated_rhs = change(f.rhs)
            if f.verdict != "correct" or mutated_rhs == f.rhs:
                continue
            outcome = judge_link(f.lhs, mutated_rhs, f.relation, Notation())
            if outcome.verdict == "undecided":
                continue
            tried += 1
            flagged += outcome.verdict == "wrong"
    assert tried >= 10 and flagged >= (tried if mutation != "number" else 0.9 * tried), (
        flagged, tried)


def test_the_command_exit_status(tmp_path: Path) -> None:
    from derive.cli import main
    good = tmp_path / "good.md"
    good.write_text("$$ 2 + 2 = 4 $$\n")
    bad = tmp_path / "bad.md"
    bad.write_text("$$ 2 + 2 = 5 $$\n")
    assert main(["check", str(good)]) == 0
    assert main(["check", str(bad)]) == 1
    assert main(["check", str(tmp_path / "none.md")]) == 2
    assert check_file(bad).findings[0].line == 1


def test_the_marked_pdf_carries_the_marks_and_reasons(tmp_path: Path) -> None:
    import subprocess

    from derive.cli import main
    solution = tmp_path / "graded.md"
    solution.write_text("Q.1) Compute.\n\n$$\\begin{aligned} a &= 0.02 \\times 0.52248 \\\\ "
                        "&= 0.01049 \\end{aligned}$$\n\nThen $\\sigma(0.08) = 0.5199$ and "
                        "a bad macro $\\undefinedmacro{x} = 1$.\n")
    assert main(["check", "--format", "pdf", "--out", str(tmp_path / "out"), str(solution)]) == 1
    pdf = tmp_path / "out" / "graded.checked.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "line 3" in text and "0.0104496" in text and "Checked: graded.md" in text


FALSE_ALARMS = [        # each once marked wrong although right as written (found attacking)
    r"$$a = \frac{y(1-h)}{h(1-h)} = \frac{y}{h}$$",        # y( ) and h( ) read alike
    "$h = 0.5$, loss $= 0.7$",                            # words name a new quantity
    r"$2 \times 3 = 6$ and the half $= 3$",
    "$L = 98.86$\n\nTotal loss $= 63.0952 + 98.86 = 161.9552$",
    "$a = 0.32193$.\n\n## Q1\n\nOutput $= 0.1 + 0.5 = 0.6$",
    r"$\sigma(0.10) = 0.524\,979$ and $-21.885\,704 \times 0.519\,989 = -11.380\,333$",
    r"$$\begin{aligned} \frac{\partial \ell}{\partial z} &= -\frac{y}{\hat y}\,\hat y(1-\hat y) \\"
    "\n"
    r"&\quad + \frac{1-y}{1-\hat y}\,\hat y(1-\hat y) \\ &= -y(1-\hat y) + (1-y)\hat y"
    r"\end{aligned}$$",                                   # one expression over two rows
    r"$$\begin{aligned} a &= 2 + 3 + \\ &\quad 4 \\ &= 9 \end{aligned}$$",
    r"$$\theta \leftarrow 0.5 - 0.1 \times (-0.3) = 0.53$$",
    r"$$\theta \gets \theta - 0.1 = 0.4 \quad \text{with } \theta = 0.5$$",
    # attack round 4: shape notes, e and π given values of their own, bits, row vectors
    r"Shapes: $(2 \times 2)(2 \times 1) = 2 \times 1$ and "
    r"$[1 \times 2][2 \times 3] = [1 \times 3]$",
    r"$$\tanh^{-1}(0.4621) = 0.5000$$",
    r"$$\sigma(0·6) = 0·6457$$",
    "The error $e = 2 - 3.0483$.\n\n$$\\frac12 e^2 = \\frac12(-1.0483)^2 = 0.5495$$",
    r"$$e^{(1)} = 2 - 2.1 = -0.1, \qquad e^{(2)} = 4 - 3.9 = 0.1$$",
    "The prior is $\\pi = 0.3$.\n\n$$1 - \\pi = 0.7$$",
    "Entropy in bits (logs base 2): $\\log 8 = 3$",
    r"With row vectors: $\mathbf{x} \mathbf{w}^\top = \mathbf{w} \mathbf{x}^\top$",
    r"$$X (X^\top X)^{-1} X^\top X (X^\top X)^{-1} X^\top = X (X^\top X)^{-1} X^\top$$",
]

SLIPS_IN_FORMS = [        # a slip the checker once missed because of how it was written
    r"$$\theta_1 \leftarrow -1 - 0.1 \times (-1.3852) = -1.13852$$",
    r"$$\begin{aligned} s &= 7.3891 + 2.7183 + 1.1052 \\[3pt] &= 11.1126 \end{aligned}$$",
    r"$$\frac{d}{dz}\log\sigma(z) = \frac{\sigma(z)\bigl(1-\sigma(z)\bigr)}{\sigma(z)}"
    r" = 1 + \sigma(z)$$",
    r"$0.524\,979 \times 0.475\,021 = 0.249\,736$",
]


@pytest.mark.parametrize("text", SLIPS_IN_FORMS)
def test_slips_written_in_less_common_forms_are_caught(text: str) -> None:
    assert [f for f in check_text(text) if f.verdict == "wrong"] != []


@pytest.mark.parametrize("text", FALSE_ALARMS)
def test_right_lines_found_wrong_once_are_not_wrong(text: str) -> None:
    assert [f for f in check_text(text) if f.verdict == "wrong"] == []
