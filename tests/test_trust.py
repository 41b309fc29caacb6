"""Issue 17: every way the verifier was seen to accept a wrong step, and a few like each.

A wrong step must come out refuted or undecided, never proved or checked; the true steps
next to them must still be proved or checked.
"""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import DomainError
from derive.functions import relu, sigmoid, softmax
from derive.proof import Derivation, Step, text
from derive.verify import verify
from tests.caches import clear_caches

ACCEPTED = {"proved", "checked"}
REJECTED = {"refuted", "undecided"}

x, y, z, t = sp.symbols("x y z t", real=True)
j, k, i = sp.symbols("j k i", integer=True)
n, N, K = sp.symbols("n N K", integer=True, positive=True)
theta, xs = sp.IndexedBase("theta", real=True), sp.IndexedBase("x", real=True)


def judge(lhs: sp.Expr, rhs: sp.Expr, where: sp.Basic | None = None,
          **context: object) -> str:
    """The status of the one step lhs = rhs in a derivation with the given context."""
    d = Derivation("trust", "trust", text(), [Step(lhs, rhs, text("claim"), where=where)],
                   **context)  # type: ignore[arg-type]
    return str(verify(d).steps[0].verdict.status)  # type: ignore[union-attr]


def judge_implication(premise: sp.Eq, conclusion: sp.Eq, eliminate: sp.Symbol,
                      **context: object) -> str:
    d = Derivation("trust", "trust", text(), [
        Step(premise.lhs, premise.rhs, text("premise"), kind="given"),
        Step(conclusion.lhs, conclusion.rhs, text("claim"), kind="implies",
             eliminate=eliminate)], **context)
    return str(verify(d).steps[1].verdict.status)  # type: ignore[union-attr]


# --- 1. Kronecker-delta collapse -----------------------------------------------------------

def test_delta_collapse_outside_the_range_is_not_proved() -> None:
    lhs = sp.Sum(theta[k] * sp.KroneckerDelta(k, j), (k, 1, n))
    ctx = {"indices": {j: (0, n)}, "sizes": {n: (2, 3)}}
    assert judge(lhs, theta[j], **ctx) in REJECTED
    assert judge(lhs, theta[j], indices={j: (1, n)}, sizes={n: (2, 3)}) in ACCEPTED


def test_delta_collapse_without_concrete_sizes_is_not_proved() -> None:
    lhs = sp.Sum(theta[k] * sp.KroneckerDelta(k, j), (k, 1, n))
    assert judge(lhs, theta[j], indices={j: (0, n)}) in REJECTED
    assert judge(lhs, theta[j], indices={j: (1, n)}) in ACCEPTED


def test_a_lowered_upper_bound_is_refuted() -> None:
    lhs = sp.Sum(xs[k] * sp.KroneckerDelta(j, k), (k, 1, N - 1))
    assert judge(lhs, xs[j], indices={j: (1, N)}, sizes={N: (2, 3)}) in REJECTED


@pytest.mark.parametrize(("delta", "rhs", "ok"), [
    (sp.KroneckerDelta(j, k + 1), xs[j], False),
    (sp.KroneckerDelta(j, k + 1), xs[j - 1], True),
    (sp.KroneckerDelta(j, 2 * k), xs[j], False),
    (sp.KroneckerDelta(k + 1, j), xs[j - 1], True),
])
def test_shifted_and_scaled_delta_arguments(delta: sp.Expr, rhs: sp.Expr, ok: bool) -> None:
    lhs = sp.Sum(delta * xs[k], (k, 0, N - 1))
    verdict = judge(lhs, rhs, indices={j: (1, N)}, sizes={N: (2, 3, 4)})
    assert verdict in (ACCEPTED if ok else REJECTED)


# --- 2. implications ------------------------------------------------------------------------

@pytest.mark.parametrize(("premise", "conclusion", "var"), [
    (sp.Eq(x**2, 4), sp.Eq(x, -2), x),
    (sp.Eq(relu(x), 0), sp.Eq(x, 0), x),
    (sp.Eq(x * y, 0), sp.Eq(x, 0), x),
    (sp.Eq(sp.tan(t), 1), sp.Eq(t, sp.pi / 4), t),
])
def test_implications_check_every_solution(premise: sp.Eq, conclusion: sp.Eq,
                                           var: sp.Symbol) -> None:
    assert judge_implication(premise, conclusion, var) in REJECTED


