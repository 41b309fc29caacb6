"""Sheet B's numeric instances: the matrix-form formulas evaluated at n = 3, d = 4, K = 2.

The parameters are drawn by the program (seeded, rounded to one decimal) and printed on the
sheet; every forward value, Jacobian and gradient is the derivation's own formula evaluated at
them, and each gradient is compared with central finite differences of a separate NumPy
forward pass (and, in the tests, with PyTorch).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy as sp

from derive.library import mlp_matrix as mm
from derive.matrices import at_sizes, explicit_symbols
from derive.numeric import vector_graph as vg
from derive.proof import Comparison, Quantity, WorkedExample, text
from derive.registry import example

SIZES = {mm.n: 3, mm.d: 4, mm.K: 2}
PARAMETERS = (mm.W1, mm.b1, mm.W2, mm.b2)
GRADIENTS = {mm.W1: mm.dl_dW1, mm.b1: mm.dl_db1, mm.W2: mm.dl_dW2, mm.b2: mm.dl_db2}
FD_STEP = 1e-6


def instance_inputs(setting: mm.Setting, seed: int = 7) -> dict[sp.MatrixSymbol, np.ndarray]:
    """x, y and the parameters at the instance sizes: uniform in [−1, 1], one decimal, not 0.

    Classification targets are 0 or 1; regression targets are in [−1, 1]. The cross-entropy's
    targets hold both a 0 and a 1 (drawn again until they do), so that both of its log terms
    are exercised. Under a ReLU, the hidden bias is drawn again until some unit is inactive
    (one or two of four), none at the kink (|s1| ≥ 0.1), so that the 0s of f' show.
    """
    rng = np.random.default_rng(seed)
    inputs = {}

    def draw(symbol: sp.MatrixSymbol) -> np.ndarray:   # one decimal, never 0 (a 0 reads as unset)
        shape = tuple(int(sp.sympify(dim).subs(SIZES)) for dim in symbol.shape)
        drawn = np.round(rng.uniform(-1, 1, size=shape), 1)
        while np.any(drawn == 0):
            drawn = np.round(rng.uniform(-1, 1, size=shape), 1)
        return drawn

    for symbol in (mm.x, mm.y, *PARAMETERS):
        inputs[symbol] = draw(symbol)
    while setting.f_prime.has(sp.Heaviside) and not _some_active_some_not(inputs):
        inputs[mm.b1] = draw(mm.b1)
    if setting.g != mm.t:
        inputs[mm.y] = rng.integers(0, 2, size=inputs[mm.y].shape).astype(float)
        while setting.loss is mm.binary_cross_entropy and len(set(inputs[mm.y].ravel())) < 2:
            inputs[mm.y] = rng.integers(0, 2, size=inputs[mm.y].shape).astype(float)
    return inputs


def _some_active_some_not(inputs: dict[sp.MatrixSymbol, np.ndarray]) -> bool:
    """Whether s1 = W1 x + b1 has one or two entries below -0.1, the rest above 0.1."""
    s1 = (inputs[mm.W1] @ inputs[mm.x] + inputs[mm.b1]).ravel()
    return bool(1 <= np.sum(s1 < -0.1) <= 2 and np.all(np.abs(s1) >= 0.1))


def evaluate(expr: sp.Basic, definitions: dict[sp.Basic, sp.Expr],
             inputs: dict[sp.MatrixSymbol, np.ndarray]) -> np.ndarray:
    """A matrix expression of the derivation, written out and evaluated at the inputs."""
    for _ in range(6):
        expr = expr.xreplace(definitions)
    concrete = at_sizes(expr, SIZES)
    numbers: dict[sp.Basic, float] = {}
    for symbol, value in inputs.items():
        shaped = symbol.xreplace({k: sp.Integer(v) for k, v in SIZES.items()})
        for entry, number in zip(explicit_symbols(shaped), value.ravel(), strict=True):
            numbers[entry] = float(number)
    matrix = sp.ImmutableMatrix(concrete).xreplace(numbers)
    return np.array(matrix.evalf(17).tolist(), dtype=float)


def _network_kind(setting: mm.Setting) -> tuple[str, str, bool]:
    """The hidden and output activations by name, and whether the loss is the cross-entropy."""
    return ("relu3" if setting.f == 3 * mm.relu(mm.t) else "tanh",
            "identity" if setting.g == mm.t else "sigmoid",
            setting.loss is mm.binary_cross_entropy)


def numpy_loss(setting: mm.Setting) -> Callable[[dict[sp.MatrixSymbol, np.ndarray]], float]:
    """The loss as plain NumPy code, written independently of the SymPy expressions."""
    activations: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "relu3": lambda s: 3 * np.maximum(s, 0), "tanh": np.tanh,
        "identity": lambda s: s, "sigmoid": lambda s: 1 / (1 + np.exp(-s))}
    hidden, output, bce = _network_kind(setting)
    f, g = activations[hidden], activations[output]

    def loss(p: dict[sp.MatrixSymbol, np.ndarray]) -> float:
        yhat = g(p[mm.W2] @ f(p[mm.W1] @ p[mm.x] + p[mm.b1]) + p[mm.b2])
        y = p[mm.y]
        if bce:
            return float(-np.mean(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)))
        return float(np.sum((yhat - y) ** 2))

    return loss


def finite_differences(loss: Callable[[dict[sp.MatrixSymbol, np.ndarray]], float],
                       inputs: dict[sp.MatrixSymbol, np.ndarray], parameter: sp.MatrixSymbol
                       ) -> np.ndarray:
    """Central differences of the loss by every entry of one parameter (in its own shape)."""
    grad = np.zeros_like(inputs[parameter])
    for index in np.ndindex(grad.shape):
        shifted = []
        for sign in (1, -1):
            moved = {k: v.copy() for k, v in inputs.items()}
            moved[parameter][index] += sign * FD_STEP
            shifted.append(loss(moved))
        grad[index] = (shifted[0] - shifted[1]) / (2 * FD_STEP)
    return grad


def autodiff_gradients(setting: mm.Setting, inputs: dict[sp.MatrixSymbol, np.ndarray]
                       ) -> dict[sp.MatrixSymbol, np.ndarray]:
    """Every parameter's gradient by reverse-mode automatic differentiation: the loss built as
    a graph of the vector engine's operations and back-propagated through it (each in the
    parameter's own shape). Independent of the derivation and of the finite differences."""
    hidden, output, bce = _network_kind(setting)
    leaf = {s: vg.tensor(str(s), inputs[s]) for s in (mm.x, mm.y, *PARAMETERS)}

    def constant(value: float, like: vg.Tensor) -> vg.Tensor:
        return vg.tensor("", np.full_like(like.data, value), kind="input")

    s1 = vg.op("+", vg.op("matmul", leaf[mm.W1], leaf[mm.x]), leaf[mm.b1])
    a1 = (vg.op("tanh", s1) if hidden == "tanh"
          else vg.op("*", constant(3.0, leaf[mm.b1]), vg.op("relu", s1)))
    s2 = vg.op("+", vg.op("matmul", leaf[mm.W2], a1), leaf[mm.b2])
    yhat = s2 if output == "identity" else vg.op("sigmoid", s2)
    y = leaf[mm.y]
    if bce:
        one = constant(1.0, y)
        terms = vg.op("+", vg.op("*", y, vg.op("log", yhat)),
                      vg.op("*", vg.op("-", one, y), vg.op("log", vg.op("-", one, yhat))))
        loss = vg.op("sum", vg.op("*", constant(-1.0 / y.data.size, y), terms))
    else:
        loss = vg.op("sum", vg.op("square", vg.op("-", yhat, y)))
    vg.forward(loss)
    vg.backward(loss)
    return {p: leaf[p].grad for p in PARAMETERS}


