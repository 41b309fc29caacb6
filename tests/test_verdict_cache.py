"""The verdict cache (derive/verdict_cache.py) saves work, never certifies: a forged entry,
signed or not, puts no mark on a wrong step; an honest one is reused; the key covers every
module the verifier runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy as sp

from derive.library.logistic import bce_gradient, sigmoid_from_log_odds
from derive.proof import Derivation
from derive.verdict_cache import (
    VERIFIER_SOURCES,
    _signature,
    load_verdicts,
    store_verdicts,
    verify_cached,
)
from derive.verify import verify
from tests.mutation import mutated


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
    first = verify_cached(_wrong_bce(), tmp_path)
    assert first.steps[8].verdict.status == "refuted"  # type: ignore[union-attr]
    (entry,) = tmp_path.glob("*.json")
    stored = json.loads(entry.read_text())
    stored["steps"][8]["status"] = forged
    entry.write_text(json.dumps(stored))
    again = verify_cached(_wrong_bce(), tmp_path)
    assert again.steps[8].verdict.status == "refuted"  # type: ignore[union-attr]
    assert sum(again.tally().values()) == len(again.checked_steps)


def test_a_forged_entry_signed_with_the_key_is_still_reconfirmed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the signature stops an edit by hand; the re-confirmation stops one made with the key
    verify_cached(_wrong_bce(), tmp_path)
    (entry,) = tmp_path.glob("*.json")
    stored = json.loads(entry.read_text())
    stored["steps"][8]["status"] = "proved"
    del stored["signature"]
    stored["signature"] = _signature(_wrong_bce(), stored)
    entry.write_text(json.dumps(stored))
    assert verify_cached(_wrong_bce(), tmp_path).steps[8].verdict.status == "refuted"  # type: ignore[union-attr]


def test_an_honest_cache_entry_is_reused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    d = bce_gradient.unverified()  # type: ignore[attr-defined]
    verify(d)
    store_verdicts(d, tmp_path)
    fresh = bce_gradient.unverified()  # type: ignore[attr-defined]
    assert load_verdicts(fresh, tmp_path)
    assert [s.verdict for s in fresh.steps] == [s.verdict for s in d.steps]


def test_verdict_cache_reuses_identical_verdicts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = verify_cached(sigmoid_from_log_odds.unverified(), tmp_path)  # type: ignore[attr-defined]
    assert len(list(tmp_path.glob("*.json"))) == 1
    second = verify_cached(sigmoid_from_log_odds.unverified(), tmp_path)  # type: ignore[attr-defined]
    assert [s.verdict for s in first.steps] == [s.verdict for s in second.steps]
    changed = mutated(sigmoid_from_log_odds, 8, lambda r: 1 / (1 + sp.exp(r)))
    assert verify_cached(changed, tmp_path).steps[8].verdict.status == "refuted"  # type: ignore[union-attr]


def test_the_verdict_cache_key_covers_every_module_the_verifier_runs() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, derive.verify; "
         "print(' '.join(m for m in sys.modules if m.startswith('derive.')))"],
        capture_output=True, text=True, check=True).stdout.split()
    assert "derive.verify" in loaded and "derive.tactics" in loaded
    data_only = {"derive.errors", "derive.proof"}   # exceptions and plain dataclasses
    for module in set(loaded) - data_only:
        assert module.removeprefix("derive.") + ".py" in VERIFIER_SOURCES, module


def _logistic(scale: int) -> type:
    """A user's own sigmoid-like function: its derivative rule says σ(1 − σ) whatever the
    scale its elementary form has (right only for scale 1)."""
    from derive.functions import _Elementary

    class usersig(_Elementary):  # noqa: N801
        nargs = 1

        def fdiff(self, argindex: int = 1) -> sp.Expr:
            return usersig(self.args[0]) * (1 - usersig(self.args[0]))

        def _elementary(self) -> sp.Expr:
            return 1 / (1 + sp.exp(-scale * self.args[0]))

    return usersig


def test_a_cached_mark_is_not_reused_once_a_function_it_uses_is_redefined(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The step's text is unchanged, but the function it uses now means something else: the
    # fresh verdict is an error (its derivative rule disagrees with its meaning; once a
    # refutation by finite differences), and the cache must not keep the old mark (it did:
    # srepr holds no function's code).
    from derive.proof import Step, text

    x = sp.Symbol("x", real=True)

    def build(f: type) -> Derivation:
        return Derivation("user-function", "t", text(), [
            Step(sp.Derivative(f(x), x), f(x) * (1 - f(x)), text("the derivative rule"))])

    from derive.errors import DomainError

    right, wrong = _logistic(1), _logistic(2)
    assert verify_cached(build(right), tmp_path).steps[0].verdict.status == "proved"  # type: ignore[union-attr]
    # the wrong rule (written with the function itself) is an error before any verdict
    with pytest.raises(DomainError, match="usersig claims the derivative"):
        verify(build(wrong))
    with pytest.raises(DomainError, match="usersig claims the derivative"):
        verify_cached(build(wrong), tmp_path)
    assert verify_cached(build(_logistic(1)), tmp_path).steps[0].verdict.status == "proved"  # type: ignore[union-attr]


def test_a_forged_mark_on_a_step_off_by_1e_12_is_not_reconfirmed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the re-confirmation once compared in machine floats (agreement within 1e-9), so a
    # signed entry marking exp(x) = exp(x)(1 + 1e-12) proved was kept
    from derive.proof import Step, text

    x = sp.Symbol("x", real=True)

    def build(rhs: sp.Expr) -> Derivation:
        return Derivation("forged-tiny", "t", text(), [Step(sp.exp(x), rhs, text("claim"))],
                          domains={x: (-1.0, 1.0)})

    wrong = sp.exp(x) * (1 + sp.Rational(1, 10**12))
    assert verify_cached(build(wrong), tmp_path).steps[0].verdict.status == "refuted"  # type: ignore[union-attr]
    (entry,) = tmp_path.glob("*.json")
    stored = json.loads(entry.read_text())
    stored["steps"][0].update(status="proved", method="forged", counterexample=None)
    del stored["signature"]
    stored["signature"] = _signature(build(wrong), stored)
    entry.write_text(json.dumps(stored))
    assert verify_cached(build(wrong), tmp_path).steps[0].verdict.status == "refuted"  # type: ignore[union-attr]
    right = sp.exp(x) * (1 + sp.Rational(1, 10**12)) - sp.exp(x) / 10**12
    assert verify_cached(build(right), tmp_path).steps[0].verdict.status == "proved"  # type: ignore[union-attr]
    assert verify_cached(build(right), tmp_path).steps[0].verdict.status == "proved"  # type: ignore[union-attr]


def test_the_parallel_batch_reconfirms_signed_entries_before_it_keeps_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the pipeline fills in signed entries and leaves their re-confirmation to the batch
    from derive.batch import verify_all
    from derive.proof import Step, text
    from derive.verdict_cache import signed_verdicts

    x = sp.Symbol("x", real=True)

    def build(name: str, rhs: sp.Expr) -> Derivation:
        return Derivation(name, "t", text(), [Step(sp.exp(x), rhs, text("claim"))],
                          domains={x: (-1.0, 1.0)})

    wrong = sp.exp(x) * (1 + sp.Rational(1, 10**12))
    verify_cached(build("forged-a", wrong), tmp_path)
    verify_cached(build("honest-b", sp.exp(x)), tmp_path)
    entry = next(p for p in tmp_path.glob("*.json") if "refuted" in p.read_text())
    stored = json.loads(entry.read_text())
    stored["steps"][0].update(status="proved", method="forged", counterexample=None)
    del stored["signature"]
    stored["signature"] = _signature(build("forged-a", wrong), stored)
    entry.write_text(json.dumps(stored))
    forged, honest = build("forged-a", wrong), build("honest-b", sp.exp(x))
    assert signed_verdicts(forged, tmp_path) and signed_verdicts(honest, tmp_path)
    assert forged.steps[0].verdict.status == "proved"  # type: ignore[union-attr]
    afresh = verify_all([forged, honest], workers=2)
    assert [d.name for d in afresh] == ["forged-a"]
    assert forged.steps[0].verdict.status == "refuted"  # type: ignore[union-attr]
    assert honest.steps[0].verdict.status == "proved"  # type: ignore[union-attr]


def test_a_forged_mark_on_a_sum_right_at_the_smallest_size_only_is_refuted(  # type: ignore[no-untyped-def]
        tmp_path) -> None:
    # sum_{i=1}^{K} x_i = K x_1 holds at K = 1 only: re-confirming at the smallest size
    # alone would keep a forged mark on it
    from derive.proof import Step, text

    K = sp.Symbol("K", integer=True, positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    xs = sp.IndexedBase("x", real=True)

    def build() -> Derivation:
        return Derivation("forged-sum", "t", text(),
                          [Step(sp.Sum(xs[i], (i, 1, K)), K * xs[1], text("claim"))],
                          domains={xs: (-1.0, 1.0)}, sizes={K: (1, 4)})

    assert verify_cached(build(), tmp_path).steps[0].verdict.status == "refuted"  # type: ignore[union-attr]
    (entry,) = tmp_path.glob("*.json")
    stored = json.loads(entry.read_text())
    stored["steps"][0].update(status="checked", method="forged", counterexample=None)
    del stored["signature"]
    stored["signature"] = _signature(build(), stored)
    entry.write_text(json.dumps(stored))
    assert verify_cached(build(), tmp_path).steps[0].verdict.status == "refuted"  # type: ignore[union-attr]


_KEYS_SCRIPT = """
from derive.registry import BUILDERS, names
from derive.verdict_cache import verdict_key
names()
for name in sorted(BUILDERS):
    print(name, verdict_key(BUILDERS[name]()))
"""


def test_every_derivation_has_the_same_key_in_every_process() -> None:
    """A key that changes from run to run (an object's address in it: a ``_latex`` printer
    given to ``sp.Function`` was one) makes every build verify that derivation afresh."""
    import os
    runs = [subprocess.run([sys.executable, "-c", _KEYS_SCRIPT], capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed})
            .stdout for seed in ("1", "2")]
    first, second = (dict(line.split() for line in run.splitlines()) for run in runs)
    assert len(first) >= 30
    assert {n for n in first if first[n] != second[n]} == set()