def test_true_implications_still_pass() -> None:
    p = sp.Symbol("p", real=True)
    assert judge_implication(sp.Eq(p / (1 - p), sp.exp(t)), sp.Eq(p, sigmoid(t)), p,
                             domains={p: (0.01, 0.99)}) in ACCEPTED
    assert judge_implication(sp.Eq(2 * x + 1, y), sp.Eq(x, (y - 1) / 2), x) in ACCEPTED


def test_an_implication_that_loses_solutions_is_not_an_equivalence() -> None:
    # 2x = 4 implies x**2 = 4, but not conversely: accepted only as a one-way step
    d = Derivation("trust", "trust", text(), [
        Step(2 * x, 4, text("premise"), kind="given"),
        Step(x**2, 4, text("square"), kind="implies", eliminate=x)])
    assert verify(d).steps[1].verdict.status in REJECTED  # type: ignore[union-attr]
    d = Derivation("trust", "trust", text(), [
        Step(2 * x, 4, text("premise"), kind="given"),
        Step(x**2, 4, text("square"), kind="implies", eliminate=x, one_way=True)])
    assert verify(d).steps[1].verdict.status in ACCEPTED  # type: ignore[union-attr]


# --- 3. error control -----------------------------------------------------------------------

@pytest.mark.parametrize(("lhs", "rhs", "domains"), [
    (z, z + sp.Float("1e-20", 40), {}),
    (10**20 * z, (10**20 + 1) * z, {}),
    ((10**40 + z) - 10**40 + sp.Float("1e-15", 40) * z, z, {}),
    (sigmoid(z), sp.S.One, {z: (50.0, 100.0)}),
    (sp.Heaviside(z, 0), sp.Heaviside(z, 1), {}),
    (sp.Min(z, 1.95), z, {}),
    (relu(z), z, {z: (-0.001, 2.0)}),
    (sp.Max(x, y), x, {x: (0.0, 1.0), y: (-1.0, 0.001)}),
])
def test_near_misses_are_refuted(lhs: sp.Expr, rhs: sp.Expr,
                                 domains: dict[sp.Symbol, tuple[float, float]]) -> None:
    assert judge(lhs, rhs, domains=domains) in REJECTED


def test_a_cancellation_that_is_true_is_still_accepted() -> None:
    big = sp.Integer(10) ** 40
    assert judge((big + sp.exp(z)) - big, sp.exp(z)) in ACCEPTED


def test_one_wrong_entry_of_a_softmax_jacobian_is_found() -> None:
    # the Jacobian written out for K = 6: one entry of 36 is wrong
    zs = sp.symbols("z1:7", real=True)
    jacobian = sp.ImmutableMatrix(6, 6, lambda r, c: sp.Derivative(softmax(r + 1, *zs), zs[c]))
    true = sp.ImmutableMatrix(6, 6, lambda r, c: softmax(r + 1, *zs) * (
        sp.KroneckerDelta(r, c) - softmax(c + 1, *zs)))
    wrong = true + sp.ImmutableMatrix(6, 6, lambda r, c: sp.Rational(1, 7) if (r, c) == (4, 1)
                                      else 0)
    assert judge(jacobian, true) in ACCEPTED
    assert judge(jacobian, wrong) in REJECTED


def test_an_identity_true_only_for_small_sizes_is_refuted() -> None:
    # Sum_{k=1}^{K} k = K (K + 1) / 2 is true; K (K + 1) / 2 + (K-1)(K-2)(K-3) is true for K <= 3
    lhs = sp.Sum(k, (k, 1, K))
    wrong = K * (K + 1) / 2 + (K - 1) * (K - 2) * (K - 3)
    assert judge(lhs, wrong, sizes={K: (1, 2, 3)}) in REJECTED


# --- 4. domains and assumptions ------------------------------------------------------------

def test_assumptions_and_domains_must_agree() -> None:
    xp = sp.Symbol("x", positive=True)
    with pytest.raises(DomainError, match="positive"):
        judge(sp.sqrt(xp**2), xp, domains={xp: (-3.0, 3.0)})


