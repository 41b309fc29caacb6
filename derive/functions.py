"""Custom SymPy functions that know their own derivatives.

``sigmoid(z).diff(z)`` is ``sigmoid(z)*(1 - sigmoid(z))``, so derivations read like the
textbook.  Every function rewrites to elementary form (``.rewrite(sympy.exp)`` or
``.rewrite(sympy.Max)``) so the verifier can compare it with plain SymPy, evaluates at
arbitrary precision through that rewrite, and has a numerically stable NumPy
implementation (in :mod:`derive.stable`) used by :func:`lambdify`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from sympy.core.function import ArgumentIndexError
from sympy.printing.precedence import PRECEDENCE


class _Elementary(sp.Function):
    """Shared behaviour: numeric evaluation goes through the elementary rewrite."""

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        elementary = self._elementary()
        return elementary._eval_evalf(prec) if elementary is not None else None

    def _elementary(self) -> sp.Expr | None:
        raise NotImplementedError


class sigmoid(_Elementary):  # noqa: N801  (SymPy functions are lower-case)
    r"""The logistic sigmoid  sigma(z) = 1 / (1 + e^{-z})."""

    nargs = 1

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z == 0:   # not z.is_zero: asking that of a long sum is slow
            return sp.S.Half
        if z is sp.S.Infinity:
            return sp.S.One
        if z is sp.S.NegativeInfinity:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _elementary(self) -> sp.Expr:
        return 1 / (1 + sp.exp(-self.args[0]))

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def _eval_rewrite_as_tanh(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return (1 + sp.tanh(z / 2)) / 2

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _latex(self, printer: Any, exp: Any = None) -> str:
        arg = printer._print(self.args[0])
        power = "" if exp is None else f"^{{{exp}}}"
        return rf"\sigma{power}\left({arg}\right)"


class relu(_Elementary):  # noqa: N801
    r"""The rectifier  (z)^+ = max(0, z); its derivative is the step 1[z > 0]."""

    nargs = 1

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_number and z.is_real:
            return sp.Max(0, z)
        if z.is_nonnegative:
            return z
        if z.is_nonpositive:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sp.Heaviside(self.args[0], 0)

    def _elementary(self) -> sp.Expr:
        return sp.Max(0, self.args[0], evaluate=False)

    def _eval_rewrite_as_Max(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Max(0, z)

    _eval_rewrite_as_exp = _eval_rewrite_as_Max

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = rf"\left({printer._print(self.args[0])}\right)^{{+}}"
        return body if exp is None else rf"\left({body}\right)^{{{exp}}}"


class softmax(_Elementary):  # noqa: N801
    r"""Component ``i`` (1-based) of softmax(z_1, ..., z_K):  e^{z_i} / sum_k e^{z_k}.

    Called as ``softmax(i, z1, ..., zK)``; the derivative with respect to z_j is
    ``s_i (delta_ij - s_j)``.
    """

    @classmethod
    def eval(cls, i: sp.Expr, *zs: sp.Expr) -> sp.Expr | None:
        if not zs:
            raise ValueError("softmax needs at least one input")
        if i.is_Integer and not 1 <= int(i) <= len(zs):
            raise ValueError(f"softmax index {i} outside 1..{len(zs)}")
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex == 1:
            raise ArgumentIndexError(self, argindex)
        i, zs = self.args[0], self.args[1:]
        j = argindex - 1
        return self * (sp.KroneckerDelta(i, j) - softmax(j, *zs))

    def _elementary(self) -> sp.Expr:
        i, zs = self.args[0], self.args[1:]
        return sp.exp(zs[int(i) - 1]) / sp.Add(*[sp.exp(z) for z in zs])

    def _eval_rewrite_as_exp(self, i: sp.Expr, *zs: sp.Expr, **kwargs: Any) -> sp.Expr:
        return self._elementary()

    def _latex(self, printer: Any, exp: Any = None) -> str:
        zs = ", ".join(printer._print(z) for z in self.args[1:])
        body = rf"\operatorname{{softmax}}\left({zs}\right)_{{{printer._print(self.args[0])}}}"
        return body if exp is None else rf"\left({body}\right)^{{{exp}}}"


class logsumexp(_Elementary):  # noqa: N801
    r"""log(sum_k e^{z_k}); its gradient is softmax."""

    @classmethod
    def eval(cls, *zs: sp.Expr) -> sp.Expr | None:
        if not zs:
            raise ValueError("logsumexp needs at least one input")
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return softmax(argindex, *self.args)

    def _elementary(self) -> sp.Expr:
        return sp.log(sp.Add(*[sp.exp(z) for z in self.args]))

    def _eval_rewrite_as_exp(self, *zs: sp.Expr, **kwargs: Any) -> sp.Expr:
        return self._elementary()

    def _latex(self, printer: Any, exp: Any = None) -> str:
        zs = ", ".join(printer._print(z) for z in self.args)
        body = rf"\operatorname{{LSE}}\left({zs}\right)"
        return body if exp is None else rf"\left({body}\right)^{{{exp}}}"


@functools.lru_cache(maxsize=1024)
def elementary(expr: sp.Expr) -> sp.Expr:
    """Rewrite every custom function of derive into plain SymPy (exp, log, Max).

    Remembered: a step's sides recur from check to check (each compiled for sampling)."""
    return expr.replace(lambda e: isinstance(e, _Elementary), lambda e: e._elementary())


def lambdify(args: Sequence[sp.Basic] | sp.Basic, expr: Any) -> Callable[..., Any]:
    """``sympy.lambdify`` of ``expr`` in numerically stable form: see :mod:`derive.stable`,
    which holds the NumPy implementations of these functions."""
    from derive import stable  # stable builds on the functions defined here

    return stable.lambdify(args, expr)


class Verbatim(sp.Symbol):
    """A placeholder whose LaTeX is its name verbatim (to print f(X) or f′(z) around it)."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return self.name


class VerbatimSum(Verbatim):
    """A Verbatim standing for a sum: the printer puts it in parentheses where a sum needs
    them (a power's base, a factor), not as a function's argument."""

    precedence = PRECEDENCE["Add"]


class Prime(sp.Derivative):
    """The derivative of a one-argument function at its argument, printed f′(z).

    It is an ordinary ``Derivative`` to the verifier; only the printed form differs.
    """

    def _latex(self, printer: Any, exp: Any = None) -> str:
        function = self.expr
        head = printer._print(function.func(Verbatim("@@"))).split("@@")[0]
        head = head[: head.index(r"\left(")].rstrip("{")
        return rf"{head}'\left({printer._print(self.variables[0])}\right)"
