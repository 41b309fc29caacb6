"""The computations behind the conceptual answers (derive/numeric/demos.py)."""

from __future__ import annotations

import numpy as np

from derive.numeric.demos import A12_X, minibatch_noise, misclassified, xor_predictions
from derive.pipeline import get_figure


def test_demos_back_their_claims() -> None:
    # A12: the error count is constant between neighbouring data points
    xs = sorted(A12_X)
    for left, right in zip(xs, xs[1:], strict=False):
        inside = np.linspace(left, right, 7)[1:-1]
        assert len({misclassified(float(t)) for t in inside}) == 1
    assert len({misclassified(float(t)) for t in np.linspace(-3, 3, 61)}) > 2
    # B1: the network classifies all four XOR inputs
    predictions = xor_predictions()
    assert len(predictions) == 4
    assert all(label == prediction for label, prediction, _ in predictions)
    # B8: ReLU with 1/n halves the variance per layer; 2/n keeps it within a factor of 2
    data = get_figure("init-variance").data["variance"]
    relu_1n, relu_2n = data["relu, Var(w) = 1/n"], data["relu, Var(w) = 2/n"]
    ratios = [b / a for a, b in zip(relu_1n, relu_1n[1:], strict=False)]
    assert len(ratios) >= 2 and all(0.3 < r < 0.7 for r in ratios)
    assert max(relu_2n) / min(relu_2n) < 2
    assert data["tanh, Var(w) = 0"] and all(v == 0 for v in data["tanh, Var(w) = 0"])


def test_minibatch_noise_falls_like_one_over_batch_size() -> None:
    fig = minibatch_noise()
    assert abs(fig.data["slope"] + 1) < 0.05
    noise, spread = fig.data["noise"], fig.data["per_example_spread"]
    assert len(noise) >= 3
    assert all(0.8 < b * v / spread < 1.2 for b, v in noise.items())
