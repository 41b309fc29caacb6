"""Every oracle is independent of derive's own differentiation code (issue 17, point 5).

An oracle's reference is plain ``sympy.diff`` of the elementary form (derive.library.oracles),
so a wrong derivative rule in derive.functions cannot vouch for itself: the steps may agree
with it, the oracle does not. Everything runs in-process and without the verdict cache
(``verify`` on a freshly built derivation), every functools cache of derive and SymPy's own
cache emptied around each broken rule.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.functions import _Elementary, logsumexp, relu, sigmoid, softmax
from derive.library.oracles import written_out
from derive.matrices import _MatrixDerivative
from derive.proof import Derivation
from derive.registry import BUILDERS, loaded_library
from derive.verify import verify
from tests.caches import clear_caches, fdiff_check_off

TRUSTED = {"proved", "checked"}
# With σ′ broken, a wrong entry of these at concrete sizes keeps the verifier's simplify busy
# for minutes (tactics.reduces_to_zero); the matching-formula test below covers their oracle.
TOO_SLOW_WHEN_BROKEN = {sigmoid: {"mlp-classification-se", "mlp-classification-bce"}}
# These differentiate the function only where its derivative cancels: one neuron's f written
# as σ + 1[i = j](f − σ), so at unit j σ′ − σ′ = 0 whatever σ′ is. Any rule gives the same
# (right) verdicts; the test below checks that the function is absent from their results.
CANCELS_WHEN_BROKEN = {sigmoid: {"backprop-one-neuron"}}
Rule = Callable[..., sp.Expr]

# A wrong derivative rule for every custom function that has one.
WRONG_RULES: dict[type[_Elementary], Rule] = {
    sigmoid: lambda self, argindex=1: sigmoid(self.args[0]),                # σ′ taught as σ
    relu: lambda self, argindex=1: 2 * sp.Heaviside(self.args[0], 0),       # 2·1[z > 0]
    softmax: lambda self, argindex=1: self * sp.KroneckerDelta(self.args[0], argindex - 1),
    logsumexp: lambda self, argindex=1: 2 * softmax(argindex, *self.args),
}


@contextlib.contextmanager
def rules_replaced(rules: dict[type[_Elementary], Rule]) -> Iterator[None]:
    """The functions' derivative rules replaced, every cache emptied before and after."""
    patch = pytest.MonkeyPatch()
    for function, rule in rules.items():
        patch.setattr(function, "fdiff", rule)
    clear_caches()
    try:
        yield
    finally:
        patch.undo()
        clear_caches()


def _mentions(d: Derivation, function: type[_Elementary]) -> bool:
    """Whether the function occurs in a step, a definition or an oracle."""
    exprs = [e for s in d.steps for e in (s.lhs, s.rhs)]
    exprs += [e for o in d.oracles for e in (o.result, o.reference)]
    exprs += list(d.definitions.values())
    return any(sp.sympify(e).has(function) for e in exprs)


@pytest.fixture(scope="module")
def builders() -> dict[str, Callable[[], Derivation]]:
    loaded_library()
    return dict(BUILDERS)


def _refuse(self: Any, argindex: int = 1) -> sp.Expr:
    raise AssertionError(f"{type(self).__name__}.fdiff called while building")


@pytest.fixture(scope="module")
def built(builders: dict[str, Callable[[], Derivation]]) -> dict[str, Derivation]:
    """Every derivation built (not verified) while every derivative rule refuses to run: so
    no step, definition or oracle reference is computed with one."""
    with rules_replaced({f: _refuse for f in WRONG_RULES}):
        return {name: build() for name, build in builders.items()}


def _checks(d: Derivation) -> list[str]:
    """The status of every step judged and every oracle."""
    verdicts = [s.verdict for s in d.checked_steps] + [o.verdict for o in d.oracles]
    return [v.status if v is not None else "undecided" for v in verdicts]


@pytest.fixture(scope="module")
def appliers(builders: dict[str, Callable[[], Derivation]], built: dict[str, Derivation]
             ) -> dict[type[_Elementary], set[str]]:
    """For each custom function, the derivations whose verification applies its derivative
    rule (recorded by a spy around the true rule, caches emptied between derivations)."""
    found: dict[type[_Elementary], set[str]] = {f: set() for f in WRONG_RULES}
    current: list[str] = []

    def spy(function: type[_Elementary]) -> Rule:
        true_rule = function.fdiff

        def recorded(self: Any, argindex: int = 1) -> sp.Expr:
            found[function].update(current)
            return true_rule(self, argindex)
        return recorded

    rules = {f: spy(f) for f in WRONG_RULES}
    # the verifier's own check of each fdiff (derive.context) is not an application of it
    with rules_replaced(rules), fdiff_check_off():
        for name, build in builders.items():
            if any(_mentions(built[name], f) for f in WRONG_RULES):
                d = build()
                current[:] = [name]
                verify(d)
                current.clear()
                clear_caches()
    return found


