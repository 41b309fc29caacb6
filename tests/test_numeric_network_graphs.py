"""The computation graphs of the regression networks (derive/numeric/network_graphs.py)
against the worked example and finite differences."""

from __future__ import annotations

import pytest

from derive.numeric.network_graphs import c12_graph
from derive.pipeline import get_example
from tests.graphs import central_difference


def test_c12_graph_matches_worked_example_and_finite_differences() -> None:
    out, leaves = c12_graph(1)
    ex = get_example("c12-scalar-network")
    assert len(leaves) == 13                       # w_hk for h = 1..3, k = 0..2; v_0..v_3
    assert out.data == pytest.approx(ex["loss_1"].value, rel=1e-14)
    for symbol, node in leaves.items():
        name = symbol.name.replace("_", "")        # w_10 -> w10
        assert node.grad == pytest.approx(ex[f"d_{name}_1"].value, rel=1e-12)
        expected = central_difference(node, out, 1e-6)
        assert node.grad == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_c13d_jacobians_multiply_to_example_1s_gradients_of_the_scalar_graph() -> None:
    import numpy as np

    shown = {q.symbol.name: q.value for q in get_example("c13d-jacobians").quantities}
    scalar = get_example("c12-scalar-network")
    d_w = np.array([[scalar[f"d_w{h}{k}_1"].value for k in range(3)]
                    for h in (1, 2, 3)])
    assert np.allclose(shown["dl_dW"], d_w, rtol=1e-12, atol=0)
    product = shown["J0"] @ shown["J1"] @ shown["J2"] @ shown["J3"]
    assert np.allclose(product, shown["dl_dz"], rtol=1e-12, atol=0)
    assert shown["J0"][0, 0] == pytest.approx(scalar["d_yhat_1"].value, rel=1e-14)   # 2(yhat - y) 1
    # the 1 x 3 row times the 3 x 9 Jacobian of z by vec W: a 1 x 9 row, W's rows end to end
    assert shown["dl_dz"].shape == (1, 3) and shown["J_W"].shape == (3, 9)
    flat = shown["dl_dz"] @ shown["J_W"]
    assert flat.shape == (1, 9) and np.allclose(flat.reshape(3, 3), d_w, rtol=1e-12, atol=0)
    # the Jacobian of sigma is diagonal, sigma' = a (1 - a) < 1/4 on its diagonal
    sigma = shown["J3"]
    assert np.count_nonzero(sigma - np.diag(np.diag(sigma))) == 0
    assert np.all((0 < np.diag(sigma)) & (np.diag(sigma) <= 0.25))
