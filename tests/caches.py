"""Emptying derive's caches, for tests that change a rule (a derivative taught wrongly) and
must not leave results computed with it behind; and turning off the verifier's own check of
such a rule, for tests of the defences behind it."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator

import pytest
import sympy as sp


def clear_caches() -> None:
    """Empty every functools cache of derive's modules, and SymPy's cache."""
    sp.core.cache.clear_cache()
    for name, module in list(sys.modules.items()):
        if name == "derive" or name.startswith("derive."):
            for value in list(vars(module).values()):
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()


@contextlib.contextmanager
def fdiff_check_off() -> Iterator[None]:
    """Turn off the verifier's first defence against a wrong derivative rule (each function's
    fdiff checked against its meaning, derive.function_rules.check_function_derivatives), so that a
    test can see the second: finite differences and the independent oracles."""
    import derive.function_rules

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(derive.function_rules, "_derivative_disagreement", lambda cls, used=(): None)
        yield
