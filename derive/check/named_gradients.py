"""Andrew Ng's vectorised notation: dW^{[l]}, dA^{[l]} name the gradients of the cost
J = (1/m) Σᵢ L⁽ⁱ⁾ through the layer Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]} (A^{[0]} = X), with
dZ^{[l]} the loss's gradient example by example (a column each).  By that meaning

    dW^{[l]}   = (1/m) dZ^{[l]} A^{[l-1]T}        dA^{[l-1]} = W^{[l]T} dZ^{[l]}

and a link claiming another value for one of them is compared with that, at random matrices
(derive.check.matrices): a dropped 1/m or a transpose dropped is wrong.  db^{[l]} and dZ^{[l]}
(a sum over columns, the activation's derivative) are not judged here.
"""

from __future__ import annotations

import itertools
import re

import sympy as sp

from derive.check.errors import NotUnderstood
from derive.check.matrices import TRANSPOSED, base_name, compare_ordered
from derive.check.notation import Notation
from derive.check.parser import parse
from derive.check.shared import Outcome

_GRADIENT = re.compile(r"^\\mathit\{d([WAb])\}\^\{\((\w+)(?:\s*([+-])\s*(\d))?\)\}$")
_M = sp.Symbol("m", positive=True)       # the number of examples: a number, whatever the parse


_MEAN = re.compile(r"\\[dt]?frac\s*\{?\s*1\s*\}?\s*\{?\s*m\s*(?:\}|(?![A-Za-z]))"
                   r"|\b1\s*/\s*m\b")


def writes_mean_cost(formulas: list[str]) -> bool:
    """The text writes 1/m somewhere (J = (1/m) Σ L): its cost is a mean, so a dW without
    1/m is wrong; a text that never does may sum the losses."""
    return any(_MEAN.search(f) for f in formulas)


def is_named_gradient(lhs: str, notation: Notation) -> bool:
    """The left side is one of dW^{[l]}, dA^{[l]} alone."""
    try:
        left, _ = parse(lhs, notation)
    except NotUnderstood:
        return False
    return isinstance(left, sp.Symbol) and _GRADIENT.match(left.name) is not None


def judge_named_gradient(lhs: str, rhs: str, notation: Notation) -> Outcome | None:
    """dW^{[l]} = … or dA^{[l]} = … judged by the notation's meaning (None: not such a link,
    or a right side it does not read)."""
    try:
        left, _ = parse(lhs, notation)
        right, found = parse(rhs, notation)
    except NotUnderstood:
        return None
    match = _GRADIENT.match(left.name) if isinstance(left, sp.Symbol) else None
    if match is None or isinstance(right, sp.MatrixBase) or found.opaque:
        return None
    kind, layer = match.group(1), _layer(match)
    if kind == "b":
        return _bias_gradient(right, layer, notation)
    if right.has(sp.Sum, sp.Derivative, sp.Integral):
        return None
    expected = _meanings(kind, layer, notation.mean_cost)
    spoken = {base_name(s.name) for s in right.free_symbols} - {"m"}
    expected = [(e, t) for e, t in expected
                if spoken <= {base_name(s.name) for s in e.free_symbols}]
    if not expected or not any(n.startswith("\\mathit") for n in spoken):
        return None
    names = {s.name for e, _ in expected for s in e.free_symbols} | {"m"} | {
        s.name for s in right.free_symbols}
    names |= {_toggled(n) for n in names if n.startswith("W")}
    renamed = _as_matrices(right, names)
    orientations = notation.w_orientations
    verdicts = []
    for orientation in sorted(orientations):      # "ng": W^{[l]} n^{[l]}×n^{[l-1]}; "t"
        for e, _ in expected:
            status, reason = compare_ordered(
                _as_matrices(e if orientation == "ng" else _for_transposed_w(e, kind), names),
                renamed)
            verdicts.append(status)
            if status == "correct" and (orientation == "ng" or orientations == {"t"}):
                return Outcome("correct", "step", f"d{kind} means the cost's gradient: "
                               f"{reason}")
            if status == "correct":
                return Outcome("undecided", "step", "right where W^[l] is n^[l-1]×n^[l] "
                               "(Z = Wᵀ A), which the text does not say")
    for e, _ in expected:             # examples as rows (X ∈ ℝ^{m×n}): dW = (1/m) Aᵀ dZ
        if compare_ordered(_as_matrices(_reversed(e), names), renamed)[0] == "correct":
            return Outcome("undecided", "step", "right where examples are rows (Z = A W), "
                           "not where they are columns (Z = W A)")
    misfit = _misfit(right.xreplace({s: _M for s in right.free_symbols if s.name == "m"}),
                     orientations)
    if misfit:
        return Outcome("wrong", "step", f"{misfit}, whether the examples are columns or rows "
                       "— a transpose dropped, or the factors in the wrong order?")
    if all(status == "wrong" for status in verdicts):
        said = " or ".join(t for _, t in expected)
        mean = "; the text writes the cost as a mean, 1/m" if notation.mean_cost else ""
        return Outcome("wrong", "step", f"d{kind}^[{layer}] is {said} (the cost's gradient "
                       f"through Z = W A + b{mean}); the sides differ at random matrices: a "
                       "dropped 1/m, a transpose dropped or the order of a product")
    return None


