"""The plain data of a derivation (derive/proof.py): solution sets, the tally, verdicts as
JSON."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from derive.proof import Derivation, Step, Verdict, only_solution, text

x = sp.Symbol("x", real=True)


def test_only_solution_takes_the_one_element_of_a_solution_set() -> None:
    a, y = sp.symbols("a y", positive=True)
    cost_slope = sp.diff(-(y * sp.log(a) + (1 - y) * sp.log(1 - a)), a)
    assert isinstance(sp.solveset(cost_slope, a), sp.Complement)   # {y} minus {1}
    assert only_solution(sp.solveset(cost_slope, a)) == y
    assert only_solution(sp.linsolve([a + y - 3, a - y - 1], [a, y])) == sp.Tuple(2, 1)
    x = sp.Symbol("x")
    with pytest.raises(ValueError):   # two solutions, -2 and 2
        only_solution(sp.solveset(x**2 - 4, x))


def test_an_unknown_status_never_vanishes_from_the_tally() -> None:
    from derive.proof import Verdict
    d = Derivation("trust", "trust", text(), [Step(x, x, text("claim"))])
    d.steps[0].verdict = Verdict("maybe", "forged")  # type: ignore[arg-type]
    assert d.tally()["undecided"] == 1


def test_verdict_fields_survive_the_json_round_trip() -> None:

    v = Verdict("checked", "m", 3, {"x": "1"}, tactic="sizes", sizes=((("K", 2),),),
                every=("i",), default_domain=(("w", -2.0, 2.0),))
    assert Verdict.from_json(json.loads(json.dumps(vars(v)))) == v
