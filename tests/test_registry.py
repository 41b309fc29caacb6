"""The registry (derive/registry.py): every derivation, example and figure by name."""

from __future__ import annotations

from derive.library import names


def test_registry_lists_every_derivation_and_example() -> None:
    assert {"sigmoid-from-log-odds", "bce-gradient", "softmax-jacobian",
            "c12-scalar-network"} <= set(names())
