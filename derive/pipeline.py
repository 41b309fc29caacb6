"""The pipeline: names -> built -> verified objects, for every caller (the command line, the
build, ``render``, notebooks and the Python API).

It asks the registry for builders, builds each derivation once, takes verdicts from the cache
where they still stand (re-confirmed, never trusted), verifies the rest in one parallel batch,
and hands out only sound derivations: a refuted or undecided step raises RefutedStepError.
"""

from __future__ import annotations

from pathlib import Path

from derive.batch import verify_all
from derive.errors import DisagreementError, NameMismatchError, UnknownNameError
from derive.figure import Figure
from derive.numeric.consistency import formula_disagreement
from derive.numeric.parameters import independent_disagreement
from derive.paths import verdict_cache_dir
from derive.proof import Derivation, WorkedExample, plain
from derive.registry import (
    BUILDERS,
    DERIVATIONS,
    EXAMPLES,
    FIGURES,
    VARIANTS,
    builder,
    loaded_library,
    names,
)
from derive.verdict_cache import signed_verdicts, store_verdicts
from derive.verify import ensure_sound, refutations

# Verdicts are cached by content (steps, context and the verifier's code), so a rebuild after
# a change elsewhere does not re-verify; DERIVE_CACHE=off turns the cache off, DERIVE_CACHE=DIR
# moves it; by default build/.cache in a repository, else the user's cache directory.
CACHE_DIR: Path | None = verdict_cache_dir()

_VERIFIED: dict[str, Derivation] = {}


def verify_library(wanted: list[str] | None = None) -> list[Derivation]:
    """The verified derivations ``wanted`` (default: all), each built and verified once.

    Verdicts from the verdict cache are re-confirmed, and what is not there verified, in one
    parallel batch.
    """
    loaded_library()
    wanted = sorted(DERIVATIONS) if wanted is None else wanted
    for name in wanted:
        if name not in DERIVATIONS:
            raise UnknownNameError("derivation", name, sorted(DERIVATIONS))
    built = {name: BUILDERS[name]() for name in wanted if name not in _VERIFIED}
    for name, d in built.items():
        if d.name != name:
            raise NameMismatchError(f"derivation registered as '{name}' is named "
                                    f"'{d.name}': the two names must be the same")
    for d in built.values():
        signed_verdicts(d, CACHE_DIR)   # re-confirmed in the batch before they are kept
    for d in verify_all(list(built.values())):
        if not refutations(d):   # a failing derivation leaves nothing behind, not even a cache
            store_verdicts(d, CACHE_DIR)
    _VERIFIED.update(built)
    return [_VERIFIED[name] for name in wanted]


def get_derivation(name: str) -> Derivation:
    """The verified derivation ``name``; raises if unknown or if any step was refuted."""
    return ensure_sound(builder(DERIVATIONS, "derivation", name)())


COMPARISON_TOLERANCE = 1e-6   # relative to the larger of the two values, entry by entry
COMPARISON_FLOOR = 1e-9       # absolute: finite differences' own error, a 9-digit published value


def get_example(name: str) -> WorkedExample:
    """The computed worked example ``name``; DisagreementError where two computations of one
    of its values (a comparison it shows) differ, where a value is not what the formula
    printed beside it gives, or (a parametrised example) where it differs from its
    parameter space's independent NumPy computations at its defaults."""
    example = builder(EXAMPLES, "worked example", name)()
    ensure_agreement(example)
    problem = formula_disagreement(example)
    if problem is None and name in VARIANTS:
        problem = independent_disagreement(VARIANTS[name][0], example)
    if problem is not None:
        raise DisagreementError(f"worked example {example.name}: {problem}")
    return example


def ensure_agreement(example: WorkedExample) -> WorkedExample:
    """The example, once every comparison it shows agrees entry by entry within
    COMPARISON_TOLERANCE of the larger value (and COMPARISON_FLOOR): relative to max(1, ·)
    a gradient of 3e-5 could be 3% off and agree, and a small entry beside a large one
    anything."""
    import numpy as np

    for c in example.comparisons:
        left, right = np.asarray(c.left, dtype=float), np.asarray(c.right, dtype=float)
        allowed = COMPARISON_TOLERANCE * np.maximum(np.abs(left), np.abs(right)) \
            + COMPARISON_FLOOR
        if left.shape != right.shape or not np.all(np.abs(left - right) <= allowed):
            raise DisagreementError(f"worked example {example.name}: {plain(c.label)} "
                                    f"disagrees: the two computations differ by "
                                    f"{c.abs_error:.3g}")
    return example


def get_figure(name: str) -> Figure:
    """The figure ``name``, its data computed."""
    return builder(FIGURES, "figure", name)()


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


class Catalogue:
    """The pipeline's verified objects by name, as the renderers take them (a template's
    ``derivation("...")``, ``example("...")``, ``figure("...")``)."""

    def derivation(self, name: str) -> Derivation:
        return get_derivation(name)

    def example(self, name: str) -> WorkedExample:
        return get_example(name)

    def figure(self, name: str) -> Figure:
        return get_figure(name)

    def names(self) -> list[str]:
        return names()

    def prepare(self, derivations: list[str]) -> None:
        """Verify, in one parallel batch, the derivations a document is about to ask for
        (names that are not derivations are left for the document to report)."""
        loaded_library()
        verify_library([n for n in derivations if n in DERIVATIONS])
