"""Each rule sits beside its own step: measured on the compiled PDF.

A derivation is rendered and compiled; ``pdftotext -bbox`` gives every word's box.  Each line
of maths that holds a relation (=, ⟹) is a step; the words of the rules' column (right of the
maths) form lines.  The layout promises that a step either has the first line of its rule on
its own baseline, or, when it is too wide to share its line, its rule just under it; never a
rule a full line below a step that had room beside it, and never two steps sharing one rule.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from derive.cli import main

RELATIONS = {"=", "⇒", "⇐⇒", "⟹", "⟺", "=⇒"}


def _words(pdf: Path) -> list[tuple[float, float, float, str]]:
    """(xMin, xMax, yMax, text) of every word on the first page."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">'
                       r"([^<]*)</word>", xml.split("</page>")[0])
    return [(float(a), float(b), float(c), t) for a, b, c, t in found]


def baselines(name: str, folder: Path) -> tuple[list[float], list[float]]:
    """The baselines of a derivation's steps (its aligned relations) and of the lines of its
    rules' column, in points from the top of the page."""
    doc = folder / "one.tex.j2"
    doc.write_text("\\documentclass[11pt]{article}\n((* include 'partials/preamble.tex.j2' *))\n"
                   f"\\begin{{document}}\n((( derivation('{name}') )))\n\\end{{document}}\n")
    assert main(["render", str(doc), "--out", str(folder / "out")]) == 0
    words = _words(folder / "out" / "one.pdf")
    marks = [w for w in words if w[3] in {"✓", "≈", "given"}]
    first_step, last_step = min(m[2] for m in marks) - 30, max(m[2] for m in marks) + 1
    body = [w for w in words if first_step < w[2] < last_step]
    relations = [w for w in body if w[3] in RELATIONS]
    column = Counter(round(w[0]) for w in relations).most_common(1)[0][0]   # the aligned one
    steps = sorted({w[2] for w in relations if abs(w[0] - column) <= 1})
    rule_left = min(m[0] for m in marks) - 200        # the rules' column, generously
    rules = sorted({w[2] for w in body if w[0] > rule_left and w[0] > column + 60})
    return steps, rules


@pytest.mark.parametrize("name", ["softmax-jacobian", "sigmoid-from-log-odds", "bce-gradient"])
def test_every_rule_starts_on_its_steps_baseline(tmp_path: Path, name: str) -> None:
    steps, rules = baselines(name, tmp_path)
    assert len(steps) >= 4
    for y in steps:   # every step of these fits beside its rule: the rule's first line there
        assert any(abs(r - y) < 2.5 for r in rules), (
            f"{name}: no rule on the baseline of the step at {y:.1f} pt (rule lines at "
            f"{[round(r, 1) for r in rules]})")
