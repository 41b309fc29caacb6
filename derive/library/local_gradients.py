"""The local gradients of six computation-graph nodes (C5)."""

from __future__ import annotations

import sympy as sp

from derive.proof import Derivation, Oracle, Step, text
from derive.registry import derivation

x, y, c = sp.symbols("x y c", real=True)


def indicator(condition: sp.Basic) -> sp.Expr:
    """1 where the condition holds, else 0 (shown as a case distinction)."""
    return sp.Piecewise((1, condition), (0, True))


@derivation("local-gradients")
def local_gradients() -> Derivation:
    """d/dx and d/dy of x + c, x + y, c x, x y, max(x, y), min(x, y)."""
    d = sp.Derivative
    nodes = [
        ("add a constant: the gradient passes through", x + c, [(x, sp.S.One)]),
        ("add two inputs: the gradient is copied to both", x + y, [(x, sp.S.One), (y, sp.S.One)]),
        ("multiply by a constant: the gradient is scaled", c * x, [(x, c)]),
        ("multiply two inputs: each input gets the gradient times the other input", x * y,
         [(x, y), (y, x)]),
        ("max: the gradient is routed to the larger input", sp.Max(x, y),
         [(x, indicator(x > y)), (y, indicator(y > x))]),
        ("min: the gradient is routed to the smaller input", sp.Min(x, y),
         [(x, indicator(x < y)), (y, indicator(y < x))]),
    ]
    steps = [Step(d(f, var), local, text(words if n == 0 else "likewise"))
             for words, f, grads in nodes for n, (var, local) in enumerate(grads)]
    return Derivation(
        name="local-gradients",
        title="Local gradients of six nodes",
        summary=text("Back-propagation multiplies the gradient arriving at a node's output "
                     "by these local derivatives to get the gradients of its inputs. At a tie "
                     "of max or min the derivative does not exist; any value between 0 and 1 "
                     "(a subgradient) may be used."),
        givens=[text("inputs ", x, " and ", y, ", a constant ", c)],
        steps=steps,
        domains={x: (-3.0, 3.0), y: (-3.0, 3.0), c: (-3.0, 3.0)},
        oracles=[Oracle(text("sympy.diff of max(x, y): the Heaviside step ",
                             sp.Heaviside(x - y)), indicator(x > y), sp.diff(sp.Max(x, y), x))],
        problems=("C5",),
    )
