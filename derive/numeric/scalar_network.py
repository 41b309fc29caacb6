"""Problem C12: a 2-3-1 regression network (logistic hidden units, linear output, L2 loss).

Forward values for each example, back-propagation by local rules, and the same gradients
from the closed form obtained by differentiating the whole batch loss with SymPy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import sympy as sp

from derive.functions import sigmoid
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
    Quantity,
    Table,
    WorkedExample,
    text,
    written_product,
    written_sum,
)
from derive.registry import example

HIDDEN_WEIGHTS = ((0.01, 0.02, 0.03), (0.03, 0.01, 0.02), (0.02, 0.03, 0.01))  # bias first
OUTPUT_WEIGHTS = (0.01, 0.02, 0.03, 0.04)                                      # bias first
BATCH = (((1.0, 2.0), 8.0), ((1.0, 3.0), 11.0), ((2.0, 2.0), 10.0))


def example_loss(w: dict[tuple[int, int], sp.Expr], v: dict[int, sp.Expr],
                 x: list[sp.Expr], y: sp.Expr) -> tuple[sp.Expr, dict[sp.Expr, str]]:
    """The loss of one example, (v0 + sum_h v_h sigma(w_h . x) - y)^2, in written order.

    Any number of inputs x = (x1, ..., xn) and hidden units (len(v) - 1), biases at index 0.
    Also returns LaTeX names of the intermediate values (z_h, a_h, y-hat), for graphs.
    """
    names: dict[sp.Expr, str] = {}
    terms = []
    for h in range(1, len(v)):
        z = written_sum(w[h, 0], *[w[h, k] * x[k - 1] for k in range(1, len(x) + 1)])
        a = sigmoid(z)
        names[z], names[a] = f"z_{h}", f"a_{h}"
        terms.append(v[h] * a)
    yhat = written_sum(v[0], *terms)
    names[yhat] = r"\hat y"
    loss = sp.Pow(written_sum(yhat, -y), 2, evaluate=False)
    names[loss] = r"\ell"
    return loss, names


def parameter_symbols() -> tuple[dict[tuple[int, int], sp.Symbol], dict[int, sp.Symbol]]:
    """The weights w_{h,k} (hidden unit h, input k, bias k = 0) and v_h (v_0 the bias)."""
    w = {(h, k): sp.Symbol(f"w_{h}{k}", real=True)
         for h in range(1, len(HIDDEN_WEIGHTS) + 1) for k in range(3)}
    v = {h: sp.Symbol(f"v_{h}", real=True) for h in range(len(OUTPUT_WEIGHTS))}
    return w, v


def parameter_values() -> dict[sp.Symbol, float]:
    w, v = parameter_symbols()
    return {**{w[h, k]: HIDDEN_WEIGHTS[h - 1][k] for h, k in w},
            **{v[h]: OUTPUT_WEIGHTS[h] for h in v}}


def _d(num: str, den: str) -> str:
    return rf"\frac{{\partial {num}}}{{\partial {den}}}"


def _batch(p: Mapping[str, float]) -> list[tuple[tuple[float, float], float]]:
    return [((p[f"x1_{i}"], p[f"x2_{i}"]), p[f"y_{i}"]) for i in range(1, len(BATCH) + 1)]


def forward(p: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The hidden activations (example by unit) and the outputs of the batch, in plain
    NumPy from the parameters alone (it shares no code with the worksheet)."""
    w = np.array([[p[f"w_{h}{k}"] for k in range(3)] for h in range(1, 4)])
    v = np.array([p[f"v_{h}"] for h in range(4)])
    x = np.array([[1.0, x1, x2] for (x1, x2), _ in _batch(p)])
    a = 1 / (1 + np.exp(-(x @ w.T)))
    return a, v[0] + a @ v[1:]


def batch_loss(p: Mapping[str, float]) -> float:
    """The batch loss in NumPy (the objective of the finite-difference cross-check)."""
    y = np.array([yv for _, yv in _batch(p)])
    return float(np.sum((forward(p)[1] - y) ** 2))


def forward_values(p: Mapping[str, float]) -> dict[str, float]:
    """The outputs and the batch loss by quantity name, in NumPy (the check's reference)."""
    yhat = forward(p)[1]
    out = {f"yhat_{i}": float(yhat[i - 1]) for i in range(1, len(BATCH) + 1)}
    return {**out, "L": batch_loss(p)}


def _distinct(values: Mapping[str, float], names: list[str]) -> bool:
    return len({values[n] for n in names}) == len(names)


