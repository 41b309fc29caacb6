"""The registry of named derivations and worked examples.

A derivation is a plain function returning a :class:`~derive.proof.Derivation`; decorating it
with :func:`derivation` registers it by name and makes each call return the *verified*
object (built once and cached).  Worked examples register the same way with :func:`example`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from derive.batch import verify_all
from derive.errors import DuplicateNameError, UnknownNameError
from derive.paths import BUILD_DIR
from derive.proof import Derivation, WorkedExample

if TYPE_CHECKING:
    from derive.figure import Figure
from derive.verdict_cache import load_verdicts, store_verdicts
from derive.verify import ensure_sound, refutations

# Verdicts are cached by content (steps, context and the verifier's code), so a rebuild after
# a change elsewhere does not re-verify; DERIVE_CACHE=off turns the cache off.
_CACHE_SETTING = os.environ.get("DERIVE_CACHE", "")
CACHE_DIR: Path | None = (None if _CACHE_SETTING == "off"
                          else Path(_CACHE_SETTING or BUILD_DIR / ".cache" / "verdicts"))

DERIVATIONS: dict[str, Callable[[], Derivation]] = {}
BUILDERS: dict[str, Callable[[], Derivation]] = {}   # the same functions, unverified
_VERIFIED: dict[str, Derivation] = {}
EXAMPLES: dict[str, Callable[[], WorkedExample]] = {}
FIGURES: dict[str, Callable[[], Figure]] = {}

T = TypeVar("T")


def derivation(name: str) -> Callable[[Callable[[], Derivation]], Callable[[], Derivation]]:
    """Register a derivation builder under ``name``; calling it returns the verified result."""

    def register(build: Callable[[], Derivation]) -> Callable[[], Derivation]:
        _ensure_new(DERIVATIONS, BUILDERS.get(name), "derivation", name, build)

        def verified() -> Derivation:
            return verify_library([name])[0]

        verified.__doc__ = build.__doc__
        verified.__name__ = build.__name__
        verified.unverified = build  # type: ignore[attr-defined]
        DERIVATIONS[name] = verified
        BUILDERS[name] = build
        return verified

    return register


def verify_library(wanted: list[str] | None = None) -> list[Derivation]:
    """The verified derivations ``wanted`` (default: all), each built and verified once.

    What is not in the verdict cache is verified in one parallel batch.
    """
    loaded_library()
    wanted = sorted(DERIVATIONS) if wanted is None else wanted
    for name in wanted:
        if name not in DERIVATIONS:
            raise UnknownNameError("derivation", name, sorted(DERIVATIONS))
    built = {name: BUILDERS[name]() for name in wanted if name not in _VERIFIED}
    for name, d in built.items():
        if d.name != name:
            raise ValueError(f"derivation registered as {name!r} is named {d.name!r}")
    todo = [d for d in built.values() if not load_verdicts(d, CACHE_DIR)]
    verify_all(todo)
    for d in todo:
        if not refutations(d):   # a failing derivation leaves nothing behind, not even a cache
            store_verdicts(d, CACHE_DIR)
    _VERIFIED.update(built)
    return [_VERIFIED[name] for name in wanted]


def _registrar(table: dict[str, Callable[[], T]], name: str
               ) -> Callable[[Callable[[], T]], Callable[[], T]]:
    def register(build: Callable[[], T]) -> Callable[[], T]:
        known = table.get(name)
        _ensure_new(table, getattr(known, "__wrapped__", None), "name", name, build)
        cached = functools.cache(build)
        table[name] = cached
        return cached

    return register


def _ensure_new(table: dict[str, Callable[[], T]], known: Callable[..., object] | None,
                kind: str, name: str, build: Callable[..., object]) -> None:
    """Raise DuplicateNameError if ``name`` is taken by another builder (the same one
    registered again, a module imported twice, is allowed)."""
    if name not in table or known is None:
        return
    if (known.__module__, known.__qualname__) != (build.__module__, build.__qualname__):
        raise DuplicateNameError(f"{kind} '{name}' is registered twice: by "
                                 f"{known.__module__}.{known.__qualname__} and by "
                                 f"{build.__module__}.{build.__qualname__}")


def example(name: str) -> Callable[[Callable[[], WorkedExample]], Callable[[], WorkedExample]]:
    """Register a worked-example builder under ``name`` (built once and cached)."""
    return _registrar(EXAMPLES, name)


def figure(name: str) -> Callable[[Callable[[], Figure]], Callable[[], Figure]]:
    """Register a figure builder under ``name`` (its data computed once and cached)."""
    return _registrar(FIGURES, name)


def _lookup(table: dict[str, Callable[[], T]], kind: str, name: str) -> T:
    loaded_library()
    if name not in table:
        raise UnknownNameError(kind, name, sorted(table))
    return table[name]()


def get_derivation(name: str) -> Derivation:
    """The verified derivation ``name``; raises if unknown or if any step was refuted."""
    return ensure_sound(_lookup(DERIVATIONS, "derivation", name))


def get_example(name: str) -> WorkedExample:
    """The computed worked example ``name``."""
    return _lookup(EXAMPLES, "worked example", name)


def get_figure(name: str) -> Figure:
    """The figure ``name``, its data computed."""
    return _lookup(FIGURES, "figure", name)


def get(name: str) -> Derivation | WorkedExample | Figure:
    """A derivation, worked example or figure by name."""
    loaded_library()
    if name in DERIVATIONS:
        return get_derivation(name)
    if name in EXAMPLES:
        return get_example(name)
    if name in FIGURES:
        return get_figure(name)
    raise UnknownNameError("derivation, example or figure", name, names())


def names() -> list[str]:
    """Every registered name: derivations, then worked examples, then figures."""
    loaded_library()
    return sorted(DERIVATIONS) + sorted(EXAMPLES) + sorted(FIGURES)


def loaded_library() -> None:
    """Import derive's own library (importing the package registers every module)."""
    import derive.library  # noqa: F401