def _bias_gradient(right: sp.Expr, layer: str, notation: Notation) -> Outcome | None:
    """db^{[l]} = (1/m) Σᵢ dZ^{[l](i)} (the columns summed; 1/m where the cost is a mean), or
    dz^{[l]} for one example; a sum with another factor is wrong."""
    if isinstance(right, sp.Symbol):
        return Outcome("correct", "step", "db is dz for one example") \
            if right.name == f"\\mathit{{dz}}^{{({layer})}}" else None
    factor: sp.Expr = sp.S.One
    sums: list[sp.Sum] = []
    for f in sp.Mul.make_args(right):
        if isinstance(f, sp.Sum):
            sums.append(f)
        else:
            factor *= f
    if len(sums) != 1 or len(sums[0].limits) != 1:
        return None
    total = sums[0]
    index, _, upper = total.limits[0]
    body = total.function
    if not (isinstance(body, sp.Indexed) and body.indices == (index,)
            and str(body.base) in (f"\\mathit{{dZ}}^{{({layer},·)}}",
                                   f"\\mathit{{dz}}^{{({layer},·)}}")
            and (str(upper) == "m" or str(upper).startswith("#"))):
        return None
    factor = factor.xreplace({s: _M for s in factor.free_symbols if str(s) == "m"})
    allowed = [_M ** -1] + ([] if notation.mean_cost else [sp.S.One])
    if any(sp.simplify(factor - a) == 0 for a in allowed):
        return Outcome("correct", "step", "db means the cost's gradient: the columns of dZ "
                       "summed" + (", over m" if notation.mean_cost else ""))
    if factor.free_symbols - {_M}:
        return None
    return Outcome("wrong", "step", f"db^[{layer}] is (1/m) Σᵢ dZ^[{layer}](i)" + (
        " (the text writes the cost as a mean, 1/m)" if notation.mean_cost else "")
        + ": a factor dropped or changed")


def _meanings(kind: str, layer: str, mean_cost: bool) -> list[tuple[sp.Expr, str]]:
    """What dW^{[l]} or dA^{[l]} is, vectorised (dZ, A, X; 1/m where the cost is a mean)
    and for one example (dz, a, x; Ng's lowercase), each with how to say it."""
    if kind == "A":
        later = _shifted(layer, 1)
        return [(_transposed(_name("W", later)) * _name(dz, later),
                 f"W^[{later}]ᵀ {dz}^[{later}]") for dz in ("dZ", "dz")]
    earlier = _shifted(layer, -1)
    found: list[tuple[sp.Expr, str]] = []
    mean, whole = (_M ** -1, "(1/m) "), (sp.Integer(1), "")
    for dz, a, x, scales in (("dZ", "A", "X", [mean] + ([] if mean_cost else [whole])),
                             ("dz", "a", "x", [whole, mean])):   # one example: either
        inputs = [(_name(a, earlier), f"{a}^[{earlier}]")] + (
            [(sp.Symbol(x, commutative=False), x)] if earlier == "0" else [])
        found += [(c * _name(dz, layer) * _transposed(v), f"{said}{dz}^[{layer}] {t}ᵀ")
                  for v, t in inputs for c, said in scales]
    return found


def _layer(match: re.Match[str]) -> str:
    base, sign, step = match.group(2), match.group(3), match.group(4)
    return f"{base}{sign}{step}" if sign else base


