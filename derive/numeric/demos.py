"""Computations behind the conceptual answers: the empirical error's plateaus (A12), XOR made
separable by a hidden layer (B1), activation variance under initialisations (B8), and the
noise of mini-batch gradients against the batch size (sheet B 1.4.6).

The settings of each experiment (data, weights, seed) are stated here and on the sheet; every
number the sheet prints is computed from them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from derive.figure import Figure, Plot, Series
from derive.functions import lambdify, sigmoid
from derive.numeric.worksheet import Worksheet
from derive.proof import Table, WorkedExample, text, written_sum
from derive.registry import example, figure

t = sp.Symbol("t", real=True)

# A12: one feature, the classifier predicts 1 when x > t (threshold t = -theta0/theta1).
A12_X = (-2.0, -1.2, -0.5, 0.3, 0.8, 1.5, 2.2)
A12_Y = (0, 0, 1, 0, 1, 1, 1)


def misclassified(threshold: float) -> int:
    """The empirical error: sum_i 1[prediction_i != y_i] for the threshold classifier."""
    return sum(int((x > threshold) != bool(y)) for x, y in zip(A12_X, A12_Y, strict=True))


def cross_entropy(thresholds: np.ndarray, steepness: float = 3.0) -> list[float]:
    """BCE of sigma(steepness (x - t)) over the data, a smooth loss of the same classifier."""
    x = sp.Symbol("x", real=True)
    p = lambdify((x, t), sigmoid(steepness * (x - t)))
    total = np.zeros_like(thresholds)
    for xv, yv in zip(A12_X, A12_Y, strict=True):
        prob = p(xv, thresholds)
        total -= yv * np.log(prob) + (1 - yv) * np.log(1 - prob)
    return [float(v) for v in total]


@figure("empirical-error")
def empirical_error() -> Figure:
    """A12: the number of errors is piecewise constant in the threshold; BCE is smooth."""
    ts = np.linspace(-3, 3, 601)
    errors = [float(misclassified(float(v))) for v in ts]
    bce = cross_entropy(ts)
    jumps = sorted(A12_X)

    def data(label: int, mark: str) -> Series:   # the points on the t axis, where t jumps
        xs = [float(xv) for xv, yv in zip(A12_X, A12_Y, strict=True) if yv == label]
        return Series(f"$y = {label}$", xs, [0.0] * len(xs), points=mark)

    return Figure(
        "empirical-error",
        r"Seven labelled points on a line (marked on the $t$ axis at their positions $x$: "
        r"open for $y = 0$, filled for $y = 1$), classified as $1$ when $x > t$. Left: the "
        r"number of misclassified points is a step function of $t$ (flat between data points, "
        r"jumping at each one), so its derivative is $0$ or undefined. Right: binary "
        r"cross-entropy of $\sigma(3(x - t))$ for the same data is smooth and has a useful "
        r"slope everywhere.",
        [Plot([Series("errors", [float(v) for v in ts], errors), data(0, "o"), data(1, "*")],
              "$t$", "misclassified", ymin=-0.4, ymax=max(errors) + 1, legend_pos="above"),
         Plot([Series("cross-entropy", [float(v) for v in ts], bce), data(0, "o"),
               data(1, "*")], "$t$", "BCE", ymin=-0.05 * max(bce), legend_pos="above")],
        problems=("A12",), data={"x": list(A12_X), "y": list(A12_Y), "jumps": jumps})


# B1: XOR lifted from the plane (n = 2) into three hidden features (H = 3), bias first.
# Units of large weights are near-steps: h1 ~ x1, h2 ~ x2 copy the inputs and h3 ~ x1 AND x2,
# which on the four inputs is the product x1 x2, the coordinate the plane lacks.
XOR_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))
XOR_HIDDEN = ((-5.0, 10.0, 0.0), (-5.0, 0.0, 10.0), (-15.0, 10.0, 10.0))
XOR_OUTPUT = (-0.5, 1.0, 1.0, -2.0)                       # h1 + h2 - 2 h3 - 1/2 > 0


def _sci(value: float) -> str:
    """A small number for a caption, as LaTeX: 1.2e-05 as $1.2 \\times 10^{-5}$."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return rf"${mantissa} \times 10^{{{int(exponent)}}}$"


