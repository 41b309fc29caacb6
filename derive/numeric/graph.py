"""A scalar computation graph in the spirit of micrograd.

A :class:`Node` holds its value (``data``), the gradient of the output with respect to it
(``grad``), its parents and its operation.  ``forward`` evaluates the nodes in topological
order; ``backward`` visits them in reverse and adds each node's local derivatives times its
gradient to its parents, so gradients accumulate where a value fans out.

Graphs are built from a SymPy expression (:func:`from_expr`), so that the graph of a problem
comes from the same formulas as its worked example.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import sympy as sp

from derive.functions import relu, sigmoid

Local = Callable[[list[float], float], list[float]]


def _sigmoid(t: float) -> float:
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


# op -> (forward on the parents' values, local derivatives d out / d parent_k)
OPS: dict[str, tuple[Callable[[list[float]], float], Local]] = {
    "+": (lambda xs: math.fsum(xs), lambda xs, out: [1.0] * len(xs)),
    "*": (lambda xs: math.prod(xs),
          lambda xs, out: [math.prod(xs[:k] + xs[k + 1:]) for k in range(len(xs))]),
    "-": (lambda xs: xs[0] - xs[1], lambda xs, out: [1.0, -1.0]),
    "neg": (lambda xs: -xs[0], lambda xs, out: [-1.0]),
    "exp": (lambda xs: math.exp(xs[0]), lambda xs, out: [out]),
    "log": (lambda xs: math.log(xs[0]), lambda xs, out: [1.0 / xs[0]]),
    "sigmoid": (lambda xs: _sigmoid(xs[0]), lambda xs, out: [out * (1.0 - out)]),
    "tanh": (lambda xs: math.tanh(xs[0]), lambda xs, out: [1.0 - out * out]),
    "relu": (lambda xs: max(0.0, xs[0]), lambda xs, out: [1.0 if xs[0] > 0 else 0.0]),
    "max": (lambda xs: max(xs), lambda xs, out: [1.0 if k == xs.index(max(xs)) else 0.0
                                                 for k in range(len(xs))]),
    "min": (lambda xs: min(xs), lambda xs, out: [1.0 if k == xs.index(min(xs)) else 0.0
                                                 for k in range(len(xs))]),
}


def _power(n: float) -> tuple[Callable[[list[float]], float], Local]:
    return (lambda xs: xs[0] ** n, lambda xs, out: [n * xs[0] ** (n - 1)])


@dataclass(eq=False)
class Node:
    """One value of the graph: a leaf (input, parameter, constant) or an operation."""

    op: str                          # "input", "param", "const" or a key of OPS, or "pow"
    parents: tuple[Node, ...] = ()
    label: str = ""                  # LaTeX for figures (a leaf's symbol, an op's name)
    data: float = 0.0
    grad: float = 0.0
    exponent: float = 1.0            # for op == "pow"
    edge_grads: list[float] = field(default_factory=list)  # d out / d parent_k * grad

    @property
    def is_leaf(self) -> bool:
        return not self.parents

    def _rule(self) -> tuple[Callable[[list[float]], float], Local]:
        return _power(self.exponent) if self.op == "pow" else OPS[self.op]

    def evaluate(self) -> None:
        """Compute data from the parents' data (leaves keep theirs)."""
        if self.parents:
            self.data = self._rule()[0]([p.data for p in self.parents])

    def local_gradients(self) -> list[float]:
        """d self / d parent_k at the current values."""
        return self._rule()[1]([p.data for p in self.parents], self.data)

    # micrograd-style construction: a + b, a * b, a ** 2, -a
    def __add__(self, other: Node | float) -> Node:
        return Node("+", (self, _node(other)))

    def __radd__(self, other: float) -> Node:
        return Node("+", (_node(other), self))

    def __mul__(self, other: Node | float) -> Node:
        return Node("*", (self, _node(other)))

    def __rmul__(self, other: float) -> Node:
        return Node("*", (_node(other), self))

    def __neg__(self) -> Node:
        return Node("neg", (self,))

    def __sub__(self, other: Node | float) -> Node:
        return Node("-", (self, _node(other)))

    def __rsub__(self, other: float) -> Node:
        return Node("-", (_node(other), self))

    def __pow__(self, n: float) -> Node:
        return Node("pow", (self,), exponent=float(n))

    def __truediv__(self, other: Node | float) -> Node:
        return self * _node(other) ** -1

    def __rtruediv__(self, other: float) -> Node:
        return _node(other) * self ** -1

    def apply(self, op: str) -> Node:
        """A unary operation: sigmoid, tanh, relu, exp, log."""
        return Node(op, (self,))


