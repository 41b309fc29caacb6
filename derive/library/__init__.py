"""The library of derivations, one module per topic, registered by name.

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
from derive.numeric import (  # noqa: F401  (registers the examples and figures)
    backprop_check,
    demos,
    graph_figures,
    mlp_instance,
    neurons,
    plots,
    two_two_two,
)
from derive.numeric.scalar_network import c12_scalar_network
from derive.registry import get, get_derivation, get_example, names

__all__ = ["bce_gradient", "c12_scalar_network", "get", "get_derivation", "get_example",
           "names", "sigmoid_derivative", "sigmoid_from_log_odds", "softmax_jacobian"]
