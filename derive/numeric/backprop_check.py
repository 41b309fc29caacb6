"""Numeric checks for sheets B and C: BP1–BP4 on a small network, and softmax overflow.

The back-propagation check runs BP1–BP4 (and the unrolled product O3) in NumPy on a 2-3-3-2
sigmoid network with the quadratic cost, and compares every gradient with central finite
differences.  The overflow example evaluates softmax naively and shifted, in float64.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from derive.functions import sigmoid
from derive.matrices import Diag, Hadamard, elementwise, minus
from derive.proof import Comparison, Quantity, WorkedExample, text
from derive.registry import example

WIDTHS = (2, 3, 3, 2)       # input, two hidden layers, output: L = 3 weight layers
FD_STEP = 1e-6
OVERFLOW_INPUTS = (1000.0, 999.0, 995.0)


def _sigma(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _network(seed: int = 3) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = zip(WIDTHS[:-1], WIDTHS[1:], strict=True)
    ws = [np.round(rng.uniform(-1, 1, (m, n)), 1) for n, m in shapes]
    bs = [np.round(rng.uniform(-1, 1, (m, 1)), 1) for m in WIDTHS[1:]]
    x = np.round(rng.uniform(0, 1, (WIDTHS[0], 1)), 1)
    y = np.round(rng.uniform(0, 1, (WIDTHS[-1], 1)), 1)
    return ws, bs, x, y


def _cost(ws: list[np.ndarray], bs: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    a = x
    for w, b in zip(ws, bs, strict=True):
        a = _sigma(w @ a + b)
    return float(0.5 * np.sum((a - y) ** 2))


def _cost_from(layer: int, z: np.ndarray, ws: list[np.ndarray], bs: list[np.ndarray],
               y: np.ndarray) -> float:
    """The cost as a function of the weighted input ``z`` of ``layer`` (1-based): the forward
    pass from a = σ(z) through the layers above it."""
    a = _sigma(z)
    for w, b in zip(ws[layer:], bs[layer:], strict=True):
        a = _sigma(w @ a + b)
    return float(0.5 * np.sum((a - y) ** 2))


def _central(f: object, array: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + FD_STEP
        up = f()  # type: ignore[operator]
        array[index] = old - FD_STEP
        down = f()  # type: ignore[operator]
        array[index] = old
        grad[index] = (up - down) / (2 * FD_STEP)
    return grad


def _symbols() -> dict[str, sp.MatrixSymbol]:
    out: dict[str, sp.MatrixSymbol] = {}
    for layer, width in enumerate(WIDTHS[1:], 1):
        out[f"z{layer}"] = sp.MatrixSymbol(f"z{layer}", width, 1)
        out[f"delta{layer}"] = sp.MatrixSymbol(f"delta{layer}", width, 1)
        out[f"w{layer}"] = sp.MatrixSymbol(f"w{layer}", width, WIDTHS[layer - 1])
        out[f"b{layer}"] = sp.MatrixSymbol(f"b{layer}", width, 1)
        out[f"a{layer}"] = sp.MatrixSymbol(f"a{layer}", width, 1)
        out[f"dw{layer}"] = sp.MatrixSymbol(f"dC_dw{layer}", width, WIDTHS[layer - 1])
    out["a0"] = sp.MatrixSymbol("x", WIDTHS[0], 1)
    out["y"] = sp.MatrixSymbol("y", WIDTHS[-1], 1)
    out["o3"] = sp.MatrixSymbol("delta1_O3", WIDTHS[1], 1)
    return out


@example("bp-numeric-check")
def bp_numeric_check() -> WorkedExample:
    """BP1–BP4 and O3 on a 2-3-3-2 network, against finite differences of C."""
    t = sp.Symbol("t", real=True)
    ws, bs, x, y = _network()
    S = _symbols()
    L = len(ws)
    notation = {S["a0"]: "x", S["y"]: "y", S["o3"]: r"\delta^{1}\ (\mathrm{O3})"}
    for layer in range(1, L + 1):
        notation.update({S[f"z{layer}"]: f"z^{{{layer}}}", S[f"a{layer}"]: f"a^{{{layer}}}",
                         S[f"w{layer}"]: f"W^{{{layer}}}", S[f"b{layer}"]: f"b^{{{layer}}}",
                         S[f"delta{layer}"]: rf"\delta^{{{layer}}}",
                         S[f"dw{layer}"]: rf"\frac{{\partial C}}{{\partial W^{{{layer}}}}}"})

    def sigma_factors(z: sp.MatrixSymbol) -> tuple[sp.MatrixExpr, sp.MatrixExpr]:
        # σ′(z) = σ(z) ⊙ (1 − σ(z)): two vectors, so multiplied entry-wise, not juxtaposed
        return elementwise(sigmoid(t), t, z), elementwise(1 - sigmoid(t), t, z)

    def prime(z: sp.MatrixSymbol) -> sp.MatrixExpr:
        return Hadamard(*sigma_factors(z))

    for layer in range(1, L + 1):
        notation[Diag(prime(S[f"z{layer}"]))] = rf"\Sigma'(z^{{{layer}}})"

    group = "The network and the input"
    quantities = [Quantity(S["a0"], None, x, group), Quantity(S["y"], None, y, group)]
    for layer, (w, b) in enumerate(zip(ws, bs, strict=True), 1):
        quantities += [Quantity(S[f"w{layer}"], None, w, group),
                       Quantity(S[f"b{layer}"], None, b, group)]
    zs, acts = [], [x]
    for layer, (w, b) in enumerate(zip(ws, bs, strict=True), 1):
        zs.append(w @ acts[-1] + b)
        acts.append(_sigma(zs[-1]))
        quantities += [
            Quantity(S[f"z{layer}"], S[f"w{layer}"] * S[f"a{layer - 1}"] + S[f"b{layer}"],
                     zs[-1], "Forward pass"),
            Quantity(S[f"a{layer}"], elementwise(sigmoid(t), t, S[f"z{layer}"]), acts[-1],
                     "Forward pass")]
    sig_prime = [_sigma(z) * (1 - _sigma(z)) for z in zs]
    deltas = [np.zeros(0)] * L
    deltas[-1] = (acts[-1] - y) * sig_prime[-1]                                  # BP1
    for layer in range(L - 2, -1, -1):
        deltas[layer] = (ws[layer + 1].T @ deltas[layer + 1]) * sig_prime[layer]  # BP2
    group = "Back-propagation"
    quantities.append(Quantity(S[f"delta{L}"],
                               Hadamard(minus(S[f"a{L}"], S["y"]), *sigma_factors(S[f"z{L}"])),
                               deltas[-1], group, note=r"BP1, $\nabla_a C = a^{3} - y$"))
    for layer in range(L - 1, 0, -1):
        quantities.append(Quantity(
            S[f"delta{layer}"], Hadamard(sp.Transpose(S[f"w{layer + 1}"]) * S[f"delta{layer + 1}"],
                                         *sigma_factors(S[f"z{layer}"])), deltas[layer - 1], group))
    unrolled = np.diag(sig_prime[0].ravel())
    for layer in range(1, L):
        unrolled = unrolled @ ws[layer].T @ np.diag(sig_prime[layer].ravel())
    o3 = unrolled @ (acts[-1] - y)
    factors: list[sp.MatrixExpr] = [Diag(prime(S["z1"]))]
    for layer in range(2, L + 1):
        factors += [sp.Transpose(S[f"w{layer}"]), Diag(prime(S[f"z{layer}"]))]
    quantities.append(Quantity(S["o3"], sp.MatMul(*factors, minus(S[f"a{L}"], S["y"])), o3, group,
                               note="O3"))
    # δˡ = ∂C/∂zˡ itself (BP1 for l = L, BP2 below it; O3 once more for δ¹), against finite
    # differences of C by the entries of zˡ, the forward pass started at layer l
    comparisons: list[Comparison] = []
    for layer in range(L, 0, -1):
        z = zs[layer - 1].copy()
        fd_z = _central(lambda z=z, layer=layer: _cost_from(layer, z, ws, bs, y), z)
        rule = "BP1" if layer == L else "BP2"
        comparisons.append(Comparison(
            text(rf"$\delta^{{{layer}}} = \partial C/\partial z^{{{layer}}}$ ({rule})"),
            deltas[layer - 1], fd_z))
        if layer == 1:
            comparisons.append(Comparison(
                text(r"$\delta^{1} = \partial C/\partial z^{1}$ by the product O3"), o3, fd_z))
    for layer in range(1, L + 1):
        dw = deltas[layer - 1] @ acts[layer - 1].T                               # BP4
        quantities.append(Quantity(S[f"dw{layer}"],
                                   S[f"delta{layer}"] * sp.Transpose(S[f"a{layer - 1}"]), dw,
                                   group, note="BP4"))
        fd_w = _central(lambda: _cost(ws, bs, x, y), ws[layer - 1])
        fd_b = _central(lambda: _cost(ws, bs, x, y), bs[layer - 1])
        below = "x" if layer == 1 else f"(a^{{{layer - 1}}})"
        comparisons += [
            Comparison(text(rf"$\partial C/\partial b^{{{layer}}} = \delta^{{{layer}}}$ (BP3)"),
                       deltas[layer - 1], fd_b),
            Comparison(text(rf"$\partial C/\partial W^{{{layer}}} = \delta^{{{layer}}}"
                            rf"{below}^{{\top}}$ (BP4)"), dw, fd_w)]
    return WorkedExample(
        "bp-numeric-check", "BP1–BP4 checked on a 2-3-3-2 network",
        text(r"Sigmoid neurons and the quadratic cost $C = \frac12 \lVert a^{3} - y \rVert^2$, "
             r"so $\nabla_a C = a^{3} - y$. The errors $\delta^{l}$ come from BP1 and BP2 and "
             r"again from the product O3, the gradients from BP3 and BP4. Each error "
             r"$\delta^{l}$ is compared with central finite differences of $C$ by the entries of "
             r"$z^{l}$, and "
             "each gradient with those by the entries of its parameter (step "
             rf"$10^{{{round(math.log10(FD_STEP))}}}$)."),
        quantities, notation, comparisons, ("P2",),
        compared=("back-propagation", "finite differences"))


@example("softmax-overflow")
def softmax_overflow() -> WorkedExample:
    """Softmax of large inputs in float64: the naive formula overflows, the shifted one not."""
    z = np.array(OVERFLOW_INPUTS)
    with np.errstate(over="ignore", invalid="ignore"):
        exps = np.exp(z)
        naive = exps / exps.sum()
    shifted = np.exp(z - z.max())
    stable = shifted / shifted.sum()
    log_softmax = z - z.max() - np.log(shifted.sum())
    zs = sp.MatrixSymbol("z", len(z), 1)
    e_sym, naive_sym = sp.MatrixSymbol("e_z", len(z), 1), sp.MatrixSymbol("naive", len(z), 1)
    st_sym, ls_sym = sp.MatrixSymbol("stable", len(z), 1), sp.MatrixSymbol("ls", len(z), 1)
    m = sp.Symbol("m")
    group = "Softmax in double precision"
    largest = float(np.finfo(np.float64).max)
    big, log_big = sp.Symbol("big"), sp.Symbol("log_big")
    quantities = [
        Quantity(big, None, largest, "The overflow threshold", note="the largest double"),
        Quantity(log_big, sp.log(big), float(np.log(largest)), "The overflow threshold"),
        Quantity(zs, None, z.reshape(-1, 1), "The inputs"),
        Quantity(m, None, float(z.max()), "The inputs"),
        Quantity(e_sym, sp.Symbol("exp(z)"), exps.reshape(-1, 1), group,
                 note="entry-wise; above the largest double"),
        Quantity(naive_sym, sp.Symbol("naive"), naive.reshape(-1, 1), group),
        Quantity(st_sym, sp.Symbol("stable"), stable.reshape(-1, 1), group),
        Quantity(ls_sym, sp.Symbol("logsm"), log_softmax.reshape(-1, 1), group),
    ]
    notation = {big: r"x_{\max}", log_big: r"\log x_{\max}", zs: "z", m: r"c = \max_k z_k",
                e_sym: "e^{z}", naive_sym: r"p^{\mathrm{naive}}",
                st_sym: "p", ls_sym: r"\log p",
                sp.Symbol("exp(z)"): r"\exp(z)",
                sp.Symbol("naive"): r"e^{z} / \textstyle\sum_k e^{z_k}",
                sp.Symbol("stable"): r"e^{z - c} / \textstyle\sum_k e^{z_k - c}",
                sp.Symbol("logsm"): r"z - c - \log \textstyle\sum_k e^{z_k - c}"}
    return WorkedExample(
        "softmax-overflow", "Softmax overflowing, and fixed",
        text(r"Every $e^{z_k}$ is infinite in float64, so the naive quotient is $\infty/\infty$, "
             "not a number. Shifted by the maximum, the largest exponent is $0$ and the result "
             "is exact to rounding; the log-sum-exp form gives log-softmax without any "
             r"overflow or $\log 0$."),
        quantities, notation, [], ("1.4",))
