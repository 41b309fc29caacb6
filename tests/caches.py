"""Emptying derive's caches, for tests that change a rule (a derivative taught wrongly) and
must not leave results computed with it behind."""

from __future__ import annotations

import functools
import sys

import sympy as sp


def clear_caches() -> None:
    """Empty every functools cache of derive's modules, and SymPy's cache."""
    sp.core.cache.clear_cache()
    for name, module in list(sys.modules.items()):
        if name == "derive" or name.startswith("derive."):
            for value in list(vars(module).values()):
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()
