"""A derivative evaluated at another point than the question asks for."""

from __future__ import annotations

import pytest

from derive.check.document import chains
from derive.check.points import evaluations, wrong_points

ASKED = "(b) Let $F(x, y) = x^2 y$. Compute the Jacobian matrix $\\nabla F(2, 2)$.\n\n"


def test_evaluations_read_nabla_d_and_j_as_one_derivative() -> None:
    assert evaluations(r"\nabla F(2, 2) + DF(1,2) + J_F(0.5) + J_{g}(3, 4)") == [
        ("F", (2.0, 2.0)), ("F", (1.0, 2.0)), ("F", (0.5,)), ("g", (3.0, 4.0))]
    assert evaluations(r"F(2, 2) + \nabla F(x, y) + AD(1, 2)") == []


def test_a_jacobian_at_the_wrong_point_is_caught_once() -> None:
    text = ASKED + "$$DF(1, 2) = 2 \\cdot 1 \\cdot 2 = 4$$\n\n$$DF(1, 2) = 4$$\n"
    found = wrong_points(chains(text))
    assert [(w.line, w.evaluated) for w in found] == [(3, (1.0, 2.0))]
    assert "at (2, 2)" in found[0].reason


@pytest.mark.parametrize("answer", [
    "$$DF(1, 2) = 4$$\n\n$$DF(2, 2) = 8$$\n",            # the asked point is there too
    "(c) Next part.\n\n$$DF(1, 2) = 4$$\n",               # another question
    "$$\\nabla F(2, 2) = 8$$\n",
])
def test_no_flag_when_the_asked_point_is_answered_or_not_asked(answer: str) -> None:
    assert wrong_points(chains(ASKED + answer)) == []


def test_a_point_that_was_not_asked_for_is_not_flagged() -> None:
    text = "Let $F(x, y) = x^2 y$ and $\\nabla F(2, 2)$ its gradient.\n\n$$DF(1, 2) = 4$$\n"
    assert wrong_points(chains(text)) == []
