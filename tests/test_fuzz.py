"""derive check on malformed and hostile input: no crash, no evaluation of the input text, and
a hard time limit per comparison (hypothesis drives it)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.check.checker import check_document
from derive.check.document import Document, chains
from derive.check.errors import NotUnderstood
from derive.check.judge import SECONDS_PER_COMPARISON
from derive.check.notation import Notation
from derive.check.parser import parse

PIECES = [r"\frac{", "}{", "}", "{", "(", ")", "[", "]", "^", "_", "=", "+", "-", r"\cdot", "x",
          "y", "0.5", "2", r"\sigma", r"\sum_{i=1}^m", r"\log", r"\exp", r"\partial", "d", r"\\",
          "&", r"\begin{bmatrix}", r"\end{bmatrix}", r"\left(", r"\right)", r"\hat{y}", "^{(i)}",
          r"\delta_{ij}", r"\mathbb{1}", "|", "'", "$", "$$", "\n", r"\Rightarrow", "10^{9}",
          "__import__('os')", "eval(", r"\input{/etc/passwd}", "9" * 40, "^{99}"]
formulas = st.lists(st.sampled_from(PIECES), max_size=25).map(" ".join)
documents = st.lists(st.sampled_from(PIECES + [" text ", "$$", "$"]), max_size=60).map("".join)


@pytest.fixture(autouse=True)
def no_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    """SymPy's string parser (which evaluates Python) is never reached from input text."""
    import sympy.parsing.sympy_parser as sympy_parser

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("input text was evaluated")
    monkeypatch.setattr(sympy_parser, "eval_expr", refuse)
    monkeypatch.setattr(sympy_parser, "parse_expr", refuse)


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck),
          database=None, derandomize=True)
@given(formulas | st.text(max_size=80))
def test_the_parser_reads_or_refuses(text: str) -> None:
    try:
        parse(text)
    except NotUnderstood:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck),
          database=None, derandomize=True)
@given(documents)
def test_checking_a_hostile_document_ends_in_time(text: str) -> None:
    start = time.monotonic()
    report = check_document(Document("fuzz.md", {}, chains(text), 1), Notation())
    links = len(report.findings) + report.not_judged
    assert time.monotonic() - start < 5 + links * 3 * SECONDS_PER_COMPARISON
    assert all(f.verdict in ("correct", "wrong", "undecided") for f in report.findings)
