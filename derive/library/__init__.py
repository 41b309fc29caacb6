"""The library of derivations, one module per topic, registered by name (worked examples
and figures, which build on it, are in derive.numeric).

    from derive.library import bce_gradient
    d = bce_gradient()          # built and verified
"""

from __future__ import annotations

from derive.library import (  # noqa: F401  (importing registers them)
    backprop,
    boundary,
    categorical,
    chain_rule,
    cross_entropy,
    jacobians,
    linear_maps,
    local_gradients,
    mlp_matrix,
    two_layer,
)
from derive.library.logistic import bce_gradient, sigmoid_from_log_odds
from derive.library.sigmoid import sigmoid_derivative
from derive.library.softmax import softmax_jacobian
from derive.registry import names

__all__ = ["bce_gradient", "names", "sigmoid_derivative", "sigmoid_from_log_odds",
           "softmax_jacobian"]
