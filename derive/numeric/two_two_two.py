"""Sheet C problem 3 Q3: the 2-2-2 sigmoid network, with cross-entropy and with squared error.

Every value is computed by back-propagation (BP1–BP4 applied by hand, one quantity at a
time); the cross-entropy gradients are compared with sympy.diff of the cost written out, and
the squared-error numbers with those of the well-known published step-by-step example of the
same network (Matt Mazur, "A Step by Step Backpropagation Example", 2015).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import sympy as sp

from derive.figure import Figure, GraphPanel
from derive.functions import sigmoid
from derive.numeric import graph
from derive.numeric.parameters import (
    Answer,
    Constraint,
    Parameter,
    ParameterSpace,
    shown_as_0_or_1,
)
from derive.numeric.worksheet import Worksheet
from derive.proof import (
    Comparison,
    Table,
    TableRow,
    WorkedExample,
    text,
    written_product,
    written_sum,
)
from derive.registry import example, figure

INPUTS = (0.05, 0.10)
TARGETS = (0.01, 0.99)
WEIGHTS = (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)   # w1 … w8
BIASES = (0.35, 0.60)                                          # hidden, output
RATE = 0.5
# Published values of the squared-error example (Mazur 2015), quoted as the oracle.
PUBLISHED = {
    "out_h1": 0.593269992, "out_h2": 0.596884378, "out_o1": 0.75136507,
    "out_o2": 0.772928465, "E_o1": 0.274811083, "E_o2": 0.023560026, "E": 0.298371109,
    "dE_w5": 0.082167041, "dE_w1": 0.000438568,
    "w5_new": 0.35891648, "w6_new": 0.408666186, "w7_new": 0.511301270,
    "w8_new": 0.561370121, "w1_new": 0.149780716, "w2_new": 0.19956143,
    "w3_new": 0.24975114, "w4_new": 0.29950229,
}
# (hidden unit, input) of w1..w4 and (output, hidden unit) of w5..w8
HIDDEN_EDGES = {1: (1, 1), 2: (1, 2), 3: (2, 1), 4: (2, 2)}
OUTPUT_EDGES = {5: (1, 1), 6: (1, 2), 7: (2, 1), 8: (2, 2)}


def _d(num: str, den: str) -> str:
    return rf"\frac{{\partial {num}}}{{\partial {den}}}"


DEFAULTS = {**{f"i{k}": v for k, v in enumerate(INPUTS, 1)},
            **{f"y{k}": v for k, v in enumerate(TARGETS, 1)},
            **{f"w{k}": v for k, v in enumerate(WEIGHTS, 1)},
            "b_h": BIASES[0], "b_o": BIASES[1], "eta": RATE}


def network(cost: str, values: Mapping[str, float] = DEFAULTS
            ) -> tuple[Worksheet, dict[int, sp.Symbol], sp.Symbol, sp.Expr]:
    """Forward pass, cost, back-propagation and one update, on a worksheet.

    ``cost`` is "cross-entropy" or "squared-error"; ``values`` the inputs i1, i2, targets
    y1, y2, weights w1..w8, biases b_h, b_o and rate eta (default: the published example's).
    Returns the worksheet, each weight's gradient quantity, the cost quantity and the cost
    written out in the weights.
    """
    ws = Worksheet()
    group = "The inputs, targets and parameters"
    i = {k: ws.given(ws.symbol(f"i{k}", f"i_{k}"), values[f"i{k}"], group) for k in (1, 2)}
    y = {k: ws.given(ws.symbol(f"y{k}", f"y_{k}"), values[f"y{k}"], group) for k in (1, 2)}
    w = {k: ws.given(ws.symbol(f"w{k}", f"w_{k}"), values[f"w{k}"], group)
         for k in range(1, len(WEIGHTS) + 1)}
    b_h = ws.given(ws.symbol("b_h", "b_h"), values["b_h"], group)
    b_o = ws.given(ws.symbol("b_o", "b_o"), values["b_o"], group)
    eta = ws.given(ws.symbol("eta", r"\eta"), values["eta"], group)

    group = "Forward pass"
    net_h, out_h, net_o, out_o = {}, {}, {}, {}
    for h in (1, 2):
        terms = [w[e] * i[k] for e, (hh, k) in HIDDEN_EDGES.items() if hh == h]
        net_h[h] = ws.add(ws.symbol(f"net_h{h}", f"z_{{h_{h}}}"), written_sum(*terms, b_h), group)
        out_h[h] = ws.add(ws.symbol(f"out_h{h}", f"a_{{h_{h}}}"), sigmoid(net_h[h]), group)
    for o in (1, 2):
        terms = [w[e] * out_h[h] for e, (oo, h) in OUTPUT_EDGES.items() if oo == o]
        net_o[o] = ws.add(ws.symbol(f"net_o{o}", f"z_{{o_{o}}}"), written_sum(*terms, b_o), group)
        out_o[o] = ws.add(ws.symbol(f"out_o{o}", f"a_{{o_{o}}}"), sigmoid(net_o[o]), group)

    name = "C" if cost == "cross-entropy" else "E"
    parts = [ws.add(ws.symbol(f"{name}_o{o}", f"{name}_{{o_{o}}}"),
                    _cost_of_output(cost, out_o[o], y[o]), "Cost") for o in (1, 2)]
    total = ws.add(ws.symbol(name, name), written_sum(*parts), "Cost")

    group = "Output errors (BP1)"
    delta_o = {}
    for o in (1, 2):
        error = written_sum(out_o[o], -y[o])
        formula = (error if cost == "cross-entropy"
                   else written_product(error, out_o[o], 1 - out_o[o]))
        # the cost's name on its errors, in brackets (a bare superscript is a layer):
        # δ^(CE) of the cross-entropy C, δ^(SE) of the squared error E
        delta_o[o] = ws.add(ws.symbol(f"delta_o{o}", DELTA[cost] + f"_{{o_{o}}}"),
                            formula, group)
    group = "Hidden errors (BP2)"
    delta_h = {}
    for h in (1, 2):
        back = written_sum(*[w[e] * delta_o[o] for e, (o, hh) in OUTPUT_EDGES.items()
                             if hh == h])
        delta_h[h] = ws.add(ws.symbol(f"delta_h{h}", DELTA[cost] + f"_{{h_{h}}}"),
                            written_product(back, out_h[h], 1 - out_h[h]), group)
    group = GRADIENT_GROUP
    grads: dict[int, sp.Symbol] = {}
    for e in sorted(w):   # BP4: the error at the weight's output times the activation at its input
        error, activation = ((delta_o[OUTPUT_EDGES[e][0]], out_h[OUTPUT_EDGES[e][1]])
                             if e in OUTPUT_EDGES else
                             (delta_h[HIDDEN_EDGES[e][0]], i[HIDDEN_EDGES[e][1]]))
        grads[e] = ws.add(ws.symbol(f"d{name}_w{e}", _d(name, f"w_{e}")),
                          written_product(error, activation), group)
        ws.add(ws.symbol(f"w{e}_new", rf"w_{e}^{{+}}"),
               written_sum(w[e], written_product(-1, eta, grads[e])), group)
    return ws, grads, total, written_out(cost, w, values)[0]


GRADIENT_GROUP = "Gradients (BP4) and one gradient-descent step (biases fixed)"
# the errors of the two costs: δ^(CE) = ∂C/∂z of the cross-entropy, δ^(SE) = ∂E/∂z of the squared
# error (the sheet's Conventions say so once)
DELTA = {"cross-entropy": r"\delta^{(\mathrm{CE})}", "squared-error": r"\delta^{(\mathrm{SE})}"}


def gradient_table(ws: Worksheet, name: str) -> Table:
    """The eight gradients and updated weights as one table: a row per weight with its BP4
    formula; its value, its gradient and the weight after the step."""
    by_name = {q.symbol.name: q for q in ws.quantities}
    # a row per weight: its value, its gradient's BP4 formula and value, the weight after
    rows = [TableRow(by_name[f"w{e}"].symbol, by_name[f"d{name}_w{e}"].formula,
                     [by_name[f"w{e}"].symbol, by_name[f"d{name}_w{e}"].symbol,
                      by_name[f"w{e}_new"].symbol]) for e in range(1, 9)]
    return Table(GRADIENT_GROUP,
                 ["value", "", rf"$w^{{+}} = w - \eta\, \partial {name}/\partial w$"],
                 rows, (GRADIENT_GROUP,),
                 heads=("$w$", rf"$\partial {name}/\partial w$ (BP4)"), formula_after=1)


def _cost(cost: str, a: dict[int, sp.Expr], y: dict[int, sp.Expr]) -> sp.Expr:
    """The cross-entropy or half the squared error of the outputs ``a`` against ``y``."""
    return written_sum(*[_cost_of_output(cost, a[o], y[o]) for o in (1, 2)])


def _cost_of_output(cost: str, a: sp.Expr, y: sp.Expr) -> sp.Expr:
    """One output's share of the cost: -[y log a + (1 - y) log(1 - a)], or (y - a)²/2."""
    if cost == "cross-entropy":
        return -written_sum(y * sp.log(a), (1 - y) * sp.log(1 - a))
    return written_product(sp.Rational(1, 2), (y - a) ** 2)


def written_out(cost: str, w: dict[int, sp.Symbol],
                values: Mapping[str, float | sp.Expr] = DEFAULTS
                ) -> tuple[sp.Expr, dict[sp.Expr, str]]:
    """The cost written directly in the weights (inputs, biases, targets as the numbers or
    symbols of ``values``), and the names of its intermediate values (z and a of each unit)
    for the graph."""
    net_h = {h: sum(w[e] * values[f"i{k}"] for e, (hh, k) in HIDDEN_EDGES.items() if hh == h)
             + values["b_h"] for h in (1, 2)}
    out_h = {h: sigmoid(net_h[h]) for h in (1, 2)}
    net_o = {o: sum(w[e] * out_h[h] for e, (oo, h) in OUTPUT_EDGES.items() if oo == o)
             + values["b_o"] for o in (1, 2)}
    out_o = {o: sigmoid(net_o[o]) for o in (1, 2)}
    names: dict[sp.Expr, str] = {}
    for unit, net, out in (("h", net_h, out_h), ("o", net_o, out_o)):
        for k in (1, 2):
            names[net[k]], names[out[k]] = f"z_{{{unit}_{k}}}", f"a_{{{unit}_{k}}}"
    targets = {o: sp.sympify(values[f"y{o}"]) for o in (1, 2)}
    return _cost(cost, out_o, targets), names


def forward(p: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The hidden and output activations in plain NumPy from the parameters alone (it
    shares no code with the worksheet)."""
    w = {e: p[f"w{e}"] for e in range(1, 9)}
    i = np.array([p["i1"], p["i2"]])
    hidden = 1 / (1 + np.exp(-(np.array([[w[1], w[2]], [w[3], w[4]]]) @ i + p["b_h"])))
    out = 1 / (1 + np.exp(-(np.array([[w[5], w[6]], [w[7], w[8]]]) @ hidden + p["b_o"])))
    return hidden, out


def cross_entropy(p: Mapping[str, float]) -> float:
    """The cross-entropy cost in NumPy (the finite-difference cross-check's objective)."""
    a, y = forward(p)[1], np.array([p["y1"], p["y2"]])
    return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))


FD_STEP = 1e-6


def central_difference(f: Callable[[Mapping[str, float]], float], p: Mapping[str, float],
                       name: str) -> float:
    """The derivative of ``f`` by the parameter ``name`` at ``p``, by central differences."""
    up, down = dict(p), dict(p)
    up[name] += FD_STEP
    down[name] -= FD_STEP
    return (f(up) - f(down)) / (2 * FD_STEP)


def _reference(p: Mapping[str, float]) -> dict[str, float]:
    hidden, out = forward(p)
    return {"out_h1": float(hidden[0]), "out_h2": float(hidden[1]), "out_o1": float(out[0]),
            "out_o2": float(out[1]), "C": cross_entropy(p)}


Q3_PARAMETERS = ParameterSpace(
    parameters=(
        Parameter("i1", INPUTS[0], 0.05, 0.95, 2), Parameter("i2", INPUTS[1], 0.05, 0.95, 2),
        Parameter("y1", TARGETS[0], 0.01, 0.99, 2), Parameter("y2", TARGETS[1], 0.01, 0.99, 2),
        *[Parameter(f"w{e}", WEIGHTS[e - 1], -0.8, 0.8, 2, nonzero=True) for e in range(1, 9)],
        Parameter("b_h", BIASES[0], -0.8, 0.8, 2), Parameter("b_o", BIASES[1], -0.8, 0.8, 2),
        Parameter("eta", RATE, 0.1, 1.0, 1),
    ),
    parameter_checks=(
        Constraint("the two targets differ by at least 0.2",
                   lambda p: abs(p["y1"] - p["y2"]) >= 0.2),
        Constraint("every activation lies in [0.05, 0.95]",
                   lambda p: bool(all(np.all(np.abs(a - 0.5) <= 0.45) for a in forward(p)))),
        Constraint("the cost is not tiny (at least 0.1 above its least value)",
                   lambda p: _excess(p) >= 0.1),
    ),
    constraints=(
        Constraint("no computed value prints as 0 or 1 (or in powers of ten)",
                   lambda q: not any(shown_as_0_or_1(v) for n, v in q.items()
                                     if n not in DEFAULTS)),
    ),
    answers=(
        Answer("(a) the cost", "C"),
        *[Answer("(b) the gradients", f"dC_w{e}") for e in range(1, 9)],
        *[Answer("(c) one gradient-descent step", f"w{e}_new") for e in range(1, 9)],
    ),
    objective=cross_entropy,
    gradients={f"w{e}": f"dC_w{e}" for e in range(1, 9)},
    reference=_reference,
)


def _excess(p: Mapping[str, float]) -> float:
    """How far the cost is above its least value (the targets' own entropy)."""
    y = np.array([p["y1"], p["y2"]])
    return cross_entropy(p) - float(-np.sum(y * np.log(y) + (1 - y) * np.log(1 - y)))


@example("c-q3-cross-entropy", parameters=Q3_PARAMETERS)
def c_q3_cross_entropy(values: Mapping[str, float]) -> WorkedExample:
    """(a), (b): the cross-entropy cost, all eight gradients and one update."""
    ws, grads, _, _ = network("cross-entropy", values)
    # each gradient against central differences of the cost in plain NumPy (cross_entropy:
    # a forward pass that shares no code with the worksheet or with back-propagation)
    comparisons = [Comparison(text(rf"$\partial C/\partial w_{e}$"), ws.value(grads[e]),
                              central_difference(cross_entropy, values, f"w{e}"))
                   for e in sorted(grads)]
    return ws.example(
        "c-q3-cross-entropy", "Problem 3 Q3 (a), (b): the 2-2-2 network with cross-entropy",
        text(r"The cost is the sum of the two outputs' cross-entropies. The output errors are "
             rf"${DELTA['cross-entropy']}_{{o_k}} = a_{{o_k}} - y_k$ (problem 2 Q3), the hidden "
             r"errors follow BP2 "
             r"with the old output weights $w_5, \dots, w_8$ (every gradient is computed before "
             "any weight changes), and each weight's gradient is BP4: the error at its output "
             "times the activation at its input."),
        comparisons, problems=("P3",), tables=[gradient_table(ws, "C")],
        compared=("back-propagation", "finite differences"))


def forward_table(ws: Worksheet) -> Table:
    """The forward pass once more, as in (a), but as four rows: each unit's z and a."""
    by_name = {q.symbol.name: q for q in ws.quantities}
    rows = [TableRow(ws.symbol(f"unit_{u}", f"{u[0]}_{u[1]}"), by_name[f"net_{u}"].formula,
                     [by_name[f"net_{u}"].symbol, by_name[f"out_{u}"].symbol])
            for u in ("h1", "h2", "o1", "o2")]
    return Table("Forward pass (as in (a))", ["", r"$a_u = \sigma(z_u)$"], rows,
                 ("Forward pass",), heads=("unit $u$", "$z_u$"))


@example("c-q3-squared-error")
def c_q3_squared_error() -> WorkedExample:
    """(c): the squared-error version, checked against the published example."""
    ws, grads, total, _ = network("squared-error")
    group = "Output errors of the two costs compared"
    ratios = []
    for o in (1, 2):
        out, y = ws.symbol(f"out_o{o}"), ws.symbol(f"y{o}")
        ce = ws.add(ws.symbol(f"delta_ce_o{o}", DELTA["cross-entropy"] + f"_{{o_{o}}}"),
                    written_sum(out, -y), group)
        ratios.append(ws.add(
            # the ratio named by its own fraction, so that the line does not say it twice
            ws.symbol(f"ratio_o{o}", rf"\frac{{{DELTA['cross-entropy']}_{{o_{o}}}}}"
                                     rf"{{{DELTA['squared-error']}_{{o_{o}}}}}"),
            ce / ws.symbol(f"delta_o{o}"), group,
            note=r"$1/\sigma'(z_{o_k})$: the factor by which cross-entropy is larger"))
    larger = " and ".join(f"{ws.value(r):.1f}" for r in ratios)   # computed, to one decimal
    comparisons = [Comparison(text(rf"$\partial E/\partial w_{key[len('dE_w'):]}$")
                              if key.startswith("dE_w") else text(ws.symbol(key)),
                              ws.value(ws.symbol(key)), value)
                   for key, value in PUBLISHED.items()]
    return WorkedExample(
        "c-q3-squared-error",
        "Problem 3 Q3 (c): the same network with the squared error",
        text(r"The output error now carries the factor $\sigma'(z_{o_k}) = a_{o_k}(1 - a_{o_k})$, "
             r"which cross-entropy removes. Each output-layer gradient is its output's error "
             r"times a hidden activation (BP4), so the ratio of the two costs' output errors, "
             rf"${DELTA['cross-entropy']}_{{o_k}} / {DELTA['squared-error']}_{{o_k}} = "
             r"1/\sigma'(z_{o_k})$, is also the ratio of their output-layer gradients. The last "
             "lines of this part compute it: with cross-entropy the output-layer step is "
             f"{larger} times larger here, for $o_1$ and $o_2$. Dropping "
             r"$\sigma' \le \frac14$ matters most where an output saturates: $\sigma'$ is then "
             r"near $0$, so a confidently wrong output learns slowly under the squared error, "
             r"while its cross-entropy error $a_{o_k} - y_k$ is largest."),
        ws.quantities, ws.notation, comparisons, ("P3",),
        compared=("computed here",
                  "published values (M. Mazur, A Step by Step Backpropagation Example, 2015)"),
        tables=[forward_table(ws), gradient_table(ws, "E")])


# the graph's named leaves besides the weights: (key of DEFAULTS, LaTeX, kind)
GRAPH_LEAVES = (("i1", "i_{1}", "input"), ("i2", "i_{2}", "input"), ("y1", "y_{1}", "input"),
                ("y2", "y_{2}", "input"), ("b_h", "b_{h}", "param"), ("b_o", "b_{o}", "param"))


@figure("c-q3-graph")
def c_q3_graph() -> Figure:
    """The computation graph of the 2-2-2 network with the squared error, values and gradients:
    the output layer on a row of its own, then each hidden unit (review 19: the whole graph
    in one row had labels too small to read and crossing wires)."""
    w = {e: Worksheet().symbol(f"w{e}") for e in range(1, 9)}
    named = {key: sp.Symbol(f"graph_{key}", real=True) for key, _, _ in GRAPH_LEAVES}
    leaves = {w[e]: graph.leaf(f"w_{{{e}}}", WEIGHTS[e - 1]) for e in w}
    leaves.update({named[key]: graph.leaf(tex, DEFAULTS[key], kind)
                   for key, tex, kind in GRAPH_LEAVES})
    # each hidden unit a = σ(z) from the inputs; a panel's own leaves for the inputs and the
    # bias, which hold the part of their gradient that flows through that unit
    hidden, names = {}, {}
    for h in (1, 2):
        net = written_sum(*[w[e] * named[f"i{k}"] for e, (hh, k) in HIDDEN_EDGES.items()
                            if hh == h], named["b_h"])
        names[net], names[sigmoid(net)] = f"z_{{h_{h}}}", f"a_{{h_{h}}}"
        own = {**leaves, **{named[key]: graph.leaf(tex, DEFAULTS[key], kind)
                            for key, tex, kind in GRAPH_LEAVES if key in ("i1", "i2", "b_h")}}
        hidden[h] = graph.from_expr(sigmoid(net), own, names)
        graph.forward(hidden[h])
    # the output layer and the cost, from the hidden activations as its leaves
    a_h = {h: sp.Symbol(f"graph_a_h{h}", real=True) for h in (1, 2)}
    for h in (1, 2):
        leaves[a_h[h]] = graph.leaf(f"a_{{h_{h}}}", hidden[h].data, "input")
    out_o = {}
    for o in (1, 2):
        net = written_sum(*[w[e] * a_h[h] for e, (oo, h) in OUTPUT_EDGES.items() if oo == o],
                          named["b_o"])
        out_o[o] = sigmoid(net)
        names[net], names[out_o[o]] = f"z_{{o_{o}}}", f"a_{{o_{o}}}"
    cost = _cost("squared-error", out_o, {o: named[f"y{o}"] for o in (1, 2)})
    output = graph.from_expr(cost, leaves, {**names, cost: "E"})
    graph.forward(output)
    graph.backward(output)
    for h in (1, 2):   # the gradient the output layer sends back into each hidden unit
        graph.backward(hidden[h], upstream=leaves[a_h[h]].grad)
    panels = [GraphPanel(output, r"The output layer and the cost $E$", width=1.0)]
    panels += [GraphPanel(hidden[h], rf"Hidden unit $h_{h}$: $a_{{h_{h}}}$ and the gradient "
                          rf"$\partial E/\partial a_{{h_{h}}}$ it receives", width=0.48)
               for h in (1, 2)]
    return Figure("c-q3-graph",
                  r"The computation graph of the 2-2-2 network with the squared error "
                  r"$E = \tfrac{1}{2}(y_1 - a_{o_1})^2 + \tfrac{1}{2}(y_2 - a_{o_2})^2$, cut at "
                  r"the hidden activations: the output layer (top) takes $a_{h_1}, a_{h_2}$ from "
                  r"the hidden units (below) and sends each its gradient "
                  r"$\partial E/\partial a_{h_k}$, on the unit's output arrow. Each box shows a "
                  r"value over its gradient of $E$ (red), each edge the value flowing forward "
                  r"over the gradient flowing back; at a fork the gradients add ($i_1$, $i_2$, "
                  r"$b_h$ show the part through each unit). The weights' gradients are those of "
                  r"the table above.",
                  graphs=panels, problems=("P3",), landscape=True)
