"""The registry: derivations, worked examples and figures by name, and their builders.

A derivation is a plain function returning a :class:`~derive.proof.Derivation`; decorating it
with :func:`derivation` registers it by name, and calling the decorated function returns the
*verified* object (built once, through :mod:`derive.pipeline`).  Worked examples and figures
register the same way with :func:`example` and :func:`figure`.  The registry holds names and
builders only: importing it, or a derivation module, loads neither the verifier nor the
renderers.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from derive.authoring import build_derivation
from derive.errors import DuplicateNameError, UnknownNameError
from derive.proof import Derivation, WorkedExample

if TYPE_CHECKING:
    from derive.figure import Figure
    from derive.numeric.parameters import ParameterSpace

DERIVATIONS: dict[str, Callable[[], Derivation]] = {}
BUILDERS: dict[str, Callable[[], Derivation]] = {}   # the same functions, unverified
EXAMPLES: dict[str, Callable[[], WorkedExample]] = {}
FIGURES: dict[str, Callable[[], Figure]] = {}
# parametrised examples: name -> (its parameters, the builder taking their values)
VARIANTS: dict[str, tuple[ParameterSpace, Callable[[Any], WorkedExample]]] = {}

T = TypeVar("T")


SETTINGS = ("title", "summary", "problems", "domains", "sizes", "numeric_sizes", "indices",
            "definitions", "notation", "symbolic_sizes", "method")


def derivation(name: str, **settings: Any
               ) -> Callable[[Callable[..., Derivation | None]], Callable[[], Derivation]]:
    """Register a derivation builder under ``name``; calling it returns the verified result.

    The builder either takes a :class:`~derive.authoring.Proof` and records the steps in it
    (``settings`` are the derivation's title, summary, problems and check settings: domains,
    sizes, numeric_sizes, indices, definitions, notation, symbolic_sizes; and method, how it
    is verified where that needs saying), or takes nothing
    and returns a whole :class:`~derive.proof.Derivation`.
    """
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise TypeError(f"@derivation('{name}'): unknown setting {', '.join(unknown)} "
                        f"(known: {', '.join(SETTINGS)})")

    def register(function: Callable[..., Derivation | None]) -> Callable[[], Derivation]:
        known = BUILDERS.get(name)
        _ensure_new(DERIVATIONS, getattr(known, "__wrapped__", known), "derivation", name,
                    function)
        build = _as_builder(function, name, settings)

        def verified() -> Derivation:
            from derive.pipeline import verify_library  # the pipeline verifies, not us

            return verify_library([name])[0]

        verified.__doc__ = function.__doc__
        verified.__name__ = function.__name__
        verified.unverified = build  # type: ignore[attr-defined]
        DERIVATIONS[name] = verified
        BUILDERS[name] = build
        return verified

    return register


def _as_builder(function: Callable[..., Derivation | None], name: str,
                settings: dict[str, Any]) -> Callable[[], Derivation]:
    """A function of no arguments that builds the (unverified) Derivation."""
    if not inspect.signature(function).parameters:
        return cast(Callable[[], Derivation], function)

    @functools.wraps(function)
    def build() -> Derivation:
        return build_derivation(function, name, **settings)

    return build


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


def example(name: str, parameters: ParameterSpace | None = None
            ) -> Callable[[Callable[..., WorkedExample]], Callable[[], WorkedExample]]:
    """Register a worked-example builder under ``name`` (built once and cached).

    With ``parameters`` the builder takes the values of those parameters (a mapping by
    name); the registered example is built from their defaults, and ``VARIANTS`` holds the
    space and the builder for per-student variants (derive variants)."""
    if parameters is None:
        return _registrar(EXAMPLES, name)

    def register(function: Callable[..., WorkedExample]) -> Callable[[], WorkedExample]:
        @functools.wraps(function)
        def default() -> WorkedExample:
            return function(parameters.defaults())

        registered = _registrar(EXAMPLES, name)(default)
        VARIANTS[name] = (parameters, function)
        registered.variant = function  # type: ignore[attr-defined]
        return registered

    return register


def figure(name: str) -> Callable[[Callable[[], Figure]], Callable[[], Figure]]:
    """Register a figure builder under ``name`` (its data computed once and cached)."""
    return _registrar(FIGURES, name)


def builder(table: dict[str, Callable[[], T]], kind: str, name: str) -> Callable[[], T]:
    """The builder registered as ``name`` in ``table``; UnknownNameError if there is none."""
    loaded_library()
    if name not in table:
        raise UnknownNameError(kind, name, sorted(table))
    return table[name]


def names() -> list[str]:
    """Every registered name: derivations, then worked examples, then figures."""
    loaded_library()
    return sorted(DERIVATIONS) + sorted(EXAMPLES) + sorted(FIGURES)


def loaded_library() -> None:
    """Import derive's own derivations, examples and figures (importing a module registers
    what it defines)."""
    import derive.library  # noqa: F401
    from derive.numeric import (  # noqa: F401
        backprop_check,
        demos,
        graph_figures,
        mlp_instance,
        network_graphs,
        neurons,
        plots,
        scalar_network,
        two_two_two,
    )