def test_integer_sizes_are_exact_in_numeric_code() -> None:
    # the population variance identity (1/K) Sum (x_k - mean)^2 = (1/K) Sum x_k^2 - mean^2
    mean = sp.Sum(xs[k], (k, 1, K)) / K
    lhs = sp.Sum((xs[k] - mean) ** 2, (k, 1, K)) / K
    rhs = sp.Sum(xs[k] ** 2, (k, 1, K)) / K - mean**2
    assert judge(lhs, rhs, sizes={K: (2, 3)}) in ACCEPTED


def test_default_domains_follow_the_assumptions() -> None:
    u = sp.Symbol("u", nonnegative=True)
    assert judge(sp.sqrt(u**2), u) in ACCEPTED
    assert judge(sp.Abs(u), -u) in REJECTED


# --- 6. non-verdicts ------------------------------------------------------------------------

def test_a_step_that_cannot_be_decided_is_undecided_not_refuted() -> None:
    f = sp.Function("f")
    # true, but neither provable by the tactics nor evaluable at a point
    lhs = sp.Derivative(f(x) ** 2, x)
    rhs = 2 * f(x) * sp.Derivative(f(x), x)
    assert judge(lhs, rhs) in ACCEPTED
    status = judge(sp.Integral(f(x), (x, 0, 1)), sp.Integral(f(t), (t, 0, 1)) + 0 * x)
    assert status in ACCEPTED | {"undecided"}


def test_primed_symbol_names_do_not_crash_the_sampler() -> None:
    jp = sp.Symbol("j'", real=True)
    assert judge(sigmoid(jp) + sigmoid(-jp), sp.S.One) in ACCEPTED
    assert judge(sigmoid(jp), sp.S.One) in REJECTED


def test_a_step_after_a_refuted_one_says_so() -> None:
    d = Derivation("trust", "trust", text(), [
        Step(x, 2 * x, text("wrong")),
        Step(x, 2 * x + 0, text("fine given the last"))])
    verify(d)
    assert d.steps[0].verdict.status == "refuted"  # type: ignore[union-attr]
    assert "wrong premise" in d.steps[1].verdict.method  # type: ignore[union-attr]


# --- the verdict cache saves work, never certifies ----------------------------------------

def _wrong_bce(step: int = 8) -> Derivation:
    """bce-gradient with step ``step`` doubled, not yet verified."""
    import dataclasses

    from derive.library.logistic import bce_gradient
    d = bce_gradient.unverified()  # type: ignore[attr-defined]
    steps = list(d.steps)
    steps[step] = dataclasses.replace(steps[step], rhs=2 * steps[step].rhs)
    return dataclasses.replace(d, steps=steps)


@pytest.mark.parametrize("forged", ["proved", "checked", "maybe"])
def test_a_forged_cache_entry_puts_no_mark_on_a_wrong_step(tmp_path, forged: str) -> None:  # type: ignore[no-untyped-def]
    import json

    from derive.verdict_cache import verify_cached
    first = verify_cached(_wrong_bce(), tmp_path)
    assert first.steps[8].verdict.status == "refuted"  # type: ignore[union-attr]
    (entry,) = tmp_path.glob("*.json")
    stored = json.loads(entry.read_text())
    stored["steps"][8]["status"] = forged
    entry.write_text(json.dumps(stored))
    again = verify_cached(_wrong_bce(), tmp_path)
    assert again.steps[8].verdict.status == "refuted"  # type: ignore[union-attr]
    assert sum(again.tally().values()) == len(again.checked_steps)


def test_an_honest_cache_entry_is_reused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from derive.library.logistic import bce_gradient
    from derive.verdict_cache import load_verdicts, store_verdicts
    d = bce_gradient.unverified()  # type: ignore[attr-defined]
    verify(d)
    store_verdicts(d, tmp_path)
    fresh = bce_gradient.unverified()  # type: ignore[attr-defined]
    assert load_verdicts(fresh, tmp_path)
    assert [s.verdict for s in fresh.steps] == [s.verdict for s in d.steps]


def test_an_unknown_status_never_vanishes_from_the_tally() -> None:
    from derive.proof import Verdict
    d = Derivation("trust", "trust", text(), [Step(x, x, text("claim"))])
    d.steps[0].verdict = Verdict("maybe", "forged")  # type: ignore[arg-type]
    assert d.tally()["undecided"] == 1


# --- 5. a result is compared with finite differences, which use no differentiation code ---

