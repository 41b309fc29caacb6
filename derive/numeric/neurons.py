"""Worked examples of single neurons: a linear neuron's output (A1), a boundary (A4)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import sympy as sp

from derive.library.boundary import A4_WEIGHTS, th0, th1, th2
from derive.numeric.parameters import Answer, Constraint, Parameter, ParameterSpace
from derive.numeric.worksheet import Worksheet
from derive.proof import WorkedExample, text, written_sum
from derive.registry import example

A1_WEIGHTS = (0.1, 0.2, 0.3)    # bias first
A1_INPUT = (1.0, 1.0)


@example("a1-linear-neuron")
def a1_linear_neuron() -> WorkedExample:
    """The output of a linear neuron: the weighted sum with the bias weight on x0 = 1."""
    ws = Worksheet()
    theta = [ws.given(ws.symbol(f"theta{k}", rf"\theta_{k}"), wk, "Weights and input")
             for k, wk in enumerate(A1_WEIGHTS)]
    x = [ws.given(ws.symbol(f"x{k}", f"x_{k}"), xk, "Weights and input")
         for k, xk in enumerate(A1_INPUT, 1)]
    ws.add(ws.symbol("out", r"\theta^{\top} x"),
           written_sum(theta[0], *[t * xi for t, xi in zip(theta[1:], x, strict=True)]),
           "Output (linear activation)")
    return ws.example("a1-linear-neuron", "A linear neuron's output",
                      text("With a linear activation the output is the weighted sum itself; "
                           "the first weight is the bias, multiplied by the augmented input "
                           "$x_0 = 1$."),
                      [], problems=("A1",))


def _boundary(p: Mapping[str, float]) -> dict[str, float]:
    """The unit normal and the distances by plain floating point (the check's reference)."""
    norm = math.hypot(p["theta_1"], p["theta_2"])
    return {"norm": norm, "n1": p["theta_1"] / norm, "n2": p["theta_2"] / norm,
            "d": abs(p["theta_0"]) / norm, "d_signed": -p["theta_0"] / norm}


A4_PARAMETERS = ParameterSpace(
    parameters=(Parameter("theta_0", A4_WEIGHTS[th0], 1, 6, 0),
                Parameter("theta_1", A4_WEIGHTS[th1], -6, 6, 0, nonzero=True),
                Parameter("theta_2", A4_WEIGHTS[th2], -6, 6, 0, nonzero=True)),
    parameter_checks=(   # the example's text: the origin lies on the side g > 0
        Constraint("theta_0 > 0", lambda p: p["theta_0"] > 0),
        Constraint("the normal's components differ in size",
                   lambda p: abs(p["theta_1"]) != abs(p["theta_2"])),),
    answers=(Answer("(a) the unit normal", "n1"), Answer("(a) the unit normal", "n2"),
             Answer("(b) the distance from the origin", "d"),
             Answer("(b) the signed distance", "d_signed")),
    reference=_boundary,
)


@example("a4-boundary", parameters=A4_PARAMETERS)
def a4_boundary(values: Mapping[str, float]) -> WorkedExample:
    """A4 in decimals, from the formulas of the verified derivation ``linear-boundary``."""
    ws = Worksheet()
    weights = {s: ws.given(ws.symbol(s.name, sp.latex(s)), float(values[s.name]),
                           "Weights of the discriminant") for s in (th0, th1, th2)}
    t0, t1, t2 = (weights[s] for s in (th0, th1, th2))
    norm = ws.add(ws.symbol("norm", r"\lVert \mathbf{n} \rVert"),
                  sp.sqrt(written_sum(t1**2, t2**2)), "Normal and distance")
    ws.add(ws.symbol("n1", r"\hat n_1"), t1 / norm, "Normal and distance")
    ws.add(ws.symbol("n2", r"\hat n_2"), t2 / norm, "Normal and distance")
    ws.add(ws.symbol("d", "d"), sp.Abs(t0) / norm, "Normal and distance")
    ws.add(ws.symbol("d_signed", r"d_{\pm}"), -t0 / norm, "Normal and distance")
    return ws.example("a4-boundary", "The boundary of A4 in numbers",
                      text("The unit normal and the distance, evaluated from the formulas "
                           "derived above; the negative signed distance says the line lies on "
                           "the side of the origin that $-\\hat{\\mathbf{n}}$ points to, so the "
                           "origin is on the side $g > 0$."),
                      [], problems=("A4",))
