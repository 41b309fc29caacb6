"""A computation graph whose nodes carry vectors and matrices (problem C13 (d)).

Each node holds an array (``data``) and the gradient of the scalar output with respect to it
(``grad``, same shape).  Back-propagation multiplies Jacobian matrices: every operation gives
the Jacobian of its (flattened, row-major) output with respect to each (flattened) parent,
and ``backward`` forms grad_parent += grad_out · J, so the chain rule is literally a product
of matrices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from derive.numeric.graph import topological_order

Array = NDArray[np.float64]


def _sigmoid(x: Array) -> Array:
    e = np.exp(-np.abs(x))   # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _matmul_jacobians(xs: list[Array], out: Array) -> list[Array]:
    a, b = xs
    p, r = a.shape[0], b.shape[1]
    # out[i,k] = sum_j a[i,j] b[j,k]: d out / d a = I_p (x) b^T, d out / d b = a (x) I_r
    return [np.asarray(np.kron(np.eye(p), b.T), dtype=float),
            np.asarray(np.kron(a, np.eye(r)), dtype=float)]


def _dot_jacobians(xs: list[Array], out: Array) -> list[Array]:
    u, w = xs
    # out = u^T w for two columns: d out / d u = w^T, d out / d w = u^T
    return [np.asarray(w.T, dtype=float), np.asarray(u.T, dtype=float)]


def _augment_jacobian(xs: list[Array], out: Array) -> list[Array]:
    n = xs[0].size
    return [np.vstack([np.zeros((1, n)), np.eye(n)])]


# op -> (forward, Jacobians of the flattened output with respect to each flattened parent)
TENSOR_OPS: dict[str, tuple[Callable[[list[Array]], Array],
                            Callable[[list[Array], Array], list[Array]]]] = {
    "matmul": (lambda xs: xs[0] @ xs[1], _matmul_jacobians),
    "dot": (lambda xs: xs[0].T @ xs[1], _dot_jacobians),
    "augment": (lambda xs: np.vstack([[[1.0]], xs[0]]) if xs[0].shape[1] == 1
                else np.hstack([[[1.0]], xs[0]]), _augment_jacobian),
    "sigmoid": (lambda xs: _sigmoid(xs[0]),
                lambda xs, out: [np.diag((out * (1 - out)).ravel())]),
    "-": (lambda xs: xs[0] - xs[1],
          lambda xs, out: [np.eye(out.size), -np.eye(out.size)]),
    "square": (lambda xs: xs[0] ** 2, lambda xs, out: [np.diag(2 * xs[0].ravel())]),
    "+": (lambda xs: xs[0] + xs[1], lambda xs, out: [np.eye(out.size), np.eye(out.size)]),
    "*": (lambda xs: xs[0] * xs[1],                         # entry-wise (Hadamard)
          lambda xs, out: [np.diag(xs[1].ravel()), np.diag(xs[0].ravel())]),
    "tanh": (lambda xs: np.tanh(xs[0]), lambda xs, out: [np.diag(1 - out.ravel() ** 2)]),
    "relu": (lambda xs: np.maximum(xs[0], 0),               # the tie at 0 goes to 0
             lambda xs, out: [np.diag((xs[0] > 0).ravel().astype(float))]),
    "log": (lambda xs: np.log(xs[0]), lambda xs, out: [np.diag(1 / xs[0].ravel())]),
    "sum": (lambda xs: np.array([[xs[0].sum()]]), lambda xs, out: [np.ones((1, xs[0].size))]),
}


@dataclass(eq=False)
class Tensor:
    """A node: a leaf array or an operation on its parents' arrays."""

    op: str                            # "input", "param" or a key of TENSOR_OPS
    parents: tuple[Tensor, ...] = ()
    label: str = ""                    # LaTeX name for figures
    data: Array = field(default_factory=lambda: np.zeros((1, 1)))
    grad: Array = field(default_factory=lambda: np.zeros((1, 1)))
    jacobians: list[Array] = field(default_factory=list)

    def evaluate(self) -> None:
        if self.parents:
            self.data = TENSOR_OPS[self.op][0]([p.data for p in self.parents])

    def local_jacobians(self) -> list[Array]:
        return TENSOR_OPS[self.op][1]([p.data for p in self.parents], self.data)


def tensor(label: str, value: object, kind: str = "param") -> Tensor:
    """A leaf holding an array; a flat sequence becomes a column vector."""
    data = np.asarray(value, dtype=float)
    if data.ndim == 1:
        data = data.reshape(-1, 1)
    return Tensor(kind, label=label, data=data)


def op(name: str, *parents: Tensor, label: str = "") -> Tensor:
    return Tensor(name, parents, label)


def forward(output: Tensor) -> Array:
    for node in topological_order(output):
        node.evaluate()
    return output.data


def backward(output: Tensor) -> None:
    """grad_parent += grad_out (a row vector) times the local Jacobian, in reverse order."""
    order = topological_order(output)
    for node in order:
        node.grad = np.zeros_like(node.data)
    output.grad = np.ones_like(output.data)
    for node in reversed(order):
        if not node.parents:
            continue
        node.jacobians = node.local_jacobians()
        row = node.grad.reshape(1, -1)
        for parent, jac in zip(node.parents, node.jacobians, strict=True):
            parent.grad = parent.grad + (row @ jac).reshape(parent.data.shape)
