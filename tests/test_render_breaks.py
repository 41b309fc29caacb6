"""Where a derivation's display may break across pages (derive/render/breaks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from derive.render.breaks import row_ends


@dataclass
class Row:
    left: str


def test_a_short_chain_is_never_split_and_chains_part_between_them() -> None:
    rows = [Row("a"), Row(""), Row(""), Row("b"), Row(""), Row(""), Row("c"), Row("")]
    assert row_ends(rows) == ["\\\\*", "\\\\*", "\\\\", "\\\\*", "\\\\*", "\\\\", "\\\\*"]


def test_a_long_chain_may_break_inside() -> None:
    rows = [Row("a")] + [Row("")] * 8 + [Row("b"), Row("")]
    ends = row_ends(rows, keep=6)
    assert ends[0] == "\\\\*" and ends[-1] == "\\\\*"      # first and last rows kept on
    assert ends[1:8] == ["\\\\"] * 7 and ends[8] == "\\\\"