def _as_row_if_bias(parameter: sp.MatrixSymbol, grad: np.ndarray) -> np.ndarray:
    # ∂ℓ/∂b is a row in the numerator layout; the bias itself is a column.
    return grad.T if parameter in (mm.b1, mm.b2) else grad


def instance(setting: mm.Setting) -> WorkedExample:
    """Forward values, Jacobians and gradients from the derivation's formulas, and the check."""
    derived = mm.mlp_gradients(setting)
    inputs = instance_inputs(setting)
    final = {step.lhs: step.rhs for step in derived.steps}   # each symbol's last form
    reused, part = _reused_inputs(setting, inputs)
    given = [s for s in (mm.x, mm.y, *PARAMETERS) if s not in reused]
    quantities = [Quantity(s, None, inputs[s], _given_heading(given)) for s in given]
    forward = {s: derived.definitions[s] for s in (mm.s1, mm.a1, mm.s2, mm.yhat, mm.ell)}
    jacobians = (mm.dl_dyhat, mm.dyhat_ds2, mm.da1_ds1)
    # The derived closed forms: the forward pass and the Jacobians of part (d).
    formulas = {**forward, **{j: final[j] for j in jacobians}}
    # the values the network alone decides, when the same network has the same inputs earlier
    printed_before = set(NETWORK_VALUES) if _same_network(setting, reused) else set()
    for group, symbols in (("Forward pass", forward), ("Jacobians", jacobians),
                           ("Gradients", [GRADIENTS[p] for p in PARAMETERS])):
        shown = [s for s in symbols if s not in printed_before]
        group = {(mm.ell,): "The loss", (mm.dl_dyhat,): "The Jacobian of the loss"}.get(
            tuple(shown), group)   # the rest is the network's, printed with its first instance
        for s in shown:
            formula = formulas.get(s, final[s])
            quantities.append(Quantity(s, formula, evaluate(formula, formulas, inputs), group))
    values = {q.symbol: q.value for q in quantities}
    loss = numpy_loss(setting)
    autodiff = autodiff_gradients(setting, inputs)
    comparisons = [Comparison(text(GRADIENTS[p]), values[GRADIENTS[p]],
                              _as_row_if_bias(p, finite_differences(loss, inputs, p)),
                              (_as_row_if_bias(p, autodiff[p]),))
                   for p in PARAMETERS]
    return WorkedExample(
        f"{setting.name}-instance", "A numeric instance",
        text(r"The sizes are $n = 3$, $d = 4$, $K = 2$. ", *_inputs_sentence(reused, part),
             *_network_sentence(bool(printed_before), part),
             *_check_sentence(reused, PART[setting.name])),
        quantities, dict(mm.NOTATION), comparisons, setting.problems,
        compared=("derived formula", "finite differences", "autodiff"))


