"""The front matter of a solution (or its sidecar ``FILE.check.yaml``) as a Notation:

    domains: {h: "(0, 1)", m: "integer >= 1", x: "real"}
    functions: {sigma: logistic, h_theta: opaque, z: value}
    values: {x_1: 1, w: 0.5}
    conventions: {log: natural}
"""

from __future__ import annotations

import re

import sympy as sp

from derive.check.errors import CheckInputError
from derive.check.notation import Notation

_INTERVAL = re.compile(r"^\s*[\(\[]\s*([-+0-9.einf]+)\s*,\s*([-+0-9.einf]+)\s*[\)\]]\s*$")
_INTEGER = re.compile(r"^\s*(positive\s+)?integer\s*(>=\s*(-?\d+))?\s*$")
LOG_BASES = {"natural": None, "e": None, "ln": None, "10": 10, "2": 2}
FUNCTION_MEANINGS = ("logistic", "opaque", "value", "function")


def front_name(key: object) -> str:
    """A front-matter name as the parser spells it: ``h_theta`` → ``h_{\\theta}``."""
    text = str(key).strip()
    base, _, sub = text.partition("_")
    greek = {"theta", "sigma", "eta", "delta", "alpha", "beta", "lambda", "mu", "epsilon",
             "phi", "omega", "gamma", "tau"}
    if base in greek:
        base = "\\" + base
    if sub:
        sub = "\\" + sub if sub in greek else sub
        return f"{base}_{{{sub}}}"
    return base


def notation_of(front: dict, where: str) -> Notation:
    """The Notation a front matter declares; CheckInputError on a value it cannot read."""
    notation = Notation()
    for key, value in (front.get("domains") or {}).items():
        name, text = front_name(key), str(value)
        match = _INTERVAL.match(text)
        integer = _INTEGER.match(text)
        if match:
            lo, hi = float(match.group(1)), float(match.group(2))
            if not lo < hi:
                raise CheckInputError(f"{where}: the domain of {key} is empty: {text}")
            notation.domains[name] = (lo, hi)
        elif integer:
            notation.integers.add(name)
            if integer.group(3) is not None and int(integer.group(3)) >= 1:
                notation.sizes.add(name)
        elif text.strip() not in ("real", "R"):
            raise CheckInputError(f"{where}: cannot read the domain of {key}: {text!r} "
                                  "(write an interval such as (0, 1), or integer >= 1)")
    for key, value in (front.get("functions") or {}).items():
        meaning = str(value).strip()
        if meaning not in FUNCTION_MEANINGS:
            raise CheckInputError(f"{where}: the function {key} means {meaning!r}; say one of "
                                  + ", ".join(FUNCTION_MEANINGS))
        name = "sigma" if str(key) in ("sigma", "σ") else front_name(key)
        notation.functions[name] = meaning
    for key, value in (front.get("values") or {}).items():
        try:
            notation.values[front_name(key)] = sp.Rational(str(value))
        except (TypeError, ValueError):
            raise CheckInputError(f"{where}: the value of {key} is not a number: {value!r}"
                                  ) from None
    conventions = front.get("conventions") or {}
    log = str(conventions.get("log", "natural")).strip()
    if log not in LOG_BASES:
        raise CheckInputError(f"{where}: log: {log!r} — say natural, 10 or 2")
    notation.log_base = LOG_BASES[log]
    return notation
