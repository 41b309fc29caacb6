"""The pipeline's guarantees about what it hands on: a worked example whose two computations
of one value disagree never reaches a page."""

from __future__ import annotations

import pytest

from derive.errors import DisagreementError
from derive.pipeline import ensure_agreement, get_example
from derive.proof import Comparison, WorkedExample, text


def test_a_worked_example_whose_two_computations_disagree_is_refused() -> None:
    good = get_example("c12-scalar-network")
    assert good.comparisons and ensure_agreement(good) is good
    bad = WorkedExample("bad", "Bad", text("x"), [], comparisons=[
        Comparison(text("dL/dw"), 0.25, 0.25 + 1e-3)])
    with pytest.raises(DisagreementError, match="dL/dw disagrees"):
        ensure_agreement(bad)
    close = WorkedExample("close", "Close", text("x"), [], comparisons=[
        Comparison(text("dL/dw"), 1234.5, 1234.5 + 1e-5)])
    assert ensure_agreement(close) is close
