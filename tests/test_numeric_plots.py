"""The data of the plots and of the decision boundary (derive/numeric/plots.py), computed from
the library."""

from __future__ import annotations

import math

import pytest

from derive.numeric.plots import LEARNING_RATES, TEMPERATURE_LOGITS
from derive.pipeline import get_figure


def test_sigmoid_curves_are_the_sigmoid() -> None:
    fig = get_figure("sigmoid-steepness")
    curves = fig.plots[0].series[:-1]
    assert len(curves) >= 2
    for s in curves:
        theta = float(s.legend.strip("$").split("=")[1])
        points = list(zip(s.xs, s.ys, strict=True))[::20]
        assert len(points) >= 3
        for x, y in points:
            assert y == pytest.approx(1 / (1 + math.exp(-theta * x)), rel=1e-12)


def test_learning_rate_iterates_follow_the_update() -> None:
    runs = get_figure("learning-rates").data["iterates"]
    for what, eta in LEARNING_RATES.items():
        its = runs[what]["iterates"]
        assert its == pytest.approx([(1 - 2 * eta) ** t for t in range(len(its))], rel=1e-12)
    assert abs(runs["too large"]["iterates"][-1]) > 1 > abs(runs["good"]["iterates"][-1])


def test_gradient_vanishes_through_sigmoid_layers_only() -> None:
    norms = get_figure("gradient-norm-depth").data["norms"]
    assert norms["sigmoid"][0] < 1e-4 * norms["sigmoid"][-1]
    assert norms["tanh"][0] > 1e-2 * norms["tanh"][-1]


def test_softmax_temperature_bars_are_distributions() -> None:
    series = get_figure("softmax-temperature").plots[0].series
    for s in series:
        assert sum(s.ys) == pytest.approx(1.0, rel=1e-12)
        assert s.ys.index(max(s.ys)) == TEMPERATURE_LOGITS.index(max(TEMPERATURE_LOGITS))
    hottest = series[-1].ys
    assert max(hottest) - min(hottest) < 0.05      # T = 100: nearly uniform


def test_decision_boundary_geometry() -> None:
    b = get_figure("decision-boundary").geometry
    assert b is not None
    t0, t1, t2 = b.theta
    assert b.distance == pytest.approx(1 / math.sqrt(13), rel=1e-15)
    assert t0 + t1 * b.foot[0] + t2 * b.foot[1] == pytest.approx(0, abs=1e-15)
    assert math.hypot(*b.unit_normal) == pytest.approx(1, rel=1e-15)
    assert math.hypot(*b.foot) == pytest.approx(b.distance, rel=1e-15)