@example("b1-xor")
def b1_xor() -> WorkedExample:
    """XOR through three hidden units: in the lifted space a plane separates it."""
    ws = Worksheet()
    group = "Weights (bias first)"
    hidden = [[ws.given(ws.symbol(f"w{h}{k}", rf"w_{{{h},{k}}}"), wv, group)
               for k, wv in enumerate(row)] for h, row in enumerate(XOR_HIDDEN, 1)]
    out = [ws.given(ws.symbol(f"v{k}", rf"v_{{{k}}}"), vv, group)
           for k, vv in enumerate(XOR_OUTPUT)]
    for x1v, x2v in XOR_INPUTS:
        group = f"Input ({x1v}, {x2v}): XOR is {x1v ^ x2v}"
        sup = f"^{{({x1v}{x2v})}}"
        x = [ws.given(ws.symbol(f"x1_{x1v}{x2v}", "x_1"), x1v, group),
             ws.given(ws.symbol(f"x2_{x1v}{x2v}", "x_2"), x2v, group)]
        h = [ws.add(ws.symbol(f"h{k}_{x1v}{x2v}", f"h_{k}{sup}"),
                    sigmoid(written_sum(w[0], w[1] * x[0], w[2] * x[1])), group)
             for k, w in enumerate(hidden, 1)]
        ws.add(ws.symbol(f"score_{x1v}{x2v}", f"s{sup}"),
               written_sum(out[0], *(vk * hk for vk, hk in zip(out[1:], h, strict=True))),
               group)
    ws.notation[sp.Symbol("plane")] = r"h_1 + h_2 - 2h_3 - \tfrac12 = 0"
    return ws.example(
        "b1-xor", "XOR becomes linearly separable in three hidden features",
        text("The inputs $x \\in \\mathbb{R}^2$ are lifted to $(h_1, h_2, h_3) \\in "
             "\\mathbb{R}^3$: $h_1$ and $h_2$ copy $x_1$ and $x_2$ (each is near $0$ or $1$), "
             "and $h_3$ fires only when both inputs are $1$, so on these four inputs it is the "
             "product $x_1 x_2$, a coordinate the plane does not have. The four points go to "
             "near $(0,0,0)$, $(0,1,0)$, $(1,0,0)$ and $(1,1,1)$, and the plane ",
             sp.Symbol("plane"), " of the output unit separates them: the score $s$ is "
             "positive exactly for the inputs whose XOR is $1$."),
        [], problems=("B1",), tables=[_xor_table(ws)])


def _xor_table(ws: Worksheet) -> Table:
    """The four inputs as the columns of one table (rows x1, x2, h1, h2, h3, s)."""
    by_name = {q.symbol.name: q.symbol for q in ws.quantities}
    first = "".join(map(str, XOR_INPUTS[0]))
    quantities = ["x1", "x2", *(f"h{k}" for k in range(1, len(XOR_HIDDEN) + 1)), "score"]
    names = {by_name[f"{n}_{first}"]: ws.symbol(n, ws.notation[by_name[f"{n}_{first}"]]
                                                .replace(f"^{{({first})}}", ""))
             for n in quantities}
    rows = ws.general([by_name[f"{n}_{first}"] for n in quantities], names)
    for row, n in zip(rows, quantities, strict=True):
        row.cells = [by_name[f"{n}_{x1}{x2}"] for x1, x2 in XOR_INPUTS]
    columns = [f"$({x1}, {x2})$: XOR ${x1 ^ x2}$" for x1, x2 in XOR_INPUTS]
    groups = tuple(f"Input ({x1}, {x2}): XOR is {x1 ^ x2}" for x1, x2 in XOR_INPUTS)
    return Table("The four inputs", columns, rows, groups)


def xor_predictions() -> list[tuple[int, int, int]]:
    """(XOR label, sign of the network's score as 0/1, input index) for the four inputs."""
    values = b1_xor().values()
    return [(x1 ^ x2, int(values[sp.Symbol(f"score_{x1}{x2}", real=True)] > 0), n)
            for n, (x1, x2) in enumerate(XOR_INPUTS)]


