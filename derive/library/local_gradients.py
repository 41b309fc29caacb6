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
                     "subgradient. The derivatives of max and min below are those away from a tie, "
                     "where ", sp.Ne(x, y, evaluate=False), "; the local gradients ",
                     symbol("g_bar", r"\bar{g}"), " that back-propagation uses (in this "
                     "sheet's computation graphs too) add a choice at a tie: the whole "
                     "gradient to the first input, the subgradient $(1, 0)$."),
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
        (sp.Max(x, y), x, indicator(x > y), "max, away from a tie: $1$ where $x$ is larger ..."),
        (sp.Max(x, y), y, indicator(y > x), "... and $1$ where $y$ is larger"),
        (sp.Min(x, y), x, indicator(x < y), "min, away from a tie: $1$ where $x$ is smaller ..."),
        (sp.Min(x, y), y, indicator(y < x), "... and $1$ where $y$ is smaller"),
    ]:
        proof.chain(sp.Derivative(node, var)).eq(
            local, words, where=tie if node.has(sp.Max, sp.Min) else None)
    # at a tie max and min have no derivative: back-propagation uses a local gradient, the
    # derivative where x != y and at x = y the subgradient (1, 0), all to the first input
    for node, name, choice in [("max", "x", x >= y), ("max", "y", y > x),
                               ("min", "x", x <= y), ("min", "y", y < x)]:
        proof.given(symbol(f"g_{node}_{name}", rf"\bar{{g}}^{{\,\{node}}}_{{{name}}}"),
                    indicator(choice),
                    f"the local gradient back-propagation uses for {node}: the derivative "
                    "away from a tie, all of the gradient to $x$ at one" if name == "x" else
                    "... and none to $y$ at a tie")
    proof.oracle(indicator(x > y), sp.diff(sp.Max(x, y), x), r"sympy.diff of $\max(x, y)$, "
                 "away from the tie", where=sp.Ne(x, y))