def _shifted(layer: str, by: int) -> str:
    """The layer before or after: 2 → 1, l → l-1, l+1 → l."""
    if layer.isdigit():
        return str(int(layer) + by)
    base, _, rest = layer.partition("+") if "+" in layer else layer.partition("-")
    offset = (int(rest) if "+" in layer else -int(rest)) if rest else 0
    offset += by
    return base if offset == 0 else f"{base}{'+' if offset > 0 else '-'}{abs(offset)}"


def _name(base: str, layer: str) -> sp.Symbol:
    spelled = f"\\mathit{{{base}}}" if base.startswith("d") else base
    return sp.Symbol(f"{spelled}^{{({layer})}}", commutative=False)


def _transposed(s: sp.Symbol) -> sp.Symbol:
    return sp.Symbol(s.name + TRANSPOSED, commutative=False)


def _as_matrices(e: sp.Expr, names: set[str]) -> sp.Expr:
    """Every layer quantity as a bold capital (a matrix to derive.check.matrices), m a
    number; products keep their order."""
    bases = sorted({n[:-len(TRANSPOSED)] if n.endswith(TRANSPOSED) else n for n in names
                    if n != "m"})
    spelled = {b: f"\\mathbf{{M{k}}}" for k, b in enumerate(bases)}
    swaps: dict[sp.Basic, sp.Basic] = {}
    for s in e.free_symbols:
        if not isinstance(s, sp.Symbol):
            continue
        if s.name == "m":
            swaps[s] = _M
            continue
        plain = s.name[:-len(TRANSPOSED)] if s.name.endswith(TRANSPOSED) else s.name
        suffix = TRANSPOSED if s.name.endswith(TRANSPOSED) else ""
        swaps[s] = sp.Symbol(spelled[plain] + suffix, commutative=False)
    return e.xreplace(swaps)


def _toggled(name: str) -> str:
    return name[:-len(TRANSPOSED)] if name.endswith(TRANSPOSED) else name + TRANSPOSED


def _for_transposed_w(e: sp.Expr, kind: str) -> sp.Expr:
    """The meaning where W^{[l]} is stored n^{[l-1]}×n^{[l]} (Z = Wᵀ A): dA = W dZ (W's
    transpose toggled), dW = (1/m) A dZᵀ (the transpose of the other orientation's)."""
    scalars, factors = e.args_cnc()
    if kind == "A":
        return sp.Mul(*scalars, *[sp.Symbol(_toggled(f.name), commutative=False)
                                  if f.name.startswith("W") else f for f in factors])
    return sp.Mul(*scalars, *[sp.Symbol(_toggled(f.name), commutative=False)
                              for f in reversed(factors)])


def w_orientations(formulas: list[str]) -> frozenset[str]:
    """How the text stores W^{[l]}: as Ng does (Z = W A, W X: "ng"), transposed (Z = Wᵀ A:
    "t"), or either where it writes neither or both."""
    found = {"ng" for f in formulas if _W_TIMES.search(f)} | {
        "t" for f in formulas if _WT_TIMES.search(f)}
    return frozenset(found) if len(found) == 1 else frozenset({"ng", "t"})


_W_TIMES = re.compile(r"W\s*\^\s*\{\s*\[[^\]]*\]\s*\}\s*(?:A\s*\^\s*\{\s*\[|X\b|a\s*\^|x\b)")
_WT_TIMES = re.compile(r"W\s*\^\s*\{\s*\[[^\]]*\]\s*(?:T|\\top)\s*\}\s*"
                       r"(?:A\s*\^\s*\{\s*\[|X\b|a\s*\^|x\b)")


def _reversed(e: sp.Expr) -> sp.Expr:
    """The formula where examples are rows (each quantity the transpose of its column form):
    the product transposed and each factor written for rows, so the order reverses and each
    factor keeps its transpose (dZ Aᵀ → Aᵀ dZ, Wᵀ dZ → dZ Wᵀ)."""
    scalars, factors = e.args_cnc()
    return sp.Mul(*scalars, *reversed(factors))


_SHAPE = re.compile(r"^(?:\\mathit\{d)?([ZWAXzax])\}?(?:\^\{\((\w+(?:[+-]\d)?)\)\})?$")


