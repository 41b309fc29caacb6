"""Mutation testing (bench/mutants.py): a seeded sample of the library's mutants passes the
verifier only where the independent judge finds them harmless; the judge itself is right on
hand-made cases and uses none of the verifier's code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sympy as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import mutants  # noqa: E402
from mutant_judge import Judge  # noqa: E402

from derive.functions import sigmoid  # noqa: E402
from derive.proof import Derivation, Step  # noqa: E402

SAMPLE = 30          # mutants of the whole library, chosen with a fixed seed
SAMPLE_TIMEOUT = 5   # seconds per verification in the sample (a timeout is no acceptance)

n = sp.Symbol("n", integer=True, positive=True)
j, k, m = sp.symbols("j k m", integer=True)
x = sp.IndexedBase("x", real=True)
z, c, t = sp.symbols("z c t", real=True)
S = sp.Symbol("S", real=True)
f = sp.Function("f", real=True)


def _derivation(*steps: Step) -> Derivation:
    return Derivation(name="judge-cases", title="", summary=(), steps=list(steps),
                      sizes={n: (1, 2, 3)}, indices={j: (1, n)})


DELTA_SUM = sp.Sum(x[k] * sp.KroneckerDelta(k, j), (k, 1, n))


def test_the_judge_finds_a_wrong_mutant_wrong() -> None:
    judge = Judge(_derivation(Step(S, DELTA_SUM, ("",)), Step(S, x[j], ("",))))
    assert judge.original(1).verdict == "harmless"
    assert judge.mutant(1, x[j] + 1).verdict == "wrong"
    assert judge.mutant(1, -x[j]).verdict == "wrong"
    # wrong only at the top of j's range: the judge tries the ends of every range
    assert judge.mutant(0, sp.Sum(x[k] * sp.KroneckerDelta(k, j), (k, 1, n - 1))).verdict \
        == "wrong"


def test_the_judge_finds_harmless_mutants_harmless() -> None:
    judge = Judge(_derivation(Step(S, DELTA_SUM, ("",))))
    renamed = sp.Sum(x[m] * sp.KroneckerDelta(m, j), (m, 1, n))   # a renamed dummy
    symmetric = sp.Sum(x[k] * sp.KroneckerDelta(j, k), (k, 1, n))  # a symmetric swap
    below = sp.Sum(x[k] * sp.KroneckerDelta(k, j), (k, 0, n))      # j >= 1: k = 0 adds 0
    for mutant in (renamed, symmetric, below):
        assert judge.mutant(0, mutant).verdict == "harmless", mutant


def test_the_judge_on_derivatives_functions_and_matrices() -> None:
    lhs = sp.Derivative(sigmoid(z) + c, z)
    judge = Judge(_derivation(Step(lhs, sigmoid(z) * (1 - sigmoid(z)), ("",))))
    assert judge.original(0).verdict == "harmless"
    assert judge.mutant(0, sigmoid(z)).verdict == "wrong"
    assert judge.mutant(0, sp.Derivative(sigmoid(z) - c, z)).verdict == "harmless"
    # an unspecified function is made concrete: its two partial derivatives differ
    judge = Judge(_derivation(Step(S, sp.Derivative(f(z, t), z), ("",))))
    assert judge.mutant(0, sp.Derivative(f(z, t), t)).verdict == "wrong"
    # matrices of symbolic size are written out one size larger than declared
    W = sp.MatrixSymbol("W", n, n)
    judge = Judge(_derivation(Step(sp.MatrixSymbol("A", n, n), W * W.T, ("",))))
    assert judge.mutant(0, (W * W.T).T).verdict == "harmless"
    assert judge.mutant(0, W.T * W).verdict == "wrong"


def test_the_judge_imports_none_of_the_verifier() -> None:
    code = ("import sys; sys.path.insert(0, 'bench'); import mutant_judge; "
            "print(sorted(m for m in sys.modules if m.startswith('derive')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "['derive', 'derive.proof']"


def test_mutants_are_deterministic() -> None:
    def listing() -> list[tuple[int, str, str, str]]:
        p = mutants.plan(["softmax-jacobian"])
        return [(mu.step, mu.kind, mu.change, sp.srepr(mu.rhs)) for mu in p.mutants]

    first = listing()
    assert first and first == listing()
    assert {kind for _, kind, _, _ in first} >= {"sign", "dropped factor", "delta"}


def test_a_sample_of_mutants_has_no_false_acceptance() -> None:
    p = mutants.plan(sample=SAMPLE, timeout=SAMPLE_TIMEOUT)
    records = mutants.run(p, jobs=2)
    assert sum(not r["original"] for r in records) == SAMPLE
    accepted = [r for r in records if mutants.false_acceptance(r)]
    assert not accepted, "\n".join(
        f"{r['derivation']} step {r['step']} [{r['kind']}] {r['change']}: {r['rhs']} is "
        f"{r['status']} ({r['method']}); judge: {r['judge_detail']}" for r in accepted)
