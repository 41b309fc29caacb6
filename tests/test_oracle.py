"""Oracle tests: derived gradients against finite differences and PyTorch autograd."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp

from derive.functions import lambdify
from derive.library import bce_gradient, softmax_jacobian
from derive.models import LogisticRegression
from derive.numeric.scalar_network import BATCH, HIDDEN_WEIGHTS, OUTPUT_WEIGHTS, c12_scalar_network
from derive.verify import Context, instantiate, unfold

M, N = 7, 3
rng = np.random.default_rng(0)


def _bce_gradient_function() -> tuple[object, list[sp.Basic]]:
    """The derived gradient, instantiated at m = M, n = N, as a NumPy function of the data."""
    d = bce_gradient()
    lr = LogisticRegression()
    grad = unfold(d.steps[10].rhs, Context.of(d))
    comps = [instantiate(grad, {lr.m: M, lr.n: N, lr.j: j}) for j in range(N + 1)]
    variables = ([lr.theta[k] for k in range(N + 1)]
                 + [lr.x[i, k] for i in range(1, M + 1) for k in range(N + 1)]
                 + [lr.y[i] for i in range(1, M + 1)])
    return lambdify(variables, comps), variables


def test_bce_gradient_matches_torch_autograd(torch: Any) -> None:
    f, _ = _bce_gradient_function()
    theta = rng.normal(size=N + 1)
    x = np.hstack([np.ones((M, 1)), rng.normal(size=(M, N))])
    y = rng.integers(0, 2, size=M).astype(float)
    derived = np.array(f(*theta, *x.ravel(), *y), dtype=float)
    t = torch.tensor(theta, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(x) @ t, torch.tensor(y), reduction="sum")
    loss.backward()
    np.testing.assert_allclose(derived, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_bce_gradient_matches_finite_differences() -> None:
    f, _ = _bce_gradient_function()
    theta = rng.normal(size=N + 1)
    x = np.hstack([np.ones((M, 1)), rng.normal(size=(M, N))])
    y = rng.uniform(size=M)

    def loss(th: np.ndarray) -> float:
        h = 1 / (1 + np.exp(-(x @ th)))
        return float(-np.sum(y * np.log(h) + (1 - y) * np.log(1 - h)))

    eps = 1e-6
    fd = [(loss(theta + eps * e) - loss(theta - eps * e)) / (2 * eps) for e in np.eye(N + 1)]
    np.testing.assert_allclose(np.array(f(*theta, *x.ravel(), *y), dtype=float), fd, rtol=1e-6)


@pytest.mark.parametrize("k", [2, 5, 8])
def test_softmax_jacobian_matches_torch(k: int, torch: Any) -> None:
    d = softmax_jacobian()
    ctx = Context.of(d)
    size = next(iter(d.sizes))
    i, j = sorted(d.indices, key=str)
    z = sp.IndexedBase("z", real=True)
    entry = instantiate(unfold(d.steps[5].rhs, ctx), {size: k})
    zs = [z[n] for n in range(1, k + 1)]
    f = lambdify(zs, [[instantiate(entry, {i: a, j: b}) for b in range(1, k + 1)]
                      for a in range(1, k + 1)])
    values = rng.normal(size=k) * 3
    derived = np.array(f(*values), dtype=float)
    auto = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), torch.tensor(values))
    np.testing.assert_allclose(derived, auto.numpy(), rtol=1e-10, atol=1e-14)
    s = np.exp(values - values.max()) / np.exp(values - values.max()).sum()
    np.testing.assert_allclose(derived, np.diag(s) - np.outer(s, s), atol=1e-14)


def test_c12_gradients_match_torch(torch: Any) -> None:
    ex = c12_scalar_network()
    w = torch.tensor(HIDDEN_WEIGHTS, requires_grad=True)
    v = torch.tensor(OUTPUT_WEIGHTS, requires_grad=True)
    total = torch.zeros(())
    for (x1, x2), y in BATCH:
        a = torch.sigmoid(w @ torch.tensor([1.0, x1, x2]))
        total = total + (v[0] + v[1:] @ a - y) ** 2
    total.backward()
    assert abs(ex["L"].value - total.item()) < 1e-10
    for h in range(3):
        for k in range(3):
            assert abs(ex[f"dL_w_{h + 1}{k}"].value - w.grad[h, k].item()) < 1e-12
    for h in range(4):
        assert abs(ex[f"dL_v_{h}"].value - v.grad[h].item()) < 1e-12