def _given_heading(given: list[sp.MatrixSymbol]) -> str:
    """The heading over the values an instance gives: what they are, not a fixed list."""
    names = [name for symbols, name in (((mm.x,), "input"), ((mm.y,), "target"),
                                        (PARAMETERS, "parameters"))
             if any(s in given for s in symbols)]
    words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return "The " + words


# The part of the sheet each instance belongs to, to say where shared inputs are printed.
PART = {"mlp-regression": "1.2", "mlp-classification-se": "1.3 (a)",
        "mlp-classification-bce": "1.3 (b)"}


# What the network and its inputs decide, whatever the loss: the forward pass to ŷ and the
# Jacobians of the two activations.
NETWORK_VALUES = (mm.s1, mm.a1, mm.s2, mm.yhat, mm.dyhat_ds2, mm.da1_ds1)


def _same_network(setting: mm.Setting, reused: list[sp.MatrixSymbol]) -> bool:
    """Whether an earlier instance had this network (f and g) with these x and parameters."""
    return any(earlier.name != setting.name and (earlier.f, earlier.g) == (setting.f, setting.g)
               and all(np.array_equal(instance_inputs(earlier)[s], instance_inputs(setting)[s])
                       for s in (mm.x, *PARAMETERS))
               for earlier in list(mm.SETTINGS.values())[:list(mm.SETTINGS).index(setting.name)]
               ) and set(reused) >= {mm.x, *PARAMETERS}


def _network_sentence(same: bool, part: str) -> tuple[str | sp.Basic, ...]:
    """Which values are not printed again: the forward pass and the activations' Jacobians."""
    if not same:
        return ()
    return ("The forward pass ", mm.s1, ", ", mm.a1, ", ", mm.s2, ", ", mm.yhat, " and the "
            "activations' Jacobians ", mm.dyhat_ds2, " and ", mm.da1_ds1, " are unchanged from ",
            part, ", since the loss does not enter them; below are the values the loss "
            "changes. ")


def _reused_inputs(setting: mm.Setting, inputs: dict[sp.MatrixSymbol, np.ndarray]
                   ) -> tuple[list[sp.MatrixSymbol], str]:
    """The inputs this instance shares with an earlier one on the sheet (printed there, not
    again), and that instance's part; none for the first instance."""
    best: tuple[list[sp.MatrixSymbol], str] = ([], "")
    for earlier in mm.SETTINGS.values():
        if earlier.name == setting.name:
            break
        theirs = instance_inputs(earlier)
        same = [s for s in (mm.x, mm.y, *PARAMETERS) if np.array_equal(inputs[s], theirs[s])]
        if same and len(same) >= len(best[0]):      # the most shared; the nearest of equals
            best = same, PART[earlier.name]
    return best


def _inputs_sentence(reused: list[sp.MatrixSymbol], part: str) -> tuple[str | sp.Basic, ...]:
    """Where the inputs come from: drawn by the program, or those of the instance of ``part``."""
    if not reused:
        return ("The inputs and parameters were chosen at random (one decimal each). ",)
    names: list[str | sp.Basic] = []
    for i, s in enumerate(reused):
        names += [", " if 0 < i < len(reused) - 1 else " and " if i else "", s]
    if len(reused) == 2 + len(PARAMETERS):                  # x, y and every parameter
        return ("The inputs, ", *names[1:], ", are those of the instance of ", part,
                ", printed there. ")
    if reused == [mm.x, *PARAMETERS]:
        return ("The input ", mm.x, " and the parameters are those of the instance of ", part,
                ", printed there; only the target ", mm.y, " is new. ")
    verb = " is" if len(reused) == 1 else " are"
    return (*names[1:], verb, " those of the instance of ", part, ", printed there; the rest "
            "were chosen at random. ")


def _check_sentence(reused: list[sp.MatrixSymbol], part: str) -> tuple[str, ...]:
    """How the gradients are checked: said in full once, then by reference."""
    if reused:
        return (f"The rest is computed from the derivation of {part} above, and the gradients "
                "are again compared with finite differences and automatic differentiation.",)
    return ("Every other value is the formula of the derivation above, evaluated. "
            "The gradients are compared with central finite differences (step "
            rf"$10^{{{round(math.log10(FD_STEP))}}}$) of the loss, computed separately, and "
            "with reverse-mode automatic differentiation (autodiff) of the loss through the "
            "network's computation graph, which multiplies local Jacobians and knows nothing "
            "of the derivation.",)


def _register(name: str) -> None:
    def build() -> WorkedExample:
        return instance(mm.SETTINGS[name])

    example(f"{name}-instance")(build)


for _name in mm.SETTINGS:
    _register(_name)

