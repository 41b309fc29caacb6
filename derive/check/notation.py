"""What a solution's names mean: the functions this field writes (σ as the logistic function,
tanh, log as the natural logarithm, softmax, ReLU), symbols and their domains, and the choices
a reading makes where the notation is ambiguous."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from derive.functions import relu, sigmoid

# Where the written form has two readings, each is tried (derive.check.judge).
READING_CHOICES = {
    "sum_reach": ("term", "rest"),        # how far a Σ reaches: one product, or the rest
    "letter_call": ("default", "product", "call"),  # h(1 - h): as f(x) usually is, a
                                                    # product, or a function applied
    "layer": ("index", "power"),          # W^2 where the text writes W^1, W^l: a layer, or
}                                         # a power


@dataclass(frozen=True)
class Reading:
    """One reading of the ambiguous forms."""

    sum_reach: str = "term"
    letter_call: str = "default"
    layer: str = "index"


@dataclass
class Notation:
    """What the front matter declares, and the conventions of the field by default."""

    functions: dict[str, str] = field(default_factory=dict)   # name -> logistic|opaque|...
    domains: dict[str, tuple[float, float]] = field(default_factory=dict)
    integers: set[str] = field(default_factory=set)
    values: dict[str, sp.Expr] = field(default_factory=dict)
    log_base: int | None = None                              # None: natural
    symmetric: bool = False       # the text speaks of symmetric matrices: Aᵀ = A may be meant
    # constants the text gives a value of its own (an error e = ŷ − y, a prior π = 0.3):
    # read as quantities, not as Euler's number or π
    quantities: set[str] = field(default_factory=set)
    binary_logs: bool = False     # the text speaks of bits: an unmarked log may be log₂
    row_vectors: bool = False     # the text speaks of row vectors: x may be 1×n
    # names whose superscripts the text uses for layers (δ^1, W^l, a^{[2]}): their digit
    # superscripts are read as layers, and as powers (derive.check.layers)
    layers: set[str] = field(default_factory=set)
    # sizes (K classes, m examples: Σ_{i=1}^{K}, ℝ^K, 1/K): whole numbers ≥ 1
    sizes: set[str] = field(default_factory=set)
    # the text writes 1/m somewhere (J = (1/m) Σ L, Ng's mean cost): a dW without it is
    # wrong; where it never does, the cost may be a sum, and dW = dZ Aᵀ is right
    mean_cost: bool = True
    # δ subscripts the text gives a number (δ_{o1} = 0.7414): names, not Kronecker deltas
    named_deltas: frozenset[str] = frozenset()
    bracket_layers: bool = False  # Ng's a^{[l]}: products of layer quantities have shapes
    # how W^{[l]} is stored: "ng" (n^{[l]}×n^{[l-1]}, Z = W A), "t" (Z = Wᵀ A), or either
    w_orientations: frozenset[str] = frozenset({"ng"})
    # numbers the problem statement gives names (w_{5}: ['0.40']; derive.check.problems),
    # for names the text gives none, and the statement's file name
    given: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)
    statement: str = field(default="", repr=False, compare=False)
    # numbers the text gave as rounded results (e^{-3} = 0.05): later, intervals; grows as
    # a document is checked, so it is not part of the notation's identity
    rounded: set[str] = field(default_factory=set, repr=False, compare=False)

    def is_function(self, name: str) -> bool | None:
        """Declared a function (True), declared a value (False), or not declared (None)."""
        if name in self.functions:
            return self.functions[name] != "value"
        if name in self.domains or name in self.values:
            return False
        return None


KNOWN_FUNCTIONS: dict[str, object] = {
    "sigmoid": sigmoid, "Sigmoid": sigmoid, "logistic": sigmoid,
    "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos,
    "exp": sp.exp, "relu": relu, "ReLU": relu, "sqrt": sp.sqrt,
    "max": sp.Max, "min": sp.Min, "sign": sp.sign, "sgn": sp.sign,
}

# Letters that, followed by "(", are usually functions (f(x), g(x), h(x), L(θ), P(y|x)).
FUNCTION_LETTERS = frozenset("fghFGHLlEJPpDNQRSTCq")


def log_of(arg: sp.Expr, notation: Notation) -> sp.Expr:
    """log as the solution means it: natural unless declared otherwise."""
    if notation.log_base is None:
        return sp.log(arg)
    return sp.log(arg, notation.log_base)