def _node(x: Node | float) -> Node:
    return x if isinstance(x, Node) else Node("const", label=f"{x:g}", data=float(x))


def leaf(label: str, value: float, kind: str = "param") -> Node:
    """An input or parameter with a value."""
    return Node(kind, label=label, data=float(value))


class HasParents(Protocol):
    @property
    def parents(self) -> Sequence[Any]: ...


G = TypeVar("G", bound=HasParents)


def topological_order(output: G) -> list[G]:
    """Every node the output depends on, each after all of its parents (depth-first).

    Works for any node type with ``parents`` (the scalar Node and the vector graph's Tensor).
    """
    order: list[G] = []
    seen: set[int] = set()

    def visit(node: G) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(output)
    return order


def forward(output: Node) -> float:
    """Evaluate every node in topological order; return the output's value."""
    for node in topological_order(output):
        node.evaluate()
    return output.data


def backward(output: Node, upstream: float = 1.0) -> None:
    """Set every node's grad to upstream * d output / d node (reverse topological order).

    ``upstream`` is the gradient arriving at the output from the rest of a larger graph.
    """
    order = topological_order(output)
    for node in order:
        node.grad = 0.0
    output.grad = upstream
    for node in reversed(order):
        node.edge_grads = [node.grad * g for g in node.local_gradients()] if node.parents else []
        for parent, g in zip(node.parents, node.edge_grads, strict=True):
            parent.grad += g


# --- from SymPy ----------------------------------------------------------------------------

_FUNCTIONS = {sp.exp: "exp", sp.log: "log", sigmoid: "sigmoid", sp.tanh: "tanh", relu: "relu",
              sp.Max: "max", sp.Min: "min"}


def from_expr(expr: sp.Expr, leaves: dict[sp.Symbol, Node],
              named: dict[sp.Expr, str] | None = None) -> Node:
    """The graph of a SymPy expression; its symbols must be among ``leaves``.

    Shared subexpressions become one node (so their gradients accumulate), numbers a leaf at
    each use; ``named`` gives
    LaTeX labels to intermediate values (``{z1: "z_1"}``, matched by expression).
    """
    built: dict[sp.Expr, Node] = {}
    names = named or {}

    def build(e: sp.Expr) -> Node:
        if e in built:
            return built[e]
        if e in leaves:
            node = leaves[e]
        elif e.is_Number:
            node = _node(float(e))
            if isinstance(e, sp.Rational) and not e.is_Integer:
                node.label = rf"\tfrac{{{e.p}}}{{{e.q}}}"
        elif isinstance(e, sp.Add) and len(e.args) == 2 and _one_negated(e.args):
            plus, minus = sorted(e.args, key=lambda a: a.could_extract_minus_sign())
            node = Node("-", (build(plus), build(-minus)))
        elif isinstance(e, sp.Add):
            node = Node("+", tuple(build(a) for a in e.args))
        elif isinstance(e, sp.Mul):
            coeff, rest = e.as_coeff_Mul()
            if coeff == -1:
                node = Node("neg", (build(rest),))
            else:
                node = Node("*", tuple(build(a) for a in e.args))
        elif isinstance(e, sp.Pow) and e.exp.is_Number:
            node = Node("pow", (build(e.base),), exponent=float(e.exp))
        elif e.func in _FUNCTIONS:
            node = Node(_FUNCTIONS[e.func], tuple(build(a) for a in e.args))
        else:
            raise ValueError(f"no graph node for {e.func.__name__} in {e}")
        if e in names:
            node.label = names[e]
        if not e.is_Number:    # a constant is a leaf of its own at each use
            built[e] = node
        return node

    return build(expr)


def _one_negated(terms: tuple[sp.Expr, ...]) -> bool:
    """Whether exactly one of two terms carries a minus sign (the sum is a difference)."""
    return sum(bool(t.could_extract_minus_sign()) for t in terms) == 1


def gradients(output: Node, wanted: Iterable[Node]) -> list[float]:
    """Run forward and backward; the gradients of the wanted nodes."""
    forward(output)
    backward(output)
    return [n.grad for n in wanted]
