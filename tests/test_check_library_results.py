"""derive check compares a solution's final result with derive's own verified derivation of
the problem it names (derive/check/library_results.py): bce-gradient for A13/A14."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from derive.check.checker import check_file
from derive.check.library_results import EX, H, M, X, Y, canonical, library_result, scale_of
from derive.check.notation import Notation
from derive.check.parser import parse

DATA = Path(__file__).parent / "data" / "check-library"
WRONG = {"l1-A14-sign-twice.md": [13], "l2-A14-right.md": [],
         "l3-A14-chain-no-mean.md": [8], "l4-A14-log-likelihood.md": [9],
         "l5-A14-controls.md": [20], "l6-A8-sigma-as-value.md": [16],
         "l7-A8-no-definition.md": [8, 12], "l8-A18-softmax-opaque.md": [16]}
RIGHT = {"l2-A14-right.md": [8], "l4-A14-log-likelihood.md": [7, 8, 10],
         "l5-A14-controls.md": [8], "l6-A8-sigma-as-value.md": [8, 12],
         "l7-A8-no-definition.md": [14, 15], "l8-A18-softmax-opaque.md": [8, 12]}


def results(name: str) -> dict[int, str]:
    report = check_file(DATA / name)
    return {f.line: f.verdict for f in report.findings if f.kind == "result"}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_wrong_final_result_is_caught_and_a_right_one_shown(name: str) -> None:
    found = results(name)
    assert sorted(k for k, v in found.items() if v == "wrong") == [
        k for k in WRONG[name] if k in found]
    assert all(found.get(k) == "correct" for k in RIGHT.get(name, []))
    report = check_file(DATA / name)
    assert sorted(f.line for f in report.findings if f.verdict == "wrong") == WRONG[name]


def _result_verdicts(tmp_path: Path, text: str) -> list[str]:
    """The verdicts of the ``result`` findings of a solution written to a file."""
    path = tmp_path / "s.md"
    path.write_text(text)
    return [f.verdict for f in check_file(path).findings if f.kind == "result"]


def test_the_derivation_result_is_read_in_canonical_symbols() -> None:
    result = library_result("A14")
    assert result is not None and result.name == "bce-gradient"
    assert sp.simplify(result.gradient - sp.Sum((H[EX] - Y[EX]) * X[EX], (EX, 1, M)).doit()) == 0
    assert library_result("C3") is None


def test_the_text_cost_is_read_as_a_multiple_of_the_derivations() -> None:
    cost = library_result("A14").cost
    notation = Notation()
    mean = canonical(parse(r"-\frac{1}{m}\sum_{i=1}^m \left[y^{(i)}\log h^{(i)} + "
                           r"(1-y^{(i)})\log(1-h^{(i)})\right]", notation)[0])
    assert scale_of(mean, cost) == (1 / M, False)
    one = canonical(parse(r"-y \log h - (1 - y)\log(1 - h)", notation)[0])
    assert scale_of(one, cost) == (1, True)
    squared = canonical(parse(r"\frac{1}{2}(h - y)^2", notation)[0])
    assert scale_of(squared, cost) is None          # not the cross-entropy: no verdict


def test_no_problem_named_no_comparison(tmp_path: Path) -> None:
    text = (DATA / "l1-A14-sign-twice.md").read_text().replace("problem: A14", "problem: C3")
    text = text.replace("# A14:", "# C3:")
    path = tmp_path / "s.md"
    path.write_text(text)
    assert not [f for f in check_file(path).findings if f.kind == "result"]


def test_a_cost_the_mapping_does_not_read_is_undecided_never_wrong(tmp_path: Path) -> None:
    assert _result_verdicts(tmp_path, "---\nproblem: A14\n---\n"
                    r"$$J = -\sum_{i=1}^m \log \left(h^{(i)}\right)^{y^{(i)}}$$" "\n\n"
                    r"$$\frac{\partial J}{\partial \theta_j} = \sum_{i=1}^m (y^{(i)} - "
                    r"h^{(i)}) x_j^{(i)}$$" "\n") == ["undecided"]


def test_an_h_defined_otherwise_is_not_compared(tmp_path: Path) -> None:
    text = (DATA / "l1-A14-sign-twice.md").read_text().replace(
        r"$h_\theta(x) = \sigma(\theta^\top x)$", r"$h_\theta(x) = \tanh(\theta^\top x)$")
    assert _result_verdicts(tmp_path, text) == ["undecided"]


def test_a_name_without_the_examples_index_inside_a_sum_is_not_read(tmp_path: Path) -> None:
    text = (DATA / "l2-A14-right.md").read_text().replace(
        r"\left(h_\theta(x^{(i)}) - y^{(i)}\right) x_j^{(i)}", r"\left(h - y\right) x_j^{(i)}")
    assert _result_verdicts(tmp_path, text) == ["undecided"]       # sloppy h, y: never wrong


def test_the_derivative_of_the_cost_applied_to_theta_is_read(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_text("---\nproblem: A14\n---\n"
                    r"$$l(\theta) = -\sum_{i=1}^m y^{(i)} \log (h_\theta(x^{(i)})) + "
                    r"(1-y^{(i)}) \log (1-h_\theta(x^{(i)}))$$" "\n\n"
                    r"$$\frac{d l(\theta)}{d \theta} = \sum_{i=1}^m (y^{(i)} - "
                    r"h_\theta(x^{(i)})) x^{(i)}$$" "\n")
    found = [f for f in check_file(path).findings if f.kind == "result"]
    assert [f.verdict for f in found] == ["wrong"]            # d l/dθ written as d/dθ of l(θ)


def test_a_softmax_result_right_in_one_reading_of_the_indices_is_undecided() -> None:
    assert results("l8-A18-softmax-opaque.md")[18] == "undecided"     # p_i(1 − p_j): i = j
