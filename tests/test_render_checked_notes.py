"""The Verification notes are phrased from a verdict's fields, never from its English."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.proof import Derivation, Step, Verdict, text
from derive.render.latex import checked_notes, how_checked

x, y = sp.symbols("x y", real=True)


@pytest.mark.parametrize(("verdict", "expected"), [
    (Verdict("checked", "ignored words", 34, tactic="points", digits=(30, 60)),
     "equal at 34 points (edges of the domains among them) at 30 and 60 digits"),
    (Verdict("checked", "", 12, tactic="entries", digits=(30,), entries=4),
     "every entry equal at random points (30 digits)"),
    (Verdict("checked", "", 9, tactic="entries", sizes=((("n_1", 2),), (("n_1", 3),)),
             large=(("n_1", 7),), large_points=4),
     "every entry checked at n₁ = 2, 3; equal at 4 random points for n₁ = 7"),
    (Verdict("checked", "", 9, tactic="sizes", sizes=((("K", 2),),), assignments=14,
             every=("i", "j")),
     "proved for K = 2, numerically for the other concrete sizes (14 size and index "
     "assignments, every value of i, j)"),
    (Verdict("checked", "", 9, tactic="sizes", assignments=3,
             default_domain=(("w", -2.0, 2.0),)),
     "compared numerically on concrete sizes (3 size and index assignments); sampled with "
     "w in (-2, 2) (no domain declared)"),
    (Verdict("checked", "the verifier's own words", 1, tactic="unknown-kind"),
     "the verifier's own words"),
])
def test_how_checked_phrases_the_fields(verdict: Verdict, expected: str) -> None:
    assert how_checked(verdict) == expected


def _derivation(*verdicts: Verdict, where: sp.Basic | None = None) -> Derivation:
    steps = [Step(x, y, text("a step"), verdict=v, where=where) for v in verdicts]
    return Derivation("d", "t", text("s"), steps)


def test_steps_checked_alike_share_one_note_with_the_span_of_points() -> None:
    points = [Verdict("checked", "a", n, tactic="points", digits=(30, 60)) for n in (40, 34)]
    notes = checked_notes(_derivation(*points, where=sp.Ne(x, y)))
    assert notes == [("The steps marked as checked", "equal at 34 to 40 points (edges of the "
                      "domains among them) at 30 and 60 digits; claimed where x ≠ y")]


def test_steps_checked_differently_are_named_by_number() -> None:
    proved = Verdict("proved", "p")
    by_points = Verdict("checked", "a", 5, tactic="points", digits=(30, 60))
    by_entries = Verdict("checked", "a", 5, tactic="entries", digits=(30,))
    notes = checked_notes(_derivation(proved, by_points, by_entries, by_points))
    assert [which for which, _ in notes] == [
        "Steps 2, 4 (counting the steps after the givens)",
        "Step 3 (counting the steps after the givens)"]


def test_verdict_fields_survive_the_json_round_trip() -> None:
    import json

    v = Verdict("checked", "m", 3, {"x": "1"}, tactic="sizes", sizes=((("K", 2),),),
                every=("i",), default_domain=(("w", -2.0, 2.0),))
    assert Verdict.from_json(json.loads(json.dumps(vars(v)))) == v