HIDDEN = range(1, len(HIDDEN_WEIGHTS) + 1)
BATCH_INDICES = range(1, len(BATCH) + 1)
C12_PARAMETERS = ParameterSpace(
    parameters=(
        *[Parameter(f"w_{h}{k}", HIDDEN_WEIGHTS[h - 1][k], -0.3, 0.3, 2, nonzero=True)
          for h in HIDDEN for k in range(3)],
        *[Parameter(f"v_{h}", OUTPUT_WEIGHTS[h], -0.5, 0.5, 2, nonzero=True)
          for h in range(len(OUTPUT_WEIGHTS))],
        *[Parameter(f"x{k}_{i}", BATCH[i - 1][0][k - 1], 1, 4, 0)
          for i in BATCH_INDICES for k in (1, 2)],
        *[Parameter(f"y_{i}", BATCH[i - 1][1], 2, 12, 0) for i in BATCH_INDICES],
    ),
    parameter_checks=(   # cheap, before the example is computed
        Constraint("every activation lies in [0.05, 0.95]",
                   lambda p: bool(np.all(np.abs(forward(p)[0] - 0.5) <= 0.45))),
        Constraint("the targets are distinct",
                   lambda p: _distinct(p, [f"y_{i}" for i in BATCH_INDICES])),
        Constraint("the inputs of the examples are distinct", lambda p: len(
            {(p[f"x1_{i}"], p[f"x2_{i}"]) for i in BATCH_INDICES}) == len(BATCH_INDICES)),
        Constraint("the hidden units have distinct weights", lambda p: len(
            {tuple(p[f"w_{h}{k}"] for k in range(3)) for h in HIDDEN}) == len(HIDDEN)),
    ),
    constraints=(
        Constraint("every activation lies in [0.05, 0.95]",
                   lambda q: all(0.05 <= q[f"a{h}_{i}"] <= 0.95
                                 for h in HIDDEN for i in BATCH_INDICES)),
        Constraint("no computed value prints as 0 or 1",
                   lambda q: not any(shown_as_0_or_1(value) for name, value in q.items()
                                     if not name.startswith(("w_", "v_", "x", "y_")))),
        Constraint("the batch loss is not tiny (at least 1)", lambda q: q["L"] >= 1),
    ),
    answers=(
        *[Answer("(b) forward pass and batch loss", f"yhat_{i}") for i in BATCH_INDICES],
        Answer("(b) forward pass and batch loss", "L"),
        *[Answer("(c) gradients of the batch loss", f"dL_w_{h}{k}")
          for h in HIDDEN for k in range(3)],
        *[Answer("(c) gradients of the batch loss", f"dL_v_{h}")
          for h in range(len(OUTPUT_WEIGHTS))],
    ),
    objective=batch_loss,
    reference=forward_values,
    gradients={**{f"w_{h}{k}": f"dL_w_{h}{k}" for h in HIDDEN for k in range(3)},
               **{f"v_{h}": f"dL_v_{h}" for h in range(len(OUTPUT_WEIGHTS))}},
)