def _shape(name: str, rows: bool, orientation: str = "ng") -> tuple[str, str] | None:
    """The shape the convention gives a layer quantity: Z, A, dZ, dA n_l × m (examples as
    columns; m × n_l as rows), W and dW n_l × n_{l-1}, X n_0 × m; z, a, dz, x n_l × 1."""
    plain = name[:-len(TRANSPOSED)] if name.endswith(TRANSPOSED) else name
    match = _SHAPE.match(plain)
    if match is None:
        return None
    if match.group(2) is None and match.group(1) not in "Xx":
        return None                   # A, Z, W without a layer: any matrix
    letter, layer = match.group(1), match.group(2) or "0"
    if letter == "x" and match.group(2) is not None:
        return None                   # x^{(1)}: the first example
    if letter == "W":                 # "t": W^{[l]} n^{[l-1]}×n^{[l]}, Z = Wᵀ A
        shape = (layer, _shifted(layer, -1)) if orientation == "ng" \
            else (_shifted(layer, -1), layer)
    else:                             # one example (dz, a, x): a column
        shape = ("0" if letter in "Xx" else layer, "m" if letter.isupper() else _ONE)
    if rows:
        shape = (shape[1], shape[0]) if letter != "W" else (shape[1], shape[0])
    return (shape[1], shape[0]) if name.endswith(TRANSPOSED) else shape


def convention_misfits(pieces: list, notation: Notation) -> list[tuple[int, str, str]]:
    """The expressions of a text in Ng's notation (a^{[l]}) holding a product of layer
    quantities that cannot be formed with the shapes that notation gives, in either
    convention (dZ^{[1]} = W^{[2]} dZ^{[2]} ⊙ g′(Z^{[1]}): W^{[2]}ᵀ meant): lines, texts,
    reasons."""
    if not notation.bracket_layers:
        return []
    found_misfits = []
    for piece in pieces:
        if _EXAMPLE_SUPERSCRIPT.search(piece.text):
            continue                  # x^{(1)}: an example, or a layer? not read here
        try:
            value, found = parse(piece.text, notation)
        except NotUnderstood:
            continue
        if isinstance(value, sp.MatrixBase) or not (found.ordered or found.hadamards):
            continue
        for part in [value] + [side for pair in found.hadamards for side in pair]:
            if isinstance(part, sp.MatrixBase):
                continue
            part = part.xreplace({s: _M for s in part.free_symbols if str(s) == "m"})
            reason = next((r for t in sp.Add.make_args(part)
                           if (r := _misfit(t, notation.w_orientations))), "")
            if reason:
                found_misfits.append((piece.line, piece.text.strip(), reason + ", whether "
                                      "the examples are columns or rows — a transpose "
                                      "dropped, or the factors in the wrong order?"))
                break
    return found_misfits


def _misfit(e: sp.Expr, orientations: frozenset[str] = frozenset({"ng"})) -> str:
    """Why a product of layer quantities cannot be formed in either convention, with any
    orientation of W the text allows ('' when it can, or when a term is not such a
    product)."""
    reasons = []
    for rows, orientation in itertools.product((False, True), sorted(orientations)):
        reason = ""
        for term in sp.Add.make_args(e):
            _, factors = term.args_cnc()
            shapes = [_shape(f.name, rows, orientation) if isinstance(f, sp.Symbol) else None
                      for f in factors]
            if any(s is None for s in shapes):
                return ""
            for k in range(len(factors) - 1):
                (f, a), (g, b) = (factors[k], shapes[k]), (factors[k + 1], shapes[k + 1])
                if a is not None and b is not None and a[1] != b[0]:
                    reason = reason or (f"{_spoken(f.name)} has {_dim(a[1])} columns and "
                                        f"{_spoken(g.name)} {_dim(b[0])} rows")
        if not reason:
            return ""
        reasons.append(reason)
    return f"the product cannot be formed: {reasons[0]}"


_EXAMPLE_SUPERSCRIPT = re.compile(r"\^\s*\{?\s*\(|⁽")
_ONE = "#1"                 # one column (a layer may be named 1)


def _dim(d: str) -> str:
    return {"m": "m", _ONE: "1"}.get(d, f"n^[{d}]")


def _spoken(name: str) -> str:
    plain = re.sub(r"\\mathit\{(\w+)\}", r"\1", name).replace("^{T}", "ᵀ")
    return re.sub(r"\^\{\(([^()]*)\)\}", r"^[\1]", plain)
