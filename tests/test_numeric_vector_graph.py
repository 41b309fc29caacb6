"""A computation graph of vectors and matrices (derive/numeric/vector_graph.py) gives the
scalar graph's gradients."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derive.numeric.network_graphs import c12_graph, c13_vector_graph


def test_vector_graph_gives_the_scalar_graphs_gradients() -> None:
    for example in (1, 2, 3):
        out, leaves = c12_graph(example)
        loss, params = c13_vector_graph(example)
        assert float(loss.data[0, 0]) == pytest.approx(out.data, rel=1e-13)
        w_grad = np.array([[leaves[sp.Symbol(f"w_{h}{k}", real=True)].grad for k in range(3)]
                           for h in (1, 2, 3)])
        v_grad = np.array([[leaves[sp.Symbol(f"v_{h}", real=True)].grad] for h in range(4)])
        np.testing.assert_allclose(params["W"].grad, w_grad, rtol=1e-12)
        np.testing.assert_allclose(params["v"].grad, v_grad, rtol=1e-12)