def test_every_function_with_a_derivative_rule_has_a_wrong_rule_here() -> None:
    with_rules = {f for f in _Elementary.__subclasses__() if "fdiff" in vars(f)
                  and f.__module__.startswith("derive.")}   # not the attacks' own functions
    assert with_rules == set(WRONG_RULES)


def test_the_spy_sees_the_rules_the_library_applies(
        appliers: dict[type[_Elementary], set[str]]) -> None:
    assert "mlp-regression" in appliers[relu]
    assert {"bce-gradient", "backprop-equations", "two-layer-binary",
            "mlp-classification-se"} <= appliers[sigmoid]


@pytest.mark.usefixtures("without_fdiff_check")
@pytest.mark.parametrize("function", list(WRONG_RULES), ids=lambda f: f.__name__)
def test_a_broken_derivative_rule_is_refuted_in_every_derivation_that_applies_it(
        function: type[_Elementary], appliers: dict[type[_Elementary], set[str]],
        builders: dict[str, Callable[[], Derivation]], built: dict[str, Derivation]) -> None:
    """Each derivation whose verification applies the rule has a step or an oracle refuted.

    A derivation that names the function but never differentiates it (the sigmoid from the
    log-odds, BP in matrix form with σ′ written as σ(1 − σ)) has nothing to catch; softmax()
    and logsumexp() appear in no derivation (the library writes softmax out in exp)."""
    slow = TOO_SLOW_WHEN_BROKEN.get(function, set())
    cancels = CANCELS_WHEN_BROKEN.get(function, set())
    assert slow | cancels <= appliers[function]
    for name in cancels:
        results = [o.result for o in built[name].oracles]
        assert results and not any(sp.sympify(r).has(function) for r in results), name
    names = sorted(appliers[function] - slow - cancels)
    if not appliers[function]:
        contains = [name for name, d in built.items() if _mentions(d, function)]
        assert contains == [], f"{function.__name__} is used but its rule never applied"
        return
    assert names, f"{function.__name__}: every derivation that applies it is skipped"
    unnoticed = []
    with rules_replaced({function: WRONG_RULES[function]}):
        for name in names:
            if set(_checks(verify(builders[name]()))) <= TRUSTED:
                unnoticed.append(name)
    assert unnoticed == []


@pytest.mark.usefixtures("without_fdiff_check")
@pytest.mark.parametrize(("name", "function", "field", "wrong_formula"), [
    # issue 17: relu′ broken to 2·H and the sheet's formula 3f′ = 6·H to match
    ("mlp-regression", relu, "f_prime", 6 * sp.Heaviside(sp.Symbol("t", real=True), 0)),
    # σ′ broken to σ, and the output's derivative written as σ to match
    ("mlp-classification-se", sigmoid, "g_prime", sigmoid(sp.Symbol("t", real=True))),
], ids=["relu", "sigmoid"])
def test_a_wrong_formula_matching_a_broken_rule_is_refuted_by_the_oracle(
        name: str, function: type[_Elementary], field: str, wrong_formula: sp.Expr) -> None:
    from derive.library.mlp_matrix import SETTINGS, mlp_gradients

    setting = dataclasses.replace(SETTINGS[name], **{field: wrong_formula})
    with rules_replaced({function: WRONG_RULES[function]}):
        d = verify(mlp_gradients(setting))
    assert [o.verdict.status for o in d.oracles if o.verdict] == ["refuted"]


def test_every_oracle_reference_is_built_without_any_derivative_rule(
        built: dict[str, Derivation]) -> None:
    oracles = [o for d in built.values() for o in d.oracles]   # built while rules refuse
    assert len(oracles) >= 45
    assert all(d.oracles for name, d in built.items()
               if any(_mentions(d, f) for f in WRONG_RULES)), "a function is used unchecked"


def test_no_oracle_reference_leaves_a_derivative_for_derive_to_take(
        built: dict[str, Derivation]) -> None:
    """Only derivatives of unspecified functions (f₁, f₂ of C2) stay written; no Jacobian or
    Gradient of derive.matrices, no derivative of a custom function, even once unfolded."""
    seen = 0
    for name, d in built.items():
        for oracle in d.oracles:
            seen += 1
            reference = written_out(oracle.reference, d.definitions)
            assert not reference.has(_MatrixDerivative), name
            for derivative in reference.atoms(sp.Derivative):
                assert derivative.expr.atoms(AppliedUndef), (name, derivative)
                assert not derivative.expr.atoms(_Elementary), (name, derivative)
    assert seen >= 45
