"""A Jacobian or gradient evaluated at a point the question did not ask for: the question
of a section asks for ``∇F(2, 2)``, the solution gives ``DF(1, 2)`` and never ``DF(2, 2)``.

The operators ∇, D and J (``J_F``) are read as one: the derivative of F.  Only points
written as numbers are compared; a section that evaluates F's derivative at the asked point
anywhere is never flagged."""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.check.document import Chain

_EVALUATION = re.compile(r"(?:\\nabla|(?<![A-Za-z\\])D|(?<![A-Za-z\\])J_?)\s*\{?\s*([A-Za-z])\s*\}?"
                         r"\s*(?:\\left)?\(\s*(-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)*)\s*"
                         r"(?:\\right)?\)")


@dataclass(frozen=True)
class WrongPoint:
    """A derivative evaluated at another point than the one asked."""

    line: int
    text: str
    name: str
    asked: tuple[float, ...]
    evaluated: tuple[float, ...]

    @property
    def reason(self) -> str:
        return (f"the question asks for the derivative of {self.name} at {_shown(self.asked)}; "
                f"this evaluates it at {_shown(self.evaluated)}")


def evaluations(text: str) -> list[tuple[str, tuple[float, ...]]]:
    """The derivatives evaluated at numeric points in a piece of maths: (name, point)."""
    return [(m.group(1), tuple(float(x) for x in m.group(2).split(",")))
            for m in _EVALUATION.finditer(text)]


def wrong_points(chains: list[Chain]) -> list[WrongPoint]:
    """Per section: answers that evaluate an asked derivative only at other points (each
    once)."""
    found: list[WrongPoint] = []
    for section in sorted({c.section for c in chains}):
        here = [c for c in chains if c.section == section]
        asked: dict[str, set[tuple[float, ...]]] = {}
        for chain in here:
            if chain.question:
                for piece in chain.pieces:
                    for name, point in evaluations(piece.text):
                        asked.setdefault(name, set()).add(point)
        answers = [(c, name, point) for c in here if not c.question and c.relations
                   for name, point in evaluations(c.pieces[0].text)]
        evaluated = {(name, point) for _, name, point in answers}
        reported: set[tuple[str, tuple[float, ...]]] = set()
        for chain, name, point in answers:
            points = asked.get(name, set())
            if len(points) == 1 and point not in points and (name, point) not in reported \
                    and not any((name, p) in evaluated for p in points):
                reported.add((name, point))
                found.append(WrongPoint(chain.pieces[0].line, chain.pieces[0].text.strip(),
                                        name, next(iter(points)), point))
    return found


def _shown(point: tuple[float, ...]) -> str:
    numbers = [f"{x:g}" for x in point]
    return numbers[0] if len(numbers) == 1 else "(" + ", ".join(numbers) + ")"
