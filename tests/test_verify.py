"""The verifier (derive/verify.py) proves, checks and refutes; mutated flagship steps must be
refuted; a step after a refuted one, and one that cannot be decided, say so."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import RefutedStepError
from derive.functions import sigmoid
from derive.library.logistic import bce_gradient, sigmoid_from_log_odds
from derive.library.softmax import softmax_jacobian
from derive.models import LogisticRegression
from derive.proof import Derivation, Step, text
from derive.verify import Context, check_equal, ensure_sound, verify
from tests.mutation import ACCEPTED, judge, mutated, status

x, y, z, t = sp.symbols("x y z t", real=True)
EMPTY = Context({}, {}, {}, {}, {}, seed=1)


def test_proves_a_true_identity() -> None:
    assert check_equal(sigmoid(x) * (1 - sigmoid(x)), sigmoid(x) * sigmoid(-x), EMPTY).status \
        == "proved"


def test_refutes_with_a_counterexample() -> None:
    verdict = check_equal(sigmoid(x), 1 / (1 + sp.exp(x)), EMPTY)
    assert verdict.status == "refuted"
    assert verdict.counterexample is not None and "x" in verdict.counterexample


def test_checks_numerically_when_simplify_cannot() -> None:
    # True for real x but not provable by the cheap tactics: a numeric check, not a proof.
    lhs = sp.log(sp.exp(x) + sp.exp(2 * x)) - x
    rhs = sp.log(1 + sp.exp(x))
    verdict = check_equal(lhs, rhs, EMPTY)
    assert verdict.status in {"proved", "checked"}
    assert check_equal(lhs, rhs + 1e-9, EMPTY).status == "refuted"


def test_flagships_verify_without_refutation() -> None:
    for build in (sigmoid_from_log_odds, bce_gradient, softmax_jacobian):
        d = build()
        assert d.tally()["refuted"] == 0
        assert all(o.verdict is not None and o.verdict.status == "proved" for o in d.oracles)
        ensure_sound(d)


def test_sigmoid_mutations_are_refuted() -> None:
    t = sp.Symbol("t", real=True)
    # step 8: p = e^t / (1 + e^t); flip the sign in the denominator
    d = mutated(sigmoid_from_log_odds, 7, lambda r: sp.exp(t) / (1 - sp.exp(t)))
    assert status(d, 7) == "refuted"
    # step 9: 1/(1 + e^{-t}); change the exponent's sign
    d = mutated(sigmoid_from_log_odds, 8, lambda r: 1 / (1 + sp.exp(t)))
    assert status(d, 8) == "refuted"
    with pytest.raises(RefutedStepError, match="step 9"):
        ensure_sound(d)


def test_bce_mutations_are_refuted() -> None:
    lr = LogisticRegression()
    i, j, xx = lr.i, lr.j, lr.x
    final = 10  # the gradient sum_i (h_i - y_i) x_ij
    assert bce_gradient().steps[final].rhs.has(xx[i, j])
    flipped = mutated(bce_gradient, final, lambda r: -r)
    assert status(flipped, final) == "refuted"
    dropped = mutated(bce_gradient, final, lambda r: r.replace(xx[i, j], 1))
    assert status(dropped, final) == "refuted"
    swapped = mutated(bce_gradient, final, lambda r: r.xreplace({xx[i, j]: xx[i, 0]}))
    assert status(swapped, final) == "refuted"


def test_softmax_mutations_are_refuted() -> None:
    d0 = softmax_jacobian()
    s = next(b for b in d0.steps[9].rhs.atoms(sp.IndexedBase) if b.name == "s")
    i, j = sorted({x for x in d0.steps[9].rhs.free_symbols if x.name in "ij"}, key=str)
    # log-softmax: delta_ij - s_j with the index swapped to s_i
    swapped = mutated(softmax_jacobian, 9, lambda r: r.xreplace({s[j]: s[i]}))
    assert status(swapped, 9) == "refuted"
    # quotient rule with the denominator's exponent changed from 2 to 3
    exponent = mutated(softmax_jacobian, 1, lambda r: r.replace(
        lambda e: isinstance(e, sp.Pow) and e.exp == -2, lambda e: sp.Pow(e.base, -3)))
    assert status(exponent, 1) == "refuted"
    # s_i (delta_ij - s_j) with the sign inside flipped
    flipped = mutated(softmax_jacobian, 5, lambda r: s[i] * (sp.KroneckerDelta(i, j) + s[j]))
    assert status(flipped, 5) == "refuted"


def test_a_check_that_evaluates_nothing_is_undecided_and_says_so() -> None:
    # A function with no numeric code cannot be evaluated anywhere: undecided (no
    # counter-example is claimed), never passed.
    verdict = check_equal(sp.DiracDelta(x), x, EMPTY)
    assert verdict.status == "undecided" and "not checkable" in verdict.method
    assert verdict.counterexample is None
    # an unspecified f is refuted with a particular one, and the verdict says which
    particular = check_equal(sp.Function("f")(x), x, EMPTY)
    assert particular.status == "refuted" and "sin" in particular.counterexample["functions"]
    undefined = check_equal(sp.zoo * x, x, EMPTY)
    assert undefined.status == "refuted" and "undefined everywhere" in undefined.method


def test_sigmoid_derivative_mutations_are_refuted() -> None:
    from derive.library.sigmoid import sigmoid_derivative

    z = sp.Symbol("z", real=True)
    # step 5: e^{-z}/(1 + e^{-z})^2 with the square dropped
    dropped = mutated(sigmoid_derivative, 4, lambda r: sp.exp(-z) / (1 + sp.exp(-z)))
    assert status(dropped, 4) == "refuted"
    # ... and with the sign of the numerator's exponent lost
    lost = mutated(sigmoid_derivative, 4, lambda r: sp.exp(z) / (1 + sp.exp(-z)) ** 2)
    assert status(lost, 4) == "refuted"
    # the end: sigma(-z) written as sigma(z)
    wrong = mutated(sigmoid_derivative, 11, lambda r: sigmoid(z))
    assert status(wrong, 11) == "refuted"


def test_a_checked_verdict_says_what_it_covered_as_data() -> None:
    """The renderers phrase a verdict from fields the verifier fills, not from its words."""
    from derive.pipeline import get_derivation

    checked = [s.verdict for s in get_derivation("local-gradients").checked_steps
               if s.verdict is not None and s.verdict.status == "checked"]
    assert checked
    for v in checked:
        assert v.tactic == "points" and v.digits == (30, 60) and v.points >= 30


def test_a_step_that_cannot_be_decided_is_undecided_not_refuted() -> None:
    f = sp.Function("f")
    # true, but neither provable by the tactics nor evaluable at a point
    lhs = sp.Derivative(f(x) ** 2, x)
    rhs = 2 * f(x) * sp.Derivative(f(x), x)
    assert judge(lhs, rhs) in ACCEPTED
    status = judge(sp.Integral(f(x), (x, 0, 1)), sp.Integral(f(t), (t, 0, 1)) + 0 * x)
    assert status in ACCEPTED | {"undecided"}


def test_a_step_after_a_refuted_one_says_so() -> None:
    d = Derivation("trust", "trust", text(), [
        Step(x, 2 * x, text("wrong")),
        Step(x, 2 * x + 0, text("fine given the last"))])
    verify(d)
    assert d.steps[0].verdict.status == "refuted"  # type: ignore[union-attr]
    assert "wrong premise" in d.steps[1].verdict.method  # type: ignore[union-attr]


def test_an_unverified_step_fails_with_one_line_naming_step_and_expressions() -> None:
    d = Derivation("my-derivation", "t", text(), [
        Step(sigmoid(z), 1 / (1 + sp.exp(-z)), text("definition"), kind="given"),
        Step(sp.Derivative(sigmoid(z), z), sigmoid(z) ** 2, text("a slip"))])
    verify(d)
    with pytest.raises(RefutedStepError) as caught:
        ensure_sound(d)
    message = str(caught.value)
    assert "\n" not in message
    assert "my-derivation: step 2" in message and "sigmoid(z)**2" in message
    assert caught.value.exit_code == 2