# B8: activation variance through a deep stack of layers under three initialisations.
INIT_WIDTH, INIT_DEPTH, INIT_SEED = 256, 10, 0
INIT_BATCH = 500   # inputs: 128 000 activations per layer, variance known to within 1 %


def activation_variance(activation: str, scale: str) -> tuple[list[float], float]:
    """Variance of each layer's activations for a standard-normal input batch, and the share
    of the last layer's units that are saturated (|a| > 0.99, where tanh' < 0.02).

    ``scale``: "1" (unit-variance weights), "1/n" (variance 1/n_in), "2/n" (2/n_in), or
    "0" (all weights zero).
    """
    rng = np.random.default_rng(INIT_SEED)
    a = rng.standard_normal((INIT_BATCH, INIT_WIDTH))
    variance = {"1": 1.0, "1/n": 1.0 / INIT_WIDTH, "2/n": 2.0 / INIT_WIDTH, "0": 0.0}[scale]
    functions: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "tanh": np.tanh, "relu": lambda u: np.maximum(u, 0.0)}
    f = functions[activation]
    out = []
    for _ in range(INIT_DEPTH):
        w = rng.standard_normal((INIT_WIDTH, INIT_WIDTH)) * np.sqrt(variance)
        a = f(a @ w)
        out.append(float(a.var()))
    return out, float(np.mean(np.abs(a) > 0.99))


def relu_variance(q: int) -> float:
    """Var(relu(z)) for z ~ N(0, q), by integrating against the normal density (SymPy)."""
    z = sp.Symbol("z", real=True)
    density = sp.exp(-z**2 / (2 * q)) / sp.sqrt(2 * sp.pi * q)
    mean = sp.integrate(z * density, (z, 0, sp.oo))
    square = sp.integrate(z**2 * density, (z, 0, sp.oo))
    return float(sp.simplify(square - mean**2))


INIT_CASES = (("tanh", "1"), ("tanh", "1/n"), ("relu", "1/n"), ("relu", "2/n"), ("tanh", "0"))


@figure("init-variance")
def init_variance() -> Figure:
    """B8: activation variance per layer under each initialisation (log scale)."""
    layers = [float(v) for v in range(1, INIT_DEPTH + 1)]
    series, table, saturated = [], {}, {}
    for activation, scale in INIT_CASES:
        values, saturated[activation, scale] = activation_variance(activation, scale)
        table[f"{activation}, Var(w) = {scale}"] = values
        if scale != "0":
            series.append(Series(rf"{activation}, $\mathrm{{Var}}(w) = {scale}$", layers, values,
                                 marks=True))
    last = {key: v[-1] for key, v in table.items()}
    he = table["relu, Var(w) = 2/n"]
    he_expected = relu_variance(2)
    return Figure(
        "init-variance",
        rf"Variance of the activations, layer by layer, in a stack of {INIT_DEPTH} layers of "
        rf"width $n = {INIT_WIDTH}$ (standard-normal inputs). "
        rf"$\mathrm{{Var}}(w) = 1$: tanh saturates, "
        rf"{100 * saturated['tanh', '1']:.0f}\,\% of the last layer's units have $|a| > 0.99$. "
        rf"$\mathrm{{Var}}(w) = 1/n$: ReLU's variance halves from layer to layer, as the "
        rf"mean square $\mathbb{{E}}[a^2]$ it is proportional to does (layer "
        rf"{INIT_DEPTH}: {_sci(last['relu, Var(w) = 1/n'])}), tanh decays slowly "
        rf"({last['tanh, Var(w) = 1/n']:.3f}). With $\mathrm{{Var}}(w) = 2/n$ ReLU's variance "
        rf"is, in expectation over the weights, the same in every layer: pre-activations of "
        rf"variance $2$ keep $\mathbb{{E}}[a^2] = 1$, and $\mathrm{{Var}}(a) = 1 - 1/\pi = "
        rf"{he_expected:.2f}$. The drawn series moves from {he[0]:.2f} (layer 1) to "
        rf"{he[-1]:.2f} (layer {INIT_DEPTH}): each layer's weights are one draw of a finite "
        rf"width, and its fluctuations multiply from layer to layer (the estimate from "
        + f"{INIT_BATCH * INIT_WIDTH:,}".replace(",", r"\,")
        + r" activations of one layer is good to about 1\,\%). "
        rf"Zero weights (not drawn) give "
        rf"variance {last['tanh, Var(w) = 0']:g} in every layer.",
        [Plot(series, "layer", "variance of the activations", log_y=True,
              legend_pos="south west")],
        problems=("B8",), data={"variance": table,
                                "saturated": {f"{a}, {s}": v for (a, s), v in saturated.items()}})