def test_a_broken_derivative_rule_is_caught_by_finite_differences(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # sigma' wrongly taught as sigma: the symbolic tactics and the numeric evidence both use
    # the rule, so only the finite differences can tell
    monkeypatch.setattr(sigmoid, "fdiff", lambda self, argindex=1: sigmoid(self.args[0]))
    clear_caches()
    try:
        assert judge(sp.Derivative(sigmoid(z), z), sigmoid(z)) == "refuted"
        theta_ = sp.IndexedBase("theta", real=True)
        loss = sp.Sum(sp.log(sigmoid(theta_[k] * xs[k])), (k, 1, K))
        wrong = sigmoid(theta_[j] * xs[j]) * xs[j] / sigmoid(theta_[j] * xs[j])
        status = judge(sp.Derivative(loss, theta_[j]), wrong, indices={j: (1, K)},
                       sizes={K: (2, 3)})
        assert status == "refuted"
    finally:
        monkeypatch.undo()
        clear_caches()


def test_a_true_result_agrees_with_finite_differences() -> None:
    d = Derivation("trust", "trust", text(), [
        Step(sp.Derivative(sp.log(sigmoid(z)), z), 1 - sigmoid(z), text("claim"))])
    verdict = verify(d).steps[0].verdict
    assert verdict is not None and verdict.status == "proved"
    assert "finite differences" in verdict.method


# --- bad input: one line naming the derivation, the step and its expressions -------------

def test_an_unverified_step_fails_with_one_line_naming_step_and_expressions() -> None:
    from derive.errors import RefutedStepError
    from derive.verify import ensure_sound
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


def test_a_contradictory_domain_is_a_one_line_error_with_exit_status_2() -> None:
    xp = sp.Symbol("x", positive=True)
    d = Derivation("my-derivation", "t", text(), [Step(xp, xp, text("claim"))],
                   domains={xp: (-1.0, 1.0)})
    with pytest.raises(DomainError) as caught:
        verify(d)
    assert "my-derivation" in str(caught.value) and caught.value.exit_code == 2


def test_swapped_indices_of_an_array_are_refuted_at_every_kind_of_point() -> None:
    # edge points must not make arrays constant (and so symmetric)
    w = sp.IndexedBase("w", real=True)
    lhs = sp.Sum(w[k, j] * xs[k], (k, 1, N))
    assert judge(lhs, sp.Sum(w[j, k] * xs[k], (k, 1, N)), indices={j: (1, N)},
                 sizes={N: (2, 3)}) == "refuted"


# --- found by the red team (a reviewer attacking the verifier with its code at hand) -------

@pytest.mark.parametrize(("premise", "conclusion"), [
    (sp.Eq(x * theta[1], 0), sp.Eq(x, 0)),
    (sp.Eq(x * theta[1], theta[1] * y), sp.Eq(x, y)),
    (sp.Eq(x * (y - sp.cos(y)), 0), sp.Eq(x, 0)),
    (sp.Eq(x * sp.Function("f")(y), 0), sp.Eq(x, 0)),
])
def test_an_implication_cannot_drop_solutions_of_degenerate_parameters(
        premise: sp.Eq, conclusion: sp.Eq) -> None:
    assert judge_implication(premise, conclusion, x) in REJECTED


def test_candidate_solutions_are_judged_only_inside_the_domain() -> None:
    xp = sp.Symbol("x", positive=True)
    assert judge_implication(sp.Eq(xp**2, y), sp.Eq(xp, sp.sqrt(y)), xp,
                             domains={y: (0.1, 4.0)}) in ACCEPTED
    assert judge_implication(sp.Eq(x**2, 4), sp.Eq(x, 2), x, domains={x: (0.0, 3.0)}) \
        in ACCEPTED


def test_a_delta_collapse_never_captures_a_bound_index() -> None:
    w = sp.IndexedBase("w", real=True)
    m = sp.Symbol("m", integer=True)
    lhs = sp.Sum(sp.KroneckerDelta(k, j) * sp.Sum(xs[j] * w[k, j], (j, 1, N)), (k, 1, N))
    assert judge(lhs, sp.Sum(xs[m] * w[m, m], (m, 1, N)), indices={j: (1, N)}) in REJECTED


def test_equalities_of_an_index_are_not_decided_by_the_ends_of_its_range() -> None:
    assert judge(sp.Piecewise((xs[j], sp.Eq(j, 2)), (0, True)), sp.S.Zero,
                 indices={j: (1, 3)}) in REJECTED
    assert judge(sp.Piecewise((xs[j], sp.Ne(j, 2)), (0, True)), xs[j],
                 indices={j: (1, 3)}) in REJECTED


def test_an_exponential_of_a_complex_argument_is_not_taken_positive() -> None:
    e = sp.exp(sp.I * y) + sp.exp(-sp.I * y)
    assert judge(sp.Abs(e) * sp.Function("f")(y), e * sp.Function("f")(y)) in REJECTED


def test_two_summation_variables_with_one_name_are_two_loops() -> None:
    k1, k2 = sp.Symbol("k", integer=True), sp.Symbol("k")
    ys = sp.IndexedBase("y", real=True)
    lhs = sp.Sum(sp.Sum(xs[k1] * ys[k2], (k2, 1, N)), (k1, 1, N))
    true = sp.Sum(xs[k1], (k1, 1, N)) * sp.Sum(ys[k1], (k1, 1, N))
    same = sp.Sum(xs[k1] * ys[k1], (k1, 1, N))
    assert judge(lhs, true, sizes={N: (2, 3)}) in ACCEPTED
    assert judge(lhs, N * same + (N - 3) * (N - 5) / 3 * (true - N * same),
                 sizes={N: (2, 3)}) in REJECTED


def test_breakpoints_inside_and_conditions_are_visited() -> None:
    narrow = sp.And(x > sp.Rational(1, 2), x < sp.Rational(5001, 10000))
    assert judge(sp.Piecewise((1, narrow), (0, True)), sp.S.Zero) in REJECTED


def test_cancellation_beyond_sixty_digits_is_resolved() -> None:
    from derive.proof import written_sum
    big = sp.Integer(10) ** 70
    assert judge(written_sum(big, x, -big), x) in ACCEPTED
    assert judge(written_sum(big, x, -big), sp.S.Zero) in REJECTED
    assert judge(written_sum(sp.exp(x), 1, -sp.exp(x)), sp.S.One,
                 domains={x: (150.0, 200.0)}) in ACCEPTED


def test_where_holds_for_index_notation_too() -> None:
    assert judge(sp.KroneckerDelta(j, k) * xs[j], sp.S.Zero, where=sp.Ne(j, k),
                 indices={j: (1, N), k: (1, N)}, sizes={N: (2, 3)}) in ACCEPTED


def test_finite_differences_allow_for_a_large_constant() -> None:
    assert judge(sp.Derivative(z + 10**25, z), sp.S.One) in ACCEPTED


def test_a_forged_entry_signed_with_the_key_is_still_reconfirmed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the signature stops an edit by hand; the re-confirmation stops one made with the key
    import json

    from derive.verdict_cache import _signature, verify_cached
    verify_cached(_wrong_bce(), tmp_path)
    (entry,) = tmp_path.glob("*.json")
    stored = json.loads(entry.read_text())
    stored["steps"][8]["status"] = "proved"
    del stored["signature"]
    stored["signature"] = _signature(_wrong_bce(), stored)
    entry.write_text(json.dumps(stored))
    assert verify_cached(_wrong_bce(), tmp_path).steps[8].verdict.status == "refuted"  # type: ignore[union-attr]


def test_index_notation_without_declared_sizes_is_still_checked_at_sizes() -> None:
    # the sizes are inferred (positive integers bounding a sum); a wrong collapse is caught
    lhs = sp.Sum(sp.KroneckerDelta(k, j) * sp.Sum(xs[i] * theta[k], (i, 1, N)), (k, 1, N))
    good = theta[j] * sp.Sum(xs[i], (i, 1, N))
    assert judge(lhs, good, indices={j: (1, N)}) in ACCEPTED
    assert judge(lhs, good + theta[j] * xs[N] * (N - 1) * (N - 2) * (N - 3) / 10**6,
                 indices={j: (1, N)}) in REJECTED


def test_a_wrong_step_about_unspecified_functions_is_refuted_with_a_particular_one() -> None:
    f = sp.Function("f")
    lhs = sp.Derivative(sp.Sum(f(xs[k]), (k, 1, N)), xs[j])
    true = sp.Subs(sp.Derivative(f(t), t), t, xs[j])
    assert judge(lhs, true, indices={j: (1, N)}, sizes={N: (1, 2)}) in ACCEPTED
    assert judge(lhs, 2 * true, indices={j: (1, N)}, sizes={N: (1, 2)}) == "refuted"
