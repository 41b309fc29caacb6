"""The local gradients of six computation-graph nodes (C5)."""

from __future__ import annotations

import sympy as sp

from derive.authoring import Proof, symbol
from derive.registry import derivation

x, y, c = (symbol(n, real=True) for n in "xyc")


def indicator(condition: sp.Basic) -> sp.Expr:
    """1 where the condition holds, else 0 (shown as a case distinction)."""
    return sp.Piecewise((1, condition), (0, True))


@derivation("local-gradients", title="Local gradients of six nodes", problems=("C5",),
            summary=("Back-propagation multiplies the gradient arriving at a node's output by "
                     "these local derivatives to get the gradients of its inputs. At a tie "
                     "of max or min, ", sp.Eq(x, y, evaluate=False), ", the derivative does "
                     "not exist: every split $(t, 1 - t)$ with $0 \\le t \\le 1$ is a "
                     "subgradient. This sheet, and its computation graphs, give the whole "
                     "gradient to the first input, $(1, 0)$; so the lines of max and min hold "
                     "as equalities only where ", sp.Ne(x, y, evaluate=False), "."),
            domains={x: (-3.0, 3.0), y: (-3.0, 3.0), c: (-3.0, 3.0)})
def local_gradients(proof: Proof) -> None:
    """d/dx and d/dy of x + c, x + y, c x, x y, max(x, y), min(x, y)."""
    proof.state("inputs ", x, " and ", y, ", a constant ", c)
    tie = sp.Ne(x, y)   # max and min have no derivative where x = y
    for node, var, local, words in [
        (x + c, x, sp.S.One, "add a constant: the gradient passes through unchanged"),
        (x + y, x, sp.S.One, "add two inputs: the gradient is copied to $x$ ..."),
        (x + y, y, sp.S.One, "... and to $y$"),
        (c * x, x, c, "multiply by a constant: the gradient is scaled by $c$"),
        (x * y, x, y, "multiply two inputs: $x$ gets the gradient times $y$ ..."),
        (x * y, y, x, "... and $y$ the gradient times $x$"),
        (sp.Max(x, y), x, indicator(x >= y),
         "max: the gradient goes to $x$ if $x$ is larger ..."),
        (sp.Max(x, y), y, indicator(y > x), "... and to $y$ if $y$ is larger (at a tie: to $x$)"),
        (sp.Min(x, y), x, indicator(x <= y),
         "min: the gradient goes to $x$ if $x$ is smaller ..."),
        (sp.Min(x, y), y, indicator(y < x), "... and to $y$ if $y$ is smaller (at a tie: to $x$)"),
    ]:
        proof.chain(sp.Derivative(node, var)).eq(
            local, words, where=tie if node.has(sp.Max, sp.Min) else None)
    proof.oracle(indicator(x >= y), sp.diff(sp.Max(x, y), x), r"sympy.diff of $\max(x, y)$, "
                 "away from the tie", where=sp.Ne(x, y))