@example("c12-scalar-network", parameters=C12_PARAMETERS)
def c12_scalar_network(values: Mapping[str, float]) -> WorkedExample:
    """Every forward value, every back-propagated gradient and the closed-form check of C12,
    for the parameter values (by name: w_10 ... w_32, v_0 ... v_3, x1_1, x2_1, y_1, ...)."""
    ws = Worksheet()
    hidden = range(1, len(HIDDEN_WEIGHTS) + 1)
    w = {(h, k): ws.given(ws.symbol(f"w_{h}{k}", rf"w_{{{h},{k}}}"), values[f"w_{h}{k}"],
                          "Parameters") for h in hidden for k in range(3)}
    v = {h: ws.given(ws.symbol(f"v_{h}", rf"v_{{{h}}}"), values[f"v_{h}"], "Parameters")
         for h in range(4)}
    params = [*w.values(), *v.values()]
    param_latex = {**{w[h, k]: rf"w_{{{h},{k}}}" for h, k in w},
                   **{v[h]: rf"v_{{{h}}}" for h in v}}

    per_example: list[dict[sp.Symbol, sp.Symbol]] = []   # parameter -> d loss_i / d parameter
    forward_values: list[tuple[str, sp.Expr, dict[int, sp.Symbol], dict[int, sp.Expr]]] = []
    losses, raw_losses = [], []
    for i, ((x1v, x2v), yv) in enumerate(_batch(values), 1):
        sup = f"^{{({i})}}"
        group = f"Example {i}: forward pass"
        x = {0: sp.S.One,
             1: ws.given(ws.symbol(f"x1_{i}", f"x_1{sup}"), x1v, group),
             2: ws.given(ws.symbol(f"x2_{i}", f"x_2{sup}"), x2v, group)}
        y = ws.given(ws.symbol(f"y_{i}", f"y{sup}"), yv, group)
        z, a = {}, {}
        for h in hidden:
            z[h] = ws.add(ws.symbol(f"z{h}_{i}", f"z_{h}{sup}"),
                          written_sum(*[w[h, k] * x[k] for k in range(3)]), group)
        for h in hidden:
            a[h] = ws.add(ws.symbol(f"a{h}_{i}", f"a_{h}{sup}"), sigmoid(z[h]), group)
        yhat = ws.add(ws.symbol(f"yhat_{i}", rf"\hat y{sup}"),
                      written_sum(v[0], *[v[h] * a[h] for h in hidden]), group)
        loss = ws.add(ws.symbol(f"loss_{i}", rf"\ell{sup}"),
                      sp.Pow(written_sum(yhat, -y), 2, evaluate=False), group)
        losses.append(loss)

        group = f"Example {i}: backward pass"
        ell = rf"\ell{sup}"
        error = written_sum(yhat, -y)
        d_yhat = ws.add(ws.symbol(f"d_yhat_{i}", _d(ell, rf"\hat y{sup}")),
                        written_product(2, error), group)
        grads: dict[sp.Symbol, sp.Symbol] = {}
        grads[v[0]] = ws.add(ws.symbol(f"d_v0_{i}", _d(ell, "v_{0}")), d_yhat, group)
        d_z = {}
        for h in hidden:
            grads[v[h]] = ws.add(ws.symbol(f"d_v{h}_{i}", _d(ell, f"v_{{{h}}}")),
                                 written_product(d_yhat, a[h]), group)
            d_a = ws.add(ws.symbol(f"d_a{h}_{i}", _d(ell, f"a_{h}{sup}")),
                         written_product(d_yhat, v[h]), group)
            d_z[h] = ws.add(ws.symbol(f"d_z{h}_{i}", _d(ell, f"z_{h}{sup}")),
                            written_product(d_a, a[h], 1 - a[h]), group)
        for h in hidden:
            for k in range(3):   # x_0 = 1: the bias's gradient is the error itself
                grads[w[h, k]] = ws.add(ws.symbol(f"d_w{h}{k}_{i}", _d(ell, f"w_{{{h},{k}}}")),
                                        written_product(d_z[h], x[k]) if k else d_z[h], group)
        per_example.append(grads)
        forward_values.append((ell, error, a, x))

        # The same loss written directly in the parameters, for the closed form.
        raw_losses.append(example_loss(w, v, [sp.Float(x1v), sp.Float(x2v)], sp.Float(yv))[0])

    ws.add(ws.symbol("L", "L"), written_sum(*losses), "Batch loss and gradients")
    closed_forms = []   # (d): one formula per parameter from the forward values, no chain
    for i, (ell, error, a, x) in enumerate(forward_values, 1):
        factors = {v[0]: [], **{v[h]: [a[h]] for h in hidden},
                   **{w[h, k]: [v[h], a[h], 1 - a[h], *([x[k]] if k else [])] for h, k in w}}
        closed_forms.append({p: ws.add(ws.symbol(f"cf_{p.name}_{i}", _d(ell, param_latex[p])),
                                       written_product(2, error, *factors[p]),
                                       f"Example {i}: closed form") for p in params})
    comparisons = []
    raw_total = sp.Add(*raw_losses)
    point = {p: ws.value(p) for p in params}
    for p in params:
        name = param_latex[p]
        backprop = ws.add(ws.symbol(f"dL_{p.name}", _d("L", name)),
                          written_sum(*[g[p] for g in per_example]),
                          "Batch loss and gradients")
        closed = ws.add(ws.symbol(f"cfL_{p.name}", _d("L", name)),
                        written_sum(*[c[p] for c in closed_forms]), CLOSED_BATCH)
        comparisons.append(Comparison(text(sp.Symbol(f"dL/d{p.name}")), ws.value(backprop),
                                      ws.value(closed)))
        # the closed form itself against SymPy's derivative of the loss written in the weights
        derived = float(sp.N(sp.diff(raw_total, p).xreplace(point), 17))
        if not math.isclose(ws.value(closed), derived, rel_tol=1e-12, abs_tol=1e-15):
            raise ValueError(f"C12's closed form for {p.name} is {ws.value(closed)}, "
                             f"sympy.diff of the batch loss gives {derived}")
        ws.notation[sp.Symbol(f"dL/d{p.name}")] = _d("L", name)
    ws.notation[sp.Symbol("(yhat - y)^2")] = r"(\hat y - y)^2"
    tables = _tables(ws, w, v, params)
    return ws.example(
        "c12-scalar-network",
        "Problem C12: forward and backward pass of a 2-3-1 regression network",
        text("Three logistic hidden units, a linear output and the loss ",
             sp.Symbol("(yhat - y)^2"), " per example, summed over the batch of three. "
             "Back-propagation applies each node's local derivative; the closed form puts "
             "each example's forward values into one formula per parameter (the last table), "
             "and the two are compared below."),
        comparisons,
        problems=("C12",), tables=tables,
    )


