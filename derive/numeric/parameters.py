"""Parametrised worked examples: parameters with domains, constraints, and variants drawn
by rejection sampling, deterministic in (seed, key).

An example that can vary declares a :class:`ParameterSpace`: each :class:`Parameter` (a
weight, an input, a target, a learning rate) with its default (the value the sheets show),
its interval and the number of decimals of a "nice" value; the :class:`Constraint` s that
make a variant a good exercise, judged on the computed example; the quantities a student is
asked for (:class:`Answer`); and, for the finite-difference cross-check, an objective in
NumPy and which quantity is its gradient by which parameter.  Nothing here verifies or
renders: the build's variants (derive.build.variants) hand :func:`draw` the check that
rejects a draw.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from derive.errors import DeriveError
from derive.proof import WorkedExample

Values = Mapping[str, float]
MAX_TRIES = 2000     # draws before a space is declared unsatisfiable
FD_FLOOR = 1e-8      # what central differences (step 1e-5) may be off by, besides 1e-6 relative


class UnsatisfiableError(DeriveError):
    """No draw of a parameter space met its constraints within the allowed tries."""

    exit_code = 2


@dataclass(frozen=True)
class Parameter:
    """One input of an example, named as its given quantity (``w_10``, ``x1_2``).

    A variant's value lies in [low, high] on the grid of ``decimals`` decimals (0: an
    integer); ``nonzero`` excludes 0 (a zero weight or input makes gradients vanish)."""

    name: str
    default: float
    low: float
    high: float
    decimals: int = 2
    nonzero: bool = False

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"parameter {self.name}: empty interval [{self.low}, {self.high}]")

    def sample(self, rng: np.random.Generator) -> float:
        """A value on the grid of [low, high], drawn uniformly."""
        scale = 10 ** self.decimals
        lo, hi = math.ceil(self.low * scale - 1e-9), math.floor(self.high * scale + 1e-9)
        return round(int(rng.integers(lo, hi + 1)) / scale, self.decimals)


@dataclass(frozen=True)
class Constraint:
    """What makes a variant a good exercise, judged on the computed example: ``holds``
    takes every quantity's value by name (the givens too)."""

    description: str
    holds: Callable[[dict[str, float]], bool]


@dataclass(frozen=True)
class Answer:
    """A quantity a student computes: the question it answers and the quantity's name."""

    question: str
    quantity: str


@dataclass(frozen=True)
class ParameterSpace:
    """The parameters of an example, its constraints, its answers and its cross-check.

    ``objective`` computes, in plain NumPy from the parameters alone, the function whose
    gradients are the quantities named in ``gradients`` (parameter -> quantity): the
    build compares them with central differences of it.  ``reference`` computes other
    quantities (by name) the same independent way, to be compared with the example's.
    ``parameter_checks`` are constraints on the parameters themselves, tried before the
    example is built.
    """

    parameters: tuple[Parameter, ...]
    constraints: tuple[Constraint, ...] = ()
    parameter_checks: tuple[Constraint, ...] = ()
    answers: tuple[Answer, ...] = ()
    objective: Callable[[Values], float] | None = None
    gradients: Mapping[str, str] = field(default_factory=dict)
    reference: Callable[[Values], dict[str, float]] | None = None

    def __post_init__(self) -> None:
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"parameter names repeat: {names}")

    def defaults(self) -> dict[str, float]:
        """The values today's sheets show."""
        return {p.name: p.default for p in self.parameters}

    def sample(self, rng: np.random.Generator) -> dict[str, float]:
        return {p.name: p.sample(rng) for p in self.parameters}

    def rejected_parameters(self, values: Values) -> str | None:
        """The first constraint on the parameters a draw breaks (a zero where excluded
        too), or None."""
        for p in self.parameters:
            if p.nonzero and values[p.name] == 0:
                return f"{p.name} is not 0"
        values = dict(values)
        return next((c.description for c in self.parameter_checks if not c.holds(values)),
                    None)

    def violated(self, example: WorkedExample) -> str | None:
        """The first constraint the computed example breaks, or None."""
        values = quantity_values(example)
        return next((c.description for c in self.constraints if not c.holds(values)), None)


def quantity_values(example: WorkedExample) -> dict[str, float]:
    """Every scalar quantity's value by its symbol's name."""
    return {q.symbol.name: float(q.value) for q in example.quantities if not q.is_matrix}


def independent_disagreement(space: ParameterSpace, example: WorkedExample) -> str | None:
    """Where the example differs from the space's independent computations, or None: a
    quantity from its NumPy ``reference``, a gradient from central differences of its NumPy
    ``objective``, each at the example's own givens.  For every variant, and for the
    example the sheets print (its defaults): it is one of the space's points as well."""
    q = quantity_values(example)
    point = {p.name: q[p.name] for p in space.parameters}
    for quantity, value in (space.reference(point) if space.reference else {}).items():
        if not abs(value - q[quantity]) <= 1e-10 * max(1.0, abs(value)):
            return f"{quantity} = {q[quantity]:.12g}, NumPy {value:.12g}"
    if space.objective is None:
        return None
    for parameter, quantity in space.gradients.items():
        h = 1e-5 * max(1.0, abs(point[parameter]))
        up, down = dict(point), dict(point)
        up[parameter] += h
        down[parameter] -= h
        fd = (space.objective(up) - space.objective(down)) / (2 * h)
        # relative, with a floor of the differences' own error (rounding: 1e-16 |C| / h):
        # max(1, |fd|) let a gradient of 1e-4 be 1% off
        if not abs(fd - q[quantity]) <= 1e-6 * abs(fd) + FD_FLOOR:
            return f"{quantity} = {q[quantity]:.9g}, finite differences {fd:.9g}"
    return None


def tolerance(value: float) -> float:
    """How far an answer may be from the key: half a unit in its third significant digit
    (an answer given to three significant digits is right)."""
    if value == 0 or not math.isfinite(value):
        return 5e-4
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - 2)


def generator(seed: int, key: str) -> np.random.Generator:
    """The random numbers of one variant: a function of (seed, key) alone, the same on
    every machine and in every process (not Python's salted hash)."""
    digest = hashlib.sha256(f"derive-variant\0{seed}\0{key}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def draw(space: ParameterSpace, seed: int, key: str,
         accept: Callable[[dict[str, float]], str | None],
         tries: int = MAX_TRIES, name: str = "example") -> tuple[dict[str, float], int]:
    """The first draw of (seed, key) that ``accept`` takes (it returns None, or why it
    rejects), and how many were rejected before it.  Raises UnsatisfiableError, naming the
    reason met most often, after ``tries`` rejections."""
    rng = generator(seed, key)
    reasons: dict[str, int] = {}
    for attempt in range(tries):
        values = space.sample(rng)
        why = space.rejected_parameters(values) or accept(values)
        if why is None:
            return values, attempt
        reasons[why] = reasons.get(why, 0) + 1
    worst = max(reasons, key=lambda r: reasons[r]) if reasons else "no draws"
    raise UnsatisfiableError(f"{name}: no variant met the constraints after {tries} draws "
                             f"(most often failed, {reasons.get(worst, 0)} times: {worst})")


def shown_as_0_or_1(value: float, digits: int = 6) -> bool:
    """Whether a value would print as 0, 1 or -1 to ``digits`` significant digits (or is
    so small that it prints in scientific notation), which makes a poor exercise."""
    if value == 0 or abs(value) < 1e-4:
        return True
    return abs(abs(value) - 1) < 0.5 * 10.0 ** (1 - digits)