# B 1.4.6: how the noise of a mini-batch gradient falls with the batch size.
BATCH_DATA_SIZE, BATCH_FEATURES, BATCH_SEED, BATCH_DRAWS = 10_000, 5, 0, 400
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128)


def minibatch_gradient_noise() -> tuple[list[float], float]:
    """E‖g_B − g‖² for each batch size, and the per-example variance tr Cov(gᵢ).

    Logistic regression on seeded synthetic data at a fixed θ; gᵢ = (σ(θᵀxᵢ) − yᵢ) xᵢ is the
    per-example gradient of the cross-entropy (sheet A, A13), g their mean over the data set,
    g_B the mean over a batch drawn without replacement.
    """
    rng = np.random.default_rng(BATCH_SEED)
    x = rng.standard_normal((BATCH_DATA_SIZE, BATCH_FEATURES))
    true_theta = rng.standard_normal(BATCH_FEATURES)
    sig = lambdify(t, sigmoid(t))
    y = (rng.random(BATCH_DATA_SIZE) < sig(x @ true_theta)).astype(float)
    theta = np.zeros(BATCH_FEATURES)                       # where training starts
    per_example = (sig(x @ theta) - y)[:, None] * x
    full = per_example.mean(axis=0)
    spread = float(((per_example - full) ** 2).sum(axis=1).mean())
    noise = []
    for size in BATCH_SIZES:
        draws = np.stack([rng.choice(BATCH_DATA_SIZE, size, replace=False)
                          for _ in range(BATCH_DRAWS)])
        errors = ((per_example[draws].mean(axis=1) - full) ** 2).sum(axis=1)
        noise.append(float(errors.mean()))
    return noise, spread


@figure("minibatch-noise")
def minibatch_noise() -> Figure:
    """B 1.4.6: the mini-batch gradient's mean squared error against the batch size."""
    noise, spread = minibatch_gradient_noise()
    sizes = [float(b) for b in BATCH_SIZES]
    slope = float(np.polyfit(np.log(sizes), np.log(noise), 1)[0])
    products = [b * v / spread for b, v in zip(sizes, noise, strict=True)]
    return Figure(
        "minibatch-noise",
        r"How far the mini-batch gradient $g_B$ lies from the full gradient $g$: "
        r"$\mathbb{E}\,\|g_B - g\|^2$ over "
        rf"{BATCH_DRAWS} random batches of each size (logistic regression, "
        rf"{BATCH_DATA_SIZE} examples with {BATCH_FEATURES} features, "
        r"at $\theta = 0$), and the prediction $\operatorname{tr}\mathrm{Cov}(g_i)/|B|$ "
        rf"(dashed). Fitted slope ${slope:.3f}$ on the log-log scale, that is $1/|B|$; "
        r"$|B|$ times the error over "
        rf"$\operatorname{{tr}}\mathrm{{Cov}}(g_i)$ stays between {min(products):.2f} and "
        rf"{max(products):.2f}.",
        [Plot([Series(r"measured", sizes, noise, marks=True),
               Series(r"$\operatorname{tr}\mathrm{Cov}(g_i)/|B|$", sizes,
                      [spread / b for b in sizes], dashed=True)],
              "batch size $|B|$", r"$\mathbb{E}\,\|g_B - g\|^2$", log_y=True, log_x=True,
              legend_pos="north east")],
        problems=("B1.4",), data={"noise": dict(zip(BATCH_SIZES, noise, strict=True)),
                                  "per_example_spread": spread, "slope": slope})