CLOSED_BATCH = "The batch gradients by the closed form"


def _tables(ws: Worksheet, w: dict[tuple[int, int], sp.Symbol], v: dict[int, sp.Symbol],
            params: list[sp.Symbol]) -> list[Table]:
    """The forward and the backward pass as two tables (a column per example, and the batch),
    then the batch gradients as the matrix of the hidden weights and the vector of v."""
    hidden = range(1, len(HIDDEN_WEIGHTS) + 1)
    forward = ["x1", "x2", "y", *[f"z{h}" for h in hidden], *[f"a{h}" for h in hidden],
               "yhat", "loss"]
    to_units = ["d_yhat", *[f"d_v{h}" for h in v], *[f"d_a{h}" for h in hidden],
                *[f"d_z{h}" for h in hidden]]
    to_weights = [f"d_w{h}{k}" for h, k in w]
    backward = to_units + to_weights
    by_name = {q.symbol.name: q.symbol for q in ws.quantities}
    # each example's symbols written without its superscript: x_1^(1) -> x_1
    general = {}
    for name in forward + backward:
        shown = ws.notation[by_name[f"{name}_1"]].replace("^{(1)}", "")
        general[name] = ws.symbol(name, shown)
    examples = range(1, len(BATCH) + 1)
    closed = [f"cf_{p.name}" for p in params]
    for name in closed:
        general[name] = general["d_" + name[len("cf_"):].replace("_", "")]
    names = {by_name[f"{n}_1"]: general[n] for n in forward + backward + closed}
    columns = [f"example {i}" for i in examples] + ["batch (sum)"]
    batch = {**{f"d_v{h}": by_name[f"dL_{v[h].name}"] for h in v},
             **{f"d_w{h}{k}": by_name[f"dL_{w[h, k].name}"] for h, k in w},
             "loss": by_name["L"], **{f"cf_{p.name}": by_name[f"cfL_{p.name}"] for p in params}}
    tables = []
    for title, quantities, groups in (
            ("Forward pass: every value, for each example", forward,
             tuple(f"Example {i}: forward pass" for i in examples)),
            ("Backward pass to the output weights and the hidden units", to_units,
             tuple(f"Example {i}: backward pass" for i in examples)),
            ("Backward pass to the hidden weights", to_weights, ("Batch loss and gradients",)),
            ("(d) The closed form, for each example", closed,
             (*[f"Example {i}: closed form" for i in examples], CLOSED_BATCH))):
        rows = ws.general([by_name[f"{n}_1"] for n in quantities], names)
        for row, n in zip(rows, quantities, strict=True):
            row.cells = [by_name[f"{n}_{i}"] for i in examples] + [batch.get(n)]
        tables.append(Table(title, columns, rows, groups))
    group = "The batch gradients, as a matrix and a vector"
    gradient_W = np.array([[ws.value(by_name[f"dL_{w[h, k].name}"]) for k in range(3)]
                           for h in hidden])
    # numerator layout: the derivative by the column v is a row, by the matrix W of W's shape
    gradient_v = np.array([[ws.value(by_name[f"dL_{v[h].name}"]) for h in v]])
    example_loss = r"\ell^{(i)}"
    for name, shown, value in (("dL_dW", "W", gradient_W), ("dL_dv", "v", gradient_v)):
        total = ws.symbol(f"sum_{name}", r"\sum_{i} " + _d(example_loss, shown))
        ws.quantities.append(Quantity(ws.symbol(name, _d("L", shown)), total, value, group))
    return tables

