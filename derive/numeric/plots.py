"""The data of every plot and of the decision-boundary figure, computed from the library.

Each curve is a library expression (sigmoid, tanh, ReLU, softmax, a quadratic loss) turned
into NumPy code with ``lambdify`` (the functions' stable implementations), or the iteration of
gradient descent on such an expression.  Nothing is typed in but the settings of each
experiment (which theta, which learning rates, which seed), stated in the captions.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from derive.figure import Boundary, Figure, Plot, Series
from derive.functions import lambdify, relu, sigmoid, softmax
from derive.registry import figure

z = sp.Symbol("z", real=True)
LEAK = sp.Rational(1, 10)            # leaky ReLU's slope for z < 0
ACTIVATIONS = {"sigmoid": (sigmoid(z), r"\sigma"), "tanh": (sp.tanh(z), r"\tanh"),
               "relu": (relu(z), r"\mathrm{ReLU}"),
               "leaky-relu": ((1 - LEAK) * relu(z) + LEAK * z, r"\mathrm{LReLU}")}


def _curve(expr: sp.Expr, xs: np.ndarray) -> list[float]:
    values = np.broadcast_to(lambdify(z, expr)(xs), xs.shape)
    return [float(v) for v in values]


@figure("sigmoid-steepness")
def sigmoid_steepness() -> Figure:
    """A6: sigma(theta z) for growing theta tends to the step function."""
    xs = np.linspace(-6, 6, 241)
    thetas = (0.25, 0.5, 1.0, 2.0, 5.0, 20.0)
    series = [Series(rf"$\theta = {t:g}$", [float(x) for x in xs],
                     _curve(sigmoid(t * z), xs)) for t in thetas]
    series.append(Series("step", [-6.0, 0.0, 0.0, 6.0], [0.0, 0.0, 1.0, 1.0], dashed=True))
    return Figure("sigmoid-steepness",
                  r"$\sigma(\theta z)$ for several $\theta$: small $\theta$ is nearly linear "
                  r"around $0.5$, large $\theta$ approaches the step function.",
                  [Plot(series, "$z$", r"$\sigma(\theta z)$", legend_pos="north west")],
                  problems=("A6",))


@figure("activations")
def activations() -> Figure:
    """Sheet B 1.4: each activation with its derivative (SymPy's derivative of the same)."""
    xs = np.linspace(-4, 4, 161)
    plots = []
    for expr, name in ACTIVATIONS.values():
        plots.append(Plot([Series(f"${name}(z)$", [float(x) for x in xs], _curve(expr, xs)),
                           Series(f"${name}'(z)$", [float(x) for x in xs],
                                  _curve(sp.diff(expr, z), xs), dashed=True)],
                          "$z$", "", title=f"${name}$", ymin=-1.1, ymax=2.1))
    return Figure("activations",
                  r"The activations and their derivatives (dashed): "
                  r"$\sigma' = \sigma(1-\sigma) \le \tfrac14$, $\tanh' = 1 - \tanh^2 \le 1$, "
                  r"$\mathrm{ReLU}'$ is $0$ or $1$, and leaky ReLU, "
                  rf"$\max({float(LEAK):g}z, z)$, has slope ${float(LEAK):g}$ for $z < 0$.",
                  plots, problems=("B1.4",))


def gradient_descent(loss: sp.Expr, theta0: float, eta: float, steps: int) -> list[float]:
    """The iterates theta_t of theta <- theta - eta * loss'(theta), from the loss itself."""
    grad = lambdify(z, sp.diff(loss, z))
    out = [theta0]
    for _ in range(steps):
        out.append(out[-1] - eta * float(grad(out[-1])))
    return out


QUADRATIC = z**2                     # f(theta) = theta^2, f'(theta) = 2 theta
LEARNING_RATES = {"too small": 0.05, "good": 0.3, "too large": 1.05}


def _learning_rates(name: str, var: str, iterate: str, cost: str,
                    problems: tuple[str, ...]) -> Figure:
    """Gradient descent on cost(var) = var^2 with a small, a good and a too large eta; the
    t-th iterate written ``iterate`` with t in place of ``#``."""
    steps = 15
    series = []
    table = {}
    for what, eta in LEARNING_RATES.items():
        its = gradient_descent(QUADRATIC, 1.0, eta, steps)
        table[what] = {"eta": eta, "iterates": its}
        series.append(Series(rf"$\eta = {eta:g}$ ({what})", [float(t) for t in range(steps + 1)],
                             its, marks=True))
    first, nth = iterate.replace("#", "0"), iterate.replace("#", "t")
    return Figure(name,
                  rf"Gradient descent on ${cost}({var}) = {var}^2$ from ${first} = 1$: each step "
                  rf"multiplies ${var}$ by $1 - 2\eta$. A small $\eta$ crawls, a good one "
                  r"converges in a few steps, and $\eta > 1$ overshoots further each time.",
                  [Plot(series, "iteration $t$", f"${nth}$", ymin=-4.5, ymax=4.5,
                        legend_pos="south west")],
                  problems=problems, data={"iterates": table})


@figure("learning-rates")
def learning_rates() -> Figure:
    """A11: gradient descent on f(theta) = theta^2, the iterates written theta^(t) (theta_0
    is a bias on sheet A)."""
    return _learning_rates("learning-rates", r"\theta", r"\theta^{(#)}", "f", ("A11",))


@figure("learning-rates-v")
def learning_rates_v() -> Figure:
    """C P1 Q1: the same runs on C(v) = v^2, iterates v_t."""
    return _learning_rates("learning-rates-v", "v", "v_{#}", "C", ("C1",))


# Each activation with its usual initialisation: weight variance gain/width (LeCun for σ and
# tanh, He for the ReLUs, whose derivative is 0 on half the inputs).
INIT_GAIN = {"sigmoid": 1, "tanh": 1, "relu": 2, "leaky-relu": 2}


def gradient_norms(activation: str, depth: int = 10, width: int = 32, seed: int = 0
                   ) -> list[float]:
    """||d loss / d a_l|| for each layer l of a random deep network (loss = sum of outputs).

    Weights are N(0, gain/width) with the activation's usual gain (``INIT_GAIN``), drawn from
    the same seed for every activation; the forward and backward passes use the library's
    activation and its SymPy derivative.
    """
    expr = ACTIVATIONS[activation][0]
    f, df = lambdify(z, expr), lambdify(z, sp.diff(expr, z))
    rng = np.random.default_rng(seed)
    std = math.sqrt(INIT_GAIN[activation] / width)
    weights = [rng.normal(0, std, (width, width)) for _ in range(depth)]
    a = rng.normal(0, 1, width)
    pre = []
    for w in weights:
        s = w @ a
        pre.append(s)
        a = np.broadcast_to(f(s), s.shape)
    grad = np.ones(width)          # d (sum of outputs) / d a_L
    norms = [float(np.linalg.norm(grad))]
    for w, s in zip(reversed(weights), reversed(pre), strict=True):
        grad = w.T @ (grad * np.broadcast_to(df(s), s.shape))
        norms.append(float(np.linalg.norm(grad)))
    return norms[::-1]             # layer 0 (the input) first


@figure("gradient-norm-depth")
def gradient_norm_depth() -> Figure:
    """Sheet B 1.3 (c): the gradient norm through a stack of sigmoid, tanh and ReLU layers."""
    series = []
    data = {}
    factors = {}
    for name, (_, tex) in ACTIVATIONS.items():
        norms = gradient_norms(name)
        data[name] = norms
        factors[name] = (norms[-1] / norms[0]) ** (1 / (len(norms) - 1))
        series.append(Series(f"${tex}$", [float(k) for k in range(len(norms))], norms,
                             marks=True))
    return Figure("gradient-norm-depth",
                  r"The norm of the gradient with respect to each layer's activations in a "
                  r"10-layer network of width 32 (weights $\mathcal N(0, 1/32)$ for $\sigma$ "
                  r"and $\tanh$, $\mathcal N(0, 2/32)$ for the ReLUs, as usual; log "
                  r"scale; the loss is the sum of the outputs). Going back one layer multiplies "
                  rf"the norm by ${1 / factors['sigmoid']:.3g}$ on average through sigmoid "
                  r"layers ($\sigma' \le \tfrac14$: it vanishes), by "
                  rf"${1 / factors['tanh']:.3g}$ through $\tanh$, ${1 / factors['relu']:.3g}$ "
                  rf"through ReLU and ${1 / factors['leaky-relu']:.3g}$ through leaky ReLU.",
                  [Plot(series, "layer $l$", r"$\|\partial \ell / \partial a_l\|$", log_y=True,
                        legend_pos="south east")],
                  problems=("B1.3",), data={"norms": data})


TEMPERATURE_LOGITS = (2.0, 1.0, 0.1, -1.0)


@figure("softmax-temperature")
def softmax_temperature() -> Figure:
    """Sheet B 1.4: softmax(z / T) for several temperatures T."""
    zs = sp.symbols(f"z1:{len(TEMPERATURE_LOGITS) + 1}", real=True)
    t = sp.Symbol("T", positive=True)
    comps = [lambdify((*zs, t), softmax(i, *[zj / t for zj in zs]))
             for i in range(1, len(zs) + 1)]
    series = []
    for temp in (0.25, 1.0, 4.0, 100.0):
        probs = [float(c(*TEMPERATURE_LOGITS, temp)) for c in comps]
        series.append(Series(f"$T = {temp:g}$", [float(k) for k in range(1, len(zs) + 1)],
                             probs, marks=True))
    logits = ", ".join(f"{v:g}" for v in TEMPERATURE_LOGITS)
    return Figure("softmax-temperature",
                  rf"$\operatorname{{softmax}}(z/T)$ for $z = ({logits})$: a low temperature "
                  r"concentrates the mass on the largest logit (towards arg max), a high one "
                  r"spreads it towards uniform.",
                  [Plot(series, "component $i$", r"$\operatorname{softmax}(z/T)_i$",
                        ymin=0.0, ymax=1.0, legend_pos="north east", bars=True)],
                  problems=("B1.4",))


def boundary(theta: tuple[float, float, float], extent: float) -> Boundary:
    """The geometry of theta0 + theta1 x1 + theta2 x2 = 0, computed exactly with SymPy.

    The normal is (theta1, theta2); the foot of the perpendicular from the origin is
    -theta0 n / |n|^2 and the distance |theta0| / |n|.
    """
    t0, t1, t2 = (sp.nsimplify(v) for v in theta)
    norm_sq = t1**2 + t2**2
    root = sp.Pow(norm_sq, sp.Rational(1, 2), evaluate=False)   # written as sqrt(13)
    foot = (-t0 * t1 / norm_sq, -t0 * t2 / norm_sq)
    return Boundary(theta, (float(foot[0]), float(foot[1])),
                    (float(t1 / sp.sqrt(norm_sq)), float(t2 / sp.sqrt(norm_sq))),
                    float(abs(t0) / sp.sqrt(norm_sq)), extent,
                    normal_tex=rf"({sp.latex(t1)}, {sp.latex(t2)})/{sp.latex(root)}",
                    distance_tex=rf"{sp.latex(abs(t0))}/{sp.latex(root)}")


A4_THETA = (1.0, 2.0, 3.0)


@figure("decision-boundary")
def decision_boundary() -> Figure:
    """A2 and A4: the line g = 0, the sides g > 0 and g < 0, the normal and the distance."""
    b = boundary(A4_THETA, 1.0)
    t0, t1, t2 = (sp.nsimplify(v) for v in A4_THETA)
    g = sp.latex(sp.Add(t0, t1 * sp.Symbol("x_1"), t2 * sp.Symbol("x_2"), evaluate=False),
                 order="none")
    return Figure("decision-boundary",
                  rf"The boundary $g(x) = {g} = 0$ splits the plane into $g > 0$ "
                  rf"(shaded, the side the normal $({sp.latex(t1)}, {sp.latex(t2)})$ points to) "
                  rf"and $g < 0$. The unit normal is ${b.normal_tex}$; the line passes at "
                  rf"distance ${b.distance_tex} \approx {b.distance:.4f}$ from the origin, at "
                  rf"the foot $({b.foot[0]:.4f}, {b.foot[1]:.4f})$.",
                  geometry=b, problems=("A2", "A4"))
