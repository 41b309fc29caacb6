"""The verifier proves, checks and refutes; mutated flagship steps must be refuted."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp
from mutation import mutated, status

from derive.errors import RefutedStepError
from derive.functions import sigmoid
from derive.library.logistic import bce_gradient, sigmoid_from_log_odds
from derive.library.softmax import softmax_jacobian
from derive.models import LogisticRegression
from derive.proof import Derivation, Step, text
from derive.verify import Context, check_equal, ensure_sound, verify

x, y = sp.symbols("x y", real=True)
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


def test_implication_step_is_checked_against_previous_equation() -> None:
    p = sp.Symbol("p", positive=True)
    t = sp.Symbol("t", real=True)
    good = Derivation("demo", "demo", text(""), [
        Step(sp.log(p / (1 - p)), t, text("given"), kind="given"),
        Step(p, sp.exp(t) / (1 + sp.exp(t)), text("solve"), kind="implies", eliminate=t)],
        domains={p: (0.01, 0.99)})
    assert verify(good).steps[1].verdict.status == "proved"  # type: ignore[union-attr]
    bad = dataclasses.replace(good, steps=[good.steps[0], dataclasses.replace(
        good.steps[1], rhs=sp.exp(t) / (2 + sp.exp(t)), verdict=None)])
    assert verify(bad).steps[1].verdict.status == "refuted"  # type: ignore[union-attr]


def test_verdict_cache_reuses_identical_verdicts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from derive.verdict_cache import verify_cached

    first = verify_cached(sigmoid_from_log_odds.unverified(), tmp_path)  # type: ignore[attr-defined]
    assert len(list(tmp_path.glob("*.json"))) == 1
    second = verify_cached(sigmoid_from_log_odds.unverified(), tmp_path)  # type: ignore[attr-defined]
    assert [s.verdict for s in first.steps] == [s.verdict for s in second.steps]
    changed = mutated(sigmoid_from_log_odds, 8, lambda r: 1 / (1 + sp.exp(r)))
    assert verify_cached(changed, tmp_path).steps[8].verdict.status == "refuted"  # type: ignore[union-attr]



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


# --- tactics that must stay sound, and the large-size numeric check ----------------------

K = sp.Symbol("K", integer=True, positive=True)
k, i, j = sp.symbols("k i j", integer=True, positive=True)
zb = sp.IndexedBase("z", real=True)


def test_log_of_a_product_is_split_only_for_positive_factors() -> None:
    from derive.tactics import logs_of_products, reduces_to_zero

    positive = sp.log(sp.Product(sigmoid(zb[k]), (k, 1, K)))
    assert logs_of_products(positive) == sp.Sum(sp.log(sigmoid(zb[k])), (k, 1, K))
    assert reduces_to_zero(positive - sp.Sum(sp.log(sigmoid(zb[k])), (k, 1, K)))
    real = sp.log(sp.Product(zb[k], (k, 1, K)))  # may be negative: log ab != log a + log b
    assert logs_of_products(real) == real
    assert not reduces_to_zero(real - sp.Sum(sp.log(zb[k]), (k, 1, K)))


def test_large_size_check_evaluates_sums_as_loops_and_refutes() -> None:
    from derive.sampling import compare_general_form

    ctx = Context({}, {zb: (-1.0, 1.0)}, {K: (2,)}, {K: 100}, {i: (sp.S.One, K)}, seed=3)
    full, short = sp.Sum(zb[k], (k, 1, K)), sp.Sum(zb[k], (k, 1, K - 1))
    agreed, bad, _ = compare_general_form(full, short + zb[K], ctx, [{K: 100}], points=4)
    assert (agreed, bad) == (4 + 2, None)   # the 4 random points asked for, after both edges
    agreed, bad, at = compare_general_form(full, short, ctx, [{K: 100}], points=4)
    assert bad is not None and at == {K: 100} and "z" in bad


def test_index_of_a_derivative_variable_is_instantiated() -> None:
    # d z_i / d z_j = delta_ij: j occurs only in the derivative's variable
    ctx = Context({}, {}, {K: (2, 3)}, {K: 20}, {i: (sp.S.One, K), j: (sp.S.One, K)}, seed=5)
    assert check_equal(sp.Derivative(zb[i], zb[j]), sp.KroneckerDelta(i, j), ctx).status \
        == "proved"
    assert check_equal(sp.Derivative(zb[i], zb[j]), sp.S.One, ctx).status == "refuted"


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


def test_the_verdict_cache_key_covers_every_module_the_verifier_runs() -> None:
    import subprocess
    import sys

    from derive.verdict_cache import VERIFIER_SOURCES

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, derive.verify; "
         "print(' '.join(m for m in sys.modules if m.startswith('derive.')))"],
        capture_output=True, text=True, check=True).stdout.split()
    data_only = {"derive.errors", "derive.proof"}   # exceptions and plain dataclasses
    for module in set(loaded) - data_only:
        assert module.removeprefix("derive.") + ".py" in VERIFIER_SOURCES, module


def test_costliest_derivations_are_handed_out_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from derive import batch

    monkeypatch.setattr(batch, "expected_costs", lambda: {"cheap": 0.1, "dear": 2.0})
    x = sp.Symbol("x")

    def named(name: str, checks: int) -> Derivation:
        return Derivation(name, name, text(""), [Step(x, x, text("same"))] * checks)

    work = [named("cheap", 9), named("dear", 1), named("new-small", 1), named("new-big", 3)]
    order = [work[d].name for d in batch.costliest_first(work)]
    assert order == ["new-big", "new-small", "dear", "cheap"]   # unknown cost first


def test_the_cost_table_lists_every_derivation() -> None:
    from derive.batch import expected_costs
    from derive.registry import DERIVATIONS, names

    names()
    assert set(expected_costs()) == set(DERIVATIONS), "run `make costs` to measure them again"


def test_a_checked_verdict_says_what_it_covered_as_data() -> None:
    """The renderers phrase a verdict from fields the verifier fills, not from its words."""
    from derive.pipeline import get_derivation

    checked = [s.verdict for s in get_derivation("local-gradients").checked_steps
               if s.verdict is not None and s.verdict.status == "checked"]
    assert checked
    for v in checked:
        assert v.tactic == "points" and v.digits == (30, 60) and v.points >= 30
