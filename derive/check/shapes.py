"""Products whose shapes cannot fit, where the text fixes the shapes.

The text may say what shape a name has: ``W_2 \\in \\mathbb{R}^{1 \\times 3}``,
``\\delta_2 \\in \\mathbb{R}``, a front matter ``shapes: {W_2: 1x3}``, a matrix of numbers
written out (``W_1 = [[…]]``), a name given a number (``δ₂ = … = 0.1385``: 1×1).  An expression
that multiplies or adds such names in a way no reading can fit is wrong whatever it means:
``(W_2 δ_2) ⊙ σ'(z_1)`` with W₂ 1×3, δ₂ a number and z₁ ∈ ℝ³ (a transpose dropped in
back-propagation), ``W_2 δ_2`` with W₂ ∈ ℝ^{K×H} and δ₂ ∈ ℝ^K.

Every other name may be a number or a matrix of any shape; dimensions written as different
letters (K, H) are different sizes, none of them 1; a vector in ℝⁿ is a column (and also a
row, where the text speaks of row vectors).  Only a product, a sum or a ⊙ whose declared
dimensions disagree in every reading is a misfit; a product of commuting factors (h(1 − h),
elementwise) constrains nothing."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import sympy as sp

from derive.check.document import Chain
from derive.check.errors import NotUnderstood
from derive.check.front import front_name
from derive.check.matrices import TRANSPOSED, base_name
from derive.check.notation import Notation
from derive.check.parser import parse
from derive.functions import relu, sigmoid

ONE = "#1"
MAX_FREE = 8            # undeclared names read as a number or a matrix: 2**8 readings at most
_ELEMENTWISE = (sp.exp, sp.log, sp.tanh, sp.Abs, sigmoid, relu, sp.sin, sp.cos, sp.Max)
_SPACE = re.compile(r"^\s*\\(?:mathbb|mathbf|Bbb)\s*\{?\s*R\s*\}?\s*(?:\^\s*(\{(?P<dims>[^{}]*)\}"
                    r"|(?P<one>\w)))?\s*[.,;]?\s*$|^\s*ℝ\s*(?:\^\s*(\{(?P<udims>[^{}]*)\}"
                    r"|(?P<uone>\w)))?\s*[.,;]?\s*$")
_TIMES = re.compile(r"\\times|×|\*|(?<=\d)x(?=\d)|\\cdot")


Shape = tuple[str, str]


def space_shape(text: str) -> tuple[Shape | None, bool] | None:
    """``\\mathbb{R}^{3 \\times 2}`` as (('#3', '#2'), True): the shape and whether it was
    written with both dimensions; ``\\mathbb{R}`` as (None, True) (a number); None if the
    text is not such a space."""
    match = _SPACE.match(text)
    if match is None:
        return None
    dims = match.group("dims") or match.group("one") or match.group("udims") \
        or match.group("uone")
    if dims is None:
        return None, True
    parts = [p.strip() for p in _TIMES.split(dims)]
    if not all(re.fullmatch(r"[A-Za-z0-9_{}\\]+", p) for p in parts) or len(parts) > 2:
        return None
    sizes = [ONE if p == "1" else f"#{p}" for p in parts]
    if len(sizes) == 1:
        return ((sizes[0], ONE), False) if sizes[0] != ONE else (None, True)
    return (sizes[0], sizes[1]), True


@dataclass
class _Dims:
    """Union–find over dimensions; names starting with # are sizes the text fixed."""

    parent: dict[str, str] = field(default_factory=dict)
    conflict: str = ""

    def find(self, d: str) -> str:
        while self.parent.setdefault(d, d) != d:
            d = self.parent[d]
        return d

    def unify(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if ra.startswith("#") and rb.startswith("#"):
            self.conflict = self.conflict or f"{_size(ra)} against {_size(rb)}"
            return
        if rb.startswith("#"):
            ra, rb = rb, ra
        self.parent[rb] = ra


def _size(d: str) -> str:
    return d[1:]


def _said(shape: Shape | None) -> str:
    return "a number" if shape is None else f"{_size(shape[0])}×{_size(shape[1])}"


def _plain(name: str) -> str:
    return name.replace("\\", "").replace("{", "").replace("}", "")


def declared_shapes(chains: list[Chain], front: dict, notation: Notation
                    ) -> dict[str, list[Shape | None]]:
    """The shapes the text gives names (``W_2 \\in \\mathbb{R}^{1 \\times 3}``; a front
    matter ``shapes: {W_2: 1x3}``): for each name, the shapes it may have (a vector in ℝⁿ a
    column, or a row too where the text speaks of row vectors; None: a number)."""
    said: list[tuple[str, str]] = [(c.pieces[0].text, c.pieces[1].text) for c in chains
                                   if c.relations[:1] == ["∈"] and len(c.pieces) >= 2]
    for key, value in ((front.get("shapes") or {}) if isinstance(front, dict) else {}).items():
        size = str(value).strip().replace(" ", "")
        space = "\\mathbb{R}" + (f"^{{{size}}}" if size not in ("1", "") else "")
        said.append((front_name(key), space))
    declared: dict[str, list[Shape | None]] = {}
    for name_text, space in said:
        shape = space_shape(space)
        if shape is None:
            continue
        try:
            name, _ = parse(name_text, notation)
        except NotUnderstood:
            continue
        if not isinstance(name, sp.Symbol):
            continue
        dims, both = shape
        options: list[Shape | None] = [dims]
        if dims is not None and not both and notation.row_vectors:
            options.append((dims[1], dims[0]))
        declared[name.name] = options
    return declared


def misfits(chain: Chain, declared: dict[str, list[Shape | None]], notation: Notation,
            written: dict[str, tuple[tuple[int, int], int]], numbers: set[str],
            tuples: set[str] | None = None) -> list[tuple[int, str, str]]:
    """The expressions of a chain whose products cannot fit the shapes the text gave (its
    declarations, its matrices of numbers ``written`` out, its names given ``numbers``):
    their lines, texts and the reasons."""
    known = dict(declared)
    for name, ((rows, cols), _) in written.items():
        shape = (ONE if rows == 1 else f"#{rows}", ONE if cols == 1 else f"#{cols}")
        # a vector written as a tuple, x = (1, 2), may be a row as well as a column
        known.setdefault(name, [shape, shape[::-1]] if name in (tuples or set()) else [shape])
    for name in numbers:
        known.setdefault(name, [None])
    if not any(shape is not None for options in known.values() for shape in options):
        return []
    found_misfits: list[tuple[int, str, str]] = []
    for piece in chain.pieces:
        try:
            value, found = parse(piece.text, notation)
        except NotUnderstood:
            continue
        if not found.ordered and not found.hadamards:
            continue
        reason = misfit(value, found.hadamards, known)
        if reason:
            found_misfits.append((piece.line, piece.text.strip(), reason))
    return found_misfits


_UNKNOWN = ("?", "?")     # a form whose shape is not read: it constrains nothing


def misfit(e: sp.Basic, hadamards: list[tuple[sp.Basic, sp.Basic]],
           declared: dict[str, list[Shape | None]]) -> str:
    """Why no reading of ``e`` fits the declared shapes ('' when one fits, or when nothing
    declared takes part).  ``declared``: for each name, the shapes it may have (None: a
    number)."""
    names = {base_name(s.name) for s in e.free_symbols if isinstance(s, sp.Symbol)}
    if isinstance(e, sp.MatrixBase) or not names & set(declared):
        return ""
    if not any(shape is not None for n in names & set(declared) for shape in declared[n]):
        return ""
    free = sorted(n for n in names - set(declared) if not n.startswith("#"))
    if len(free) > MAX_FREE:
        return ""
    fixed = sorted(names & set(declared))
    reasons: list[str] = []
    for numbers in itertools.product((True, False), repeat=len(free)):
        for options in itertools.product(*(declared[n] for n in fixed)):
            reading: dict[str, Shape | None] = dict(zip(fixed, options, strict=True))
            for n, as_number in zip(free, numbers, strict=True):
                reading[n] = None if as_number else (f"{n}.rows", f"{n}.cols")
            dims = _Dims()
            _shape(e, reading, dims)
            for a, b in hadamards:
                sa, sb = _shape(a, reading, dims), _shape(b, reading, dims)
                if sa is not None and sb is not None and _UNKNOWN not in (sa, sb):
                    dims.unify(sa[0], sb[0])
                    dims.unify(sa[1], sb[1])
            if not dims.conflict:
                return ""
            reasons.append(dims.conflict)
    shown = ", ".join(f"{_plain(n)} is {_said(declared[n][0])}" for n in fixed)
    return (f"the shapes cannot fit ({shown}): a dimension {reasons[0]} in a product, sum or "
            "⊙, whatever the other names are — a transpose dropped, or the factors in the "
            "wrong order?")


def _shape(e: sp.Basic, reading: dict[str, Shape | None], dims: _Dims) -> Shape | None:
    if isinstance(e, sp.Symbol):
        shape = reading.get(base_name(e.name))
        if shape is None:
            return None
        return (shape[1], shape[0]) if e.name.endswith(TRANSPOSED) else shape
    if e.is_Number:
        return None
    if isinstance(e, sp.Add):
        found = [s for s in (_shape(a, reading, dims) for a in e.args) if s is not None]
        known = [s for s in found if s != _UNKNOWN]
        for s in known[1:]:
            for k in (0, 1):        # a column b (d×1) added to W X (d×m) is broadcast, as
                if ONE not in (dims.find(known[0][k]), dims.find(s[k])):   # NumPy does
                    dims.unify(known[0][k], s[k])
        widest = [s for s in known if ONE not in (dims.find(s[0]), dims.find(s[1]))]
        return (widest or known)[0] if known else (_UNKNOWN if found else None)
    if isinstance(e, sp.Mul):
        scalars, factors = e.args_cnc()
        current: Shape | None = None
        for a in factors:
            factor = _shape(a, reading, dims)
            if factor is None:
                continue
            if factor == _UNKNOWN or current == _UNKNOWN:
                current = _UNKNOWN
                continue
            if current is not None:
                dims.unify(current[1], factor[0])
                factor = (current[0], factor[1])
            current = factor
        for a in scalars:              # commuting factors: elementwise, or numbers
            shape = _shape(a, reading, dims)
            if current is None and shape is not None:
                current = shape
        return current
    if isinstance(e, sp.Pow):
        return _shape(e.base, reading, dims)
    if isinstance(e, sp.Function) and isinstance(e, _ELEMENTWISE) and e.args:
        shapes = [s for s in (_shape(a, reading, dims) for a in e.args) if s is not None]
        return shapes[0] if shapes else None
    if not e.free_symbols:
        return None
    return _UNKNOWN
