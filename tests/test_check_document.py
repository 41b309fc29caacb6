"""Splitting a solution into chains: displays, aligned rows, rows that continue a chain,
statements side by side, front matter and sidecars."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check.document import chains, read
from derive.check.errors import CheckInputError
from derive.check.front import notation_of

SOLUTION = r"""Intro text with $x$ inline.

$$\begin{aligned} a &= b + c \\ &= d \end{aligned}$$

$$= e$$

$$F = 1 \quad G = 2$$

$$\log P \Rightarrow P = 1$$
"""


def test_rows_relations_and_continuations() -> None:
    found = chains(SOLUTION)
    texts = [[p.text.strip() for p in c.pieces] for c in found]
    assert ["a", "b + c"] in texts and ["d"] in texts and ["e"] in texts
    assert ["F", "1"] in texts and ["G", "2"] in texts
    continued = [c for c in found if c.continues]
    assert [c.pieces[0].line for c in continued] == [3, 5]
    implication = next(c for c in found if "⇒" in c.relations)
    assert implication.relations == ["⇒", "="]


def test_front_matter_and_sidecar(tmp_path: Path) -> None:
    solution = tmp_path / "s.md"
    solution.write_text("---\ndomains: {h: '(0, 1)', m: integer >= 1}\n---\n$$h = 1$$\n")
    (tmp_path / "s.md.check.yaml").write_text("conventions: {log: '10'}\nfunctions: {h: value}\n")
    document = read(solution)
    notation = notation_of(document.front, str(solution))
    assert notation.domains == {"h": (0.0, 1.0)} and notation.integers == {"m"}
    assert notation.log_base == 10 and notation.functions == {"h": "value"}
    assert document.chains[0].pieces[0].line == 4


@pytest.mark.parametrize("front, message", [
    ("domains: {h: 'sometimes'}", "cannot read the domain"),
    ("functions: {h: magic}", "means 'magic'"),
    ("[1, 2", "malformed front matter"),
    ("- a list", "must be a mapping"),
])
def test_bad_front_matter_is_one_clear_error(tmp_path: Path, front: str, message: str) -> None:
    solution = tmp_path / "bad.md"
    solution.write_text(f"---\n{front}\n---\n$x = 1$\n")
    with pytest.raises(CheckInputError, match=message):
        notation_of(read(solution).front, str(solution))


def test_unreadable_inputs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CheckInputError):
        read(tmp_path / "missing.md")
    (tmp_path / "x.pdf").write_text("")
    with pytest.raises(CheckInputError, match="not a .md"):
        read(tmp_path / "x.pdf")
