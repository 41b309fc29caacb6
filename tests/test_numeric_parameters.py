"""Parameter spaces and rejection sampling (derive/numeric/parameters.py), and the C12
example's parameters (derive/numeric/scalar_network.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from derive.numeric.parameters import (
    Constraint,
    Parameter,
    ParameterSpace,
    UnsatisfiableError,
    draw,
    generator,
    quantity_values,
    shown_as_0_or_1,
    tolerance,
)
from derive.numeric.scalar_network import C12_PARAMETERS, batch_loss, c12_scalar_network

SPACE = ParameterSpace((Parameter("a", 0.5, -1, 1, 2, nonzero=True),
                        Parameter("n", 3, 1, 4, 0)))


def test_a_parameter_is_drawn_on_its_grid_within_its_interval() -> None:
    rng = generator(1, "k")
    values = [Parameter("a", 0.5, -0.3, 0.3, 2).sample(rng) for _ in range(500)]
    assert all(-0.3 <= v <= 0.3 and round(v, 2) == v for v in values)
    assert min(values) == -0.3 and max(values) == 0.3        # the ends are on the grid
    ints = {Parameter("n", 3, 1, 4, 0).sample(rng) for _ in range(200)}
    assert ints == {1.0, 2.0, 3.0, 4.0}


def test_draws_are_a_function_of_seed_and_key_alone() -> None:
    def first(seed: int, key: str) -> dict[str, float]:
        return draw(SPACE, seed, key, lambda v: None)[0]

    assert first(7, "c12/s001") == first(7, "c12/s001")
    assert first(7, "c12/s001") != first(7, "c12/s002")
    assert first(7, "c12/s001") != first(8, "c12/s001")
    # the same in another process (no salted hash, no global random state)
    code = ("from tests.test_numeric_parameters import SPACE; from derive.numeric.parameters "
            "import draw; print(draw(SPACE, 7, 'c12/s001', lambda v: None)[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == str(first(7, "c12/s001"))


def test_rejected_draws_are_drawn_again_and_counted() -> None:
    values, rejected = draw(SPACE, 0, "k", lambda v: None if v["a"] > 0.9 else "a small")
    assert values["a"] > 0.9 and rejected > 0
    assert values["a"] != 0


def test_a_space_no_draw_satisfies_fails_naming_the_constraint() -> None:
    space = ParameterSpace(SPACE.parameters, parameter_checks=(
        Constraint("a exceeds 2", lambda p: p["a"] > 2),))
    with pytest.raises(UnsatisfiableError, match="after 50 draws.*a exceeds 2") as err:
        draw(space, 0, "k", lambda v: None, tries=50, name="toy")
    assert err.value.exit_code == 2 and "\n" not in str(err.value)


def test_tolerance_is_half_a_unit_in_the_third_significant_digit() -> None:
    assert tolerance(175.182) == pytest.approx(0.5)
    assert tolerance(-0.0792907) == pytest.approx(5e-5)
    assert tolerance(3.79726) == pytest.approx(0.005)


def test_values_that_print_as_0_or_1_are_spotted() -> None:
    assert shown_as_0_or_1(0.9999999) and shown_as_0_or_1(-1.0000001)
    assert shown_as_0_or_1(0.0) and shown_as_0_or_1(3e-5)
    assert not shown_as_0_or_1(0.99999) and not shown_as_0_or_1(0.5)


def test_the_default_parameters_give_todays_c12_example() -> None:
    default = c12_scalar_network()
    again = c12_scalar_network.variant(C12_PARAMETERS.defaults())   # type: ignore[attr-defined]
    assert quantity_values(default) == quantity_values(again)
    assert quantity_values(default)["w_10"] == 0.01 and quantity_values(default)["y_2"] == 11.0
    # today's sheet is a good exercise by the example's own constraints
    assert C12_PARAMETERS.rejected_parameters(C12_PARAMETERS.defaults()) is None
    assert C12_PARAMETERS.violated(default) is None
    assert batch_loss(C12_PARAMETERS.defaults()) == pytest.approx(
        quantity_values(default)["L"], rel=1e-12)


def test_every_c12_answer_and_gradient_names_a_quantity() -> None:
    names = set(quantity_values(c12_scalar_network()))
    assert {a.quantity for a in C12_PARAMETERS.answers} <= names
    assert set(C12_PARAMETERS.gradients) <= {p.name for p in C12_PARAMETERS.parameters}
    assert set(C12_PARAMETERS.gradients.values()) <= names
    assert {p.name for p in C12_PARAMETERS.parameters} <= names   # each is a given


def test_a_variant_breaking_a_constraint_is_seen() -> None:
    values = {**C12_PARAMETERS.defaults(), "y_2": 8.0}      # y_1 is 8 too
    assert C12_PARAMETERS.rejected_parameters(values) == "the targets are distinct"
    big = {**C12_PARAMETERS.defaults(), **{f"w_{h}0": 4.0 for h in (1, 2, 3)}}
    assert "activation" in (C12_PARAMETERS.rejected_parameters(big) or "")


def test_the_sampling_module_loads_no_verifier_or_renderer() -> None:
    probe = ("import sys, derive.numeric.parameters, derive.numeric.scalar_network; "
             "print(sorted(m for m in sys.modules if m.startswith(('derive.verify', "
             "'derive.render', 'derive.pipeline', 'derive.build'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", ["c12-scalar-network", "c-q3-cross-entropy", "a4-boundary"])
def test_every_parametrised_example_is_todays_with_its_defaults(name: str) -> None:
    from derive.registry import EXAMPLES, VARIANTS, loaded_library

    loaded_library()
    space, build = VARIANTS[name]
    default = EXAMPLES[name]()
    assert quantity_values(build(space.defaults())) == quantity_values(default)
    assert space.rejected_parameters(space.defaults()) is None
    assert space.violated(default) is None
    names = set(quantity_values(default))
    assert {a.quantity for a in space.answers} <= names
    if space.reference is not None:
        for quantity, value in space.reference(space.defaults()).items():
            assert quantity_values(default)[quantity] == pytest.approx(value, rel=1e-12)


def test_the_squared_error_example_keeps_its_published_comparison_and_does_not_vary() -> None:
    from derive.registry import EXAMPLES, VARIANTS

    assert "c-q3-squared-error" in EXAMPLES and "c-q3-squared-error" not in VARIANTS
